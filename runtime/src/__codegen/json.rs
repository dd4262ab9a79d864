//! A JSON value borrowed from the text it was read from: what `enum` and `uniqueItems`
//! compare (whole values), read by the scanner (`scan.rs`) from the part of a body they
//! apply to. Strings and keys without escapes are slices of the text ([`Cow::Borrowed`]);
//! an object is a vector of members in document order. Duplicate keys keep the first
//! position and the last value, as `serde_json::Map` (with `preserve_order`) does. Values
//! that arrive as a `serde_json::Value` (a non-string `enum` list of the spec) are viewed
//! with [`Json::from_value`], which borrows their strings.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Number, Value};

/// The members of an object, in document order.
pub(super) type Members<'a> = Vec<(Cow<'a, str>, Json<'a>)>;

/// A JSON value whose strings borrow from the text it was parsed from (or from the
/// `serde_json::Value` it views) where they can.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as `serde_json` represents it.
    Number(Number),
    /// A string: borrowed unless it contained escapes.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object: its members in document order, keys unique.
    Object(Members<'a>),
}

impl<'a> Json<'a> {
    /// A view of a `serde_json::Value` (strings borrowed, containers rebuilt).
    pub fn from_value(value: &'a Value) -> Self {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(Cow::Borrowed(s)),
            Value::Array(items) => Json::Array(items.iter().map(Json::from_value).collect()),
            Value::Object(members) => Json::Object(
                members
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members of an object.
    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Json<'a>)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }
}

/// Objects up to this many members find duplicate keys by a filtered scan, larger ones by
/// a map (see [`Keys`]).
const SCAN_MEMBERS: usize = 16;

/// What an object being parsed knows of its keys, to find duplicates cheaply: a 64-bit
/// filter of (length, first and last byte) that only sends a key to a scan of the earlier
/// ones when another key may be equal, and past [`SCAN_MEMBERS`] members a key map (a
/// scan per key would make a huge object quadratic).
#[derive(Default)]
pub(super) struct Keys<'a> {
    filter: u64,
    index: Option<HashMap<Cow<'a, str>, usize>>,
}

fn filter_bit(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let (first, last) = match bytes {
        [] => (0, 0),
        [first, .., last] => (*first, *last),
        [only] => (*only, *only),
    };
    let hash = bytes
        .len()
        .wrapping_mul(31)
        .wrapping_add(usize::from(first).wrapping_mul(7))
        .wrapping_add(usize::from(last));
    1 << (hash % 64)
}

/// Adds a member to the object whose members start at `start` of the stack `members`: a
/// key seen before keeps its place and takes the new value (as `serde_json::Map` does).
pub(super) fn push_member<'a>(
    members: &mut Members<'a>,
    start: usize,
    keys: &mut Keys<'a>,
    key: Cow<'a, str>,
    value: Json<'a>,
) {
    let earlier = match &keys.index {
        Some(index) => index.get(&key).copied(),
        None => {
            let bit = filter_bit(&key);
            let seen = keys.filter & bit != 0;
            keys.filter |= bit;
            seen.then(|| {
                members[start..]
                    .iter()
                    .position(|(k, _)| *k == key)
                    .map(|at| start + at)
            })
            .flatten()
        }
    };
    if let Some(at) = earlier {
        members[at].1 = value;
        return;
    }
    if let Some(index) = &mut keys.index {
        index.insert(key.clone(), members.len());
    }
    members.push((key, value));
    if keys.index.is_none() && members.len() - start > SCAN_MEMBERS {
        keys.index = Some(
            members
                .iter()
                .enumerate()
                .skip(start)
                .map(|(i, (k, _))| (k.clone(), i))
                .collect(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan::scan;
    use super::*;

    #[test]
    fn strings_without_escapes_borrow_from_the_text() {
        let text = br#"{"name": "Rex", "say": "a\"b", "n": [1, -2, 2.5, null, true]}"#;
        let json = scan(std::str::from_utf8(text).unwrap()).unwrap();
        let members = json.as_object().unwrap();
        assert!(matches!(members[0].0, Cow::Borrowed("name")));
        assert!(matches!(members[0].1, Json::String(Cow::Borrowed("Rex"))));
        assert!(matches!(&members[1].1, Json::String(Cow::Owned(s)) if s == "a\"b"));
        let value: Value = serde_json::from_slice(text).unwrap();
        assert_eq!(json, Json::from_value(&value));
    }

    #[test]
    fn duplicate_keys_keep_first_place_and_last_value_as_value_does() {
        for n in [3, 12, SCAN_MEMBERS + 5] {
            let mut text = String::from("{");
            for i in 0..n {
                text.push_str(&format!("\"k{i}\": {i}, "));
            }
            text.push_str("\"k1\": \"again\", \"k0\": null}");
            let json = scan(&text).unwrap();
            let value: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(json, Json::from_value(&value), "{n} members");
            assert_eq!(json.as_object().unwrap().len(), n);
        }
    }
}
