//! Request types and their `Operation` impls as syntax trees (see [`ast`]): the
//! operation's input struct, then `extract` (every parameter and the body read through the
//! runtime, each violation collected) and `call` (the handler's method).
//!
//! The token route in `operations` remains for the bodies built there only (multipart,
//! several media types, JSON that also accepts a form); both print the same code.

use syn::{Expr, Item, Stmt};

use super::ast;
use super::Emitter;
use crate::ir::{Encoding, Operation, Param, ParamLocation, ParamShape, RustType};

/// The module request types name schema types through.
const TYPES: &str = "self::types";

impl Emitter<'_> {
    /// The request struct of `op` and its `Operation` impl, or `None` for a body this
    /// route does not build (see the module doc).
    pub(crate) fn request_trees(&self, op: &Operation) -> Option<Vec<Item>> {
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
        if let Some(body) = &op.body {
            if body.alternatives.is_some() || body.encoding == Encoding::Multipart {
                return None;
            }
            if body.encoding == Encoding::Json && body.also_form {
                return None;
            }
            let inner = rust_type(&body.ty, TYPES);
            let ty = if body.required {
                inner.clone()
            } else {
                ast::ty_option(inner.clone())
            };
            fields.push(ast::named_field(
                ast::docs(body.doc.as_deref().or(Some("The request body."))),
                "body",
                ty,
            ));
            let required = ast::boolean(body.required);
            let validator = validator_arg(body.validator.as_deref());
            let input = || ast::path_expr("input");
            let e = || ast::path_expr("e");
            let read = match body.encoding {
                Encoding::Json => ast::method(
                    input(),
                    "json_body",
                    vec![inner],
                    vec![required, validator, e()],
                ),
                Encoding::Form => {
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
                            required,
                            ast::reference(ast::array(form_fields)),
                            validator,
                            e(),
                        ],
                    )
                }
                Encoding::Text => {
                    ast::method(input(), "text_body", Vec::new(), vec![required, e()])
                }
                Encoding::Binary => {
                    ast::method(input(), "bytes_body", Vec::new(), vec![required, e()])
                }
                Encoding::Multipart => return None,
            };
            extracts.push(ast::let_(ast::pat_ident("body", false), read));
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
        Some(vec![definition, operation])
    }
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
    let style = |s: &str| {
        ast::path_expr(&format!(
            "__tg::Style::{}",
            super::operations::style_name(s)
        ))
    };
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
