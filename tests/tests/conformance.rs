//! JSON Schema Test Suite conformance of the generated validators.
//!
//! `tests/build.rs` put every in-scope schema of `fixtures/json-schema-test-suite/` into one
//! OpenAPI document per draft and generated it once; this test runs every case of every
//! group through the generated validator and compares with the suite's `valid` flag.
//! Out-of-scope groups (keywords OpenAPI does not have) are counted and listed by reason.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;
use tollgate::__codegen::validate::check_text;
use tollgate::__codegen::{Errors, Ptr};
use tollgate::Location;
use tollgate_tests::conformance::GROUPS;

#[test]
fn generated_validators_agree_with_the_json_schema_test_suite() {
    let suite =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/json-schema-test-suite");
    let mut files: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let (mut passed, mut failed) = (0usize, Vec::new());
    let mut skipped: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (file, index, description, validator) in GROUPS {
        let groups = files.entry(file).or_insert_with(|| {
            let text = std::fs::read_to_string(suite.join(file)).unwrap();
            serde_json::from_str(&text).unwrap()
        });
        let tests = groups[*index]["tests"].as_array().unwrap();
        let validator = match validator {
            Ok(validator) => validator,
            Err(reason) => {
                let entry = skipped.entry(reason).or_default();
                for test in tests {
                    entry.push(format!(
                        "{file} / {description} / {}",
                        test["description"].as_str().unwrap_or_default()
                    ));
                }
                continue;
            }
        };
        for test in tests {
            let mut errors = Errors::new(Location::Body);
            // As a request body arrives: JSON text, read by the validator.
            let text = serde_json::to_string(&test["data"]).unwrap();
            check_text(&text, *validator, &Ptr::new(), &mut errors).unwrap();
            let expected = test["valid"].as_bool().unwrap();
            if errors.is_empty() == expected {
                passed += 1;
            } else {
                failed.push(format!(
                    "{file} / {description} / {}: expected {}, violations {:?}",
                    test["description"].as_str().unwrap_or_default(),
                    if expected { "valid" } else { "invalid" },
                    errors.into_vec()
                ));
            }
        }
    }
    let skipped_count: usize = skipped.values().map(Vec::len).sum();
    println!(
        "JSON Schema Test Suite: {passed} passed, {} failed, {skipped_count} skipped",
        failed.len()
    );
    for (reason, cases) in &skipped {
        println!("  skipped {} ({reason}):", cases.len());
        for case in cases {
            println!("    {case}");
        }
    }
    assert!(
        failed.is_empty(),
        "{} cases disagree with the suite:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(passed > 700, "only {passed} cases ran");
}
