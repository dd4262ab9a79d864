//! Generates the pet store module through the `build.rs` entry point, and points the
//! macro's test hook at `OUT_DIR/macro` so the tests can compare the three entry points.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::var("OUT_DIR")?;
    println!("cargo:rustc-env=TOLLGATE_EXPAND_DIR={out}/macro");
    tollgate_codegen::Builder::new("../fixtures/petstore.yaml").generate()?;
    tollgate_codegen::Builder::new("../fixtures/auth.yaml").generate()?;
    tollgate_codegen::Builder::new("../fixtures/v1.yaml").generate()?; // multi_version.rs
    tollgate_codegen::Builder::new("../fixtures/v2.yaml").generate()?; // multi_version.rs
    Ok(())
}
