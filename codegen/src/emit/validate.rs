//! The `validate` module: one function per validator of the IR, reading a JSON value.
//!
//! Every function has the signature `fn(&mut Cursor, &Ptr, &mut Errors)`: it reads one
//! value from the request's JSON text (the runtime's `__codegen::scan::Cursor`, no tree is
//! built) and carries a lazy JSON pointer. Its body hands the schema's keywords to a
//! runtime walk: for a typed schema with only its type's keywords (the common case) the
//! walk of that type with the keywords as arguments (`string`, `number`, `array`, `object`);
//! for anything else (`nullable` with composition, untyped keywords, non-string `enum`s) a
//! constant `Rules` table and the general `node`. Sub-schemas are passed as function
//! pointers: a named validator, a runtime type check, or a shared function for an inline
//! schema. Inline schemas are hoisted into one private function per distinct schema (named
//! by a hash of it), because real specs repeat the same inline schema in many places
//! (Stripe's request bodies repeat `metadata`, addresses and string limits hundreds of
//! times): each distinct check is compiled once, however often it is used.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::text::{self, Texts};
use super::Emitter;
use crate::ir::{
    Additional, ArrayRules, Check, Node, NodeKind, NumberRules, ObjectRules, StringRules,
};

impl Emitter<'_> {
    /// The whole `validate` module.
    #[cfg(test)]
    pub(crate) fn validate_module(&self) -> TokenStream {
        let mut items = TokenStream::new();
        self.validate_items(usize::MAX, |batch| {
            items.extend(batch);
            Ok(())
        })
        .unwrap_or_else(|never: std::convert::Infallible| match never {});
        self.validate_module_of(items)
    }

    /// The `validate` module holding `items` (formatting takes the module's frame from it
    /// without items, and the items a batch at a time: see `emit::render`).
    pub(crate) fn validate_module_of(&self, items: TokenStream) -> TokenStream {
        let rt = &self.rt;
        quote! {
            /// Validators: one function per schema, reading a JSON value and collecting every
            /// violation with its JSON pointer.
            pub mod validate {
                #[allow(unused_imports)]
                use #rt::__codegen as __tg;
                #[allow(unused_imports)]
                use #rt::__codegen::validate::{
                    Additional, ArrayRules, Compose, Member, NumFormat, NumberRules, ObjectRules,
                    Rules, StrFormat, StringRules, Type,
                };
                #[allow(unused_imports)]
                use ::std::option::Option::{None, Some};
                #items
            }
        }
    }

    /// The items of the `validate` module in order (the validators, then the shared
    /// functions), handed to `sink` `batch` at a time, so that the tokens of the whole
    /// module never exist at once.
    pub(crate) fn validate_items<E>(
        &self,
        batch: usize,
        mut sink: impl FnMut(TokenStream) -> Result<(), E>,
    ) -> Result<(), E> {
        let texts = self.texts.as_ref();
        let mut shared = Shared {
            texts,
            ..Shared::default()
        };
        // A validator whose schema equals an earlier one's is a re-export of it.
        let mut by_body: HashMap<String, Ident> = HashMap::default();
        let mut fns = Vec::with_capacity(batch.min(self.api.validators.len()));
        for (name, node) in &self.api.validators {
            if fns.len() >= batch {
                sink(std::mem::take(&mut fns).into_iter().collect())?;
            }
            let name = format_ident!("{}", name);
            let Some(body) = node_body(node, &mut shared) else {
                fns.push(validator_fn(
                    texts,
                    true,
                    &name,
                    quote!(__tg::validate::any(c, p, e);),
                ));
                continue;
            };
            let key = format!("{node:?}");
            if let Some(first) = by_body.get(&key) {
                // A second name for the same function: nothing more to compile.
                fns.push(Texts::or_tokens(
                    texts,
                    || {
                        Some(text::reexport(
                            VALIDATE_DEPTH,
                            &first.to_string(),
                            &name.to_string(),
                        ))
                    },
                    || quote!(pub use self::#first as #name;),
                ));
                continue;
            }
            by_body.insert(key, name.clone());
            fns.push(validator_fn(texts, true, &name, body));
        }
        if !fns.is_empty() {
            sink(fns.into_iter().collect())?;
        }
        let mut shared = shared.fns.into_iter().peekable();
        while shared.peek().is_some() {
            sink(shared.by_ref().take(batch).collect())?;
        }
        Ok(())
    }
}

/// How deep the `validate` module's items are: inside the wrapper module and `validate`.
const VALIDATE_DEPTH: usize = 2;

/// A validator function `fn <name>(c, p, e) { <body> }` (`pub` when `public`): its text
/// when it can be written directly (see [`text::validator_fn`]), else its tokens.
fn validator_fn(
    texts: Option<&Texts>,
    public: bool,
    name: &Ident,
    body: TokenStream,
) -> TokenStream {
    Texts::or_tokens(
        texts,
        || text::validator_fn(VALIDATE_DEPTH, public, &name.to_string(), &body),
        || {
            let visibility = public.then(|| quote!(pub));
            quote! {
                #visibility fn #name(c: &mut __tg::Cursor<'_>, p: &__tg::Ptr<'_>, e: &mut __tg::Errors) {
                    #body
                }
            }
        },
    )
}

/// Inline sub-schema checks hoisted into private functions, one per distinct schema, in
/// order of first use.
#[derive(Default)]
struct Shared<'t> {
    by_schema: HashMap<String, Ident>,
    names: HashSet<Ident>,
    fns: Vec<TokenStream>,
    /// Where functions written as text go (see [`text`]).
    texts: Option<&'t Texts>,
}

impl Shared<'_> {
    /// The function checking `node` (created on first use, with the body `body` makes).
    ///
    /// Keyed and named by the schema node's `Debug` text (its FNV-1a hash for the name), not
    /// by the body's tokens: token text differs inside a procedural macro, and the three
    /// entry points must write the same bytes. A name stays the same when unrelated schemas
    /// change.
    fn function(
        &mut self,
        node: &Node,
        body: impl FnOnce(&mut Self) -> Option<TokenStream>,
    ) -> Option<Ident> {
        let key = format!("{node:?}");
        if let Some(name) = self.by_schema.get(&key) {
            return Some(name.clone());
        }
        let body = body(self)?;
        let mut hash = fnv1a(key.as_bytes());
        let name = loop {
            let candidate = format_ident!("__check_{:016x}", hash);
            if !self.names.contains(&candidate) {
                break candidate;
            }
            hash = hash.wrapping_add(1);
        };
        self.fns.push(validator_fn(self.texts, false, &name, body));
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

/// The body of the validator of `node` (with `c`, `p` and `e` in scope): its keywords as a
/// constant [`Rules`](tollgate's `__codegen::validate::Rules`) table handed to the
/// runtime's `node`. `None` when the node checks nothing.
fn node_body(node: &Node, shared: &mut Shared) -> Option<TokenStream> {
    if let Some(call) = shape_call(node, shared) {
        return Some(call);
    }
    let k = quote!(__tg::validate);
    let mut statics = TokenStream::new();
    let mut fields = Vec::new();
    let untyped = node.untyped.as_deref();
    let (ty, string, number, array, object) = match &node.kind {
        NodeKind::Any => (
            None,
            untyped.map(|u| &u.string),
            untyped.map(|u| &u.number),
            untyped.map(|u| &u.array),
            untyped.map(|u| &u.object),
        ),
        NodeKind::String(r) => (Some("String"), Some(r), None, None, None),
        NodeKind::Integer(r) => (Some("Integer"), None, Some(r), None, None),
        NodeKind::Number(r) => (Some("Number"), None, Some(r), None, None),
        NodeKind::Boolean => (Some("Boolean"), None, None, None, None),
        NodeKind::Array(r) => (Some("Array"), None, None, Some(r), None),
        NodeKind::Object(r) => (Some("Object"), None, None, None, Some(r)),
    };
    if let Some(ty) = ty {
        let ty = format_ident!("{}", ty);
        fields.push(quote!(ty: Type::#ty));
    }
    if let Some(rules) = string.and_then(|r| string_rules(r, &mut statics)) {
        fields.push(quote!(string: #rules));
    }
    if let Some(rules) = number.and_then(number_rules) {
        fields.push(quote!(number: #rules));
    }
    if let Some(rules) = array.and_then(|r| array_rules(r, shared)) {
        fields.push(quote!(array: #rules));
    }
    if let Some(rules) = object.and_then(|r| object_rules(r, shared)) {
        fields.push(quote!(object: #rules));
    }
    if let Some(values) = &node.enum_values {
        if values.iter().all(|v| v.is_string()) {
            let strings = values.iter().filter_map(|v| v.as_str());
            fields.push(quote!(enum_str: Some(&[#(#strings),*])));
        } else {
            let json = serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
            statics.extend(quote! {
                static ENUM: ::std::sync::LazyLock<::std::vec::Vec<__tg::serde_json::Value>> =
                    ::std::sync::LazyLock::new(|| #k::enum_values(#json));
            });
            fields.push(quote!(enum_values: Some(&ENUM)));
        }
    }
    let compose = compose_rules(node, shared);
    if let Some(compose) = compose {
        fields.push(quote!(compose: Some(&#compose)));
    }
    if fields.is_empty() {
        return None;
    }
    if node.nullable {
        fields.push(quote!(nullable: true));
    }
    Some(quote! {
        #statics
        static RULES: Rules = Rules { #(#fields,)* ..Rules::NONE };
        #k::node(c, p, e, &RULES);
    })
}

/// The call of the runtime's walk for a typed schema with only its type's keywords (and,
/// for a string, maybe an `enum` of strings): the keywords as arguments, no table. `None`
/// for any other schema.
fn shape_call(node: &Node, shared: &mut Shared) -> Option<TokenStream> {
    let k = quote!(__tg::validate);
    let composed = !node.all_of.is_empty()
        || !node.any_of.is_empty()
        || !node.one_of.is_empty()
        || node.not.is_some()
        || node.discriminator.is_some();
    // With `nullable`, `null` passes before `enum` is looked at: a `null` among the values
    // changes nothing.
    let strings = match &node.enum_values {
        None => None,
        Some(values)
            if values
                .iter()
                .all(|v| v.is_string() || (node.nullable && v.is_null())) =>
        {
            Some(values.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>())
        }
        Some(_) => return None,
    };
    let call = match (&node.kind, composed) {
        (NodeKind::Any, true) if node.untyped.is_none() && strings.is_none() => {
            let rules = compose_rules(node, shared)?;
            quote!(#k::composed(c, p, e, &#rules);)
        }
        (NodeKind::String(_), false) if node.untyped.is_none() => {
            typed_call(node, strings, shared)?
        }
        (_, false) if node.untyped.is_none() && strings.is_none() => {
            typed_call(node, None, shared)?
        }
        _ => return None,
    };
    Some(if node.nullable {
        quote! {
            if #k::null(c) {
                return;
            }
            #call
        }
    } else {
        call
    })
}

/// [`shape_call`] for a typed schema: the walk of its type, its keywords as arguments.
fn typed_call(node: &Node, strings: Option<Vec<&str>>, shared: &mut Shared) -> Option<TokenStream> {
    let k = quote!(__tg::validate);
    let none = quote!(None);
    let some = |t: TokenStream| quote!(Some(#t));
    let u64_arg = |v: Option<u64>| v.map_or(none.clone(), |v| some(quote!(#v)));
    Some(match &node.kind {
        NodeKind::String(r) => {
            let (min, max) = (u64_arg(r.min_length), u64_arg(r.max_length));
            let format = format_ident!("{}", str_format(r.format.as_deref()).unwrap_or("None"));
            let (pattern_static, pattern) = match &r.pattern {
                Some(pattern) => (
                    quote!(static PATTERN: __tg::Pattern = __tg::Pattern::new(#pattern);),
                    some(quote!(&PATTERN)),
                ),
                None => (TokenStream::new(), none.clone()),
            };
            let allowed = strings.map_or(none.clone(), |s| some(quote!(&[#(#s),*])));
            quote! {
                #pattern_static
                #k::string(c, p, e, #min, #max, StrFormat::#format, #pattern, #allowed);
            }
        }
        NodeKind::Integer(r) | NodeKind::Number(r) => {
            let integer = matches!(node.kind, NodeKind::Integer(_));
            let bound = |v: Option<f64>, exclusive: bool| {
                v.filter(|v| v.is_finite())
                    .map_or(none.clone(), |v| some(quote!((#v, #exclusive))))
            };
            let min = bound(r.minimum, r.exclusive_minimum);
            let max = bound(r.maximum, r.exclusive_maximum);
            let multiple = r
                .multiple_of
                .filter(|m| m.is_finite())
                .map_or(none.clone(), |m| some(quote!(#m)));
            let format = format_ident!(
                "{}",
                match r.format.as_deref() {
                    Some("int32") => "Int32",
                    Some("int64") => "Int64",
                    _ => "None",
                }
            );
            quote!(#k::number(c, p, e, #integer, #min, #max, #multiple, NumFormat::#format);)
        }
        NodeKind::Array(r) => {
            let items = match r.items.as_deref().and_then(|c| check_fn(c, shared)) {
                Some(f) => some(f),
                None => none.clone(),
            };
            let (min, max) = (u64_arg(r.min_items), u64_arg(r.max_items));
            let unique = r.unique_items;
            quote!(#k::array(c, p, e, #items, #min, #max, #unique);)
        }
        NodeKind::Object(r) => {
            let rules = object_rules(r, shared).unwrap_or_else(|| quote!(ObjectRules::NONE));
            quote!(#k::object(c, p, e, &#rules);)
        }
        NodeKind::Any | NodeKind::Boolean => return None,
    })
}

/// A `Compose` literal for `allOf`, `discriminator`, `anyOf`, `oneOf` and `not` (`None`
/// when the node has none that checks anything).
fn compose_rules(node: &Node, shared: &mut Shared) -> Option<TokenStream> {
    let mut fields = Vec::new();
    let all_of: Vec<_> = node
        .all_of
        .iter()
        .filter_map(|c| check_fn(c, shared))
        .collect();
    if !all_of.is_empty() {
        fields.push(quote!(all_of: &[#(#all_of),*]));
    }
    if let Some(d) = &node.discriminator {
        let property = &d.property;
        let entries = d.mapping.iter().map(|(value, check)| {
            let f = check_or_any(check, shared);
            quote!((#value, #f))
        });
        fields.push(quote!(
            discriminator: Some((#property, &[#(#entries),*]))
        ));
    } else {
        for (list, field) in [
            (&node.any_of, quote!(any_of)),
            (&node.one_of, quote!(one_of)),
        ] {
            if list.is_empty() {
                continue;
            }
            let branches = list.iter().map(|c| check_or_any(c, shared));
            fields.push(quote!(#field: &[#(#branches),*]));
        }
    }
    if let Some(not) = &node.not {
        let f = check_or_any(not, shared);
        fields.push(quote!(not: Some(#f)));
    }
    (!fields.is_empty()).then(|| quote!(Compose { #(#fields,)* ..Compose::NONE }))
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

/// [`check_fn`], with the runtime's `any` for a check that checks nothing.
fn check_or_any(check: &Check, shared: &mut Shared) -> TokenStream {
    check_fn(check, shared).unwrap_or_else(|| quote!(__tg::validate::any))
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

/// `field: Some(value)` for a table literal, when there is a value.
fn u64_field(field: TokenStream, value: Option<u64>) -> Option<TokenStream> {
    value.map(|v| quote!(#field: Some(#v)))
}

/// A `StringRules` literal (`None` when it has no keyword); a pattern becomes the static
/// `PATTERN` in `statics`.
fn string_rules(rules: &StringRules, statics: &mut TokenStream) -> Option<TokenStream> {
    let mut fields = Vec::new();
    fields.extend(u64_field(quote!(min_length), rules.min_length));
    fields.extend(u64_field(quote!(max_length), rules.max_length));
    if let Some(format) = str_format(rules.format.as_deref()) {
        let format = format_ident!("{}", format);
        fields.push(quote!(format: StrFormat::#format));
    }
    if let Some(pattern) = &rules.pattern {
        statics.extend(quote!(static PATTERN: __tg::Pattern = __tg::Pattern::new(#pattern);));
        fields.push(quote!(pattern: Some(&PATTERN)));
    }
    (!fields.is_empty()).then(|| quote!(StringRules { #(#fields,)* ..StringRules::NONE }))
}

fn number_rules(rules: &NumberRules) -> Option<TokenStream> {
    let mut fields = Vec::new();
    if let Some(min) = rules.minimum.filter(|m| m.is_finite()) {
        let exclusive = rules.exclusive_minimum;
        fields.push(quote!(minimum: Some((#min, #exclusive))));
    }
    if let Some(max) = rules.maximum.filter(|m| m.is_finite()) {
        let exclusive = rules.exclusive_maximum;
        fields.push(quote!(maximum: Some((#max, #exclusive))));
    }
    if let Some(m) = rules.multiple_of.filter(|m| m.is_finite()) {
        fields.push(quote!(multiple_of: Some(#m)));
    }
    match rules.format.as_deref() {
        Some("int32") => fields.push(quote!(format: NumFormat::Int32)),
        Some("int64") => fields.push(quote!(format: NumFormat::Int64)),
        _ => {}
    }
    (!fields.is_empty()).then(|| quote!(NumberRules { #(#fields,)* ..NumberRules::NONE }))
}

fn array_rules(rules: &ArrayRules, shared: &mut Shared) -> Option<TokenStream> {
    let mut fields = Vec::new();
    if let Some(f) = rules.items.as_deref().and_then(|c| check_fn(c, shared)) {
        fields.push(quote!(items: Some(#f)));
    }
    fields.extend(u64_field(quote!(min_items), rules.min_items));
    fields.extend(u64_field(quote!(max_items), rules.max_items));
    if rules.unique_items {
        fields.push(quote!(unique: true));
    }
    (!fields.is_empty()).then(|| quote!(ArrayRules { #(#fields,)* ..ArrayRules::NONE }))
}

/// The runtime's `validate::SCANNED_PROPERTIES`: larger property tables are sorted.
const SCANNED_PROPERTIES: usize = 16;

/// An `ObjectRules` literal. Its `properties` table holds every name `properties` and the
/// `required` lists mention, each with its check and what the schema says of it: in the
/// spec's order, sorted bytewise when there are more than [`SCANNED_PROPERTIES`].
fn object_rules(rules: &ObjectRules, shared: &mut Shared) -> Option<TokenStream> {
    let k = quote!(__tg::validate);
    let member = |name: &String| {
        if rules.required.contains(name) {
            "Required"
        } else if rules.required_write_only.contains(name) {
            "RequiredInRequests"
        } else if rules.required_read_only.contains(name) {
            "RequiredInResponses"
        } else {
            "Optional"
        }
    };
    let mut table: Vec<(&str, TokenStream, &str)> = Vec::new();
    for (name, check) in &rules.properties {
        if table.iter().any(|(n, _, _)| *n == name) {
            continue;
        }
        table.push((name, check_or_any(check, shared), member(name)));
    }
    for name in rules
        .required
        .iter()
        .chain(&rules.required_read_only)
        .chain(&rules.required_write_only)
    {
        if !table.iter().any(|(n, _, _)| *n == name) {
            table.push((name, quote!(#k::any), "Undeclared"));
        }
    }
    // The runtime scans small tables in this order (the spec's, as most bodies list their
    // members) and searches larger ones by halves.
    if table.len() > SCANNED_PROPERTIES {
        table.sort_by(|a, b| a.0.cmp(b.0));
    }
    let mut fields = Vec::new();
    if !table.is_empty() {
        let entries = table.iter().map(|(name, check, member)| {
            let member = format_ident!("{}", member);
            quote!((#name, #check, Member::#member))
        });
        fields.push(quote!(properties: &[#(#entries),*]));
    }
    for (names, field) in [
        (&rules.required, quote!(required)),
        (&rules.required_write_only, quote!(required_in_requests)),
        (&rules.required_read_only, quote!(required_in_responses)),
    ] {
        if !names.is_empty() {
            fields.push(quote!(#field: &[#(#names),*]));
        }
    }
    match &rules.additional {
        Additional::Allowed => {}
        Additional::Denied => fields.push(quote!(additional: Additional::Denied)),
        Additional::Schema(check) => {
            if let Some(f) = check_fn(check, shared) {
                fields.push(quote!(additional: Additional::Schema(#f)));
            }
        }
    }
    fields.extend(u64_field(quote!(min_properties), rules.min_properties));
    fields.extend(u64_field(quote!(max_properties), rules.max_properties));
    (!fields.is_empty()).then(|| quote!(ObjectRules { #(#fields,)* ..ObjectRules::NONE }))
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
