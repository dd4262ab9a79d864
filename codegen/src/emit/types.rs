//! The `types` module: one Rust type per named schema.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::text::{self, Texts};
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

    /// The `types` module with every type of the API.
    #[cfg(test)]
    pub(crate) fn types_module(&self) -> TokenStream {
        self.types_module_of(self.api.types.values())
    }

    /// The `types` module with the types `defs` (formatting takes the module's frame from
    /// it without types, and the types a slice at a time: see `emit::render`).
    pub(crate) fn types_module_of<'d>(
        &self,
        defs: impl Iterator<Item = &'d TypeDef>,
    ) -> TokenStream {
        let rt = &self.rt;
        let defs = defs.map(|def| self.type_def(def));
        quote! {
            /// One Rust type per schema of the document.
            pub mod types {
                #[allow(unused_imports)]
                use #rt::__codegen as __tg;
                #(#defs)*
            }
        }
    }

    /// Whether type `name` implements `Deserialize`: requests carry it or the mock
    /// deserializes it (or `serde_both_ways`).
    fn deserialized(&self, name: &str) -> bool {
        self.settings.serde_both_ways || self.api.deserialized.contains(name)
    }

    /// The derives of a type: `base`, `Serialize`, `Deserialize` when `deserialize`, and
    /// the extra derives.
    fn derives(&self, base: TokenStream, deserialize: bool) -> TokenStream {
        let deserialize = deserialize.then(|| quote!(, __tg::serde::Deserialize));
        self.plain_derives(quote!(#base, __tg::serde::Serialize #deserialize))
    }

    /// The derives of a type serialized by hand: `base` and the extra derives not already
    /// in it.
    fn plain_derives(&self, base: TokenStream) -> TokenStream {
        let present = base.to_string();
        let present: Vec<&str> = present.split(',').map(str::trim).collect();
        let extra = self
            .extra_derives(&present)
            .into_iter()
            .filter_map(|d| d.parse::<TokenStream>().ok());
        quote!(#[derive(#base #(, #extra)*)])
    }

    /// The extra derives of the settings (trimmed) that `present` does not name already,
    /// in their order.
    fn extra_derives(&self, present: &[&str]) -> Vec<&str> {
        self.settings
            .extra_derives
            .iter()
            .map(|d| d.trim())
            .filter(|d| !present.contains(d))
            .collect()
    }

    /// `Serialize` for a struct through the runtime's `ser::Object`: one chained call per
    /// field (optional fields that are `None` are left out, `additional_properties` are
    /// written after the fields) instead of the derive's expansion.
    fn struct_serialize(
        &self,
        name: &Ident,
        fields: &[crate::ir::Field],
        additional: bool,
    ) -> TokenStream {
        let puts = fields.iter().map(|f| {
            let field = ident(&f.name);
            let wire = &f.wire;
            if f.required {
                quote!(.field(#wire, &self.#field))
            } else {
                quote!(.optional(#wire, &self.#field))
            }
        });
        let texts = self.texts.as_ref();
        let direct = || {
            let calls: Vec<text::Call> = fields
                .iter()
                .map(|f| text::Call {
                    method: if f.required { "field" } else { "optional" },
                    wire: Some(f.wire.as_str()),
                    field: ident(&f.name).to_string(),
                })
                .chain(additional.then(|| text::Call {
                    method: "rest",
                    wire: None,
                    field: "additional_properties".to_owned(),
                }))
                .collect();
            text::serialize_impl(TYPES_DEPTH, &name.to_string(), &calls)
        };
        let rest = additional.then(|| quote!(.rest(&self.additional_properties)));
        Texts::or_tokens(texts, direct, || {
            quote! {
                impl __tg::serde::Serialize for #name {
                    fn serialize<S: __tg::serde::Serializer>(
                        &self,
                        s: S,
                    ) -> ::std::result::Result<S::Ok, S::Error> {
                        __tg::ser::Object::start(s) #(#puts)* #rest .end()
                    }
                }
            }
        })
    }

    /// `Deserialize` for a struct: one call to the runtime's `de::object`, which reads the
    /// JSON object into a tuple of slots (`Req<T>` for a required property, `Opt<T>` for an
    /// optional one) in one pass, nothing buffered, and a struct literal from the values.
    /// The visitor, the key `match` and the missing-field checks are generic code in the
    /// runtime, checked once, instead of a visitor per type.
    fn struct_deserialize(
        &self,
        name: &Ident,
        fields: &[crate::ir::Field],
        additional: Option<&RustType>,
        tag: Option<&str>,
    ) -> TokenStream {
        let here = quote!(self);
        let slots: Vec<(TokenStream, TokenStream)> = fields
            .iter()
            .map(|f| {
                let field = ident(&f.name);
                let ty = self.field_value_type(f, &here);
                let slot = if f.optional() {
                    quote!(__tg::de::Opt<#ty>)
                } else {
                    quote!(__tg::de::Req<#ty>)
                };
                (quote!(#field), slot)
            })
            .collect();
        let (pattern, slot_types) = nest_in_twelves(&slots);
        let names = fields.iter().map(|f| &f.wire);
        let names_and_fields = fields.iter().map(|f| ident(&f.name));
        let tag = match tag {
            Some(tag) => quote!(::std::option::Option::Some(#tag)),
            None => quote!(::std::option::Option::None),
        };
        let (rest_pattern, rest_type, rest_field) = match additional {
            Some(t) => {
                let t = self.ty(t, &here);
                (
                    quote!(additional_properties),
                    quote!(::std::collections::BTreeMap<::std::string::String, #t>),
                    quote!(additional_properties,),
                )
            }
            None => (quote!(()), quote!(()), TokenStream::new()),
        };
        quote! {
            impl<'de> __tg::serde::Deserialize<'de> for #name {
                fn deserialize<D: __tg::serde::Deserializer<'de>>(
                    d: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    let (#pattern, #rest_pattern) =
                        __tg::de::object::<D, #slot_types, #rest_type>(d, &[#(#names),*], #tag)?;
                    ::std::result::Result::Ok(Self { #(#names_and_fields,)* #rest_field })
                }
            }
        }
    }

    /// The type of a struct field's value: boxed when it closes a cycle.
    fn field_value_type(&self, f: &crate::ir::Field, named: &TokenStream) -> TokenStream {
        let inner = self.ty(&f.ty, named);
        if f.boxed {
            quote!(::std::boxed::Box<#inner>)
        } else {
            inner
        }
    }

    /// The type of a struct field: its value's type, in an `Option` when optional.
    fn field_type(&self, f: &crate::ir::Field, named: &TokenStream) -> TokenStream {
        let inner = self.field_value_type(f, named);
        if f.optional() {
            quote!(::std::option::Option<#inner>)
        } else {
            inner
        }
    }

    /// The `pub struct` of `def` (its docs, derives and fields) as text, when it can be
    /// written directly (see [`text::struct_def`]).
    fn struct_def_text(
        &self,
        def: &TypeDef,
        fields: &[crate::ir::Field],
        additional: Option<&RustType>,
        tag: Option<&str>,
    ) -> Option<String> {
        let mut attrs = text::doc_lines(def.doc.as_deref());
        if let Some(tag) = tag {
            if def.doc.is_some() {
                attrs.push("///".to_owned());
            }
            attrs.extend(text::doc_lines(Some(&tagged_variant_note(tag))));
        }
        attrs.push(self.plain_derive_line(&["Clone", "PartialEq"])?);
        let mut field_texts: Vec<text::FieldText> = fields
            .iter()
            .map(|f| {
                let mut attrs = text::doc_lines(f.doc.as_deref());
                if f.name != f.wire {
                    if f.doc.is_some() {
                        attrs.push("///".to_owned());
                    }
                    attrs.push(format!("///{}", wire_note(&f.wire).trim_end_matches(' ')));
                }
                if f.deprecated {
                    attrs.push("#[deprecated]".to_owned());
                }
                text::FieldText {
                    attrs,
                    name: ident(&f.name).to_string(),
                    ty: field_type_text(f),
                }
            })
            .collect();
        if let Some(t) = additional {
            field_texts.push(text::FieldText {
                attrs: vec![
                    "/// Properties not named in the schema (`additionalProperties`).".to_owned(),
                ],
                name: "additional_properties".to_owned(),
                ty: text::Ty::generic(
                    "::std::collections::BTreeMap",
                    vec![text::Ty::path("::std::string::String"), ty_text(t, "self")],
                ),
            });
        }
        text::struct_def(
            TYPES_DEPTH,
            &attrs,
            &ident(&def.name).to_string(),
            &field_texts,
        )
    }

    /// A string enum's definition and impls as text, when they can be written directly
    /// (see [`text::string_enum_impls`]).
    fn string_enum_text(
        &self,
        def: &TypeDef,
        name: &Ident,
        variants: &[(String, String)],
    ) -> Option<Vec<String>> {
        let mut attrs = text::doc_lines(def.doc.as_deref());
        attrs.push(self.plain_derive_line(&[
            "Debug",
            "Clone",
            "Copy",
            "PartialEq",
            "Eq",
            "Hash",
            "PartialOrd",
            "Ord",
        ])?);
        let names: Vec<String> = variants.iter().map(|(v, _)| ident(v).to_string()).collect();
        let wires: Vec<&str> = variants.iter().map(|(_, wire)| wire.as_str()).collect();
        let name = name.to_string();
        let mut items = vec![text::unit_enum_def(TYPES_DEPTH, &attrs, &name, &names)?];
        items.extend(text::string_enum_impls(
            TYPES_DEPTH,
            &name,
            &names,
            &wires,
            &def.validator,
            self.deserialized(&def.name),
        )?);
        Some(items)
    }

    /// The `#[derive(…)]` line [`Self::plain_derives`] gives for `base`, when every extra
    /// derive is a plain name (`None` else: the tokens print it).
    fn plain_derive_line(&self, base: &[&str]) -> Option<String> {
        let extra = self.extra_derives(base);
        if !extra.iter().all(|d| text::plain_ident(d)) {
            return None;
        }
        Some(format!("#[derive({})]", [base, &extra].concat().join(", ")))
    }

    pub(crate) fn type_def(&self, def: &TypeDef) -> TokenStream {
        let name = ident(&def.name);
        let name_text = def.name.as_str();
        let docs = doc(def.doc.as_deref());
        let serde_crate = self.serde_crate();
        let here = quote!(self);
        let validator = format_ident!("{}", def.validator);
        let validate = validate_fn(&validator);
        let texts = self.texts.as_ref();
        // Made where it is used: a placeholder must reach the token stream.
        let validate_method = || {
            Texts::or_tokens(
                texts,
                || text::validate_impl(TYPES_DEPTH, &name.to_string(), &validator.to_string()),
                || {
                    quote! {
                        impl #name {
                            #validate
                        }
                    }
                },
            )
        };
        match &def.kind {
            TypeKind::Struct {
                fields,
                additional,
                tag,
            } => {
                // Serialize and Deserialize through the runtime's helpers, not serde's
                // derives (see `struct_serialize`): the struct carries no serde attributes.
                // `Debug` prints the name and the JSON through the runtime (`ser::debug`).
                let derives = self.plain_derives(quote!(Clone, PartialEq));
                let debug = Texts::or_tokens(
                    texts,
                    || text::debug_impl(TYPES_DEPTH, &name.to_string(), name_text),
                    || {
                        quote! {
                            impl ::std::fmt::Debug for #name {
                                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                                    __tg::ser::debug(self, #name_text, f)
                                }
                            }
                        }
                    },
                );
                let serialize = self.struct_serialize(&name, fields, additional.is_some());
                let deserialize = self.deserialized(&def.name).then(|| {
                    self.struct_deserialize(&name, fields, additional.as_ref(), tag.as_deref())
                });
                let all_fields = fields;
                let fields = fields.iter().map(|f| {
                    let fname = ident(&f.name);
                    let ty = self.field_type(f, &here);
                    let docs = doc(f.doc.as_deref());
                    let wire = (f.name != f.wire).then(|| {
                        let gap = f.doc.is_some().then(|| quote!(#[doc = ""]));
                        let text = wire_note(&f.wire);
                        quote!(#gap #[doc = #text])
                    });
                    let deprecated = f.deprecated.then(|| quote!(#[deprecated]));
                    quote! { #docs #wire #deprecated pub #fname: #ty, }
                });
                let extra = additional.as_ref().map(|t| {
                    let t = self.ty(t, &here);
                    quote! {
                        /// Properties not named in the schema (`additionalProperties`).
                        pub additional_properties: ::std::collections::BTreeMap<::std::string::String, #t>,
                    }
                });
                // A variant of a tagged enum lacks its tag property, so its JSON alone does
                // not satisfy its schema: it is validated through the enum.
                let (note, validate_method) = match tag {
                    Some(tag) => {
                        let gap = def.doc.is_some().then(|| quote!(#[doc = ""]));
                        let note = doc(Some(&tagged_variant_note(tag)));
                        (quote!(#gap #note), TokenStream::new())
                    }
                    None => (TokenStream::new(), validate_method()),
                };
                let definition = Texts::or_tokens(
                    texts,
                    || self.struct_def_text(def, all_fields, additional.as_ref(), tag.as_deref()),
                    || {
                        quote! {
                            #docs
                            #note
                            #derives
                            pub struct #name { #(#fields)* #extra }
                        }
                    },
                );
                quote! {
                    #definition
                    #debug
                    #serialize
                    #deserialize
                    #validate_method
                }
            }
            TypeKind::StringEnum { variants } => {
                let derives = self.plain_derives(quote!(
                    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord
                ));
                // Written as a table of values read by `as_str` and the runtime's
                // `parse_enum`: a line each instead of serde's derives or a `match` per
                // method.
                let deserialize = self.deserialized(&def.name).then(|| {
                    quote! {
                        impl<'de> __tg::serde::Deserialize<'de> for #name {
                            fn deserialize<D: __tg::serde::Deserializer<'de>>(
                                d: D,
                            ) -> ::std::result::Result<Self, D::Error> {
                                __tg::de::string_enum(d)
                            }
                        }
                    }
                });
                let decl = variants.iter().map(|(v, _)| {
                    let v = ident(v);
                    quote!(#v,)
                });
                let all = variants.iter().map(|(v, _)| {
                    let v = ident(v);
                    quote!(Self::#v)
                });
                let wire = variants.iter().map(|(_, wire)| wire);
                if let Some(texts) = texts {
                    if let Some(items) = self.string_enum_text(def, &name, variants) {
                        return items
                            .into_iter()
                            .map(|item| texts.placeholder(item))
                            .collect();
                    }
                }
                quote! {
                    #docs
                    #derives
                    pub enum #name { #(#decl)* }
                    impl #name {
                        /// Every value, in spec order.
                        pub const ALL: &'static [Self] = &[#(#all),*];
                        /// The values as written in the spec, in the order of `ALL`.
                        pub const VALUES: &'static [&'static str] = &[#(#wire),*];
                        /// The value as written in the spec.
                        pub fn as_str(&self) -> &'static str {
                            // The variants are numbered from 0 in the order of `VALUES`.
                            Self::VALUES[*self as usize]
                        }
                        #validate
                    }
                    impl __tg::serde::Serialize for #name {
                        fn serialize<S: __tg::serde::Serializer>(
                            &self,
                            s: S,
                        ) -> ::std::result::Result<S::Ok, S::Error> {
                            s.serialize_str(self.as_str())
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
                            __tg::de::parse_enum(s, Self::VALUES, Self::ALL)
                        }
                    }
                    #deserialize
                }
            }
            TypeKind::Untagged { variants } => {
                let derives = self.derives(
                    quote!(Debug, Clone, PartialEq),
                    self.deserialized(&def.name),
                );
                let decl = variants.iter().map(|(v, t)| {
                    let v = ident(v);
                    let t = self.ty(t, &here);
                    quote!(#v(#t),)
                });
                let validate_method = validate_method();
                quote! {
                    #docs
                    #derives
                    #[serde(crate = #serde_crate, untagged)]
                    pub enum #name { #(#decl)* }
                    #validate_method
                }
            }
            TypeKind::Tagged { tag, variants } => {
                let derives = self.derives(
                    quote!(Debug, Clone, PartialEq),
                    self.deserialized(&def.name),
                );
                let decl = variants.iter().map(|(v, wire, t)| {
                    let v = ident(v);
                    let t = ident(t);
                    quote!(#[serde(rename = #wire)] #v(self::#t),)
                });
                let validate_method = validate_method();
                quote! {
                    #docs
                    #derives
                    #[serde(crate = #serde_crate, tag = #tag)]
                    pub enum #name { #(#decl)* }
                    #validate_method
                }
            }
            TypeKind::ValueEnum { variants } => {
                let derives = self.derives(
                    quote!(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord),
                    self.deserialized(&def.name),
                );
                let decl = variants.iter().map(|(v, value)| {
                    let v = ident(v);
                    let docs = format!(" `{value}`");
                    quote!(#[doc = #docs] #v,)
                });
                let all = variants.iter().map(|(v, _)| {
                    let v = ident(v);
                    quote!(Self::#v)
                });
                let to_value = variants.iter().map(|(v, value)| {
                    let v = ident(v);
                    let literal = match value {
                        serde_json::Value::String(s) => quote!(#s),
                        serde_json::Value::Bool(b) => quote!(#b),
                        serde_json::Value::Number(n) => match n.as_i64() {
                            Some(i) => quote!(#i),
                            None => {
                                let f = n.as_f64().unwrap_or_default();
                                quote!(#f)
                            }
                        },
                        _ => quote!(()),
                    };
                    quote!(Self::#v => __tg::serde_json::Value::from(#literal),)
                });
                let texts = variants.iter().map(|(v, value)| {
                    let v = ident(v);
                    let text = match value {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    quote!(Self::#v => #text,)
                });
                let as_i64 = variants.iter().all(|(_, v)| v.is_i64()).then(|| {
                    let arms = variants.iter().map(|(v, value)| {
                        let v = ident(v);
                        let i = value.as_i64().unwrap_or_default();
                        quote!(Self::#v => #i,)
                    });
                    quote! {
                        /// The integer as written in the spec.
                        pub fn as_i64(self) -> i64 {
                            match self { #(#arms)* }
                        }
                    }
                });
                let validate_method = validate_method();
                quote! {
                    #docs
                    #derives
                    #[serde(
                        crate = #serde_crate,
                        into = "__tg::serde_json::Value",
                        try_from = "__tg::serde_json::Value"
                    )]
                    pub enum #name { #(#decl)* }
                    impl #name {
                        /// Every value, in spec order.
                        pub const ALL: &'static [Self] = &[#(#all),*];
                        /// The JSON value as written in the spec.
                        pub fn to_value(self) -> __tg::serde_json::Value {
                            match self { #(#to_value)* }
                        }
                        /// The value as text (strings unquoted).
                        pub fn as_str(&self) -> &'static str {
                            match self { #(#texts)* }
                        }
                        #as_i64
                    }
                    impl ::std::fmt::Display for #name {
                        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            f.write_str(self.as_str())
                        }
                    }
                    impl ::std::convert::From<#name> for __tg::serde_json::Value {
                        fn from(value: #name) -> Self {
                            value.to_value()
                        }
                    }
                    impl ::std::convert::TryFrom<__tg::serde_json::Value> for #name {
                        type Error = ::std::string::String;
                        fn try_from(value: __tg::serde_json::Value) -> ::std::result::Result<Self, Self::Error> {
                            __tg::enum_from_value(&value, Self::ALL, Self::to_value)
                        }
                    }
                    #validate_method
                }
            }
            TypeKind::Alias(t) => Texts::or_tokens(
                texts,
                || {
                    let docs = text::doc_lines(def.doc.as_deref());
                    text::type_alias(
                        TYPES_DEPTH,
                        &docs,
                        &name.to_string(),
                        &ty_text(t, "self").flat(),
                    )
                },
                || {
                    let t = self.ty(t, &here);
                    quote! { #docs pub type #name = #t; }
                },
            ),
        }
    }
}

/// The doc of a struct that is a variant of a tagged enum.
fn tagged_variant_note(tag: &str) -> String {
    format!(
        "A variant of a tagged enum: its discriminator property `{tag}` is the enum's tag, not a field, and it is validated through that enum."
    )
}

/// The doc of a field whose JSON name differs from its Rust name.
fn wire_note(wire: &str) -> String {
    // Quoted and escaped: wire names may hold any character.
    format!(" JSON property {wire:?}.")
}

/// How deep the `types` module's items are: inside the wrapper module and `types`.
const TYPES_DEPTH: usize = 2;

/// [`Emitter::field_type`] as a [`text::Ty`].
fn field_type_text(f: &crate::ir::Field) -> text::Ty {
    let mut ty = ty_text(&f.ty, "self");
    if f.boxed {
        ty = text::Ty::generic("::std::boxed::Box", vec![ty]);
    }
    if f.optional() {
        ty = text::Ty::generic("::std::option::Option", vec![ty]);
    }
    ty
}

/// [`Emitter::ty`] as a [`text::Ty`].
fn ty_text(ty: &RustType, named: &str) -> text::Ty {
    use text::Ty;
    match ty {
        RustType::String => Ty::path("::std::string::String"),
        RustType::Bool => Ty::path("bool"),
        RustType::I32 => Ty::path("i32"),
        RustType::I64 => Ty::path("i64"),
        RustType::F32 => Ty::path("f32"),
        RustType::F64 => Ty::path("f64"),
        RustType::Bytes => Ty::path("__tg::Bytes"),
        RustType::Value => Ty::path("__tg::serde_json::Value"),
        RustType::Vec(inner) => Ty::generic("::std::vec::Vec", vec![ty_text(inner, named)]),
        RustType::Map(inner) => Ty::generic(
            "::std::collections::BTreeMap",
            vec![Ty::path("::std::string::String"), ty_text(inner, named)],
        ),
        RustType::Option(inner) => {
            Ty::generic("::std::option::Option", vec![ty_text(inner, named)])
        }
        RustType::Named(name) => Ty::path(format!("{named}::{}", ident(name))),
    }
}

/// The `validate` method of a type whose validator is `validate::<validator>`.
fn validate_fn(validator: &Ident) -> TokenStream {
    quote! {
        /// Checks this value against its schema; lists every violation.
        pub fn validate(&self) -> ::std::result::Result<(), ::std::vec::Vec<__tg::Violation>> {
            __tg::validate::value(self, super::validate::#validator)
        }
    }
}

/// The pattern and the slot type of `de::object`'s fields, `(binding, slot type)` each:
/// tuples of at most 12 (the longest tuple the runtime's `Fields` is implemented for),
/// nested when there are more (`((a, .., l), (m, ..))`).
fn nest_in_twelves(items: &[(TokenStream, TokenStream)]) -> (TokenStream, TokenStream) {
    if items.len() <= 12 {
        let patterns = items.iter().map(|(p, _)| p);
        let types = items.iter().map(|(_, t)| t);
        return (quote!((#(#patterns,)*)), quote!((#(#types,)*)));
    }
    let groups: Vec<(TokenStream, TokenStream)> = items.chunks(12).map(nest_in_twelves).collect();
    nest_in_twelves(&groups)
}

/// An identifier from an IR name (already sanitised; keywords were suffixed).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}
