//! Repairs of small defects that real specs have and openapiv3 refuses (or would silently
//! drop). Each repair is a warning that says what was read instead; nothing is dropped
//! without one.

use serde_json::{json, Map, Value};

use super::pointer;
use super::version::Version;
use super::walk::{self, Kind, Seg};
use crate::diagnostic::Diagnostic;

/// Schema keywords whose value is a number.
const NUMBERS: &[&str] = &["minimum", "maximum", "multipleOf"];
/// Schema keywords whose value is a non-negative integer.
const COUNTS: &[&str] = &[
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
];
/// Schema keywords whose value is a boolean (3.0 meaning for the exclusive bounds).
const FLAGS: &[&str] = &[
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "uniqueItems",
    "exclusiveMinimum",
    "exclusiveMaximum",
];
/// Schema keywords written directly on a Swagger 2.0 style parameter.
const PARAMETER_SCHEMA_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// Repairs the top level of `root` (the `info` object, path keys).
pub(crate) fn document(root: &mut Value, warnings: &mut Vec<Diagnostic>) {
    let Value::Object(doc) = root else {
        return;
    };
    if let Some(Value::Object(info)) = doc.get_mut("info") {
        for field in ["title", "version"] {
            let at = format!("#/info/{field}");
            match info.get(field) {
                None => {
                    warnings.push(Diagnostic::warning(
                        "#/info",
                        format!("`info` has no `{field}` (required); read as empty"),
                    ));
                    info.insert(field.to_owned(), Value::String(String::new()));
                }
                Some(value) => {
                    if let Some(text) = scalar_text(value) {
                        warnings.push(
                            Diagnostic::warning(
                                at,
                                format!("`{field}` should be a string; read {value} as \"{text}\""),
                            )
                            .with_hint(format!("quote it: `{field}: \"{text}\"`")),
                        );
                        info.insert(field.to_owned(), Value::String(text));
                    }
                }
            }
        }
    }
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for key in paths.keys() {
            if !key.starts_with('/') && !key.starts_with("x-") {
                warnings.push(Diagnostic::warning(
                    pointer::to_pointer(&["paths", key]),
                    format!("path `{key}` does not start with `/`; it is ignored"),
                ));
            }
        }
    }
}

/// Repairs one OpenAPI object (`node`, of kind `kind`, at `path`).
pub(crate) fn node(
    node: &mut Value,
    kind: Kind,
    path: &[Seg<'_>],
    version: Version,
    warnings: &mut Vec<Diagnostic>,
) {
    let Value::Object(map) = node else {
        return;
    };
    if map.contains_key("$ref") {
        return;
    }
    let mut r = Repairer { path, warnings };
    match kind {
        Kind::Schema => r.schema(map),
        Kind::Response => r.response(map),
        Kind::Operation => r.operation(map, version),
        Kind::Parameter => r.parameter(map),
        Kind::Header => r.header(map),
        Kind::SecurityScheme => r.security_scheme(map),
        _ => {}
    }
}

struct Repairer<'p, 'w> {
    path: &'p [Seg<'p>],
    warnings: &'w mut Vec<Diagnostic>,
}

impl Repairer<'_, '_> {
    fn warn(&mut self, member: &[&str], message: String) {
        let mut at = walk::pointer(self.path);
        for segment in member {
            at = pointer::child(&at, segment);
        }
        self.warnings.push(Diagnostic::warning(at, message));
    }

    fn response(&mut self, map: &mut Map<String, Value>) {
        match map.get("description") {
            Some(Value::String(_)) => {}
            Some(value) if scalar_text(value).is_some() => {
                let text = scalar_text(value).unwrap_or_default();
                map.insert("description".to_owned(), Value::String(text));
            }
            _ => {
                self.warn(
                    &[],
                    "response has no `description` (required); read as empty".to_owned(),
                );
                map.insert("description".to_owned(), Value::String(String::new()));
            }
        }
    }

    fn operation(&mut self, map: &mut Map<String, Value>, version: Version) {
        if let Some(text) = map.get("operationId").and_then(scalar_text) {
            self.warn(
                &["operationId"],
                format!("`operationId` should be a string; read as \"{text}\""),
            );
            map.insert("operationId".to_owned(), Value::String(text));
        }
        match map.get("responses") {
            Some(Value::Object(responses)) => {
                for key in responses.keys() {
                    if key != "default" && !key.starts_with("x-") && !is_status_code(key) {
                        self.warn(
                            &["responses", key],
                            format!("`{key}` is not a status code (or `default`); this response is ignored"),
                        );
                    }
                }
            }
            _ => {
                // Optional in 3.1; required (but often forgotten) in 3.0.
                if version == Version::V3_0 {
                    self.warn(
                        &[],
                        "operation has no `responses` (required); read as none".to_owned(),
                    );
                }
                map.insert("responses".to_owned(), json!({}));
            }
        }
    }

    fn parameter(&mut self, map: &mut Map<String, Value>) {
        self.flag(map, "required");
        if map.contains_key("schema") || map.contains_key("content") {
            return;
        }
        let mut schema = Map::new();
        for keyword in PARAMETER_SCHEMA_KEYWORDS {
            if let Some(value) = map.remove(*keyword) {
                schema.insert((*keyword).to_owned(), value);
            }
        }
        if schema.is_empty() {
            self.warn(
                &[],
                "parameter has neither `schema` nor `content`; read as `schema: {}` (any value)"
                    .to_owned(),
            );
        } else {
            self.warn(
                &[],
                "parameter has schema keywords but no `schema` (Swagger 2.0 style); read them \
                 as its `schema`"
                    .to_owned(),
            );
        }
        map.insert("schema".to_owned(), Value::Object(schema));
    }

    fn header(&mut self, map: &mut Map<String, Value>) {
        self.flag(map, "required");
        if !map.contains_key("schema") && !map.contains_key("content") {
            self.warn(
                &[],
                "header has neither `schema` nor `content`; read as `schema: {}` (any value)"
                    .to_owned(),
            );
            map.insert("schema".to_owned(), json!({}));
        }
    }

    fn security_scheme(&mut self, map: &mut Map<String, Value>) {
        if map.get("type").and_then(Value::as_str) == Some("basic") {
            self.warn(
                &["type"],
                "`type: basic` is Swagger 2.0; read as `type: http, scheme: basic`".to_owned(),
            );
            map.insert("type".to_owned(), json!("http"));
            map.insert("scheme".to_owned(), json!("basic"));
        }
    }

    fn schema(&mut self, map: &mut Map<String, Value>) {
        // One pass over the keys first: most schemas need nothing, and lookups cost.
        if !map
            .iter()
            .any(|(key, value)| schema_member_needs_repair(key, value))
        {
            return;
        }
        for keyword in NUMBERS {
            self.number(map, keyword);
        }
        for keyword in COUNTS {
            self.count(map, keyword);
        }
        for keyword in FLAGS {
            self.flag(map, keyword);
        }
        self.required(map);
        self.property_required(map);
        if let Some(Value::String(name)) = map.get("discriminator") {
            let name = name.clone();
            self.warn(
                &["discriminator"],
                format!(
                    "`discriminator` should be an object (Swagger 2.0 style); read as \
                     `discriminator: {{propertyName: {name}}}`"
                ),
            );
            map.insert("discriminator".to_owned(), json!({ "propertyName": name }));
        }
        if let Some(Value::Array(items)) = map.get_mut("items") {
            if items.len() == 1 {
                let single = items.remove(0);
                self.warn(
                    &["items"],
                    "`items` should be a schema, not a list; read its only entry".to_owned(),
                );
                map.insert("items".to_owned(), single);
            } else {
                self.warn(
                    &["items"],
                    "`items` as a list of schemas (tuple validation) is not supported; items \
                     are read as untyped"
                        .to_owned(),
                );
                map.insert("items".to_owned(), json!({}));
            }
        }
        self.shape(map, "enum", Value::is_array, "a list");
        self.shape(map, "properties", Value::is_object, "a mapping");
        self.shape(map, "type", Value::is_string, "a string");
        self.shape(map, "format", Value::is_string, "a string");
        self.shape(map, "pattern", Value::is_string, "a string");
        self.shape(
            map,
            "additionalProperties",
            |v| v.is_boolean() || v.is_object(),
            "a boolean or a schema",
        );
        for list in ["allOf", "anyOf", "oneOf"] {
            self.shape(map, list, Value::is_array, "a list");
        }
    }

    /// Drops `keyword` when its value is not of the expected shape.
    fn shape(
        &mut self,
        map: &mut Map<String, Value>,
        keyword: &str,
        expected: fn(&Value) -> bool,
        what: &str,
    ) {
        if map.get(keyword).is_some_and(|v| !expected(v)) {
            self.warn(
                &[keyword],
                format!("`{keyword}` should be {what}; it is ignored"),
            );
            map.remove(keyword);
        }
    }

    /// `minimum: "5"` → `minimum: 5`.
    fn number(&mut self, map: &mut Map<String, Value>, keyword: &str) {
        let Some(Value::String(text)) = map.get(keyword) else {
            return;
        };
        let parsed = parse_number(text);
        let written = text.clone();
        match parsed {
            Some(number) => {
                self.warn(
                    &[keyword],
                    format!("`{keyword}` should be a number; read \"{written}\" as {number}"),
                );
                map.insert(keyword.to_owned(), number);
            }
            None => {
                self.warn(
                    &[keyword],
                    format!("`{keyword}` should be a number, not \"{written}\"; it is ignored"),
                );
                map.remove(keyword);
            }
        }
    }

    /// `maxLength: "10"`, `maxLength: 10.0` → `maxLength: 10`; negative or fractional counts
    /// are ignored.
    fn count(&mut self, map: &mut Map<String, Value>, keyword: &str) {
        let Some(value) = map.get(keyword) else {
            return;
        };
        if value.is_u64() {
            return;
        }
        let number = match value {
            Value::String(text) => parse_number(text),
            Value::Number(_) => Some(value.clone()),
            _ => None,
        };
        let count = number
            .as_ref()
            .and_then(Value::as_f64)
            .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 9.0e15);
        let written = value.to_string();
        match count {
            Some(count) => {
                // Integral, non-negative and below 2^53: the conversion is exact.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let count = count as u64;
                self.warn(
                    &[keyword],
                    format!(
                        "`{keyword}` should be a non-negative integer; read {written} as {count}"
                    ),
                );
                map.insert(keyword.to_owned(), Value::from(count));
            }
            None => {
                self.warn(
                    &[keyword],
                    format!("`{keyword}` should be a non-negative integer, not {written}; it is ignored"),
                );
                map.remove(keyword);
            }
        }
    }

    /// `nullable: "true"` → `nullable: true`; other non-booleans are ignored.
    fn flag(&mut self, map: &mut Map<String, Value>, keyword: &str) {
        let Some(value) = map.get(keyword) else {
            return;
        };
        if value.is_boolean() {
            return;
        }
        let written = value.to_string();
        match value.as_str() {
            Some("true" | "false") => {
                let flag = value.as_str() == Some("true");
                self.warn(
                    &[keyword],
                    format!("`{keyword}` should be a boolean; read {written} as {flag}"),
                );
                map.insert(keyword.to_owned(), Value::Bool(flag));
            }
            _ => {
                self.warn(
                    &[keyword],
                    format!("`{keyword}` should be a boolean, not {written}; it is ignored"),
                );
                map.remove(keyword);
            }
        }
    }

    /// `required` must be a list of property names.
    fn required(&mut self, map: &mut Map<String, Value>) {
        match map.get_mut("required") {
            None => {}
            Some(Value::Array(names)) if names.iter().any(|n| !n.is_string()) => {
                names.retain(Value::is_string);
                self.warn(
                    &["required"],
                    "`required` should list property names; entries that are not strings \
                     are ignored"
                        .to_owned(),
                );
            }
            Some(Value::Array(_)) => {}
            Some(Value::Bool(_)) => {
                self.warn(
                    &["required"],
                    "`required: true|false` on a schema is draft-3 style; it is ignored (list \
                     the property in its parent's `required`)"
                        .to_owned(),
                );
                map.remove("required");
            }
            Some(_) => {
                self.warn(
                    &["required"],
                    "`required` should be a list of property names; it is ignored".to_owned(),
                );
                map.remove("required");
            }
        }
    }

    /// Draft-3 `required: true` on a property → the property's name in the parent's
    /// `required`.
    fn property_required(&mut self, map: &mut Map<String, Value>) {
        let Some(Value::Object(properties)) = map.get_mut("properties") else {
            return;
        };
        let mut names = Vec::new();
        for (name, property) in properties.iter_mut() {
            let Value::Object(property) = property else {
                continue;
            };
            if let Some(Value::Bool(required)) = property.get("required") {
                if *required {
                    names.push(name.clone());
                }
                property.remove("required");
                self.warn(
                    &["properties", name, "required"],
                    format!(
                        "`required: true|false` on a property is draft-3 style; read as \
                         {}listing `{name}` in the parent's `required`",
                        if names.last() == Some(name) {
                            ""
                        } else {
                            "not "
                        }
                    ),
                );
            }
        }
        if names.is_empty() {
            return;
        }
        match map.get_mut("required") {
            Some(Value::Array(required)) => {
                for name in names {
                    if !required.iter().any(|r| r.as_str() == Some(&name)) {
                        required.push(Value::String(name));
                    }
                }
            }
            _ => {
                map.insert(
                    "required".to_owned(),
                    Value::Array(names.into_iter().map(Value::String).collect()),
                );
            }
        }
    }
}

/// Whether a schema member is one that [`Repairer::schema`] would change.
fn schema_member_needs_repair(key: &str, value: &Value) -> bool {
    match key {
        "minimum" | "maximum" | "multipleOf" => !value.is_number(),
        "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties" => {
            !value.is_u64()
        }
        "nullable" | "readOnly" | "writeOnly" | "deprecated" | "uniqueItems"
        | "exclusiveMinimum" | "exclusiveMaximum" => !value.is_boolean(),
        "required" => value
            .as_array()
            .is_none_or(|names| names.iter().any(|n| !n.is_string())),
        "properties" => value.as_object().is_none_or(|properties| {
            properties
                .values()
                .any(|p| p.get("required").is_some_and(Value::is_boolean))
        }),
        "discriminator" => value.is_string(),
        "items" => value.is_array(),
        "enum" | "allOf" | "anyOf" | "oneOf" => !value.is_array(),
        "type" | "format" | "pattern" => !value.is_string(),
        "additionalProperties" => !(value.is_boolean() || value.is_object()),
        _ => false,
    }
}

/// The text of a number or boolean (which should have been written as a string).
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn parse_number(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
}

/// `100`–`999`, or a range such as `2XX` (any case), as openapiv3 reads them.
fn is_status_code(key: &str) -> bool {
    let bytes = key.as_bytes();
    if bytes.len() != 3 {
        return false;
    }
    if let Ok(code) = key.parse::<u16>() {
        return (100..1000).contains(&code);
    }
    bytes[0].is_ascii_digit()
        && bytes[1].eq_ignore_ascii_case(&b'X')
        && bytes[2].eq_ignore_ascii_case(&b'X')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(kind: Kind, mut value: Value) -> (Value, Vec<String>) {
        let mut warnings = Vec::new();
        let mut path = Vec::new();
        walk::walk_mut(
            &mut value,
            kind,
            &mut path,
            &mut |node_value, kind, path| {
                node(node_value, kind, path, Version::V3_0, &mut warnings);
            },
        );
        (value, warnings.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn schema_repairs() {
        let (s, w) = run(
            Kind::Schema,
            json!({
                "type": "object",
                "required": ["a"],
                "discriminator": "kind",
                "properties": {
                    "a": {"type": "integer", "minimum": "5", "maxLength": 3.0},
                    "b": {"type": "string", "required": true, "nullable": "true"},
                    "c": {"type": "string", "required": false, "minLength": -1}
                }
            }),
        );
        assert_eq!(
            s,
            json!({
                "type": "object",
                "required": ["a", "b"],
                "discriminator": {"propertyName": "kind"},
                "properties": {
                    "a": {"type": "integer", "minimum": 5, "maxLength": 3},
                    "b": {"type": "string", "nullable": true},
                    "c": {"type": "string"}
                }
            })
        );
        assert_eq!(w.len(), 7, "{w:#?}");
        assert!(w.contains(
            &"warning: `minimum` should be a number; read \"5\" as 5 (at #/properties/a/minimum)"
                .to_owned()
        ));
    }

    #[test]
    fn fast_path_knows_every_keyword() {
        for keyword in NUMBERS.iter().chain(COUNTS).chain(FLAGS) {
            assert!(
                schema_member_needs_repair(keyword, &json!("x")),
                "{keyword}"
            );
        }
        assert!(!schema_member_needs_repair("minimum", &json!(1.5)));
        assert!(!schema_member_needs_repair("maxLength", &json!(3)));
    }

    #[test]
    fn responses_parameters_headers() {
        let (op, w) = run(
            Kind::Operation,
            json!({
                "parameters": [{"name": "q", "in": "query", "type": "string", "required": "true"}],
                "responses": {
                    "200": {"headers": {"X-A": {"description": "d"}}},
                    "2xx": {"description": "ok"},
                    "ok": {"description": "?"}
                }
            }),
        );
        assert_eq!(
            op["parameters"][0],
            json!({"name": "q", "in": "query", "required": true, "schema": {"type": "string"}})
        );
        assert_eq!(op["responses"]["200"]["description"], json!(""));
        assert_eq!(
            op["responses"]["200"]["headers"]["X-A"]["schema"],
            json!({})
        );
        assert!(w.contains(&"warning: response has no `description` (required); read as empty (at #/responses/200)".to_owned()));
        assert!(w.contains(&"warning: `ok` is not a status code (or `default`); this response is ignored (at #/responses/ok)".to_owned()));
        assert_eq!(w.len(), 5, "{w:#?}");
    }

    #[test]
    fn document_repairs() {
        let mut doc = json!({"info": {"version": 1.0}, "paths": {"pets": {}, "/ok": {}}});
        let mut warnings = Vec::new();
        document(&mut doc, &mut warnings);
        assert_eq!(doc["info"], json!({"version": "1.0", "title": ""}));
        let w: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            w,
            [
                "warning: `info` has no `title` (required); read as empty (at #/info)",
                "warning: `version` should be a string; read 1.0 as \"1.0\" (at #/info/version)",
                "warning: path `pets` does not start with `/`; it is ignored (at #/paths/pets)",
            ]
        );
    }
}
