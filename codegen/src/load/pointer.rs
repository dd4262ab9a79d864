//! JSON pointers (RFC 6901) in their URI-fragment form (`#/a/b~1c`), and lookups with them.

use std::borrow::Cow;

use serde_json::Value;

/// Escapes one reference token: `~` → `~0`, `/` → `~1`.
pub(crate) fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// Undoes [`escape`]. `~` followed by anything but `0` or `1` is kept as written.
pub(crate) fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// The URI-fragment pointer of `segments`: `#` for none, else `#/seg/seg`.
pub(crate) fn to_pointer<S: AsRef<str>>(segments: &[S]) -> String {
    let mut out = String::from("#");
    for segment in segments {
        out.push('/');
        out.push_str(&escape(segment.as_ref()));
    }
    out
}

/// `pointer` followed by one more segment.
pub(crate) fn child(pointer: &str, segment: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + segment.len() + 1);
    out.push_str(pointer);
    out.push('/');
    out.push_str(&escape(segment));
    out
}

/// Splits a pointer (`#/a/b`, `/a/b`, `#` or the empty string) into unescaped segments.
/// Returns `None` for text that is not a pointer (it must start with `/` after the `#`).
pub(crate) fn parse(pointer: &str) -> Option<Vec<String>> {
    let body = pointer.strip_prefix('#').unwrap_or(pointer);
    if body.is_empty() {
        return Some(Vec::new());
    }
    let body = body.strip_prefix('/')?;
    Some(body.split('/').map(|t| unescape(t).into_owned()).collect())
}

/// Decodes `%XX` escapes (as found in `$ref` URIs); malformed escapes are kept as written.
pub(crate) fn percent_decode(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// The node at `segments` below `value`, if there is one.
pub(crate) fn get<'v, S: AsRef<str>>(value: &'v Value, segments: &[S]) -> Option<&'v Value> {
    segments
        .iter()
        .try_fold(value, |node, segment| step(node, segment.as_ref()))
}

/// The node at `segments` below `value`, mutably.
pub(crate) fn get_mut<'v, S: AsRef<str>>(
    value: &'v mut Value,
    segments: &[S],
) -> Option<&'v mut Value> {
    let mut node = value;
    for segment in segments {
        let segment = segment.as_ref();
        node = match node {
            Value::Object(map) => map.get_mut(segment)?,
            Value::Array(items) => items.get_mut(index(segment)?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn step<'v>(node: &'v Value, segment: &str) -> Option<&'v Value> {
    match node {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => items.get(index(segment)?),
        _ => None,
    }
}

/// An array index token: digits without leading zeros.
fn index(segment: &str) -> Option<usize> {
    let well_formed = !segment.is_empty()
        && segment.bytes().all(|b| b.is_ascii_digit())
        && (segment == "0" || !segment.starts_with('0'));
    if well_formed {
        segment.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escaping_round_trips() {
        assert_eq!(escape("/pets/{id}"), "~1pets~1{id}");
        assert_eq!(escape("a~b"), "a~0b");
        assert_eq!(unescape("~1pets~1{id}"), "/pets/{id}");
        assert_eq!(unescape("~01"), "~1");
        let segs = ["paths", "/pets/{petId}", "get"];
        let p = to_pointer(&segs);
        assert_eq!(p, "#/paths/~1pets~1{petId}/get");
        assert_eq!(parse(&p).unwrap(), segs);
        assert_eq!(to_pointer::<&str>(&[]), "#");
        assert_eq!(parse("#").unwrap(), Vec::<String>::new());
        assert_eq!(parse("").unwrap(), Vec::<String>::new());
        assert_eq!(parse("#/").unwrap(), vec![String::new()]);
        assert!(parse("#foo").is_none());
        assert_eq!(child("#/a", "b/c"), "#/a/b~1c");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("~1pets~1%7BpetId%7D"), "~1pets~1{petId}");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
    }

    #[test]
    fn lookups() {
        let v = json!({"a": [{"b": 1}, 2], "": {"x~y": 3}});
        assert_eq!(get(&v, &["a", "0", "b"]), Some(&json!(1)));
        assert_eq!(get(&v, &["a", "01"]), None);
        assert_eq!(get(&v, &["a", "5"]), None);
        assert_eq!(get(&v, &["", "x~y"]), Some(&json!(3)));
        let mut v = v;
        *get_mut(&mut v, &["a", "1"]).unwrap() = json!(9);
        assert_eq!(v["a"][1], json!(9));
    }
}
