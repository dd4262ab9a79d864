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

use serde_json::{json, Map, Value};

use super::Operation;

/// The component name of the problem schema (suffixed if the spec uses the name).
const PROBLEM: &str = "TollgateProblem";

/// `root` with the gateway's own answers documented on every operation.
pub(crate) fn served_spec(root: &Value, operations: &[Operation]) -> Value {
    let mut doc = root.clone();
    let name = problem_name(&doc);
    let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
    let mut added = false;
    for op in operations {
        let Some(responses) = doc
            .pointer_mut(&format!(
                "/paths/{}/{}/responses",
                escape(&op.path),
                op.method.to_ascii_lowercase()
            ))
            .and_then(Value::as_object_mut)
        else {
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

/// RFC 6901 escaping of one pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
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
    use super::*;

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
        let (api, _) = crate::ir::lower(&root);
        let served = served_spec(&root, &api.operations);
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
