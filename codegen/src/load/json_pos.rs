//! Positions of the nodes of a JSON text.
//!
//! serde_json reports no positions for values it parsed successfully, so this is a small
//! scanner that walks text serde_json has already accepted and records where every node
//! starts. It runs lazily, only when a diagnostic needs locating: a 2.5 MB document is parsed
//! on every build, but its positions are needed only when something is wrong.
//! It never panics: on text it does not understand it stops and keeps what it has.

use super::pos::{Pos, PosNode};

/// The same limit serde_json applies when parsing.
const MAX_DEPTH: usize = 512;

/// The position tree of `text`, a JSON document.
pub(crate) fn positions(text: &str) -> PosNode {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        col: 1,
    };
    scanner.skip_ws();
    scanner
        .value(0)
        .unwrap_or_else(|| PosNode::leaf(Pos::new(1, 1)))
}

struct Scanner<'t> {
    bytes: &'t [u8],
    at: usize,
    line: usize,
    col: usize,
}

impl Scanner<'_> {
    fn pos(&self) -> Pos {
        Pos::new(self.line, self.col)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn bump(&mut self) {
        if let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            if b == b'\n' {
                self.line += 1;
                self.col = 1;
            } else if b & 0xC0 != 0x80 {
                // Count characters, not the continuation bytes of UTF-8 sequences.
                self.col += 1;
            }
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<PosNode> {
        self.skip_ws();
        let start = self.pos();
        match self.peek()? {
            b'{' if depth < MAX_DEPTH => self.object(start, depth),
            b'[' if depth < MAX_DEPTH => self.array(start, depth),
            b'"' => {
                self.string()?;
                Some(PosNode::leaf(start))
            }
            _ => {
                while matches!(self.peek(), Some(b) if !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                {
                    self.bump();
                }
                Some(PosNode::leaf(start))
            }
        }
    }

    fn object(&mut self, start: Pos, depth: usize) -> Option<PosNode> {
        self.bump();
        let mut members = Vec::new();
        if !self.eat(b'}') {
            loop {
                self.skip_ws();
                let key_pos = self.pos();
                let key = self.string()?;
                if !self.eat(b':') {
                    return None;
                }
                let mut node = self.value(depth + 1)?;
                node.set_pos(key_pos);
                members.push((key.into_boxed_str(), node));
                if self.eat(b',') {
                    continue;
                }
                if self.eat(b'}') {
                    break;
                }
                return None;
            }
        }
        Some(PosNode::map(start, members))
    }

    fn array(&mut self, start: Pos, depth: usize) -> Option<PosNode> {
        self.bump();
        let mut items = Vec::new();
        if !self.eat(b']') {
            loop {
                items.push(self.value(depth + 1)?);
                if self.eat(b',') {
                    continue;
                }
                if self.eat(b']') {
                    break;
                }
                return None;
            }
        }
        Some(PosNode::seq(start, items))
    }

    /// Reads a string literal (the cursor is on its opening quote) and returns its value.
    fn string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.bump();
        let begin = self.at;
        // Fast path: no escapes.
        loop {
            match self.peek()? {
                b'"' => {
                    let text = std::str::from_utf8(&self.bytes[begin..self.at]).ok()?;
                    self.bump();
                    return Some(text.to_owned());
                }
                b'\\' => break,
                _ => self.bump(),
            }
        }
        let mut out = std::str::from_utf8(&self.bytes[begin..self.at])
            .ok()?
            .to_owned();
        loop {
            match self.peek()? {
                b'"' => {
                    self.bump();
                    return Some(out);
                }
                b'\\' => {
                    self.bump();
                    let escape = self.peek()?;
                    self.bump();
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return None,
                    }
                }
                _ => {
                    let begin = self.at;
                    while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\') {
                        self.bump();
                    }
                    out.push_str(std::str::from_utf8(&self.bytes[begin..self.at]).ok()?);
                }
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.at..self.at + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        let code = u32::from_str_radix(text, 16).ok()?;
        for _ in 0..4 {
            self.bump();
        }
        Some(code)
    }

    /// The character of a `\uXXXX` escape (the cursor is after the `u`), joining surrogate
    /// pairs; a lone surrogate becomes U+FFFD, as serde_json would refuse it anyway.
    fn unicode_escape(&mut self) -> Option<char> {
        let high = self.hex4()?;
        if (0xD800..0xDC00).contains(&high) && self.bytes.get(self.at..self.at + 2) == Some(b"\\u")
        {
            self.bump();
            self.bump();
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                return Some(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            return Some('\u{FFFD}');
        }
        Some(char::from_u32(high).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_positions() {
        let text = "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/pets/{id}\": {\n      \"get\": {\"tags\": [\"a\", \"b\"]}\n    }\n  }\n}\n";
        let tree = positions(text);
        assert_eq!(tree.locate(&["openapi"]), Pos::new(2, 3));
        assert_eq!(tree.locate(&["paths", "/pets/{id}", "get"]), Pos::new(5, 7));
        assert_eq!(
            tree.locate(&["paths", "/pets/{id}", "get", "tags", "1"]),
            Pos::new(5, 29)
        );
        assert_eq!(tree.locate(&["paths", "/nope"]), Pos::new(3, 3));
    }

    #[test]
    fn escapes_and_unicode_columns() {
        let text = "{\"a\\/b\": 1, \"é\": {\"\\ud83d\\ude00\": 2, \"x\\\"y\": [true, null]}}";
        let tree = positions(text);
        assert_eq!(tree.locate(&["a/b"]), Pos::new(1, 2));
        assert_eq!(tree.locate(&["é", "😀"]), Pos::new(1, 19));
        assert_eq!(tree.locate(&["é", "x\"y", "1"]), Pos::new(1, 53));
    }

    #[test]
    fn garbage_does_not_panic() {
        for text in [
            "",
            "{",
            "{\"a\"",
            "[1,",
            "\"\\u12",
            "{\"a\":}",
            "\u{feff}{}",
            "]]]",
        ] {
            let _ = positions(text);
        }
    }
}
