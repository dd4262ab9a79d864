//! The generated pet store module, for review: any change to the generator's output shows
//! up here as a snapshot diff (`cargo insta review`). The same code is compiled and run by
//! the other tests in this crate.

#[test]
fn petstore_module() {
    let code = include_str!(concat!(env!("OUT_DIR"), "/petstore.rs"));
    insta::assert_snapshot!("petstore", code);
}
