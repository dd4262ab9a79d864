//! Generates the pet store module through the `build.rs` entry point, and points the
//! macro's test hook at `OUT_DIR/macro` so the tests can compare the three entry points.
//! Also turns the JSON Schema Test Suite into two generated modules for the conformance
//! test (see `conformance_spec.rs`), and each schema coverage fixture into a module of its
//! own for `tests/coverage.rs` (see `coverage_spec.rs`).

#[path = "conformance_spec.rs"]
mod conformance_spec;
#[path = "coverage_spec.rs"]
mod coverage_spec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::var("OUT_DIR")?;
    println!("cargo:rustc-env=TOLLGATE_EXPAND_DIR={out}/macro");
    tollgate_codegen::Builder::new("../fixtures/petstore.yaml").generate()?;
    tollgate_codegen::Builder::new("../fixtures/auth.yaml").generate()?;
    tollgate_codegen::Builder::new("../fixtures/v1.yaml").generate()?; // multi_version.rs
    tollgate_codegen::Builder::new("../fixtures/v2.yaml").generate()?; // multi_version.rs
    tollgate_codegen::Builder::new("../fixtures/bench.yaml")
        .serde_both_ways(true) // benches: their typed rows read response-only schemas
        .generate()?;
    content_fixtures(std::path::Path::new(&out))?; // content_e2e.rs, snapshot.rs
    conformance_spec::generate(
        std::path::Path::new("../fixtures/json-schema-test-suite"),
        std::path::Path::new(&out),
    )?;
    coverage_spec::generate(
        std::path::Path::new("../fixtures/coverage"),
        std::path::Path::new(&out),
    )?;
    Ok(())
}

/// `fixtures/content/*.yaml` as `content_<name>.rs`. The generator directly rather than
/// `Builder`: `media.yaml` draws an expected warning (a documented body type tollgate
/// refuses with 415), which `Builder` would print on every build.
fn content_fixtures(out: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let generator = tollgate_codegen::Generator::new(&tollgate_codegen::Settings::default());
    for name in ["multipart", "objects", "media"] {
        let spec = format!("../fixtures/content/{name}.yaml");
        println!("cargo:rerun-if-changed={spec}");
        let generated = generator
            .generate_file(std::path::Path::new(&spec))
            .map_err(|d| format!("{spec}: {d}"))?;
        std::fs::write(out.join(format!("content_{name}.rs")), generated.code)?;
    }
    Ok(())
}
