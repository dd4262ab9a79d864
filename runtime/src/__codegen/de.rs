//! `Deserialize` for generated structs and string enums, without serde's derive.
//!
//! Not a replacement of serde (these are `serde::Deserialize` impls, and every field is
//! read by its own type's `Deserialize`), only of the derive's expansion: for each struct
//! the derive writes a field enum, a field visitor, a map visitor and a sequence visitor
//! — about 15 KB of code per type after expansion, and most of a large spec's compile
//! time (Stripe's 800 request types: 11.8 MB of the module's 44 MB after expansion). A
//! generated struct instead reads a JSON object and takes each field out of it; the
//! generic work lives here, written once. Generated code calls these after the request's
//! JSON was validated, so the shorter error messages never reach a client.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// A JSON object whose fields a generated struct takes one by one; `E` is the error type
/// of the deserializer it came from.
#[derive(Debug)]
pub struct Object<E> {
    fields: Map<String, Value>,
    error: PhantomData<E>,
}

impl<E: Error> Object<E> {
    /// Reads an object (serde also accepts what deserializes as a map).
    pub fn read<'de, D: Deserializer<'de, Error = E>>(deserializer: D) -> Result<Self, E> {
        Ok(Self {
            fields: Map::deserialize(deserializer)?,
            error: PhantomData,
        })
    }

    /// Takes the property `wire` as a `T`. An absent property reads as `null`, so an
    /// `Option` field becomes `None`; any other type reports it missing.
    pub fn field<T: DeserializeOwned>(&mut self, wire: &'static str) -> Result<T, E> {
        match self.fields.remove(wire) {
            Some(value) => T::deserialize(value).map_err(|err| field_error(wire, err)),
            None => T::deserialize(Value::Null).map_err(|_| E::missing_field(wire)),
        }
    }

    /// Ignores the property `wire` (a tagged enum's tag, which is not a field).
    pub fn skip(&mut self, wire: &'static str) {
        self.fields.remove(wire);
    }

    /// The properties no field took, for a struct's flattened `additional_properties`.
    pub fn rest<T: DeserializeOwned>(self) -> Result<BTreeMap<String, T>, E> {
        self.fields
            .into_iter()
            .map(|(key, value)| match T::deserialize(value) {
                Ok(v) => Ok((key, v)),
                Err(err) => Err(field_error(&key, err)),
            })
            .collect()
    }
}

fn field_error<E: Error>(wire: &str, err: impl Display) -> E {
    E::custom(format_args!("property `{wire}`: {err}"))
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug, PartialEq)]
    struct Pet {
        name: String,
        age: Option<i64>,
        extra: BTreeMap<String, Value>,
    }

    impl<'de> Deserialize<'de> for Pet {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let mut o = Object::<D::Error>::read(d)?;
            Ok(Self {
                name: o.field("name")?,
                age: o.field("age")?,
                extra: o.rest()?,
            })
        }
    }

    #[test]
    fn fields_are_taken_absent_options_are_none_and_the_rest_is_kept() {
        let pet: Pet = serde_json::from_value(json!({"name": "Rex", "colour": "red"})).unwrap();
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
    }

    #[test]
    fn missing_and_mistyped_fields_are_errors() {
        let missing = serde_json::from_value::<Pet>(json!({"age": 3})).unwrap_err();
        assert_eq!(missing.to_string(), "missing field `name`");
        let mistyped = serde_json::from_value::<Pet>(json!({"name": 5})).unwrap_err();
        assert!(
            mistyped
                .to_string()
                .starts_with("property `name`: invalid type"),
            "{mistyped}"
        );
        assert!(serde_json::from_value::<Pet>(json!([1])).is_err());
    }
}
