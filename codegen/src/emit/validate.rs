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

use proc_macro2::TokenStream;
use quote::quote;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use syn::{Expr, FieldValue, Item, Stmt};

use super::ast;
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
            items.extend(batch.iter().map(quote::ToTokens::to_token_stream));
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
    /// functions), handed to `sink` `batch` at a time as syntax trees (texts written
    /// directly stand in as placeholders), so that the whole module never exists at once.
    pub(crate) fn validate_items<E>(
        &self,
        batch: usize,
        mut sink: impl FnMut(Vec<Item>) -> Result<(), E>,
    ) -> Result<(), E> {
        let texts = self.texts.as_ref();
        let mut shared = Shared {
            texts,
            ..Shared::default()
        };
        // A validator whose schema equals an earlier one's is a re-export of it.
        let mut by_body: HashMap<String, String> = HashMap::default();
        let mut fns = Vec::with_capacity(batch.min(self.api.validators.len()));
        for (name, node) in &self.api.validators {
            if fns.len() >= batch {
                sink(std::mem::take(&mut fns))?;
            }
            let Some(body) = node_body(node, &mut shared) else {
                let any = ast::semi(ast::call_path(
                    "__tg::validate::any",
                    vec![
                        ast::path_expr("c"),
                        ast::path_expr("p"),
                        ast::path_expr("e"),
                    ],
                ));
                fns.push(validator_fn(texts, true, name, vec![any]));
                continue;
            };
            let key = schema_key(node);
            if let Some(first) = by_body.get(&key) {
                // A second name for the same function: nothing more to compile.
                fns.push(Texts::or_tree(
                    texts,
                    || Some(text::reexport(VALIDATE_DEPTH, first, name)),
                    || ast::reexport(first, name),
                ));
                continue;
            }
            by_body.insert(key, name.clone());
            fns.push(validator_fn(texts, true, name, body));
        }
        if !fns.is_empty() {
            sink(fns)?;
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
/// when it can be written directly (see [`text::validator_fn`]), else its syntax tree.
fn validator_fn(texts: Option<&Texts>, public: bool, name: &str, body: Vec<Stmt>) -> Item {
    let direct = || {
        let (nullable, call) = text::validator_body(&body)?;
        text::validator_fn(VALIDATE_DEPTH, public, name, nullable, &call)
    };
    match texts.and_then(|texts| Some((texts, direct()?))) {
        Some((texts, text)) => texts.placeholder_item(text),
        None => {
            let args = vec![
                ast::arg(
                    "c",
                    ast::ty_ref(
                        true,
                        ast::ty_with("__tg::Cursor", vec![ast::ga_lifetime("'_")]),
                    ),
                ),
                ast::arg(
                    "p",
                    ast::ty_ref(
                        false,
                        ast::ty_with("__tg::Ptr", vec![ast::ga_lifetime("'_")]),
                    ),
                ),
                ast::arg("e", ast::ty_ref(true, ast::ty("__tg::Errors"))),
            ];
            ast::item_fn(Vec::new(), public, ast::signature(name, args, None), body)
        }
    }
}

/// Inline sub-schema checks hoisted into private functions, one per distinct schema, in
/// order of first use.
#[derive(Default)]
struct Shared<'t> {
    by_schema: HashMap<String, String>,
    names: HashSet<String>,
    fns: Vec<Item>,
    /// Where functions written as text go (see [`text`]).
    texts: Option<&'t Texts>,
}

impl Shared<'_> {
    /// The function checking `node` (created on first use, with the body `body` makes).
    ///
    /// Keyed and named by the schema node's text ([`schema_key`]; its FNV-1a hash for the
    /// name), not by the body's tokens: token text differs inside a procedural macro, and
    /// the three entry points must write the same bytes. A name stays the same when
    /// unrelated schemas change.
    fn function(
        &mut self,
        node: &Node,
        body: impl FnOnce(&mut Self) -> Option<Vec<Stmt>>,
    ) -> Option<String> {
        let key = schema_key(node);
        if let Some(name) = self.by_schema.get(&key) {
            return Some(name.clone());
        }
        let body = body(self)?;
        let mut hash = fnv1a(key.as_bytes());
        let name = loop {
            let candidate = format!("__check_{hash:016x}");
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

/// The text identifying a schema node's validator: the node as JSON, every field
/// included (serde_json writes it several times faster than `Debug`, and validators are
/// keyed by it once per schema and sub-schema). Nodes with equal texts get the same
/// function: JSON writes a non-finite bound like an absent one and a `null` example like
/// no example, and the validator reads neither, so their bodies are the same.
fn schema_key(node: &Node) -> String {
    // Cannot fail (no map has non-string keys); `Debug` is as exact, only slower.
    serde_json::to_string(node).unwrap_or_else(|_| format!("{node:?}"))
}

/// 64-bit FNV-1a: a stable hash (the standard library's may change between releases, and
/// generated names must not).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `Some(value)` (the module imports `Some` and `None`).
fn some(value: Expr) -> Expr {
    ast::call_path("Some", vec![value])
}

/// `None`.
fn none() -> Expr {
    ast::path_expr("None")
}

/// `c, p, e`, the arguments every walk takes first.
fn cpe() -> Vec<Expr> {
    vec![
        ast::path_expr("c"),
        ast::path_expr("p"),
        ast::path_expr("e"),
    ]
}

/// `field: value`.
fn named(field: &str, value: Expr) -> FieldValue {
    ast::field_value(field, Some(value))
}

/// `Path { fields…, ..Path::NONE }`: a table of keywords, the rest at their defaults.
fn table(path: &str, fields: Vec<FieldValue>) -> Expr {
    ast::struct_rest(path, fields, ast::path_expr(&format!("{path}::NONE")))
}

/// `static <name>: <ty> = <value>;` inside a function.
fn local_static(name: &str, ty: &str, value: Expr) -> Stmt {
    Stmt::Item(ast::item_static_private(name, ast::ty(ty), value))
}

/// The body of the validator of `node` (with `c`, `p` and `e` in scope): its keywords as a
/// constant [`Rules`](tollgate's `__codegen::validate::Rules`) table handed to the
/// runtime's `node`. `None` when the node checks nothing.
fn node_body(node: &Node, shared: &mut Shared) -> Option<Vec<Stmt>> {
    if let Some(call) = shape_call(node, shared) {
        return Some(call);
    }
    let mut statics = Vec::new();
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
        fields.push(named("ty", ast::path_expr(&format!("Type::{ty}"))));
    }
    if let Some(rules) = string.and_then(|r| string_rules(r, &mut statics)) {
        fields.push(named("string", rules));
    }
    if let Some(rules) = number.and_then(number_rules) {
        fields.push(named("number", rules));
    }
    if let Some(rules) = array.and_then(|r| array_rules(r, shared)) {
        fields.push(named("array", rules));
    }
    if let Some(rules) = object.and_then(|r| object_rules(r, shared)) {
        fields.push(named("object", rules));
    }
    if let Some(values) = &node.enum_values {
        if values.iter().all(|v| v.is_string()) {
            let strings = values
                .iter()
                .filter_map(|v| v.as_str())
                .map(ast::string)
                .collect();
            fields.push(named("enum_str", some(ast::reference(ast::array(strings)))));
        } else {
            let json = serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
            // Rare (an `enum` of non-strings): parsed rather than built.
            statics.push(syn::parse_quote! {
                static ENUM: ::std::sync::LazyLock<::std::vec::Vec<__tg::serde_json::Value>> =
                    ::std::sync::LazyLock::new(|| __tg::validate::enum_values(#json));
            });
            fields.push(named(
                "enum_values",
                some(ast::reference(ast::path_expr("ENUM"))),
            ));
        }
    }
    if let Some(compose) = compose_rules(node, shared) {
        fields.push(named("compose", some(ast::reference(compose))));
    }
    if fields.is_empty() {
        return None;
    }
    if node.nullable {
        fields.push(named("nullable", ast::boolean(true)));
    }
    statics.push(local_static("RULES", "Rules", table("Rules", fields)));
    let mut args = cpe();
    args.push(ast::reference(ast::path_expr("RULES")));
    statics.push(ast::semi(ast::call_path("__tg::validate::node", args)));
    Some(statics)
}

/// The call of the runtime's walk for a typed schema with only its type's keywords (and,
/// for a string, maybe an `enum` of strings): the keywords as arguments, no table. `None`
/// for any other schema.
fn shape_call(node: &Node, shared: &mut Shared) -> Option<Vec<Stmt>> {
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
    let mut stmts = match (&node.kind, composed) {
        (NodeKind::Any, true) if node.untyped.is_none() && strings.is_none() => {
            let rules = compose_rules(node, shared)?;
            let mut args = cpe();
            args.push(ast::reference(rules));
            vec![ast::semi(ast::call_path("__tg::validate::composed", args))]
        }
        (NodeKind::String(_), false) if node.untyped.is_none() => {
            typed_call(node, strings, shared)?
        }
        (_, false) if node.untyped.is_none() && strings.is_none() => {
            typed_call(node, None, shared)?
        }
        _ => return None,
    };
    if node.nullable {
        stmts.insert(0, null_check());
    }
    Some(stmts)
}

/// `if __tg::validate::null(c) { return; }`.
fn null_check() -> Stmt {
    ast::tail(ast::if_then(
        ast::call_path("__tg::validate::null", vec![ast::path_expr("c")]),
        vec![ast::semi(ast::return_())],
    ))
}

/// [`shape_call`] for a typed schema: the walk of its type, its keywords as arguments.
fn typed_call(node: &Node, strings: Option<Vec<&str>>, shared: &mut Shared) -> Option<Vec<Stmt>> {
    let u64_arg = |v: Option<u64>| v.map_or_else(none, |v| some(ast::value(v)));
    let mut stmts = Vec::new();
    let call = match &node.kind {
        NodeKind::String(r) => {
            let format = str_format(r.format.as_deref()).unwrap_or("None");
            let pattern = match &r.pattern {
                Some(pattern) => {
                    stmts.push(pattern_static(pattern));
                    some(ast::reference(ast::path_expr("PATTERN")))
                }
                None => none(),
            };
            let allowed = strings.map_or_else(none, |s| {
                some(ast::reference(ast::array(
                    s.into_iter().map(ast::string).collect(),
                )))
            });
            let mut args = cpe();
            args.extend([
                u64_arg(r.min_length),
                u64_arg(r.max_length),
                ast::path_expr(&format!("StrFormat::{format}")),
                pattern,
                allowed,
            ]);
            ast::call_path("__tg::validate::string", args)
        }
        NodeKind::Integer(r) | NodeKind::Number(r) => {
            let integer = matches!(node.kind, NodeKind::Integer(_));
            let bound = |v: Option<f64>, exclusive: bool| {
                v.filter(|v| v.is_finite()).map_or_else(none, |v| {
                    some(ast::tuple(vec![ast::value(v), ast::boolean(exclusive)]))
                })
            };
            let multiple = r
                .multiple_of
                .filter(|m| m.is_finite())
                .map_or_else(none, |m| some(ast::value(m)));
            let format = match r.format.as_deref() {
                Some("int32") => "Int32",
                Some("int64") => "Int64",
                _ => "None",
            };
            let mut args = cpe();
            args.extend([
                ast::boolean(integer),
                bound(r.minimum, r.exclusive_minimum),
                bound(r.maximum, r.exclusive_maximum),
                multiple,
                ast::path_expr(&format!("NumFormat::{format}")),
            ]);
            ast::call_path("__tg::validate::number", args)
        }
        NodeKind::Array(r) => {
            let items = r
                .items
                .as_deref()
                .and_then(|c| check_fn(c, shared))
                .map_or_else(none, some);
            let mut args = cpe();
            args.extend([
                items,
                u64_arg(r.min_items),
                u64_arg(r.max_items),
                ast::boolean(r.unique_items),
            ]);
            ast::call_path("__tg::validate::array", args)
        }
        NodeKind::Object(r) => {
            let rules =
                object_rules(r, shared).unwrap_or_else(|| ast::path_expr("ObjectRules::NONE"));
            let mut args = cpe();
            args.push(ast::reference(rules));
            ast::call_path("__tg::validate::object", args)
        }
        NodeKind::Any | NodeKind::Boolean => return None,
    };
    stmts.push(ast::semi(call));
    Some(stmts)
}

/// `static PATTERN: __tg::Pattern = __tg::Pattern::new("…");`.
fn pattern_static(pattern: &str) -> Stmt {
    local_static(
        "PATTERN",
        "__tg::Pattern",
        ast::call_path("__tg::Pattern::new", vec![ast::string(pattern)]),
    )
}

/// A `Compose` literal for `allOf`, `discriminator`, `anyOf`, `oneOf` and `not` (`None`
/// when the node has none that checks anything).
fn compose_rules(node: &Node, shared: &mut Shared) -> Option<Expr> {
    let mut fields = Vec::new();
    let all_of: Vec<Expr> = node
        .all_of
        .iter()
        .filter_map(|c| check_fn(c, shared))
        .collect();
    if !all_of.is_empty() {
        fields.push(named("all_of", ast::reference(ast::array(all_of))));
    }
    if let Some(d) = &node.discriminator {
        let entries = d
            .mapping
            .iter()
            .map(|(value, check)| ast::tuple(vec![ast::string(value), check_or_any(check, shared)]))
            .collect();
        fields.push(named(
            "discriminator",
            some(ast::tuple(vec![
                ast::string(&d.property),
                ast::reference(ast::array(entries)),
            ])),
        ));
    } else {
        for (list, field) in [(&node.any_of, "any_of"), (&node.one_of, "one_of")] {
            if list.is_empty() {
                continue;
            }
            let branches = list.iter().map(|c| check_or_any(c, shared)).collect();
            fields.push(named(field, ast::reference(ast::array(branches))));
        }
    }
    if let Some(not) = &node.not {
        fields.push(named("not", some(check_or_any(not, shared))));
    }
    (!fields.is_empty()).then(|| table("Compose", fields))
}

/// A function-pointer expression validating `check`, or `None` when it checks nothing. A
/// bare type check is the runtime's helper itself; anything else a shared function.
fn check_fn(check: &Check, shared: &mut Shared) -> Option<Expr> {
    match check {
        Check::Ref(name) => Some(ast::path_expr(&format!("self::{name}"))),
        Check::Inline(node) => {
            if let Some(helper) = bare_type_check(node) {
                return Some(ast::path_expr(&format!("__tg::validate::{helper}")));
            }
            let name = shared.function(node, |shared| node_body(node, shared))?;
            Some(ast::path_expr(&format!("self::{name}")))
        }
    }
}

/// [`check_fn`], with the runtime's `any` for a check that checks nothing.
fn check_or_any(check: &Check, shared: &mut Shared) -> Expr {
    check_fn(check, shared).unwrap_or_else(|| ast::path_expr("__tg::validate::any"))
}

/// The type-check helper when `node` checks its type and nothing else.
fn bare_type_check(node: &Node) -> Option<&'static str> {
    let bare = Node {
        kind: node.kind.clone(),
        ..Node::default()
    };
    if *node != bare {
        return None;
    }
    Some(match &node.kind {
        NodeKind::String(r) if *r == StringRules::default() => "type_string",
        NodeKind::Integer(r) if *r == NumberRules::default() => "type_integer",
        NodeKind::Number(r) if *r == NumberRules::default() => "type_number",
        NodeKind::Boolean => "type_boolean",
        NodeKind::Object(r) if *r == ObjectRules::default() => "type_object",
        NodeKind::Array(r) if *r == ArrayRules::default() => "type_array",
        _ => return None,
    })
}

/// `field: Some(value)` for a table literal, when there is a value.
fn u64_field(field: &str, value: Option<u64>) -> Option<FieldValue> {
    value.map(|v| named(field, some(ast::value(v))))
}

/// A `StringRules` literal (`None` when it has no keyword); a pattern becomes the static
/// `PATTERN` in `statics`.
fn string_rules(rules: &StringRules, statics: &mut Vec<Stmt>) -> Option<Expr> {
    let mut fields = Vec::new();
    fields.extend(u64_field("min_length", rules.min_length));
    fields.extend(u64_field("max_length", rules.max_length));
    if let Some(format) = str_format(rules.format.as_deref()) {
        fields.push(named(
            "format",
            ast::path_expr(&format!("StrFormat::{format}")),
        ));
    }
    if let Some(pattern) = &rules.pattern {
        statics.push(pattern_static(pattern));
        fields.push(named(
            "pattern",
            some(ast::reference(ast::path_expr("PATTERN"))),
        ));
    }
    (!fields.is_empty()).then(|| table("StringRules", fields))
}

fn number_rules(rules: &NumberRules) -> Option<Expr> {
    let mut fields = Vec::new();
    if let Some(min) = rules.minimum.filter(|m| m.is_finite()) {
        let bound = ast::tuple(vec![ast::value(min), ast::boolean(rules.exclusive_minimum)]);
        fields.push(named("minimum", some(bound)));
    }
    if let Some(max) = rules.maximum.filter(|m| m.is_finite()) {
        let bound = ast::tuple(vec![ast::value(max), ast::boolean(rules.exclusive_maximum)]);
        fields.push(named("maximum", some(bound)));
    }
    if let Some(m) = rules.multiple_of.filter(|m| m.is_finite()) {
        fields.push(named("multiple_of", some(ast::value(m))));
    }
    match rules.format.as_deref() {
        Some("int32") => fields.push(named("format", ast::path_expr("NumFormat::Int32"))),
        Some("int64") => fields.push(named("format", ast::path_expr("NumFormat::Int64"))),
        _ => {}
    }
    (!fields.is_empty()).then(|| table("NumberRules", fields))
}

fn array_rules(rules: &ArrayRules, shared: &mut Shared) -> Option<Expr> {
    let mut fields = Vec::new();
    if let Some(f) = rules.items.as_deref().and_then(|c| check_fn(c, shared)) {
        fields.push(named("items", some(f)));
    }
    fields.extend(u64_field("min_items", rules.min_items));
    fields.extend(u64_field("max_items", rules.max_items));
    if rules.unique_items {
        fields.push(named("unique", ast::boolean(true)));
    }
    (!fields.is_empty()).then(|| table("ArrayRules", fields))
}

/// The runtime's `validate::SCANNED_PROPERTIES`: larger property tables are sorted.
const SCANNED_PROPERTIES: usize = 16;

/// An `ObjectRules` literal. Its `properties` table holds every name `properties` and the
/// `required` lists mention, each with its check and what the schema says of it: in the
/// spec's order, sorted bytewise when there are more than [`SCANNED_PROPERTIES`].
fn object_rules(rules: &ObjectRules, shared: &mut Shared) -> Option<Expr> {
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
    let mut table_rows: Vec<(&str, Expr, &str)> = Vec::new();
    for (name, check) in &rules.properties {
        if table_rows.iter().any(|(n, _, _)| *n == name) {
            continue;
        }
        table_rows.push((name, check_or_any(check, shared), member(name)));
    }
    for name in rules
        .required
        .iter()
        .chain(&rules.required_read_only)
        .chain(&rules.required_write_only)
    {
        if !table_rows.iter().any(|(n, _, _)| *n == name) {
            table_rows.push((name, ast::path_expr("__tg::validate::any"), "Undeclared"));
        }
    }
    // The runtime scans small tables in this order (the spec's, as most bodies list their
    // members) and searches larger ones by halves.
    if table_rows.len() > SCANNED_PROPERTIES {
        table_rows.sort_by(|a, b| a.0.cmp(b.0));
    }
    let mut fields = Vec::new();
    if !table_rows.is_empty() {
        let entries = table_rows
            .into_iter()
            .map(|(name, check, member)| {
                ast::tuple(vec![
                    ast::string(name),
                    check,
                    ast::path_expr(&format!("Member::{member}")),
                ])
            })
            .collect();
        fields.push(named("properties", ast::reference(ast::array(entries))));
    }
    for (names, field) in [
        (&rules.required, "required"),
        (&rules.required_write_only, "required_in_requests"),
        (&rules.required_read_only, "required_in_responses"),
    ] {
        if !names.is_empty() {
            let names = names.iter().map(|n| ast::string(n)).collect();
            fields.push(named(field, ast::reference(ast::array(names))));
        }
    }
    match &rules.additional {
        Additional::Allowed => {}
        Additional::Denied => {
            fields.push(named("additional", ast::path_expr("Additional::Denied")));
        }
        Additional::Schema(check) => {
            if let Some(f) = check_fn(check, shared) {
                fields.push(named(
                    "additional",
                    ast::call_path("Additional::Schema", vec![f]),
                ));
            }
        }
    }
    fields.extend(u64_field("min_properties", rules.min_properties));
    fields.extend(u64_field("max_properties", rules.max_properties));
    (!fields.is_empty()).then(|| table("ObjectRules", fields))
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
