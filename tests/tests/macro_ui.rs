//! Compile-fail tests of `#[tollgate::gateway]`: every mistake in the attribute or the spec
//! is one error at the attribute that says what is wrong and, for spec errors, where in the
//! spec (`file:line:col`, JSON pointer). The expected output is in `ui/*.stderr`;
//! regenerate it with `TRYBUILD=overwrite cargo test -p tollgate-tests --test macro_ui`.

#[test]
fn gateway_attribute_errors() {
    // trybuild compiles the UI files in a crate of its own under `target/tests/trybuild`, so
    // the macro's `CARGO_MANIFEST_DIR` is that crate's; this hook makes the spec paths in
    // the UI files relative to this crate, as they are for a user of the macro.
    std::env::set_var("TOLLGATE_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"));
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
