//! The normalised document → `openapiv3::OpenAPI`, with the failing path as a JSON pointer.

use std::panic::{catch_unwind, AssertUnwindSafe};

use openapiv3::ReferenceOr;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

use super::walk::{self, Kind, Seg};
use crate::diagnostic::Diagnostic;

/// Deserializes `root`. On failure, the diagnostic points at the smallest OpenAPI object that
/// does not deserialize, and inside it at the deepest path serde reached.
pub(crate) fn deserialize(root: &Value) -> Result<openapiv3::OpenAPI, Diagnostic> {
    // openapiv3 has an `expect` in its `ReferenceOr` fallback; never let it take the build down.
    let result = catch_unwind(AssertUnwindSafe(|| {
        serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(root)
    }));
    match result {
        Ok(Ok(document)) => Ok(document),
        Ok(Err(_)) => Err(catch_unwind(AssertUnwindSafe(|| locate_failure(root)))
            .unwrap_or_else(|_| unexpected())),
        Err(_) => Err(unexpected()),
    }
}

fn unexpected() -> Diagnostic {
    Diagnostic::error(
        "#",
        "invalid OpenAPI document: the openapiv3 reader failed unexpectedly",
    )
}

/// serde cannot report paths through openapiv3's flattened and untagged types, so narrow the
/// failure down: from the root, go into the OpenAPI object below that fails on its own, until
/// none of a failing object's children fails.
fn locate_failure(root: &Value) -> Diagnostic {
    let mut path: Vec<Seg<'_>> = Vec::new();
    let mut node = root;
    let mut kind = Kind::Document;
    'narrow: loop {
        for (below, child, child_kind) in walk::children(node, kind) {
            if check(child, child_kind).is_err() {
                path.extend(below);
                node = child;
                kind = child_kind;
                continue 'narrow;
            }
        }
        break;
    }
    let mut segments = walk::owned(&path);
    let message = match check(node, kind) {
        Err(error) => {
            segments.extend(error.path().iter().filter_map(|segment| match segment {
                Segment::Seq { index } => Some(index.to_string()),
                Segment::Map { key } => Some(key.clone()),
                Segment::Enum { .. } | Segment::Unknown => None,
            }));
            error.into_inner().to_string()
        }
        // Cannot happen (the document failed as a whole); stay total.
        Ok(()) => "it does not match the OpenAPI 3.0 model".to_owned(),
    };
    Diagnostic::error(
        super::pointer::to_pointer(&segments),
        format!("invalid OpenAPI document: {message}"),
    )
}

type Failure = serde_path_to_error::Error<serde_json::Error>;

/// Deserializes `value` as the openapiv3 type for `kind` (a reference is accepted where the
/// type allows one).
fn check(value: &Value, kind: Kind) -> Result<(), Failure> {
    fn as_type<T: DeserializeOwned>(value: &Value) -> Result<(), Failure> {
        serde_path_to_error::deserialize::<_, T>(value).map(drop)
    }
    match kind {
        Kind::Document => as_type::<openapiv3::OpenAPI>(value),
        Kind::Components => as_type::<openapiv3::Components>(value),
        Kind::PathItem => as_type::<ReferenceOr<openapiv3::PathItem>>(value),
        Kind::Operation => as_type::<openapiv3::Operation>(value),
        Kind::Parameter => as_type::<ReferenceOr<openapiv3::Parameter>>(value),
        Kind::RequestBody => as_type::<ReferenceOr<openapiv3::RequestBody>>(value),
        Kind::Response => as_type::<ReferenceOr<openapiv3::Response>>(value),
        Kind::Header => as_type::<ReferenceOr<openapiv3::Header>>(value),
        Kind::MediaType => as_type::<openapiv3::MediaType>(value),
        Kind::Encoding => as_type::<openapiv3::Encoding>(value),
        Kind::Schema => as_type::<ReferenceOr<openapiv3::Schema>>(value),
        Kind::Example => as_type::<ReferenceOr<openapiv3::Example>>(value),
        Kind::Link => as_type::<ReferenceOr<openapiv3::Link>>(value),
        Kind::Callback => as_type::<ReferenceOr<openapiv3::Callback>>(value),
        Kind::SecurityScheme => as_type::<ReferenceOr<openapiv3::SecurityScheme>>(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn failure_points_at_the_path() {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": 1},
            "paths": {}
        });
        let err = deserialize(&doc).unwrap_err();
        assert_eq!(err.pointer, "#/info/version");
        assert_eq!(
            err.message,
            "invalid OpenAPI document: invalid type: integer `1`, expected a string"
        );
        let ok = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}});
        assert!(deserialize(&ok).is_ok());
    }

    #[test]
    fn failure_inside_flattened_maps() {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {
                "description": "ok",
                "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "n": {"type": "integer", "maxLength": "x"}
                }}}}
            }}}}}
        });
        let err = deserialize(&doc).unwrap_err();
        assert_eq!(
            err.pointer,
            "#/paths/~1a/get/responses/200/content/application~1json/schema/properties/n"
        );
    }
}
