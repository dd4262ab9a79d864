//! Generated validators against the `jsonschema` crate, on the same schemas and the same
//! request bytes.
//!
//! Each side does what it needs to reach a verdict from the bytes: `jsonschema` parses them
//! into a `serde_json::Value` (the input its API takes) and calls `is_valid`; tollgate
//! parses them into its borrowed tree (`__codegen::Json`, what the gateway's body path
//! parses into) and runs the generated validator, collecting every violation with its
//! JSON pointer. An extra row, `tollgate+typed`, is the gateway's whole body path
//! (`Input::json_body`: parse, validate, deserialize into the generated type).
//!
//! Schemas come from `fixtures/bench.yaml` (`Item`, `Batch`, `Node`); `jsonschema` gets the
//! same document (its `$ref`s resolve inside it) with draft 4 semantics, as OpenAPI 3.0
//! defines them. Payloads: one small object, a batch of 1,000 objects, a chain of nodes
//! 50 levels deep (100 levels of JSON nesting: serde_json refuses more than 128), and an
//! invalid small object with four violations (the 400 path: tollgate reports all four,
//! `jsonschema::is_valid` stops at the first). Run with
//! `cargo bench -p tollgate-tests --bench validators`; the README's validation section
//! reports the ratios.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tollgate::__codegen::{Bytes, Errors, Input, Json, Ptr, Validator};
use tollgate::Location;
use tollgate_tests::bench_api;
use tollgate_tests::bench_api::types;

fn item(i: u64) -> Value {
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
fn bad_item() -> Value {
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

fn chain(depth: usize) -> Value {
    let mut node = json!({"name": "leaf", "value": 0});
    for level in 1..depth {
        node = json!({"name": format!("n{level}"), "value": level, "children": [node]});
    }
    node
}

/// The document `jsonschema` validates against: the fixture's components, with `$ref` to
/// the schema under test at the root.
fn jsonschema_for(component: &str) -> jsonschema::Validator {
    // The generated module carries the same document as JSON.
    let spec: Value = serde_json::from_str(bench_api::SPEC).expect("SPEC is JSON");
    let schema = json!({
        "$ref": format!("#/components/schemas/{component}"),
        "components": { "schemas": spec["components"]["schemas"].clone() },
    });
    jsonschema::draft4::new(&schema).expect("the fixture's schemas compile")
}

/// Tollgate's verdict: the number of violations (0: valid).
fn generated(bytes: &[u8], validator: Validator) -> usize {
    let Ok(value) = Json::parse(bytes) else {
        return usize::MAX;
    };
    let mut errors = Errors::new(Location::Body);
    validator(&value, &Ptr::new(), &mut errors);
    errors.len()
}

/// The gateway's body path: parse, validate, deserialize into `T`.
fn typed<T: DeserializeOwned>(body: &Bytes, validator: Validator) -> (Option<T>, usize) {
    let mut errors = Errors::new(Location::Body);
    let typed = Input::with_body(body.clone()).json_body::<T>(true, Some(validator), &mut errors);
    (typed, errors.len())
}

fn external(bytes: &[u8], validator: &jsonschema::Validator) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return false;
    };
    validator.is_valid(&value)
}

struct Case {
    name: &'static str,
    component: &'static str,
    payload: Value,
    validator: Validator,
    /// The violations tollgate reports (0: valid).
    violations: usize,
    /// The whole body path, deserializing into the generated type.
    typed: fn(&Bytes, Validator) -> usize,
}

fn typed_as<T: DeserializeOwned>(body: &Bytes, validator: Validator) -> usize {
    let (value, violations) = typed::<T>(body, validator);
    assert_eq!(value.is_some(), violations == 0);
    violations
}

fn validators(c: &mut Criterion) {
    let cases = [
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
    ];
    let mut group = c.benchmark_group("validate");
    for case in cases {
        let Case {
            name, validator, ..
        } = case;
        let bytes = Bytes::from(serde_json::to_vec(&case.payload).expect("payload serialises"));
        let other = jsonschema_for(case.component);
        assert_eq!(generated(&bytes, validator), case.violations, "{name}: tollgate");
        assert_eq!((case.typed)(&bytes, validator), case.violations, "{name}: typed");
        assert_eq!(
            external(&bytes, &other),
            case.violations == 0,
            "{name}: jsonschema"
        );
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("tollgate", name), &bytes, |b, bytes| {
            b.iter(|| generated(bytes, validator))
        });
        group.bench_with_input(BenchmarkId::new("jsonschema", name), &bytes, |b, bytes| {
            b.iter(|| external(bytes, &other))
        });
        group.bench_with_input(
            BenchmarkId::new("tollgate+typed", name),
            &bytes,
            |b, bytes| b.iter(|| (case.typed)(bytes, validator)),
        );
    }
    group.finish();
}

criterion_group!(benches, validators);
criterion_main!(benches);
