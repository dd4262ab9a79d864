//! Walking a document as OpenAPI, not as plain JSON: every node reached is visited with the
//! kind of OpenAPI object that sits there (schema, parameter, response, …). Literal data
//! (`example`, `default`, `enum`, extensions, …) is never entered, so a `$ref` key inside an
//! example is not mistaken for a reference.

use serde_json::Value;

/// The kind of OpenAPI object at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Document,
    Components,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Header,
    MediaType,
    Encoding,
    Schema,
    Example,
    Link,
    Callback,
    SecurityScheme,
}

impl Kind {
    /// The `components` section that holds objects of this kind (the 3.0 ones).
    pub(crate) fn section(self) -> Option<&'static str> {
        Some(match self {
            Kind::Schema => "schemas",
            Kind::Response => "responses",
            Kind::Parameter => "parameters",
            Kind::Example => "examples",
            Kind::RequestBody => "requestBodies",
            Kind::Header => "headers",
            Kind::SecurityScheme => "securitySchemes",
            Kind::Link => "links",
            Kind::Callback => "callbacks",
            _ => return None,
        })
    }

    /// The kind whose `components` section is called `section`.
    pub(crate) fn from_section(section: &str) -> Option<Kind> {
        Some(match section {
            "schemas" => Kind::Schema,
            "responses" => Kind::Response,
            "parameters" => Kind::Parameter,
            "examples" => Kind::Example,
            "requestBodies" => Kind::RequestBody,
            "headers" => Kind::Header,
            "securitySchemes" => Kind::SecurityScheme,
            "links" => Kind::Link,
            "callbacks" => Kind::Callback,
            "pathItems" => Kind::PathItem,
            _ => return None,
        })
    }
}

/// What a child position holds.
#[derive(Clone, Copy)]
enum Ctx {
    Node(Kind),
    /// A map whose every value is a `Kind`.
    MapOf(Kind),
    /// A map of `Kind`s that may also hold `x-` extensions (paths, responses).
    ExtMapOf(Kind),
    ListOf(Kind),
    Skip,
}

fn child(kind: Kind, key: &str, value: &Value) -> Ctx {
    use Kind::*;
    match (kind, key) {
        (Document, "paths") => Ctx::ExtMapOf(PathItem),
        (Document, "components") => Ctx::Node(Components),
        (Components, section) => match Kind::from_section(section) {
            Some(kind) => Ctx::MapOf(kind),
            None => Ctx::Skip,
        },
        (PathItem, "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace") => {
            Ctx::Node(Operation)
        }
        (PathItem | Operation, "parameters") => Ctx::ListOf(Parameter),
        (Operation, "requestBody") => Ctx::Node(RequestBody),
        (Operation, "responses") => Ctx::ExtMapOf(Response),
        (Operation, "callbacks") => Ctx::MapOf(Callback),
        (Callback, key) if !key.starts_with("x-") => Ctx::Node(PathItem),
        (Parameter | Header | MediaType, "schema") => Ctx::Node(Schema),
        (Parameter | Header | MediaType, "examples") => Ctx::MapOf(Example),
        (Parameter | Header | RequestBody | Response, "content") => Ctx::MapOf(MediaType),
        (Response | Encoding, "headers") => Ctx::MapOf(Header),
        (Response, "links") => Ctx::MapOf(Link),
        (MediaType, "encoding") => Ctx::MapOf(Encoding),
        (Schema, key) => schema_child(key, value),
        _ => Ctx::Skip,
    }
}

fn schema_child(key: &str, value: &Value) -> Ctx {
    match key {
        "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
            Ctx::MapOf(Kind::Schema)
        }
        "items" if value.is_array() => Ctx::ListOf(Kind::Schema),
        "allOf" | "anyOf" | "oneOf" | "prefixItems" => Ctx::ListOf(Kind::Schema),
        // `true`/`false` are meaningful there in OpenAPI 3.0 too.
        "additionalProperties"
        | "unevaluatedProperties"
        | "additionalItems"
        | "unevaluatedItems"
            if value.is_boolean() =>
        {
            Ctx::Skip
        }
        "items"
        | "additionalProperties"
        | "unevaluatedProperties"
        | "additionalItems"
        | "unevaluatedItems"
        | "not"
        | "contains"
        | "if"
        | "then"
        | "else"
        | "propertyNames"
        | "contentSchema" => Ctx::Node(Kind::Schema),
        _ => Ctx::Skip,
    }
}

/// One step of a path: a mapping key or a sequence index, borrowed from the walked value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// `path` as owned pointer segments.
pub(crate) fn owned(path: &[Seg<'_>]) -> Vec<String> {
    path.iter()
        .map(|seg| match seg {
            Seg::Key(key) => (*key).to_owned(),
            Seg::Index(i) => i.to_string(),
        })
        .collect()
}

/// `path` as a URI-fragment JSON pointer.
pub(crate) fn pointer(path: &[Seg<'_>]) -> String {
    super::pointer::to_pointer(&owned(path))
}

/// The OpenAPI objects directly below `value` (an object of kind `kind`), through the maps
/// and lists that hold them: each with its path relative to `value`.
pub(crate) fn children(value: &Value, kind: Kind) -> Vec<(Vec<Seg<'_>>, &Value, Kind)> {
    let mut out = Vec::new();
    let Value::Object(map) = value else {
        return out;
    };
    for (key, child_value) in map {
        let ctx = child(kind, key, child_value);
        match (ctx, child_value) {
            (Ctx::Node(kind), _) => out.push((vec![Seg::Key(key)], child_value, kind)),
            (Ctx::MapOf(kind) | Ctx::ExtMapOf(kind), Value::Object(items)) => {
                let extensions = matches!(ctx, Ctx::ExtMapOf(_));
                for (name, item) in items {
                    if !(extensions && name.starts_with("x-")) {
                        out.push((vec![Seg::Key(key), Seg::Key(name)], item, kind));
                    }
                }
            }
            (Ctx::ListOf(kind), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    out.push((vec![Seg::Key(key), Seg::Index(i)], item, kind));
                }
            }
            _ => {}
        }
    }
    out
}

/// A visitor for [`walk`]: the node, its kind, and its path from the walk's start.
pub(crate) type Visit<'f> = dyn FnMut(&Value, Kind, &[Seg<'_>]) + 'f;
/// A visitor for [`walk_mut`]; it may rewrite the node before its children are walked.
pub(crate) type VisitMut<'f> = dyn FnMut(&mut Value, Kind, &[Seg<'_>]) + 'f;

/// Visits `value` (an object of kind `kind` at `path`) and every OpenAPI object below it,
/// parents before children.
pub(crate) fn walk<'a>(
    value: &'a Value,
    kind: Kind,
    path: &mut Vec<Seg<'a>>,
    visit: &mut Visit<'_>,
) {
    visit(value, kind, path);
    if let Value::Object(map) = value {
        for (key, child_value) in map {
            let ctx = child(kind, key, child_value);
            if !matches!(ctx, Ctx::Skip) {
                path.push(Seg::Key(key));
                descend(child_value, ctx, path, visit);
                path.pop();
            }
        }
    }
}

fn descend<'a>(value: &'a Value, ctx: Ctx, path: &mut Vec<Seg<'a>>, visit: &mut Visit<'_>) {
    match (ctx, value) {
        (Ctx::Node(kind), _) => walk(value, kind, path, visit),
        (Ctx::MapOf(kind) | Ctx::ExtMapOf(kind), Value::Object(map)) => {
            let extensions = matches!(ctx, Ctx::ExtMapOf(_));
            for (key, item) in map {
                if !(extensions && key.starts_with("x-")) {
                    path.push(Seg::Key(key));
                    walk(item, kind, path, visit);
                    path.pop();
                }
            }
        }
        (Ctx::ListOf(kind), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(item, kind, path, visit);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Like [`walk`], with mutable access. Children are chosen after the visitor ran.
pub(crate) fn walk_mut<'a>(
    value: &'a mut Value,
    kind: Kind,
    path: &mut Vec<Seg<'a>>,
    visit: &mut VisitMut<'_>,
) {
    visit(value, kind, path);
    if let Value::Object(map) = value {
        for (key, child_value) in map.iter_mut() {
            let ctx = child(kind, key, child_value);
            if !matches!(ctx, Ctx::Skip) {
                path.push(Seg::Key(key));
                descend_mut(child_value, ctx, path, visit);
                path.pop();
            }
        }
    }
}

fn descend_mut<'a>(
    value: &'a mut Value,
    ctx: Ctx,
    path: &mut Vec<Seg<'a>>,
    visit: &mut VisitMut<'_>,
) {
    match ctx {
        Ctx::Node(kind) => walk_mut(value, kind, path, visit),
        Ctx::MapOf(kind) | Ctx::ExtMapOf(kind) => {
            if let Value::Object(map) = value {
                let extensions = matches!(ctx, Ctx::ExtMapOf(_));
                for (key, item) in map.iter_mut() {
                    if !(extensions && key.starts_with("x-")) {
                        path.push(Seg::Key(key));
                        walk_mut(item, kind, path, visit);
                        path.pop();
                    }
                }
            }
        }
        Ctx::ListOf(kind) => {
            if let Value::Array(items) = value {
                for (i, item) in items.iter_mut().enumerate() {
                    path.push(Seg::Index(i));
                    walk_mut(item, kind, path, visit);
                    path.pop();
                }
            }
        }
        Ctx::Skip => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_follow_the_structure() {
        let doc = json!({
            "paths": {
                "/p": {
                    "get": {
                        "parameters": [{"name": "a", "schema": {"type": "string"}}],
                        "responses": {
                            "200": {"content": {"application/json": {
                                "schema": {"properties": {"parameters": {"items": {}}}},
                                "example": {"$ref": "not a ref"}
                            }}},
                            "x-ext": {"schema": {}}
                        }
                    }
                },
                "x-ext": {}
            },
            "components": {"schemas": {"A": {"additionalProperties": false, "allOf": [{}]}}}
        });
        let mut seen = Vec::new();
        walk(
            &doc,
            Kind::Document,
            &mut Vec::new(),
            &mut |_, kind, path| {
                seen.push((pointer(path), kind));
            },
        );
        let expected = [
            ("#", Kind::Document),
            ("#/paths/~1p", Kind::PathItem),
            ("#/paths/~1p/get", Kind::Operation),
            ("#/paths/~1p/get/parameters/0", Kind::Parameter),
            ("#/paths/~1p/get/parameters/0/schema", Kind::Schema),
            ("#/paths/~1p/get/responses/200", Kind::Response),
            ("#/paths/~1p/get/responses/200/content/application~1json", Kind::MediaType),
            ("#/paths/~1p/get/responses/200/content/application~1json/schema", Kind::Schema),
            (
                "#/paths/~1p/get/responses/200/content/application~1json/schema/properties/parameters",
                Kind::Schema,
            ),
            (
                "#/paths/~1p/get/responses/200/content/application~1json/schema/properties/parameters/items",
                Kind::Schema,
            ),
            ("#/components", Kind::Components),
            ("#/components/schemas/A", Kind::Schema),
            ("#/components/schemas/A/allOf/0", Kind::Schema),
        ];
        let expected: Vec<_> = expected.iter().map(|(p, k)| (p.to_string(), *k)).collect();
        assert_eq!(seen, expected);
    }
}
