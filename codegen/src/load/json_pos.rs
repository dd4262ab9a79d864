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

/// The position of the deepest node on the path `segments` that exists, as
/// [`PosNode::locate`] on [`positions`] gives it, found by walking only that path: the
/// subtrees beside it are skipped byte by byte, nothing is built, and lines and columns are
/// counted once at the end. For a diagnostic or two this is much cheaper than the whole
/// tree (Stripe's one warning sat 1.4 MB into a 2.5 MB text whose tree took 11 ms on the
/// generation's critical path).
pub(crate) fn locate<S: AsRef<str>>(text: &str, segments: &[S]) -> Pos {
    let mut seek = Seek {
        bytes: text.as_bytes(),
        at: 0,
    };
    seek.skip_ws();
    if seek.peek().is_none() {
        return Pos::new(1, 1);
    }
    let mut found = seek.at;
    // On text it does not understand the walk stops, keeping the deepest node found.
    let _ = seek.descend(segments, 0, &mut found);
    pos_at(text, found)
}

/// The line and column (in characters) of byte `at` of `text`.
fn pos_at(text: &str, at: usize) -> Pos {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    let before = &bytes[..at];
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let line = 1 + memchr::memchr_iter(b'\n', before).count();
    // `at` starts a token, so it is a character boundary; were it not, count the bytes
    // that start a character.
    let chars = match text.get(line_start..at) {
        Some(line) => line.chars().count(),
        None => before[line_start..]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count(),
    };
    Pos::new(line, 1 + chars)
}

/// A cursor that only moves: the walk of [`locate`].
struct Seek<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl Seek<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_ws();
        let ate = self.peek() == Some(byte);
        self.at += usize::from(ate);
        ate
    }

    /// Walks the value at the cursor to its end, following `segments` (the path below it,
    /// `depth` segments down already): `found` becomes where each node of the path that
    /// exists starts (a member's key; of several members with the name, the last one,
    /// which the parsed value keeps). One pass over the text, the path's subtrees walked
    /// as they come and the rest skipped. `None` on text it does not understand.
    fn descend<S: AsRef<str>>(
        &mut self,
        segments: &[S],
        depth: usize,
        found: &mut usize,
    ) -> Option<()> {
        self.skip_ws();
        let Some((segment, rest)) = segments.split_first() else {
            return self.skip_value();
        };
        // The tree keeps no children below this depth.
        if depth + 1 >= MAX_DEPTH {
            return self.skip_value();
        }
        match self.peek()? {
            b'{' => {
                self.at += 1;
                if self.eat(b'}') {
                    return Some(());
                }
                loop {
                    self.skip_ws();
                    let key_at = self.at;
                    let matches = self.string_is(segment.as_ref())?;
                    if !self.eat(b':') {
                        return None;
                    }
                    if matches {
                        *found = key_at;
                        self.descend(rest, depth + 1, found)?;
                    } else {
                        self.skip_value()?;
                    }
                    if !self.eat(b',') {
                        return self.eat(b'}').then_some(());
                    }
                }
            }
            b'[' => {
                let index = segment.as_ref().parse::<usize>().ok();
                self.at += 1;
                if self.eat(b']') {
                    return Some(());
                }
                let mut i = 0;
                loop {
                    self.skip_ws();
                    if Some(i) == index {
                        *found = self.at;
                        self.descend(rest, depth + 1, found)?;
                    } else {
                        self.skip_value()?;
                    }
                    i += 1;
                    if !self.eat(b',') {
                        return self.eat(b']').then_some(());
                    }
                }
            }
            _ => self.skip_value(),
        }
    }

    /// Reads a string literal (the cursor is on its opening quote) and says whether its
    /// value is `expected`, decoding only a string with escapes.
    fn string_is(&mut self, expected: &str) -> Option<bool> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let begin = self.at + 1;
        let mut end = begin;
        loop {
            match *self.bytes.get(end)? {
                b'"' => {
                    self.at = end + 1;
                    return Some(&self.bytes[begin..end] == expected.as_bytes());
                }
                b'\\' => {
                    let mut scanner = Scanner {
                        bytes: self.bytes,
                        at: self.at,
                        line: 1,
                        col: 1,
                    };
                    let value = scanner.string()?;
                    self.at = scanner.at;
                    return Some(value == expected);
                }
                _ => end += 1,
            }
        }
    }

    /// Skips one value (the cursor is before it) as [`Scanner::value`] reads it. The text
    /// is JSON serde_json accepted, so its brackets balance (and nest less deeply than
    /// [`MAX_DEPTH`]): an object or array ends where the brackets opened in it close,
    /// strings aside.
    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'{' | b'[' => self.skip_container(),
            b'"' => self.skip_string(),
            _ => {
                while matches!(self.peek(), Some(b) if !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                {
                    self.at += 1;
                }
                Some(())
            }
        }
    }

    /// Skips an object or array (the cursor is on its opening bracket) by counting
    /// brackets outside strings.
    fn skip_container(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => {
                    self.skip_string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.at += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
    }

    /// Skips a string literal (the cursor is on its opening quote): to each next quote or
    /// backslash at once (`memchr`), most of a document's bytes being inside strings.
    fn skip_string(&mut self) -> Option<()> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.at += 1;
        loop {
            let rest = self.bytes.get(self.at..)?;
            let found = memchr::memchr2(b'"', b'\\', rest)?;
            let quote = rest[found] == b'"';
            self.at += found;
            if quote {
                self.at += 1;
                return Some(());
            }
            self.at += 2;
        }
    }
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

    /// Seeking a path gives what the whole tree gives, on every path of the test texts
    /// and of a spec of the fixtures, and on paths that do not exist.
    #[test]
    fn seeking_equals_the_tree() {
        let texts = [
            "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/pets/{id}\": {\n      \"get\": {\"tags\": [\"a\", \"b\"]}\n    }\n  }\n}\n".to_owned(),
            "{\"a\\/b\": 1, \"é\": {\"\\ud83d\\ude00\": 2, \"x\\\"y\": [true, null]}}".to_owned(),
            "{\"a\": 1, \"a\": {\"b\": [[], {}, {\"c\": \"\\\"\"}]}, \"z\": []}".to_owned(),
            "{\"a\": {\"b\": {\"c\": 1}}, \"a\": {\"d\": 2}, \"e\": [0, {\"f\": [1]}]}".to_owned(),
            std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../fixtures/corpus/adyen.com__HopService.json"
            ))
            .expect("fixture"),
        ];
        for text in &texts {
            let tree = positions(text);
            let value: serde_json::Value = serde_json::from_str(text).expect("json");
            let mut paths: Vec<Vec<String>> = Vec::new();
            collect_paths(&value, &mut Vec::new(), &mut paths);
            for path in &paths {
                assert_eq!(locate(text, path), tree.locate(path), "{path:?}");
                let mut missing = path.clone();
                missing.push("nope".to_owned());
                assert_eq!(locate(text, &missing), tree.locate(&missing), "{missing:?}");
            }
            // A path into an earlier member of a repeated name ends at the last member.
            for path in [
                &["a", "b", "c"][..],
                &["e", "7"],
                &["e", "1", "f", "0", "g"],
            ] {
                assert_eq!(locate(text, path), tree.locate(path), "{path:?}");
            }
        }
    }

    fn collect_paths(value: &serde_json::Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(at.clone());
        match value {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    at.push(key.clone());
                    collect_paths(child, at, out);
                    at.pop();
                }
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    at.push(i.to_string());
                    collect_paths(child, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
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
            let _ = locate(text, &["a", "0", "b"]);
        }
    }
}
