//! A JSON document borrowed from the request bytes: what generated validators walk.
//!
//! Parsing a body into a `serde_json::Value` costs one allocation per string and per
//! object key, plus a map per object; that cost dominated validation (issue 4). [`Json`]
//! is parsed by the same `serde_json` parser (same grammar, same recursion limit, same
//! error messages with line and column) through serde's borrowed deserialization: strings
//! and keys without escapes are slices of the request bytes ([`Cow::Borrowed`]), objects
//! are a vector of members in document order, so a container costs one allocation and a
//! string none. Duplicate keys keep the first position and the last value, as
//! `serde_json::Map` (with `preserve_order`) does, so violations come out in the same order.
//!
//! The typed request is deserialized from the tree (`&Json` is a [`Deserializer`] that
//! behaves as `serde_json::Value`'s: same visits, same error texts), so the bytes are
//! parsed once. Values that arrive as a `serde_json::Value` (parameters, form and multipart
//! bodies, responses, `validate()` of generated types) are viewed as a `Json` with
//! [`Json::from_value`], which borrows their strings.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde::Deserialize;
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
    /// Parses JSON text (the `serde_json` parser: its syntax errors, with line and column).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, serde_json::Error> {
        // Text checked as UTF-8 once, in bulk, is read by the scanner; what it leaves
        // (errors among it) goes through `serde_json` (the text parser spares a UTF-8 check
        // per string; the byte parser reports where invalid UTF-8 breaks).
        match std::str::from_utf8(bytes) {
            Ok(text) => match super::scan::scan(text) {
                Some(json) => Ok(json),
                None => serde_json::from_str(text),
            },
            Err(_) => serde_json::from_slice(bytes),
        }
    }

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

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
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

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.as_object()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// What serde's errors call this value (as `serde_json::Value` does).
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Json::Null => Unexpected::Unit,
            Json::Bool(b) => Unexpected::Bool(*b),
            Json::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => Unexpected::Unsigned(u),
                (_, Some(i), _) => Unexpected::Signed(i),
                (_, _, f) => Unexpected::Float(f.unwrap_or(f64::NAN)),
            },
            Json::String(s) => Unexpected::Str(s),
            Json::Array(_) => Unexpected::Seq,
            Json::Object(_) => Unexpected::Map,
        }
    }
}

// ---- Parsing: serde's borrowed deserialization -----------------------------------------
//
// Items and members are first pushed onto two scratch stacks shared by the whole parse and
// moved into an exactly sized vector when their container closes: one allocation per
// container, none for growth.

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Seed(&mut Scratch::default()).deserialize(deserializer)
    }
}

/// The stacks of items and members of the containers being parsed.
#[derive(Default)]
struct Scratch<'de> {
    items: Vec<Json<'de>>,
    members: Members<'de>,
}

struct Seed<'s, 'de>(&'s mut Scratch<'de>);

impl<'de> DeserializeSeed<'de> for Seed<'_, 'de> {
    type Value = Json<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Objects up to this many members find duplicate keys by a filtered scan, larger ones by
/// a map (see [`Keys`]).
const SCAN_MEMBERS: usize = 16;

impl<'de> Visitor<'de> for Seed<'_, 'de> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(i.into()))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(u.into()))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Json<'de>, E> {
        // The parser never yields a non-finite number; `serde_json::Value` maps one to null.
        Ok(Number::from_f64(f).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s)))
    }

    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        Seed(self.0).deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let scratch = self.0;
        let start = scratch.items.len();
        while let Some(item) = seq.next_element_seed(Seed(scratch))? {
            scratch.items.push(item);
        }
        Ok(Json::Array(scratch.items.drain(start..).collect()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let scratch = self.0;
        let start = scratch.members.len();
        let mut keys = Keys::default();
        while let Some(Key(key)) = map.next_key()? {
            let value = map.next_value_seed(Seed(scratch))?;
            push_member(&mut scratch.members, start, &mut keys, key, value);
        }
        Ok(Json::Object(scratch.members.drain(start..).collect()))
    }
}

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

/// An object key, borrowed when the parser can lend it (`Cow<str>`'s own `Deserialize`
/// always copies).
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s)))
    }
}

// ---- Typed deserialization from the tree ----------------------------------------------
//
// Mirrors `serde_json`'s `Deserializer for Value` (same visits for each value, same
// errors), so a type deserializes from a `Json` exactly as it did from a `Value`.

type Error = serde_json::Error;

impl<'de, 'a: 'de> Deserializer<'de> for &'de Json<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(*b),
            Json::Number(n) => n.clone().deserialize_any(visitor),
            Json::String(s) => visitor.visit_borrowed_str(s),
            Json::Array(items) => {
                let mut seq = Seq(items.iter());
                let value = visitor.visit_seq(&mut seq)?;
                match seq.0.len() {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(
                        items.len(),
                        &"fewer elements in array",
                    )),
                }
            }
            Json::Object(members) => {
                let mut map = Map {
                    members: members.iter(),
                    value: None,
                };
                let value = visitor.visit_map(&mut map)?;
                match map.members.len() {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(
                        members.len(),
                        &"fewer elements in map",
                    )),
                }
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Json::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Json::Null => visitor.visit_unit(),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Json::String(variant) => visitor.visit_enum(Enum {
                variant,
                value: None,
            }),
            Json::Object(members) => match members.as_slice() {
                [(variant, value)] => visitor.visit_enum(Enum {
                    variant,
                    value: Some(value),
                }),
                _ => Err(de::Error::invalid_value(
                    Unexpected::Map,
                    &"map with a single key",
                )),
            },
            other => Err(de::Error::invalid_type(
                other.unexpected(),
                &"string or map",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        seq tuple tuple_struct map struct identifier
    }
}

struct Seq<'de, 'a>(std::slice::Iter<'de, Json<'a>>);

impl<'de, 'a: 'de> SeqAccess<'de> for Seq<'de, 'a> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Map<'de, 'a> {
    members: std::slice::Iter<'de, (Cow<'a, str>, Json<'a>)>,
    value: Option<&'de Json<'a>>,
}

impl<'de, 'a: 'de> MapAccess<'de> for Map<'de, 'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.members.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let key: &'de str = key;
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(value),
            None => Err(de::Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

struct Enum<'de, 'a> {
    variant: &'de str,
    value: Option<&'de Json<'a>>,
}

impl<'de, 'a: 'de> EnumAccess<'de> for Enum<'de, 'a> {
    type Error = Error;
    type Variant = Variant<'de, 'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Variant<'de, 'a>), Error> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, Variant(self.value)))
    }
}

struct Variant<'de, 'a>(Option<&'de Json<'a>>);

impl<'de, 'a: 'de> VariantAccess<'de> for Variant<'de, 'a> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.0 {
            None => Ok(()),
            Some(value) => Deserialize::deserialize(value),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        match self.0 {
            Some(value) => seed.deserialize(value),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Some(value @ Json::Array(_)) => value.deserialize_any(visitor),
            Some(other) => Err(de::Error::invalid_type(
                other.unexpected(),
                &"tuple variant",
            )),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Some(value @ Json::Object(_)) => value.deserialize_any(visitor),
            Some(other) => Err(de::Error::invalid_type(
                other.unexpected(),
                &"struct variant",
            )),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_without_escapes_borrow_from_the_text() {
        let text = br#"{"name": "Rex", "say": "a\"b", "n": [1, -2, 2.5, null, true]}"#;
        let json = Json::parse(text).unwrap();
        assert_eq!(json, serde_json::from_slice::<Json>(text).unwrap());
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
            let json = Json::parse(text.as_bytes()).unwrap();
            let value: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(json, Json::from_value(&value), "{n} members");
            let by_serde: Json = serde_json::from_str(&text).unwrap();
            assert_eq!(by_serde, json, "{n} members");
            assert_eq!(json.as_object().unwrap().len(), n);
        }
    }

    #[test]
    fn syntax_errors_are_serde_json_s() {
        let texts: [&[u8]; 4] = [
            b"{\n  \"a\": }",
            b"{\"a\": \"\xff\"}",
            b"[1, 2,\n \"\xc3\"]",
            b"{\"a\": [1 2]}",
        ];
        for text in texts {
            let ours = Json::parse(text).unwrap_err();
            let theirs = serde_json::from_slice::<Value>(text).unwrap_err();
            assert_eq!(ours.to_string(), theirs.to_string());
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Cat,
        Dog(u8),
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Pet {
        name: String,
        age: Option<u32>,
        kinds: Vec<Kind>,
        extra: Value,
        #[serde(default)]
        unit: (),
    }

    /// Typed deserialization from the tree gives what it gives from a `Value`: the same
    /// result, or the same error text.
    #[test]
    fn deserializes_as_value_does() {
        for text in [
            r#"{"name": "Rex", "age": 3, "kinds": ["cat", {"dog": 2}], "extra": {"a": [1.5]}}"#,
            r#"{"name": "Rex", "age": null, "kinds": [], "extra": null}"#,
            r#"{"name": 1, "kinds": [], "extra": 1}"#,
            r#"{"name": "Rex", "age": -1, "kinds": [], "extra": 1}"#,
            r#"{"name": "Rex", "age": 5000000000, "kinds": [], "extra": 1}"#,
            r#"{"name": "Rex", "kinds": ["cow"], "extra": 1}"#,
            r#"{"name": "Rex", "kinds": [{"dog": 2, "cat": 1}], "extra": 1}"#,
            r#"{"name": "Rex", "kinds": [3], "extra": 1}"#,
            r#"{"name": "Rex", "kinds": [], "extra": 1, "unit": 2}"#,
            r#"{"name": "Rex", "kinds": {}}"#,
            r#"["Rex", 1, [], 2]"#,
            r#"["Rex", 1, [], 2, null, 9]"#,
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            let json = Json::parse(text.as_bytes()).unwrap();
            let from_value = serde_path_to_error::deserialize::<_, Pet>(value.clone())
                .map_err(|e| (e.path().to_string(), e.into_inner().to_string()));
            let from_json = serde_path_to_error::deserialize::<_, Pet>(&json)
                .map_err(|e| (e.path().to_string(), e.into_inner().to_string()));
            assert_eq!(from_json, from_value, "{text}");
        }
    }
}
