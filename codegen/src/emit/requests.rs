//! Request types and their `Operation` impls as syntax trees (see [`ast`]): the
//! operation's input struct, then `extract` (every parameter and the body read through the
//! runtime, each violation collected) and `call` (the handler's method).
//!
//! Bodies of every kind: JSON (or a form, or either), text, bytes, multipart (a struct
//! of its own, files filled in after the other parts), and raw media types beside the
//! typed body (an enum of its own, picked by the request's `Content-Type`).

use quote::quote;
use syn::{Expr, Item, Stmt};

use super::ast;
use super::Emitter;
use crate::ir::{
    Body, BodyAlternatives, Encoding, Operation, Param, ParamLocation, ParamShape, PartKind,
    RustType,
};

/// The module request types name schema types through.
const TYPES: &str = "self::types";

impl Emitter<'_> {
    /// The request struct of `op` and its `Operation` impl, after the types its body
    /// needs of its own (a multipart struct, an enum of media types).
    pub(crate) fn request_trees(&self, op: &Operation) -> Vec<Item> {
        let mut fields = Vec::new();
        let mut extracts = Vec::new();
        let mut inits = Vec::new();
        for param in &op.params {
            let inner = rust_type(&param.ty, TYPES);
            let ty = if param.required {
                inner.clone()
            } else {
                ast::ty_option(inner.clone())
            };
            fields.push(ast::named_field(
                ast::docs(param.doc.as_deref()),
                &param.name,
                ty,
            ));
            extracts.push(param_extract(param, inner));
            inits.push(init(&param.name, param.required));
        }
        let mut defs = Vec::new();
        if let Some(body) = &op.body {
            let inner = if body.encoding == Encoding::Multipart {
                let name = format!("{}Multipart", op.type_stem);
                defs.push(self.multipart_tree(op, body, &name));
                ast::ty(&name)
            } else {
                rust_type(&body.ty, TYPES)
            };
            let field_inner = match &body.alternatives {
                Some(alternatives) => {
                    defs.push(body_enum_tree(body, alternatives, inner.clone()));
                    ast::ty(&alternatives.name)
                }
                None => inner.clone(),
            };
            let ty = if body.required {
                field_inner
            } else {
                ast::ty_option(field_inner)
            };
            fields.push(ast::named_field(
                ast::docs(body.doc.as_deref().or(Some("The request body."))),
                "body",
                ty,
            ));
            let typed = ast::let_(ast::pat_ident("body", false), body_read(body, inner));
            extracts.push(match &body.alternatives {
                None => typed,
                Some(alternatives) => dispatch_on_media(alternatives, body.required, typed),
            });
            inits.push(init("body", body.required));
        }
        let name = format!("{}Request", op.type_stem);
        let response = format!("{}Response", op.type_stem);
        let doc_text = format!(" Input of `{}` ({} {}).", op.id, op.method, op.path);
        let definition = ast::item_struct(
            vec![
                ast::doc_line(&doc_text),
                ast::attr_list("derive", quote::quote!(Debug, Clone, PartialEq)),
            ],
            &name,
            fields,
        );
        let (input, e) = if extracts.is_empty() {
            ("_input", "_e")
        } else {
            ("input", "e")
        };
        let mut extract_body = extracts;
        extract_body.push(ast::tail(ast::call_path(
            "::std::option::Option::Some",
            vec![ast::struct_expr("Self", inits)],
        )));
        let extract = ast::impl_fn(
            ast::signature(
                "extract",
                vec![
                    ast::arg(input, ast::ty_ref(false, ast::ty("__tg::Input"))),
                    ast::arg(e, ast::ty_ref(true, ast::ty("__tg::Errors"))),
                ],
                Some(ast::ty_option(ast::ty("Self"))),
            ),
            extract_body,
        );
        let call = ast::impl_fn(
            ast::signature(
                "call",
                vec![
                    ast::arg("api", ast::ty_ref(false, ast::ty("A"))),
                    ast::arg("request", ast::ty("Self")),
                    ast::arg("context", ast::ty("__tg::Context")),
                ],
                Some(ast::ty_send_future(ast::ty(&response))),
            ),
            vec![ast::tail(ast::method(
                ast::path_expr("api"),
                &op.fn_name,
                Vec::new(),
                vec![ast::path_expr("request"), ast::path_expr("context")],
            ))],
        );
        let operation = ast::item_impl(
            ast::generics_bounded("A", "self::Api"),
            Some(ast::path_with(
                "__tg::Operation",
                vec![syn::GenericArgument::Type(ast::ty("A"))],
                false,
            )),
            ast::ty(&name),
            vec![
                ast::impl_type("Response", ast::ty(&response)),
                extract,
                call,
            ],
        );
        defs.extend([definition, operation]);
        defs
    }

    /// The body type of a `multipart/form-data` operation: the schema's fields, files as
    /// `FilePart`s (filled in after the other fields were validated and deserialized).
    fn multipart_tree(&self, op: &Operation, body: &Body, name: &str) -> Item {
        let fields = body
            .multipart
            .iter()
            .map(|f| {
                let wire = &f.wire;
                let ty = match &f.part {
                    PartKind::File => ast::ty("__tg::FilePart"),
                    PartKind::Files => {
                        ast::ty_generic("::std::vec::Vec", vec![ast::ty("__tg::FilePart")])
                    }
                    _ => rust_type(&f.ty, TYPES),
                };
                let optional = f.optional && f.part != PartKind::Files;
                let ty = if optional { ast::ty_option(ty) } else { ty };
                let serde = match (&f.part, optional) {
                    (PartKind::File | PartKind::Files, _) => quote!(skip),
                    (_, true) => quote!(rename = #wire, default),
                    (_, false) => quote!(rename = #wire),
                };
                let attrs = vec![
                    ast::doc_line(&format!(" Part `{wire}`.")),
                    ast::attr_list("serde", serde),
                ];
                ast::named_field(attrs, &f.name, ty)
            })
            .collect();
        let doc_text = format!(
            " The `multipart/form-data` body of `{}`: files as `FilePart`s.",
            op.id
        );
        self.deserialize_struct(&doc_text, name, fields)
    }
}

/// How the typed body is read: `input.<json|form|multipart|text|bytes>_body(…)`, or for
/// JSON that also accepts a form, whichever the request's `Content-Type` says.
fn body_read(body: &Body, inner: syn::Type) -> Expr {
    let required = || ast::boolean(body.required);
    let validator = || validator_arg(body.validator.as_deref());
    let input = || ast::path_expr("input");
    let e = || ast::path_expr("e");
    let form = |inner: syn::Type| {
        let form_fields = body
            .form_fields
            .iter()
            .map(|(name, shape)| ast::tuple(vec![ast::string(name), shape_expr(shape)]))
            .collect();
        ast::method(
            input(),
            "form_body",
            vec![inner],
            vec![
                required(),
                ast::reference(ast::array(form_fields)),
                validator(),
                e(),
            ],
        )
    };
    let json = |inner: syn::Type| {
        ast::method(
            input(),
            "json_body",
            vec![inner],
            vec![required(), validator(), e()],
        )
    };
    match body.encoding {
        Encoding::Json if body.also_form => ast::if_else(
            ast::method(input(), "is_form", Vec::new(), Vec::new()),
            vec![ast::tail(form(inner.clone()))],
            vec![ast::tail(json(inner))],
        ),
        Encoding::Json => json(inner),
        Encoding::Form => form(inner),
        Encoding::Text => ast::method(input(), "text_body", Vec::new(), vec![required(), e()]),
        Encoding::Binary => ast::method(input(), "bytes_body", Vec::new(), vec![required(), e()]),
        Encoding::Multipart => {
            let parts = body
                .multipart
                .iter()
                .map(|f| ast::tuple(vec![ast::string(&f.wire), part_expr(&f.part, &f.accept)]))
                .collect();
            // Files are filled in after the other parts were deserialized.
            let mut files: Vec<Stmt> = body
                .multipart
                .iter()
                .filter_map(|f| {
                    let wire = ast::string(&f.wire);
                    let all = || ast::path_expr("files");
                    let value = match (&f.part, f.optional) {
                        (PartKind::File, true) => ast::method(all(), "one", Vec::new(), vec![wire]),
                        (PartKind::File, false) => ast::method(
                            ast::method(all(), "one", Vec::new(), vec![wire]),
                            "unwrap_or_default",
                            Vec::new(),
                            Vec::new(),
                        ),
                        (PartKind::Files, _) => ast::method(all(), "all", Vec::new(), vec![wire]),
                        _ => return None,
                    };
                    Some(ast::semi(ast::assign(
                        ast::field(ast::path_expr("body"), &f.name),
                        value,
                    )))
                })
                .collect();
            let filled = !files.is_empty();
            let pattern = ast::pat_tuple(
                vec![
                    ast::pat_ident("body", filled),
                    ast::pat_ident(if filled { "files" } else { "_files" }, filled),
                ],
                false,
            );
            files.push(ast::tail(ast::path_expr("body")));
            let read = ast::method(
                input(),
                "multipart_body",
                vec![inner],
                vec![
                    required(),
                    ast::reference(ast::array(parts)),
                    validator(),
                    e(),
                ],
            );
            ast::method(
                read,
                "map",
                Vec::new(),
                vec![ast::closure(vec![pattern], ast::block_expr(files))],
            )
        }
    }
}

/// The runtime `Part` of a multipart field.
fn part_expr(part: &PartKind, accept: &[String]) -> Expr {
    let accept = || {
        ast::field_value(
            "accept",
            Some(ast::reference(ast::array(
                accept.iter().map(|a| ast::string(a)).collect(),
            ))),
        )
    };
    match part {
        PartKind::Field(shape) => ast::call_path("__tg::Part::Field", vec![shape_expr(shape)]),
        PartKind::Json { repeated } => ast::struct_expr(
            "__tg::Part::Json",
            vec![ast::field_value("repeated", Some(ast::boolean(*repeated)))],
        ),
        PartKind::File => ast::struct_expr("__tg::Part::File", vec![accept()]),
        PartKind::Files => ast::struct_expr("__tg::Part::Files", vec![accept()]),
    }
}

/// The body enum of an operation that takes raw media types beside its typed body: one
/// variant for the typed body (`typed`), one per raw media type (`String` or `Bytes`).
fn body_enum_tree(body: &Body, alternatives: &BodyAlternatives, typed: syn::Type) -> Item {
    let typed_doc = format!(
        " `{}`.",
        body.content_types.first().map_or("", String::as_str)
    );
    let mut variants = vec![ast::variant(
        vec![ast::doc_line(&typed_doc)],
        &alternatives.typed_variant,
        vec![typed],
    )];
    variants.extend(alternatives.raw.iter().map(|a| {
        let ty = if a.encoding == Encoding::Text {
            ast::ty("::std::string::String")
        } else {
            ast::ty("__tg::Bytes")
        };
        ast::variant(
            vec![ast::doc_line(&format!(" `{}`, as sent.", a.media))],
            &a.variant,
            vec![ty],
        )
    }));
    ast::item_enum(
        vec![
            ast::doc_line(" The request body, by its `Content-Type`."),
            ast::attr_list("derive", quote!(Debug, Clone, PartialEq)),
        ],
        &alternatives.name,
        variants,
    )
}

/// The reading of a body with raw media types beside its typed form: the raw ones by
/// their index among the request's `Content-Type`s, else the typed read `typed`.
fn dispatch_on_media(alternatives: &BodyAlternatives, required: bool, typed: Stmt) -> Stmt {
    let name = &alternatives.name;
    let media = alternatives
        .raw
        .iter()
        .map(|a| ast::string(&a.media))
        .collect();
    let mut arms: Vec<syn::Arm> = alternatives
        .raw
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let read = if a.encoding == Encoding::Text {
                "text_body"
            } else {
                "bytes_body"
            };
            ast::arm(
                ast::pat_tuple_struct(
                    "::std::option::Option::Some",
                    vec![ast::pat_lit(proc_macro2::Literal::usize_unsuffixed(i))],
                ),
                ast::method(
                    ast::method(
                        ast::path_expr("input"),
                        read,
                        Vec::new(),
                        vec![ast::boolean(required), ast::path_expr("e")],
                    ),
                    "map",
                    Vec::new(),
                    vec![ast::path_expr(&format!("{name}::{}", a.variant))],
                ),
            )
        })
        .collect();
    arms.push(ast::arm(
        ast::pat_wild(),
        ast::block_expr(vec![
            typed,
            ast::tail(ast::method(
                ast::path_expr("body"),
                "map",
                Vec::new(),
                vec![ast::path_expr(&format!(
                    "{name}::{}",
                    alternatives.typed_variant
                ))],
            )),
        ]),
    ));
    let scrutinee = ast::method(
        ast::path_expr("input"),
        "media_index",
        Vec::new(),
        vec![ast::reference(ast::array(media))],
    );
    ast::let_(ast::pat_ident("body", false), ast::match_(scrutinee, arms))
}

/// `name: name?` for a required value (its absence was recorded), else `name`.
fn init(name: &str, required: bool) -> syn::FieldValue {
    if required {
        ast::field_value(name, Some(ast::try_(ast::path_expr(name))))
    } else {
        ast::field_value(name, None)
    }
}

/// `let <name> = input.param::<inner>(location, "wire", required, shape, validator, e);`
fn param_extract(param: &Param, inner: syn::Type) -> Stmt {
    let location = match param.location {
        ParamLocation::Path => "Path",
        ParamLocation::Query => "Query",
        ParamLocation::Header => "Header",
        ParamLocation::Cookie => "Cookie",
    };
    ast::let_(
        ast::pat_ident(&param.name, false),
        ast::method(
            ast::path_expr("input"),
            "param",
            vec![inner],
            vec![
                ast::path_expr(&format!("__tg::Location::{location}")),
                ast::string(&param.wire),
                ast::boolean(param.required),
                shape_expr(&param.shape),
                validator_arg(param.validator.as_deref()),
                ast::path_expr("e"),
            ],
        ),
    )
}

/// `Some(self::validate::<name>)` or `None`, spelled out.
fn validator_arg(validator: Option<&str>) -> Expr {
    match validator {
        Some(v) => ast::call_path(
            "::std::option::Option::Some",
            vec![ast::path_expr(&format!("self::validate::{v}"))],
        ),
        None => ast::path_expr("::std::option::Option::None"),
    }
}

/// The runtime `Shape` of a parameter (or form field).
pub(crate) fn shape_expr(shape: &ParamShape) -> Expr {
    let scalar = |s: &str| {
        ast::path_expr(match s {
            "integer" => "__tg::Scalar::Integer",
            "number" => "__tg::Scalar::Number",
            "boolean" => "__tg::Scalar::Boolean",
            _ => "__tg::Scalar::String",
        })
    };
    let style = |s: &str| ast::path_expr(&format!("__tg::Style::{}", style_name(s)));
    match shape {
        ParamShape::Scalar(s) => ast::call_path("__tg::Shape::Scalar", vec![scalar(s)]),
        ParamShape::Array {
            item,
            style: s,
            explode,
        } => ast::struct_expr(
            "__tg::Shape::Array",
            vec![
                ast::field_value("item", Some(scalar(item))),
                ast::field_value("style", Some(style(s))),
                ast::field_value("explode", Some(ast::boolean(*explode))),
            ],
        ),
        ParamShape::Json => ast::path_expr("__tg::Shape::Json"),
        ParamShape::Object {
            style: s,
            explode,
            fields,
            other,
        } => ast::struct_expr(
            "__tg::Shape::Object",
            vec![
                ast::field_value("style", Some(style(s))),
                ast::field_value("explode", Some(ast::boolean(*explode))),
                ast::field_value(
                    "fields",
                    Some(ast::reference(ast::array(
                        fields
                            .iter()
                            .map(|(name, s)| ast::tuple(vec![ast::string(name), scalar(s)]))
                            .collect(),
                    ))),
                ),
                ast::field_value("other", Some(scalar(other))),
            ],
        ),
    }
}

/// The Rust type of an IR type, schema types named through `named` (`self::types`).
pub(crate) fn rust_type(ty: &RustType, named: &str) -> syn::Type {
    match ty {
        RustType::String => ast::ty("::std::string::String"),
        RustType::Bool => ast::ty("bool"),
        RustType::I32 => ast::ty("i32"),
        RustType::I64 => ast::ty("i64"),
        RustType::F32 => ast::ty("f32"),
        RustType::F64 => ast::ty("f64"),
        RustType::Bytes => ast::ty("__tg::Bytes"),
        RustType::Value => ast::ty("__tg::serde_json::Value"),
        RustType::Vec(inner) => ast::ty_generic("::std::vec::Vec", vec![rust_type(inner, named)]),
        RustType::Map(inner) => ast::ty_generic(
            "::std::collections::BTreeMap",
            vec![ast::ty("::std::string::String"), rust_type(inner, named)],
        ),
        RustType::Option(inner) => ast::ty_option(rust_type(inner, named)),
        RustType::Named(name) => ast::ty(&format!("{named}::{name}")),
    }
}

/// The runtime `Style` variant of an OpenAPI `style`.
fn style_name(style: &str) -> &'static str {
    match style {
        "simple" => "Simple",
        "label" => "Label",
        "matrix" => "Matrix",
        "spaceDelimited" => "SpaceDelimited",
        "pipeDelimited" => "PipeDelimited",
        "deepObject" => "DeepObject",
        _ => "Form",
    }
}
