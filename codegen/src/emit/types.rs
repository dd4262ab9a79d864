//! The `types` module: one Rust type per named schema.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::{doc, Emitter};
use crate::ir::{RustType, TypeDef, TypeKind};

impl Emitter<'_> {
    /// The tokens of a type in a position. `named` is the path prefix of the `types` module
    /// as seen from there (`self::types` or `self`).
    pub(crate) fn ty(&self, ty: &RustType, named: &TokenStream) -> TokenStream {
        match ty {
            RustType::String => quote!(::std::string::String),
            RustType::Bool => quote!(bool),
            RustType::I32 => quote!(i32),
            RustType::I64 => quote!(i64),
            RustType::F32 => quote!(f32),
            RustType::F64 => quote!(f64),
            RustType::Bytes => quote!(__tg::Bytes),
            RustType::Value => quote!(__tg::serde_json::Value),
            RustType::Vec(inner) => {
                let inner = self.ty(inner, named);
                quote!(::std::vec::Vec<#inner>)
            }
            RustType::Map(inner) => {
                let inner = self.ty(inner, named);
                quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
            }
            RustType::Option(inner) => {
                let inner = self.ty(inner, named);
                quote!(::std::option::Option<#inner>)
            }
            RustType::Named(name) => {
                let ident = ident(name);
                quote!(#named::#ident)
            }
        }
    }

    pub(crate) fn serde_crate(&self) -> String {
        format!("{}::__codegen::serde", self.settings.runtime_path)
    }

    pub(crate) fn types_module(&self) -> TokenStream {
        let rt = &self.rt;
        let defs = self.api.types.values().map(|def| self.type_def(def));
        quote! {
            /// One Rust type per schema of the document.
            pub mod types {
                #[allow(unused_imports)]
                use #rt::__codegen as __tg;
                #(#defs)*
            }
        }
    }

    fn derives(&self, base: TokenStream) -> TokenStream {
        let extra = self
            .settings
            .extra_derives
            .iter()
            .filter_map(|d| d.parse::<TokenStream>().ok());
        quote! {
            #[derive(#base, __tg::serde::Serialize, __tg::serde::Deserialize #(, #extra)*)]
        }
    }

    fn type_def(&self, def: &TypeDef) -> TokenStream {
        let name = ident(&def.name);
        let docs = doc(def.doc.as_deref());
        let serde_crate = self.serde_crate();
        let here = quote!(self);
        let validator = format_ident!("{}", def.validator);
        let validate_method = quote! {
            impl #name {
                /// Checks this value against its schema; lists every violation.
                pub fn validate(&self) -> ::std::result::Result<(), ::std::vec::Vec<__tg::Violation>> {
                    __tg::validate::value(self, super::validate::#validator)
                }
            }
        };
        match &def.kind {
            TypeKind::Struct { fields, additional } => {
                let derives = self.derives(quote!(Debug, Clone, PartialEq));
                let fields = fields.iter().map(|f| {
                    let fname = ident(&f.name);
                    let mut inner = self.ty(&f.ty, &here);
                    if f.boxed {
                        inner = quote!(::std::boxed::Box<#inner>);
                    }
                    let ty = if f.optional() {
                        quote!(::std::option::Option<#inner>)
                    } else {
                        inner
                    };
                    let rename = (f.name != f.wire).then(|| {
                        let wire = &f.wire;
                        quote!(#[serde(rename = #wire)])
                    });
                    let skip = (!f.required).then(|| {
                        quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")])
                    });
                    let docs = doc(f.doc.as_deref());
                    let deprecated = f.deprecated.then(|| quote!(#[deprecated]));
                    quote! { #docs #deprecated #rename #skip pub #fname: #ty, }
                });
                let extra = additional.as_ref().map(|t| {
                    let t = self.ty(t, &here);
                    quote! {
                        /// Properties not named in the schema (`additionalProperties`).
                        #[serde(flatten)]
                        pub additional_properties: ::std::collections::BTreeMap<::std::string::String, #t>,
                    }
                });
                quote! {
                    #docs
                    #derives
                    #[serde(crate = #serde_crate)]
                    pub struct #name { #(#fields)* #extra }
                    #validate_method
                }
            }
            TypeKind::StringEnum { variants } => {
                let derives = self.derives(quote!(
                    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord
                ));
                let decl = variants.iter().map(|(v, wire)| {
                    let v = ident(v);
                    quote!(#[serde(rename = #wire)] #v,)
                });
                let arms = variants.iter().map(|(v, wire)| {
                    let v = ident(v);
                    quote!(Self::#v => #wire,)
                });
                let parse = variants.iter().map(|(v, wire)| {
                    let v = ident(v);
                    quote!(#wire => ::std::result::Result::Ok(Self::#v),)
                });
                quote! {
                    #docs
                    #derives
                    #[serde(crate = #serde_crate)]
                    pub enum #name { #(#decl)* }
                    impl #name {
                        /// The value as written in the spec.
                        pub fn as_str(&self) -> &'static str {
                            match self { #(#arms)* }
                        }
                    }
                    impl ::std::fmt::Display for #name {
                        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            f.write_str(self.as_str())
                        }
                    }
                    impl ::std::str::FromStr for #name {
                        type Err = ::std::string::String;
                        fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                            match s {
                                #(#parse)*
                                other => ::std::result::Result::Err(::std::format!("unknown value `{other}`")),
                            }
                        }
                    }
                    #validate_method
                }
            }
            TypeKind::Untagged { variants } => {
                let derives = self.derives(quote!(Debug, Clone, PartialEq));
                let decl = variants.iter().map(|(v, t)| {
                    let v = ident(v);
                    let t = self.ty(t, &here);
                    quote!(#v(#t),)
                });
                quote! {
                    #docs
                    #derives
                    #[serde(crate = #serde_crate, untagged)]
                    pub enum #name { #(#decl)* }
                    #validate_method
                }
            }
            TypeKind::Alias(t) => {
                let t = self.ty(t, &here);
                quote! { #docs pub type #name = #t; }
            }
        }
    }
}

/// An identifier from an IR name (already sanitised; keywords were suffixed).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}
