//! Support for the generated `Mock` implementation.

use serde::de::DeserializeOwned;

/// Deserializes a value the generator synthesised from the schema (and checked against it at
/// generation time). A failure here is a generator bug, reported with the type and the JSON.
pub fn mock_value<T: DeserializeOwned>(json: &'static str) -> T {
    match serde_json::from_str(json) {
        Ok(value) => value,
        Err(err) => panic!(
            "tollgate generator bug: mock value for `{}` does not deserialize ({err}): {json}",
            std::any::type_name::<T>()
        ),
    }
}
