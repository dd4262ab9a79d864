//! Per-operation items: request types with their extraction, response enums, the `Api`
//! trait, `Mock`, the static metadata, `router()` and `SPEC`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, ToTokens};

use super::text::{self, Texts};
use super::types::ident;
use super::{doc, Emitter};
use crate::ir::mock_plan::MockExpr;
use crate::ir::{
    Encoding, Operation, Param, ParamLocation, ParamShape, PartKind, Response, SchemeKind, Status,
};

impl Emitter<'_> {
    /// The operations' part of the module: request types, response enums, the `Api`
    /// trait, `Mock`, the metadata and the router.
    #[cfg(test)]
    pub(crate) fn operations(&self) -> TokenStream {
        let mut items = TokenStream::new();
        self.operation_items(usize::MAX, |batch| {
            items.extend(batch);
            Ok(())
        })
        .unwrap_or_else(|never: std::convert::Infallible| match never {});
        items
    }

    /// The items of [`Self::operations`] in order, handed to `sink` a few at a time (at
    /// most `batch` request types or response enums, then the trait, `Mock`, the metadata
    /// and the router one by one), so that their tokens never exist all at once.
    pub(crate) fn operation_items<E>(
        &self,
        batch: usize,
        mut sink: impl FnMut(TokenStream) -> Result<(), E>,
    ) -> Result<(), E> {
        let ops = &self.api.operations;
        for group in ops.chunks(batch.max(1)) {
            sink(group.iter().map(|op| self.request_type(op)).collect())?;
        }
        for group in ops.chunks(batch.max(1)) {
            sink(group.iter().map(|op| self.response_enum(op)).collect())?;
        }
        sink(self.api_trait())?;
        if self.settings.emit_mock {
            sink(self.mock())?;
        }
        sink(self.meta())?;
        sink(self.router())
    }

    fn request_type(&self, op: &Operation) -> TokenStream {
        let c = quote!(__tg);
        let types = quote!(self::types);
        let name = format_ident!("{}Request", op.type_stem);
        let doc_text = format!(" Input of `{}` ({} {}).", op.id, op.method, op.path);
        let mut fields = Vec::new();
        let mut extracts = Vec::new();
        let mut inits = Vec::new();
        for param in &op.params {
            let fname = ident(&param.name);
            let inner = self.ty(&param.ty, &types);
            let ty = if param.required {
                inner.clone()
            } else {
                quote!(::std::option::Option<#inner>)
            };
            let docs = doc(param.doc.as_deref());
            fields.push(quote! { #docs pub #fname: #ty, });
            extracts.push(self.param_extract(param, &inner));
            inits.push(if param.required {
                quote!(#fname: #fname?,)
            } else {
                quote!(#fname,)
            });
        }
        let mut multipart_struct = None;
        let mut body_enum = None;
        if let Some(body) = &op.body {
            let inner = if body.encoding == Encoding::Multipart {
                let (def, name) = self.multipart_struct(op, body);
                multipart_struct = Some(def);
                quote!(#name)
            } else {
                self.ty(&body.ty, &types)
            };
            let field_inner = match &body.alternatives {
                Some(alternatives) => {
                    let (def, name) = body_enum_def(body, alternatives, &inner);
                    body_enum = Some(def);
                    quote!(#name)
                }
                None => inner.clone(),
            };
            let ty = if body.required {
                field_inner
            } else {
                quote!(::std::option::Option<#field_inner>)
            };
            let docs = doc(body.doc.as_deref().or(Some("The request body.")));
            fields.push(quote! { #docs pub body: #ty, });
            let required = body.required;
            let validator = validator_arg(body.validator.as_deref());
            let form_fields = body.form_fields.iter().map(|(name, shape)| {
                let shape = shape_tokens(shape);
                quote!((#name, #shape))
            });
            let typed = match body.encoding {
                Encoding::Json if body.also_form => quote! {
                    let body = if input.is_form() {
                        input.form_body::<#inner>(#required, &[#(#form_fields),*], #validator, e)
                    } else {
                        input.json_body::<#inner>(#required, #validator, e)
                    };
                },
                Encoding::Json => quote! {
                    let body = input.json_body::<#inner>(#required, #validator, e);
                },
                Encoding::Multipart => {
                    let parts = body.multipart.iter().map(|f| {
                        let wire = &f.wire;
                        let part = part_tokens(&f.part, &f.accept);
                        quote!((#wire, #part))
                    });
                    let files = body.multipart.iter().filter_map(|f| {
                        let field = ident(&f.name);
                        let wire = &f.wire;
                        match (&f.part, f.optional) {
                            (PartKind::File, true) => Some(quote!(body.#field = files.one(#wire);)),
                            (PartKind::File, false) => {
                                Some(quote!(body.#field = files.one(#wire).unwrap_or_default();))
                            }
                            (PartKind::Files, _) => Some(quote!(body.#field = files.all(#wire);)),
                            _ => None,
                        }
                    });
                    let files: Vec<TokenStream> = files.collect();
                    let (mut_body, mut_files) = if files.is_empty() {
                        (quote!(body), quote!(_files))
                    } else {
                        (quote!(mut body), quote!(mut files))
                    };
                    quote! {
                        let body = input
                            .multipart_body::<#inner>(#required, &[#(#parts),*], #validator, e)
                            .map(|(#mut_body, #mut_files)| {
                                #(#files)*
                                body
                            });
                    }
                }
                Encoding::Form => quote! {
                    let body = input.form_body::<#inner>(#required, &[#(#form_fields),*], #validator, e);
                },
                Encoding::Text => quote! { let body = input.text_body(#required, e); },
                Encoding::Binary => quote! { let body = input.bytes_body(#required, e); },
            };
            extracts.push(match &body.alternatives {
                None => typed,
                Some(alternatives) => dispatch_on_media(alternatives, required, &typed),
            });
            inits.push(if required {
                quote!(body: body?,)
            } else {
                quote!(body,)
            });
        }
        let (input, e) = if extracts.is_empty() {
            (quote!(_input), quote!(_e))
        } else {
            (quote!(input), quote!(e))
        };
        let resp = format_ident!("{}Response", op.type_stem);
        let f = ident(&op.fn_name);
        quote! {
            #multipart_struct
            #body_enum
            #[doc = #doc_text]
            #[derive(Debug, Clone, PartialEq)]
            pub struct #name { #(#fields)* }
            impl<A: self::Api> #c::Operation<A> for #name {
                type Response = #resp;
                fn extract(#input: &#c::Input, #e: &mut #c::Errors) -> ::std::option::Option<Self> {
                    #(#extracts)*
                    ::std::option::Option::Some(Self { #(#inits)* })
                }
                fn call(
                    api: &A,
                    request: Self,
                    context: #c::Context,
                ) -> impl ::core::future::Future<Output = #resp> + ::core::marker::Send {
                    api.#f(request, context)
                }
            }
        }
    }

    /// The body type of a `multipart/form-data` operation: the schema's fields, files as
    /// `FilePart`s (filled in after the other fields were validated and deserialized).
    fn multipart_struct(
        &self,
        op: &Operation,
        body: &crate::ir::Body,
    ) -> (TokenStream, proc_macro2::Ident) {
        let types = quote!(self::types);
        let name = format_ident!("{}Multipart", op.type_stem);
        let serde_crate = self.serde_crate();
        let fields = body.multipart.iter().map(|f| {
            let field = ident(&f.name);
            let wire = &f.wire;
            let ty = match &f.part {
                PartKind::File => quote!(__tg::FilePart),
                PartKind::Files => quote!(::std::vec::Vec<__tg::FilePart>),
                _ => self.ty(&f.ty, &types),
            };
            let optional = f.optional && f.part != PartKind::Files;
            let ty = if optional {
                quote!(::std::option::Option<#ty>)
            } else {
                ty
            };
            let attr = match (&f.part, optional) {
                (PartKind::File | PartKind::Files, _) => quote!(#[serde(skip)]),
                (_, true) => quote!(#[serde(rename = #wire, default)]),
                (_, false) => quote!(#[serde(rename = #wire)]),
            };
            let doc_text = format!(" Part `{wire}`.");
            quote! { #[doc = #doc_text] #attr pub #field: #ty, }
        });
        let doc_text = format!(
            " The `multipart/form-data` body of `{}`: files as `FilePart`s.",
            op.id
        );
        let def = quote! {
            #[doc = #doc_text]
            #[derive(Debug, Clone, PartialEq, __tg::serde::Deserialize)]
            #[serde(crate = #serde_crate)]
            pub struct #name { #(#fields)* }
        };
        (def, name)
    }

    fn param_extract(&self, param: &Param, inner: &TokenStream) -> TokenStream {
        let c = quote!(__tg);
        let fname = ident(&param.name);
        let location = match param.location {
            ParamLocation::Path => quote!(Path),
            ParamLocation::Query => quote!(Query),
            ParamLocation::Header => quote!(Header),
            ParamLocation::Cookie => quote!(Cookie),
        };
        let wire = &param.wire;
        let required = param.required;
        let shape = shape_tokens(&param.shape);
        let validator = validator_arg(param.validator.as_deref());
        quote! {
            let #fname = input.param::<#inner>(#c::Location::#location, #wire, #required, #shape, #validator, e);
        }
    }

    fn response_enum(&self, op: &Operation) -> TokenStream {
        let c = quote!(__tg);
        let types = quote!(self::types);
        let name = format_ident!("{}Response", op.type_stem);
        let doc_text = format!(" Every answer `{}` may give, as documented.", op.id);
        let mut variants = Vec::new();
        let mut into_arms = Vec::new();
        let mut validate_arms = Vec::new();
        let mut header_structs = Vec::new();
        for r in &op.responses {
            let v = ident(&r.variant);
            let docs = doc(Some(&response_doc(r)));
            let body_ty = r.body.as_ref().map(|b| self.ty(&b.ty, &types));
            let status_field = !matches!(r.status, Status::Code(_));
            let status_expr = match r.status {
                Status::Code(code) => quote!(#code),
                _ => quote!(status),
            };
            let status_pat = status_field.then(|| quote!(status,));
            let headers_ty = (!r.headers.is_empty()).then(|| {
                header_structs.push(self.headers_struct(op, r));
                format_ident!("{}", r.headers_type)
            });
            let mut elems = Vec::new();
            if status_field {
                elems.push(quote!(u16));
            }
            elems.extend(body_ty.clone());
            elems.extend(headers_ty.as_ref().map(|h| quote!(#h)));
            variants.push(if elems.is_empty() {
                quote!(#docs #v,)
            } else {
                quote!(#docs #v(#(#elems),*),)
            });
            if !r.headers.is_empty() {
                // Build the answer without headers, then add them.
                let set = r.headers.iter().map(|h| {
                    let field = ident(&h.name);
                    let wire = &h.wire;
                    quote!(#c::set_header(&mut response, #wire, &headers.#field);)
                });
                let body_pat = r.body.as_ref().map(|_| quote!(body,));
                let respond = match &r.body {
                    Some(b) => response_call(b, &status_expr, &c),
                    None => quote!(#c::empty_response(#status_expr)),
                };
                into_arms.push(quote!(Self::#v(#status_pat #body_pat headers) => {
                    let mut response = #respond;
                    #(#set)*
                    response
                }));
                if let Some(b) = &r.body {
                    if let (Some(validator), Encoding::Json) = (&b.validator, b.encoding) {
                        let validator = format_ident!("{}", validator);
                        let status_pat = status_field.then(|| quote!(_,));
                        validate_arms.push(quote! {
                            Self::#v(#status_pat body, _) => #c::validate_body(body, self::validate::#validator, errors),
                        });
                    }
                }
                continue;
            }
            match &r.body {
                Some(b) => {
                    let respond = response_call(b, &status_expr, &c);
                    into_arms.push(quote!(Self::#v(#status_pat body) => #respond,));
                    match &b.validator {
                        Some(validator) if b.encoding == Encoding::Json => {
                            let validator = format_ident!("{}", validator);
                            let status_pat = status_field.then(|| quote!(_,));
                            validate_arms.push(quote! {
                                Self::#v(#status_pat body) => #c::validate_body(body, self::validate::#validator, errors),
                            });
                        }
                        _ => {}
                    }
                }
                None => {
                    let pat = if status_field {
                        quote!(Self::#v(status))
                    } else {
                        quote!(Self::#v)
                    };
                    into_arms.push(quote!(#pat => #c::empty_response(#status_expr),));
                }
            }
        }
        let validate_body = if validate_arms.is_empty() {
            quote!(let _ = errors;)
        } else {
            let catch_all = (validate_arms.len() < op.responses.len()).then(|| quote!(_ => {}));
            quote! {
                match self {
                    #(#validate_arms)*
                    #catch_all
                }
            }
        };
        let into_body = if into_arms.is_empty() {
            quote!(match self {})
        } else {
            quote!(match self { #(#into_arms)* })
        };
        quote! {
            #(#header_structs)*
            #[doc = #doc_text]
            #[derive(Debug, Clone, PartialEq)]
            pub enum #name { #(#variants)* }
            impl #c::GeneratedResponse for #name {
                fn into_response(self) -> #c::axum::response::Response {
                    #into_body
                }
                fn validate(&self, errors: &mut #c::Errors) {
                    #validate_body
                }
            }
        }
    }

    /// The declared headers of one response, as fields the handler fills.
    fn headers_struct(&self, op: &Operation, r: &Response) -> TokenStream {
        let types = quote!(self::types);
        let name = format_ident!("{}", r.headers_type);
        let serde_crate = self.serde_crate();
        let fields = r.headers.iter().map(|h| {
            let field = ident(&h.name);
            let wire = &h.wire;
            let ty = self.ty(&h.ty, &types);
            let docs = doc(Some(h.doc.as_deref().unwrap_or(&format!("`{wire}`"))));
            if h.required {
                quote!(#docs #[serde(rename = #wire)] pub #field: #ty,)
            } else {
                quote!(#docs #[serde(rename = #wire, default)] pub #field: ::std::option::Option<#ty>,)
            }
        });
        let doc_text = format!(
            " The headers `{}` sends with `{}::{}`.",
            op.id,
            format_args!("{}Response", op.type_stem),
            r.variant
        );
        quote! {
            #[doc = #doc_text]
            #[derive(Debug, Clone, PartialEq, __tg::serde::Deserialize)]
            #[serde(crate = #serde_crate)]
            pub struct #name { #(#fields)* }
        }
    }

    fn api_trait(&self) -> TokenStream {
        let methods = self.api.operations.iter().map(|op| {
            let f = ident(&op.fn_name);
            let req = format_ident!("{}Request", op.type_stem);
            let resp = format_ident!("{}Response", op.type_stem);
            let docs = doc(Some(&operation_doc(op)));
            let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
            quote! {
                #docs
                #deprecated
                fn #f(
                    &self,
                    request: #req,
                    context: __tg::Context,
                ) -> impl ::core::future::Future<Output = #resp> + ::core::marker::Send;
            }
        });
        let title = format!(
            " The operations of `{}`: implement this trait to serve the API.",
            self.api.title
        );
        quote! {
            #[doc = #title]
            pub trait Api: ::core::marker::Send + ::core::marker::Sync + 'static {
                #(#methods)*
            }
        }
    }

    fn mock(&self) -> TokenStream {
        let c = quote!(__tg);
        let methods = self.api.operations.iter().map(|op| {
            let f = ident(&op.fn_name);
            let req = format_ident!("{}Request", op.type_stem);
            let resp = format_ident!("{}Response", op.type_stem);
            let answer = mock_answer(op, &c);
            quote! {
                fn #f(
                    &self,
                    _request: #req,
                    _context: __tg::Context,
                ) -> impl ::core::future::Future<Output = #resp> + ::core::marker::Send {
                    ::core::future::ready(#resp::#answer)
                }
            }
        });
        quote! {
            /// Answers every operation with its first success response, synthesised from the
            /// schema so that it passes the generated validators.
            #[derive(Debug, Clone, Copy, Default)]
            pub struct Mock;
            impl self::Api for Mock {
                #(#methods)*
            }
        }
    }

    fn meta(&self) -> TokenStream {
        let m = quote!(__tg);
        let api = self.api;
        let schemes = api.security_schemes.iter().map(|s| {
            let name = &s.name;
            let kind = match &s.kind {
                SchemeKind::ApiKey { location, name } => {
                    let loc = match location.as_str() {
                        "query" => quote!(Query),
                        "cookie" => quote!(Cookie),
                        _ => quote!(Header),
                    };
                    quote!(#m::SchemeKind::ApiKey { location: #m::ApiKeyLocation::#loc, name: #name })
                }
                SchemeKind::Http(scheme) => quote!(#m::SchemeKind::Http { scheme: #scheme }),
                SchemeKind::OAuth2 => quote!(#m::SchemeKind::OAuth2),
                SchemeKind::OpenIdConnect(url) => quote!(#m::SchemeKind::OpenIdConnect { url: #url }),
                SchemeKind::AwsSigV4 => quote!(#m::SchemeKind::AwsSigV4),
                SchemeKind::Unsupported => quote!(#m::SchemeKind::Unsupported),
            };
            let authorizer = match &s.authorizer {
                Some(a) => {
                    let kind = match a.kind.as_str() {
                        "token" => quote!(Token),
                        "request" => quote!(Request),
                        "jwt" => quote!(Jwt),
                        _ => quote!(Other),
                    };
                    let sources = &a.identity_sources;
                    let ttl = match a.ttl_secs {
                        Some(t) => quote!(::std::option::Option::Some(#t)),
                        None => quote!(::std::option::Option::None),
                    };
                    let issuer = match &a.issuer {
                        Some(i) => quote!(::std::option::Option::Some(#i)),
                        None => quote!(::std::option::Option::None),
                    };
                    let audience = &a.audience;
                    quote!(::std::option::Option::Some(#m::AuthorizerMeta {
                        kind: #m::AuthorizerKind::#kind,
                        identity_sources: &[#(#sources),*],
                        ttl_secs: #ttl,
                        issuer: #issuer,
                        audience: &[#(#audience),*],
                    }))
                }
                None => quote!(::std::option::Option::None),
            };
            quote!(#m::SecuritySchemeMeta { name: #name, kind: #kind, authorizer: #authorizer },)
        });
        let api_key_source = match api.api_key_source.as_deref() {
            Some("authorizer") => quote!(::std::option::Option::Some(#m::ApiKeySource::Authorizer)),
            Some(_) => quote!(::std::option::Option::Some(#m::ApiKeySource::Header)),
            None => quote!(::std::option::Option::None),
        };
        let throttle = |t: Option<crate::ir::Throttle>| match t {
            Some(t) => {
                let (rate, burst) = (t.rate, t.burst);
                quote!(::std::option::Option::Some(#m::ThrottleSpec { rate: #rate, burst: #burst }))
            }
            None => quote!(::std::option::Option::None),
        };
        let ops = api.operations.iter().map(|op| {
            let (id, method, path) = (&op.id, &op.method, &op.path);
            let security = op.security.iter().map(|alt| {
                let schemes = alt.iter().map(|(scheme, scopes)| {
                    quote!(#m::SchemeRequirement { scheme: #scheme, scopes: &[#(#scopes),*] },)
                });
                quote!(#m::SecurityRequirement { schemes: &[#(#schemes)*] },)
            });
            let body = match &op.body {
                Some(b) => {
                    let required = b.required;
                    let cts = &b.content_types;
                    quote!(::std::option::Option::Some(#m::BodyMeta { required: #required, content_types: &[#(#cts),*] }))
                }
                None => quote!(::std::option::Option::None),
            };
            let throttle = throttle(op.throttle);
            quote! {
                #m::OperationMeta {
                    id: #id,
                    method: #method,
                    path: #path,
                    security: &[#(#security)*],
                    throttle: #throttle,
                    body: #body,
                },
            }
        });
        let (title, version) = (&api.title, &api.version);
        let api_throttle = throttle(api.throttle);
        let spec = Texts::or_tokens(
            self.texts.as_ref(),
            || text::spec_const(OPERATIONS_DEPTH, &api.spec_json),
            || {
                let spec = raw_string(&api.spec_json);
                quote! {
                    /// The OpenAPI document, as JSON (served at `GET /openapi.json`).
                    pub const SPEC: &str = #spec;
                }
            },
        );
        quote! {
            /// What the runtime knows of this API: operations, security, throttles.
            pub static API: #m::ApiMeta = #m::ApiMeta {
                title: #title,
                version: #version,
                security_schemes: &[#(#schemes)*],
                operations: &[#(#ops)*],
                throttle: #api_throttle,
                api_key_source: #api_key_source,
            };
            #spec
        }
    }

    fn router(&self) -> TokenStream {
        let c = quote!(__tg);
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
        let mutable = (!routes.is_empty()).then(|| quote!(mut));
        let adds = routes.iter().flat_map(|(route, list)| {
            let c = &c;
            list.iter().map(move |(i, op)| {
                let method = format_ident!("{}", op.method.to_ascii_uppercase());
                let req = format_ident!("{}Request", op.type_stem);
                quote! {
                    routes.add::<#req>(#route, #c::MethodFilter::#method, &self::API.operations[#i]);
                }
            })
        });
        quote! {
            /// The gateway for `api`: every operation routed, authenticated, throttled and
            /// validated as the spec and `gateway` say, plus `GET /openapi.json`.
            ///
            /// Never fails: a security scheme without a verifier is logged (as an error
            /// with `strict = true`) and its operations answer 401. Use [`try_router`] to
            /// refuse to start instead.
            pub fn router<A: self::Api>(api: A, gateway: __tg::Gateway) -> __tg::Router {
                let routes = __tollgate_router(api, &gateway);
                #c::finish_router(routes, &gateway, &self::API, self::SPEC)
            }
            /// [`router`], or `Err(Error::Strict(..))` when `strict = true` in the
            /// configuration and an operation needs a security scheme the gateway cannot
            /// verify (`Gateway::check`). Without `strict`, the same as [`router`].
            pub fn try_router<A: self::Api>(
                api: A,
                gateway: __tg::Gateway,
            ) -> ::core::result::Result<__tg::Router, #c::Error> {
                let routes = __tollgate_router(api, &gateway);
                #c::try_finish_router(routes, &gateway, &self::API, self::SPEC)
            }
            fn __tollgate_router<A: self::Api>(api: A, gateway: &__tg::Gateway) -> #c::axum::Router {
                let #mutable routes = #c::Routes::new(api, gateway, &self::API);
                #(#adds)*
                routes.into_router()
            }
        }
    }
}

/// The runtime call that turns a response body into an HTTP response.
fn response_call(
    b: &crate::ir::ResponseBody,
    status: &TokenStream,
    c: &TokenStream,
) -> TokenStream {
    let ct = &b.content_type;
    let call = match b.encoding {
        // Response bodies are never read as forms (see `Encoding::Form`).
        Encoding::Json | Encoding::Form if ct.eq_ignore_ascii_case("application/json") => {
            quote!(#c::json_response(#status, &body))
        }
        Encoding::Json | Encoding::Form => quote!(#c::json_response_as(#status, #ct, &body)),
        Encoding::Text => quote!(#c::text_response(#status, #ct, body)),
        Encoding::Binary | Encoding::Multipart => quote!(#c::bytes_response(#status, #ct, body)),
    };
    if b.alternatives.is_empty() {
        call
    } else {
        let all = std::iter::once(ct).chain(&b.alternatives);
        quote!(#c::media_choices(#call, &[#(#all),*]))
    }
}

fn validator_arg(validator: Option<&str>) -> TokenStream {
    match validator {
        Some(v) => {
            let v = format_ident!("{}", v);
            quote!(::std::option::Option::Some(self::validate::#v))
        }
        None => quote!(::std::option::Option::None),
    }
}

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

fn operation_doc(op: &Operation) -> String {
    let head = format!("`{} {}` (`{}`)", op.method, op.path, op.id);
    match &op.doc {
        Some(d) => format!("{head}\n\n{d}"),
        None => head,
    }
}

/// The answer of the mock: the first success response (or the first documented one).
fn mock_answer(op: &Operation, c: &TokenStream) -> TokenStream {
    let pick = op
        .responses
        .iter()
        .find(|r| matches!(r.status, Status::Code(200..=299) | Status::Range(2)))
        .or_else(|| op.responses.first());
    let Some(r) = pick else {
        // Lowering gives every operation at least one response; keep the emitter total.
        return quote!(Default(200u16));
    };
    let v = ident(&r.variant);
    let status = match r.status {
        Status::Code(_) => None,
        Status::Range(d) => Some(d * 100),
        Status::Default => Some(200u16),
    };
    let status = status.map(|s| quote!(#s));
    let headers = (!r.headers.is_empty()).then(|| {
        let object: serde_json::Map<String, serde_json::Value> = r
            .headers
            .iter()
            .filter(|h| h.required)
            .map(|h| (h.wire.clone(), h.mock.clone()))
            .collect();
        let json = serde_json::to_string(&object).unwrap_or_else(|_| "{}".into());
        let json = raw_string(&json);
        quote!(#c::mock_value(#json))
    });
    let body = r.body.as_ref().map(|b| match b.encoding {
        Encoding::Json | Encoding::Form => mock_expr(&b.mock_plan, c),
        Encoding::Text => quote!(::std::string::String::from("string")),
        Encoding::Binary | Encoding::Multipart => quote!(#c::Bytes::new()),
    });
    let elems: Vec<TokenStream> = status.into_iter().chain(body).chain(headers).collect();
    if elems.is_empty() {
        quote!(#v)
    } else {
        quote!(#v(#(#elems),*))
    }
}

/// The expression that builds a mock value (see [`MockExpr`]).
fn mock_expr(plan: &MockExpr, c: &TokenStream) -> TokenStream {
    let types = quote!(self::types);
    match plan {
        MockExpr::Json { value, .. } => {
            let json = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
            let json = raw_string(&json);
            quote!(#c::mock_value(#json))
        }
        MockExpr::String(s) => quote!(::std::string::String::from(#s)),
        MockExpr::Bool(b) => quote!(#b),
        MockExpr::I32(n) => Literal::i32_suffixed(*n).into_token_stream(),
        MockExpr::I64(n) => Literal::i64_suffixed(*n).into_token_stream(),
        MockExpr::F32(n) => Literal::f32_suffixed(*n).into_token_stream(),
        MockExpr::F64(n) => Literal::f64_suffixed(*n).into_token_stream(),
        MockExpr::Vec(items) => {
            let items = items.iter().map(|e| mock_expr(e, c));
            quote!(::std::vec![#(#items),*])
        }
        MockExpr::Map(entries) => map_expr(entries, c),
        MockExpr::Some(inner) => {
            let inner = mock_expr(inner, c);
            quote!(::std::option::Option::Some(#inner))
        }
        MockExpr::None => quote!(::std::option::Option::None),
        MockExpr::Boxed(inner) => {
            let inner = mock_expr(inner, c);
            quote!(::std::boxed::Box::new(#inner))
        }
        MockExpr::Struct {
            name,
            fields,
            additional,
        } => {
            let name = ident(name);
            let fields = fields.iter().map(|(field, e)| {
                let field = ident(field);
                let e = mock_expr(e, c);
                quote!(#field: #e,)
            });
            let additional = additional.as_ref().map(|entries| {
                let map = map_expr(entries, c);
                quote!(additional_properties: #map,)
            });
            quote!(#types::#name { #(#fields)* #additional })
        }
        MockExpr::Unit { name, variant } => {
            let (name, variant) = (ident(name), ident(variant));
            quote!(#types::#name::#variant)
        }
        MockExpr::Newtype {
            name,
            variant,
            payload,
        } => {
            let (name, variant) = (ident(name), ident(variant));
            let payload = mock_expr(payload, c);
            quote!(#types::#name::#variant(#payload))
        }
    }
}

/// A `BTreeMap` literal from `(key, value)` entries.
fn map_expr(entries: &[(String, MockExpr)], c: &TokenStream) -> TokenStream {
    if entries.is_empty() {
        return quote!(::std::collections::BTreeMap::new());
    }
    let entries = entries.iter().map(|(k, e)| {
        let e = mock_expr(e, c);
        quote!((::std::string::String::from(#k), #e))
    });
    quote!(::std::collections::BTreeMap::from([#(#entries),*]))
}

/// A raw string literal holding `text`, with as many `#` as it needs.
fn raw_string(text: &str) -> Literal {
    let h = raw_string_hashes(text);
    format!("r{h}\"{text}\"{h}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text))
}

/// The `#`s a raw string literal holding `text` needs: one more than the longest run of
/// `#` after a `"` in it, at least one.
pub(crate) fn raw_string_hashes(text: &str) -> String {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    "#".repeat(hashes)
}

/// How deep the operations' items are: inside the wrapper module.
const OPERATIONS_DEPTH: usize = 1;

/// The runtime `Shape` of a parameter (or form field) shape.
fn shape_tokens(shape: &ParamShape) -> TokenStream {
    let c = quote!(__tg);
    let scalar = |s: &str| {
        let s = format_ident!(
            "{}",
            match s {
                "integer" => "Integer",
                "number" => "Number",
                "boolean" => "Boolean",
                _ => "String",
            }
        );
        quote!(#c::Scalar::#s)
    };
    match shape {
        ParamShape::Scalar(s) => {
            let s = scalar(s);
            quote!(#c::Shape::Scalar(#s))
        }
        ParamShape::Array {
            item,
            style,
            explode,
        } => {
            let item = scalar(item);
            let style = style_ident(style);
            quote!(#c::Shape::Array { item: #item, style: #c::Style::#style, explode: #explode })
        }
        ParamShape::Json => quote!(#c::Shape::Json),
        ParamShape::Object {
            style,
            explode,
            fields,
            other,
        } => {
            let style = style_ident(style);
            let fields = fields.iter().map(|(name, s)| {
                let s = scalar(s);
                quote!((#name, #s))
            });
            let other = scalar(other);
            quote!(#c::Shape::Object { style: #c::Style::#style, explode: #explode, fields: &[#(#fields),*], other: #other })
        }
    }
}

fn style_ident(style: &str) -> proc_macro2::Ident {
    format_ident!(
        "{}",
        match style {
            "simple" => "Simple",
            "label" => "Label",
            "matrix" => "Matrix",
            "spaceDelimited" => "SpaceDelimited",
            "pipeDelimited" => "PipeDelimited",
            "deepObject" => "DeepObject",
            _ => "Form",
        }
    )
}

/// The runtime `Part` of a multipart field.
fn part_tokens(part: &PartKind, accept: &[String]) -> TokenStream {
    let c = quote!(__tg);
    match part {
        PartKind::Field(shape) => {
            let shape = shape_tokens(shape);
            quote!(#c::Part::Field(#shape))
        }
        PartKind::Json { repeated } => quote!(#c::Part::Json { repeated: #repeated }),
        PartKind::File => quote!(#c::Part::File { accept: &[#(#accept),*] }),
        PartKind::Files => quote!(#c::Part::Files { accept: &[#(#accept),*] }),
    }
}

/// The body enum of an operation that takes raw media types beside its typed body: one
/// variant for the typed body (`typed`), one per raw media type (`String` or `Bytes`).
fn body_enum_def(
    body: &crate::ir::Body,
    alternatives: &crate::ir::BodyAlternatives,
    typed: &TokenStream,
) -> (TokenStream, proc_macro2::Ident) {
    let name = format_ident!("{}", alternatives.name);
    let typed_variant = format_ident!("{}", alternatives.typed_variant);
    let typed_doc = format!(
        " `{}`.",
        body.content_types.first().map_or("", String::as_str)
    );
    let raw = alternatives.raw.iter().map(|a| {
        let variant = format_ident!("{}", a.variant);
        let ty = if a.encoding == Encoding::Text {
            quote!(::std::string::String)
        } else {
            quote!(__tg::Bytes)
        };
        let doc_text = format!(" `{}`, as sent.", a.media);
        quote! { #[doc = #doc_text] #variant(#ty), }
    });
    let doc_text = " The request body, by its `Content-Type`.";
    let def = quote! {
        #[doc = #doc_text]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #[doc = #typed_doc]
            #typed_variant(#typed),
            #(#raw)*
        }
    };
    (def, name)
}

/// The extraction of a body enum: a raw media type (by `Content-Type`) is taken as it is;
/// anything else (the pipeline has refused the undocumented) is read by `typed`, the
/// extraction of the typed body, into its variant.
fn dispatch_on_media(
    alternatives: &crate::ir::BodyAlternatives,
    required: bool,
    typed: &TokenStream,
) -> TokenStream {
    let name = format_ident!("{}", alternatives.name);
    let typed_variant = format_ident!("{}", alternatives.typed_variant);
    let media = alternatives.raw.iter().map(|a| a.media.as_str());
    let arms = alternatives.raw.iter().enumerate().map(|(i, a)| {
        let i = Literal::usize_unsuffixed(i);
        let variant = format_ident!("{}", a.variant);
        let read = if a.encoding == Encoding::Text {
            quote!(text_body)
        } else {
            quote!(bytes_body)
        };
        quote! {
            ::std::option::Option::Some(#i) => input.#read(#required, e).map(#name::#variant),
        }
    });
    quote! {
        let body = match input.media_index(&[#(#media),*]) {
            #(#arms)*
            _ => {
                #typed
                body.map(#name::#typed_variant)
            }
        };
    }
}
