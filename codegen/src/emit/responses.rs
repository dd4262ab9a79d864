//! Response enums and their `GeneratedResponse` impls as syntax trees (see [`ast`]): one
//! variant per documented response, turned into an HTTP response (`into_response`) and
//! checked against the schema in tests and debug builds (`validate`).

use proc_macro2::Literal;
use quote::quote;
use syn::{Arm, Expr, Item, Stmt};

use super::ast;
use super::requests::rust_type;
use super::Emitter;
use crate::ir::{Encoding, Operation, Response, ResponseBody, Status};

impl Emitter<'_> {
    /// The response enum of `op` with its impl, after the structs of its responses'
    /// headers.
    pub(crate) fn response_trees(&self, op: &Operation) -> Vec<Item> {
        let name = format!("{}Response", op.type_stem);
        let mut items = Vec::new();
        let mut variants = Vec::new();
        let mut into_arms = Vec::new();
        let mut validate_arms = Vec::new();
        for r in &op.responses {
            let status_field = !matches!(r.status, Status::Code(_));
            let status_expr = || match r.status {
                Status::Code(code) => ast::lit_expr(Literal::u16_suffixed(code)),
                _ => ast::path_expr("status"),
            };
            let variant_path = format!("Self::{}", r.variant);
            let mut elems = Vec::new();
            if status_field {
                elems.push(ast::ty("u16"));
            }
            elems.extend(r.body.as_ref().map(|b| rust_type(&b.ty, "self::types")));
            if !r.headers.is_empty() {
                items.push(self.headers_tree(op, r));
                elems.push(ast::ty(&r.headers_type));
            }
            variants.push(ast::variant(
                ast::docs(Some(&response_doc(r))),
                &r.variant,
                elems,
            ));
            // The patterns: `status` (when a field), `body`, `headers`, as present.
            let mut binds = Vec::new();
            if status_field {
                binds.push(ast::pat_ident("status", false));
            }
            if r.body.is_some() {
                binds.push(ast::pat_ident("body", false));
            }
            let validate_arm = |with_headers: bool| -> Option<Arm> {
                let b = r.body.as_ref()?;
                let validator = b
                    .validator
                    .as_ref()
                    .filter(|_| b.encoding == Encoding::Json)?;
                let mut pats = Vec::new();
                if status_field {
                    pats.push(ast::pat_wild());
                }
                pats.push(ast::pat_ident("body", false));
                if with_headers {
                    pats.push(ast::pat_wild());
                }
                Some(ast::arm(
                    ast::pat_tuple_struct(&variant_path, pats),
                    ast::call_path(
                        "__tg::validate_body",
                        vec![
                            ast::path_expr("body"),
                            ast::path_expr(&format!("self::validate::{validator}")),
                            ast::path_expr("errors"),
                        ],
                    ),
                ))
            };
            if !r.headers.is_empty() {
                // Build the answer without headers, then add them.
                binds.push(ast::pat_ident("headers", false));
                let respond = match &r.body {
                    Some(b) => response_call(b, status_expr()),
                    None => ast::call_path("__tg::empty_response", vec![status_expr()]),
                };
                let mut stmts = vec![ast::let_(ast::pat_ident("response", true), respond)];
                stmts.extend(r.headers.iter().map(|h| {
                    ast::semi(ast::call_path(
                        "__tg::set_header",
                        vec![
                            ast::reference_mut(ast::path_expr("response")),
                            ast::string(&h.wire),
                            ast::reference(ast::field(ast::path_expr("headers"), &h.name)),
                        ],
                    ))
                }));
                stmts.push(ast::tail(ast::path_expr("response")));
                into_arms.push(ast::arm(
                    ast::pat_tuple_struct(&variant_path, binds),
                    ast::block_expr(stmts),
                ));
                validate_arms.extend(validate_arm(true));
                continue;
            }
            let pattern = if binds.is_empty() {
                ast::pat_path(&variant_path)
            } else {
                ast::pat_tuple_struct(&variant_path, binds)
            };
            match &r.body {
                Some(b) => {
                    into_arms.push(ast::arm(pattern, response_call(b, status_expr())));
                    validate_arms.extend(validate_arm(false));
                }
                None => into_arms.push(ast::arm(
                    pattern,
                    ast::call_path("__tg::empty_response", vec![status_expr()]),
                )),
            }
        }
        let validate_body: Stmt = if validate_arms.is_empty() {
            ast::let_(ast::pat_wild(), ast::path_expr("errors"))
        } else {
            if validate_arms.len() < op.responses.len() {
                validate_arms.push(ast::arm(ast::pat_wild(), ast::block_expr(Vec::new())));
            }
            ast::tail(ast::match_(ast::path_expr("self"), validate_arms))
        };
        let into_body = ast::tail(ast::match_(ast::path_expr("self"), into_arms));
        let doc_text = format!(" Every answer `{}` may give, as documented.", op.id);
        items.push(ast::item_enum(
            vec![
                ast::doc_line(&doc_text),
                ast::attr_list("derive", quote!(Debug, Clone, PartialEq)),
            ],
            &name,
            variants,
        ));
        items.push(ast::item_impl(
            syn::Generics::default(),
            Some(ast::path("__tg::GeneratedResponse")),
            ast::ty(&name),
            vec![
                ast::impl_fn(
                    ast::signature(
                        "into_response",
                        vec![ast::self_arg()],
                        Some(ast::ty("__tg::axum::response::Response")),
                    ),
                    vec![into_body],
                ),
                ast::impl_fn(
                    ast::signature(
                        "validate",
                        vec![
                            ast::ref_self(),
                            ast::arg("errors", ast::ty_ref(true, ast::ty("__tg::Errors"))),
                        ],
                        None,
                    ),
                    vec![validate_body],
                ),
            ],
        ));
        items
    }

    /// The declared headers of one response, as fields the handler fills.
    fn headers_tree(&self, op: &Operation, r: &Response) -> Item {
        let fields = r
            .headers
            .iter()
            .map(|h| {
                let wire = &h.wire;
                let fallback = format!("`{wire}`");
                let mut attrs = ast::docs(Some(h.doc.as_deref().unwrap_or(&fallback)));
                let ty = rust_type(&h.ty, "self::types");
                let (serde, ty) = if h.required {
                    (quote!(rename = #wire), ty)
                } else {
                    (quote!(rename = #wire, default), ast::ty_option(ty))
                };
                attrs.push(ast::attr_list("serde", serde));
                ast::named_field(attrs, &h.name, ty)
            })
            .collect();
        let doc_text = format!(
            " The headers `{}` sends with `{}Response::{}`.",
            op.id, op.type_stem, r.variant
        );
        self.deserialize_struct(&doc_text, &r.headers_type, fields)
    }

    /// `pub struct <name> { fields }` deriving `Deserialize` through the runtime's serde,
    /// with the one-line doc `doc_text` (a multipart body, a response's headers).
    pub(crate) fn deserialize_struct(
        &self,
        doc_text: &str,
        name: &str,
        fields: Vec<syn::Field>,
    ) -> Item {
        let serde_crate = self.serde_crate();
        ast::item_struct(
            vec![
                ast::doc_line(doc_text),
                ast::attr_list(
                    "derive",
                    quote!(Debug, Clone, PartialEq, __tg::serde::Deserialize),
                ),
                ast::attr_list("serde", quote!(crate = #serde_crate)),
            ],
            name,
            fields,
        )
    }
}

/// The runtime call that turns a response body into an HTTP response.
fn response_call(b: &ResponseBody, status: Expr) -> Expr {
    let ct = &b.content_type;
    let body = ast::path_expr("body");
    let call = match b.encoding {
        // Response bodies are never read as forms (see `Encoding::Form`).
        Encoding::Json | Encoding::Form if ct.eq_ignore_ascii_case("application/json") => {
            ast::call_path("__tg::json_response", vec![status, ast::reference(body)])
        }
        Encoding::Json | Encoding::Form => ast::call_path(
            "__tg::json_response_as",
            vec![status, ast::string(ct), ast::reference(body)],
        ),
        Encoding::Text => {
            ast::call_path("__tg::text_response", vec![status, ast::string(ct), body])
        }
        Encoding::Binary | Encoding::Multipart => {
            ast::call_path("__tg::bytes_response", vec![status, ast::string(ct), body])
        }
    };
    if b.alternatives.is_empty() {
        call
    } else {
        let all = std::iter::once(ct)
            .chain(&b.alternatives)
            .map(|m| ast::string(m))
            .collect();
        ast::call_path(
            "__tg::media_choices",
            vec![call, ast::reference(ast::array(all))],
        )
    }
}

/// The doc of a response variant: its status and description.
fn response_doc(r: &Response) -> String {
    let status = match r.status {
        Status::Code(c) => c.to_string(),
        Status::Range(d) => format!("{d}XX (the status is the first field)"),
        Status::Default => "any other status (the status is the first field)".to_owned(),
    };
    match &r.doc {
        Some(d) if !d.trim().is_empty() => format!("{status}: {}", d.trim()),
        _ => status,
    }
}
