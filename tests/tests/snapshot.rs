//! The generated pet store module, for review: any change to the generator's output shows
//! up here as a snapshot diff (`cargo insta review`). The same code is compiled and run by
//! the other tests in this crate.

#[test]
fn petstore_module() {
    let code = include_str!(concat!(env!("OUT_DIR"), "/petstore.rs"));
    insta::assert_snapshot!("petstore", code);
}

/// The generated modules of `fixtures/content/`: multipart bodies, object and `content`
/// parameters, several content types and response kinds.
#[test]
fn content_modules() {
    let multipart = include_str!(concat!(env!("OUT_DIR"), "/content_multipart.rs"));
    insta::assert_snapshot!("content_multipart", multipart);
    let objects = include_str!(concat!(env!("OUT_DIR"), "/content_objects.rs"));
    insta::assert_snapshot!("content_objects", objects);
    let media = include_str!(concat!(env!("OUT_DIR"), "/content_media.rs"));
    insta::assert_snapshot!("content_media", media);
}
