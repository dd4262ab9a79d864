//! Lowering a loaded document into the IR: operations, parameters, bodies, responses,
//! security and throttle settings. Schemas are handed to [`SchemaLowerer`].
//!
//! The document was validated against the OpenAPI 3.0 model (`openapiv3`) when it was
//! loaded; lowering reads the normalised JSON itself so that no schema keyword is lost.

use serde_json::{Map, Value};

use super::mock::synthesize;
use super::names::{snake_name, type_name, Namespace};
use super::schema::{position_type, Lowered, SchemaLowerer};
use super::{
    Api, Authorizer, Body, BodyAlternatives, Check, Encoding, MultipartField, NodeKind, Operation,
    Param, ParamLocation, ParamShape, PartKind, RawAlternative, Response, ResponseBody,
    ResponseHeader, RustType, SchemeKind, SecurityScheme, Status, Throttle, TypeKind,
};
use crate::diagnostic::Diagnostic;
use crate::load::pointer::child;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Lowers a loaded document. Returns the IR and the warnings it produced.
pub fn lower(root: &Value) -> (Api, Vec<Diagnostic>) {
    let mut schemas = SchemaLowerer::new(root);
    let mut diagnostics = Vec::new();
    let info = root.get("info");
    let text = |key: &str| {
        info.and_then(|i| i.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };

    let security_schemes = security_schemes(root);
    let default_security = root
        .get("security")
        .map(security_requirements)
        .unwrap_or_default();
    let api_throttle = throttle(
        root.get("x-tollgate-throttle"),
        "#/x-tollgate-throttle",
        &mut diagnostics,
    );

    let mut fn_names =
        Namespace::with_reserved(&["router", "try_router", "types", "validate", "mock"]);
    let mut type_stems = Namespace::with_reserved(&["Mock", "Api"]);
    let mut operations = Vec::new();
    if let Some(paths) = root.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let item_ptr = child("#/paths", path);
            let Some(item) = deref(root, item).and_then(Value::as_object) else {
                continue;
            };
            let shared_params = item.get("parameters").and_then(Value::as_array);
            for method in METHODS {
                let Some(op) = item.get(*method).and_then(Value::as_object) else {
                    continue;
                };
                let op_ptr = child(&item_ptr, method);
                let ctx = OpContext {
                    root,
                    path,
                    method,
                    op,
                    pointer: &op_ptr,
                    shared_params,
                    default_security: &default_security,
                };
                let operation = lower_operation(
                    &ctx,
                    &mut schemas,
                    &mut fn_names,
                    &mut type_stems,
                    &mut diagnostics,
                );
                operations.push(operation);
            }
        }
    }
    schemas.finish_tagged(operations.iter().flat_map(operation_types));
    schemas.box_cycles();
    diagnostics.append(&mut schemas.diagnostics);

    let mut api = Api {
        title: text("title").unwrap_or_default(),
        version: text("version").unwrap_or_default(),
        description: text("description"),
        types: schemas.types,
        validators: schemas.validators,
        operations,
        security_schemes,
        throttle: api_throttle,
        api_key_source: api_key_source(root, &mut diagnostics),
        spec_json: String::new(),
        schema_stats: schemas.stats,
        deserialized: std::collections::BTreeSet::new(),
    };
    // The served document (the whole spec with the gateway's answers, written out) is
    // written on a thread of its own while the types are finished here.
    let answers = super::served::answers(&api.operations);
    api.spec_json = std::thread::scope(|scope| {
        let serving = scope.spawn(|| super::served::served(root, answers).to_json());
        fill_mocks(&mut api);
        super::share::share_identical_types(&mut api);
        plan_mocks(&mut api);
        api.deserialized = super::serde_use::deserialized_types(&api);
        serving
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    (api, diagnostics)
}

/// The types an operation uses (parameters, body, response bodies).
fn operation_types(op: &Operation) -> impl Iterator<Item = &RustType> {
    let params = op.params.iter().map(|p| &p.ty);
    let body = op.body.iter().map(|b| &b.ty);
    let responses = op
        .responses
        .iter()
        .filter_map(|r| r.body.as_ref().map(|b| &b.ty));
    params.chain(body).chain(responses)
}

/// Everything lowering one operation needs to read.
struct OpContext<'a> {
    root: &'a Value,
    path: &'a str,
    method: &'a str,
    op: &'a Map<String, Value>,
    pointer: &'a str,
    shared_params: Option<&'a Vec<Value>>,
    default_security: &'a [Vec<(String, Vec<String>)>],
}

fn lower_operation(
    ctx: &OpContext<'_>,
    schemas: &mut SchemaLowerer<'_>,
    fn_names: &mut Namespace,
    type_stems: &mut Namespace,
    diagnostics: &mut Vec<Diagnostic>,
) -> Operation {
    let op = ctx.op;
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| derived_operation_id(ctx.method, ctx.path));
    let fn_name = fn_names.claim(&snake_name(&id));
    let type_stem = type_stems.claim(&type_name(&fn_name));

    let params = lower_params(ctx, &type_stem, &fn_name, schemas, diagnostics);
    let body = op.get("requestBody").and_then(|b| {
        lower_body(
            ctx.root,
            b,
            &type_stem,
            &fn_name,
            &child(ctx.pointer, "requestBody"),
            schemas,
            diagnostics,
        )
    });
    let mut responses = lower_responses(ctx, &type_stem, schemas, type_stems, diagnostics);
    if responses.is_empty() {
        diagnostics.push(Diagnostic::warning(
            child(ctx.pointer, "responses"),
            format!("operation `{id}` documents no response; handlers answer `Default(status)` with an empty body"),
        ));
        responses.push(Response {
            status: Status::Default,
            variant: "Default".into(),
            doc: None,
            body: None,
            headers: Vec::new(),
            headers_type: String::new(),
        });
    }
    let security = match op.get("security") {
        Some(s) => security_requirements(s),
        None => ctx.default_security.to_vec(),
    };
    let summary = op.get("summary").and_then(Value::as_str);
    let description = op.get("description").and_then(Value::as_str);
    let doc = match (summary, description) {
        (Some(s), Some(d)) => Some(format!("{s}\n\n{d}")),
        (Some(s), None) => Some(s.to_owned()),
        (None, Some(d)) => Some(d.to_owned()),
        (None, None) => None,
    };
    Operation {
        id,
        fn_name,
        type_stem,
        method: ctx.method.to_ascii_uppercase(),
        path: ctx.path.to_owned(),
        route: ctx.path.to_owned(),
        doc,
        deprecated: op
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        params,
        body,
        responses,
        security,
        throttle: throttle(
            op.get("x-tollgate-throttle"),
            &child(ctx.pointer, "x-tollgate-throttle"),
            diagnostics,
        ),
    }
}

/// `get /pets/{petId}` → `get_pets_pet_id`: stable, and unique up to the namespace's suffixes.
fn derived_operation_id(method: &str, path: &str) -> String {
    let cleaned: String = path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    format!("{method} {cleaned}")
}

fn lower_params(
    ctx: &OpContext<'_>,
    stem: &str,
    fn_name: &str,
    schemas: &mut SchemaLowerer<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Param> {
    // Operation parameters override path-item ones with the same name and location.
    let mut list: Vec<(Map<String, Value>, String)> = Vec::new();
    let item_ptr = ctx.pointer.rsplit_once('/').map(|(p, _)| p).unwrap_or("#");
    let sources = [
        (ctx.shared_params, child(item_ptr, "parameters")),
        (
            ctx.op.get("parameters").and_then(Value::as_array),
            child(ctx.pointer, "parameters"),
        ),
    ];
    for (source, base) in sources {
        for (i, raw) in source.into_iter().flatten().enumerate() {
            let pointer = child(&base, &i.to_string());
            let Some(p) = deref(ctx.root, raw).and_then(Value::as_object) else {
                diagnostics.push(Diagnostic::warning(
                    pointer,
                    "parameter does not resolve to an object; ignored",
                ));
                continue;
            };
            let key = |m: &Map<String, Value>| (m.get("name").cloned(), m.get("in").cloned());
            list.retain(|(existing, _)| key(existing) != key(p));
            list.push((p.clone(), pointer));
        }
    }

    let mut names = Namespace::with_reserved(&["body"]);
    let mut params = Vec::new();
    for (p, pointer) in list {
        let Some(wire) = p.get("name").and_then(Value::as_str) else {
            diagnostics.push(Diagnostic::warning(
                pointer,
                "parameter without `name`; ignored",
            ));
            continue;
        };
        let location = match p.get("in").and_then(Value::as_str) {
            Some("path") => ParamLocation::Path,
            Some("query") => ParamLocation::Query,
            Some("header") => ParamLocation::Header,
            Some("cookie") => ParamLocation::Cookie,
            other => {
                diagnostics.push(Diagnostic::warning(
                    pointer,
                    format!("parameter `{wire}` has unknown location {other:?}; ignored"),
                ));
                continue;
            }
        };
        if location == ParamLocation::Header
            && ["accept", "content-type", "authorization"]
                .contains(&wire.to_ascii_lowercase().as_str())
        {
            // OpenAPI: these header parameters are ignored (described elsewhere).
            continue;
        }
        let hint = format!("{stem}{}", type_name(wire));
        let (lowered, json) = match (p.get("schema"), p.get("content").and_then(Value::as_object)) {
            (Some(schema), _) => (
                schemas.lower(schema, &hint, &child(&pointer, "schema")),
                false,
            ),
            (None, Some(content)) => match content.iter().next() {
                Some((media, m)) => {
                    let mptr = child(&child(&pointer, "content"), media);
                    match m.get("schema") {
                        Some(schema) => {
                            (schemas.lower(schema, &hint, &child(&mptr, "schema")), true)
                        }
                        None => (any_lowered(), true),
                    }
                }
                None => (any_lowered(), false),
            },
            (None, None) => {
                diagnostics.push(Diagnostic::warning(
                    pointer.clone(),
                    format!(
                        "parameter `{wire}` has neither `schema` nor `content`; read as a string"
                    ),
                ));
                (
                    Lowered {
                        ty: RustType::String,
                        check: Check::Inline(Box::default()),
                        nullable: false,
                    },
                    false,
                )
            }
        };
        let shape = if json {
            ParamShape::Json
        } else {
            param_shape(ctx.root, &lowered, location, &p)
        };
        let validator =
            schemas.validator_for(&lowered.check, &format!("{fn_name}_{}", snake_name(wire)));
        let required = location == ParamLocation::Path
            || p.get("required").and_then(Value::as_bool).unwrap_or(false);
        params.push(Param {
            wire: wire.to_owned(),
            name: names.claim(&snake_name(wire)),
            location,
            required,
            ty: position_type(lowered),
            shape,
            validator,
            doc: p
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        });
    }
    params
}

fn param_shape(
    root: &Value,
    lowered: &Lowered,
    location: ParamLocation,
    p: &Map<String, Value>,
) -> ParamShape {
    let default_style = match location {
        ParamLocation::Query | ParamLocation::Cookie => "form",
        ParamLocation::Path | ParamLocation::Header => "simple",
    };
    let style: &'static str = match p.get("style").and_then(Value::as_str) {
        Some("form") => "form",
        Some("simple") => "simple",
        Some("label") => "label",
        Some("matrix") => "matrix",
        Some("spaceDelimited") => "spaceDelimited",
        Some("pipeDelimited") => "pipeDelimited",
        Some("deepObject") => "deepObject",
        _ => default_style,
    };
    let explode = p
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    let scalar_of = |ty: &RustType| match ty {
        RustType::Bool => "boolean",
        RustType::I32 | RustType::I64 => "integer",
        RustType::F32 | RustType::F64 => "number",
        RustType::Named(_)
        | RustType::String
        | RustType::Bytes
        | RustType::Value
        | RustType::Vec(_)
        | RustType::Map(_)
        | RustType::Option(_) => "string",
    };
    let scalar_of_check = |check: &Check| -> Option<&'static str> {
        let node = match check {
            Check::Inline(node) => Some(node.as_ref().clone()),
            Check::Ref(_) => None,
        };
        node.and_then(|n| match n.kind {
            NodeKind::Integer(_) => Some("integer"),
            NodeKind::Number(_) => Some("number"),
            NodeKind::Boolean => Some("boolean"),
            _ => None,
        })
    };
    let schema = p.get("schema").and_then(|s| deref(root, s));
    if let Some(schema) = schema.filter(|s| is_object_schema(root, s)) {
        let fields = properties_of(root, schema)
            .map(|(name, property)| (name.clone(), json_scalar(root, Some(property))))
            .collect();
        return ParamShape::Object {
            style,
            explode,
            fields,
            other: json_scalar(root, schema.get("additionalProperties")),
        };
    }
    match &lowered.ty {
        RustType::Vec(item) => ParamShape::Array {
            item: scalar_of(item),
            style: if style == "deepObject" { "form" } else { style },
            explode,
        },
        ty => ParamShape::Scalar(scalar_of_check(&lowered.check).unwrap_or_else(|| scalar_of(ty))),
    }
}

/// Whether a (dereferenced) schema describes an object: `type: object`, or `properties`
/// without a `type`, directly or through a single-branch or all-object `allOf`.
fn is_object_schema(root: &Value, schema: &Value) -> bool {
    match schema.get("type").and_then(Value::as_str) {
        Some(t) => t == "object",
        None => {
            schema.get("properties").is_some()
                || schema
                    .get("allOf")
                    .and_then(Value::as_array)
                    .is_some_and(|branches| {
                        branches
                            .iter()
                            .filter_map(|b| deref(root, b))
                            .all(|b| is_object_schema(root, b))
                    })
        }
    }
}

/// The declared properties of an object schema, `allOf` branches included.
fn properties_of<'v>(
    root: &'v Value,
    schema: &'v Value,
) -> impl Iterator<Item = (&'v String, &'v Value)> {
    let own = schema.get("properties").and_then(Value::as_object);
    let branches = schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(move |b| deref(root, b))
        .filter_map(|b| b.get("properties").and_then(Value::as_object));
    own.into_iter()
        .chain(branches)
        .flatten()
        .filter_map(move |(name, property)| Some((name, deref(root, property)?)))
}

/// The JSON type a property's text is read as: its scalar `type`, else `string`.
fn json_scalar(root: &Value, schema: Option<&Value>) -> &'static str {
    match schema
        .and_then(|s| deref(root, s))
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
    {
        Some("integer") => "integer",
        Some("number") => "number",
        Some("boolean") => "boolean",
        _ => "string",
    }
}

fn any_lowered() -> Lowered {
    Lowered {
        ty: RustType::Value,
        check: Check::Inline(Box::default()),
        nullable: false,
    }
}

fn encoding_of(media: &str) -> Encoding {
    let essence = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Encoding::Json
    } else if essence.starts_with("text/") {
        Encoding::Text
    } else {
        Encoding::Binary
    }
}

/// The media type an operation's body or response is typed from: the first JSON one, else
/// the first documented.
fn pick_media(content: &Map<String, Value>) -> Option<(&String, &Value)> {
    content
        .iter()
        .find(|(m, _)| encoding_of(m) == Encoding::Json)
        .or_else(|| content.iter().next())
}

fn lower_body(
    root: &Value,
    raw: &Value,
    stem: &str,
    fn_name: &str,
    pointer: &str,
    schemas: &mut SchemaLowerer<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Body> {
    let body = deref(root, raw)?.as_object()?;
    let content = body.get("content").and_then(Value::as_object)?;
    if content.is_empty() {
        return None;
    }
    let (media, m) = pick_media(content)?;
    let mut encoding = request_encoding(media);
    let content_ptr = child(pointer, "content");
    let schema_ptr = child(&child(&content_ptr, media), "schema");
    let mut form_fields = Vec::new();
    let mut multipart = Vec::new();
    let (ty, validator) = match encoding {
        Encoding::Json | Encoding::Form | Encoding::Multipart => {
            if encoding == Encoding::Form {
                form_fields = form_field_shapes(root, m);
            }
            let lowered = match m.get("schema") {
                Some(schema) => schemas.lower(schema, &format!("{stem}Body"), &schema_ptr),
                None => any_lowered(),
            };
            if encoding == Encoding::Multipart {
                multipart = multipart_fields(root, m, &lowered.ty, schemas);
            }
            let validator = schemas.validator_for(&lowered.check, &format!("{fn_name}_body"));
            if encoding == Encoding::Multipart && multipart.is_empty() {
                diagnostics.push(Diagnostic::warning(
                    schema_ptr.clone(),
                    format!("`{media}` body without declared object properties is passed to the handler as raw bytes, not parsed"),
                ));
                encoding = Encoding::Binary;
                (RustType::Bytes, None)
            } else if encoding == Encoding::Multipart {
                (RustType::Named(format!("{stem}Multipart")), validator)
            } else {
                (position_type(lowered), validator)
            }
        }
        Encoding::Text => (RustType::String, None),
        Encoding::Binary => {
            if !media.starts_with("application/octet-stream") {
                diagnostics.push(Diagnostic::warning(
                    content_ptr.clone(),
                    format!(
                        "request body `{media}` is passed to the handler as raw bytes, not parsed"
                    ),
                ));
            }
            (RustType::Bytes, None)
        }
    };

    // The other documented media types: read the same way when they share the encoding
    // (or as a form beside JSON); taken as they are (a variant of a body enum) when they are
    // text or bytes with nothing to parse; otherwise refused with 415, and said so here.
    let mut content_types = vec![media.clone()];
    let mut also_form = false;
    let mut raw = Vec::new();
    for (other, other_media) in content.iter().filter(|(o, _)| *o != media) {
        let other_encoding = request_encoding(other);
        if other_encoding == encoding {
            content_types.push(other.clone());
        } else if matches!(other_encoding, Encoding::Text | Encoding::Binary)
            && is_raw_schema(root, other_media)
        {
            content_types.push(other.clone());
            raw.push(RawAlternative {
                media: other.clone(),
                variant: String::new(),
                encoding: other_encoding,
            });
        } else if encoding == Encoding::Json && other_encoding == Encoding::Form {
            also_form = true;
            form_fields = form_field_shapes(root, other_media);
            content_types.push(other.clone());
            let schema = |m: &Value| m.get("schema").and_then(|s| deref(root, s)).cloned();
            if schema(other_media) != schema(m) {
                diagnostics.push(Diagnostic::warning(
                    child(&content_ptr, other),
                    format!("`{other}` has another schema than `{media}`; form requests are read into the `{media}` type"),
                ));
            }
        } else {
            diagnostics.push(Diagnostic::warning(
                child(&content_ptr, other),
                format!("request body `{other}` is documented beside `{media}`, which types the body; requests sent as `{other}` are answered 415"),
            ));
        }
    }
    let alternatives = (!raw.is_empty()).then(|| {
        let mut variants = Namespace::default();
        let typed_variant = variants.claim(&media_variant_name(media));
        for alternative in &mut raw {
            alternative.variant = variants.claim(&media_variant_name(&alternative.media));
        }
        BodyAlternatives {
            name: format!("{stem}RequestBody"),
            typed_variant,
            raw,
        }
    });
    Some(Body {
        alternatives,
        required: body
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        content_types,
        ty,
        encoding,
        validator,
        doc: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        form_fields,
        also_form,
        multipart,
    })
}

/// Whether a documented media type has nothing to parse: no schema, an empty one, or a
/// string (`format: binary`, `byte`, or text).
fn is_raw_schema(root: &Value, media: &Value) -> bool {
    match media.get("schema").and_then(|s| deref(root, s)) {
        None => true,
        Some(schema) => {
            schema.as_object().is_some_and(|o| o.is_empty())
                || schema.get("type").and_then(Value::as_str) == Some("string")
        }
    }
}

/// The variant name for a media type in a body enum: the subtype for `application/*`
/// (`Json`, `OctetStream`), type and subtype otherwise (`TextPlain`, `ImagePng`).
fn media_variant_name(media: &str) -> String {
    let essence = media.split(';').next().unwrap_or_default().trim();
    match essence.split_once('/') {
        Some((kind, subtype)) if kind.eq_ignore_ascii_case("application") => type_name(subtype),
        _ => type_name(essence),
    }
}

/// How a request body of `media` is read.
fn request_encoding(media: &str) -> Encoding {
    match encoding_of(media) {
        Encoding::Binary if is_form(media) => Encoding::Form,
        Encoding::Binary if is_multipart(media) => Encoding::Multipart,
        other => other,
    }
}

fn is_multipart(media: &str) -> bool {
    media
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// The fields of a multipart body: the lowered struct's fields, each read as a file
/// (`format: binary`, or an `encoding.contentType` that is neither text nor JSON), JSON
/// (object properties, or a JSON `encoding.contentType`), or text of its shape. Empty when
/// the body is not a struct.
fn multipart_fields(
    root: &Value,
    media: &Value,
    ty: &RustType,
    schemas: &SchemaLowerer<'_>,
) -> Vec<MultipartField> {
    let RustType::Named(name) = ty else {
        return Vec::new();
    };
    let Some(TypeKind::Struct { fields, .. }) = schemas.types.get(name).map(|d| &d.kind) else {
        return Vec::new();
    };
    let schema = media.get("schema").and_then(|s| deref(root, s));
    let properties: Vec<(&String, &Value)> = schema
        .map(|s| properties_of(root, s).collect())
        .unwrap_or_default();
    let shapes = form_field_shapes(root, media);
    fields
        .iter()
        .map(|field| {
            let property = properties
                .iter()
                .find(|(n, _)| **n == field.wire)
                .map(|(_, p)| *p);
            let declared = media
                .get("encoding")
                .and_then(|e| e.get(&field.wire))
                .and_then(|e| e.get("contentType"))
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase);
            let kind_of = |p: Option<&Value>| {
                p.and_then(|p| p.get("type"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let is_file = |p: Option<&Value>| {
                let p = p.and_then(|p| deref(root, p));
                p.and_then(|p| p.get("format")).and_then(Value::as_str) == Some("binary")
                    || (kind_of(p) == "string"
                        && declared.as_deref().is_some_and(|ct| {
                            !ct.starts_with("text/") && encoding_of(ct) != Encoding::Json
                        }))
            };
            let items = property
                .and_then(|p| p.get("items"))
                .and_then(|i| deref(root, i));
            let json_declared = declared
                .as_deref()
                .is_some_and(|ct| encoding_of(ct) == Encoding::Json);
            let part = match kind_of(property).as_str() {
                "array" if is_file(items) => PartKind::Files,
                "array" if json_declared || kind_of(items) == "object" => {
                    PartKind::Json { repeated: true }
                }
                _ if is_file(property) => PartKind::File,
                "object" => PartKind::Json { repeated: false },
                _ if json_declared => PartKind::Json { repeated: false },
                _ => PartKind::Field(
                    shapes
                        .iter()
                        .find(|(n, _)| *n == field.wire)
                        .map(|(_, s)| s.clone())
                        .unwrap_or(ParamShape::Scalar("string")),
                ),
            };
            // `encoding.contentType` of a file: the comma-separated types it may be sent as.
            let accept = match (&part, declared.as_deref()) {
                (PartKind::File | PartKind::Files, Some(list)) => list
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            };
            MultipartField {
                name: field.name.clone(),
                wire: field.wire.clone(),
                ty: field.ty.clone(),
                optional: field.optional(),
                part,
                accept,
            }
        })
        .collect()
}

fn is_form(media: &str) -> bool {
    media.split(';').next().is_some_and(|m| {
        m.trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

/// The shape of each property of a form body's schema: its `type` (array items' type for
/// arrays), with the style and explode of the media type's `encoding` entry (default: form,
/// exploded).
fn form_field_shapes(root: &Value, media: &Value) -> Vec<(String, ParamShape)> {
    let schema = media.get("schema").and_then(|s| deref(root, s));
    let Some(properties) = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let scalar = |schema: Option<&Value>| json_scalar(root, schema);
    properties
        .iter()
        .map(|(name, property)| {
            let property = deref(root, property);
            let encoding = media.get("encoding").and_then(|e| e.get(name));
            let is_array =
                property.and_then(|p| p.get("type")).and_then(Value::as_str) == Some("array");
            let shape = if is_array {
                let style: &'static str = match encoding
                    .and_then(|e| e.get("style"))
                    .and_then(Value::as_str)
                {
                    Some("spaceDelimited") => "spaceDelimited",
                    Some("pipeDelimited") => "pipeDelimited",
                    _ => "form",
                };
                ParamShape::Array {
                    item: scalar(property.and_then(|p| p.get("items"))),
                    style,
                    explode: encoding
                        .and_then(|e| e.get("explode"))
                        .and_then(Value::as_bool)
                        .unwrap_or(style == "form"),
                }
            } else {
                ParamShape::Scalar(scalar(property))
            };
            (name.clone(), shape)
        })
        .collect()
}

fn lower_responses(
    ctx: &OpContext<'_>,
    stem: &str,
    schemas: &mut SchemaLowerer<'_>,
    type_names: &mut Namespace,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Response> {
    let mut out = Vec::new();
    let base = child(ctx.pointer, "responses");
    let Some(responses) = ctx.op.get("responses").and_then(Value::as_object) else {
        return out;
    };
    let mut variants = Namespace::default();
    let mut entries: Vec<(&String, &Value)> = responses
        .iter()
        .filter(|(k, _)| !k.starts_with("x-"))
        .collect();
    entries.sort_by_key(|(k, _)| k.as_str() == "default");
    for (key, raw) in entries {
        let pointer = child(&base, key);
        let status = match key.as_str() {
            "default" => Status::Default,
            k if k.len() == 3 && k[1..].eq_ignore_ascii_case("xx") => match k[..1].parse::<u16>() {
                Ok(d @ 1..=5) => Status::Range(d),
                _ => {
                    diagnostics.push(Diagnostic::warning(
                        pointer,
                        format!("response key `{k}` is not a status; ignored"),
                    ));
                    continue;
                }
            },
            k => match k.parse::<u16>() {
                Ok(code @ 100..=599) => Status::Code(code),
                _ => {
                    diagnostics.push(Diagnostic::warning(
                        pointer,
                        format!("response key `{k}` is not a status; ignored"),
                    ));
                    continue;
                }
            },
        };
        let variant = variants.claim(&variant_name(status));
        let response = deref(ctx.root, raw).and_then(Value::as_object);
        let body = response
            .and_then(|r| r.get("content"))
            .and_then(Value::as_object)
            .and_then(|content| pick_media(content).map(|(media, m)| (content, media, m)))
            .map(|(content, media, m)| {
                let encoding = encoding_of(media);
                // Media types of the same encoding are alternatives picked by `Accept`;
                // the others cannot be produced from the typed body.
                let mut alternatives = Vec::new();
                for other in content.keys().filter(|o| *o != media) {
                    if encoding_of(other) == encoding {
                        alternatives.push(other.clone());
                    } else {
                        diagnostics.push(Diagnostic::warning(
                            child(&child(&pointer, "content"), other),
                            format!("response type `{other}` cannot be produced from the `{media}` body the handler returns; only `{media}`-like types are sent"),
                        ));
                    }
                }
                let (ty, validator) = match encoding {
                    Encoding::Json => {
                        let lowered = match m.get("schema") {
                            Some(schema) => schemas.lower(
                                schema,
                                &format!("{stem}{variant}Body"),
                                &child(&child(&child(&pointer, "content"), media), "schema"),
                            ),
                            None => any_lowered(),
                        };
                        let validator =
                            schemas.validator_for(&lowered.check, &format!("{stem}{variant}Body"));
                        (position_type(lowered), validator)
                    }
                    Encoding::Text => (RustType::String, None),
                    Encoding::Binary | Encoding::Form | Encoding::Multipart => {
                        (RustType::Bytes, None)
                    }
                };
                ResponseBody {
                    content_type: media.clone(),
                    alternatives,
                    ty,
                    encoding,
                    validator,
                    mock: Value::Null,
                    mock_plan: super::mock_plan::MockExpr::None,
                }
            });
        let headers = response
            .and_then(|r| r.get("headers"))
            .and_then(Value::as_object)
            .map(|h| {
                response_headers(
                    ctx.root,
                    h,
                    &format!("{stem}{variant}"),
                    &child(&pointer, "headers"),
                    schemas,
                )
            })
            .unwrap_or_default();
        let headers_type = if headers.is_empty() {
            String::new()
        } else {
            type_names.claim(&format!("{stem}{variant}Headers"))
        };
        out.push(Response {
            status,
            variant,
            doc: response
                .and_then(|r| r.get("description"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            body,
            headers,
            headers_type,
        });
    }
    out
}

/// The headers of one response, typed from their `schema` (or `content` schema).
fn response_headers(
    root: &Value,
    headers: &Map<String, Value>,
    hint: &str,
    pointer: &str,
    schemas: &mut SchemaLowerer<'_>,
) -> Vec<ResponseHeader> {
    let mut names = Namespace::default();
    let mut out = Vec::new();
    for (wire, raw) in headers {
        if wire.eq_ignore_ascii_case("content-type") {
            continue; // OpenAPI: ignored when declared.
        }
        let Some(header) = deref(root, raw) else {
            continue;
        };
        let hptr = child(pointer, wire);
        let schema = header
            .get("schema")
            .map(|s| (s, child(&hptr, "schema")))
            .or_else(|| {
                let (media, m) = header.get("content")?.as_object()?.iter().next()?;
                Some((
                    m.get("schema")?,
                    child(&child(&child(&hptr, "content"), media), "schema"),
                ))
            });
        let lowered = match schema {
            Some((schema, sptr)) => {
                schemas.lower(schema, &format!("{hint}{}", type_name(wire)), &sptr)
            }
            None => Lowered {
                ty: RustType::String,
                check: Check::Inline(Box::default()),
                nullable: false,
            },
        };
        let name = names.claim(&snake_name(wire));
        let validator = schemas.validator_for(
            &lowered.check,
            &format!("{hint}_{}_header", snake_name(wire)),
        );
        out.push(ResponseHeader {
            wire: wire.clone(),
            name,
            ty: position_type(lowered),
            required: header
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            doc: header
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            mock: Value::Null,
            validator,
        });
    }
    out
}

/// `200` → `Ok`, `404` → `NotFound`, `2XX` → `Status2xx`, `default` → `Default`.
fn variant_name(status: Status) -> String {
    match status {
        Status::Default => "Default".into(),
        Status::Range(d) => format!("Status{d}xx"),
        Status::Code(code) => http_reason(code)
            .map(type_name)
            .unwrap_or_else(|| format!("Status{code}")),
    }
}

fn http_reason(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "Non Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi Status",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "Uri Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

fn security_requirements(value: &Value) -> Vec<Vec<(String, Vec<String>)>> {
    value
        .as_array()
        .map(|alternatives| {
            alternatives
                .iter()
                .filter_map(Value::as_object)
                .map(|req| {
                    req.iter()
                        .map(|(scheme, scopes)| {
                            let scopes = scopes
                                .as_array()
                                .map(|s| {
                                    s.iter()
                                        .filter_map(Value::as_str)
                                        .map(str::to_owned)
                                        .collect()
                                })
                                .unwrap_or_default();
                            (scheme.clone(), scopes)
                        })
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn security_schemes(root: &Value) -> Vec<SecurityScheme> {
    let Some(schemes) = root
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    schemes
        .iter()
        .map(|(name, raw)| {
            let s = deref(root, raw).cloned().unwrap_or(Value::Null);
            let field = |k: &str| {
                s.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let kind = if s
                .get("x-amazon-apigateway-authtype")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4"))
            {
                SchemeKind::AwsSigV4
            } else {
                match field("type").as_str() {
                    "apiKey" => SchemeKind::ApiKey {
                        location: field("in"),
                        name: field("name"),
                    },
                    "http" => SchemeKind::Http(field("scheme").to_ascii_lowercase()),
                    "oauth2" => SchemeKind::OAuth2,
                    "openIdConnect" => SchemeKind::OpenIdConnect(field("openIdConnectUrl")),
                    _ => SchemeKind::Unsupported,
                }
            };
            SecurityScheme {
                name: name.clone(),
                kind,
                authorizer: s.get("x-amazon-apigateway-authorizer").map(authorizer),
            }
        })
        .collect()
}

/// `x-amazon-apigateway-api-key-source`: `HEADER` or `AUTHORIZER` (any case).
fn api_key_source(root: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    let value = root.get("x-amazon-apigateway-api-key-source")?;
    match value.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some(source @ ("header" | "authorizer")) => Some(source.to_owned()),
        _ => {
            diagnostics.push(Diagnostic::warning(
                "#/x-amazon-apigateway-api-key-source".to_owned(),
                "`x-amazon-apigateway-api-key-source` must be `HEADER` or `AUTHORIZER`; \
                 ignored (API keys come from the request)",
            ));
            None
        }
    }
}

/// A scheme's `x-amazon-apigateway-authorizer`. `identitySource` is a comma-separated
/// string (REST APIs) or a list (HTTP APIs); `jwtConfiguration.audience` a list or a string.
fn authorizer(value: &Value) -> Authorizer {
    let strings = |value: Option<&Value>| -> Vec<String> {
        match value {
            Some(Value::String(text)) => text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            _ => Vec::new(),
        }
    };
    let jwt = value.get("jwtConfiguration");
    Authorizer {
        kind: value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase(),
        identity_sources: strings(value.get("identitySource")),
        ttl_secs: value
            .get("authorizerResultTtlInSeconds")
            .and_then(Value::as_u64),
        issuer: jwt
            .and_then(|j| j.get("issuer"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        audience: strings(jwt.and_then(|j| j.get("audience"))),
    }
}

fn throttle(
    value: Option<&Value>,
    pointer: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Throttle> {
    let value = value?;
    let rate = value.get("rate").and_then(Value::as_f64);
    let burst = value
        .get("burst")
        .and_then(Value::as_u64)
        .and_then(|b| u32::try_from(b).ok());
    match (rate, burst) {
        (Some(rate), Some(burst)) if rate > 0.0 => Some(Throttle { rate, burst }),
        _ => {
            diagnostics.push(Diagnostic::warning(
                pointer.to_owned(),
                "`x-tollgate-throttle` needs a positive `rate` and an integer `burst`; ignored",
            ));
            None
        }
    }
}

/// Follows `$ref` chains inside the document (at most 16 hops).
fn deref<'v>(root: &'v Value, mut value: &'v Value) -> Option<&'v Value> {
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => value = root.pointer(r.strip_prefix('#')?)?,
            None => return Some(value),
        }
    }
    None
}

/// How `Mock` builds each JSON response body (after types are shared, so plans name the
/// types that remain).
fn plan_mocks(api: &mut Api) {
    let plans: Vec<Vec<Option<super::mock_plan::MockExpr>>> = api
        .operations
        .iter()
        .map(|op| {
            op.responses
                .iter()
                .map(|r| {
                    r.body
                        .as_ref()
                        .map(|b| super::mock_plan::plan(api, &b.ty, &b.mock))
                })
                .collect()
        })
        .collect();
    for (op, plans) in api.operations.iter_mut().zip(plans) {
        for (response, plan) in op.responses.iter_mut().zip(plans) {
            if let (Some(body), Some(plan)) = (response.body.as_mut(), plan) {
                body.mock_plan = plan;
            }
        }
    }
}

fn fill_mocks(api: &mut Api) {
    let mut filled = Vec::new();
    let mut headers = Vec::new();
    for (oi, op) in api.operations.iter().enumerate() {
        for (ri, response) in op.responses.iter().enumerate() {
            for (hi, header) in response.headers.iter().enumerate() {
                let node = match &header.validator {
                    Some(v) => api.validators.get(v).cloned().unwrap_or_default(),
                    None => Default::default(),
                };
                let value = match synthesize(&node, &api.validators) {
                    Value::Null if header.ty == RustType::String => Value::from("string"),
                    value => value,
                };
                headers.push((oi, ri, hi, value));
            }
            if let Some(body) = &response.body {
                let node = match &body.validator {
                    Some(v) => api.validators.get(v).cloned().unwrap_or_default(),
                    None => Default::default(),
                };
                let value = synthesize(&node, &api.validators);
                filled.push((oi, ri, value));
            }
        }
    }
    for (oi, ri, hi, value) in headers {
        api.operations[oi].responses[ri].headers[hi].mock = value;
    }
    for (oi, ri, value) in filled {
        if let Some(body) = &mut api.operations[oi].responses[ri].body {
            body.mock = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repeated_enum_values_become_one_variant_each_with_a_warning() {
        let root = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {
                "Version": {"type": "string", "enum": ["a", "b", "a", "a"]}
            }}
        });
        let (api, diagnostics) = lower(&root);
        let version = &api.types["Version"];
        match &version.kind {
            TypeKind::StringEnum { variants } => {
                let wire: Vec<&str> = variants.iter().map(|(_, v)| v.as_str()).collect();
                assert_eq!(wire, ["a", "b"]);
            }
            other => panic!("not a string enum: {other:?}"),
        }
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].pointer, "#/components/schemas/Version/enum");
        assert!(diagnostics[0].message.contains("4 listed, 2 distinct"));
    }

    #[test]
    fn amazon_authorizers_and_key_source_are_lowered() {
        let root = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "x-amazon-apigateway-api-key-source": "AUTHORIZER",
            "components": {"securitySchemes": {
                "Jwt": {
                    "type": "oauth2",
                    "flows": {},
                    "x-amazon-apigateway-authorizer": {
                        "type": "jwt",
                        "identitySource": ["$request.header.Authorization"],
                        "jwtConfiguration": {"issuer": "https://i", "audience": "a1"}
                    }
                },
                "Lambda": {
                    "type": "apiKey", "in": "header", "name": "X-Token",
                    "x-amazon-apigateway-authtype": "custom",
                    "x-amazon-apigateway-authorizer": {
                        "type": "REQUEST",
                        "identitySource": "method.request.header.X-Token, method.request.querystring.t",
                        "authorizerResultTtlInSeconds": 0
                    }
                },
                "Plain": {"type": "http", "scheme": "bearer"}
            }}
        });
        let (api, diagnostics) = lower(&root);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(api.api_key_source.as_deref(), Some("authorizer"));
        let scheme = |name: &str| {
            api.security_schemes
                .iter()
                .find(|s| s.name == name)
                .unwrap()
                .authorizer
                .clone()
        };
        let jwt = scheme("Jwt").unwrap();
        assert_eq!(jwt.kind, "jwt");
        assert_eq!(jwt.identity_sources, ["$request.header.Authorization"]);
        assert_eq!(jwt.issuer.as_deref(), Some("https://i"));
        assert_eq!(jwt.audience, ["a1"]);
        let lambda = scheme("Lambda").unwrap();
        assert_eq!(lambda.kind, "request");
        assert_eq!(
            lambda.identity_sources,
            [
                "method.request.header.X-Token",
                "method.request.querystring.t"
            ]
        );
        assert_eq!(lambda.ttl_secs, Some(0));
        assert!(scheme("Plain").is_none());
    }

    #[test]
    fn body_and_response_media_types_that_cannot_be_served_are_announced() {
        let root = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/n": {"post": {
                "requestBody": {"content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/merge-patch+json": {"schema": {"type": "object"}},
                    "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                    "application/xml": {"schema": {"type": "object"}}
                }},
                "responses": {"200": {"description": "ok", "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/hal+json": {"schema": {"type": "object"}},
                    "text/csv": {"schema": {"type": "string"}}
                }}}
            }}}
        });
        let (api, diagnostics) = lower(&root);
        let body = api.operations[0].body.as_ref().unwrap();
        assert_eq!(
            body.content_types,
            [
                "application/json",
                "application/merge-patch+json",
                "application/x-www-form-urlencoded"
            ]
        );
        assert!(body.also_form);
        let response = api.operations[0].responses[0].body.as_ref().unwrap();
        assert_eq!(response.alternatives, ["application/hal+json"]);
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("requests sent as `application/xml` are answered 415"));
        assert!(messages[1].contains("response type `text/csv` cannot be produced"));
    }

    #[test]
    fn an_unknown_key_source_is_a_warning() {
        let root = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "x-amazon-apigateway-api-key-source": "BODY"
        });
        let (api, diagnostics) = lower(&root);
        assert_eq!(api.api_key_source, None);
        assert_eq!(diagnostics.len(), 1);
        assert!(
            diagnostics[0]
                .message
                .contains("must be `HEADER` or `AUTHORIZER`"),
            "{:?}",
            diagnostics[0]
        );
    }
}
