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

use proc_macro2::Literal;
use proc_macro2::TokenStream;
use quote::quote;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use syn::{Item, Stmt};

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
                let any = Body::Call {
                    nullable: false,
                    call: V::call("__tg::validate::any", cpe()),
                };
                fns.push(validator_fn(texts, true, name, any));
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

/// A validator's body: the `null` check (when `nullable`) and one call, which can be
/// written as text, or statements (statics, then the call) as syntax trees.
enum Body {
    Call { nullable: bool, call: V },
    Stmts(Vec<Stmt>),
}

impl Body {
    /// The body with the `null` check first.
    fn nullable(self) -> Self {
        match self {
            Self::Call { call, .. } => Self::Call {
                nullable: true,
                call,
            },
            Self::Stmts(mut stmts) => {
                stmts.insert(0, null_check());
                Self::Stmts(stmts)
            }
        }
    }

    /// The body as statements.
    fn stmts(self) -> Vec<Stmt> {
        match self {
            Self::Call { nullable, call } => {
                let mut stmts = Vec::with_capacity(2);
                if nullable {
                    stmts.push(null_check());
                }
                stmts.push(ast::semi(call.to_syn()));
                stmts
            }
            Self::Stmts(stmts) => stmts,
        }
    }
}

/// An expression of a validator, built once, then written as text (see
/// [`text::validator_fn`]) or, where that does not apply, as the syntax tree it stands for
/// (the one the `ast` builders make: the same text either way).
#[derive(Debug)]
enum V {
    /// A path.
    Path(String),
    /// A literal.
    Lit(Literal),
    /// `-` and a literal (a negative number).
    Negative(Literal),
    /// Tokens of another form (not made for the numbers the generator writes).
    Tokens(TokenStream),
    /// `true` or `false`.
    Bool(bool),
    /// `callee(args…)`.
    Call(&'static str, Vec<V>),
    /// `&expr`.
    Ref(Box<V>),
    /// `[items…]`.
    Array(Vec<V>),
    /// `(items…)`.
    Tuple(Vec<V>),
    /// `Path { fields…, ..Path::NONE }`: a table of keywords, the rest at their defaults.
    Table(&'static str, Vec<(&'static str, V)>),
}

impl V {
    fn path(path: impl Into<String>) -> Self {
        Self::Path(path.into())
    }

    fn call(callee: &'static str, args: Vec<V>) -> Self {
        Self::Call(callee, args)
    }

    fn string(text: &str) -> Self {
        Self::Lit(Literal::string(text))
    }

    /// A number as `quote` writes it (suffixed; a negative one as `-` and a literal).
    fn number(n: impl quote::ToTokens) -> Self {
        use proc_macro2::TokenTree;
        let tokens = n.into_token_stream();
        let mut trees = tokens.clone().into_iter();
        match (trees.next(), trees.next(), trees.next()) {
            (Some(TokenTree::Literal(literal)), None, None) => Self::Lit(literal),
            (Some(TokenTree::Punct(minus)), Some(TokenTree::Literal(literal)), None)
                if minus.as_char() == '-' =>
            {
                Self::Negative(literal)
            }
            _ => Self::Tokens(tokens),
        }
    }

    fn reference(self) -> Self {
        Self::Ref(Box::new(self))
    }

    /// The syntax tree.
    fn to_syn(&self) -> syn::Expr {
        let all = |items: &[V]| items.iter().map(V::to_syn).collect();
        match self {
            Self::Path(path) => ast::path_expr(path),
            Self::Lit(literal) => ast::lit_expr(literal.clone()),
            Self::Negative(literal) => syn::Expr::Unary(syn::ExprUnary {
                attrs: Vec::new(),
                op: syn::UnOp::Neg(Default::default()),
                expr: Box::new(ast::lit_expr(literal.clone())),
            }),
            Self::Tokens(tokens) => {
                syn::parse2(tokens.clone()).unwrap_or_else(|_| syn::Expr::Verbatim(tokens.clone()))
            }
            Self::Bool(value) => ast::boolean(*value),
            Self::Call(callee, args) => ast::call_path(callee, all(args)),
            Self::Ref(inner) => ast::reference(inner.to_syn()),
            Self::Array(items) => ast::array(all(items)),
            Self::Tuple(items) => ast::tuple(all(items)),
            Self::Table(path, fields) => ast::struct_rest(
                path,
                fields
                    .iter()
                    .map(|(field, value)| ast::field_value(field, Some(value.to_syn())))
                    .collect(),
                ast::path_expr(&format!("{path}::NONE")),
            ),
        }
    }

    /// The expression [`text`] lays out, `None` for one it does not model (a tuple of
    /// fewer than two items).
    fn to_text(&self) -> Option<text::Expr> {
        let all = |items: &[V]| items.iter().map(V::to_text).collect::<Option<Vec<_>>>();
        Some(match self {
            Self::Path(path) => text::Expr::Atom(path.clone()),
            Self::Lit(literal) => text::Expr::Atom(literal.to_string()),
            Self::Negative(literal) => text::Expr::Atom(format!("-{literal}")),
            Self::Tokens(_) => return None,
            Self::Bool(value) => text::Expr::Atom(value.to_string()),
            Self::Call(callee, args) => text::Expr::Call((*callee).to_owned(), all(args)?),
            Self::Ref(inner) => text::Expr::Ref(Box::new(inner.to_text()?)),
            Self::Array(items) => text::Expr::Array(all(items)?),
            Self::Tuple(items) if items.len() >= 2 => text::Expr::Tuple(all(items)?),
            Self::Tuple(_) => return None,
            Self::Table(path, fields) => text::Expr::Struct(
                (*path).to_owned(),
                fields
                    .iter()
                    .map(|(field, value)| Some(((*field).to_owned(), value.to_text()?)))
                    .collect::<Option<Vec<_>>>()?,
                Some(format!("{path}::NONE")),
            ),
        })
    }
}

/// A validator function `fn <name>(c, p, e) { <body> }` (`pub` when `public`): its text
/// when it can be written directly (see [`text::validator_fn`]), else its syntax tree.
fn validator_fn(texts: Option<&Texts>, public: bool, name: &str, body: Body) -> Item {
    if let (Some(texts), Body::Call { nullable, call }) = (texts, &body) {
        let direct = call
            .to_text()
            .and_then(|call| text::validator_fn(VALIDATE_DEPTH, public, name, *nullable, &call));
        if let Some(text) = direct {
            return texts.placeholder_item(text);
        }
    }
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
    ast::item_fn(
        Vec::new(),
        public,
        ast::signature(name, args, None),
        body.stmts(),
    )
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
        body: impl FnOnce(&mut Self) -> Option<Body>,
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
fn some(value: V) -> V {
    V::call("Some", vec![value])
}

/// `None`.
fn none() -> V {
    V::path("None")
}

/// `c, p, e`, the arguments every walk takes first.
fn cpe() -> Vec<V> {
    vec![V::path("c"), V::path("p"), V::path("e")]
}

/// `static <name>: <ty> = <value>;` inside a function.
fn local_static(name: &str, ty: &str, value: &V) -> Stmt {
    Stmt::Item(ast::item_static_private(name, ast::ty(ty), value.to_syn()))
}

/// The body of the validator of `node` (with `c`, `p` and `e` in scope): its keywords as a
/// constant [`Rules`](tollgate's `__codegen::validate::Rules`) table handed to the
/// runtime's `node`. `None` when the node checks nothing.
fn node_body(node: &Node, shared: &mut Shared) -> Option<Body> {
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
        fields.push(("ty", V::path(format!("Type::{ty}"))));
    }
    if let Some(rules) = string.and_then(|r| string_rules(r, &mut statics)) {
        fields.push(("string", rules));
    }
    if let Some(rules) = number.and_then(number_rules) {
        fields.push(("number", rules));
    }
    if let Some(rules) = array.and_then(|r| array_rules(r, shared)) {
        fields.push(("array", rules));
    }
    if let Some(rules) = object.and_then(|r| object_rules(r, shared)) {
        fields.push(("object", rules));
    }
    if let Some(values) = &node.enum_values {
        if values.iter().all(|v| v.is_string()) {
            let strings = values
                .iter()
                .filter_map(|v| v.as_str())
                .map(V::string)
                .collect();
            fields.push(("enum_str", some(V::Array(strings).reference())));
        } else {
            let json = serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
            // Rare (an `enum` of non-strings): parsed rather than built.
            statics.push(syn::parse_quote! {
                static ENUM: ::std::sync::LazyLock<::std::vec::Vec<__tg::serde_json::Value>> =
                    ::std::sync::LazyLock::new(|| __tg::validate::enum_values(#json));
            });
            fields.push(("enum_values", some(V::path("ENUM").reference())));
        }
    }
    if let Some(compose) = compose_rules(node, shared) {
        fields.push(("compose", some(compose.reference())));
    }
    if fields.is_empty() {
        return None;
    }
    if node.nullable {
        fields.push(("nullable", V::Bool(true)));
    }
    statics.push(local_static("RULES", "Rules", &V::Table("Rules", fields)));
    let mut args = cpe();
    args.push(V::path("RULES").reference());
    statics.push(ast::semi(V::call("__tg::validate::node", args).to_syn()));
    Some(Body::Stmts(statics))
}

/// The call of the runtime's walk for a typed schema with only its type's keywords (and,
/// for a string, maybe an `enum` of strings): the keywords as arguments, no table. `None`
/// for any other schema.
fn shape_call(node: &Node, shared: &mut Shared) -> Option<Body> {
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
    let body = match (&node.kind, composed) {
        (NodeKind::Any, true) if node.untyped.is_none() && strings.is_none() => {
            let rules = compose_rules(node, shared)?;
            let mut args = cpe();
            args.push(rules.reference());
            Body::Call {
                nullable: false,
                call: V::call("__tg::validate::composed", args),
            }
        }
        (NodeKind::String(_), false) if node.untyped.is_none() => {
            typed_call(node, strings, shared)?
        }
        (_, false) if node.untyped.is_none() && strings.is_none() => {
            typed_call(node, None, shared)?
        }
        _ => return None,
    };
    Some(if node.nullable { body.nullable() } else { body })
}

/// `if __tg::validate::null(c) { return; }`.
fn null_check() -> Stmt {
    ast::tail(ast::if_then(
        ast::call_path("__tg::validate::null", vec![ast::path_expr("c")]),
        vec![ast::semi(ast::return_())],
    ))
}

/// [`shape_call`] for a typed schema: the walk of its type, its keywords as arguments.
fn typed_call(node: &Node, strings: Option<Vec<&str>>, shared: &mut Shared) -> Option<Body> {
    let u64_arg = |v: Option<u64>| v.map_or_else(none, |v| some(V::number(v)));
    let mut statics = Vec::new();
    let call = match &node.kind {
        NodeKind::String(r) => {
            let format = str_format(r.format.as_deref()).unwrap_or("None");
            let pattern = match &r.pattern {
                Some(pattern) => {
                    statics.push(pattern_static(pattern));
                    some(V::path("PATTERN").reference())
                }
                None => none(),
            };
            let allowed = strings.map_or_else(none, |s| {
                some(V::Array(s.into_iter().map(V::string).collect()).reference())
            });
            let mut args = cpe();
            args.extend([
                u64_arg(r.min_length),
                u64_arg(r.max_length),
                V::path(format!("StrFormat::{format}")),
                pattern,
                allowed,
            ]);
            V::call("__tg::validate::string", args)
        }
        NodeKind::Integer(r) | NodeKind::Number(r) => {
            let integer = matches!(node.kind, NodeKind::Integer(_));
            let bound = |v: Option<f64>, exclusive: bool| {
                v.filter(|v| v.is_finite()).map_or_else(none, |v| {
                    some(V::Tuple(vec![V::number(v), V::Bool(exclusive)]))
                })
            };
            let multiple = r
                .multiple_of
                .filter(|m| m.is_finite())
                .map_or_else(none, |m| some(V::number(m)));
            let format = match r.format.as_deref() {
                Some("int32") => "Int32",
                Some("int64") => "Int64",
                _ => "None",
            };
            let mut args = cpe();
            args.extend([
                V::Bool(integer),
                bound(r.minimum, r.exclusive_minimum),
                bound(r.maximum, r.exclusive_maximum),
                multiple,
                V::path(format!("NumFormat::{format}")),
            ]);
            V::call("__tg::validate::number", args)
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
                V::Bool(r.unique_items),
            ]);
            V::call("__tg::validate::array", args)
        }
        NodeKind::Object(r) => {
            let rules = object_rules(r, shared).unwrap_or_else(|| V::path("ObjectRules::NONE"));
            let mut args = cpe();
            args.push(rules.reference());
            V::call("__tg::validate::object", args)
        }
        NodeKind::Any | NodeKind::Boolean => return None,
    };
    Some(if statics.is_empty() {
        Body::Call {
            nullable: false,
            call,
        }
    } else {
        statics.push(ast::semi(call.to_syn()));
        Body::Stmts(statics)
    })
}

/// `static PATTERN: __tg::Pattern = __tg::Pattern::new("…");`.
fn pattern_static(pattern: &str) -> Stmt {
    local_static(
        "PATTERN",
        "__tg::Pattern",
        &V::call("__tg::Pattern::new", vec![V::string(pattern)]),
    )
}

/// A `Compose` literal for `allOf`, `discriminator`, `anyOf`, `oneOf` and `not` (`None`
/// when the node has none that checks anything).
fn compose_rules(node: &Node, shared: &mut Shared) -> Option<V> {
    let mut fields = Vec::new();
    let all_of: Vec<V> = node
        .all_of
        .iter()
        .filter_map(|c| check_fn(c, shared))
        .collect();
    if !all_of.is_empty() {
        fields.push(("all_of", V::Array(all_of).reference()));
    }
    if let Some(d) = &node.discriminator {
        let entries = d
            .mapping
            .iter()
            .map(|(value, check)| V::Tuple(vec![V::string(value), check_or_any(check, shared)]))
            .collect();
        fields.push((
            "discriminator",
            some(V::Tuple(vec![
                V::string(&d.property),
                V::Array(entries).reference(),
            ])),
        ));
    } else {
        for (list, field) in [(&node.any_of, "any_of"), (&node.one_of, "one_of")] {
            if list.is_empty() {
                continue;
            }
            let branches = list.iter().map(|c| check_or_any(c, shared)).collect();
            fields.push((field, V::Array(branches).reference()));
        }
    }
    if let Some(not) = &node.not {
        fields.push(("not", some(check_or_any(not, shared))));
    }
    (!fields.is_empty()).then_some(V::Table("Compose", fields))
}

/// A function-pointer expression validating `check`, or `None` when it checks nothing. A
/// bare type check is the runtime's helper itself; anything else a shared function.
fn check_fn(check: &Check, shared: &mut Shared) -> Option<V> {
    match check {
        Check::Ref(name) => Some(V::path(format!("self::{name}"))),
        Check::Inline(node) => {
            if let Some(helper) = bare_type_check(node) {
                return Some(V::path(format!("__tg::validate::{helper}")));
            }
            let name = shared.function(node, |shared| node_body(node, shared))?;
            Some(V::path(format!("self::{name}")))
        }
    }
}

/// [`check_fn`], with the runtime's `any` for a check that checks nothing.
fn check_or_any(check: &Check, shared: &mut Shared) -> V {
    check_fn(check, shared).unwrap_or_else(|| V::path("__tg::validate::any"))
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
fn u64_field(field: &'static str, value: Option<u64>) -> Option<(&'static str, V)> {
    value.map(|v| (field, some(V::number(v))))
}

/// A `StringRules` literal (`None` when it has no keyword); a pattern becomes the static
/// `PATTERN` in `statics`.
fn string_rules(rules: &StringRules, statics: &mut Vec<Stmt>) -> Option<V> {
    let mut fields = Vec::new();
    fields.extend(u64_field("min_length", rules.min_length));
    fields.extend(u64_field("max_length", rules.max_length));
    if let Some(format) = str_format(rules.format.as_deref()) {
        fields.push(("format", V::path(format!("StrFormat::{format}"))));
    }
    if let Some(pattern) = &rules.pattern {
        statics.push(pattern_static(pattern));
        fields.push(("pattern", some(V::path("PATTERN").reference())));
    }
    (!fields.is_empty()).then_some(V::Table("StringRules", fields))
}

fn number_rules(rules: &NumberRules) -> Option<V> {
    let mut fields = Vec::new();
    if let Some(min) = rules.minimum.filter(|m| m.is_finite()) {
        let bound = V::Tuple(vec![V::number(min), V::Bool(rules.exclusive_minimum)]);
        fields.push(("minimum", some(bound)));
    }
    if let Some(max) = rules.maximum.filter(|m| m.is_finite()) {
        let bound = V::Tuple(vec![V::number(max), V::Bool(rules.exclusive_maximum)]);
        fields.push(("maximum", some(bound)));
    }
    if let Some(m) = rules.multiple_of.filter(|m| m.is_finite()) {
        fields.push(("multiple_of", some(V::number(m))));
    }
    match rules.format.as_deref() {
        Some("int32") => fields.push(("format", V::path("NumFormat::Int32"))),
        Some("int64") => fields.push(("format", V::path("NumFormat::Int64"))),
        _ => {}
    }
    (!fields.is_empty()).then_some(V::Table("NumberRules", fields))
}

fn array_rules(rules: &ArrayRules, shared: &mut Shared) -> Option<V> {
    let mut fields = Vec::new();
    if let Some(f) = rules.items.as_deref().and_then(|c| check_fn(c, shared)) {
        fields.push(("items", some(f)));
    }
    fields.extend(u64_field("min_items", rules.min_items));
    fields.extend(u64_field("max_items", rules.max_items));
    if rules.unique_items {
        fields.push(("unique", V::Bool(true)));
    }
    (!fields.is_empty()).then_some(V::Table("ArrayRules", fields))
}

/// The runtime's `validate::SCANNED_PROPERTIES`: larger property tables are sorted.
const SCANNED_PROPERTIES: usize = 16;

/// An `ObjectRules` literal. Its `properties` table holds every name `properties` and the
/// `required` lists mention, each with its check and what the schema says of it: in the
/// spec's order, sorted bytewise when there are more than [`SCANNED_PROPERTIES`].
fn object_rules(rules: &ObjectRules, shared: &mut Shared) -> Option<V> {
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
    let mut table_rows: Vec<(&str, V, &str)> = Vec::new();
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
            table_rows.push((name, V::path("__tg::validate::any"), "Undeclared"));
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
                V::Tuple(vec![
                    V::string(name),
                    check,
                    V::path(format!("Member::{member}")),
                ])
            })
            .collect();
        fields.push(("properties", V::Array(entries).reference()));
    }
    for (names, field) in [
        (&rules.required, "required"),
        (&rules.required_write_only, "required_in_requests"),
        (&rules.required_read_only, "required_in_responses"),
    ] {
        if !names.is_empty() {
            let names = names.iter().map(|n| V::string(n)).collect();
            fields.push((field, V::Array(names).reference()));
        }
    }
    match &rules.additional {
        Additional::Allowed => {}
        Additional::Denied => {
            fields.push(("additional", V::path("Additional::Denied")));
        }
        Additional::Schema(check) => {
            if let Some(f) = check_fn(check, shared) {
                fields.push(("additional", V::call("Additional::Schema", vec![f])));
            }
        }
    }
    fields.extend(u64_field("min_properties", rules.min_properties));
    fields.extend(u64_field("max_properties", rules.max_properties));
    (!fields.is_empty()).then_some(V::Table("ObjectRules", fields))
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
