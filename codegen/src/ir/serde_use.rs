//! Which types must derive `Deserialize`: those a request carries, and those `Mock`
//! builds by deserializing JSON.
//!
//! `serde`'s `Deserialize` derive is the largest code a type brings (a field enum, a
//! visitor for maps and another for sequences) and most of a large module's compile time.
//! A gateway reads requests and writes responses, so a type only found in responses needs
//! `Serialize` alone. Every type still derives `Serialize` (its `validate()` method works
//! on the serialized value); `Settings::serde_both_ways` restores `Deserialize` everywhere
//! for users who also read responses with these types (clients, tests).

use std::collections::BTreeSet;

use super::mock_plan::MockExpr;
use super::schema::any_named as named;
use super::{Api, RustType, TypeKind};

/// The named types that must derive `Deserialize`, closed over what they contain.
pub(crate) fn deserialized_types(api: &Api) -> BTreeSet<String> {
    let mut roots: Vec<&RustType> = Vec::new();
    for op in &api.operations {
        roots.extend(op.params.iter().map(|p| &p.ty));
        if let Some(body) = &op.body {
            roots.push(&body.ty);
            roots.extend(body.multipart.iter().map(|f| &f.ty));
        }
        for response in &op.responses {
            // The mock deserializes its response headers from JSON.
            roots.extend(response.headers.iter().map(|h| &h.ty));
            if let Some(body) = &response.body {
                mock_fallbacks(&body.mock_plan, &mut roots);
            }
        }
    }
    let mut out = BTreeSet::new();
    let mut stack: Vec<&str> = roots.into_iter().filter_map(named).collect();
    while let Some(name) = stack.pop() {
        if !out.insert(name.to_owned()) {
            continue;
        }
        let Some(def) = api.types.get(name) else {
            continue;
        };
        match &def.kind {
            TypeKind::Struct {
                fields, additional, ..
            } => {
                stack.extend(fields.iter().filter_map(|f| named(&f.ty)));
                stack.extend(additional.iter().filter_map(named));
            }
            TypeKind::Untagged { variants } => {
                stack.extend(variants.iter().filter_map(|(_, ty)| named(ty)));
            }
            TypeKind::Tagged { variants, .. } => {
                stack.extend(variants.iter().map(|(_, _, payload)| payload.as_str()));
            }
            TypeKind::Alias(ty) => stack.extend(named(ty)),
            TypeKind::StringEnum { .. } | TypeKind::ValueEnum { .. } => {}
        }
    }
    out
}

/// The types of the positions where a mock plan deserializes JSON.
fn mock_fallbacks<'a>(plan: &'a MockExpr, roots: &mut Vec<&'a RustType>) {
    match plan {
        MockExpr::Json { ty, .. } => roots.push(ty),
        MockExpr::Vec(items) => items.iter().for_each(|e| mock_fallbacks(e, roots)),
        MockExpr::Map(entries) => entries.iter().for_each(|(_, e)| mock_fallbacks(e, roots)),
        MockExpr::Some(inner) | MockExpr::Boxed(inner) => mock_fallbacks(inner, roots),
        MockExpr::Newtype { payload, .. } => mock_fallbacks(payload, roots),
        MockExpr::Struct {
            fields, additional, ..
        } => {
            fields.iter().for_each(|(_, e)| mock_fallbacks(e, roots));
            additional
                .iter()
                .flatten()
                .for_each(|(_, e)| mock_fallbacks(e, roots));
        }
        MockExpr::String(_)
        | MockExpr::Bool(_)
        | MockExpr::I32(_)
        | MockExpr::I64(_)
        | MockExpr::F32(_)
        | MockExpr::F64(_)
        | MockExpr::None
        | MockExpr::Unit { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::ir::mock_plan::MockExpr;

    #[test]
    fn only_request_types_and_mock_fallbacks_are_deserialized() {
        let root = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/pets": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}},
                "responses": {
                    "201": {"description": "made", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                    "default": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                }
            }}},
            "components": {"schemas": {
                "NewPet": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"}, "kind": {"$ref": "#/components/schemas/Kind"}
                }},
                "Pet": {"type": "object", "required": ["id", "kind"], "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "owner": {"$ref": "#/components/schemas/Owner"}
                }},
                "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Kind": {"type": "string", "enum": ["cat", "dog"]},
                "Error": {"type": "object", "properties": {"message": {"type": "string"}}}
            }}
        });
        let (api, _) = crate::ir::lower(&root);
        let deserialized: Vec<&str> = api.deserialized.iter().map(String::as_str).collect();
        // The request body and what it contains; `Kind` also sits in `Pet`.
        assert_eq!(deserialized, ["Kind", "NewPet"]);
        // The mock builds `Pet` by hand, so it needs no `Deserialize`.
        let created = api.operations[0].responses[0].body.as_ref().unwrap();
        match &created.mock_plan {
            MockExpr::Struct { name, fields, .. } => {
                assert_eq!(name, "Pet");
                let kind = &fields.iter().find(|(f, _)| f == "kind").unwrap().1;
                assert_eq!(
                    kind,
                    &MockExpr::Unit {
                        name: "Kind".into(),
                        variant: "Cat".into()
                    }
                );
                let owner = &fields.iter().find(|(f, _)| f == "owner").unwrap().1;
                assert_eq!(owner, &MockExpr::None);
            }
            other => panic!("the mock deserializes: {other:?}"),
        }
    }
}
