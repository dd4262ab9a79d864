//! The `validate` module: one function per validator of the IR, walking a JSON value.
//!
//! Every function has the signature `fn(&Json, &Ptr, &mut Errors)`: it walks the request's
//! JSON tree (borrowed from the request bytes) and carries a lazy JSON pointer (see the
//! runtime's `__codegen::json` and `validate`). Type checks and
//! keyword groups are calls to runtime helpers; sub-schemas are passed to the helpers as
//! function pointers: a named validator, a runtime type check, or a shared function for an
//! inline schema. Inline schemas are hoisted into one private function per distinct body
//! (named by a hash of it), because real specs repeat the same inline schema in many
//! places (Stripe's request bodies repeat `metadata`, addresses and string limits hundreds
//! of times): each distinct check is compiled once, however often it is used.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::Emitter;
use crate::ir::{
    Additional, ArrayRules, Check, Node, NodeKind, NumberRules, ObjectRules, StringRules,
};

impl Emitter<'_> {
    pub(crate) fn validate_module(&self) -> TokenStream {
        let mut shared = Shared::default();
        // A validator whose schema equals an earlier one's is a re-export of it.
        let mut by_body: HashMap<String, Ident> = HashMap::new();
        let mut fns = Vec::with_capacity(self.api.validators.len());
        for (name, node) in &self.api.validators {
            let name = format_ident!("{}", name);
            let body = node_body(node, &mut shared);
            if body.is_empty() {
                fns.push(quote! {
                    pub fn #name(_v: &__tg::Json<'_>, _p: &__tg::Ptr<'_>, _e: &mut __tg::Errors) {}
                });
                continue;
            }
            let key = format!("{node:?}");
            if let Some(first) = by_body.get(&key) {
                // A second name for the same function: nothing more to compile.
                fns.push(quote!(pub use self::#first as #name;));
                continue;
            }
            by_body.insert(key, name.clone());
            fns.push(quote! {
                pub fn #name(v: &__tg::Json<'_>, p: &__tg::Ptr<'_>, e: &mut __tg::Errors) {
                    #body
                }
            });
        }
        let shared = shared.fns;
        let rt = &self.rt;
        quote! {
            /// Validators: one function per schema, checking a JSON value and collecting every
            /// violation with its JSON pointer.
            pub mod validate {
                #[allow(unused_imports)]
                use #rt::__codegen as __tg;
                #(#fns)*
                #(#shared)*
            }
        }
    }
}

/// Inline sub-schema checks hoisted into private functions, one per distinct schema, in
/// order of first use.
#[derive(Default)]
struct Shared {
    by_schema: HashMap<String, Ident>,
    names: HashSet<Ident>,
    fns: Vec<TokenStream>,
}

impl Shared {
    /// The function checking `node` (created on first use, with the body `body` makes).
    ///
    /// Keyed and named by the schema node's `Debug` text (its FNV-1a hash for the name), not
    /// by the body's tokens: token text differs inside a procedural macro, and the three
    /// entry points must write the same bytes. A name stays the same when unrelated schemas
    /// change.
    fn function(
        &mut self,
        node: &Node,
        body: impl FnOnce(&mut Self) -> TokenStream,
    ) -> Option<Ident> {
        let key = format!("{node:?}");
        if let Some(name) = self.by_schema.get(&key) {
            return Some(name.clone());
        }
        let body = body(self);
        if body.is_empty() {
            return None;
        }
        let mut hash = fnv1a(key.as_bytes());
        let name = loop {
            let candidate = format_ident!("__check_{:016x}", hash);
            if !self.names.contains(&candidate) {
                break candidate;
            }
            hash = hash.wrapping_add(1);
        };
        self.fns.push(quote! {
            fn #name(v: &__tg::Json<'_>, p: &__tg::Ptr<'_>, e: &mut __tg::Errors) {
                #body
            }
        });
        self.names.insert(name.clone());
        self.by_schema.insert(key, name.clone());
        Some(name)
    }
}

/// 64-bit FNV-1a: a stable hash (the standard library's may change between releases, and
/// generated names must not).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Statements checking `v` (a `&Value` in scope, with `p` and `e`) against `node`: one
/// keyword helper call per keyword.
fn node_body(node: &Node, shared: &mut Shared) -> TokenStream {
    let k = quote!(__tg::validate);
    let mut out = TokenStream::new();
    match &node.kind {
        NodeKind::Any => {}
        NodeKind::Boolean => out.extend(quote!(#k::type_boolean(v, p, e);)),
        NodeKind::String(rules) => {
            out.extend(quote!(#k::type_string(v, p, e);));
            string_keywords(rules, &mut out);
        }
        NodeKind::Integer(rules) => {
            out.extend(quote!(#k::type_integer(v, p, e);));
            number_keywords(rules, &mut out);
        }
        NodeKind::Number(rules) => {
            out.extend(quote!(#k::type_number(v, p, e);));
            number_keywords(rules, &mut out);
        }
        NodeKind::Array(rules) => {
            out.extend(quote!(#k::type_array(v, p, e);));
            array_keywords(rules, &mut out, shared);
        }
        NodeKind::Object(rules) => object_node(rules, &mut out, shared),
    }
    if let Some(untyped) = &node.untyped {
        string_keywords(&untyped.string, &mut out);
        number_keywords(&untyped.number, &mut out);
        array_keywords(&untyped.array, &mut out, shared);
        object_keywords(&untyped.object, &mut out, shared);
    }

    if let Some(values) = &node.enum_values {
        if values.iter().all(|v| v.is_string()) {
            let strings = values.iter().filter_map(|v| v.as_str());
            out.extend(quote!(#k::check_enum_str(v, &[#(#strings),*], p, e);));
        } else {
            let json = serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
            out.extend(quote! {
                {
                    static ENUM: ::std::sync::LazyLock<::std::vec::Vec<__tg::serde_json::Value>> =
                        ::std::sync::LazyLock::new(|| #k::enum_values(#json));
                    #k::check_enum(v, &ENUM, p, e);
                }
            });
        }
    }
    for check in &node.all_of {
        out.extend(inline_call(check, shared));
    }
    if let Some(d) = &node.discriminator {
        let property = &d.property;
        let entries = d.mapping.iter().map(|(value, check)| {
            let f = check_fn(check, shared).unwrap_or_else(|| quote!(|_, _, _| {}));
            quote!((#value, #f))
        });
        out.extend(quote!(#k::discriminator(v, p, e, #property, &[#(#entries),*]);));
    }
    for (list, helper) in [
        (&node.any_of, quote!(any_of)),
        (&node.one_of, quote!(one_of)),
    ] {
        // The discriminator picks the branch instead.
        if list.is_empty() || node.discriminator.is_some() {
            continue;
        }
        let branches = list
            .iter()
            .map(|c| check_fn(c, shared).unwrap_or_else(|| quote!(|_, _, _| {})))
            .collect::<Vec<_>>();
        out.extend(quote!(#k::#helper(v, p, e, &[#(#branches),*]);));
    }
    if let Some(not) = &node.not {
        let f = check_fn(not, shared).unwrap_or_else(|| quote!(|_, _, _| {}));
        out.extend(quote!(#k::not(v, p, e, #f);));
    }
    if node.nullable && !out.is_empty() {
        out = quote! { if !v.is_null() { #out } };
    }
    out
}

/// A function-pointer expression validating `check`, or `None` when it checks nothing. A
/// bare type check is the runtime's helper itself; anything else a shared function.
fn check_fn(check: &Check, shared: &mut Shared) -> Option<TokenStream> {
    match check {
        Check::Ref(name) => {
            let name = format_ident!("{}", name);
            Some(quote!(self::#name))
        }
        Check::Inline(node) => {
            if let Some(helper) = bare_type_check(node) {
                return Some(quote!(__tg::validate::#helper));
            }
            let name = shared.function(node, |shared| node_body(node, shared))?;
            Some(quote!(self::#name))
        }
    }
}

/// The type-check helper when `node` checks its type and nothing else.
fn bare_type_check(node: &Node) -> Option<proc_macro2::Ident> {
    let bare = Node {
        kind: node.kind.clone(),
        ..Node::default()
    };
    if *node != bare {
        return None;
    }
    let name = match &node.kind {
        NodeKind::String(r) if *r == StringRules::default() => "type_string",
        NodeKind::Integer(r) if *r == NumberRules::default() => "type_integer",
        NodeKind::Number(r) if *r == NumberRules::default() => "type_number",
        NodeKind::Boolean => "type_boolean",
        NodeKind::Object(r) if *r == ObjectRules::default() => "type_object",
        NodeKind::Array(r) if *r == ArrayRules::default() => "type_array",
        _ => return None,
    };
    Some(format_ident!("{}", name))
}

/// Statements applying `check` to the current `v`.
fn inline_call(check: &Check, shared: &mut Shared) -> TokenStream {
    match check {
        Check::Ref(name) => {
            let name = format_ident!("{}", name);
            quote!(self::#name(v, p, e);)
        }
        Check::Inline(node) => {
            let body = node_body(node, shared);
            if body.is_empty() {
                body
            } else {
                quote!({ #body })
            }
        }
    }
}

fn array_keywords(rules: &ArrayRules, out: &mut TokenStream, shared: &mut Shared) {
    let k = quote!(__tg::validate);
    if let Some(min) = rules.min_items {
        out.extend(quote!(#k::min_items(v, #min, p, e);));
    }
    if let Some(max) = rules.max_items {
        out.extend(quote!(#k::max_items(v, #max, p, e);));
    }
    if rules.unique_items {
        out.extend(quote!(#k::unique_items(v, p, e);));
    }
    if let Some(f) = rules.items.as_deref().and_then(|c| check_fn(c, shared)) {
        out.extend(quote!(#k::items(v, p, e, #f);));
    }
}

/// `type: object` and its keywords. The common case — `required` and `properties` and
/// nothing between them — is one call of the runtime's `object` with both lists as constant
/// tables; it runs the same checks in the same order as the separate helpers.
fn object_node(rules: &ObjectRules, out: &mut TokenStream, shared: &mut Shared) {
    let k = quote!(__tg::validate);
    let simple = rules.required_read_only.is_empty()
        && rules.required_write_only.is_empty()
        && rules.min_properties.is_none()
        && rules.max_properties.is_none();
    if !simple {
        out.extend(quote!(#k::type_object(v, p, e);));
        object_keywords(rules, out, shared);
        return;
    }
    let required = &rules.required;
    let properties = property_checks(rules, shared);
    out.extend(quote!(#k::object(v, p, e, &[#(#required),*], &[#(#properties),*]);));
    additional_keywords(rules, out, shared);
}

/// `(name, check)` table entries for the properties that check something.
fn property_checks(rules: &ObjectRules, shared: &mut Shared) -> Vec<TokenStream> {
    rules
        .properties
        .iter()
        .filter_map(|(name, check)| {
            let f = check_fn(check, shared)?;
            Some(quote!((#name, #f)))
        })
        .collect()
}

fn object_keywords(rules: &ObjectRules, out: &mut TokenStream, shared: &mut Shared) {
    let k = quote!(__tg::validate);
    if !rules.required.is_empty() {
        let required = &rules.required;
        out.extend(quote!(#k::required(v, &[#(#required),*], p, e);));
    }
    for (names, direction) in [
        (&rules.required_read_only, quote!(Response)),
        (&rules.required_write_only, quote!(Request)),
    ] {
        if !names.is_empty() {
            out.extend(
                quote!(#k::required_in(v, &[#(#names),*], #k::Direction::#direction, p, e);),
            );
        }
    }
    if let Some(min) = rules.min_properties {
        out.extend(quote!(#k::min_properties(v, #min, p, e);));
    }
    if let Some(max) = rules.max_properties {
        out.extend(quote!(#k::max_properties(v, #max, p, e);));
    }
    let properties = property_checks(rules, shared);
    if !properties.is_empty() {
        out.extend(quote!(#k::properties(v, p, e, &[#(#properties),*]);));
    }
    additional_keywords(rules, out, shared);
}

/// `additionalProperties`.
fn additional_keywords(rules: &ObjectRules, out: &mut TokenStream, shared: &mut Shared) {
    let k = quote!(__tg::validate);
    let known = rules.properties.iter().map(|(n, _)| n);
    match &rules.additional {
        Additional::Allowed => {}
        Additional::Denied => out.extend(quote!(#k::no_additional(v, &[#(#known),*], p, e);)),
        Additional::Schema(check) => {
            if let Some(f) = check_fn(check, shared) {
                out.extend(quote!(#k::additional(v, &[#(#known),*], p, e, #f);));
            }
        }
    }
}

fn string_keywords(rules: &StringRules, out: &mut TokenStream) {
    let k = quote!(__tg::validate);
    if let Some(min) = rules.min_length {
        out.extend(quote!(#k::min_length(v, #min, p, e);));
    }
    if let Some(max) = rules.max_length {
        out.extend(quote!(#k::max_length(v, #max, p, e);));
    }
    if let Some(format) = str_format(rules.format.as_deref()) {
        let format = format_ident!("{}", format);
        out.extend(quote!(#k::format(v, #k::StrFormat::#format, p, e);));
    }
    if let Some(pattern) = &rules.pattern {
        out.extend(quote! {
            {
                static PATTERN: __tg::Pattern = __tg::Pattern::new(#pattern);
                #k::pattern(v, &PATTERN, p, e);
            }
        });
    }
}

fn number_keywords(rules: &NumberRules, out: &mut TokenStream) {
    let k = quote!(__tg::validate);
    if let Some(min) = rules.minimum.filter(|m| m.is_finite()) {
        let exclusive = rules.exclusive_minimum;
        out.extend(quote!(#k::minimum(v, #min, #exclusive, p, e);));
    }
    if let Some(max) = rules.maximum.filter(|m| m.is_finite()) {
        let exclusive = rules.exclusive_maximum;
        out.extend(quote!(#k::maximum(v, #max, #exclusive, p, e);));
    }
    if let Some(m) = rules.multiple_of.filter(|m| m.is_finite()) {
        out.extend(quote!(#k::multiple_of(v, #m, p, e);));
    }
    match rules.format.as_deref() {
        Some("int32") => out.extend(quote!(#k::int_format(v, #k::NumFormat::Int32, p, e);)),
        Some("int64") => out.extend(quote!(#k::int_format(v, #k::NumFormat::Int64, p, e);)),
        _ => {}
    }
}

fn str_format(format: Option<&str>) -> Option<&'static str> {
    Some(match format? {
        "date-time" => "DateTime",
        "date" => "Date",
        "uuid" => "Uuid",
        "email" => "Email",
        "uri" => "Uri",
        "ipv4" => "Ipv4",
        "ipv6" => "Ipv6",
        "byte" => "Byte",
        _ => return None,
    })
}
