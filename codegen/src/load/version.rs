//! Which OpenAPI version a document is, and the top-level checks that make it one at all.

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;

/// The OpenAPI versions read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    V3_0,
    /// 3.1 (and later 3.x, read as 3.1): normalised into the 3.0 shape before deserializing.
    V3_1,
}

/// Checks the top level of `root`: a mapping, not Swagger 2.0, with a supported `openapi`
/// and (for 3.0) `paths`. Fixes what can be fixed with a warning pushed to `warnings`.
pub(crate) fn check(
    root: &mut Value,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Version, Diagnostic> {
    let Value::Object(doc) = root else {
        let found = match root {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a sequence",
            Value::Object(_) => "a mapping",
        };
        return Err(Diagnostic::error(
            "#",
            format!("an OpenAPI document must be a mapping at the top level, found {found}"),
        ));
    };
    if doc.contains_key("swagger") {
        return Err(Diagnostic::error(
            "#/swagger",
            "Swagger 2.0 documents are not supported; convert to OpenAPI 3 first",
        )
        .with_hint(
            "convert it with swagger2openapi (`npx swagger2openapi swagger.yaml -o openapi.yaml`) \
             or the converter at converter.swagger.io",
        ));
    }
    let version = openapi_field(doc, warnings)?;
    if !doc.contains_key("paths") {
        if version == Version::V3_0 {
            return Err(
                Diagnostic::error("#", "missing required field `paths`").with_hint(
                    "an OpenAPI 3.0 document needs `paths`; write `paths: {}` if it has none",
                ),
            );
        }
        doc.insert("paths".to_owned(), Value::Object(Map::new()));
    }
    Ok(version)
}

fn openapi_field(
    doc: &mut Map<String, Value>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Version, Diagnostic> {
    let text = match doc.get("openapi") {
        None => {
            return Err(Diagnostic::error("#", "missing required field `openapi`")
                .with_hint("start the document with `openapi: 3.0.3` (or `3.1.0`)"))
        }
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => {
            let text = number.to_string();
            warnings.push(
                Diagnostic::warning(
                    "#/openapi",
                    format!("`openapi` should be a string; read the number {text} as \"{text}\""),
                )
                .with_hint(format!("quote it: `openapi: \"{text}\"`")),
            );
            doc.insert("openapi".to_owned(), Value::String(text.clone()));
            text
        }
        Some(_) => {
            return Err(Diagnostic::error(
                "#/openapi",
                "`openapi` must be a version string such as \"3.0.3\"",
            ))
        }
    };
    let mut parts = text.trim().split('.');
    let major = parts.next().unwrap_or_default();
    let minor = parts.next().unwrap_or_default();
    match (major, minor) {
        ("3", "0") => Ok(Version::V3_0),
        ("3", "1") => Ok(Version::V3_1),
        ("3", minor) if minor.parse::<u32>().is_ok_and(|m| m > 1) => {
            warnings.push(Diagnostic::warning(
                "#/openapi",
                format!("OpenAPI {text} is read as OpenAPI 3.1"),
            ));
            Ok(Version::V3_1)
        }
        _ => Err(Diagnostic::error(
            "#/openapi",
            format!("unsupported OpenAPI version `{text}`; expected 3.0.x or 3.1.x"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(mut doc: Value) -> (Result<Version, String>, Vec<String>, Value) {
        let mut warnings = Vec::new();
        let result = check(&mut doc, &mut warnings).map_err(|d| d.to_string());
        (
            result,
            warnings.iter().map(ToString::to_string).collect(),
            doc,
        )
    }

    #[test]
    fn versions() {
        assert_eq!(
            run(json!({"openapi": "3.0.3", "paths": {}})).0,
            Ok(Version::V3_0)
        );
        assert_eq!(
            run(json!({"openapi": "3.1.0", "paths": {}})).0,
            Ok(Version::V3_1)
        );
        let (result, warnings, _) = run(json!({"openapi": 3.0, "paths": {}}));
        assert_eq!(result, Ok(Version::V3_0));
        assert_eq!(
            warnings,
            ["warning: `openapi` should be a string; read the number 3.0 as \"3.0\" (at #/openapi)"]
        );
        assert_eq!(
            run(json!({"openapi": "2.5", "paths": {}})).0,
            Err(
                "error: unsupported OpenAPI version `2.5`; expected 3.0.x or 3.1.x (at #/openapi)"
                    .into()
            )
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            run(json!({"swagger": "2.0", "paths": {}})).0,
            Err("error: Swagger 2.0 documents are not supported; convert to OpenAPI 3 first (at #/swagger)".into())
        );
        assert_eq!(
            run(json!({"info": {}})).0,
            Err("error: missing required field `openapi` (at #)".into())
        );
        assert_eq!(
            run(json!({"openapi": "3.0.0"})).0,
            Err("error: missing required field `paths` (at #)".into())
        );
        assert_eq!(
            run(json!([1])).0,
            Err("error: an OpenAPI document must be a mapping at the top level, found a sequence (at #)".into())
        );
    }

    #[test]
    fn paths_are_optional_in_3_1() {
        let (result, _, doc) = run(json!({"openapi": "3.1.0"}));
        assert_eq!(result, Ok(Version::V3_1));
        assert_eq!(doc["paths"], json!({}));
    }
}
