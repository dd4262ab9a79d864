//! `pub static API`, what the runtime knows of the API (operations, security, throttles),
//! as a syntax tree (see [`ast`]).

use syn::{Expr, FieldValue, Item};

use super::ast;
use super::Emitter;
use crate::ir::{SchemeKind, Throttle};

impl Emitter<'_> {
    /// The `API` static.
    pub(crate) fn meta_tree(&self) -> Item {
        let api = self.api;
        let schemes = api
            .security_schemes
            .iter()
            .map(|s| {
                let kind = match &s.kind {
                    SchemeKind::ApiKey { location, name } => {
                        let location = match location.as_str() {
                            "query" => "Query",
                            "cookie" => "Cookie",
                            _ => "Header",
                        };
                        ast::struct_expr(
                            "__tg::SchemeKind::ApiKey",
                            vec![
                                named(
                                    "location",
                                    ast::path_expr(&format!("__tg::ApiKeyLocation::{location}")),
                                ),
                                named("name", ast::string(name)),
                            ],
                        )
                    }
                    SchemeKind::Http(scheme) => ast::struct_expr(
                        "__tg::SchemeKind::Http",
                        vec![named("scheme", ast::string(scheme))],
                    ),
                    SchemeKind::OAuth2 => ast::path_expr("__tg::SchemeKind::OAuth2"),
                    SchemeKind::OpenIdConnect(url) => ast::struct_expr(
                        "__tg::SchemeKind::OpenIdConnect",
                        vec![named("url", ast::string(url))],
                    ),
                    SchemeKind::AwsSigV4 => ast::path_expr("__tg::SchemeKind::AwsSigV4"),
                    SchemeKind::Unsupported => ast::path_expr("__tg::SchemeKind::Unsupported"),
                };
                let authorizer = match &s.authorizer {
                    Some(a) => {
                        let kind = match a.kind.as_str() {
                            "token" => "Token",
                            "request" => "Request",
                            "jwt" => "Jwt",
                            _ => "Other",
                        };
                        some(ast::struct_expr(
                            "__tg::AuthorizerMeta",
                            vec![
                                named(
                                    "kind",
                                    ast::path_expr(&format!("__tg::AuthorizerKind::{kind}")),
                                ),
                                named("identity_sources", strings(&a.identity_sources)),
                                named("ttl_secs", option(a.ttl_secs.map(ast::value))),
                                named("issuer", option(a.issuer.as_deref().map(ast::string))),
                                named("audience", strings(&a.audience)),
                            ],
                        ))
                    }
                    None => none(),
                };
                ast::struct_expr(
                    "__tg::SecuritySchemeMeta",
                    vec![
                        named("name", ast::string(&s.name)),
                        named("kind", kind),
                        named("authorizer", authorizer),
                    ],
                )
            })
            .collect();
        let api_key_source = match api.api_key_source.as_deref() {
            Some("authorizer") => some(ast::path_expr("__tg::ApiKeySource::Authorizer")),
            Some(_) => some(ast::path_expr("__tg::ApiKeySource::Header")),
            None => none(),
        };
        let operations = api
            .operations
            .iter()
            .map(|op| {
                let security = op
                    .security
                    .iter()
                    .map(|alternative| {
                        let schemes = alternative
                            .iter()
                            .map(|(scheme, scopes)| {
                                ast::struct_expr(
                                    "__tg::SchemeRequirement",
                                    vec![
                                        named("scheme", ast::string(scheme)),
                                        named("scopes", strings(scopes)),
                                    ],
                                )
                            })
                            .collect();
                        ast::struct_expr(
                            "__tg::SecurityRequirement",
                            vec![named("schemes", slice(schemes))],
                        )
                    })
                    .collect();
                let body = match &op.body {
                    Some(b) => some(ast::struct_expr(
                        "__tg::BodyMeta",
                        vec![
                            named("required", ast::boolean(b.required)),
                            named("content_types", strings(&b.content_types)),
                        ],
                    )),
                    None => none(),
                };
                ast::struct_expr(
                    "__tg::OperationMeta",
                    vec![
                        named("id", ast::string(&op.id)),
                        named("method", ast::string(&op.method)),
                        named("path", ast::string(&op.path)),
                        named("security", slice(security)),
                        named("throttle", throttle(op.throttle)),
                        named("body", body),
                    ],
                )
            })
            .collect();
        let value = ast::struct_expr(
            "__tg::ApiMeta",
            vec![
                named("title", ast::string(&api.title)),
                named("version", ast::string(&api.version)),
                named("security_schemes", slice(schemes)),
                named("operations", slice(operations)),
                named("throttle", throttle(api.throttle)),
                named("api_key_source", api_key_source),
            ],
        );
        ast::item_static(
            vec![ast::doc_line(
                " What the runtime knows of this API: operations, security, throttles.",
            )],
            "API",
            ast::ty("__tg::ApiMeta"),
            value,
        )
    }
}

/// `name: value`.
fn named(name: &str, value: Expr) -> FieldValue {
    ast::field_value(name, Some(value))
}

/// `&[items…]`.
fn slice(items: Vec<Expr>) -> Expr {
    ast::reference(ast::array(items))
}

/// `&["a", "b"]`.
fn strings(items: &[String]) -> Expr {
    slice(items.iter().map(|s| ast::string(s)).collect())
}

/// `::std::option::Option::Some(value)`.
fn some(value: Expr) -> Expr {
    ast::call_path("::std::option::Option::Some", vec![value])
}

/// `::std::option::Option::None`.
fn none() -> Expr {
    ast::path_expr("::std::option::Option::None")
}

/// `Some(value)` or `None`.
fn option(value: Option<Expr>) -> Expr {
    value.map_or_else(none, some)
}

/// `Some(__tg::ThrottleSpec { rate, burst })` or `None`.
fn throttle(t: Option<Throttle>) -> Expr {
    option(t.map(|t| {
        ast::struct_expr(
            "__tg::ThrottleSpec",
            vec![
                named("rate", ast::value(t.rate)),
                named("burst", ast::value(t.burst)),
            ],
        )
    }))
}
