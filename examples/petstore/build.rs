//! Generates the gateway module from the pet store spec into `OUT_DIR/petstore.rs`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tollgate_codegen::Builder::new("../../fixtures/petstore.yaml").generate()?;
    Ok(())
}
