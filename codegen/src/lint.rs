//! Spec smells: things that generate fine but that a gateway operator wants to hear about.
//!
//! [`lint`] reads the loaded document (after bundling, so every `$ref` is local) and the IR
//! lowered from it, and returns warnings: duplicate `operationId`s, operations without one,
//! path template parameters that are not declared (and declared ones the template lacks),
//! defaults that do not match their schema, responses whose content has no schema,
//! components nothing uses, and unknown `x-` extensions. It never fails and never changes
//! what is generated; `tollgate check` prints its findings after the generator's own.
//!
//! # Example
//!
//! ```no_run
//! use tollgate_codegen::{ir, lint, load};
//!
//! let loaded = load::load("openapi.yaml".as_ref()).expect("a valid spec");
//! let (api, _) = ir::lower(&loaded.root);
//! let mut smells = lint::lint(&loaded.root, &api);
//! loaded.locate_all(&mut smells);
//! for smell in &smells {
//!     eprintln!("{smell}");
//! }
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::ir::Api;
use crate::load::pointer::child;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The `x-` extensions tollgate reads, and what it does with each.
pub const KNOWN_EXTENSIONS: &[(&str, &str)] = &[
    (
        "x-tollgate-throttle",
        "a token bucket for the document or an operation",
    ),
    (
        "x-amazon-apigateway-authtype",
        "`awsSigv4` marks a scheme verified by `[auth.sigv4.SCHEME]`",
    ),
    (
        "x-amazon-apigateway-authorizer",
        "defaults for [auth.jwt.NAME] and custom authorizers",
    ),
    (
        "x-amazon-apigateway-api-key-source",
        "`AUTHORIZER`: usage plans follow the custom authorizer",
    ),
    (
        "x-amazon-apigateway-integration",
        "shown by `tollgate routes`; the handler still answers",
    ),
    (
        "x-enum-varnames",
        "names the variants of the Rust enum of an `enum`, value by value",
    ),
    (
        "x-enumNames",
        "the same as `x-enum-varnames` (NSwag's spelling)",
    ),
];

/// Every smell of the document `root` whose IR is `api`, unlocated (pass them to
/// `Loaded::locate_all`), in a stable order.
pub fn lint(root: &Value, api: &Api) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    operations(root, api, &mut out);
    defaults(root, "#", &mut out);
    unused_components(root, &mut out);
    extensions(root, &mut out);
    out
}

/// The value a local `$ref` points at, following chains (at most 32 hops).
fn deref<'a>(root: &'a Value, mut value: &'a Value) -> Option<&'a Value> {
    for _ in 0..32 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => value = root.pointer(reference.strip_prefix('#')?)?,
            None => return Some(value),
        }
    }
    None
}

/// The `{name}` segments of a path template.
fn template_params(path: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        names.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    names
}

fn operations(root: &Value, api: &Api, out: &mut Vec<Diagnostic>) {
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return;
    };
    // operationId → (method, path) of its first use.
    let mut seen: BTreeMap<&str, (String, &str)> = BTreeMap::new();
    for (path, item) in paths {
        let item_ptr = child("#/paths", path);
        let Some(item) = deref(root, item).and_then(Value::as_object) else {
            continue;
        };
        let template = template_params(path);
        for method in METHODS {
            let Some(op) = item.get(*method).and_then(Value::as_object) else {
                continue;
            };
            let upper = method.to_ascii_uppercase();
            let op_ptr = child(&item_ptr, method);
            let fn_name = api
                .operations
                .iter()
                .find(|o| o.method == upper && o.path == *path)
                .map_or("?", |o| o.fn_name.as_str());
            match op.get("operationId").and_then(Value::as_str) {
                None => out.push(
                    Diagnostic::warning(
                        op_ptr.clone(),
                        format!(
                            "operation {upper} {path} has no operationId; its method is named \
                             `{fn_name}` after the path"
                        ),
                    )
                    .with_hint(
                        "add an `operationId` so the method name does not change when the path does",
                    ),
                ),
                Some(id) => match seen.get(id) {
                    Some((first_method, first_path)) => out.push(
                        Diagnostic::warning(
                            child(&op_ptr, "operationId"),
                            format!(
                                "duplicate operationId `{id}` (also {first_method} {first_path}); \
                                 this operation's method is named `{fn_name}`"
                            ),
                        )
                        .with_hint("operationIds must be unique in the document: rename one"),
                    ),
                    None => {
                        seen.insert(id, (upper.clone(), path.as_str()));
                    }
                },
            }
            path_params(root, item, op, path, &template, &op_ptr, &item_ptr, out);
            responses(root, op, &upper, path, &op_ptr, out);
        }
    }
}

/// Path template parameters against the declared `in: path` parameters of one operation.
#[allow(clippy::too_many_arguments)]
fn path_params(
    root: &Value,
    item: &Map<String, Value>,
    op: &Map<String, Value>,
    path: &str,
    template: &[&str],
    op_ptr: &str,
    item_ptr: &str,
    out: &mut Vec<Diagnostic>,
) {
    // name → pointer of the declaration (operation level overrides path-item level).
    let mut declared: BTreeMap<String, String> = BTreeMap::new();
    for (params, ptr) in [
        (item.get("parameters"), item_ptr),
        (op.get("parameters"), op_ptr),
    ] {
        let Some(params) = params.and_then(Value::as_array) else {
            continue;
        };
        let list_ptr = child(ptr, "parameters");
        for (i, param) in params.iter().enumerate() {
            let Some(param) = deref(root, param) else {
                continue;
            };
            if param.get("in").and_then(Value::as_str) != Some("path") {
                continue;
            }
            if let Some(name) = param.get("name").and_then(Value::as_str) {
                declared.insert(name.to_owned(), child(&list_ptr, &i.to_string()));
            }
        }
    }
    for name in template {
        if !declared.contains_key(*name) {
            out.push(
                Diagnostic::warning(
                    op_ptr.to_owned(),
                    format!(
                        "path parameter `{{{name}}}` of `{path}` is not declared; it matches any \
                         segment and the handler does not receive it"
                    ),
                )
                .with_hint(format!(
                    "declare it: `parameters: [{{name: {name}, in: path, required: true, schema: {{type: string}}}}]`"
                )),
            );
        }
    }
    for (name, ptr) in &declared {
        if !template.contains(&name.as_str()) {
            out.push(
                Diagnostic::warning(
                    ptr.clone(),
                    format!(
                        "path parameter `{name}` is declared but `{path}` has no `{{{name}}}` \
                         segment; no request can supply it"
                    ),
                )
                .with_hint(format!(
                    "add `{{{name}}}` to the path, or declare the parameter `in: query`"
                )),
            );
        }
    }
}

fn responses(
    root: &Value,
    op: &Map<String, Value>,
    method: &str,
    path: &str,
    op_ptr: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return;
    };
    let responses_ptr = child(op_ptr, "responses");
    for (status, response) in responses {
        let Some(content) = deref(root, response)
            .and_then(|r| r.get("content"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        // Point into the response as written (or at its `$ref`).
        let response_ptr = child(&responses_ptr, status);
        for (media, body) in content {
            if body.get("schema").is_none() {
                let at = if response.get("$ref").is_some() {
                    child(&response_ptr, "$ref")
                } else {
                    child(&child(&response_ptr, "content"), media)
                };
                out.push(
                    Diagnostic::warning(
                        at,
                        format!(
                            "response {status} of {method} {path} has `{media}` content without \
                             a schema; its body is untyped and not validated"
                        ),
                    )
                    .with_hint(
                        "add a `schema` (even `{type: object}`) to type the handler's answer",
                    ),
                );
            }
        }
    }
}

/// Keys under which arbitrary data (not spec structure) lives.
fn is_data(key: &str) -> bool {
    matches!(key, "example" | "examples" | "default" | "enum" | "const") || key.starts_with("x-")
}

/// Keys whose value is a map keyed by user-chosen names (a property may be called `default`).
fn is_name_map(key: &str) -> bool {
    matches!(
        key,
        "properties" | "patternProperties" | "definitions" | "$defs" | "mapping"
    )
}

/// Calls `f` on every structural object under `value` (not on data such as examples or
/// extension values), with its pointer.
fn walk(value: &Value, pointer: &str, names: bool, f: &mut impl FnMut(&Map<String, Value>, &str)) {
    match value {
        Value::Object(map) => {
            if !names {
                f(map, pointer);
            }
            for (key, inner) in map {
                if names {
                    walk(inner, &child(pointer, key), false, f);
                } else if !is_data(key) {
                    walk(inner, &child(pointer, key), is_name_map(key), f);
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                walk(inner, &child(pointer, &i.to_string()), false, f);
            }
        }
        _ => {}
    }
}

/// Checks every schema's `default` against its own `type`, `enum`, bounds and lengths.
fn defaults(root: &Value, pointer: &str, out: &mut Vec<Diagnostic>) {
    walk(root, pointer, false, &mut |map, pointer| {
        let (Some(default), Some(_)) = (map.get("default"), map.get("type")) else {
            return;
        };
        if let Some(problem) = default_problem(map, default) {
            out.push(
                Diagnostic::warning(
                    child(pointer, "default"),
                    format!("default {default} {problem}"),
                )
                .with_hint("make the default satisfy the schema, or remove it"),
            );
        }
    });
}

/// Why `default` does not satisfy the schema `map`, if it does not.
fn default_problem(map: &Map<String, Value>, default: &Value) -> Option<String> {
    let nullable = map.get("nullable").and_then(Value::as_bool) == Some(true);
    if default.is_null() {
        return (!nullable).then(|| "is null but the schema is not nullable".to_owned());
    }
    let ty = map.get("type").and_then(Value::as_str)?;
    let fits = match ty {
        "string" => default.is_string(),
        "integer" => {
            default.is_i64()
                || default.is_u64()
                || default.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "number" => default.is_number(),
        "boolean" => default.is_boolean(),
        "array" => default.is_array(),
        "object" => default.is_object(),
        _ => true,
    };
    if !fits {
        let article = if ty.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return Some(format!("is not {article} {ty}"));
    }
    if let Some(values) = map.get("enum").and_then(Value::as_array) {
        if !values.contains(default) {
            let list: Vec<String> = values.iter().map(Value::to_string).collect();
            return Some(format!("is not one of the enum values {}", list.join(", ")));
        }
    }
    if let Some(n) = default.as_f64() {
        let bound = |key: &str| map.get(key).and_then(Value::as_f64);
        let exclusive = |key: &str| map.get(key).and_then(Value::as_bool) == Some(true);
        if let Some(min) = bound("minimum") {
            if n < min || (exclusive("exclusiveMinimum") && n == min) {
                return Some(format!("is below the minimum {}", map["minimum"]));
            }
        }
        if let Some(max) = bound("maximum") {
            if n > max || (exclusive("exclusiveMaximum") && n == max) {
                return Some(format!("is above the maximum {}", map["maximum"]));
            }
        }
    }
    if let Some(s) = default.as_str() {
        let len = s.chars().count() as u64;
        let limit = |key: &str| map.get(key).and_then(Value::as_u64);
        if let Some(min) = limit("minLength").filter(|&min| len < min) {
            return Some(format!("is shorter than minLength {min}"));
        }
        if let Some(max) = limit("maxLength").filter(|&max| len > max) {
            return Some(format!("is longer than maxLength {max}"));
        }
        if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
            if let Ok(re) = regress::Regex::new(pattern) {
                if re.find(s).is_none() {
                    return Some(format!("does not match the pattern `{pattern}`"));
                }
            }
        }
    }
    None
}

/// Collects every `$ref` target under `value` (skipping data).
fn refs(value: &Value, found: &mut Vec<String>) {
    walk(value, "#", false, &mut |map, _| {
        if let Some(target) = map.get("$ref").and_then(Value::as_str) {
            found.push(target.to_owned());
        }
    });
}

/// Security scheme names used by security requirement lists under `value`.
fn security_names<'a>(value: &'a Value, names: &mut BTreeSet<&'a str>) {
    let Some(map) = value.as_object() else {
        if let Some(items) = value.as_array() {
            items.iter().for_each(|v| security_names(v, names));
        }
        return;
    };
    for (key, inner) in map {
        if key == "security" {
            if let Some(list) = inner.as_array() {
                for requirement in list.iter().filter_map(Value::as_object) {
                    names.extend(requirement.keys().map(String::as_str));
                }
            }
        } else if !is_data(key) && key != "components" {
            security_names(inner, names);
        }
    }
}

/// `(kind, name)` of the component a `$ref` points into (`#/components/schemas/Pet/...`).
fn component_of(reference: &str) -> Option<(String, String)> {
    let rest = reference.strip_prefix("#/components/")?;
    let mut segments = rest.split('/');
    let kind = segments.next()?;
    let name = segments.next()?;
    let unescape = |s: &str| s.replace("~1", "/").replace("~0", "~");
    Some((unescape(kind), unescape(name)))
}

fn unused_components(root: &Value, out: &mut Vec<Diagnostic>) {
    let Some(components) = root.get("components").and_then(Value::as_object) else {
        return;
    };
    // Reachability from everything outside `components`.
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    let mut queue: Vec<(String, String)> = Vec::new();
    let mut found: Vec<String> = Vec::new();
    if let Some(map) = root.as_object() {
        for (key, value) in map.iter().filter(|(k, _)| *k != "components") {
            if !key.starts_with("x-") {
                refs(value, &mut found);
            }
        }
    }
    let mut schemes = BTreeSet::new();
    security_names(root, &mut schemes);
    for name in schemes {
        queue.push(("securitySchemes".to_owned(), name.to_owned()));
    }
    queue.extend(found.iter().filter_map(|r| component_of(r)));
    while let Some(component) = queue.pop() {
        if used.contains(&component) {
            continue;
        }
        let mut inner = Vec::new();
        if let Some(value) = components
            .get(&component.0)
            .and_then(|kind| kind.get(&component.1))
        {
            refs(value, &mut inner);
        }
        queue.extend(inner.iter().filter_map(|r| component_of(r)));
        used.insert(component);
    }
    for (kind, members) in components {
        let Some(members) = members.as_object() else {
            continue;
        };
        if kind.starts_with("x-") {
            continue;
        }
        for name in members.keys() {
            if !used.contains(&(kind.clone(), name.clone())) {
                let what = match kind.as_str() {
                    "securitySchemes" => "no security requirement names it",
                    "schemas" => "nothing references it (its type is still generated)",
                    _ => "nothing references it",
                };
                out.push(Diagnostic::warning(
                    child(&child("#/components", kind), name),
                    format!("unused component `{kind}/{name}`: {what}"),
                ));
            }
        }
    }
}

/// One warning per unknown `x-` extension name, at its first use, with the count.
fn extensions(root: &Value, out: &mut Vec<Diagnostic>) {
    // name → (first pointer, uses), in first-seen order.
    let mut unknown: Vec<(String, String, usize)> = Vec::new();
    collect_extensions(root, "#", &mut unknown);
    let known: Vec<String> = KNOWN_EXTENSIONS
        .iter()
        .map(|(name, what)| format!("`{name}` ({what})"))
        .collect();
    for (name, pointer, uses) in unknown {
        let uses = match uses {
            1 => String::new(),
            n => format!(" ({n} uses)"),
        };
        out.push(
            Diagnostic::warning(
                pointer,
                format!("unknown extension `{name}`{uses} is ignored"),
            )
            .with_hint(format!(
                "tollgate reads {}; other extensions are only served in /openapi.json",
                known.join(", ")
            )),
        );
    }
}

fn collect_extensions(value: &Value, pointer: &str, unknown: &mut Vec<(String, String, usize)>) {
    walk(value, pointer, false, &mut |map, pointer| {
        for key in map.keys().filter(|k| k.starts_with("x-")) {
            if KNOWN_EXTENSIONS.iter().any(|(name, _)| name == key) {
                continue;
            }
            match unknown.iter_mut().find(|(name, ..)| name == key) {
                Some((_, _, uses)) => *uses += 1,
                None => unknown.push((key.clone(), child(pointer, key), 1)),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(root: &Value) -> Vec<String> {
        let (api, _) = crate::ir::lower(root);
        lint(root, &api)
            .into_iter()
            .map(|d| format!("{} (at {})", d.message, d.pointer))
            .collect()
    }

    #[test]
    fn template_params_are_found() {
        assert_eq!(template_params("/a/{b}/c/{d}"), ["b", "d"]);
        assert!(template_params("/a").is_empty());
    }

    #[test]
    fn a_clean_document_has_no_smells() {
        let root = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a/{id}": {"get": {
                "operationId": "getA",
                "parameters": [{"name": "id", "in": "path", "required": true,
                                "schema": {"type": "integer", "default": 3, "minimum": 1}}],
                "responses": {"200": {"description": "ok",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}
            }}},
            "components": {"schemas": {"A": {"type": "object", "x-tollgate-throttle": null}}}
        });
        assert_eq!(messages(&root), Vec::<String>::new());
    }

    #[test]
    fn defaults_are_checked() {
        let schema = |s: Value| {
            let map = s.as_object().unwrap().clone();
            default_problem(&map, &map["default"])
        };
        assert_eq!(
            schema(json!({"type": "integer", "default": "x"})).as_deref(),
            Some("is not an integer")
        );
        assert_eq!(
            schema(json!({"type": "string", "enum": ["a"], "default": "b"})).as_deref(),
            Some("is not one of the enum values \"a\"")
        );
        assert_eq!(
            schema(json!({"type": "integer", "minimum": 1, "default": 0})).as_deref(),
            Some("is below the minimum 1")
        );
        assert_eq!(
            schema(json!({"type": "string", "nullable": true, "default": null})),
            None
        );
    }
}
