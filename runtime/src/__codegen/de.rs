//! Helpers for the `Deserialize` impls the generator writes for structs and string enums.
//!
//! These are `serde::Deserialize` impls (every field is read by its own type's
//! `Deserialize`), written by the generator instead of serde's derive: for each struct the
//! derive expands to a field enum, a field visitor, a map visitor and a sequence visitor,
//! about 15 KB of code per type after expansion and most of a large spec's compile time
//! (Stripe's 800 request types: 11.8 MB of the module's 44 MB after expansion). The
//! generated impl is one call to [`object`], whose map visitor is generic code here: it
//! reads each property straight into its typed slot (one pass, nothing buffered, borrowed
//! keys); string enums read through `FromStr`.
//! Generated code calls these after the request was validated, so the shorter error
//! messages never reach a client.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::de::{Error, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A property name, borrowed from the input when the deserializer allows it.
#[derive(Debug)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned (for `additional_properties`).
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a property name")
            }
            fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Skips the value of a property the type does not keep.
fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// Reads a string enum through its `FromStr`.
pub fn string_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err = String>,
{
    let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
    text.parse().map_err(D::Error::custom)
}

/// The fields of a generated struct, as its `Deserialize` reads them: a tuple of [`Req`]
/// and [`Opt`] slots, one per property in the order of the struct's property names, nested
/// in tuples of at most 12 (`((a, .., l), (m, ..))`).
///
/// The generated impl is one call, `object::<D, (Req<i64>, Opt<String>, ..), ()>(d, NAMES,
/// tag)`, and a struct literal: the map visitor, the key `match`, one slot per field and a
/// `?` per required field (what serde's derive writes, and what this crate wrote before)
/// are generic code here, checked once instead of once per type. On Stripe's 496
/// deserialized structs that was the largest part of the module's check time.
pub trait Fields<'de>: Sized {
    /// How many properties the slots hold.
    const LEN: usize;
    /// The values, once read: the field types, in the same tuple shape.
    type Out;
    /// Slots with nothing read yet.
    fn empty() -> Self;
    /// Reads the value of property `index` (below `LEN`) into its slot; a repeated property
    /// overwrites the earlier value, as serde does.
    fn read<A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error>;
    /// The values, or serde's "missing field" error for the first absent required property.
    /// `names` are the property names of these slots (`LEN` of them).
    fn finish<E: Error>(self, names: &[&'static str]) -> Result<Self::Out, E>;
}

/// The slot of a required property: its value, or an error when it is absent.
#[derive(Debug)]
pub struct Req<T>(Option<T>);

/// The slot of an optional property: absent and `null` are both `None`.
#[derive(Debug)]
pub struct Opt<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Fields<'de> for Req<T> {
    const LEN: usize = 1;
    type Out = T;
    fn empty() -> Self {
        Self(None)
    }
    fn read<A: MapAccess<'de>>(&mut self, _: usize, map: &mut A) -> Result<(), A::Error> {
        self.0 = Some(map.next_value()?);
        Ok(())
    }
    fn finish<E: Error>(self, names: &[&'static str]) -> Result<T, E> {
        self.0
            .ok_or_else(|| E::missing_field(names.first().copied().unwrap_or("?")))
    }
}

impl<'de, T: Deserialize<'de>> Fields<'de> for Opt<T> {
    const LEN: usize = 1;
    type Out = Option<T>;
    fn empty() -> Self {
        Self(None)
    }
    fn read<A: MapAccess<'de>>(&mut self, _: usize, map: &mut A) -> Result<(), A::Error> {
        self.0 = map.next_value()?;
        Ok(())
    }
    fn finish<E: Error>(self, _: &[&'static str]) -> Result<Option<T>, E> {
        Ok(self.0)
    }
}

/// `Fields` for a tuple of slots (or of nested tuples): `tuple_fields!((0, S0) (1, S1))`.
macro_rules! tuple_fields {
    ($(($index:tt, $slot:ident))+) => {
        impl<'de, $($slot: Fields<'de>),+> Fields<'de> for ($($slot,)+) {
            const LEN: usize = 0 $(+ $slot::LEN)+;
            type Out = ($($slot::Out,)+);
            fn empty() -> Self {
                ($($slot::empty(),)+)
            }
            #[allow(unused_assignments)] // the last slot's `start`
            fn read<M: MapAccess<'de>>(
                &mut self,
                index: usize,
                map: &mut M,
            ) -> Result<(), M::Error> {
                let mut start = 0;
                $(
                    if index < start + $slot::LEN {
                        return self.$index.read(index - start, map);
                    }
                    start += $slot::LEN;
                )+
                // Not reached: `object` passes indexes below `LEN`. Skipping keeps the
                // map readable all the same.
                skip(map)
            }
            #[allow(unused_assignments)]
            fn finish<E: Error>(self, names: &[&'static str]) -> Result<Self::Out, E> {
                let mut start = 0;
                Ok(($(
                    {
                        let own = names.get(start..).unwrap_or_default();
                        start += $slot::LEN;
                        self.$index.finish(own)?
                    },
                )+))
            }
        }
    };
}

impl<'de> Fields<'de> for () {
    const LEN: usize = 0;
    type Out = ();
    fn empty() -> Self {}
    fn read<A: MapAccess<'de>>(&mut self, _: usize, map: &mut A) -> Result<(), A::Error> {
        skip(map)
    }
    fn finish<E: Error>(self, _: &[&'static str]) -> Result<(), E> {
        Ok(())
    }
}

/// `Fields` for the tuples of every length up to the list's: `tuple_fields!` for each prefix.
macro_rules! tuple_fields_up_to {
    ([$($done:tt)*]) => {};
    ([$($done:tt)*] $next:tt $($rest:tt)*) => {
        tuple_fields!($($done)* $next);
        tuple_fields_up_to!([$($done)* $next] $($rest)*);
    };
}

#[rustfmt::skip]
tuple_fields_up_to!([] (0, S0) (1, S1) (2, S2) (3, S3) (4, S4) (5, S5) (6, S6) (7, S7) (8, S8)
    (9, S9) (10, S10) (11, S11));

/// Where the properties a struct does not name go: nowhere (`()`, skipped) or its
/// `additional_properties` map.
pub trait Rest<'de>: Default {
    /// Reads the value of property `key`, which the struct does not name.
    fn put<A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error>;
}

impl<'de> Rest<'de> for () {
    fn put<A: MapAccess<'de>>(&mut self, _: Key<'de>, map: &mut A) -> Result<(), A::Error> {
        skip(map)
    }
}

impl<'de, T: Deserialize<'de>> Rest<'de> for BTreeMap<String, T> {
    fn put<A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error> {
        self.insert(key.into_string(), map.next_value()?);
        Ok(())
    }
}

/// Reads a JSON object into the slots `F` (properties `names`, in slot order) and the rest
/// `R`; property `tag` (a tagged enum's discriminator, which the variant does not keep) is
/// skipped. The body of every generated struct's `Deserialize`.
pub fn object<'de, D, F, R>(
    deserializer: D,
    names: &'static [&'static str],
    tag: Option<&'static str>,
) -> Result<(F::Out, R), D::Error>
where
    D: Deserializer<'de>,
    F: Fields<'de>,
    R: Rest<'de>,
{
    deserializer.deserialize_map(ObjectVisitor::<F, R> {
        names,
        tag,
        slots: std::marker::PhantomData,
    })
}

/// The map visitor behind [`object`].
struct ObjectVisitor<F, R> {
    names: &'static [&'static str],
    tag: Option<&'static str>,
    slots: std::marker::PhantomData<fn() -> (F, R)>,
}

impl<'de, F: Fields<'de>, R: Rest<'de>> Visitor<'de> for ObjectVisitor<F, R> {
    type Value = (F::Out, R);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut slots = F::empty();
        let mut rest = R::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let name = key.as_str();
            match self.names.iter().position(|known| *known == name) {
                Some(index) => slots.read(index, &mut map)?,
                None if self.tag == Some(name) => skip(&mut map)?,
                None => rest.put(key, &mut map)?,
            }
        }
        Ok((slots.finish(self.names)?, rest))
    }
}

/// `FromStr` for a generated string enum: the variant at the position of `text` among
/// the enum's values as written in the spec (`wire`, in the order of `all`).
///
/// A one-line impl calling this replaces a `match` with an arm per value and a `format!`
/// per enum (Stripe: 411 enums, some with hundreds of values).
pub fn parse_enum<T: Copy>(text: &str, wire: &[&str], all: &[T]) -> Result<T, String> {
    wire.iter()
        .position(|value| *value == text)
        .and_then(|index| all.get(index).copied())
        .ok_or_else(|| format!("unknown value `{text}`"))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    /// What the generator writes for `{name (required), age, + additionalProperties}`.
    #[derive(Debug, PartialEq)]
    struct Pet {
        name: String,
        age: Option<i64>,
        extra: BTreeMap<String, Value>,
    }

    impl<'de> Deserialize<'de> for Pet {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let ((name, age), extra) = object::<D, (Req<String>, Opt<i64>), BTreeMap<_, _>>(
                d,
                &["name", "age"],
                Some("kind"),
            )?;
            Ok(Pet { name, age, extra })
        }
    }

    #[test]
    fn fields_are_read_absent_options_are_none_and_the_rest_is_kept() {
        let pet: Pet =
            serde_json::from_value(json!({"name": "Rex", "colour": "red", "kind": "dog"})).unwrap();
        assert_eq!(
            pet,
            Pet {
                name: "Rex".into(),
                age: None,
                extra: BTreeMap::from([("colour".into(), json!("red"))]),
            }
        );
        let from_text: Pet = serde_json::from_str(r#"{"name": "Rex", "age": 3}"#).unwrap();
        assert_eq!(from_text.age, Some(3));
        let null_age: Pet = serde_json::from_str(r#"{"name": "Rex", "age": null}"#).unwrap();
        assert_eq!(null_age.age, None);
    }

    #[test]
    fn missing_and_mistyped_fields_are_errors() {
        let missing = serde_json::from_value::<Pet>(json!({"age": 3})).unwrap_err();
        assert_eq!(missing.to_string(), "missing field `name`");
        let mistyped = serde_json::from_value::<Pet>(json!({"name": 5})).unwrap_err();
        assert!(
            mistyped.to_string().starts_with("invalid type"),
            "{mistyped}"
        );
        assert!(serde_json::from_value::<Pet>(json!([1])).is_err());
    }

    #[test]
    fn enums_parse_by_their_spec_values() {
        #[derive(Debug, Clone, Copy, PartialEq)]
        enum Size {
            Small,
            Large,
        }
        let wire = ["s", "large"];
        let all = [Size::Small, Size::Large];
        assert_eq!(parse_enum("s", &wire, &all), Ok(Size::Small));
        assert_eq!(parse_enum("large", &wire, &all), Ok(Size::Large));
        assert_eq!(
            parse_enum("Small", &wire, &all),
            Err("unknown value `Small`".to_string())
        );
    }

    #[test]
    fn nested_slots_read_by_position_and_name_the_missing_property() {
        type Slots = ((Req<i64>, Opt<i64>, Req<i64>), (Opt<String>, (Req<bool>,)));
        type Out = ((i64, Option<i64>, i64), (Option<String>, (bool,)));
        const NAMES: &[&str] = &["a", "b", "c", "d", "e"];
        let read = |value: Value| {
            object::<_, Slots, ()>(value, NAMES, None).map(|(out, ()): (Out, ())| out)
        };
        let all = read(json!({"e": true, "d": "x", "c": 3, "b": null, "a": 1, "a2": 0}));
        assert_eq!(all.unwrap(), ((1, None, 3), (Some("x".into()), (true,))));
        let mut repeated = serde_json::Deserializer::from_str(r#"{"a":1,"c":3,"e":true,"a":2}"#);
        let ((last, _, _), _) = object::<_, Slots, ()>(&mut repeated, NAMES, None)
            .unwrap()
            .0;
        assert_eq!(last, 2);
        let missing = read(json!({"a": 1, "c": 3})).unwrap_err();
        assert_eq!(missing.to_string(), "missing field `e`");
        let missing = read(json!({"a": 1, "e": false})).unwrap_err();
        assert_eq!(missing.to_string(), "missing field `c`");
        let empty = object::<_, (), ()>(json!({"x": 1}), &[], None);
        assert!(empty.is_ok());
    }
}
