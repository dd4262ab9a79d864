//! Per-operation items: request types with their extraction, response enums, the `Api`
//! trait, `Mock`, the static metadata, `router()` and `SPEC`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::text;
use super::types::ident;
use super::{doc, Emitter};
use crate::ir::{
    Encoding, Operation, Param, ParamLocation, ParamShape, PartKind, Response, Status,
};

/// Items of the operations' part, as tokens (formatted through `syn`) or as syntax trees
/// (printed directly).
pub(crate) enum Part {
    Tokens(TokenStream),
    Trees(Vec<syn::Item>),
    /// Formatted text (see `text`).
    Text(String),
}

impl Emitter<'_> {
    /// The operations' part of the module: request types, response enums, the `Api`
    /// trait, `Mock`, the metadata and the router.
    #[cfg(test)]
    pub(crate) fn operations(&self) -> TokenStream {
        let mut items = TokenStream::new();
        self.operation_items(usize::MAX, |part| {
            match part {
                Part::Tokens(tokens) => items.extend(tokens),
                Part::Trees(trees) => {
                    items.extend(trees.iter().map(quote::ToTokens::to_token_stream));
                }
                Part::Text(_) => unreachable!("an emitter without texts writes no text"),
            }
            Ok(())
        })
        .unwrap_or_else(|never: std::convert::Infallible| match never {});
        items
    }

    /// The items of [`Self::operations`] in order, handed to `sink` a few at a time (at
    /// most `batch` request types or response enums, then the trait, `Mock`, the metadata
    /// and the router), as tokens or as syntax trees.
    pub(crate) fn operation_items<E>(
        &self,
        batch: usize,
        mut sink: impl FnMut(Part) -> Result<(), E>,
    ) -> Result<(), E> {
        let ops = &self.api.operations;
        for group in ops.chunks(batch.max(1)) {
            // Runs of operations built as trees, and as tokens, in document order.
            let mut trees = Vec::new();
            let mut tokens = TokenStream::new();
            for op in group {
                match self.request_trees(op) {
                    Some(items) => {
                        if !tokens.is_empty() {
                            sink(Part::Tokens(std::mem::take(&mut tokens)))?;
                        }
                        trees.extend(items);
                    }
                    None => {
                        if !trees.is_empty() {
                            sink(Part::Trees(std::mem::take(&mut trees)))?;
                        }
                        tokens.extend(self.request_type(op));
                    }
                }
            }
            if !trees.is_empty() {
                sink(Part::Trees(trees))?;
            }
            if !tokens.is_empty() {
                sink(Part::Tokens(tokens))?;
            }
        }
        for group in ops.chunks(batch.max(1)) {
            sink(Part::Trees(
                group
                    .iter()
                    .flat_map(|op| self.response_trees(op))
                    .collect(),
            ))?;
        }
        sink(Part::Trees(vec![self.api_trait_tree()]))?;
        if self.settings.emit_mock {
            sink(Part::Trees(self.mock_trees()))?;
        }
        sink(Part::Trees(vec![self.meta_tree()]))?;
        sink(self.spec())?;
        sink(Part::Trees(self.router_trees()))
    }

    /// `pub const SPEC`, the document as JSON: as text when the emitter writes text (a
    /// raw string literal of megabytes is costly to lex and print), else as tokens.
    fn spec(&self) -> Part {
        let json = &self.api.spec_json;
        match self
            .texts
            .as_ref()
            .and(text::spec_const(OPERATIONS_DEPTH, json))
        {
            Some(text) => Part::Text(text),
            None => {
                let spec = raw_string(json);
                Part::Tokens(quote! {
                    /// The OpenAPI document, as JSON (served at `GET /openapi.json`).
                    pub const SPEC: &str = #spec;
                })
            }
        }
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

/// The doc of a response variant: its status and description.
pub(crate) fn response_doc(r: &Response) -> String {
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

/// The doc of an `Api` method: its method, path and id, then its description.
pub(crate) fn operation_doc(op: &Operation) -> String {
    let head = format!("`{} {}` (`{}`)", op.method, op.path, op.id);
    match &op.doc {
        Some(d) => format!("{head}\n\n{d}"),
        None => head,
    }
}

/// A raw string literal holding `text`, with as many `#` as it needs.
pub(crate) fn raw_string(text: &str) -> Literal {
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
    format_ident!("{}", style_name(style))
}

/// The runtime `Style` variant of an OpenAPI `style`.
pub(crate) fn style_name(style: &str) -> &'static str {
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
