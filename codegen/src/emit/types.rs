//! The `types` module: one Rust type per named schema.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use syn::{Attribute, Expr, ImplItem, Item, Pat, Type};

use super::ast;
use super::requests::rust_type;
use super::text::{self, Texts};
use super::{doc, Emitter};
use crate::ir::{RustType, TypeDef, TypeKind};

impl Emitter<'_> {
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
    fn derives(&self, base: TokenStream, deserialize: bool) -> Attribute {
        let deserialize = deserialize.then(|| quote!(, __tg::serde::Deserialize));
        self.plain_derives(quote!(#base, __tg::serde::Serialize #deserialize))
    }

    /// The derives of a type serialized by hand: `base` and the extra derives not already
    /// in it.
    fn plain_derives(&self, base: TokenStream) -> Attribute {
        let present = base.to_string();
        let present: Vec<&str> = present.split(',').map(str::trim).collect();
        let extra = self
            .extra_derives(&present)
            .into_iter()
            .filter_map(|d| d.parse::<TokenStream>().ok());
        ast::attr_list("derive", quote!(#base #(, #extra)*))
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
    fn struct_serialize(&self, name: &str, fields: &[crate::ir::Field], additional: bool) -> Item {
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
            text::serialize_impl(TYPES_DEPTH, name, &calls)
        };
        Texts::or_tree(texts, direct, || {
            let this = |field: &str| ast::reference(ast::field(ast::path_expr("self"), field));
            let mut chain = ast::call_path("__tg::ser::Object::start", vec![ast::path_expr("s")]);
            for f in fields {
                let method = if f.required { "field" } else { "optional" };
                chain = ast::method(
                    chain,
                    method,
                    Vec::new(),
                    vec![ast::string(&f.wire), this(&f.name)],
                );
            }
            if additional {
                chain = ast::method(
                    chain,
                    "rest",
                    Vec::new(),
                    vec![this("additional_properties")],
                );
            }
            chain = ast::method(chain, "end", Vec::new(), Vec::new());
            serialize_impl(name, vec![ast::tail(chain)])
        })
    }

    /// `Deserialize` for a struct: one call to the runtime's `de::object`, which reads the
    /// JSON object into a tuple of slots (`Req<T>` for a required property, `Opt<T>` for an
    /// optional one) in one pass, nothing buffered, and a struct literal from the values.
    /// The visitor, the key `match` and the missing-field checks are generic code in the
    /// runtime, checked once, instead of a visitor per type.
    fn struct_deserialize(
        &self,
        name: &str,
        fields: &[crate::ir::Field],
        additional: Option<&RustType>,
        tag: Option<&str>,
    ) -> Item {
        let slots: Vec<(Pat, Type)> = fields
            .iter()
            .map(|f| {
                let ty = field_value_type(f);
                let slot = if f.optional() {
                    "__tg::de::Opt"
                } else {
                    "__tg::de::Req"
                };
                (
                    ast::pat_ident(&f.name, false),
                    ast::ty_generic(slot, vec![ty]),
                )
            })
            .collect();
        let (pattern, slot_types) = nest_in_twelves(slots);
        let names = fields.iter().map(|f| ast::string(&f.wire)).collect();
        let tag = match tag {
            Some(tag) => ast::call_path("::std::option::Option::Some", vec![ast::string(tag)]),
            None => ast::path_expr("::std::option::Option::None"),
        };
        let (rest_pattern, rest_type) = match additional {
            Some(t) => (
                ast::pat_ident("additional_properties", false),
                ast::ty_generic(
                    "::std::collections::BTreeMap",
                    vec![ast::ty("::std::string::String"), rust_type(t, "self")],
                ),
            ),
            None => (
                ast::pat_tuple(Vec::new(), false),
                ast::ty_tuple(Vec::new(), false),
            ),
        };
        let read = ast::try_(ast::call(
            ast::path_expr_with(
                "__tg::de::object",
                vec![
                    ast::ga(ast::ty("D")),
                    ast::ga(slot_types),
                    ast::ga(rest_type),
                ],
            ),
            vec![ast::path_expr("d"), ast::reference(ast::array(names)), tag],
        ));
        let mut values: Vec<syn::FieldValue> = fields
            .iter()
            .map(|f| ast::field_value(&f.name, None))
            .collect();
        if additional.is_some() {
            values.push(ast::field_value("additional_properties", None));
        }
        let literal = ast::struct_expr("Self", values);
        deserialize_impl(
            name,
            vec![
                ast::let_(ast::pat_tuple(vec![pattern, rest_pattern], false), read),
                ast::tail(ast::call_path("::std::result::Result::Ok", vec![literal])),
            ],
        )
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
        name: &str,
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
        let mut items = vec![text::unit_enum_def(TYPES_DEPTH, &attrs, name, &names)?];
        items.extend(text::string_enum_impls(
            TYPES_DEPTH,
            name,
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

    /// The items of one type, as tokens (the whole-file route of the tests).
    pub(crate) fn type_def(&self, def: &TypeDef) -> TokenStream {
        self.type_items(def)
            .iter()
            .map(quote::ToTokens::to_token_stream)
            .collect()
    }

    /// The items of one type: its definition, its serde impls and its `validate` method,
    /// as syntax trees, or placeholders for the texts written directly (see [`text`]).
    pub(crate) fn type_items(&self, def: &TypeDef) -> Vec<Item> {
        let name = def.name.as_str();
        let serde_crate = self.serde_crate();
        let texts = self.texts.as_ref();
        let validate_method = || {
            Texts::or_tree(
                texts,
                || text::validate_impl(TYPES_DEPTH, name, &def.validator),
                || {
                    ast::item_impl(
                        syn::Generics::default(),
                        None,
                        ast::ty(name),
                        vec![validate_fn(&def.validator)],
                    )
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
                let debug = Texts::or_tree(
                    texts,
                    || text::debug_impl(TYPES_DEPTH, name, name),
                    || {
                        fmt_impl(
                            "::std::fmt::Debug",
                            name,
                            ast::call_path(
                                "__tg::ser::debug",
                                vec![
                                    ast::path_expr("self"),
                                    ast::string(name),
                                    ast::path_expr("f"),
                                ],
                            ),
                        )
                    },
                );
                let definition = Texts::or_tree(
                    texts,
                    || self.struct_def_text(def, fields, additional.as_ref(), tag.as_deref()),
                    || self.struct_definition(def, fields, additional.as_ref(), tag.as_deref()),
                );
                let mut items = vec![
                    definition,
                    debug,
                    self.struct_serialize(name, fields, additional.is_some()),
                ];
                if self.deserialized(&def.name) {
                    items.push(self.struct_deserialize(
                        name,
                        fields,
                        additional.as_ref(),
                        tag.as_deref(),
                    ));
                }
                // A variant of a tagged enum lacks its tag property, so its JSON alone does
                // not satisfy its schema: it is validated through the enum.
                if tag.is_none() {
                    items.push(validate_method());
                }
                items
            }
            TypeKind::StringEnum { variants } => {
                if let Some(texts) = texts {
                    if let Some(items) = self.string_enum_text(def, name, variants) {
                        return items
                            .into_iter()
                            .map(|item| texts.placeholder_item(item))
                            .collect();
                    }
                }
                self.string_enum_items(def, variants)
            }
            TypeKind::Untagged { variants } => {
                let mut attrs = ast::docs(def.doc.as_deref());
                attrs.push(self.derives(
                    quote!(Debug, Clone, PartialEq),
                    self.deserialized(&def.name),
                ));
                attrs.push(ast::attr_list(
                    "serde",
                    quote!(crate = #serde_crate, untagged),
                ));
                let variants = variants
                    .iter()
                    .map(|(v, t)| ast::variant(Vec::new(), v, vec![rust_type(t, "self")]))
                    .collect();
                vec![ast::item_enum(attrs, name, variants), validate_method()]
            }
            TypeKind::Tagged { tag, variants } => {
                let mut attrs = ast::docs(def.doc.as_deref());
                attrs.push(self.derives(
                    quote!(Debug, Clone, PartialEq),
                    self.deserialized(&def.name),
                ));
                attrs.push(ast::attr_list(
                    "serde",
                    quote!(crate = #serde_crate, tag = #tag),
                ));
                let variants = variants
                    .iter()
                    .map(|(v, wire, t)| {
                        ast::variant(
                            vec![ast::attr_list("serde", quote!(rename = #wire))],
                            v,
                            vec![ast::ty(&format!("self::{t}"))],
                        )
                    })
                    .collect();
                vec![ast::item_enum(attrs, name, variants), validate_method()]
            }
            TypeKind::ValueEnum { variants } => {
                let mut items = self.value_enum_items(def, variants);
                items.push(validate_method());
                items
            }
            TypeKind::Alias(t) => vec![Texts::or_tree(
                texts,
                || {
                    let docs = text::doc_lines(def.doc.as_deref());
                    text::type_alias(TYPES_DEPTH, &docs, name, &ty_text(t, "self").flat())
                },
                || ast::item_type(ast::docs(def.doc.as_deref()), name, rust_type(t, "self")),
            )],
        }
    }

    /// The `pub struct` of `def`: its docs, derives and fields.
    fn struct_definition(
        &self,
        def: &TypeDef,
        fields: &[crate::ir::Field],
        additional: Option<&RustType>,
        tag: Option<&str>,
    ) -> Item {
        let mut attrs = ast::docs(def.doc.as_deref());
        if let Some(tag) = tag {
            if def.doc.is_some() {
                attrs.push(ast::doc_line(""));
            }
            attrs.extend(ast::docs(Some(&tagged_variant_note(tag))));
        }
        attrs.push(self.plain_derives(quote!(Clone, PartialEq)));
        let mut members: Vec<syn::Field> = fields
            .iter()
            .map(|f| {
                let mut attrs = ast::docs(f.doc.as_deref());
                if f.name != f.wire {
                    if f.doc.is_some() {
                        attrs.push(ast::doc_line(""));
                    }
                    attrs.push(ast::doc_line(&wire_note(&f.wire)));
                }
                if f.deprecated {
                    attrs.push(ast::attr_path("deprecated"));
                }
                ast::named_field(attrs, &f.name, field_type(f))
            })
            .collect();
        if let Some(t) = additional {
            members.push(ast::named_field(
                vec![ast::doc_line(
                    " Properties not named in the schema (`additionalProperties`).",
                )],
                "additional_properties",
                ast::ty_generic(
                    "::std::collections::BTreeMap",
                    vec![ast::ty("::std::string::String"), rust_type(t, "self")],
                ),
            ));
        }
        ast::item_struct(attrs, &def.name, members)
    }

    /// A string enum's items when they are not written as text: the enum, its table of
    /// values read by `as_str` and the runtime's `parse_enum` (a line each instead of
    /// serde's derives or a `match` per method), and its impls.
    fn string_enum_items(&self, def: &TypeDef, variants: &[(String, String)]) -> Vec<Item> {
        let name = def.name.as_str();
        let mut attrs = ast::docs(def.doc.as_deref());
        attrs.push(self.plain_derives(quote!(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord
        )));
        let all = variants
            .iter()
            .map(|(v, _)| ast::path_expr(&format!("Self::{v}")))
            .collect();
        let wires = variants.iter().map(|(_, wire)| ast::string(wire)).collect();
        let self_fn = |method: &str, arg: Expr| {
            ast::tail(ast::method(
                arg,
                method,
                Vec::new(),
                vec![ast::method(
                    ast::path_expr("self"),
                    "as_str",
                    Vec::new(),
                    Vec::new(),
                )],
            ))
        };
        let as_str = ast::impl_fn_with(
            vec![ast::doc_line(" The value as written in the spec.")],
            true,
            ast::signature("as_str", vec![ast::ref_self()], Some(ast::ty_static_str())),
            // The variants are numbered from 0 in the order of `VALUES`.
            vec![ast::tail(ast::index(
                ast::path_expr("Self::VALUES"),
                ast::cast(ast::deref(ast::path_expr("self")), ast::ty("usize")),
            ))],
        );
        let mut items = vec![
            ast::item_enum(
                attrs,
                name,
                variants
                    .iter()
                    .map(|(v, _)| ast::variant(Vec::new(), v, Vec::new()))
                    .collect(),
            ),
            ast::item_impl(
                syn::Generics::default(),
                None,
                ast::ty(name),
                vec![
                    ast::impl_const(
                        vec![ast::doc_line(" Every value, in spec order.")],
                        "ALL",
                        ast::ty_static_slice(ast::ty("Self")),
                        ast::reference(ast::array(all)),
                    ),
                    ast::impl_const(
                        vec![ast::doc_line(
                            " The values as written in the spec, in the order of `ALL`.",
                        )],
                        "VALUES",
                        ast::ty_static_slice(ast::ty_static_str()),
                        ast::reference(ast::array(wires)),
                    ),
                    as_str,
                    validate_fn(&def.validator),
                ],
            ),
            serialize_impl(name, vec![self_fn("serialize_str", ast::path_expr("s"))]),
            fmt_impl_stmts(
                "::std::fmt::Display",
                name,
                vec![self_fn("write_str", ast::path_expr("f"))],
            ),
            ast::item_impl(
                syn::Generics::default(),
                Some(ast::path("::std::str::FromStr")),
                ast::ty(name),
                vec![
                    ast::impl_type("Err", ast::ty("::std::string::String")),
                    ast::impl_fn(
                        ast::signature(
                            "from_str",
                            vec![ast::arg("s", ast::ty_ref(false, ast::ty("str")))],
                            Some(ast::ty_generic(
                                "::std::result::Result",
                                vec![ast::ty("Self"), ast::ty("Self::Err")],
                            )),
                        ),
                        vec![ast::tail(ast::call_path(
                            "__tg::de::parse_enum",
                            vec![
                                ast::path_expr("s"),
                                ast::path_expr("Self::VALUES"),
                                ast::path_expr("Self::ALL"),
                            ],
                        ))],
                    ),
                ],
            ),
        ];
        if self.deserialized(&def.name) {
            items.push(deserialize_impl(
                name,
                vec![ast::tail(ast::call_path(
                    "__tg::de::string_enum",
                    vec![ast::path_expr("d")],
                ))],
            ));
        }
        items
    }

    /// A value enum's items (an enum of non-string values): the enum serialized through
    /// `serde_json::Value`, `ALL`, `to_value`, `as_str`, `as_i64` and the conversions.
    /// Rare, so made as tokens and parsed.
    fn value_enum_items(
        &self,
        def: &TypeDef,
        variants: &[(String, serde_json::Value)],
    ) -> Vec<Item> {
        let name = ident(&def.name);
        let docs = doc(def.doc.as_deref());
        let serde_crate = self.serde_crate();
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
        let tokens = quote! {
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
        };
        parse_items(tokens)
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
fn validate_fn(validator: &str) -> ImplItem {
    ast::impl_fn_with(
        vec![ast::doc_line(
            " Checks this value against its schema; lists every violation.",
        )],
        true,
        ast::signature(
            "validate",
            vec![ast::ref_self()],
            Some(ast::ty_generic(
                "::std::result::Result",
                vec![
                    ast::ty_tuple(Vec::new(), false),
                    ast::ty_generic("::std::vec::Vec", vec![ast::ty("__tg::Violation")]),
                ],
            )),
        ),
        vec![ast::tail(ast::call_path(
            "__tg::validate::value",
            vec![
                ast::path_expr("self"),
                ast::path_expr(&format!("super::validate::{validator}")),
            ],
        ))],
    )
}

/// `impl <trait_> for <name> { fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result { body } }`.
fn fmt_impl(trait_: &str, name: &str, body: Expr) -> Item {
    fmt_impl_stmts(trait_, name, vec![ast::tail(body)])
}

/// [`fmt_impl`] with the body's statements.
fn fmt_impl_stmts(trait_: &str, name: &str, body: Vec<syn::Stmt>) -> Item {
    let formatter = ast::ty_with("::std::fmt::Formatter", vec![ast::ga_lifetime("'_")]);
    ast::item_impl(
        syn::Generics::default(),
        Some(ast::path(trait_)),
        ast::ty(name),
        vec![ast::impl_fn(
            ast::signature(
                "fmt",
                vec![ast::ref_self(), ast::arg("f", ast::ty_ref(true, formatter))],
                Some(ast::ty("::std::fmt::Result")),
            ),
            body,
        )],
    )
}

/// `impl Serialize for <name> { fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok,
/// S::Error> { body } }`.
fn serialize_impl(name: &str, body: Vec<syn::Stmt>) -> Item {
    let sig = syn::Signature {
        generics: ast::generics(&[], vec![("S", ast::path("__tg::serde::Serializer"))]),
        ..ast::signature(
            "serialize",
            vec![ast::ref_self(), ast::arg("s", ast::ty("S"))],
            Some(ast::ty_generic(
                "::std::result::Result",
                vec![ast::ty("S::Ok"), ast::ty("S::Error")],
            )),
        )
    };
    ast::item_impl(
        syn::Generics::default(),
        Some(ast::path("__tg::serde::Serialize")),
        ast::ty(name),
        vec![ast::impl_fn(sig, body)],
    )
}

/// `impl<'de> Deserialize<'de> for <name> { fn deserialize<D: Deserializer<'de>>(d: D)
/// -> Result<Self, D::Error> { body } }`.
fn deserialize_impl(name: &str, body: Vec<syn::Stmt>) -> Item {
    let deserializer = ast::path_with(
        "__tg::serde::Deserializer",
        vec![ast::ga_lifetime("'de")],
        false,
    );
    let sig = syn::Signature {
        generics: ast::generics(&[], vec![("D", deserializer)]),
        ..ast::signature(
            "deserialize",
            vec![ast::arg("d", ast::ty("D"))],
            Some(ast::ty_generic(
                "::std::result::Result",
                vec![ast::ty("Self"), ast::ty("D::Error")],
            )),
        )
    };
    ast::item_impl(
        ast::generics(&["'de"], Vec::new()),
        Some(ast::path_with(
            "__tg::serde::Deserialize",
            vec![ast::ga_lifetime("'de")],
            false,
        )),
        ast::ty(name),
        vec![ast::impl_fn(sig, body)],
    )
}

/// The type of a struct field's value: boxed when it closes a cycle.
fn field_value_type(f: &crate::ir::Field) -> Type {
    let inner = rust_type(&f.ty, "self");
    if f.boxed {
        ast::ty_generic("::std::boxed::Box", vec![inner])
    } else {
        inner
    }
}

/// The type of a struct field: its value's type, in an `Option` when optional.
fn field_type(f: &crate::ir::Field) -> Type {
    let inner = field_value_type(f);
    if f.optional() {
        ast::ty_option(inner)
    } else {
        inner
    }
}

/// The pattern and the slot type of `de::object`'s fields, `(binding, slot type)` each:
/// tuples of at most 12 (the longest tuple the runtime's `Fields` is implemented for),
/// nested when there are more (`((a, .., l), (m, ..))`), each with a trailing comma.
fn nest_in_twelves(items: Vec<(Pat, Type)>) -> (Pat, Type) {
    if items.len() <= 12 {
        let (patterns, types): (Vec<Pat>, Vec<Type>) = items.into_iter().unzip();
        return (ast::pat_tuple(patterns, true), ast::ty_tuple(types, true));
    }
    let mut groups = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        groups.push(nest_in_twelves(items.by_ref().take(12).collect()));
    }
    nest_in_twelves(groups)
}

/// The items of generated tokens, parsed (for the rare items not built as trees). Tokens
/// that do not parse are a generator bug: they become a `compile_error!` naming it, so
/// the generated code fails to compile with the reason rather than the generator
/// panicking.
fn parse_items(tokens: TokenStream) -> Vec<Item> {
    match syn::parse2::<syn::File>(tokens) {
        Ok(file) => file.items,
        Err(error) => {
            let message = format!("tollgate-codegen made items that do not parse: {error}");
            vec![syn::parse_quote!(compile_error!(#message);)]
        }
    }
}

/// An identifier from an IR name (already sanitised; keywords were suffixed).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}
