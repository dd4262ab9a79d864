//! `Serialize` for generated structs, without serde's derive (see [`super::de`] for why).
//!
//! A generated struct writes itself as a JSON object: each field under its property name,
//! optional fields only when set, then its `additional_properties`. The object is a serde
//! map of unknown length, which JSON (the only format generated types speak) does not
//! need up front; serde's internally tagged enums add their tag to it as to a struct.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// An object being written by a generated struct's `Serialize`.
#[derive(Debug)]
pub struct Object<M> {
    map: M,
}

impl<M: SerializeMap> Object<M> {
    /// Starts the object.
    pub fn start<S: Serializer<SerializeMap = M, Error = M::Error>>(
        serializer: S,
    ) -> Result<Self, M::Error> {
        Ok(Self {
            map: serializer.serialize_map(None)?,
        })
    }

    /// Writes a field that is always present (`null` when a nullable one is `None`).
    pub fn field<T: Serialize + ?Sized>(&mut self, wire: &str, value: &T) -> Result<(), M::Error> {
        self.map.serialize_entry(wire, value)
    }

    /// Writes an optional field when it is set.
    pub fn optional<T: Serialize>(
        &mut self,
        wire: &str,
        value: &Option<T>,
    ) -> Result<(), M::Error> {
        match value {
            Some(value) => self.map.serialize_entry(wire, value),
            None => Ok(()),
        }
    }

    /// Writes the properties not named in the schema.
    pub fn rest<T: Serialize>(&mut self, extra: &BTreeMap<String, T>) -> Result<(), M::Error> {
        extra
            .iter()
            .try_for_each(|(key, value)| self.map.serialize_entry(key, value))
    }

    /// Ends the object.
    pub fn end(self) -> Result<M::Ok, M::Error> {
        self.map.end()
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
            let mut o = Object::start(s)?;
            o.field("name", &self.name)?;
            o.optional("age", &self.age)?;
            o.field("owner", &self.owner)?;
            o.rest(&self.extra)?;
            o.end()
        }
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
