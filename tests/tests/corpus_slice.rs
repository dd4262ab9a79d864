//! The corpus runner on the fixed slice in `fixtures/corpus/`: every spec generates and its
//! module compiles without errors or warnings against `tollgate` alone, and almost no
//! schema falls back to `serde_json::Value`.
//!
//! The full corpus is an opt-in run: `cargo corpus ../shared/corpus/specs`.

use std::path::PathBuf;

use tollgate_tests::corpus::{run, Options};

#[test]
fn every_spec_of_the_slice_generates_and_compiles_cleanly() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let options = Options::new(root.join("fixtures/corpus"), &root);
    let report = run(&options).expect("the corpus runner could not run");
    let rendered = report.render();
    println!("{rendered}");
    assert_eq!(report.specs.len(), 18, "{rendered}");
    assert_eq!(report.failed(), 0, "{rendered}");
    let (schemas, fallbacks) = report.fallback_counts();
    assert!(schemas > 1_000, "{rendered}");
    // The target is under 1% over the whole corpus.
    assert!(fallbacks * 100 < schemas, "{rendered}");
}
