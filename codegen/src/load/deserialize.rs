//! The normalised document → `openapiv3::OpenAPI`, with the failing path as a JSON pointer.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::Value;
use serde_path_to_error::Segment;

use super::pointer;
use crate::diagnostic::Diagnostic;

/// Deserializes `root`. On failure, the diagnostic points at the deepest path serde reached.
pub(crate) fn deserialize(root: &Value) -> Result<openapiv3::OpenAPI, Diagnostic> {
    // openapiv3 has an `expect` in its `ReferenceOr` fallback; never let it take the build down.
    let result = catch_unwind(AssertUnwindSafe(|| {
        serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(root)
    }));
    match result {
        Ok(Ok(document)) => Ok(document),
        Ok(Err(error)) => {
            let segments: Vec<String> = error
                .path()
                .iter()
                .filter_map(|segment| match segment {
                    Segment::Seq { index } => Some(index.to_string()),
                    Segment::Map { key } => Some(key.clone()),
                    Segment::Enum { .. } | Segment::Unknown => None,
                })
                .collect();
            Err(Diagnostic::error(
                pointer::to_pointer(&segments),
                format!("invalid OpenAPI document: {}", error.inner()),
            ))
        }
        Err(_) => Err(Diagnostic::error(
            "#",
            "invalid OpenAPI document: the openapiv3 reader failed unexpectedly",
        )),
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
}
