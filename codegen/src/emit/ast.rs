//! Syntax trees built directly, for prettyplease to print without `syn` parsing tokens.
//!
//! Re-parsing the generator's tokens was most of what formatting cost (`syn` makes a
//! token buffer and tries parses with lookahead); a tree built here is what that parse
//! would give, node for node, so prettyplease prints the same bytes, and `to_tokens` gives
//! the tokens where tokens are wanted (the macro, the tests that format whole files). The
//! builders cover what the operations' items use; each mirrors one form of Rust syntax.

use proc_macro2::{Literal, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{
    AngleBracketedGenericArguments, Arm, AttrStyle, Attribute, Block, Expr, ExprArray, ExprCall,
    ExprField, ExprIndex, ExprLit, ExprMacro, ExprMatch, ExprMethodCall, ExprPath, ExprReference,
    ExprStruct, ExprTry, ExprTuple, Field, FieldMutability, FieldValue, Fields, FieldsNamed,
    FieldsUnnamed, FnArg, GenericArgument, GenericParam, Generics, Ident, ImplItem, ImplItemFn,
    ImplItemType, Item, ItemEnum, ItemFn, ItemImpl, ItemStatic, ItemStruct, ItemTrait, Lit, Local,
    LocalInit, Macro, MacroDelimiter, Member, Meta, MetaList, MetaNameValue, Pat, PatIdent,
    PatTupleStruct, PatType, PatWild, Path, PathArguments, PathSegment, Receiver, ReturnType,
    Signature, StaticMutability, Stmt, Token, TraitBound, TraitBoundModifier, TraitItem,
    TraitItemFn, Type, TypeImplTrait, TypeParam, TypeParamBound, TypePath, TypeReference, Variant,
    Visibility,
};

/// An identifier (the generator's names are valid identifiers; `r#…` names are raw).
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// A path written as text, `::a::b::C` or `self::x`, without generic arguments.
pub(crate) fn path(text: &str) -> Path {
    let (leading_colon, rest) = match text.strip_prefix("::") {
        Some(rest) => (Some(Default::default()), rest),
        None => (None, text),
    };
    Path {
        leading_colon,
        segments: rest
            .split("::")
            .map(|segment| PathSegment::from(ident(segment)))
            .collect(),
    }
}

/// A path whose last segment takes generic arguments: `text<args…>` (with `::<` when
/// `turbofish`).
pub(crate) fn path_with(text: &str, args: Vec<GenericArgument>, turbofish: bool) -> Path {
    let mut path = path(text);
    if let Some(last) = path.segments.last_mut() {
        last.arguments = PathArguments::AngleBracketed(angle_args(args, turbofish));
    }
    path
}

/// `<args…>` (or `::<args…>`).
fn angle_args(args: Vec<GenericArgument>, turbofish: bool) -> AngleBracketedGenericArguments {
    AngleBracketedGenericArguments {
        colon2_token: turbofish.then(Default::default),
        lt_token: Default::default(),
        args: args.into_iter().collect(),
        gt_token: Default::default(),
    }
}

/// A type path: `::std::string::String`, `self::types::Pet`.
pub(crate) fn ty(text: &str) -> Type {
    Type::Path(TypePath {
        qself: None,
        path: path(text),
    })
}

/// A generic type: `text<args…>`.
pub(crate) fn ty_generic(text: &str, args: Vec<Type>) -> Type {
    Type::Path(TypePath {
        qself: None,
        path: path_with(
            text,
            args.into_iter().map(GenericArgument::Type).collect(),
            false,
        ),
    })
}

/// `::std::option::Option<inner>`.
pub(crate) fn ty_option(inner: Type) -> Type {
    ty_generic("::std::option::Option", vec![inner])
}

/// `&inner` or `&mut inner`.
pub(crate) fn ty_ref(mutable: bool, inner: Type) -> Type {
    Type::Reference(TypeReference {
        and_token: Default::default(),
        lifetime: None,
        mutability: mutable.then(Default::default),
        elem: Box::new(inner),
    })
}

/// `impl ::core::future::Future<Output = output> + ::core::marker::Send`.
pub(crate) fn ty_send_future(output: Type) -> Type {
    let future = path_with(
        "::core::future::Future",
        vec![GenericArgument::AssocType(syn::AssocType {
            ident: ident("Output"),
            generics: None,
            eq_token: Default::default(),
            ty: output,
        })],
        false,
    );
    Type::ImplTrait(TypeImplTrait {
        impl_token: Default::default(),
        bounds: [
            trait_bound(future),
            trait_bound(path("::core::marker::Send")),
        ]
        .into_iter()
        .collect(),
    })
}

/// A trait bound naming `path`.
fn trait_bound(path: Path) -> TypeParamBound {
    TypeParamBound::Trait(TraitBound {
        paren_token: None,
        modifier: TraitBoundModifier::None,
        lifetimes: None,
        path,
    })
}

/// `<A: bound>`: one type parameter with one trait bound.
pub(crate) fn generics_bounded(param: &str, bound: &str) -> Generics {
    Generics {
        lt_token: Some(Default::default()),
        params: [GenericParam::Type(TypeParam {
            attrs: Vec::new(),
            ident: ident(param),
            colon_token: Some(Default::default()),
            bounds: [trait_bound(path(bound))].into_iter().collect(),
            eq_token: None,
            default: None,
        })]
        .into_iter()
        .collect(),
        gt_token: Some(Default::default()),
        where_clause: None,
    }
}

/// `#[doc = "…"]` attributes, one per line of the text (as `emit::doc`).
pub(crate) fn docs(text: Option<&str>) -> Vec<Attribute> {
    super::doc_values(text)
        .into_iter()
        .map(|line| doc_line(&line))
        .collect()
}

/// One `#[doc = "line"]` attribute, the line as given.
pub(crate) fn doc_line(line: &str) -> Attribute {
    outer(Meta::NameValue(MetaNameValue {
        path: path("doc"),
        eq_token: Default::default(),
        value: lit_expr(Literal::string(line)),
    }))
}

/// `#[name(tokens)]`, e.g. `#[derive(Debug, Clone)]` or `#[serde(…)]`.
pub(crate) fn attr_list(name: &str, tokens: TokenStream) -> Attribute {
    outer(Meta::List(MetaList {
        path: path(name),
        delimiter: MacroDelimiter::Paren(Default::default()),
        tokens,
    }))
}

/// `#[name]`, e.g. `#[deprecated]`.
pub(crate) fn attr_path(name: &str) -> Attribute {
    outer(Meta::Path(path(name)))
}

/// An outer attribute.
fn outer(meta: Meta) -> Attribute {
    Attribute {
        pound_token: Default::default(),
        style: AttrStyle::Outer,
        bracket_token: Default::default(),
        meta,
    }
}

/// A literal expression.
pub(crate) fn lit_expr(literal: Literal) -> Expr {
    Expr::Lit(ExprLit {
        attrs: Vec::new(),
        lit: Lit::new(literal),
    })
}

/// A string literal.
pub(crate) fn string(text: &str) -> Expr {
    lit_expr(Literal::string(text))
}

/// `true` or `false`.
pub(crate) fn boolean(value: bool) -> Expr {
    Expr::Lit(ExprLit {
        attrs: Vec::new(),
        lit: Lit::Bool(syn::LitBool::new(value, Span::call_site())),
    })
}

/// A path expression.
pub(crate) fn path_expr(text: &str) -> Expr {
    Expr::Path(ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: path(text),
    })
}

/// A path expression whose last segment takes a turbofish: `text::<args…>`.
pub(crate) fn path_expr_with(text: &str, args: Vec<GenericArgument>) -> Expr {
    Expr::Path(ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: path_with(text, args, true),
    })
}

/// `func(args…)`.
pub(crate) fn call(func: Expr, args: Vec<Expr>) -> Expr {
    Expr::Call(ExprCall {
        attrs: Vec::new(),
        func: Box::new(func),
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// `path(args…)`.
pub(crate) fn call_path(func: &str, args: Vec<Expr>) -> Expr {
    call(path_expr(func), args)
}

/// `receiver.method::<turbofish…>(args…)` (no turbofish when empty).
pub(crate) fn method(receiver: Expr, name: &str, turbofish: Vec<Type>, args: Vec<Expr>) -> Expr {
    Expr::MethodCall(ExprMethodCall {
        attrs: Vec::new(),
        receiver: Box::new(receiver),
        dot_token: Default::default(),
        method: ident(name),
        turbofish: (!turbofish.is_empty()).then(|| {
            angle_args(
                turbofish.into_iter().map(GenericArgument::Type).collect(),
                true,
            )
        }),
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// `&expr`.
pub(crate) fn reference(expr: Expr) -> Expr {
    Expr::Reference(ExprReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        mutability: None,
        expr: Box::new(expr),
    })
}

/// `&mut expr`.
pub(crate) fn reference_mut(expr: Expr) -> Expr {
    Expr::Reference(ExprReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        mutability: Some(Default::default()),
        expr: Box::new(expr),
    })
}

/// `[items…]`.
pub(crate) fn array(items: Vec<Expr>) -> Expr {
    Expr::Array(ExprArray {
        attrs: Vec::new(),
        bracket_token: Default::default(),
        elems: items.into_iter().collect(),
    })
}

/// `(items…)`.
pub(crate) fn tuple(items: Vec<Expr>) -> Expr {
    Expr::Tuple(ExprTuple {
        attrs: Vec::new(),
        paren_token: Default::default(),
        elems: items.into_iter().collect(),
    })
}

/// `expr?`.
pub(crate) fn try_(expr: Expr) -> Expr {
    Expr::Try(ExprTry {
        attrs: Vec::new(),
        expr: Box::new(expr),
        question_token: Default::default(),
    })
}

/// `base.field`.
pub(crate) fn field(base: Expr, name: &str) -> Expr {
    Expr::Field(ExprField {
        attrs: Vec::new(),
        base: Box::new(base),
        dot_token: Default::default(),
        member: Member::Named(ident(name)),
    })
}

/// `expr[index]`.
pub(crate) fn index(expr: Expr, at: Expr) -> Expr {
    Expr::Index(ExprIndex {
        attrs: Vec::new(),
        expr: Box::new(expr),
        bracket_token: Default::default(),
        index: Box::new(at),
    })
}

/// `path![tokens]`.
pub(crate) fn macro_brackets(name: &str, tokens: TokenStream) -> Expr {
    Expr::Macro(ExprMacro {
        attrs: Vec::new(),
        mac: Macro {
            path: path(name),
            bang_token: Default::default(),
            delimiter: MacroDelimiter::Bracket(Default::default()),
            tokens,
        },
    })
}

/// A struct literal field: `name: value`, or `name` alone when `value` is `None`.
pub(crate) fn field_value(name: &str, value: Option<Expr>) -> FieldValue {
    let shorthand = value.is_none();
    FieldValue {
        attrs: Vec::new(),
        member: Member::Named(ident(name)),
        colon_token: (!shorthand).then(Default::default),
        expr: value.unwrap_or_else(|| path_expr(name)),
    }
}

/// `path { fields… }`.
pub(crate) fn struct_expr(path_text: &str, fields: Vec<FieldValue>) -> Expr {
    Expr::Struct(ExprStruct {
        attrs: Vec::new(),
        qself: None,
        path: path(path_text),
        brace_token: Default::default(),
        fields: fields.into_iter().collect(),
        dot2_token: None,
        rest: None,
    })
}

/// `match scrutinee { arms… }`.
pub(crate) fn match_(scrutinee: Expr, arms: Vec<Arm>) -> Expr {
    Expr::Match(ExprMatch {
        attrs: Vec::new(),
        match_token: Default::default(),
        expr: Box::new(scrutinee),
        brace_token: Default::default(),
        arms,
    })
}

/// `pattern => body,` (the comma as a token stream would have it: after an expression
/// body, not after a block).
pub(crate) fn arm(pattern: Pat, body: Expr) -> Arm {
    let block = matches!(body, Expr::Block(_));
    Arm {
        attrs: Vec::new(),
        pat: pattern,
        guard: None,
        fat_arrow_token: Default::default(),
        body: Box::new(body),
        comma: (!block).then(Default::default),
    }
}

/// `{ stmts… }` as an expression.
pub(crate) fn block_expr(stmts: Vec<Stmt>) -> Expr {
    Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: None,
        block: block(stmts),
    })
}

/// `{ stmts… }`.
pub(crate) fn block(stmts: Vec<Stmt>) -> Block {
    Block {
        brace_token: Default::default(),
        stmts,
    }
}

/// A binding pattern, `name` or `mut name`.
pub(crate) fn pat_ident(name: &str, mutable: bool) -> Pat {
    Pat::Ident(PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: mutable.then(Default::default),
        ident: ident(name),
        subpat: None,
    })
}

/// `_`.
pub(crate) fn pat_wild() -> Pat {
    Pat::Wild(PatWild {
        attrs: Vec::new(),
        underscore_token: Default::default(),
    })
}

/// `path(elems…)`.
pub(crate) fn pat_tuple_struct(path_text: &str, elems: Vec<Pat>) -> Pat {
    Pat::TupleStruct(PatTupleStruct {
        attrs: Vec::new(),
        qself: None,
        path: path(path_text),
        paren_token: Default::default(),
        elems: elems.into_iter().collect(),
    })
}

/// A path pattern (a unit variant).
pub(crate) fn pat_path(path_text: &str) -> Pat {
    Pat::Path(ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: path(path_text),
    })
}

/// `let pattern = init;`.
pub(crate) fn let_(pattern: Pat, init: Expr) -> Stmt {
    Stmt::Local(Local {
        attrs: Vec::new(),
        let_token: Default::default(),
        pat: pattern,
        init: Some(LocalInit {
            eq_token: Default::default(),
            expr: Box::new(init),
            diverge: None,
        }),
        semi_token: Default::default(),
    })
}

/// `expr;`.
pub(crate) fn semi(expr: Expr) -> Stmt {
    Stmt::Expr(expr, Some(Default::default()))
}

/// `expr` as a block's value.
pub(crate) fn tail(expr: Expr) -> Stmt {
    Stmt::Expr(expr, None)
}

/// A function argument `name: ty`.
pub(crate) fn arg(name: &str, ty: Type) -> FnArg {
    FnArg::Typed(PatType {
        attrs: Vec::new(),
        pat: Box::new(pat_ident(name, false)),
        colon_token: Default::default(),
        ty: Box::new(ty),
    })
}

/// `&self`.
pub(crate) fn ref_self() -> FnArg {
    FnArg::Receiver(Receiver {
        attrs: Vec::new(),
        reference: Some((Default::default(), None)),
        mutability: None,
        self_token: Default::default(),
        colon_token: None,
        ty: Box::new(ty_ref(false, ty("Self"))),
    })
}

/// `self`, by value.
pub(crate) fn self_arg() -> FnArg {
    FnArg::Receiver(Receiver {
        attrs: Vec::new(),
        reference: None,
        mutability: None,
        self_token: Default::default(),
        colon_token: None,
        ty: Box::new(ty("Self")),
    })
}

/// `fn name(args…) -> output` (no output: `()`).
pub(crate) fn signature(name: &str, args: Vec<FnArg>, output: Option<Type>) -> Signature {
    Signature {
        constness: None,
        asyncness: None,
        unsafety: None,
        abi: None,
        fn_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        paren_token: Default::default(),
        inputs: args.into_iter().collect(),
        variadic: None,
        output: match output {
            Some(t) => ReturnType::Type(Default::default(), Box::new(t)),
            None => ReturnType::Default,
        },
    }
}

/// A function in an `impl`.
pub(crate) fn impl_fn(sig: Signature, stmts: Vec<Stmt>) -> ImplItem {
    ImplItem::Fn(ImplItemFn {
        attrs: Vec::new(),
        vis: Visibility::Inherited,
        defaultness: None,
        sig,
        block: block(stmts),
    })
}

/// `type name = ty;` in an `impl`.
pub(crate) fn impl_type(name: &str, ty: Type) -> ImplItem {
    ImplItem::Type(ImplItemType {
        attrs: Vec::new(),
        vis: Visibility::Inherited,
        defaultness: None,
        type_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        eq_token: Default::default(),
        ty,
        semi_token: Default::default(),
    })
}

/// `impl<generics> trait_ for self_ty { items… }` (inherent when `trait_` is `None`).
pub(crate) fn item_impl(
    generics: Generics,
    trait_: Option<Path>,
    self_ty: Type,
    items: Vec<ImplItem>,
) -> Item {
    Item::Impl(ItemImpl {
        attrs: Vec::new(),
        defaultness: None,
        unsafety: None,
        impl_token: Default::default(),
        generics,
        trait_: trait_.map(|t| (None, t, Default::default())),
        self_ty: Box::new(self_ty),
        brace_token: Default::default(),
        items,
    })
}

/// A free function item.
pub(crate) fn item_fn(
    attrs: Vec<Attribute>,
    public: bool,
    sig: Signature,
    stmts: Vec<Stmt>,
) -> Item {
    Item::Fn(ItemFn {
        attrs,
        vis: visibility(public),
        sig,
        block: Box::new(block(stmts)),
    })
}

/// `pub` or nothing.
pub(crate) fn visibility(public: bool) -> Visibility {
    if public {
        Visibility::Public(Default::default())
    } else {
        Visibility::Inherited
    }
}

/// A struct field `attrs pub name: ty`.
pub(crate) fn named_field(attrs: Vec<Attribute>, name: &str, ty: Type) -> Field {
    Field {
        attrs,
        vis: visibility(true),
        mutability: FieldMutability::None,
        ident: Some(ident(name)),
        colon_token: Some(Default::default()),
        ty,
    }
}

/// `attrs pub struct name { fields… }`.
pub(crate) fn item_struct(attrs: Vec<Attribute>, name: &str, fields: Vec<Field>) -> Item {
    Item::Struct(ItemStruct {
        attrs,
        vis: visibility(true),
        struct_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        fields: Fields::Named(FieldsNamed {
            brace_token: Default::default(),
            named: fields.into_iter().collect(),
        }),
        semi_token: None,
    })
}

/// An enum variant `attrs name(types…)` (a unit variant without types).
pub(crate) fn variant(attrs: Vec<Attribute>, name: &str, types: Vec<Type>) -> Variant {
    let fields = if types.is_empty() {
        Fields::Unit
    } else {
        Fields::Unnamed(FieldsUnnamed {
            paren_token: Default::default(),
            unnamed: types
                .into_iter()
                .map(|ty| Field {
                    attrs: Vec::new(),
                    vis: Visibility::Inherited,
                    mutability: FieldMutability::None,
                    ident: None,
                    colon_token: None,
                    ty,
                })
                .collect(),
        })
    };
    Variant {
        attrs,
        ident: ident(name),
        fields,
        discriminant: None,
    }
}

/// `attrs pub enum name { variants… }`.
pub(crate) fn item_enum(attrs: Vec<Attribute>, name: &str, variants: Vec<Variant>) -> Item {
    Item::Enum(ItemEnum {
        attrs,
        vis: visibility(true),
        enum_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        brace_token: Default::default(),
        variants: variants.into_iter().collect::<Punctuated<_, _>>(),
    })
}

/// `attrs pub struct name;`.
pub(crate) fn item_unit_struct(attrs: Vec<Attribute>, name: &str) -> Item {
    Item::Struct(ItemStruct {
        attrs,
        vis: visibility(true),
        struct_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        fields: Fields::Unit,
        semi_token: Some(Default::default()),
    })
}

/// A method declared in a trait, without a body: `attrs sig;`.
pub(crate) fn trait_fn(attrs: Vec<Attribute>, sig: Signature) -> TraitItem {
    TraitItem::Fn(TraitItemFn {
        attrs,
        sig,
        default: None,
        semi_token: Some(Default::default()),
    })
}

/// `attrs pub trait name: supertraits… + lifetime { items… }`.
pub(crate) fn item_trait(
    attrs: Vec<Attribute>,
    name: &str,
    supertraits: &[&str],
    lifetime: Option<&str>,
    items: Vec<TraitItem>,
) -> Item {
    let mut bounds: Punctuated<TypeParamBound, Token![+]> =
        supertraits.iter().map(|t| trait_bound(path(t))).collect();
    bounds.extend(
        lifetime.map(|l| TypeParamBound::Lifetime(syn::Lifetime::new(l, Span::call_site()))),
    );
    Item::Trait(ItemTrait {
        attrs,
        vis: visibility(true),
        unsafety: None,
        auto_token: None,
        restriction: None,
        trait_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        colon_token: Some(Default::default()),
        supertraits: bounds,
        brace_token: Default::default(),
        items,
    })
}

/// `attrs pub static name: ty = expr;`.
pub(crate) fn item_static(attrs: Vec<Attribute>, name: &str, ty: Type, expr: Expr) -> Item {
    static_item(attrs, visibility(true), name, ty, expr)
}

/// `static name: ty = expr;`, private (inside a function).
pub(crate) fn item_static_private(name: &str, ty: Type, expr: Expr) -> Item {
    static_item(Vec::new(), Visibility::Inherited, name, ty, expr)
}

/// A `static` item.
fn static_item(attrs: Vec<Attribute>, vis: Visibility, name: &str, ty: Type, expr: Expr) -> Item {
    Item::Static(ItemStatic {
        attrs,
        vis,
        static_token: Default::default(),
        mutability: StaticMutability::None,
        ident: ident(name),
        colon_token: Default::default(),
        ty: Box::new(ty),
        eq_token: Default::default(),
        expr: Box::new(expr),
        semi_token: Default::default(),
    })
}

/// A primitive value (number, `bool`, string) as an expression, spelled as `quote!` spells
/// it (`1u64`, `0.5f64`).
pub(crate) fn value(v: impl ToTokens) -> Expr {
    let tokens = v.into_token_stream();
    let mut trees = tokens.clone().into_iter();
    match (trees.next(), trees.next()) {
        (Some(TokenTree::Literal(literal)), None) => lit_expr(literal),
        (Some(TokenTree::Ident(word)), None) if word == "true" || word == "false" => {
            boolean(word == "true")
        }
        // Not reached for the primitives the generator passes; parsed to stay exact.
        _ => syn::parse2(tokens.clone()).unwrap_or(Expr::Verbatim(tokens)),
    }
}

/// A generic argument that is a type.
pub(crate) fn ga(ty: Type) -> GenericArgument {
    GenericArgument::Type(ty)
}

/// A generic argument that is a lifetime (`'de`, `'_`).
pub(crate) fn ga_lifetime(name: &str) -> GenericArgument {
    GenericArgument::Lifetime(syn::Lifetime::new(name, Span::call_site()))
}

/// A type path whose last segment takes `args` (lifetimes, types).
pub(crate) fn ty_with(text: &str, args: Vec<GenericArgument>) -> Type {
    Type::Path(TypePath {
        qself: None,
        path: path_with(text, args, false),
    })
}

/// `(types…)` with a trailing comma when `trailing` (as a token stream writing `(a,)`
/// has it); `()` when empty.
pub(crate) fn ty_tuple(types: Vec<Type>, trailing: bool) -> Type {
    let mut elems: Punctuated<Type, Token![,]> = types.into_iter().collect();
    if trailing && !elems.empty_or_trailing() {
        elems.push_punct(Default::default());
    }
    Type::Tuple(syn::TypeTuple {
        paren_token: Default::default(),
        elems,
    })
}

/// `(pats…)`, with a trailing comma when `trailing`.
pub(crate) fn pat_tuple(pats: Vec<Pat>, trailing: bool) -> Pat {
    let mut elems: Punctuated<Pat, Token![,]> = pats.into_iter().collect();
    if trailing && !elems.empty_or_trailing() {
        elems.push_punct(Default::default());
    }
    Pat::Tuple(syn::PatTuple {
        attrs: Vec::new(),
        paren_token: Default::default(),
        elems,
    })
}

/// Generics of lifetimes and bounded type parameters: `<'de, D: Bound<'de>>`.
pub(crate) fn generics(lifetimes: &[&str], params: Vec<(&str, Path)>) -> Generics {
    let mut all: Punctuated<GenericParam, Token![,]> = lifetimes
        .iter()
        .map(|l| {
            GenericParam::Lifetime(syn::LifetimeParam {
                attrs: Vec::new(),
                lifetime: syn::Lifetime::new(l, Span::call_site()),
                colon_token: None,
                bounds: Punctuated::new(),
            })
        })
        .collect();
    all.extend(params.into_iter().map(|(name, bound)| {
        GenericParam::Type(TypeParam {
            attrs: Vec::new(),
            ident: ident(name),
            colon_token: Some(Default::default()),
            bounds: [trait_bound(bound)].into_iter().collect(),
            eq_token: None,
            default: None,
        })
    }));
    Generics {
        lt_token: Some(Default::default()),
        params: all,
        gt_token: Some(Default::default()),
        where_clause: None,
    }
}

/// A function in an `impl` with attributes, visibility and generics.
pub(crate) fn impl_fn_with(
    attrs: Vec<Attribute>,
    public: bool,
    sig: Signature,
    stmts: Vec<Stmt>,
) -> ImplItem {
    ImplItem::Fn(ImplItemFn {
        attrs,
        vis: visibility(public),
        defaultness: None,
        sig,
        block: block(stmts),
    })
}

/// `attrs pub type name = ty;`.
pub(crate) fn item_type(attrs: Vec<Attribute>, name: &str, target: Type) -> Item {
    Item::Type(syn::ItemType {
        attrs,
        vis: visibility(true),
        type_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        eq_token: Default::default(),
        ty: Box::new(target),
        semi_token: Default::default(),
    })
}

/// `const <name>: () = ();`, the item a text written directly stands in for (see
/// `text::Texts`).
pub(crate) fn unit_const(name: &str) -> Item {
    Item::Const(syn::ItemConst {
        attrs: Vec::new(),
        vis: Visibility::Inherited,
        const_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        colon_token: Default::default(),
        ty: Box::new(ty_tuple(Vec::new(), false)),
        eq_token: Default::default(),
        expr: Box::new(tuple(Vec::new())),
        semi_token: Default::default(),
    })
}

/// `&'static [elem]`.
pub(crate) fn ty_static_slice(elem: Type) -> Type {
    Type::Reference(TypeReference {
        and_token: Default::default(),
        lifetime: Some(syn::Lifetime::new("'static", Span::call_site())),
        mutability: None,
        elem: Box::new(Type::Slice(syn::TypeSlice {
            bracket_token: Default::default(),
            elem: Box::new(elem),
        })),
    })
}

/// `&'static str`.
pub(crate) fn ty_static_str() -> Type {
    Type::Reference(TypeReference {
        and_token: Default::default(),
        lifetime: Some(syn::Lifetime::new("'static", Span::call_site())),
        mutability: None,
        elem: Box::new(ty("str")),
    })
}

/// An `impl` item `attrs pub const name: ty = expr;`.
pub(crate) fn impl_const(attrs: Vec<Attribute>, name: &str, ty: Type, expr: Expr) -> ImplItem {
    ImplItem::Const(syn::ImplItemConst {
        attrs,
        vis: visibility(true),
        defaultness: None,
        const_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        colon_token: Default::default(),
        ty,
        eq_token: Default::default(),
        expr,
        semi_token: Default::default(),
    })
}

/// `*expr`.
pub(crate) fn deref(expr: Expr) -> Expr {
    Expr::Unary(syn::ExprUnary {
        attrs: Vec::new(),
        op: syn::UnOp::Deref(Default::default()),
        expr: Box::new(expr),
    })
}

/// `expr as ty`.
pub(crate) fn cast(expr: Expr, ty: Type) -> Expr {
    Expr::Cast(syn::ExprCast {
        attrs: Vec::new(),
        expr: Box::new(expr),
        as_token: Default::default(),
        ty: Box::new(ty),
    })
}

/// `path { fields…, ..rest }`.
pub(crate) fn struct_rest(path_text: &str, fields: Vec<FieldValue>, rest: Expr) -> Expr {
    let mut fields: Punctuated<FieldValue, Token![,]> = fields.into_iter().collect();
    if !fields.empty_or_trailing() {
        fields.push_punct(Default::default());
    }
    Expr::Struct(ExprStruct {
        attrs: Vec::new(),
        qself: None,
        path: path(path_text),
        brace_token: Default::default(),
        fields,
        dot2_token: Some(Default::default()),
        rest: Some(Box::new(rest)),
    })
}

/// `if cond { then… }`.
pub(crate) fn if_then(cond: Expr, then: Vec<Stmt>) -> Expr {
    Expr::If(syn::ExprIf {
        attrs: Vec::new(),
        if_token: Default::default(),
        cond: Box::new(cond),
        then_branch: block(then),
        else_branch: None,
    })
}

/// `return`.
pub(crate) fn return_() -> Expr {
    Expr::Return(syn::ExprReturn {
        attrs: Vec::new(),
        return_token: Default::default(),
        expr: None,
    })
}

/// `pub use self::first as name;`.
pub(crate) fn reexport(first: &str, name: &str) -> Item {
    Item::Use(syn::ItemUse {
        attrs: Vec::new(),
        vis: visibility(true),
        use_token: Default::default(),
        leading_colon: None,
        tree: syn::UseTree::Path(syn::UsePath {
            ident: ident("self"),
            colon2_token: Default::default(),
            tree: Box::new(syn::UseTree::Rename(syn::UseRename {
                ident: ident(first),
                as_token: Default::default(),
                rename: ident(name),
            })),
        }),
        semi_token: Default::default(),
    })
}

/// `if cond { then… } else { otherwise… }`.
pub(crate) fn if_else(cond: Expr, then: Vec<Stmt>, otherwise: Vec<Stmt>) -> Expr {
    Expr::If(syn::ExprIf {
        attrs: Vec::new(),
        if_token: Default::default(),
        cond: Box::new(cond),
        then_branch: block(then),
        else_branch: Some((Default::default(), Box::new(block_expr(otherwise)))),
    })
}

/// `|inputs…| body`.
pub(crate) fn closure(inputs: Vec<Pat>, body: Expr) -> Expr {
    Expr::Closure(syn::ExprClosure {
        attrs: Vec::new(),
        lifetimes: None,
        constness: None,
        movability: None,
        asyncness: None,
        capture: None,
        or1_token: Default::default(),
        inputs: inputs.into_iter().collect(),
        or2_token: Default::default(),
        output: ReturnType::Default,
        body: Box::new(body),
    })
}

/// `place = value`.
pub(crate) fn assign(place: Expr, value: Expr) -> Expr {
    Expr::Assign(syn::ExprAssign {
        attrs: Vec::new(),
        left: Box::new(place),
        eq_token: Default::default(),
        right: Box::new(value),
    })
}

/// A literal pattern.
pub(crate) fn pat_lit(literal: Literal) -> Pat {
    Pat::Lit(ExprLit {
        attrs: Vec::new(),
        lit: Lit::new(literal),
    })
}

/// `attrs pub const name: ty = expr;`.
pub(crate) fn item_const(attrs: Vec<Attribute>, name: &str, ty: Type, expr: Expr) -> Item {
    Item::Const(syn::ItemConst {
        attrs,
        vis: visibility(true),
        const_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        colon_token: Default::default(),
        ty: Box::new(ty),
        eq_token: Default::default(),
        expr: Box::new(expr),
        semi_token: Default::default(),
    })
}
