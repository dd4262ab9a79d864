//! A byte scanner for JSON text: the [`Cursor`] generated validators read a body with, one
//! value at a time and without building anything, and the [`Json`] trees of the values
//! `enum` and `uniqueItems` compare.
//!
//! It reads what it accepts exactly as `serde_json` (with `float_roundtrip`) does — the
//! same numbers (`-0` and integers past 64 bits become `f64`s), the same nesting limit —
//! and it accepts all that `serde_json` accepts. On a syntax error it gives up without a
//! message; the caller then parses with `serde_json`, whose error (with its line and
//! column) is the answer. So the error path costs one parse more and the valid path none.

use std::borrow::Cow;

use serde_json::Number;

use super::json::{push_member, Json, Keys, Members};

/// Containers nested deeper than this are refused, as `serde_json` refuses them.
const MAX_DEPTH: usize = 127;

/// The tree of `text`, or `None` when it is not JSON (tests compare it with `serde_json`).
#[cfg(test)]
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

    #[inline(always)]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    #[inline(always)]
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

    /// A string's content, the opening quote consumed. The common case — no escape before
    /// the closing quote — is inlined into the callers; the rest is [`Self::string_slow`].
    #[inline(always)]
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.pos;
        let end = crate::json_bytes::skip_plain(self.bytes, start);
        if self.bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            return self.text.get(start..end).map(Cow::Borrowed);
        }
        self.string_slow(start)
    }

    /// [`Self::string`] past its fast path: escapes, control characters, the end of text.
    #[cold]
    fn string_slow(&mut self, start: usize) -> Option<Cow<'a, str>> {
        self.pos = start;
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
        // The integer part's value is gathered as it is read (`None` past 64 bits).
        let mut magnitude = Some(0u64);
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                while let Some(digit @ b'0'..=b'9') = self.peek() {
                    magnitude = magnitude
                        .and_then(|m| m.checked_mul(10))
                        .and_then(|m| m.checked_add(u64::from(digit - b'0')));
                    self.pos += 1;
                }
            }
            _ => return None,
        }
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
            return self.float(start);
        }
        let Some(magnitude) = magnitude else {
            // Past 64 bits serde_json reads the integer as an `f64`.
            return self.float(start);
        };
        if !negative {
            return Some(Json::Number(magnitude.into()));
        }
        // serde_json's rule: `-0` and magnitudes past `i64::MIN` become an `f64`.
        let negated = (magnitude as i64).wrapping_neg();
        if negated >= 0 {
            Number::from_f64(-(magnitude as f64)).map(Json::Number)
        } else {
            Some(Json::Number(negated.into()))
        }
    }

    /// The number `text[start..pos]` read as an `f64` (`None` beyond its range, which
    /// serde_json refuses too).
    fn float(&self, start: usize) -> Option<Json<'a>> {
        let f: f64 = self.text[start..self.pos].parse().ok()?;
        Number::from_f64(f)
            .filter(|_| f.is_finite())
            .map(Json::Number)
    }
}

/// Where a [`Cursor`] is: restoring it reads the same value again.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Mark {
    pos: usize,
    depth: usize,
}

impl Mark {
    /// The mark of text position `pos` one level deeper: an item of the array that closed
    /// at this mark.
    pub(super) fn item_at(self, pos: usize) -> Mark {
        Mark {
            pos,
            depth: self.depth + 1,
        }
    }
}

/// The start of one value, as a [`Cursor`] reads it: a whole scalar, or the opening bracket
/// of a container whose contents come next.
pub(super) enum Head<'a> {
    /// `null`, a boolean, a number or a string.
    Scalar(Json<'a>),
    /// `[`: read the items with [`Cursor::next_item`].
    Array,
    /// `{`: read the members with [`Cursor::next_key`].
    Object,
}

/// JSON text read value by value: what generated validators walk (see `validate`). Each
/// validator reads exactly one value; a syntax error breaks the cursor (every later read
/// returns `None`) and the caller reports `serde_json`'s error for the text instead.
pub struct Cursor<'a> {
    s: Scanner<'a>,
    broken: bool,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `text`.
    pub(super) fn new(text: &'a str) -> Self {
        Cursor {
            s: Scanner {
                text,
                bytes: text.as_bytes(),
                pos: 0,
                depth: 0,
            },
            broken: false,
        }
    }

    /// Whether the text was one well-formed value and nothing more has to be read.
    pub(super) fn finished(&mut self) -> bool {
        self.s.skip_ws();
        !self.broken && self.s.pos == self.s.bytes.len()
    }

    /// Where the cursor is now.
    pub(super) fn mark(&self) -> Mark {
        Mark {
            pos: self.s.pos,
            depth: self.s.depth,
        }
    }

    /// Goes back (or forward) to `mark`.
    pub(super) fn reset(&mut self, mark: Mark) {
        self.s.pos = mark.pos;
        self.s.depth = mark.depth;
    }

    /// The position where the next value starts (white space skipped).
    pub(super) fn value_start(&mut self) -> usize {
        self.s.skip_ws();
        self.s.pos
    }

    /// The position in the text.
    pub(super) fn position(&self) -> usize {
        self.s.pos
    }

    /// The bytes between two positions (a value read between them).
    pub(super) fn bytes(&self, from: usize, to: usize) -> &'a [u8] {
        self.s.bytes.get(from..to).unwrap_or_default()
    }

    fn fail<T>(&mut self) -> Option<T> {
        self.broken = true;
        None
    }

    /// Reads the start of the next value.
    pub(super) fn head(&mut self) -> Option<Head<'a>> {
        if self.broken {
            return None;
        }
        self.s.skip_ws();
        let head = match self.s.peek() {
            Some(b'[' | b'{') if self.s.depth >= MAX_DEPTH => None,
            Some(open @ (b'[' | b'{')) => {
                self.s.pos += 1;
                self.s.depth += 1;
                Some(if open == b'[' {
                    Head::Array
                } else {
                    Head::Object
                })
            }
            Some(b'"') => {
                self.s.pos += 1;
                self.s.string().map(|s| Head::Scalar(Json::String(s)))
            }
            Some(b't') => self.s.literal(b"true", Json::Bool(true)).map(Head::Scalar),
            Some(b'f') => self
                .s
                .literal(b"false", Json::Bool(false))
                .map(Head::Scalar),
            Some(b'n') => self.s.literal(b"null", Json::Null).map(Head::Scalar),
            Some(b'-' | b'0'..=b'9') => self.s.number().map(Head::Scalar),
            _ => None,
        };
        head.or_else(|| self.fail())
    }

    /// Reads a string if one is next (`Ok`), or else the start of the value that is next
    /// (`Err`): the walks of typed schemas read what they expect without [`Head`]'s
    /// dispatch.
    #[inline]
    pub(super) fn string_or_head(&mut self) -> Option<Result<Cow<'a, str>, Head<'a>>> {
        if self.broken {
            return None;
        }
        self.s.skip_ws();
        if self.s.peek() != Some(b'"') {
            return self.head().map(Err);
        }
        self.s.pos += 1;
        match self.s.string() {
            Some(s) => Some(Ok(s)),
            None => self.fail(),
        }
    }

    /// Reads a number if one is next (`Ok`), or else the start of the value that is next.
    #[inline]
    pub(super) fn number_or_head(&mut self) -> Option<Result<Number, Head<'a>>> {
        if self.broken {
            return None;
        }
        self.s.skip_ws();
        if !matches!(self.s.peek(), Some(b'-' | b'0'..=b'9')) {
            return self.head().map(Err);
        }
        match self.s.number() {
            Some(Json::Number(n)) => Some(Ok(n)),
            _ => self.fail(),
        }
    }

    /// Reads the opening bracket `open` (`[` or `{`) if it is next (`Ok`), or else the start
    /// of the value that is next.
    #[inline]
    pub(super) fn open_or_head(&mut self, open: u8) -> Option<Result<(), Head<'a>>> {
        if self.broken {
            return None;
        }
        self.s.skip_ws();
        if self.s.peek() != Some(open) || self.s.depth >= MAX_DEPTH {
            return self.head().map(Err);
        }
        self.s.pos += 1;
        self.s.depth += 1;
        Some(Ok(()))
    }

    /// Reads a `null` if one is next.
    pub(super) fn null(&mut self) -> bool {
        if self.broken {
            return false;
        }
        self.s.skip_ws();
        let null = self.s.bytes.get(self.s.pos..self.s.pos + 4) == Some(b"null");
        if null {
            self.s.pos += 4;
        }
        null
    }

    /// Reads the closing bracket of the container being read.
    fn close(&mut self) {
        self.s.pos += 1;
        self.s.depth -= 1;
    }

    /// Inside an array: whether another item follows (`first`: none has been read yet).
    /// The closing bracket is consumed when none does.
    pub(super) fn next_item(&mut self, first: bool) -> Option<bool> {
        if self.broken {
            return None;
        }
        self.s.skip_ws();
        match self.s.peek() {
            Some(b']') => {
                self.close();
                Some(false)
            }
            Some(b',') if !first => {
                self.s.pos += 1;
                Some(true)
            }
            Some(_) if first => Some(true),
            _ => self.fail(),
        }
    }

    /// Inside an object: the key of the next member, its colon consumed (`first`: no
    /// member has been read yet); `None` inside when the object closed.
    pub(super) fn next_key(&mut self, first: bool) -> Option<Option<Cow<'a, str>>> {
        if self.broken {
            return None;
        }
        self.s.skip_ws();
        match self.s.peek() {
            Some(b'}') => {
                self.close();
                return Some(None);
            }
            Some(b',') if !first => {
                self.s.pos += 1;
                self.s.skip_ws();
            }
            Some(b'"') if first => {}
            _ => return self.fail(),
        }
        if self.s.peek() != Some(b'"') {
            return self.fail();
        }
        self.s.pos += 1;
        match self.s.string() {
            Some(key) if self.s.eat(b':').is_some() => Some(Some(key)),
            _ => self.fail(),
        }
    }

    /// Reads past one whole value, checking its syntax.
    pub(super) fn skip(&mut self) -> Option<()> {
        match self.head()? {
            Head::Scalar(_) => Some(()),
            head => self.skip_rest(&head),
        }
    }

    /// Reads past the contents of the container `head` opened.
    pub(super) fn skip_rest(&mut self, head: &Head<'a>) -> Option<()> {
        match head {
            Head::Scalar(_) => Some(()),
            Head::Array => {
                let mut more = self.next_item(true)?;
                while more {
                    self.skip()?;
                    more = self.next_item(false)?;
                }
                Some(())
            }
            Head::Object => {
                let mut first = true;
                while self.next_key(first)?.is_some() {
                    first = false;
                    self.skip()?;
                }
                Some(())
            }
        }
    }

    /// The value starting at `mark` as a tree (for `enum` and `uniqueItems`, which compare
    /// whole values); the cursor is left after it.
    pub(super) fn tree_at(&mut self, mark: Mark) -> Option<Json<'a>> {
        if self.broken {
            return None;
        }
        self.reset(mark);
        self.s.value().or_else(|| self.fail())
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

    /// What the scanner accepts, it reads as `serde_json` does; what it refuses,
    /// `serde_json` refuses.
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
            let mut cursor = Cursor::new(text);
            let _ = cursor.skip();
            assert_eq!(cursor.finished(), theirs.is_ok(), "cursor on {text:?}");
            match scan(text) {
                Some(ours) => {
                    let theirs = theirs.unwrap_or_else(|e| panic!("{text:?}: accepted, {e}"));
                    assert_eq!(ours, Json::from_value(&theirs), "{text:?}");
                    if let (Json::Number(a), Value::Number(b)) = (&ours, &theirs) {
                        assert_eq!(a.to_string(), b.to_string(), "{text:?}");
                    }
                }
                None => assert!(
                    theirs.is_err(),
                    "{text:?}: refused, but serde_json reads it"
                ),
            }
        }
        // The same nesting limit as serde_json's.
        for depth in [MAX_DEPTH, MAX_DEPTH + 1] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let theirs = serde_json::from_str::<Value>(&text).is_ok();
            assert_eq!(scan(&text).is_some(), theirs, "depth {depth}");
            let mut cursor = Cursor::new(&text);
            let _ = cursor.skip();
            assert_eq!(cursor.finished(), theirs, "cursor, depth {depth}");
        }
        assert!(scan(&format!(
            "{}{}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        ))
        .is_some());
    }
}
