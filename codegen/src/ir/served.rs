//! The document the gateway serves at `GET /openapi.json` (the generated `SPEC`): the spec
//! as loaded, plus the answers the gateway itself gives for each operation, so that clients
//! and contract testers (schemathesis) see every status code they can receive.
//!
//! Added per operation, only where the spec does not already document the status:
//! `400` when it has parameters or a body (validation), `401` and `403` when it needs
//! credentials, `413` and `415` when it takes a body, `429` always (throttling). Each is an
//! `application/problem+json` body (RFC 9457) described by the `TollgateProblem` schema,
//! and marked `x-tollgate-gateway: true`. Where the spec documents the status already, the
//! problem media type is added beside its own.

use rustc_hash::FxHashMap as HashMap;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Map, Value};

use super::Operation;

/// The component name of the problem schema (suffixed if the spec uses the name).
const PROBLEM: &str = "TollgateProblem";

/// The served document: `root` with the gateway's own answers documented on every
/// operation. Only what changes is held here (the `responses` of each operation, the
/// problem schema); the rest is written straight from `root` by [`Served::to_json`], byte
/// for byte what writing a patched copy of the whole document gives, without the copy.
pub(crate) struct Served<'a> {
    root: &'a Value,
    patch: Patch,
}

/// The statuses the gateway answers one operation with on its own (see
/// [`gateway_statuses`]), with where the operation is: all serving needs of the IR, taken
/// before the IR is finished, so that the document is written beside that.
pub(crate) struct Answers {
    path: String,
    /// Lowercase, as the document spells it.
    method: String,
    statuses: Vec<(&'static str, &'static str)>,
}

/// The gateway's own answers of each of `operations`.
pub(crate) fn answers(operations: &[Operation]) -> Vec<Answers> {
    operations
        .iter()
        .map(|op| Answers {
            path: op.path.clone(),
            method: op.method.to_ascii_lowercase(),
            statuses: gateway_statuses(op),
        })
        .collect()
}

/// What serving `root` adds for the operations' `answers` (see [`Served`]).
pub(crate) fn served<'a>(root: &'a Value, answers: Vec<Answers>) -> Served<'a> {
    let name = problem_name(root);
    let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
    let mut added = false;
    let mut patch = Patch::default();
    for Answers {
        path,
        method,
        statuses,
    } in answers
    {
        let Some(current) = root
            .get("paths")
            .and_then(|paths| paths.get(&path))
            .and_then(|item| item.get(&method))
            .and_then(|op| op.get("responses"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        let mut patched = current.clone();
        for (status, why) in statuses {
            added |= document(&mut patched, status, why, &reference);
        }
        patch.at(&["paths", &path, &method, "responses"]).replaced = Some(Value::Object(patched));
    }
    if added {
        // The problem schema goes at the end of `components.schemas`, each made where
        // missing (and nowhere when either is there but not an object).
        let problem = (name, problem_schema());
        let member = |key: &str, value| Value::Object(Map::from_iter([(key.to_owned(), value)]));
        match root.get("components") {
            None => {
                let schemas = member(&problem.0, problem.1);
                patch
                    .appended
                    .push(("components".into(), member("schemas", schemas)));
            }
            Some(Value::Object(components)) => match components.get("schemas") {
                None => {
                    let schemas = member(&problem.0, problem.1);
                    patch
                        .at(&["components"])
                        .appended
                        .push(("schemas".into(), schemas));
                }
                Some(Value::Object(_)) => {
                    patch.at(&["components", "schemas"]).appended.push(problem)
                }
                Some(_) => {}
            },
            Some(_) => {}
        }
    }
    Served { root, patch }
}

impl Served<'_> {
    /// The document as JSON text.
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(&Patched(self.root, &self.patch)).unwrap_or_default()
    }
}

/// What changes in one value of the document.
#[derive(Debug, Default)]
struct Patch {
    /// The value written instead, whole.
    replaced: Option<Value>,
    /// Members of an object that change, each by its own patch.
    members: HashMap<String, Patch>,
    /// Members added at the end of an object (names it does not have).
    appended: Vec<(String, Value)>,
}

impl Patch {
    /// The patch of the value at `path` below this one (made empty if there is none).
    fn at(&mut self, path: &[&str]) -> &mut Patch {
        path.iter().fold(self, |patch, key| {
            patch.members.entry((*key).to_owned()).or_default()
        })
    }
}

/// A value written with its patch: a patch of members applies to an object only.
struct Patched<'a>(&'a Value, &'a Patch);

impl Serialize for Patched<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Self(value, patch) = *self;
        if let Some(replaced) = &patch.replaced {
            return replaced.serialize(serializer);
        }
        let Value::Object(object) = value else {
            return value.serialize(serializer);
        };
        // No length: serde_json closes a map announced empty at once, and members may be
        // appended.
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in object {
            match patch.members.get(key) {
                Some(patch) => map.serialize_entry(key, &Patched(value, patch))?,
                None => map.serialize_entry(key, value)?,
            }
        }
        for (key, value) in &patch.appended {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The statuses the gateway may answer `op` with on its own, with a description.
fn gateway_statuses(op: &Operation) -> Vec<(&'static str, &'static str)> {
    let mut statuses = Vec::new();
    if !op.params.is_empty() || op.body.is_some() {
        statuses.push((
            "400",
            "The request does not match the API contract (answered by the gateway).",
        ));
    }
    if op
        .security
        .iter()
        .all(|alternative| !alternative.is_empty())
        && !op.security.is_empty()
    {
        statuses.push((
            "401",
            "Missing or invalid credentials (answered by the gateway).",
        ));
        statuses.push((
            "403",
            "Valid credentials without the required scope (answered by the gateway).",
        ));
    }
    if op.body.is_some() {
        statuses.push((
            "413",
            "The body is larger than the gateway's limit (answered by the gateway).",
        ));
        statuses.push((
            "415",
            "The body's media type is not documented (answered by the gateway).",
        ));
    }
    statuses.push((
        "429",
        "A throttle or quota limit was reached (answered by the gateway).",
    ));
    statuses
}

/// Documents `status` in `responses`; returns whether the problem schema is now used.
fn document(
    responses: &mut Map<String, Value>,
    status: &str,
    description: &str,
    reference: &Value,
) -> bool {
    let media = json!({ "schema": reference });
    match responses.get_mut(status) {
        // A `$ref`'d response is shared; leave it as the author wrote it.
        Some(Value::Object(existing)) if existing.contains_key("$ref") => false,
        Some(Value::Object(existing)) => {
            let content = existing
                .entry("content")
                .or_insert_with(|| Value::Object(Map::new()));
            match content.as_object_mut() {
                Some(content) if !content.contains_key("application/problem+json") => {
                    content.insert("application/problem+json".into(), media);
                    true
                }
                _ => false,
            }
        }
        Some(_) => false,
        None => {
            responses.insert(
                status.to_owned(),
                json!({
                    "description": description,
                    "x-tollgate-gateway": true,
                    "content": { "application/problem+json": media },
                }),
            );
            true
        }
    }
}

/// `TollgateProblem`, or `TollgateProblem2`, … if the spec has a schema of that name.
fn problem_name(doc: &Value) -> String {
    let taken = |n: &str| {
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .is_some_and(|s| s.contains_key(n))
    };
    let mut name = PROBLEM.to_owned();
    let mut n = 2;
    while taken(&name) {
        name = format!("{PROBLEM}{n}");
        n += 1;
    }
    name
}

/// The RFC 9457 problem body the gateway sends (see the README's Errors section).
fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details, as the gateway answers on its own.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": { "type": "string" },
            "title": { "type": "string" },
            "status": { "type": "integer" },
            "detail": { "type": "string" },
            "errors": {
                "type": "array",
                "description": "Every contract violation (validation problems only).",
                "items": {
                    "type": "object",
                    "required": ["in", "pointer", "keyword", "message"],
                    "properties": {
                        "in": { "type": "string", "enum": ["path", "query", "header", "cookie", "body"] },
                        "name": { "type": "string" },
                        "pointer": { "type": "string" },
                        "keyword": { "type": "string" },
                        "message": { "type": "string" }
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The served document as a patched copy of the whole spec: what [`Served`] writes
    /// without copying (the oracle of `served_json_is_the_patched_copy`).
    fn patched_copy(root: &Value, operations: &[Operation]) -> Value {
        let mut doc = root.clone();
        let name = problem_name(&doc);
        let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
        let mut added = false;
        for op in operations {
            let escaped = op.path.replace('~', "~0").replace('/', "~1");
            let pointer = format!(
                "/paths/{escaped}/{}/responses",
                op.method.to_ascii_lowercase()
            );
            let Some(responses) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
                continue;
            };
            for (status, why) in gateway_statuses(op) {
                added |= document(responses, status, why, &reference);
            }
        }
        if added {
            if let Some(root) = doc.as_object_mut() {
                let schemas = root
                    .entry("components")
                    .or_insert_with(|| Value::Object(Map::new()))
                    .as_object_mut()
                    .map(|c| {
                        c.entry("schemas")
                            .or_insert_with(|| Value::Object(Map::new()))
                    });
                if let Some(Value::Object(schemas)) = schemas {
                    schemas.insert(name, problem_schema());
                }
            }
        }
        doc
    }

    fn served_value(root: &Value) -> Value {
        let (api, _) = crate::ir::lower(root);
        serde_json::from_str(&served(root, answers(&api.operations)).to_json())
            .expect("served JSON")
    }

    #[test]
    fn served_json_is_the_patched_copy() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let mut documents: Vec<Value> = [
            "petstore.yaml",
            "auth.yaml",
            "content/multipart.yaml",
            "corpus/adyen.com__HopService.json",
            "corpus/twilio.com__twilio_numbers_v2.json",
        ]
        .iter()
        .map(|spec| crate::load::load(&dir.join(spec)).expect(spec).root)
        .collect();
        let paths = json!({"/a": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}, "415": {"$ref": "#/components/responses/R"}}
        }}});
        let info = json!({"title": "t", "version": "1"});
        // No `components`; `components` without `schemas`; the name taken; not objects.
        documents.push(json!({"openapi": "3.0.3", "info": info, "paths": paths}));
        documents.push(json!({"openapi": "3.0.3", "info": info, "paths": paths,
            "components": {"responses": {"R": {"description": "r"}}}}));
        documents.push(json!({"openapi": "3.0.3", "info": info, "paths": paths,
            "components": {"schemas": {"TollgateProblem": {"type": "string"}}}}));
        documents.push(json!({"openapi": "3.0.3", "info": info, "paths": paths,
            "components": {"schemas": []}}));
        documents.push(json!({"openapi": "3.0.3", "info": info, "paths": paths, "components": []}));
        for root in &documents {
            let (api, _) = crate::ir::lower(root);
            let expected =
                serde_json::to_string(&patched_copy(root, &api.operations)).expect("JSON");
            assert_eq!(served(root, answers(&api.operations)).to_json(), expected);
        }
    }

    #[test]
    fn gateway_answers_are_documented_where_missing() {
        let root = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "security": [{"key": []}],
            "paths": {
                "/a/{id}": {"get": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "ok"}, "400": {"description": "mine", "content": {"application/json": {}}}}
                }},
                "/health": {"get": {"security": [], "responses": {"200": {"description": "ok"}}}}
            },
            "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "k"}}}
        });
        let served = served_value(&root);
        let a = &served["paths"]["/a/{id}"]["get"]["responses"];
        assert_eq!(a["400"]["description"], "mine");
        assert!(a["400"]["content"]["application/problem+json"].is_object());
        assert!(a["401"]["content"]["application/problem+json"].is_object());
        assert!(a["429"].is_object());
        assert!(a["413"].is_null(), "no body: no 413");
        let health = &served["paths"]["/health"]["get"]["responses"];
        assert!(health["401"].is_null(), "public: no 401");
        assert!(health["400"].is_null(), "no input: no 400");
        assert!(health["429"].is_object());
        assert!(served["components"]["schemas"]["TollgateProblem"].is_object());
    }
}
