//! The `validate` module: one function per validator of the IR, walking a JSON value.
//!
//! Every function has the signature `fn(&Value, &mut Ptr, &mut Errors)`. Keyword groups
//! call runtime helpers with their constants; references call the named function.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Emitter;
use crate::ir::{Additional, Check, Node, NodeKind, NumberRules};

impl Emitter<'_> {
    pub(crate) fn validate_module(&self) -> TokenStream {
        let rt = &self.rt;
        let fns = self.api.validators.iter().map(|(name, node)| {
            let name = format_ident!("{}", name);
            let body = self.node(node);
            if body.is_empty() {
                quote! {
                    pub fn #name(
                        _v: &#rt::__codegen::serde_json::Value,
                        _p: &mut #rt::__codegen::Ptr,
                        _e: &mut #rt::__codegen::Errors,
                    ) {}
                }
            } else {
                quote! {
                    pub fn #name(
                        v: &#rt::__codegen::serde_json::Value,
                        p: &mut #rt::__codegen::Ptr,
                        e: &mut #rt::__codegen::Errors,
                    ) {
                        #body
                    }
                }
            }
        });
        quote! {
            /// Validators: one function per schema, checking a JSON value and collecting every
            /// violation with its JSON pointer.
            pub mod validate {
                #(#fns)*
            }
        }
    }

    /// Statements checking `v` (a `&Value` in scope, with `p` and `e`) against `node`.
    fn node(&self, node: &Node) -> TokenStream {
        let rt = &self.rt;
        let h = quote!(#rt::__codegen::validate);
        let mut out = TokenStream::new();

        out.extend(match &node.kind {
            NodeKind::Any => TokenStream::new(),
            NodeKind::Boolean => quote! {
                if !v.is_boolean() { #h::type_error(v, "boolean", p, e); }
            },
            NodeKind::String(rules) => {
                let mut checks = TokenStream::new();
                let format = str_format(rules.format.as_deref());
                if rules.min_length.is_some() || rules.max_length.is_some() || format.is_some() {
                    let min = opt_u64(rules.min_length);
                    let max = opt_u64(rules.max_length);
                    let format = format.unwrap_or("None");
                    let format = format_ident!("{}", format);
                    checks.extend(quote! {
                        #h::check_string(s, &#h::StrRules { min_length: #min, max_length: #max, format: #h::StrFormat::#format }, p, e);
                    });
                }
                if let Some(pattern) = &rules.pattern {
                    checks.extend(quote! {
                        static PATTERN: #h::Pattern = #h::Pattern::new(#pattern);
                        #h::check_pattern(s, &PATTERN, p, e);
                    });
                }
                let s = if checks.is_empty() { quote!(_) } else { quote!(s) };
                quote! {
                    match v {
                        #rt::__codegen::serde_json::Value::String(#s) => { #checks }
                        _ => #h::type_error(v, "string", p, e),
                    }
                }
            }
            NodeKind::Integer(rules) => {
                let rules = num_rules(&h, rules);
                quote! {
                    match v {
                        #rt::__codegen::serde_json::Value::Number(n) if #h::is_integer(v) => #h::check_number(n, &#rules, p, e),
                        _ => #h::type_error(v, "integer", p, e),
                    }
                }
            }
            NodeKind::Number(rules) => {
                let rules = num_rules(&h, rules);
                quote! {
                    match v {
                        #rt::__codegen::serde_json::Value::Number(n) => #h::check_number(n, &#rules, p, e),
                        _ => #h::type_error(v, "number", p, e),
                    }
                }
            }
            NodeKind::Array(rules) => {
                let min = opt_u64(rules.min_items);
                let max = opt_u64(rules.max_items);
                let unique = rules.unique_items;
                let items = rules
                    .items
                    .as_ref()
                    .map(|c| self.check(c))
                    .filter(|t| !t.is_empty())
                    .map(|check| {
                        quote! {
                            for (i, v) in items.iter().enumerate() {
                                let mark = p.push_index(i);
                                #check
                                p.truncate(mark);
                            }
                        }
                    });
                let counts = (rules.min_items.is_some() || rules.max_items.is_some() || unique).then(|| {
                    quote!(#h::check_array(items, #min, #max, #unique, p, e);)
                });
                let binding = if items.is_none() && counts.is_none() { quote!(_) } else { quote!(items) };
                quote! {
                    match v.as_array() {
                        ::std::option::Option::Some(#binding) => { #counts #items }
                        ::std::option::Option::None => #h::type_error(v, "array", p, e),
                    }
                }
            }
            NodeKind::Object(rules) => {
                let mut body = TokenStream::new();
                if !rules.required.is_empty() || rules.min_properties.is_some() || rules.max_properties.is_some() {
                    let required = &rules.required;
                    let min = opt_u64(rules.min_properties);
                    let max = opt_u64(rules.max_properties);
                    body.extend(quote!(#h::check_object(o, &[#(#required),*], #min, #max, p, e);));
                }
                for (name, check) in &rules.properties {
                    let check = self.check(check);
                    if !check.is_empty() {
                        body.extend(quote! {
                            if let ::std::option::Option::Some(v) = o.get(#name) {
                                let mark = p.push_key(#name);
                                #check
                                p.truncate(mark);
                            }
                        });
                    }
                }
                let known = rules.properties.iter().map(|(n, _)| n);
                match &rules.additional {
                    Additional::Allowed => {}
                    Additional::Denied => body.extend(quote! {
                        #h::deny_additional(o, &[#(#known),*], p, e);
                    }),
                    Additional::Schema(check) => {
                        let check = self.check(check);
                        if !check.is_empty() {
                            body.extend(quote! {
                                for (key, v) in o {
                                    if ![#(#known),*].contains(&key.as_str()) {
                                        let mark = p.push_key(key);
                                        #check
                                        p.truncate(mark);
                                    }
                                }
                            });
                        }
                    }
                }
                let binding = if body.is_empty() { quote!(_) } else { quote!(o) };
                quote! {
                    match v.as_object() {
                        ::std::option::Option::Some(#binding) => { #body }
                        ::std::option::Option::None => #h::type_error(v, "object", p, e),
                    }
                }
            }
        });

        if let Some(values) = &node.enum_values {
            if values.iter().all(|v| v.is_string()) {
                let strings = values.iter().filter_map(|v| v.as_str());
                out.extend(quote!(#h::check_enum_str(v, &[#(#strings),*], p, e);));
            } else {
                let json = serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
                out.extend(quote! {
                    {
                        static ENUM: ::std::sync::LazyLock<::std::vec::Vec<#rt::__codegen::serde_json::Value>> =
                            ::std::sync::LazyLock::new(|| #h::enum_values(#json));
                        #h::check_enum(v, &ENUM, p, e);
                    }
                });
            }
        }
        for check in &node.all_of {
            out.extend(self.check(check));
        }
        for (list, keyword) in [(&node.any_of, "anyOf"), (&node.one_of, "oneOf")] {
            if list.is_empty() {
                continue;
            }
            let branches = list.iter().map(|c| {
                let check = self.check(c);
                quote! {
                    {
                        #check
                        if e.len() == mark { matched += 1; }
                        e.truncate(mark);
                    }
                }
            });
            let verdict = if keyword == "anyOf" {
                quote!(if matched == 0 {
                    e.push(p, "anyOf", "does not match any of the allowed schemas");
                })
            } else {
                quote!(if matched != 1 { #h::one_of_error(matched, p, e); })
            };
            out.extend(quote! {
                {
                    let mark = e.len();
                    let mut matched = 0usize;
                    #(#branches)*
                    #verdict
                }
            });
        }
        if let Some(not) = &node.not {
            let check = self.check(not);
            out.extend(quote! {
                {
                    let mark = e.len();
                    #check
                    let failed = e.len() > mark;
                    e.truncate(mark);
                    if !failed { e.push(p, "not", "must not match the excluded schema"); }
                }
            });
        }
        if node.nullable && !out.is_empty() {
            out = quote! { if !v.is_null() { #out } };
        }
        out
    }

    fn check(&self, check: &Check) -> TokenStream {
        match check {
            Check::Ref(name) => {
                let name = format_ident!("{}", name);
                quote!(super::validate::#name(v, p, e);)
            }
            Check::Inline(node) => self.node(node),
        }
    }
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(n) => quote!(::std::option::Option::Some(#n)),
        None => quote!(::std::option::Option::None),
    }
}

fn opt_f64(v: Option<f64>) -> TokenStream {
    match v {
        Some(n) if n.is_finite() => quote!(::std::option::Option::Some(#n)),
        _ => quote!(::std::option::Option::None),
    }
}

fn num_rules(h: &TokenStream, rules: &NumberRules) -> TokenStream {
    let min = opt_f64(rules.minimum);
    let max = opt_f64(rules.maximum);
    let xmin = rules.exclusive_minimum;
    let xmax = rules.exclusive_maximum;
    let multiple = opt_f64(rules.multiple_of);
    let format = match rules.format.as_deref() {
        Some("int32") => quote!(Int32),
        Some("int64") => quote!(Int64),
        _ => quote!(None),
    };
    quote! {
        #h::NumRules {
            minimum: #min,
            exclusive_minimum: #xmin,
            maximum: #max,
            exclusive_maximum: #xmax,
            multiple_of: #multiple,
            format: #h::NumFormat::#format,
        }
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
