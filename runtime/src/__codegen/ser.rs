//! `Serialize` for generated structs, without serde's derive (see [`super::de`] for why).
//!
//! A generated struct writes itself as a JSON object: each field under its property name,
//! optional fields only when set, then its `additional_properties`. The object is a serde
//! map of unknown length, which JSON (the only format generated types speak) does not
//! need up front; serde's internally tagged enums add their tag to it as to a struct.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// An object being written by a generated struct's `Serialize`: one chained call per
/// field, the first error kept and returned by [`end`](Self::end). A chain of plain method
/// calls is what the compiler checks fastest: no `?` (a `match` and a `From` conversion
/// each) per field, which on Stripe's 2,047 types was most of `Serialize`'s check time.
#[derive(Debug)]
pub struct Object<M: SerializeMap> {
    map: Result<M, M::Error>,
}

impl<M: SerializeMap> Object<M> {
    /// Starts the object.
    pub fn start<S: Serializer<SerializeMap = M, Error = M::Error>>(serializer: S) -> Self {
        Self {
            map: serializer.serialize_map(None),
        }
    }

    /// Writes a field that is always present (`null` when a nullable one is `None`),
    /// unless an earlier entry failed.
    pub fn field<T: Serialize + ?Sized>(mut self, wire: &str, value: &T) -> Self {
        if let Ok(map) = &mut self.map {
            if let Err(error) = map.serialize_entry(wire, value) {
                self.map = Err(error);
            }
        }
        self
    }

    /// Writes an optional field when it is set.
    pub fn optional<T: Serialize>(self, wire: &str, value: &Option<T>) -> Self {
        match value {
            Some(value) => self.field(wire, value),
            None => self,
        }
    }

    /// Writes the properties not named in the schema.
    pub fn rest<T: Serialize>(self, extra: &BTreeMap<String, T>) -> Self {
        extra
            .iter()
            .fold(self, |object, (key, value)| object.field(key, value))
    }

    /// Ends the object, or returns the first error.
    pub fn end(self) -> Result<M::Ok, M::Error> {
        self.map?.end()
    }
}

/// `Debug` for a generated struct: its name, then its JSON (pretty with `{:#?}`).
///
/// A one-line impl calling this replaces `#[derive(Debug)]`, whose per-field expansion
/// was a tenth of a large spec's check time (Stripe: 1.3 s of 2,047 types). The JSON is
/// the value as it travels, wire names included, which is what one debugs a gateway with.
pub fn debug<T: Serialize + ?Sized>(
    value: &T,
    name: &str,
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    let json = if f.alternate() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    f.write_str(name)?;
    f.write_str(" ")?;
    match json {
        Ok(json) => f.write_str(&json),
        // Not reached for generated types (string keys, JSON values); said rather than hidden.
        Err(error) => write!(f, "<not serializable: {error}>"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    struct Pet {
        name: String,
        age: Option<i64>,
        owner: Option<String>,
        extra: BTreeMap<String, i64>,
    }

    impl Serialize for Pet {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            Object::start(s)
                .field("name", &self.name)
                .optional("age", &self.age)
                .field("owner", &self.owner)
                .rest(&self.extra)
                .end()
        }
    }

    #[test]
    fn debug_is_the_name_and_the_json() {
        struct Shown(Pet);
        impl std::fmt::Debug for Shown {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                debug(&self.0, "Pet", f)
            }
        }
        let pet = Shown(Pet {
            name: "Rex \"the dog\"".into(),
            age: Some(3),
            owner: None,
            extra: BTreeMap::new(),
        });
        assert_eq!(
            format!("{pet:?}"),
            r#"Pet {"name":"Rex \"the dog\"","age":3,"owner":null}"#
        );
        assert_eq!(
            format!("{pet:#?}"),
            "Pet {\n  \"name\": \"Rex \\\"the dog\\\"\",\n  \"age\": 3,\n  \"owner\": null\n}"
        );
    }

    #[test]
    fn fields_unset_options_and_the_rest() {
        let pet = Pet {
            name: "Rex".into(),
            age: None,
            owner: None,
            extra: BTreeMap::from([("legs".into(), 4)]),
        };
        assert_eq!(
            serde_json::to_string(&pet).unwrap(),
            r#"{"name":"Rex","owner":null,"legs":4}"#
        );
        let aged = Pet {
            age: Some(3),
            extra: BTreeMap::new(),
            ..pet
        };
        assert_eq!(
            serde_json::to_value(&aged).unwrap(),
            json!({"name": "Rex", "age": 3, "owner": null})
        );
    }
}
