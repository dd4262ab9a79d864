//! The `Api` trait, `Mock` and the router functions as syntax trees (see [`ast`]).

use proc_macro2::Literal;
use quote::quote;
use syn::{Attribute, Expr, Item, Stmt};

use super::ast;
use super::Emitter;
use crate::ir::mock_plan::MockExpr;
use crate::ir::{Encoding, Operation, Status};

impl Emitter<'_> {
    /// `pub trait Api`: one method per operation, taking its request and answering its
    /// response enum.
    pub(crate) fn api_trait_tree(&self) -> Item {
        let methods = self
            .api
            .operations
            .iter()
            .map(|op| {
                let mut attrs = ast::docs(Some(&operation_doc(op)));
                if op.deprecated {
                    attrs.push(ast::attr_path("deprecated"));
                }
                ast::trait_fn(attrs, handler_signature(op, "request", "context"))
            })
            .collect();
        let title = format!(
            " The operations of `{}`: implement this trait to serve the API.",
            self.api.title
        );
        ast::item_trait(
            vec![ast::doc_line(&title)],
            "Api",
            &["::core::marker::Send", "::core::marker::Sync"],
            Some("'static"),
            methods,
        )
    }

    /// `Mock`, answering every operation with its first success response.
    pub(crate) fn mock_trees(&self) -> Vec<Item> {
        let methods = self
            .api
            .operations
            .iter()
            .map(|op| {
                let answer = mock_answer(op);
                ast::impl_fn(
                    handler_signature(op, "_request", "_context"),
                    vec![ast::tail(ast::call_path(
                        "::core::future::ready",
                        vec![answer],
                    ))],
                )
            })
            .collect();
        vec![
            ast::item_unit_struct(
                vec![
                    ast::doc_line(
                        " Answers every operation with its first success response, synthesised from the",
                    ),
                    ast::doc_line(" schema so that it passes the generated validators."),
                    ast::attr_list("derive", quote!(Debug, Clone, Copy, Default)),
                ],
                "Mock",
            ),
            ast::item_impl(
                syn::Generics::default(),
                Some(ast::path("self::Api")),
                ast::ty("Mock"),
                methods,
            ),
        ]
    }

    /// `router`, `try_router` and the function both build the routes with.
    pub(crate) fn router_trees(&self) -> Vec<Item> {
        // One statement per operation, grouped by route in document order (axum merges the
        // methods of one path): the handler, its future and its axum bounds are the
        // runtime's (`Routes::add`), checked once there rather than once per operation.
        let mut routes: Vec<(&str, Vec<(usize, &Operation)>)> = Vec::new();
        for (i, op) in self.api.operations.iter().enumerate() {
            match routes.iter_mut().find(|(r, _)| *r == op.route) {
                Some((_, list)) => list.push((i, op)),
                None => routes.push((&op.route, vec![(i, op)])),
            }
        }
        let mut build = vec![ast::let_(
            ast::pat_ident("routes", !routes.is_empty()),
            ast::call_path(
                "__tg::Routes::new",
                vec![
                    ast::path_expr("api"),
                    ast::path_expr("gateway"),
                    ast::reference(ast::path_expr("self::API")),
                ],
            ),
        )];
        for (route, list) in &routes {
            for (i, op) in list {
                let method = op.method.to_ascii_uppercase();
                build.push(ast::semi(ast::method(
                    ast::path_expr("routes"),
                    "add",
                    vec![ast::ty(&format!("{}Request", op.type_stem))],
                    vec![
                        ast::string(route),
                        ast::path_expr(&format!("__tg::MethodFilter::{method}")),
                        ast::reference(ast::index(
                            ast::field(ast::path_expr("self::API"), "operations"),
                            ast::lit_expr(Literal::usize_suffixed(*i)),
                        )),
                    ],
                )));
            }
        }
        build.push(ast::tail(ast::method(
            ast::path_expr("routes"),
            "into_router",
            Vec::new(),
            Vec::new(),
        )));
        let api_args =
            |gateway: syn::Type| vec![ast::arg("api", ast::ty("A")), ast::arg("gateway", gateway)];
        let finish = |function: &str| -> Vec<Stmt> {
            vec![
                ast::let_(
                    ast::pat_ident("routes", false),
                    ast::call_path(
                        "__tollgate_router",
                        vec![
                            ast::path_expr("api"),
                            ast::reference(ast::path_expr("gateway")),
                        ],
                    ),
                ),
                ast::tail(ast::call_path(
                    function,
                    vec![
                        ast::path_expr("routes"),
                        ast::reference(ast::path_expr("gateway")),
                        ast::reference(ast::path_expr("self::API")),
                        ast::path_expr("self::SPEC"),
                    ],
                )),
            ]
        };
        let generic = |sig: syn::Signature| syn::Signature {
            generics: ast::generics_bounded("A", "self::Api"),
            ..sig
        };
        vec![
            ast::item_fn(
                doc_lines(&[
                    " The gateway for `api`: every operation routed, authenticated, throttled and",
                    " validated as the spec and `gateway` say, plus `GET /openapi.json`.",
                    "",
                    " Never fails: a security scheme without a verifier is logged (as an error",
                    " with `strict = true`) and its operations answer 401. Use [`try_router`] to",
                    " refuse to start instead.",
                ]),
                true,
                generic(ast::signature(
                    "router",
                    api_args(ast::ty("__tg::Gateway")),
                    Some(ast::ty("__tg::Router")),
                )),
                finish("__tg::finish_router"),
            ),
            ast::item_fn(
                doc_lines(&[
                    " [`router`], or `Err(Error::Strict(..))` when `strict = true` in the",
                    " configuration and an operation needs a security scheme the gateway cannot",
                    " verify (`Gateway::check`). Without `strict`, the same as [`router`].",
                ]),
                true,
                generic(ast::signature(
                    "try_router",
                    api_args(ast::ty("__tg::Gateway")),
                    Some(ast::ty_generic(
                        "::core::result::Result",
                        vec![ast::ty("__tg::Router"), ast::ty("__tg::Error")],
                    )),
                )),
                finish("__tg::try_finish_router"),
            ),
            ast::item_fn(
                Vec::new(),
                false,
                generic(ast::signature(
                    "__tollgate_router",
                    api_args(ast::ty_ref(false, ast::ty("__tg::Gateway"))),
                    Some(ast::ty("__tg::axum::Router")),
                )),
                build,
            ),
        ]
    }
}

/// `#[doc]` attributes for lines written as they are (each with its leading space).
fn doc_lines(lines: &[&str]) -> Vec<Attribute> {
    lines.iter().map(|line| ast::doc_line(line)).collect()
}

/// `fn <name>(&self, <request>: <Op>Request, <context>: __tg::Context) -> impl Future<Output
/// = <Op>Response> + Send`.
fn handler_signature(op: &Operation, request: &str, context: &str) -> syn::Signature {
    ast::signature(
        &op.fn_name,
        vec![
            ast::ref_self(),
            ast::arg(request, ast::ty(&format!("{}Request", op.type_stem))),
            ast::arg(context, ast::ty("__tg::Context")),
        ],
        Some(ast::ty_send_future(ast::ty(&format!(
            "{}Response",
            op.type_stem
        )))),
    )
}

/// The answer of the mock: the first success response (or the first documented one).
fn mock_answer(op: &Operation) -> Expr {
    let enum_path = format!("{}Response", op.type_stem);
    let pick = op
        .responses
        .iter()
        .find(|r| matches!(r.status, Status::Code(200..=299) | Status::Range(2)))
        .or_else(|| op.responses.first());
    let Some(r) = pick else {
        // Lowering gives every operation at least one response; keep the emitter total.
        return ast::call_path(
            &format!("{enum_path}::Default"),
            vec![ast::lit_expr(Literal::u16_suffixed(200))],
        );
    };
    let variant = format!("{enum_path}::{}", r.variant);
    let status = match r.status {
        Status::Code(_) => None,
        Status::Range(d) => Some(d * 100),
        Status::Default => Some(200u16),
    };
    let headers = (!r.headers.is_empty()).then(|| {
        let object: serde_json::Map<String, serde_json::Value> = r
            .headers
            .iter()
            .filter(|h| h.required)
            .map(|h| (h.wire.clone(), h.mock.clone()))
            .collect();
        let json = serde_json::to_string(&object).unwrap_or_else(|_| "{}".into());
        ast::call_path("__tg::mock_value", vec![raw_string(&json)])
    });
    let body = r.body.as_ref().map(|b| match b.encoding {
        Encoding::Json | Encoding::Form => mock_expr(&b.mock_plan),
        Encoding::Text => {
            ast::call_path("::std::string::String::from", vec![ast::string("string")])
        }
        Encoding::Binary | Encoding::Multipart => ast::call_path("__tg::Bytes::new", Vec::new()),
    });
    let elems: Vec<Expr> = status
        .map(|s| ast::lit_expr(Literal::u16_suffixed(s)))
        .into_iter()
        .chain(body)
        .chain(headers)
        .collect();
    if elems.is_empty() {
        ast::path_expr(&variant)
    } else {
        ast::call_path(&variant, elems)
    }
}

/// A raw string literal holding `text` (see `operations::raw_string`).
fn raw_string(text: &str) -> Expr {
    ast::lit_expr(super::operations::raw_string(text))
}

/// The expression that builds a mock value (see [`MockExpr`]).
fn mock_expr(plan: &MockExpr) -> Expr {
    match plan {
        MockExpr::Json { value, .. } => {
            let json = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
            ast::call_path("__tg::mock_value", vec![raw_string(&json)])
        }
        MockExpr::String(s) => ast::call_path("::std::string::String::from", vec![ast::string(s)]),
        MockExpr::Bool(b) => ast::boolean(*b),
        MockExpr::I32(n) => ast::lit_expr(Literal::i32_suffixed(*n)),
        MockExpr::I64(n) => ast::lit_expr(Literal::i64_suffixed(*n)),
        MockExpr::F32(n) => ast::lit_expr(Literal::f32_suffixed(*n)),
        MockExpr::F64(n) => ast::lit_expr(Literal::f64_suffixed(*n)),
        MockExpr::Vec(items) => {
            let items = items.iter().map(mock_expr);
            ast::macro_brackets("::std::vec", quote!(#(#items),*))
        }
        MockExpr::Map(entries) => map_expr(entries),
        MockExpr::Some(inner) => {
            ast::call_path("::std::option::Option::Some", vec![mock_expr(inner)])
        }
        MockExpr::None => ast::path_expr("::std::option::Option::None"),
        MockExpr::Boxed(inner) => ast::call_path("::std::boxed::Box::new", vec![mock_expr(inner)]),
        MockExpr::Struct {
            name,
            fields,
            additional,
        } => {
            let mut values: Vec<syn::FieldValue> = fields
                .iter()
                .map(|(field, e)| ast::field_value(field, Some(mock_expr(e))))
                .collect();
            values.extend(
                additional.as_ref().map(|entries| {
                    ast::field_value("additional_properties", Some(map_expr(entries)))
                }),
            );
            let mut literal = ast::struct_expr(&format!("self::types::{name}"), values);
            // Each field ends with a comma, as the token route wrote them: inside `vec![…]`
            // prettyplease may print the tokens as they are.
            if let Expr::Struct(s) = &mut literal {
                if !s.fields.empty_or_trailing() {
                    s.fields.push_punct(Default::default());
                }
            }
            literal
        }
        MockExpr::Unit { name, variant } => {
            ast::path_expr(&format!("self::types::{name}::{variant}"))
        }
        MockExpr::Newtype {
            name,
            variant,
            payload,
        } => ast::call_path(
            &format!("self::types::{name}::{variant}"),
            vec![mock_expr(payload)],
        ),
    }
}

/// A `BTreeMap` literal from `(key, value)` entries.
fn map_expr(entries: &[(String, MockExpr)]) -> Expr {
    if entries.is_empty() {
        return ast::call_path("::std::collections::BTreeMap::new", Vec::new());
    }
    let entries = entries
        .iter()
        .map(|(k, e)| {
            ast::tuple(vec![
                ast::call_path("::std::string::String::from", vec![ast::string(k)]),
                mock_expr(e),
            ])
        })
        .collect();
    ast::call_path(
        "::std::collections::BTreeMap::from",
        vec![ast::array(entries)],
    )
}

/// The doc of an `Api` method: its method, path and id, then its description.
fn operation_doc(op: &Operation) -> String {
    let head = format!("`{} {}` (`{}`)", op.method, op.path, op.id);
    match &op.doc {
        Some(d) => format!("{head}\n\n{d}"),
        None => head,
    }
}
