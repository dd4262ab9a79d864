//! OpenAPI 3.1 → the 3.0 shape that openapiv3 reads, applied to schemas.
//!
//! 3.1 schemas are JSON Schema 2020-12. The constructs that openapiv3 (a 3.0 model) refuses
//! or would misread are rewritten into their 3.0 equivalent; what has no equivalent falls back
//! to an untyped schema with a warning. The same rewrites also repair 3.0 documents that use
//! these constructs, with a warning saying they are not 3.0.

use serde_json::{json, Map, Value};

use super::pointer;
use super::version::Version;
use super::walk::{self, Seg};
use crate::diagnostic::Diagnostic;

/// Keywords that annotate rather than constrain: dropped next to a `$ref` rather than wrapping
/// the reference in `allOf` for them (openapiv3 ignores a reference's siblings).
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "summary",
    "$comment",
    "example",
    "examples",
    "deprecated",
    "externalDocs",
];

/// The document-level differences of 3.1 (schemas are done by [`schema`], node by node);
/// sets `openapi` to `3.0.3`.
pub(crate) fn document(root: &mut Value, version: Version) {
    if version == Version::V3_1 {
        if let Some(Value::Object(license)) = root.pointer_mut("/info/license") {
            // SPDX identifier: 3.1 only, unknown to openapiv3's `License`.
            license.remove("identifier");
        }
        if let Value::Object(doc) = root {
            doc.insert("openapi".to_owned(), Value::String("3.0.3".to_owned()));
        }
    }
}

/// Normalises one schema (`node`, at `path`) of a document of version `version`.
pub(crate) fn schema(
    node: &mut Value,
    path: &[Seg<'_>],
    version: Version,
    warnings: &mut Vec<Diagnostic>,
) {
    let mut n = Normalizer {
        path,
        version,
        warnings,
    };
    match node {
        Value::Bool(true) => {
            n.not_3_0("the boolean schema `true`", "{}");
            *node = json!({});
        }
        Value::Bool(false) => {
            n.not_3_0("the boolean schema `false`", "{not: {}}");
            *node = json!({"not": {}});
        }
        Value::Object(map) => n.object(map),
        _ => {}
    }
}

struct Normalizer<'p, 'w> {
    path: &'p [Seg<'p>],
    version: Version,
    warnings: &'w mut Vec<Diagnostic>,
}

impl Normalizer<'_, '_> {
    fn warn(&mut self, member: Option<&str>, message: String) {
        let at = walk::pointer(self.path);
        let at = match member {
            Some(member) => pointer::child(&at, member),
            None => at,
        };
        self.warnings.push(Diagnostic::warning(at, message));
    }

    /// Warns, for 3.0 documents only, that a 3.1 construct was read as its 3.0 equivalent.
    fn not_3_0(&mut self, what: &str, read_as: &str) {
        if self.version == Version::V3_0 {
            self.warn(
                None,
                format!("{what} is not OpenAPI 3.0 (it is 3.1); read as `{read_as}`"),
            );
        }
    }

    fn object(&mut self, map: &mut Map<String, Value>) {
        // One pass over the keys first: most schemas need nothing, and lookups cost.
        let v3_1 = self.version == Version::V3_1;
        let needed = map.iter().any(|(key, value)| match key.as_str() {
            "type" => !value.is_string() || value == "null",
            "exclusiveMinimum" | "exclusiveMaximum" => value.is_number(),
            "const" => true,
            "examples" | "nullable" => v3_1,
            "$ref" => v3_1 && map.len() > 1,
            _ => false,
        });
        if !needed {
            return;
        }
        if self.version == Version::V3_1 && map.contains_key("nullable") {
            self.warn(
                Some("nullable"),
                "`nullable` is not part of OpenAPI 3.1 (write `type: [T, \"null\"]`); accepted"
                    .to_owned(),
            );
        }
        self.type_list(map);
        self.exclusive_bound(map, "exclusiveMinimum", "minimum", |ex, bound| ex >= bound);
        self.exclusive_bound(map, "exclusiveMaximum", "maximum", |ex, bound| ex <= bound);
        if let Some(value) = map.remove("const") {
            self.not_3_0("`const`", "enum: [value]");
            map.insert("enum".to_owned(), Value::Array(vec![value]));
        }
        if let Some(Value::Array(examples)) = map.get("examples") {
            if self.version == Version::V3_1 {
                if let Some(first) = examples.first() {
                    if !map.contains_key("example") {
                        let first = first.clone();
                        map.insert("example".to_owned(), first);
                    }
                }
                map.remove("examples");
            }
        }
        if self.version == Version::V3_1 && map.contains_key("$ref") && map.len() > 1 {
            ref_siblings(map);
        }
    }

    /// `type: [T, "null"]` → `type: T, nullable: true`; anything else with several types (or
    /// only `null`) → untyped.
    fn type_list(&mut self, map: &mut Map<String, Value>) {
        let types: Vec<String> = match map.get("type") {
            Some(Value::Array(types)) => {
                let mut names: Vec<String> = Vec::new();
                for name in types.iter().filter_map(Value::as_str) {
                    if !names.iter().any(|n| n == name) {
                        names.push(name.to_owned());
                    }
                }
                names
            }
            Some(Value::String(name)) if name == "null" => vec![name.clone()],
            _ => return,
        };
        let nullable = types.iter().any(|t| t == "null");
        let rest: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
        let written = Value::from(types.clone()).to_string();
        match rest.as_slice() {
            [single] => {
                let single = (*single).clone();
                if self.version == Version::V3_0 {
                    let read_as = if nullable {
                        format!("type: {single}, nullable: true")
                    } else {
                        format!("type: {single}")
                    };
                    self.not_3_0(&format!("`type: {written}`"), &read_as);
                }
                map.insert("type".to_owned(), Value::String(single));
            }
            [] => {
                // Only `null`: exactly the value null.
                map.remove("type");
                if self.version == Version::V3_0 {
                    self.not_3_0(&format!("`type: {written}`"), "enum: [null]");
                }
                map.insert("enum".to_owned(), Value::Array(vec![Value::Null]));
                return;
            }
            several => {
                // Several types: any of them, each with the keywords that apply to it (the
                // other keywords stay beside, where they apply to their own type only).
                let branches: Vec<Value> = several
                    .iter()
                    .map(|t| {
                        let mut branch = Map::new();
                        branch.insert("type".to_owned(), Value::String((*t).clone()));
                        Value::Object(branch)
                    })
                    .collect();
                map.remove("type");
                if self.version == Version::V3_0 {
                    self.not_3_0(
                        &format!("`type: {written}`"),
                        "anyOf of one schema per type",
                    );
                }
                let any_of = Value::Object(Map::from_iter([(
                    "anyOf".to_owned(),
                    Value::Array(branches),
                )]));
                if map.contains_key("anyOf") {
                    match map.get_mut("allOf") {
                        Some(Value::Array(all_of)) => all_of.push(any_of),
                        _ => {
                            map.insert("allOf".to_owned(), Value::Array(vec![any_of]));
                        }
                    }
                } else if let Value::Object(mut wrapper) = any_of {
                    if let Some(branches) = wrapper.remove("anyOf") {
                        map.insert("anyOf".to_owned(), branches);
                    }
                }
            }
        }
        if nullable {
            map.insert("nullable".to_owned(), Value::Bool(true));
        }
    }

    /// Numeric `exclusiveMinimum: 5` → `minimum: 5, exclusiveMinimum: true` (and maximum).
    fn exclusive_bound(
        &mut self,
        map: &mut Map<String, Value>,
        exclusive: &str,
        inclusive: &str,
        stricter: fn(f64, f64) -> bool,
    ) {
        let Some(Value::Number(bound)) = map.get(exclusive) else {
            return;
        };
        let bound = bound.clone();
        self.not_3_0(
            &format!("a numeric `{exclusive}`"),
            &format!("{inclusive}: {bound}, {exclusive}: true"),
        );
        let keep_inclusive = map
            .get(inclusive)
            .and_then(Value::as_f64)
            .zip(bound.as_f64())
            .is_some_and(|(current, ex)| !stricter(ex, current));
        if keep_inclusive {
            map.remove(exclusive);
        } else {
            map.insert(inclusive.to_owned(), Value::Number(bound));
            map.insert(exclusive.to_owned(), Value::Bool(true));
        }
    }
}

/// A 3.1 `$ref` with siblings: annotations are dropped; constraints make it
/// `allOf: [{$ref}]` plus the siblings.
fn ref_siblings(map: &mut Map<String, Value>) {
    let constrains = map
        .keys()
        .any(|k| k != "$ref" && !k.starts_with("x-") && !ANNOTATIONS.contains(&k.as_str()));
    if !constrains {
        map.retain(|k, _| k == "$ref");
        return;
    }
    let Some(reference) = map.remove("$ref") else {
        return;
    };
    let first = json!({ "$ref": reference });
    match map.get_mut("allOf") {
        Some(Value::Array(all_of)) => all_of.insert(0, first),
        _ => {
            map.insert("allOf".to_owned(), Value::Array(vec![first]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(version: Version, input: Value) -> (Value, Vec<String>) {
        let mut doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
            "paths": {},
            "components": {"schemas": {"S": input}}
        });
        let mut warnings = Vec::new();
        walk::walk_mut(
            &mut doc,
            walk::Kind::Document,
            &mut Vec::new(),
            &mut |node, kind, path| {
                if kind == walk::Kind::Schema {
                    schema(node, path, version, &mut warnings);
                }
            },
        );
        document(&mut doc, version);
        let out = doc["components"]["schemas"]["S"].take();
        (out, warnings.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn type_arrays() {
        let (s, w) = run(Version::V3_1, json!({"type": ["string", "null"]}));
        assert_eq!(s, json!({"type": "string", "nullable": true}));
        assert!(w.is_empty());
        let (s, w) = run(
            Version::V3_1,
            json!({"type": ["string", "integer", "null"], "minLength": 1}),
        );
        assert_eq!(
            s,
            json!({"minLength": 1, "anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
        assert!(w.is_empty());
        let (s, w) = run(Version::V3_1, json!({"type": ["null"]}));
        assert_eq!(s, json!({"enum": [null]}));
        assert!(w.is_empty());
        let (s, _) = run(
            Version::V3_1,
            json!({"type": ["string", "integer"], "anyOf": [{}]}),
        );
        assert_eq!(
            s,
            json!({"anyOf": [{}], "allOf": [{"anyOf": [{"type": "string"}, {"type": "integer"}]}]})
        );
        let (s, w) = run(Version::V3_0, json!({"type": ["integer"]}));
        assert_eq!(s, json!({"type": "integer"}));
        assert_eq!(w, ["warning: `type: [\"integer\"]` is not OpenAPI 3.0 (it is 3.1); read as `type: integer` (at #/components/schemas/S)"]);
    }

    #[test]
    fn bounds_const_examples() {
        let (s, _) = run(
            Version::V3_1,
            json!({"type": "integer", "exclusiveMinimum": 5, "exclusiveMaximum": 10, "maximum": 8}),
        );
        assert_eq!(
            s,
            json!({"type": "integer", "minimum": 5, "exclusiveMinimum": true, "maximum": 8})
        );
        let (s, _) = run(Version::V3_1, json!({"const": "a", "examples": ["x", "y"]}));
        assert_eq!(s, json!({"enum": ["a"], "example": "x"}));
        let (s, w) = run(
            Version::V3_0,
            json!({"minimum": 1, "exclusiveMinimum": true}),
        );
        assert_eq!(s, json!({"minimum": 1, "exclusiveMinimum": true}));
        assert!(w.is_empty());
    }

    #[test]
    fn refs_with_siblings_and_boolean_schemas() {
        let (s, _) = run(Version::V3_1, json!({"$ref": "#/x", "description": "d"}));
        assert_eq!(s, json!({"$ref": "#/x"}));
        let (s, _) = run(Version::V3_1, json!({"$ref": "#/x", "maxLength": 3}));
        assert_eq!(s, json!({"maxLength": 3, "allOf": [{"$ref": "#/x"}]}));
        let (s, _) = run(Version::V3_0, json!({"$ref": "#/x", "maxLength": 3}));
        assert_eq!(s, json!({"$ref": "#/x", "maxLength": 3}));
        let (s, _) = run(
            Version::V3_1,
            json!({"properties": {"a": true, "b": false}, "additionalProperties": false}),
        );
        assert_eq!(
            s,
            json!({"properties": {"a": {}, "b": {"not": {}}}, "additionalProperties": false})
        );
        let (s, w) = run(Version::V3_1, json!({"type": "string", "nullable": true}));
        assert_eq!(s, json!({"type": "string", "nullable": true}));
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn document_level() {
        let mut doc =
            json!({"openapi": "3.1.0", "info": {"license": {"name": "MIT", "identifier": "MIT"}}});
        document(&mut doc, Version::V3_1);
        assert_eq!(
            doc,
            json!({"openapi": "3.0.3", "info": {"license": {"name": "MIT"}}})
        );
    }
}
