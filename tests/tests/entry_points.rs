//! The three entry points (build.rs, CLI, macro) produce byte-identical code.

use std::path::PathBuf;

const BUILD_RS_CODE: &str = include_str!(concat!(env!("OUT_DIR"), "/petstore.rs"));
const MACRO_CODE: &str = include_str!(concat!(env!("OUT_DIR"), "/macro/petstore_macro.rs"));

fn spec() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/petstore.yaml")
}

#[test]
fn build_rs_cli_and_macro_generate_the_same_bytes() {
    let out = std::env::temp_dir().join(format!("tollgate-entry-{}.rs", std::process::id()));
    let code = tollgate_cli::run([
        "tollgate",
        "gen",
        spec().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let cli = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).ok();
    assert_eq!(cli, BUILD_RS_CODE, "CLI and build.rs differ");
    assert_eq!(MACRO_CODE, BUILD_RS_CODE, "macro and build.rs differ");
    assert!(cli.contains("pub trait Api"));
}

#[test]
fn both_generated_modules_serve_the_same_spec() {
    assert_eq!(
        tollgate_tests::petstore::SPEC,
        tollgate_tests::petstore_macro::SPEC
    );
    let spec: serde_json::Value = serde_json::from_str(tollgate_tests::petstore::SPEC).unwrap();
    assert_eq!(spec["info"]["title"], "Petstore");
}
