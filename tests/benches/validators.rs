//! Generated validators against the `jsonschema` crate, on the same schemas and the same
//! request bytes: each side parses the bytes into a `serde_json::Value` and validates it.
//!
//! Schemas come from `fixtures/bench.yaml` (`Item`, `Batch`, `Node`); `jsonschema` gets the
//! same document (its `$ref`s resolve inside it) with draft 4 semantics, as OpenAPI 3.0
//! defines them. Payloads: one small object, a batch of 1,000 objects, and a chain of nodes
//! 50 levels deep (100 levels of JSON nesting: serde_json refuses more than 128). Run
//! with `cargo bench -p tollgate-tests --bench validators`; the README's validation
//! section reports the ratios.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::{json, Value};
use tollgate::__codegen::{Errors, Ptr, Validator};
use tollgate::Location;
use tollgate_tests::bench_api;

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

fn generated(bytes: &[u8], validator: Validator) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return false;
    };
    let mut errors = Errors::new(Location::Body);
    validator(&value, &mut Ptr::new(), &mut errors);
    errors.is_empty()
}

fn external(bytes: &[u8], validator: &jsonschema::Validator) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return false;
    };
    validator.is_valid(&value)
}

fn validators(c: &mut Criterion) {
    let cases: [(&str, &str, Value, Validator); 3] = [
        ("small object", "Item", item(0), bench_api::validate::item),
        (
            "1000-item array",
            "Batch",
            json!({"items": (0..1000).map(item).collect::<Vec<_>>()}),
            bench_api::validate::batch,
        ),
        (
            "nested 50 deep",
            "Node",
            chain(50),
            bench_api::validate::node,
        ),
    ];
    let mut group = c.benchmark_group("validate");
    for (name, component, payload, validator) in cases {
        let bytes = serde_json::to_vec(&payload).expect("payload serialises");
        let other = jsonschema_for(component);
        assert!(
            generated(&bytes, validator),
            "{name}: generated validator refuses the payload"
        );
        assert!(
            external(&bytes, &other),
            "{name}: jsonschema refuses the payload"
        );
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("tollgate", name), &bytes, |b, bytes| {
            b.iter(|| generated(bytes, validator))
        });
        group.bench_with_input(BenchmarkId::new("jsonschema", name), &bytes, |b, bytes| {
            b.iter(|| external(bytes, &other))
        });
    }
    group.finish();
}

criterion_group!(benches, validators);
criterion_main!(benches);
