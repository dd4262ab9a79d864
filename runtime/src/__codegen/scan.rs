//! The fast path of [`Json::parse`]: a byte scanner for well-formed JSON text.
//!
//! Driving serde's visitor through `serde_json`'s parser costs about as much as the rest of
//! validation put together (moves of each value through `Result`s, a dispatch per token).
//! This scanner builds the tree directly. It is deliberately partial: on anything it does
//! not accept — every syntax error, but also valid text whose reading it leaves to
//! `serde_json` (nesting deeper than [`MAX_DEPTH`], `-0`, integers beyond 64 bits, numbers
//! out of `f64` range, lone surrogates) — it gives up and the caller parses with
//! `serde_json`, whose result or error (with its line and column) is then the answer. So
//! what it accepts it reads exactly as `serde_json` (with `float_roundtrip`) does, and
//! what it refuses costs one scan more.

use std::borrow::Cow;

use serde_json::Number;

use super::json::{push_member, Json, Keys, Members};

/// Containers nested deeper than this are left to `serde_json` (it refuses more than 127).
const MAX_DEPTH: usize = 100;

/// The tree of `text`, or `None` when `serde_json` must decide (see the module doc).
pub(super) fn scan(text: &str) -> Option<Json<'_>> {
    let mut s = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let value = s.value()?;
    s.skip_ws();
    (s.pos == s.bytes.len()).then_some(value)
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn value(&mut self) -> Option<Json<'a>> {
        self.skip_ws();
        match self.peek()? {
            b'"' => {
                self.pos += 1;
                self.string().map(Json::String)
            }
            b'{' => self.object(),
            b'[' => self.array(),
            b't' => self.literal(b"true", Json::Bool(true)),
            b'f' => self.literal(b"false", Json::Bool(false)),
            b'n' => self.literal(b"null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8], value: Json<'a>) -> Option<Json<'a>> {
        let end = self.pos + word.len();
        (self.bytes.get(self.pos..end)? == word).then(|| {
            self.pos = end;
            value
        })
    }

    fn array(&mut self) -> Option<Json<'a>> {
        self.pos += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek()? == b']' {
            self.pos += 1;
        } else {
            items.reserve(4);
            loop {
                let item = self.value()?;
                items.push(item);
                self.skip_ws();
                match self.peek()? {
                    b',' => self.pos += 1,
                    b']' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(Json::Array(items))
    }

    fn object(&mut self) -> Option<Json<'a>> {
        self.pos += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let mut members = Members::new();
        let mut keys = Keys::default();
        self.skip_ws();
        if self.peek()? == b'}' {
            self.pos += 1;
        } else {
            members.reserve(8);
            loop {
                self.eat(b'"')?;
                let key = self.string()?;
                self.eat(b':')?;
                let value = self.value()?;
                push_member(&mut members, 0, &mut keys, key, value);
                self.skip_ws();
                match self.peek()? {
                    b',' => self.pos += 1,
                    b'}' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(Json::Object(members))
    }

    /// A string's content, the opening quote consumed.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.pos;
        loop {
            self.pos = crate::json_bytes::skip_plain(self.bytes, self.pos);
            match *self.bytes.get(self.pos)? {
                b'"' => {
                    let s = &self.text[start..self.pos];
                    self.pos += 1;
                    return Some(Cow::Borrowed(s));
                }
                b'\\' => break,
                0..=0x1f => return None,
                _ => self.pos += 1,
            }
        }
        let mut owned = String::from(&self.text[start..self.pos]);
        loop {
            let from = self.pos;
            self.pos = crate::json_bytes::skip_plain(self.bytes, self.pos);
            owned.push_str(&self.text[from..self.pos]);
            match *self.bytes.get(self.pos)? {
                b'"' => {
                    self.pos += 1;
                    return Some(Cow::Owned(owned));
                }
                b'\\' => {
                    self.pos += 1;
                    let c = match *self.bytes.get(self.pos)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            self.pos += 1;
                            let unit = self.hex4()?;
                            let code = match unit {
                                0xD800..=0xDBFF => {
                                    if self.bytes.get(self.pos..self.pos + 2)? != b"\\u" {
                                        return None;
                                    }
                                    self.pos += 2;
                                    let low = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&low) {
                                        return None;
                                    }
                                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                                }
                                0xDC00..=0xDFFF => return None,
                                _ => unit,
                            };
                            owned.push(char::from_u32(code)?);
                            continue;
                        }
                        _ => return None,
                    };
                    self.pos += 1;
                    owned.push(c);
                }
                _ => return None,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - from
    }

    fn number(&mut self) -> Option<Json<'a>> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        let int_end = self.pos;
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
            float = true;
        }
        if float {
            let f: f64 = self.text[start..self.pos].parse().ok()?;
            return Number::from_f64(f)
                .filter(|_| f.is_finite())
                .map(Json::Number);
        }
        let magnitude: u64 = self.text[int_start..int_end].parse().ok()?;
        if !negative {
            return Some(Json::Number(magnitude.into()));
        }
        // `-0` and magnitudes past `i64::MIN` are read by serde_json's own rules.
        match i64::try_from(magnitude) {
            Ok(m) if m > 0 => Some(Json::Number((-m).into())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::json_bytes::skip_plain;

    #[test]
    fn skip_plain_stops_where_a_byte_loop_stops() {
        let naive = |bytes: &[u8], mut at: usize| {
            while at < bytes.len() && !matches!(bytes[at], b'"' | b'\\' | 0..=0x1f) {
                at += 1;
            }
            at
        };
        let stops: [u8; 6] = [b'"', b'\\', 0, 0x1f, b'\n', b'\t'];
        let plain: [u8; 8] = [b'a', b' ', 0x20, 0x7f, 0x80, 0xff, b'!', b'#'];
        for len in 0..40 {
            for stop_at in 0..=len {
                for (n, &stop) in stops.iter().enumerate() {
                    let mut bytes: Vec<u8> =
                        (0..len).map(|i| plain[(i + n) % plain.len()]).collect();
                    if stop_at < len {
                        bytes[stop_at] = stop;
                        // A second stop further on must not win.
                        if stop_at + 3 < len {
                            bytes[stop_at + 3] = b'"';
                        }
                    }
                    for from in 0..=len.min(9) {
                        assert_eq!(
                            skip_plain(&bytes, from),
                            naive(&bytes, from),
                            "{bytes:?} from {from}"
                        );
                    }
                }
            }
        }
    }

    use super::*;
    use serde_json::Value;

    /// What the scanner accepts, it reads as `serde_json` does; what it refuses includes
    /// every text `serde_json` refuses.
    #[test]
    fn agrees_with_serde_json() {
        let texts = [
            r#" {"a": [1, -2, 3.5, -0.0, 1e3, 2E-2, 0, 18446744073709551615], "b": {"c": null}} "#,
            r#"{"s": "plain", "e": "q\"\\\/\b\f\n\r\t", "u": "\u00e9\ud83d\ude00\u0041"}"#,
            r#"{"dup": 1, "x": 2, "dup": [3]}"#,
            r#"[true, false, null, "", [], {}, [[]], {"": ""}]"#,
            "\"caf\u{e9} \u{1F600}\"",
            "12345678901234567890123",
            "-9223372036854775808",
            "-9223372036854775807",
            "-0",
            "0.1e-400",
            "1e400",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "[01]",
            "[1.]",
            "[.5]",
            "[1e]",
            "[-]",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "\"\\x\"",
            "\"tab\there\"",
            "tru",
            "nul",
            "[1] x",
            "",
            "   ",
            "{\"a\": \"unterminated}",
            "{1: 2}",
        ];
        for text in texts {
            let theirs = serde_json::from_str::<Value>(text);
            match scan(text) {
                Some(ours) => {
                    let theirs = theirs.unwrap_or_else(|e| panic!("{text:?}: accepted, {e}"));
                    assert_eq!(ours, Json::from_value(&theirs), "{text:?}");
                    if let (Json::Number(a), Value::Number(b)) = (&ours, &theirs) {
                        assert_eq!(a.to_string(), b.to_string(), "{text:?}");
                    }
                }
                None => assert!(
                    theirs.is_err()
                        || ["-0", "12345678901234567890123", "-9223372036854775808"]
                            .contains(&text),
                    "{text:?}: refused, but serde_json reads it"
                ),
            }
        }
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(scan(&deep).is_none());
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(scan(&ok).is_some());
    }
}
