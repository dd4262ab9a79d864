//! Generated validators against the `jsonschema` crate, on the same schemas and the same
//! request bytes.
//!
//! Each side does what it needs to reach a verdict from the bytes: `jsonschema` parses them
//! into a `serde_json::Value` (the input its API takes) and calls `is_valid`; tollgate
//! runs the generated validator on the bytes (it reads them with the runtime's cursor, as
//! the gateway's body path does, building no tree), collecting every violation with its
//! JSON pointer. An extra row, `tollgate+typed`, is the gateway's whole body path
//! (`Input::json_body`: validate, then deserialize into the generated type).
//!
//! Schemas come from `fixtures/bench.yaml` (`Item`, `Batch`, `Node`); `jsonschema` gets the
//! same document (its `$ref`s resolve inside it) with draft 4 semantics, as OpenAPI 3.0
//! defines them. Payloads: one small object, a batch of 1,000 objects, a chain of nodes
//! 50 levels deep (100 levels of JSON nesting: serde_json refuses more than 128), and an
//! invalid small object with four violations (the 400 path: tollgate reports all four,
//! `jsonschema::is_valid` stops at the first). Run with
//! `cargo bench -p tollgate-tests --bench validators`; the README's validation section
//! reports the ratios.

mod common;

use common::{external, generated, jsonschema_for, Case};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tollgate::__codegen::Bytes;

fn validators(c: &mut Criterion) {
    let cases = common::cases();
    let mut group = c.benchmark_group("validate");
    for case in cases {
        let Case {
            name, validator, ..
        } = case;
        let bytes = Bytes::from(serde_json::to_vec(&case.payload).expect("payload serialises"));
        let other = jsonschema_for(case.component);
        assert_eq!(
            generated(&bytes, validator),
            case.violations,
            "{name}: tollgate"
        );
        assert_eq!(
            (case.typed)(&bytes, validator),
            case.violations,
            "{name}: typed"
        );
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
