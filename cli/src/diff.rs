//! `tollgate diff`: classify the changes between two versions of a spec as breaking or not.
//!
//! Operations are matched by method and path template (parameter names do not matter:
//! `/pets/{id}` matches `/pets/{petId}`). The rules are in [`RULES`], printed by `--help`
//! and listed in the README.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::{Map, Value};
use tollgate_codegen::load;

use crate::print_diagnostics;

/// The classification rules, as printed by `tollgate diff --help`.
pub const RULES: &str = "\
Breaking (exit 1):
  - an operation is removed
  - a response status is removed, or a media type of a kept response or request body
  - a parameter becomes required (new required parameter, or optional -> required)
  - a request body becomes required (new required body, or optional -> required)
  - a request schema narrows: a property becomes required, the type changes, an enum
    value is removed, a bound tightens (minimum, maximum, minLength, maxLength, minItems,
    maxItems), a pattern is added or changed, additionalProperties becomes false
  - a response schema changes what clients rely on: a required property is removed or
    becomes optional, the type changes, an enum value is added
  - the security of an operation tightens: a set of credentials that was accepted no
    longer is (e.g. public -> ApiKeyAuth, ApiKeyAuth -> ApiKeyAuth+BearerAuth)
Not breaking (exit 0):
  - an operation, a response status, a media type or an optional parameter is added
  - a parameter is removed, or becomes optional; a request body becomes optional
  - a request schema widens (enum value added, bound loosened, property becomes optional,
    optional property added); a response property is added or an enum value removed
  - the security of an operation relaxes (ApiKeyAuth -> public, or an alternative added)";

/// How `diff` prints the changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One line per change, then a summary.
    Text,
    /// `{"breaking": N, "changes": [{breaking, operation, message, pointer}]}`.
    Json,
}

/// `tollgate diff`.
#[derive(Debug, Args)]
#[command(after_help = RULES)]
pub struct DiffArgs {
    /// The old version of the spec.
    pub old: PathBuf,
    /// The new version of the spec.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Whether existing clients may break.
    pub breaking: bool,
    /// `GET /pets/{petId}` (as written in the new spec when it is still there).
    pub operation: String,
    /// What changed.
    pub message: String,
    /// JSON pointer in the new spec (or the old one for removals).
    pub pointer: String,
}

/// The JSON output.
#[derive(Debug, Serialize)]
struct Report<'a> {
    breaking: usize,
    changes: &'a [Change],
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `/pets/{petId}` → `/pets/{}`.
fn normalize(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push('{');
            }
            '}' => {
                depth -= 1;
                out.push('}');
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

fn deref<'a>(root: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| root.pointer(r.strip_prefix('#')?))
        {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

/// One side of the comparison: a document and one operation in it.
struct Op<'a> {
    root: &'a Value,
    path: &'a str,
    method: &'a str,
    item: &'a Map<String, Value>,
    op: &'a Map<String, Value>,
}

impl<'a> Op<'a> {
    fn pointer(&self) -> String {
        format!("#/paths/{}/{}", escape(self.path), self.method)
    }

    /// Parameters by (location, key): (name, required, schema), operation level overriding
    /// the path-item level. Path parameters are keyed by their position in the template, so
    /// renaming `{id}` to `{bookId}` changes nothing.
    fn params(&self) -> BTreeMap<(String, String), (String, bool, Option<&'a Value>)> {
        let template: Vec<&str> = self
            .path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split('}').next())
            .collect();
        let mut out = BTreeMap::new();
        for list in [self.item.get("parameters"), self.op.get("parameters")] {
            for param in list.and_then(Value::as_array).into_iter().flatten() {
                let param = deref(self.root, param);
                let (Some(name), Some(location)) = (
                    param.get("name").and_then(Value::as_str),
                    param.get("in").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let required = location == "path"
                    || param.get("required").and_then(Value::as_bool) == Some(true);
                let schema = param.get("schema").or_else(|| {
                    param
                        .get("content")
                        .and_then(Value::as_object)
                        .and_then(|c| c.values().next())
                        .and_then(|m| m.get("schema"))
                });
                let key = match location {
                    "header" => name.to_ascii_lowercase(),
                    "path" => template
                        .iter()
                        .position(|n| *n == name)
                        .map_or_else(|| name.to_owned(), |i| format!("{{{i}}}")),
                    _ => name.to_owned(),
                };
                out.insert(
                    (location.to_owned(), key),
                    (name.to_owned(), required, schema),
                );
            }
        }
        out
    }

    /// The effective security: sorted alternatives of sorted scheme names.
    fn security(&self) -> BTreeSet<BTreeSet<String>> {
        let list = self
            .op
            .get("security")
            .or_else(|| self.root.get("security"));
        list.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .map(|alt| alt.keys().cloned().collect())
            .collect()
    }
}

fn operations(root: &Value) -> BTreeMap<(String, String), Op<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in root
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(item) = deref(root, item).as_object() else {
            continue;
        };
        for method in METHODS {
            if let Some(op) = item.get(*method).and_then(Value::as_object) {
                out.insert(
                    (normalize(path), (*method).to_owned()),
                    Op {
                        root,
                        path,
                        method,
                        item,
                        op,
                    },
                );
            }
        }
    }
    out
}

/// Which way data flows through a schema: narrowing a request breaks callers, widening a
/// response breaks the code that reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Direction {
    Request,
    Response,
}

struct Differ<'a> {
    old_root: &'a Value,
    new_root: &'a Value,
    operation: String,
    pointer: String,
    changes: Vec<Change>,
    /// `$ref` pairs already compared (recursive schemas).
    seen: BTreeSet<(String, String, Direction)>,
}

impl Differ<'_> {
    fn push(&mut self, breaking: bool, message: String) {
        self.changes.push(Change {
            breaking,
            operation: self.operation.clone(),
            message,
            pointer: self.pointer.clone(),
        });
    }

    /// Compares two schemas at `place` (e.g. "request body", "response 200 `.items[]`").
    fn schema(&mut self, old: &Value, new: &Value, dir: Direction, body: &str, at: &str) {
        let place = if at.is_empty() {
            body.to_owned()
        } else {
            format!("{body} `{at}`")
        };
        let place = place.as_str();
        let old_ref = old.get("$ref").and_then(Value::as_str);
        let new_ref = new.get("$ref").and_then(Value::as_str);
        if let (Some(a), Some(b)) = (old_ref, new_ref) {
            if !self.seen.insert((a.to_owned(), b.to_owned(), dir)) {
                return;
            }
        }
        let old = deref(self.old_root, old);
        let new = deref(self.new_root, new);
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let (old_type, new_type) = (text(old, "type"), text(new, "type"));
        if old_type != new_type {
            let show = |t: &Option<String>| t.clone().unwrap_or_else(|| "any".to_owned());
            // Dropping a type in a request accepts more; anything else is a different type.
            let breaking = !(dir == Direction::Request && new_type.is_none());
            self.push(
                breaking,
                format!(
                    "{place}: type changed from {} to {}",
                    show(&old_type),
                    show(&new_type)
                ),
            );
            return;
        }
        self.enums(old, new, dir, place);
        if dir == Direction::Request {
            self.bounds(old, new, place);
        }
        self.properties(old, new, dir, body, at);
        if let (Some(a), Some(b)) = (old.get("items"), new.get("items")) {
            self.schema(a, b, dir, body, &format!("{at}[]"));
        }
    }

    fn enums(&mut self, old: &Value, new: &Value, dir: Direction, place: &str) {
        let values = |v: &Value| v.get("enum").and_then(Value::as_array).cloned();
        let (old_values, new_values) = (values(old), values(new));
        match (old_values, new_values) {
            (Some(a), Some(b)) => {
                for removed in a.iter().filter(|v| !b.contains(v)) {
                    self.push(
                        dir == Direction::Request,
                        format!("{place}: enum value {removed} removed"),
                    );
                }
                for added in b.iter().filter(|v| !a.contains(v)) {
                    self.push(
                        dir == Direction::Response,
                        format!("{place}: enum value {added} added"),
                    );
                }
            }
            (None, Some(_)) => self.push(
                dir == Direction::Request,
                format!("{place}: restricted to an enum"),
            ),
            (Some(_), None) => self.push(
                dir == Direction::Response,
                format!("{place}: no longer restricted to an enum"),
            ),
            (None, None) => {}
        }
    }

    fn bounds(&mut self, old: &Value, new: &Value, place: &str) {
        let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
        // (keyword, true when a larger value is tighter)
        for (keyword, larger_is_tighter) in [
            ("minimum", true),
            ("maximum", false),
            ("minLength", true),
            ("maxLength", false),
            ("minItems", true),
            ("maxItems", false),
        ] {
            let (a, b) = (num(old, keyword), num(new, keyword));
            let tighter = match (a, b) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) if a != b => (b > a) == larger_is_tighter,
                _ => continue,
            };
            let show = |v: Option<f64>| v.map_or_else(|| "none".to_owned(), |v| v.to_string());
            self.push(
                tighter,
                format!("{place}: {keyword} changed from {} to {}", show(a), show(b)),
            );
        }
        let (a, b) = (old.get("pattern"), new.get("pattern"));
        if a != b {
            self.push(
                b.is_some(),
                match b {
                    Some(p) => format!("{place}: pattern is now {p}"),
                    None => format!("{place}: pattern removed"),
                },
            );
        }
        let closed = |v: &Value| v.get("additionalProperties") == Some(&Value::Bool(false));
        if !closed(old) && closed(new) {
            self.push(true, format!("{place}: additionalProperties is now false"));
        }
    }

    fn properties(&mut self, old: &Value, new: &Value, dir: Direction, body: &str, at: &str) {
        let required = |v: &Value| -> BTreeSet<String> {
            v.get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        };
        let empty = Map::new();
        let props = |v: &Value| v.get("properties").and_then(Value::as_object).cloned();
        let (old_props, new_props) = (
            props(old).unwrap_or_else(|| empty.clone()),
            props(new).unwrap_or_else(|| empty.clone()),
        );
        let (old_req, new_req) = (required(old), required(new));
        let prop_at = |name: &str| format!("{at}.{name}");
        let prop_place = |name: &str| format!("{body} `{}`", prop_at(name));
        for name in new_req.difference(&old_req) {
            let message = if old_props.contains_key(name) {
                format!("{}: is now required", prop_place(name))
            } else {
                format!("{}: new required property", prop_place(name))
            };
            self.push(dir == Direction::Request, message);
        }
        for name in old_req.difference(&new_req) {
            let message = if new_props.contains_key(name) {
                format!("{}: is no longer required", prop_place(name))
            } else {
                format!("{}: required property removed", prop_place(name))
            };
            self.push(dir == Direction::Response, message);
        }
        for name in new_props.keys() {
            if !old_props.contains_key(name) && !new_req.contains(name) {
                self.push(
                    false,
                    format!("{}: new optional property", prop_place(name)),
                );
            }
        }
        for name in old_props.keys() {
            if !new_props.contains_key(name) && !old_req.contains(name) {
                self.push(
                    false,
                    format!("{}: optional property removed", prop_place(name)),
                );
            }
        }
        for (name, a) in &old_props {
            if let Some(b) = new_props.get(name) {
                self.schema(a, b, dir, body, &prop_at(name));
            }
        }
    }

    fn operation(&mut self, old: &Op<'_>, new: &Op<'_>) {
        // Parameters.
        let (old_params, new_params) = (old.params(), new.params());
        for ((location, key), (name, required, schema)) in &new_params {
            match old_params.get(&(location.clone(), key.clone())) {
                None => self.push(
                    *required,
                    format!(
                        "new {} {location} parameter `{name}`",
                        if *required { "required" } else { "optional" }
                    ),
                ),
                Some((_, was_required, old_schema)) => {
                    if *required && !was_required {
                        self.push(
                            true,
                            format!("{location} parameter `{name}` is now required"),
                        );
                    } else if !required && *was_required {
                        self.push(
                            false,
                            format!("{location} parameter `{name}` is no longer required"),
                        );
                    }
                    if let (Some(a), Some(b)) = (old_schema, schema) {
                        self.schema(
                            a,
                            b,
                            Direction::Request,
                            &format!("{location} parameter `{name}`"),
                            "",
                        );
                    }
                }
            }
        }
        for ((location, key), (name, ..)) in &old_params {
            if !new_params.contains_key(&(location.clone(), key.clone())) {
                self.push(false, format!("{location} parameter `{name}` removed"));
            }
        }

        // Request body.
        let body = |op: &Op<'_>| op.op.get("requestBody").map(|b| deref(op.root, b).clone());
        let required = |b: &Value| b.get("required").and_then(Value::as_bool) == Some(true);
        match (body(old), body(new)) {
            (None, Some(b)) => self.push(
                required(&b),
                format!(
                    "new {} request body",
                    if required(&b) { "required" } else { "optional" }
                ),
            ),
            (Some(_), None) => self.push(false, "request body removed".to_owned()),
            (Some(a), Some(b)) => {
                if required(&b) && !required(&a) {
                    self.push(true, "request body is now required".to_owned());
                } else if !required(&b) && required(&a) {
                    self.push(false, "request body is no longer required".to_owned());
                }
                self.content(&a, &b, Direction::Request, "request body");
            }
            (None, None) => {}
        }

        // Responses.
        let responses = |op: &Op<'_>| -> Map<String, Value> {
            op.op
                .get("responses")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (old_responses, new_responses) = (responses(old), responses(new));
        for status in old_responses.keys() {
            if !new_responses.contains_key(status) {
                self.push(true, format!("response {status} removed"));
            }
        }
        for (status, b) in &new_responses {
            match old_responses.get(status) {
                None => self.push(false, format!("response {status} added")),
                Some(a) => {
                    let a = deref(self.old_root, a).clone();
                    let b = deref(self.new_root, b).clone();
                    self.content(&a, &b, Direction::Response, &format!("response {status}"));
                }
            }
        }

        // Security.
        let (a, b) = (old.security(), new.security());
        if a != b {
            let show = |s: &BTreeSet<BTreeSet<String>>| {
                if s.is_empty() {
                    return "public".to_owned();
                }
                s.iter()
                    .map(|alt| match alt.is_empty() {
                        true => "anonymous".to_owned(),
                        false => alt.iter().cloned().collect::<Vec<_>>().join("+"),
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            // Public is one empty alternative; a caller's alternative still works when some
            // new alternative asks for a subset of its schemes.
            let effective = |s: &BTreeSet<BTreeSet<String>>| {
                if s.is_empty() {
                    BTreeSet::from([BTreeSet::new()])
                } else {
                    s.clone()
                }
            };
            let (old_alts, new_alts) = (effective(&a), effective(&b));
            let breaking = !old_alts
                .iter()
                .all(|alt| new_alts.iter().any(|n| n.is_subset(alt)));
            self.push(
                breaking,
                format!("security changed from {} to {}", show(&a), show(&b)),
            );
        }
    }

    /// Compares the `content` maps of two bodies.
    fn content(&mut self, old: &Value, new: &Value, dir: Direction, place: &str) {
        let content = |v: &Value| v.get("content").and_then(Value::as_object).cloned();
        let (Some(a), Some(b)) = (content(old), content(new)) else {
            match (content(old).is_some(), content(new).is_some()) {
                (true, false) => self.push(true, format!("{place}: content removed")),
                (false, true) => self.push(false, format!("{place}: content added")),
                _ => {}
            }
            return;
        };
        for media in a.keys() {
            if !b.contains_key(media) {
                self.push(true, format!("{place}: media type `{media}` removed"));
            }
        }
        for (media, new_media) in &b {
            match a.get(media) {
                None => self.push(false, format!("{place}: media type `{media}` added")),
                Some(old_media) => {
                    if let (Some(x), Some(y)) = (old_media.get("schema"), new_media.get("schema")) {
                        self.schema(x, y, dir, place, "");
                    }
                }
            }
        }
    }
}

/// Every change from `old` to `new` (two loaded documents), breaking ones first within
/// each operation, operations in path order.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let (old_ops, new_ops) = (operations(old), operations(new));
    let mut changes = Vec::new();
    let keys: BTreeSet<&(String, String)> = old_ops.keys().chain(new_ops.keys()).collect();
    for key in keys {
        match (old_ops.get(key), new_ops.get(key)) {
            (Some(a), None) => changes.push(Change {
                breaking: true,
                operation: format!("{} {}", a.method.to_ascii_uppercase(), a.path),
                message: "operation removed".to_owned(),
                pointer: a.pointer(),
            }),
            (None, Some(b)) => changes.push(Change {
                breaking: false,
                operation: format!("{} {}", b.method.to_ascii_uppercase(), b.path),
                message: "operation added".to_owned(),
                pointer: b.pointer(),
            }),
            (Some(a), Some(b)) => {
                let mut differ = Differ {
                    old_root: old,
                    new_root: new,
                    operation: format!("{} {}", b.method.to_ascii_uppercase(), b.path),
                    pointer: b.pointer(),
                    changes: Vec::new(),
                    seen: BTreeSet::new(),
                };
                differ.operation(a, b);
                differ.changes.sort_by_key(|c| !c.breaking);
                changes.extend(differ.changes);
            }
            (None, None) => {}
        }
    }
    changes
}

/// The text output: one line per change, then a summary line.
pub fn text(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        let kind = if c.breaking { "breaking" } else { "ok" };
        out.push_str(&format!("{kind:<8}  {}: {}\n", c.operation, c.message));
    }
    let breaking = changes.iter().filter(|c| c.breaking).count();
    out.push_str(&match (changes.len(), breaking) {
        (0, _) => "no changes\n".to_owned(),
        (n, 0) => format!("{n} change(s), none breaking\n"),
        (n, b) => format!("{n} change(s), {b} breaking\n"),
    });
    out
}

/// Runs `tollgate diff`.
pub fn run(args: &DiffArgs) -> ExitCode {
    let (old, new) = match (load::load(&args.old), load::load(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            for d in [old.err(), new.err()].into_iter().flatten() {
                print_diagnostics(&d.0);
            }
            return ExitCode::from(1);
        }
    };
    let changes = diff(&old.root, &new.root);
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let output = match args.format {
        DiffFormat::Text => text(&changes),
        DiffFormat::Json => {
            serde_json::to_string_pretty(&Report {
                breaking,
                changes: &changes,
            })
            .unwrap_or_default()
                + "\n"
        }
    };
    let _ = std::io::stdout().lock().write_all(output.as_bytes());
    if breaking > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A document whose only operation is `POST /things/{id}` = `op`.
    fn doc(op: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things/{id}": {"post": op}},
            "components": {"securitySchemes": {
                "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "BearerAuth": {"type": "http", "scheme": "bearer"}
            }}
        })
    }

    /// An operation with a JSON request body of `request` and a 200 answer of `response`.
    fn op(request: Value, response: Value) -> Value {
        json!({
            "requestBody": {"content": {"application/json": {"schema": request}}},
            "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": response}}}}
        })
    }

    /// `(breaking, message)` of every change from `old` to `new` (two operations).
    fn changes(old: Value, new: Value) -> Vec<(bool, String)> {
        diff(&doc(old), &doc(new))
            .into_iter()
            .map(|c| (c.breaking, c.message))
            .collect()
    }

    fn object(properties: Value, required: &[&str]) -> Value {
        json!({"type": "object", "properties": properties, "required": required})
    }

    fn with(mut op: Value, pointer: &str, value: Value) -> Value {
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        op.pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .expect("the parent exists")
            .insert(key.to_owned(), value);
        op
    }

    /// A named case: old operation, new operation, expected `(breaking, message)`s.
    type Case = (&'static str, Value, Value, Vec<(bool, &'static str)>);

    /// Each rule of [`RULES`], one change at a time.
    #[test]
    fn every_rule_classifies_as_documented() {
        let s = |t: &str| json!({"type": t});
        let base = op(
            object(
                json!({"name": {"type": "string", "minLength": 1, "maxLength": 10},
                       "kind": {"type": "string", "enum": ["a", "b"]},
                       "n": {"type": "integer", "minimum": 0, "maximum": 10},
                       "tags": {"type": "array", "items": s("string"), "maxItems": 5}}),
                &["name"],
            ),
            object(
                json!({"id": s("string"), "note": s("string"),
                       "state": {"type": "string", "enum": ["on", "off"]}}),
                &["id", "note"],
            ),
        );
        let request = |schema: Value| {
            with(
                base.clone(),
                "/requestBody/content/application~1json/schema",
                schema,
            )
        };
        let response = |schema: Value| {
            with(
                base.clone(),
                "/responses/200/content/application~1json/schema",
                schema,
            )
        };
        let prop = |pointer: &str, schema: Value| with(base.clone(), pointer, schema);
        let req = "/requestBody/content/application~1json/schema/properties";
        let res = "/responses/200/content/application~1json/schema/properties";
        let param = |required: bool| json!([{"name": "q", "in": "query", "required": required, "schema": s("string")}]);
        let cases: Vec<Case> = vec![
            // Breaking.
            (
                "response removed",
                base.clone(),
                with(
                    base.clone(),
                    "/responses",
                    json!({"201": {"description": "x"}}),
                ),
                vec![
                    (true, "response 200 removed"),
                    (false, "response 201 added"),
                ],
            ),
            (
                "response media type removed",
                base.clone(),
                with(
                    base.clone(),
                    "/responses/200/content",
                    json!({"text/plain": {"schema": s("string")}}),
                ),
                vec![
                    (true, "response 200: media type `application/json` removed"),
                    (false, "response 200: media type `text/plain` added"),
                ],
            ),
            (
                "request media type removed",
                base.clone(),
                with(
                    base.clone(),
                    "/requestBody/content",
                    json!({"text/plain": {"schema": s("string")}}),
                ),
                vec![
                    (true, "request body: media type `application/json` removed"),
                    (false, "request body: media type `text/plain` added"),
                ],
            ),
            (
                "new required parameter",
                base.clone(),
                with(base.clone(), "/parameters", param(true)),
                vec![(true, "new required query parameter `q`")],
            ),
            (
                "parameter becomes required",
                with(base.clone(), "/parameters", param(false)),
                with(base.clone(), "/parameters", param(true)),
                vec![(true, "query parameter `q` is now required")],
            ),
            (
                "body becomes required",
                base.clone(),
                with(base.clone(), "/requestBody/required", json!(true)),
                vec![(true, "request body is now required")],
            ),
            (
                "request property becomes required",
                base.clone(),
                with(
                    base.clone(),
                    "/requestBody/content/application~1json/schema/required",
                    json!(["name", "kind"]),
                ),
                vec![(true, "request body `.kind`: is now required")],
            ),
            (
                "request type changes",
                base.clone(),
                prop(&format!("{req}/n"), s("string")),
                vec![(
                    true,
                    "request body `.n`: type changed from integer to string",
                )],
            ),
            (
                "request enum value removed",
                base.clone(),
                prop(
                    &format!("{req}/kind"),
                    json!({"type": "string", "enum": ["a"]}),
                ),
                vec![(true, "request body `.kind`: enum value \"b\" removed")],
            ),
            (
                "request bounds tighten",
                base.clone(),
                prop(
                    &format!("{req}/n"),
                    json!({"type": "integer", "minimum": 1, "maximum": 5}),
                ),
                vec![
                    (true, "request body `.n`: minimum changed from 0 to 1"),
                    (true, "request body `.n`: maximum changed from 10 to 5"),
                ],
            ),
            (
                "pattern added",
                base.clone(),
                prop(
                    &format!("{req}/name"),
                    json!({"type": "string", "minLength": 1, "maxLength": 10, "pattern": "^[a-z]+$"}),
                ),
                vec![(true, "request body `.name`: pattern is now \"^[a-z]+$\"")],
            ),
            (
                "additionalProperties closed",
                base.clone(),
                with(
                    base.clone(),
                    "/requestBody/content/application~1json/schema/additionalProperties",
                    json!(false),
                ),
                vec![(true, "request body: additionalProperties is now false")],
            ),
            (
                "response required property removed",
                base.clone(),
                with(
                    base.clone(),
                    "/responses/200/content/application~1json/schema/required",
                    json!(["id"]),
                ),
                vec![(true, "response 200 `.note`: is no longer required")],
            ),
            (
                "response type changes",
                base.clone(),
                prop(&format!("{res}/id"), s("integer")),
                vec![(
                    true,
                    "response 200 `.id`: type changed from string to integer",
                )],
            ),
            (
                "response enum value added",
                base.clone(),
                prop(
                    &format!("{res}/state"),
                    json!({"type": "string", "enum": ["on", "off", "broken"]}),
                ),
                vec![(true, "response 200 `.state`: enum value \"broken\" added")],
            ),
            (
                "security: public to a key",
                base.clone(),
                with(base.clone(), "/security", json!([{"ApiKeyAuth": []}])),
                vec![(true, "security changed from public to ApiKeyAuth")],
            ),
            (
                "security: a second scheme required",
                with(base.clone(), "/security", json!([{"ApiKeyAuth": []}])),
                with(
                    base.clone(),
                    "/security",
                    json!([{"ApiKeyAuth": [], "BearerAuth": []}]),
                ),
                vec![(
                    true,
                    "security changed from ApiKeyAuth to ApiKeyAuth+BearerAuth",
                )],
            ),
            // Not breaking.
            (
                "optional parameter added",
                base.clone(),
                with(base.clone(), "/parameters", param(false)),
                vec![(false, "new optional query parameter `q`")],
            ),
            (
                "parameter removed",
                with(base.clone(), "/parameters", param(true)),
                base.clone(),
                vec![(false, "query parameter `q` removed")],
            ),
            (
                "parameter becomes optional",
                with(base.clone(), "/parameters", param(true)),
                with(base.clone(), "/parameters", param(false)),
                vec![(false, "query parameter `q` is no longer required")],
            ),
            (
                "body becomes optional",
                with(base.clone(), "/requestBody/required", json!(true)),
                base.clone(),
                vec![(false, "request body is no longer required")],
            ),
            (
                "request widens",
                base.clone(),
                request(object(
                    json!({"name": {"type": "string", "maxLength": 20},
                       "kind": {"type": "string", "enum": ["a", "b", "c"]},
                       "n": {"type": "integer", "minimum": 0, "maximum": 10},
                       "tags": {"type": "array", "items": s("string"), "maxItems": 5},
                       "extra": s("string")}),
                    &[],
                )),
                vec![
                    (false, "request body `.name`: is no longer required"),
                    (false, "request body `.extra`: new optional property"),
                    (
                        false,
                        "request body `.name`: minLength changed from 1 to none",
                    ),
                    (
                        false,
                        "request body `.name`: maxLength changed from 10 to 20",
                    ),
                    (false, "request body `.kind`: enum value \"c\" added"),
                ],
            ),
            (
                "response grows",
                base.clone(),
                response(object(
                    json!({"id": s("string"), "note": s("string"),
                       "state": {"type": "string", "enum": ["on"]}, "since": s("string")}),
                    &["id", "note"],
                )),
                vec![
                    (false, "response 200 `.since`: new optional property"),
                    (false, "response 200 `.state`: enum value \"off\" removed"),
                ],
            ),
            (
                "security relaxes",
                with(base.clone(), "/security", json!([{"ApiKeyAuth": []}])),
                with(base.clone(), "/security", json!([])),
                vec![(false, "security changed from ApiKeyAuth to public")],
            ),
            (
                "security alternative added",
                with(base.clone(), "/security", json!([{"ApiKeyAuth": []}])),
                with(
                    base.clone(),
                    "/security",
                    json!([{"ApiKeyAuth": []}, {"BearerAuth": []}]),
                ),
                vec![(
                    false,
                    "security changed from ApiKeyAuth to ApiKeyAuth | BearerAuth",
                )],
            ),
        ];
        for (name, old, new, expected) in cases {
            let expected: Vec<(bool, String)> = expected
                .into_iter()
                .map(|(b, m)| (b, m.to_owned()))
                .collect();
            assert_eq!(changes(old, new), expected, "{name}");
        }
    }

    #[test]
    fn operations_added_and_removed() {
        let a = doc(json!({"responses": {"200": {"description": "ok"}}}));
        let mut b = a.clone();
        let paths = b["paths"].as_object_mut().expect("paths");
        let item = paths.remove("/things/{id}").expect("the path");
        paths.insert("/things/{thingId}/parts".to_owned(), item);
        let found: Vec<(bool, String, String)> = diff(&a, &b)
            .into_iter()
            .map(|c| (c.breaking, c.operation, c.message))
            .collect();
        assert_eq!(
            found,
            [
                (
                    true,
                    "POST /things/{id}".to_owned(),
                    "operation removed".to_owned()
                ),
                (
                    false,
                    "POST /things/{thingId}/parts".to_owned(),
                    "operation added".to_owned()
                ),
            ]
        );
        assert!(
            diff(&a, &a).is_empty(),
            "a document does not differ from itself"
        );
    }

    #[test]
    fn paths_match_whatever_the_parameter_names() {
        assert_eq!(normalize("/pets/{petId}/x/{y}"), "/pets/{}/x/{}");
    }
}
