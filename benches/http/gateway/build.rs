//! Generates the gateway module from the benchmark fixture into `OUT_DIR/bench.rs`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tollgate_codegen::Builder::new("../../../fixtures/bench.yaml").generate()?;
    Ok(())
}
