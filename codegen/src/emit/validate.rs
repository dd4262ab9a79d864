//! The `validate` module: one function per validator of the IR, walking a JSON value.
//!
//! Every function has the signature `fn(&Value, &mut Ptr, &mut Errors)`. Type checks and
//! keyword groups are calls to runtime helpers; sub-schemas are passed to the helpers as
//! function pointers (a named validator, or a non-capturing closure for an inline schema),
//! so each schema costs a few lines however deeply it nests.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Emitter;
use crate::ir::{
    Additional, ArrayRules, Check, Node, NodeKind, NumberRules, ObjectRules, StringRules,
};

impl Emitter<'_> {
    pub(crate) fn validate_module(&self) -> TokenStream {
        let fns = self.api.validators.iter().map(|(name, node)| {
            let name = format_ident!("{}", name);
            let body = node_body(node);
            if body.is_empty() {
                quote! {
                    pub fn #name(_v: &__tg::serde_json::Value, _p: &mut __tg::Ptr, _e: &mut __tg::Errors) {}
                }
            } else {
                quote! {
                    pub fn #name(v: &__tg::serde_json::Value, p: &mut __tg::Ptr, e: &mut __tg::Errors) {
                        #body
                    }
                }
            }
        });
        let rt = &self.rt;
        quote! {
            /// Validators: one function per schema, checking a JSON value and collecting every
            /// violation with its JSON pointer.
            pub mod validate {
                #[allow(unused_imports)]
                use #rt::__codegen as __tg;
                #(#fns)*
            }
        }
    }
}

/// Statements checking `v` (a `&Value` in scope, with `p` and `e`) against `node`: one
/// keyword helper call per keyword.
fn node_body(node: &Node) -> TokenStream {
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
            array_keywords(rules, &mut out);
        }
        NodeKind::Object(rules) => {
            out.extend(quote!(#k::type_object(v, p, e);));
            object_keywords(rules, &mut out);
        }
    }
    if let Some(untyped) = &node.untyped {
        string_keywords(&untyped.string, &mut out);
        number_keywords(&untyped.number, &mut out);
        array_keywords(&untyped.array, &mut out);
        object_keywords(&untyped.object, &mut out);
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
        out.extend(inline_call(check));
    }
    if let Some(d) = &node.discriminator {
        let property = &d.property;
        let entries = d.mapping.iter().map(|(value, check)| {
            let f = check_fn(check).unwrap_or_else(|| quote!(|_, _, _| {}));
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
            .map(|c| check_fn(c).unwrap_or_else(|| quote!(|_, _, _| {})));
        out.extend(quote!(#k::#helper(v, p, e, &[#(#branches),*]);));
    }
    if let Some(not) = &node.not {
        let f = check_fn(not).unwrap_or_else(|| quote!(|_, _, _| {}));
        out.extend(quote!(#k::not(v, p, e, #f);));
    }
    if node.nullable && !out.is_empty() {
        out = quote! { if !v.is_null() { #out } };
    }
    out
}

/// A function-pointer expression validating `check`, or `None` when it checks nothing. A
/// bare type check is the runtime's helper itself; anything else an inline closure.
fn check_fn(check: &Check) -> Option<TokenStream> {
    match check {
        Check::Ref(name) => {
            let name = format_ident!("{}", name);
            Some(quote!(self::#name))
        }
        Check::Inline(node) => {
            let body = node_body(node);
            if body.is_empty() {
                return None;
            }
            if let Some(helper) = bare_type_check(node) {
                return Some(quote!(__tg::validate::#helper));
            }
            Some(quote!(|v, p, e| { #body }))
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
fn inline_call(check: &Check) -> TokenStream {
    match check {
        Check::Ref(name) => {
            let name = format_ident!("{}", name);
            quote!(self::#name(v, p, e);)
        }
        Check::Inline(node) => {
            let body = node_body(node);
            if body.is_empty() {
                body
            } else {
                quote!({ #body })
            }
        }
    }
}

fn array_keywords(rules: &ArrayRules, out: &mut TokenStream) {
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
    if let Some(f) = rules.items.as_deref().and_then(check_fn) {
        out.extend(quote!(#k::items(v, p, e, #f);));
    }
}

fn object_keywords(rules: &ObjectRules, out: &mut TokenStream) {
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
    for (name, check) in &rules.properties {
        if let Some(f) = check_fn(check) {
            out.extend(quote!(#k::property(v, #name, p, e, #f);));
        }
    }
    let known = rules.properties.iter().map(|(n, _)| n);
    match &rules.additional {
        Additional::Allowed => {}
        Additional::Denied => out.extend(quote!(#k::no_additional(v, &[#(#known),*], p, e);)),
        Additional::Schema(check) => {
            if let Some(f) = check_fn(check) {
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
