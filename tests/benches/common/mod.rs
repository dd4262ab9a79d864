//! The payloads, schemas and the two sides of the validator benchmarks (shared by
//! `validators.rs`, criterion, and `validators_cpu.rs`, CPU time interleaved).

#![allow(dead_code)]

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tollgate::__codegen::validate::check_bytes;
use tollgate::__codegen::{Bytes, Errors, Input, Ptr, Validator};
use tollgate::Location;
use tollgate_tests::bench_api;
use tollgate_tests::bench_api::types;

pub(crate) fn item(i: u64) -> Value {
    json!({
        "id": i + 1,
        "name": format!("item {i}"),
        "price": 19.99,
        "status": "available",
        "tags": ["red", "large"],
        "created": "2026-11-30T08:00:00Z"
    })
}

/// Four violations: `id` below its minimum, `name` off its pattern, `status` not in its
/// enum, and an unknown property.
pub(crate) fn bad_item() -> Value {
    json!({
        "id": 0,
        "name": "item #0!",
        "price": 19.99,
        "status": "lost",
        "tags": ["red", "large"],
        "created": "2026-11-30T08:00:00Z",
        "colour": "red"
    })
}

pub(crate) fn chain(depth: usize) -> Value {
    let mut node = json!({"name": "leaf", "value": 0});
    for level in 1..depth {
        node = json!({"name": format!("n{level}"), "value": level, "children": [node]});
    }
    node
}

/// The document `jsonschema` validates against: the fixture's components, with `$ref` to
/// the schema under test at the root.
pub(crate) fn jsonschema_for(component: &str) -> jsonschema::Validator {
    // The generated module carries the same document as JSON.
    let spec: Value = serde_json::from_str(bench_api::SPEC).expect("SPEC is JSON");
    let schema = json!({
        "$ref": format!("#/components/schemas/{component}"),
        "components": { "schemas": spec["components"]["schemas"].clone() },
    });
    jsonschema::draft4::new(&schema).expect("the fixture's schemas compile")
}

/// Tollgate's verdict: the number of violations (0: valid).
pub(crate) fn generated(bytes: &[u8], validator: Validator) -> usize {
    let mut errors = Errors::new(Location::Body);
    if check_bytes(bytes, validator, &Ptr::new(), &mut errors).is_err() {
        return usize::MAX;
    }
    errors.len()
}

/// The gateway's body path: parse, validate, deserialize into `T`.
pub(crate) fn typed<T: DeserializeOwned>(body: &Bytes, validator: Validator) -> (Option<T>, usize) {
    let mut errors = Errors::new(Location::Body);
    let typed = Input::with_body(body.clone()).json_body::<T>(true, Some(validator), &mut errors);
    (typed, errors.len())
}

pub(crate) fn external(bytes: &[u8], validator: &jsonschema::Validator) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return false;
    };
    validator.is_valid(&value)
}

pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) component: &'static str,
    pub(crate) payload: Value,
    pub(crate) validator: Validator,
    /// The violations tollgate reports (0: valid).
    pub(crate) violations: usize,
    /// The whole body path, deserializing into the generated type.
    pub(crate) typed: fn(&Bytes, Validator) -> usize,
}

pub(crate) fn typed_as<T: DeserializeOwned>(body: &Bytes, validator: Validator) -> usize {
    let (value, violations) = typed::<T>(body, validator);
    assert_eq!(value.is_some(), violations == 0);
    violations
}

/// The four cases: three valid payloads and an invalid one.
pub(crate) fn cases() -> [Case; 4] {
    [
        Case {
            name: "small object",
            component: "Item",
            payload: item(0),
            validator: bench_api::validate::item,
            violations: 0,
            typed: typed_as::<types::Item>,
        },
        Case {
            name: "1000-item array",
            component: "Batch",
            payload: json!({"items": (0..1000).map(item).collect::<Vec<_>>()}),
            validator: bench_api::validate::batch,
            violations: 0,
            typed: typed_as::<types::Batch>,
        },
        Case {
            name: "nested 50 deep",
            component: "Node",
            payload: chain(50),
            validator: bench_api::validate::node,
            violations: 0,
            typed: typed_as::<types::Node>,
        },
        Case {
            name: "invalid object",
            component: "Item",
            payload: bad_item(),
            validator: bench_api::validate::item,
            violations: 4,
            typed: typed_as::<types::Item>,
        },
    ]
}
