//! Generation benchmarks: `cargo bench -p tollgate-codegen --bench generate`.
//!
//! - `generate/stripe.com.json`: the largest spec of the corpus (`../shared/corpus/specs`
//!   beside the checkout; skipped with a message when it is not there);
//! - `generate/synthetic N operations`: one resource shape repeated (like the one
//!   `benches/gen-scaling.py` uses), for N = 500 and 2,000, so the cost per operation can be
//!   compared across sizes (criterion reports operations per second: linear growth keeps it
//!   flat).
//!
//! Each iteration is one whole generation from the spec's text: load, lower, emit and
//! format. It allocates with mimalloc, as `tollgate gen` does; a build script allocates
//! with its own program's allocator (glibc's by default, markedly slower here: see the
//! README, "How fast `gen` is").

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Map, Value};
use tollgate_codegen::{Generator, Settings};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An OpenAPI 3.0 document with `operations` operations (two per resource) and three
/// schemas per resource, each with bounds, enums, formats and required properties.
fn synthetic(operations: usize) -> String {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    schemas.insert(
        "Problem".into(),
        json!({"type": "object", "required": ["title"], "properties": {
            "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"}}}),
    );
    for i in 0..operations / 2 {
        let resource = json!({"$ref": format!("#/components/schemas/Resource{i}")});
        let problem = json!({"$ref": "#/components/schemas/Problem"});
        paths.insert(
            format!("/resources{i}/{{id}}"),
            json!({"get": {
                "operationId": format!("getResource{i}"),
                "parameters": [
                    {"name": "id", "in": "path", "required": true,
                     "schema": {"type": "string", "format": "uuid"}},
                    {"name": "expand", "in": "query", "schema": {"type": "array",
                     "items": {"type": "string", "enum": ["owner", "tags", "history"]}}}
                ],
                "responses": {
                    "200": {"description": "the resource",
                            "content": {"application/json": {"schema": resource}}},
                    "404": {"description": "not found",
                            "content": {"application/problem+json": {"schema": problem}}}
                }
            }}),
        );
        paths.insert(
            format!("/resources{i}"),
            json!({"post": {
                "operationId": format!("createResource{i}"),
                "requestBody": {"required": true, "content": {"application/json": {
                    "schema": {"$ref": format!("#/components/schemas/NewResource{i}")}}}},
                "parameters": [{"name": "limit", "in": "query", "schema": {
                    "type": "integer", "minimum": 1, "maximum": 100, "default": 20}}],
                "responses": {
                    "201": {"description": "created",
                            "content": {"application/json": {"schema": resource}}},
                    "400": {"description": "invalid",
                            "content": {"application/problem+json": {"schema": problem}}}
                }
            }}),
        );
        let properties = json!({
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "status": {"type": "string", "enum": ["active", "suspended", "closed"]},
            "tags": {"type": "array", "maxItems": 20,
                     "items": {"type": "string", "pattern": "^[a-z0-9-]+$"}},
            "count": {"type": "integer", "format": "int64", "minimum": 0},
            "meta": {"$ref": format!("#/components/schemas/Meta{i}")}
        });
        let mut full = properties.clone();
        if let Value::Object(full) = &mut full {
            full.insert("id".into(), json!({"type": "string", "format": "uuid"}));
            full.insert(
                "created".into(),
                json!({"type": "string", "format": "date-time"}),
            );
        }
        schemas.insert(
            format!("NewResource{i}"),
            json!({"type": "object", "required": ["name"], "properties": properties}),
        );
        schemas.insert(
            format!("Resource{i}"),
            json!({"type": "object", "required": ["id", "name", "status"], "properties": full}),
        );
        schemas.insert(
            format!("Meta{i}"),
            json!({"type": "object", "additionalProperties": {"type": "string", "maxLength": 200}}),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Synthetic", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas}
    })
    .to_string()
}

fn stripe() -> Option<(PathBuf, String)> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/specs/stripe.com.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some((path, text)),
        Err(err) => {
            eprintln!("skipping stripe.com.json: {} ({err})", path.display());
            None
        }
    }
}

fn generate(c: &mut Criterion) {
    let generator = Generator::new(&Settings::default());
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    if let Some((path, text)) = stripe() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("stripe.com.json", |b| {
            b.iter(|| {
                generator
                    .generate_str(&path, &text)
                    .expect("stripe generates")
            })
        });
    }
    for operations in [500, 2_000] {
        let text = synthetic(operations);
        let name = PathBuf::from(format!("synthetic-{operations}.json"));
        group.throughput(Throughput::Elements(operations as u64));
        group.bench_function(format!("synthetic {operations} operations"), |b| {
            b.iter(|| {
                let generated = generator.generate_str(&name, &text).expect("generates");
                assert_eq!(generated.operations, operations);
                generated
            })
        });
    }
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
