//! Items written as formatted text directly, skipping tokens, `syn` and prettyplease.
//!
//! Most of a large spec's generation time is making tokens, re-parsing them with `syn` and
//! printing them with prettyplease (see the README, "How fast `gen` is"). Items of a fixed
//! shape are printed here as prettyplease prints them: each line on its own, and the few
//! places where prettyplease breaks a line that does not fit — a type's generic arguments,
//! a call's arguments, an array's items — broken the same way, one per line, by the rule
//! prettyplease decides with (see [`Expr::lines_with`]). What is not modelled (an array
//! of numbers, which prettyplease fills, a string that would need escaping) makes the
//! function return `None`, and the item is emitted as tokens as before, so the file is
//! byte for byte the same either way (`emit::tests` compares the two routes on whole specs,
//! and the tests below compare each shape with prettyplease at every length across the
//! margin).
//!
//! Among the syntax trees of a unit such an item is a placeholder (`const
//! __TOLLGATE_TEXT_<n>: () = ();`); `chunks::format_trees_with_texts` copies the text in
//! its place and prints only the trees between: prettyplease prints items one after
//! another, each starting its own line at the module's indentation, so the text of one
//! item does not depend on the items around it.

use std::cell::RefCell;

/// prettyplease's line width: a line whose content ends at or before this column is not
/// broken.
const MARGIN: usize = 89;

/// The room prettyplease leaves on a line however deeply indented (`MIN_SPACE`).
const MIN_SPACE: usize = 60;

/// prettyplease's indentation per level.
const INDENT: usize = 4;

/// The placeholder items' name, before their number.
const PLACEHOLDER: &str = "__TOLLGATE_TEXT_";

/// The texts of the items written directly, in the order their placeholders were made.
#[derive(Debug, Default)]
pub(crate) struct Texts {
    items: RefCell<Vec<String>>,
}

impl Texts {
    /// The placeholder for `text` as a syntax tree: `const __TOLLGATE_TEXT_<n>: () = ();`.
    pub(crate) fn placeholder_item(&self, text: String) -> syn::Item {
        let mut items = self.items.borrow_mut();
        let name = format!("{PLACEHOLDER}{}", items.len());
        items.push(text);
        super::ast::unit_const(&name)
    }

    /// The text a placeholder item stands for, taken out (`None` for any other item).
    pub(crate) fn take_text(&self, item: &syn::Item) -> Option<String> {
        let syn::Item::Const(constant) = item else {
            return None;
        };
        let name = constant.ident.to_string();
        let number: usize = name.strip_prefix(PLACEHOLDER)?.parse().ok()?;
        self.items.borrow_mut().get_mut(number).map(std::mem::take)
    }

    /// `text` through a placeholder when there is one, else the item's syntax `tree`.
    pub(crate) fn or_tree(
        texts: Option<&Self>,
        text: impl FnOnce() -> Option<String>,
        tree: impl FnOnce() -> syn::Item,
    ) -> syn::Item {
        match texts.and_then(|texts| Some((texts, text()?))) {
            Some((texts, text)) => texts.placeholder_item(text),
            None => tree(),
        }
    }

    /// Takes the texts out (those taken by [`Self::take_text`] are left empty).
    pub(crate) fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.items.borrow_mut())
    }
}

/// The item's lines at `depth` levels of indentation, each ended by a newline, when every
/// line fits the margin.
fn item(depth: usize, lines: &[(usize, &str)]) -> Option<String> {
    for &(extra, line) in lines {
        let indent = (depth + extra) * INDENT;
        // A doc comment is printed whole however long (prettyplease does not wrap it).
        if indent + line.len() > MARGIN && !line.starts_with("///") {
            return None;
        }
    }
    Some(lines_at(depth, lines))
}

/// The lines at `depth` levels of indentation, each ended by a newline, however long.
fn lines_at(depth: usize, lines: &[(usize, &str)]) -> String {
    let indent = |extra: usize| (depth + extra) * INDENT;
    let len = lines
        .iter()
        .map(|&(extra, line)| indent(extra) + line.len() + 1)
        .sum();
    let mut text = String::with_capacity(len);
    for &(extra, line) in lines {
        push_spaces(&mut text, indent(extra));
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// Appends `n` spaces (a slice at a time, not a character at a time).
fn push_spaces(text: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let run = n.min(SPACES.len());
        text.push_str(&SPACES[..run]);
        n -= run;
    }
}

/// Appends the call `callee(args…)` followed by `suffix`, laid out as [`Expr::lines`]
/// lays out a call of plain arguments.
fn call_lines(
    lines: &mut Vec<(usize, String)>,
    depth: usize,
    extra: usize,
    callee: &str,
    args: &[&str],
    suffix: &str,
) -> Option<()> {
    let args = args
        .iter()
        .map(|arg| Expr::Atom((*arg).to_owned()))
        .collect();
    Expr::Call(callee.to_owned(), args).lines(lines, depth, extra, "", suffix)
}

/// A validator function, `pub fn <name>(c, p, e) { … }` (or private), whose body is an
/// optional `if __tg::validate::null(c) { return; }` (when `nullable`) and the statement
/// `call;`, as text.
pub(crate) fn validator_fn(
    depth: usize,
    public: bool,
    name: &str,
    nullable: bool,
    call: &Expr,
) -> Option<String> {
    let visibility = if public { "pub " } else { "" };
    let mut lines = Vec::new();
    let params = [
        "c: &mut __tg::Cursor<'_>",
        "p: &__tg::Ptr<'_>",
        "e: &mut __tg::Errors",
    ];
    call_lines(
        &mut lines,
        depth,
        0,
        &format!("{visibility}fn {name}"),
        &params,
        " {",
    )?;
    if nullable {
        lines.extend([
            (1, "if __tg::validate::null(c) {".to_owned()),
            (2, "return;".to_owned()),
            (1, "}".to_owned()),
        ]);
    }
    call.lines(&mut lines, depth, 1, "", ";")?;
    lines.push((0, "}".to_owned()));
    // Every line is as prettyplease breaks it; one past the margin (a long name) has
    // nowhere to break.
    let lines: Vec<(usize, &str)> = lines.iter().map(|(d, l)| (*d, l.as_str())).collect();
    Some(lines_at(depth, &lines))
}

/// The parts of a validator body [`validator_fn`] writes: whether it starts with the
/// `null` check, and its one call statement. `None` for any other body. (The tests write
/// bodies as tokens; the generator builds the call as an [`Expr`] directly.)
#[cfg(test)]
fn validator_body(body: &[syn::Stmt]) -> Option<(bool, Expr)> {
    use quote::ToTokens;
    let (nullable, rest) = match body {
        [syn::Stmt::Expr(syn::Expr::If(check), None), rest @ ..] => {
            // `if __tg::validate::null(c) { return; }`, compared as text.
            let text = check.to_token_stream().to_string();
            if text != "if __tg :: validate :: null (c) { return ; }" {
                return None;
            }
            (true, rest)
        }
        rest => (false, rest),
    };
    let [syn::Stmt::Expr(call @ syn::Expr::Call(_), Some(_))] = rest else {
        return None;
    };
    Some((nullable, Expr::from_syn(call)?))
}

/// A simple expression, as the generator writes them in validators (built by
/// `validate`, which makes the syntax tree instead where this does not apply), laid out as
/// prettyplease lays it out.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    /// A path, a literal or a negated literal: never broken.
    Atom(String),
    /// `callee(args)`.
    Call(String, Vec<Expr>),
    /// `&expr`.
    Ref(Box<Expr>),
    /// `[items]`.
    Array(Vec<Expr>),
    /// `(items)`, two or more.
    Tuple(Vec<Expr>),
    /// `Path { name: value, .., ..rest }`.
    Struct(String, Vec<(String, Expr)>, Option<String>),
}

/// A path as written, `::a::b` or `self::c`; `None` with generic arguments.
#[cfg(test)]
fn path_text(path: &syn::Path) -> Option<String> {
    let mut text = String::new();
    if path.leading_colon.is_some() {
        text.push_str("::");
    }
    for (i, segment) in path.segments.iter().enumerate() {
        if !segment.arguments.is_none() {
            return None;
        }
        if i > 0 {
            text.push_str("::");
        }
        text.push_str(&segment.ident.to_string());
    }
    Some(text)
}

/// prettyplease prints a struct literal on one line only when it is at most this wide
/// (`end_with_max_width(34)`), its closing brace not counted.
const STRUCT_MAX_WIDTH: usize = 34;

impl Expr {
    /// The expression a syntax tree is, or `None` for a form not modelled (a path with
    /// generic arguments, a method call, a closure, …): how the tests write expressions.
    #[cfg(test)]
    fn from_syn(expr: &syn::Expr) -> Option<Self> {
        let all = |items: &mut dyn Iterator<Item = &syn::Expr>| -> Option<Vec<Self>> {
            items.map(Self::from_syn).collect()
        };
        Some(match expr {
            syn::Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => {
                Self::Atom(path_text(&p.path)?)
            }
            syn::Expr::Lit(lit) if lit.attrs.is_empty() => {
                Self::Atom(quote::ToTokens::to_token_stream(&lit.lit).to_string())
            }
            // A negative number written as `-` and a literal.
            syn::Expr::Unary(unary)
                if unary.attrs.is_empty() && matches!(unary.op, syn::UnOp::Neg(_)) =>
            {
                let syn::Expr::Lit(lit) = &*unary.expr else {
                    return None;
                };
                Self::Atom(format!("-{}", quote::ToTokens::to_token_stream(&lit.lit)))
            }
            syn::Expr::Call(call) if call.attrs.is_empty() => {
                let syn::Expr::Path(callee) = &*call.func else {
                    return None;
                };
                if callee.qself.is_some() {
                    return None;
                }
                Self::Call(path_text(&callee.path)?, all(&mut call.args.iter())?)
            }
            syn::Expr::Reference(r) if r.mutability.is_none() && r.attrs.is_empty() => {
                Self::Ref(Box::new(Self::from_syn(&r.expr)?))
            }
            syn::Expr::Array(a) if a.attrs.is_empty() => Self::Array(all(&mut a.elems.iter())?),
            syn::Expr::Tuple(t) if t.attrs.is_empty() && t.elems.len() >= 2 => {
                Self::Tuple(all(&mut t.elems.iter())?)
            }
            syn::Expr::Struct(st) if st.attrs.is_empty() && st.qself.is_none() => {
                let mut fields = Vec::new();
                for field in &st.fields {
                    let syn::Member::Named(name) = &field.member else {
                        return None;
                    };
                    if field.colon_token.is_none() || !field.attrs.is_empty() {
                        return None;
                    }
                    fields.push((name.to_string(), Self::from_syn(&field.expr)?));
                }
                let base = match st.rest.as_deref() {
                    None => None,
                    Some(rest) => match Self::from_syn(rest)? {
                        Self::Atom(base) => Some(base),
                        _ => return None,
                    },
                };
                Self::Struct(path_text(&st.path)?, fields, base)
            }
            _ => return None,
        })
    }

    /// The length of [`Self::flat`], counted without making the text.
    fn width(&self) -> usize {
        let list = |items: &[Self]| -> usize {
            items.iter().map(Self::width).sum::<usize>() + 2 * items.len().saturating_sub(1)
        };
        match self {
            Self::Atom(atom) => atom.len(),
            Self::Call(callee, args) => callee.len() + 2 + list(args),
            Self::Ref(inner) => 1 + inner.width(),
            Self::Array(items) | Self::Tuple(items) => 2 + list(items),
            Self::Struct(path, fields, base) => {
                let parts = fields.len() + usize::from(base.is_some());
                if parts == 0 {
                    return path.len() + 3;
                }
                let fields: usize = fields
                    .iter()
                    .map(|(name, value)| name.len() + 2 + value.width())
                    .sum();
                let base = base.as_ref().map_or(0, |base| 2 + base.len());
                path.len() + 5 + fields + base + 2 * (parts - 1)
            }
        }
    }

    /// The expression on one line.
    fn flat(&self) -> String {
        let join = |items: &[Self]| items.iter().map(Self::flat).collect::<Vec<_>>().join(", ");
        match self {
            Self::Atom(atom) => atom.clone(),
            Self::Call(callee, args) => format!("{callee}({})", join(args)),
            Self::Ref(inner) => format!("&{}", inner.flat()),
            Self::Array(items) => format!("[{}]", join(items)),
            Self::Tuple(items) => format!("({})", join(items)),
            Self::Struct(path, fields, base) => {
                let mut parts: Vec<String> = fields
                    .iter()
                    .map(|(name, value)| format!("{name}: {}", value.flat()))
                    .collect();
                parts.extend(base.iter().map(|base| format!("..{base}")));
                if parts.is_empty() {
                    format!("{path} {{}}")
                } else {
                    format!("{path} {{ {} }}", parts.join(", "))
                }
            }
        }
    }

    /// Whether prettyplease breaks this expression whatever the room: a struct literal
    /// wider than [`STRUCT_MAX_WIDTH`] (its path, fields and the space before its closing
    /// brace), or one inside.
    fn forced(&self) -> bool {
        match self {
            Self::Atom(_) => false,
            Self::Ref(inner) => inner.forced(),
            Self::Call(_, items) | Self::Array(items) | Self::Tuple(items) => {
                items.iter().any(Self::forced)
            }
            Self::Struct(_, fields, _) => {
                self.width() - 1 > STRUCT_MAX_WIDTH
                    || fields.iter().any(|(_, value)| value.forced())
            }
        }
    }

    /// Appends the lines of `prefix`, this expression and `suffix` at `extra` levels below
    /// the item: one line when it fits and nothing inside must break; else broken, one
    /// item (argument, element, field) per line, each laid out the same way. `None` where
    /// the layout is not modelled (see [`type_lines`]).
    fn lines(
        &self,
        lines: &mut Vec<(usize, String)>,
        depth: usize,
        extra: usize,
        prefix: &str,
        suffix: &str,
    ) -> Option<()> {
        self.lines_with(lines, depth, extra, prefix, suffix, 0)
    }

    /// [`Self::lines`] where the last `uncounted` bytes of `suffix` do not count towards
    /// the width: the comma after the last item of a list, which prettyplease prints only
    /// when the list is broken (a break's `pre_break`), so the item may end one column past
    /// the margin.
    ///
    /// prettyplease decides whether a group fits where it opens (after `callee(`, `[`,
    /// `(`; before a struct literal's path), measuring up to the next place a line may
    /// break: the group, its closing bracket and the words after it (`,` between items,
    /// `;`, ` {`). That is the line's width here, less the uncounted comma.
    fn lines_with(
        &self,
        lines: &mut Vec<(usize, String)>,
        depth: usize,
        extra: usize,
        prefix: &str,
        suffix: &str,
        uncounted: usize,
    ) -> Option<()> {
        // prettyplease leaves a line at least `MIN_SPACE` columns however deep it starts.
        let room = MIN_SPACE.max(MARGIN.saturating_sub((depth + extra) * INDENT));
        // The width on one line, the text made only when it is used.
        let width = prefix.len() + self.width() + suffix.len();
        let flat = || format!("{prefix}{}{suffix}", self.flat());
        let forced = self.forced();
        let (open, items, close): (String, Vec<(String, &Self)>, &str) = match self {
            Self::Atom(_) => {
                lines.push((extra, flat()));
                return Some(());
            }
            Self::Ref(inner) => {
                return inner.lines_with(
                    lines,
                    depth,
                    extra,
                    &format!("{prefix}&"),
                    suffix,
                    uncounted,
                )
            }
            // A call's one array, tuple or struct argument is printed right after the
            // parenthesis, breaking as it would alone (prettyplease's `is_blocklike`).
            Self::Call(callee, args)
                if args.len() == 1
                    && matches!(args[0], Self::Array(_) | Self::Tuple(_) | Self::Struct(..)) =>
            {
                return args[0].lines_with(
                    lines,
                    depth,
                    extra,
                    &format!("{prefix}{callee}("),
                    &format!("){suffix}"),
                    uncounted,
                );
            }
            Self::Call(callee, args) => (
                format!("{callee}("),
                args.iter().map(|a| (String::new(), a)).collect(),
                ")",
            ),
            Self::Array(items) => (
                "[".to_owned(),
                items.iter().map(|a| (String::new(), a)).collect(),
                "]",
            ),
            Self::Tuple(items) => (
                "(".to_owned(),
                items.iter().map(|a| (String::new(), a)).collect(),
                ")",
            ),
            Self::Struct(path, fields, _) => (
                format!("{path} {{"),
                fields.iter().map(|(n, v)| (format!("{n}: "), v)).collect(),
                "}",
            ),
        };
        if !forced && width - uncounted <= room {
            lines.push((extra, flat()));
            return Some(());
        }
        match self {
            // prettyplease fills an array of plain literals, several to a line.
            Self::Array(items) if items.iter().all(Self::fillable) => return None,
            _ => {}
        }
        if items.is_empty() && !matches!(self, Self::Struct(..)) {
            lines.push((extra, flat()));
            return Some(());
        }
        lines.push((extra, format!("{prefix}{open}")));
        let last = items.len().saturating_sub(1);
        let has_base = matches!(self, Self::Struct(_, _, Some(_)));
        for (i, (name, item)) in items.iter().enumerate() {
            let uncounted = usize::from(i == last && !has_base);
            item.lines_with(lines, depth, extra + 1, name, ",", uncounted)?;
        }
        if let Self::Struct(_, _, Some(base)) = self {
            lines.push((extra + 1, format!("..{base}")));
        }
        lines.push((extra, format!("{close}{suffix}")));
        Some(())
    }

    /// Whether prettyplease would fill this item into a broken array several to a line
    /// (`simple_array`: integer, byte, char and bool literals; a negative number or a float
    /// is not one).
    fn fillable(&self) -> bool {
        const INT_SUFFIXES: [&str; 12] = [
            "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        ];
        let Self::Atom(atom) = self else {
            return false;
        };
        let digits = INT_SUFFIXES
            .iter()
            .find_map(|suffix| atom.strip_suffix(suffix))
            .unwrap_or(atom);
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
            || atom.starts_with('\'')
            || atom.starts_with("b'")
            || atom == "true"
            || atom == "false"
    }
}

/// `pub use self::<first> as <name>;`: a re-export prints on one line whatever its length.
pub(crate) fn reexport(depth: usize, first: &str, name: &str) -> String {
    format!(
        "{:indent$}pub use self::{first} as {name};\n",
        "",
        indent = depth * INDENT
    )
}

/// [`item`] for owned lines.
fn item_of(depth: usize, lines: &[(usize, String)]) -> Option<String> {
    let lines: Vec<(usize, &str)> = lines.iter().map(|(d, l)| (*d, l.as_str())).collect();
    item(depth, &lines)
}

/// The lines prettyplease prints for the `#[doc]` attributes `super::doc` makes of `text`.
pub(crate) fn doc_lines(text: Option<&str>) -> Vec<String> {
    super::doc_values(text)
        .into_iter()
        .map(|value| format!("///{}", value.trim_end_matches(' ')))
        .collect()
}

/// `impl ::std::fmt::Debug for <name>` printing `label` through `__tg::ser::debug`.
pub(crate) fn debug_impl(depth: usize, name: &str, label: &str) -> Option<String> {
    // A label the string literal would escape is left to the tokens.
    if !label
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    let label = format!("\"{label}\"");
    let mut lines = vec![
        (0, format!("impl ::std::fmt::Debug for {name} {{")),
        (
            1,
            "fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {".to_owned(),
        ),
    ];
    call_lines(
        &mut lines,
        depth,
        2,
        "__tg::ser::debug",
        &["self", &label, "f"],
        "",
    )?;
    lines.extend([(1, "}".to_owned()), (0, "}".to_owned())]);
    item_of(depth, &lines)
}

/// `impl <name>` with the `validate` method calling `super::validate::<validator>`.
pub(crate) fn validate_impl(depth: usize, name: &str, validator: &str) -> Option<String> {
    let mut lines: Vec<(usize, String)> = vec![
        (0, format!("impl {name} {{")),
        (
            1,
            "/// Checks this value against its schema; lists every violation.".to_owned(),
        ),
    ];
    validate_method_lines(&mut lines, depth, 1, validator)?;
    lines.push((0, "}".to_owned()));
    item_of(depth, &lines)
}

/// The lines of the `validate` method (its doc line excepted) at `extra` levels.
fn validate_method_lines(
    lines: &mut Vec<(usize, String)>,
    depth: usize,
    extra: usize,
    validator: &str,
) -> Option<()> {
    for (more, line) in [
        (0, "pub fn validate("),
        (1, "&self,"),
        (
            0,
            ") -> ::std::result::Result<(), ::std::vec::Vec<__tg::Violation>> {",
        ),
    ] {
        lines.push((extra + more, line.to_owned()));
    }
    let validator = format!("super::validate::{validator}");
    call_lines(
        lines,
        depth,
        extra + 1,
        "__tg::validate::value",
        &["self", &validator],
        "",
    )?;
    lines.push((extra, "}".to_owned()));
    Some(())
}

/// One call of a struct's `Serialize` chain: `.<method>("<wire>", &self.<field>)`, or
/// `.<method>(&self.<field>)` without a wire name.
pub(crate) struct Call<'a> {
    pub(crate) method: &'static str,
    pub(crate) wire: Option<&'a str>,
    pub(crate) field: String,
}

/// `impl __tg::serde::Serialize for <name>`: `__tg::ser::Object::start(s)`, the calls,
/// `.end()` — on one line when it fits, else one call per line.
pub(crate) fn serialize_impl(depth: usize, name: &str, calls: &[Call<'_>]) -> Option<String> {
    // Each call as its method and arguments.
    let mut chain: Vec<(String, Vec<String>)> = Vec::with_capacity(calls.len() + 1);
    for call in calls {
        let field = format!("&self.{}", call.field);
        chain.push((
            format!(".{}", call.method),
            match call.wire {
                // A wire name the string literal would escape is left to the tokens.
                Some(wire) if !plain_literal(wire) => return None,
                Some(wire) => vec![format!("\"{wire}\""), field],
                None => vec![field],
            },
        ));
    }
    chain.push((".end".to_owned(), Vec::new()));
    let header = format!("impl __tg::serde::Serialize for {name} {{");
    let head: [(usize, &str); 5] = [
        (0, &header),
        (1, "fn serialize<S: __tg::serde::Serializer>("),
        (2, "&self,"),
        (2, "s: S,"),
        (1, ") -> ::std::result::Result<S::Ok, S::Error> {"),
    ];
    let start = "__tg::ser::Object::start(s)";
    let flat: String = chain
        .iter()
        .map(|(method, args)| format!("{method}({})", args.join(", ")))
        .collect();
    let flat = format!("{start}{flat}");
    let mut lines: Vec<(usize, String)> = head.iter().map(|&(d, l)| (d, l.to_owned())).collect();
    if (depth + 2) * INDENT + flat.len() <= MARGIN {
        lines.push((2, flat));
    } else {
        lines.push((2, start.to_owned()));
        for (method, args) in &chain {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            call_lines(&mut lines, depth, 3, method, &args, "")?;
        }
    }
    lines.extend([(1, "}".to_owned()), (0, "}".to_owned())]);
    item_of(depth, &lines)
}

/// Whether `text` is written in a string literal as it is: printable ASCII, no quote or
/// backslash.
fn plain_literal(text: &str) -> bool {
    text.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
}

/// A type as prettyplease prints it: a path, and its generic arguments if any.
#[derive(Debug, Clone)]
pub(crate) struct Ty {
    pub(crate) path: String,
    pub(crate) args: Vec<Ty>,
}

impl Ty {
    /// A type without generic arguments.
    pub(crate) fn path(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            args: Vec::new(),
        }
    }

    /// `path<args>`.
    pub(crate) fn generic(path: &str, args: Vec<Ty>) -> Self {
        Self {
            path: path.to_owned(),
            args,
        }
    }

    /// The type on one line.
    pub(crate) fn flat(&self) -> String {
        let mut text = self.path.clone();
        if !self.args.is_empty() {
            text.push('<');
            for (i, arg) in self.args.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                text.push_str(&arg.flat());
            }
            text.push('>');
        }
        text
    }
}

/// Appends the lines of `prefix`, `ty` and `suffix` at `extra` levels below the item:
/// one line when it fits; else the generic arguments one per line, each laid out the same
/// way (prettyplease's consistent box around `<…>`). The fit is prettyplease's rule (see
/// [`Expr::lines_with`]): the box opens after `<` and counts up to the next break, the
/// `>` and `suffix` included but not its last `uncounted` bytes (the comma after a last
/// argument, printed only when the arguments break).
fn type_lines(
    lines: &mut Vec<(usize, String)>,
    depth: usize,
    extra: usize,
    prefix: &str,
    ty: &Ty,
    suffix: &str,
    uncounted: usize,
) -> Option<()> {
    let room = MIN_SPACE.max(MARGIN.saturating_sub((depth + extra) * INDENT));
    let flat = format!("{prefix}{}{suffix}", ty.flat());
    if flat.len() - uncounted <= room || ty.args.is_empty() {
        lines.push((extra, flat));
        return Some(());
    }
    lines.push((extra, format!("{prefix}{}<", ty.path)));
    let last = ty.args.len() - 1;
    for (i, arg) in ty.args.iter().enumerate() {
        type_lines(
            lines,
            depth,
            extra + 1,
            "",
            arg,
            ",",
            usize::from(i == last),
        )?;
    }
    lines.push((extra, format!(">{suffix}")));
    Some(())
}

/// One field of a struct written by [`struct_def`]: its attribute lines (`///`,
/// `#[deprecated]`), its name and its type.
pub(crate) struct FieldText {
    pub(crate) attrs: Vec<String>,
    pub(crate) name: String,
    pub(crate) ty: Ty,
}

/// `pub struct <name> { … }` after its attribute lines (docs, `#[derive(…)]`).
pub(crate) fn struct_def(
    depth: usize,
    attrs: &[String],
    name: &str,
    fields: &[FieldText],
) -> Option<String> {
    let mut lines: Vec<(usize, String)> = attrs.iter().map(|a| (0, a.clone())).collect();
    if fields.is_empty() {
        lines.push((0, format!("pub struct {name} {{}}")));
    } else {
        lines.push((0, format!("pub struct {name} {{")));
        for field in fields {
            lines.extend(field.attrs.iter().map(|a| (1, a.clone())));
            let prefix = format!("pub {}: ", field.name);
            type_lines(&mut lines, depth, 1, &prefix, &field.ty, ",", 0)?;
        }
        lines.push((0, "}".to_owned()));
    }
    // An attribute past the margin (many derives) may be broken by prettyplease: left to
    // the tree. Every other line is as prettyplease breaks it, or has nowhere to break.
    let attr_lines = attrs.iter().chain(fields.iter().flat_map(|f| &f.attrs));
    if attr_lines
        .filter(|a| !a.starts_with("///"))
        .any(|a| (depth + 1) * INDENT + a.len() > MARGIN)
    {
        return None;
    }
    let lines: Vec<(usize, &str)> = lines.iter().map(|(d, l)| (*d, l.as_str())).collect();
    Some(lines_at(depth, &lines))
}

/// Appends `prefix`, the `items` in brackets and `suffix` (`…&[a, b];`), laid out as
/// [`Expr::lines`] lays out an array of plain items.
fn list_lines(
    lines: &mut Vec<(usize, String)>,
    depth: usize,
    extra: usize,
    prefix: &str,
    items: &[String],
    suffix: &str,
) -> Option<()> {
    let items = items.iter().map(|item| Expr::Atom(item.clone())).collect();
    Expr::Array(items).lines(lines, depth, extra, prefix, suffix)
}

/// The items after the definition of a string enum `name` whose values are `wires`
/// (variants `variants`): its `impl` with `ALL`, `VALUES`, `as_str` and `validate`, and
/// its `Serialize`, `Display`, `FromStr` and (when `deserialize`) `Deserialize` impls,
/// each as text, or `None` for all of them.
pub(crate) fn string_enum_impls(
    depth: usize,
    name: &str,
    variants: &[String],
    wires: &[&str],
    validator: &str,
    deserialize: bool,
) -> Option<Vec<String>> {
    if !wires.iter().all(|wire| plain_literal(wire)) {
        return None;
    }
    let all: Vec<String> = variants.iter().map(|v| format!("Self::{v}")).collect();
    let values: Vec<String> = wires.iter().map(|w| format!("\"{w}\"")).collect();
    let mut inherent: Vec<(usize, String)> = vec![
        (0, format!("impl {name} {{")),
        (1, "/// Every value, in spec order.".to_owned()),
    ];
    list_lines(
        &mut inherent,
        depth,
        1,
        "pub const ALL: &'static [Self] = &",
        &all,
        ";",
    )?;
    inherent.push((
        1,
        "/// The values as written in the spec, in the order of `ALL`.".to_owned(),
    ));
    let prefix = "pub const VALUES: &'static [&'static str] = &";
    list_lines(&mut inherent, depth, 1, prefix, &values, ";")?;
    for (extra, line) in [
        (1, "/// The value as written in the spec."),
        (1, "pub fn as_str(&self) -> &'static str {"),
        (2, "Self::VALUES[*self as usize]"),
        (1, "}"),
        (
            1,
            "/// Checks this value against its schema; lists every violation.",
        ),
    ] {
        inherent.push((extra, line.to_owned()));
    }
    validate_method_lines(&mut inherent, depth, 1, validator)?;
    inherent.push((0, "}".to_owned()));
    let inherent: Vec<(usize, &str)> = inherent.iter().map(|(d, l)| (*d, l.as_str())).collect();
    let mut items = vec![
        item(depth, &inherent)?,
        item(
            depth,
            &[
                (0, &format!("impl __tg::serde::Serialize for {name} {{")),
                (1, "fn serialize<S: __tg::serde::Serializer>("),
                (2, "&self,"),
                (2, "s: S,"),
                (1, ") -> ::std::result::Result<S::Ok, S::Error> {"),
                (2, "s.serialize_str(self.as_str())"),
                (1, "}"),
                (0, "}"),
            ],
        )?,
        item(
            depth,
            &[
                (0, &format!("impl ::std::fmt::Display for {name} {{")),
                (
                    1,
                    "fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {",
                ),
                (2, "f.write_str(self.as_str())"),
                (1, "}"),
                (0, "}"),
            ],
        )?,
        item(
            depth,
            &[
                (0, &format!("impl ::std::str::FromStr for {name} {{")),
                (1, "type Err = ::std::string::String;"),
                (
                    1,
                    "fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {",
                ),
                (2, "__tg::de::parse_enum(s, Self::VALUES, Self::ALL)"),
                (1, "}"),
                (0, "}"),
            ],
        )?,
    ];
    if deserialize {
        items.push(item(
            depth,
            &[
                (
                    0,
                    &format!("impl<'de> __tg::serde::Deserialize<'de> for {name} {{"),
                ),
                (1, "fn deserialize<D: __tg::serde::Deserializer<'de>>("),
                (2, "d: D,"),
                (1, ") -> ::std::result::Result<Self, D::Error> {"),
                (2, "__tg::de::string_enum(d)"),
                (1, "}"),
                (0, "}"),
            ],
        )?);
    }
    Some(items)
}

/// `pub enum <name> { <variants> }` after its attribute lines, variants without data.
pub(crate) fn unit_enum_def(
    depth: usize,
    attrs: &[String],
    name: &str,
    variants: &[String],
) -> Option<String> {
    if variants.is_empty() {
        return None;
    }
    let mut lines: Vec<(usize, String)> = attrs.iter().map(|a| (0, a.clone())).collect();
    lines.push((0, format!("pub enum {name} {{")));
    lines.extend(variants.iter().map(|v| (1, format!("{v},"))));
    lines.push((0, "}".to_owned()));
    let lines: Vec<(usize, &str)> = lines.iter().map(|(d, l)| (*d, l.as_str())).collect();
    item(depth, &lines)
}

/// Whether `text` is a plain identifier (ASCII letters, digits, `_`), printed as it is.
pub(crate) fn plain_ident(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `pub type <name> = <target>;` with its doc lines, `target` a type printed on one line.
pub(crate) fn type_alias(
    depth: usize,
    docs: &[String],
    name: &str,
    target: &str,
) -> Option<String> {
    let declaration = format!("pub type {name} = {target};");
    let mut lines: Vec<(usize, &str)> = docs.iter().map(|line| (0, line.as_str())).collect();
    lines.push((0, &declaration));
    if target.contains('<') {
        return item(depth, &lines);
    }
    // A path without generic arguments has nowhere to break: the line is printed whole
    // however long (prettyplease prints `type … = ` as words, then the path).
    Some(lines_at(depth, &lines))
}

/// `pub const SPEC: &str = r#"…"#;` with its doc line, as the text before `json` and the
/// text after it: a raw string literal is printed on one line whatever its length. `None`
/// for a text a raw string cannot hold (a bare CR).
pub(crate) fn spec_const(depth: usize, json: &str) -> Option<(String, String)> {
    if memchr::memchr(b'\r', json.as_bytes()).is_some() {
        return None;
    }
    let hashes = super::operations::raw_string_hashes(json);
    let indent = depth * INDENT;
    Some((
        format!(
            "{:indent$}/// The OpenAPI document, as JSON (served at `GET /openapi.json`).\n\
             {:indent$}pub const SPEC: &str = r{hashes}\"",
            "", ""
        ),
        format!("\"{hashes};\n"),
    ))
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::{format_ident, quote};

    use super::*;

    /// [`validator_fn`] for a body given as tokens (read as a block's statements).
    fn validator_text(public: bool, name: &str, body: &TokenStream) -> Option<String> {
        let block: syn::Block = syn::parse2(quote!({ #body })).expect("a body");
        let (nullable, call) = validator_body(&block.stmts)?;
        validator_fn(2, public, name, nullable, &call)
    }

    /// prettyplease's text for `items` inside two modules (the `types` module's depth).
    fn formatted(items: TokenStream) -> String {
        let file = super::super::format(quote! {
            mod outer { pub mod types { #items } }
        })
        .expect("formats");
        let inner: Vec<&str> = file.lines().collect();
        let mut text = inner[2..inner.len() - 2].join("\n");
        text.push('\n');
        text
    }

    /// A name of `len` characters.
    fn name(len: usize) -> String {
        let mut name = String::from("T");
        name.extend(std::iter::repeat_n('x', len - 1));
        name
    }

    /// 1 when the item with a name of `len` characters was written directly (then it must
    /// be `expected`), else 0, and then prettyplease must have broken it (more than
    /// `unbroken` lines): an item that fits is never left to the tree.
    fn direct_or_broken(
        len: usize,
        text: Option<String>,
        expected: &str,
        unbroken: usize,
    ) -> usize {
        match text {
            Some(text) => {
                assert_eq!(text, expected, "name of {len} characters");
                1
            }
            None => {
                assert!(
                    expected.lines().count() > unbroken,
                    "{len}: fits, yet left to the tree"
                );
                0
            }
        }
    }

    #[test]
    fn debug_impls_are_what_prettyplease_prints() {
        let mut direct = 0;
        for len in 1..=100 {
            let name = name(len);
            let ident = format_ident!("{name}");
            let expected = formatted(quote! {
                impl ::std::fmt::Debug for #ident {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        __tg::ser::debug(self, #name, f)
                    }
                }
            });
            direct += direct_or_broken(len, debug_impl(2, &name, &name), &expected, 5);
        }
        assert!(direct > 40, "only {direct} of 100 written directly");
    }

    #[test]
    fn validate_impls_are_what_prettyplease_prints() {
        let mut direct = 0;
        for len in 1..=100 {
            let name = name(len);
            let validator = name.to_lowercase();
            let (ident, validator_ident) = (format_ident!("{name}"), format_ident!("{validator}"));
            let expected = formatted(quote! {
                impl #ident {
                    /// Checks this value against its schema; lists every violation.
                    pub fn validate(&self) -> ::std::result::Result<(), ::std::vec::Vec<__tg::Violation>> {
                        __tg::validate::value(self, super::validate::#validator_ident)
                    }
                }
            });
            direct += direct_or_broken(len, validate_impl(2, &name, &validator), &expected, 8);
        }
        assert!(direct > 20, "only {direct} of 100 written directly");
    }

    #[test]
    fn type_aliases_are_what_prettyplease_prints() {
        let doc_text = "A line.\n\n  indented, then trailing spaces   \nlast";
        let docs = doc_lines(Some(doc_text));
        let doc_tokens = super::super::doc(Some(doc_text));
        let mut direct = 0;
        for len in 1..=100 {
            let name = name(len);
            let ident = format_ident!("{name}");
            for (target, tokens) in [
                ("self::Target", quote!(self::Target)),
                (
                    "::std::vec::Vec<::std::string::String>",
                    quote!(::std::vec::Vec<::std::string::String>),
                ),
            ] {
                let expected = formatted(quote! { #doc_tokens pub type #ident = #tokens; });
                // A line past the margin is left to the tokens (prettyplease may keep it
                // whole or break the type's arguments).
                if let Some(text) = type_alias(2, &docs, &name, target) {
                    assert_eq!(text, expected, "name of {len} characters, {target}");
                    direct += 1;
                }
            }
        }
        assert!(direct >= 130, "only {direct} of 200 written directly");
    }

    #[test]
    fn serialize_impls_are_what_prettyplease_prints() {
        let mut direct = 0;
        for fields in 0..=12 {
            for len in [1, 5, 12, 30, 60, 75, 90] {
                let name = name(len);
                let ident = format_ident!("{name}");
                let field_names: Vec<String> = (0..fields)
                    .map(|i| format!("f{i}_{}", "x".repeat(len / 3)))
                    .collect();
                let calls: Vec<Call<'_>> = field_names
                    .iter()
                    .enumerate()
                    .map(|(i, field)| Call {
                        method: if i % 2 == 0 { "field" } else { "optional" },
                        wire: Some(field.as_str()),
                        field: field.clone(),
                    })
                    .chain((fields % 3 == 1).then(|| Call {
                        method: "rest",
                        wire: None,
                        field: "additional_properties".into(),
                    }))
                    .collect();
                let puts = calls.iter().map(|call| {
                    let method = format_ident!("{}", call.method);
                    let field = format_ident!("{}", call.field);
                    match call.wire {
                        Some(wire) => quote!(.#method(#wire, &self.#field)),
                        None => quote!(.#method(&self.#field)),
                    }
                });
                let expected = formatted(quote! {
                    impl __tg::serde::Serialize for #ident {
                        fn serialize<S: __tg::serde::Serializer>(
                            &self,
                            s: S,
                        ) -> ::std::result::Result<S::Ok, S::Error> {
                            __tg::ser::Object::start(s) #(#puts)* .end()
                        }
                    }
                });
                if let Some(text) = serialize_impl(2, &name, &calls) {
                    assert_eq!(text, expected, "{fields} fields, name of {len} characters");
                    direct += 1;
                }
            }
        }
        assert!(direct > 40, "only {direct} of 91 written directly");
        let escaped = [Call {
            method: "field",
            wire: Some("a\"b"),
            field: "a".into(),
        }];
        assert_eq!(serialize_impl(2, "T", &escaped), None);
    }

    #[test]
    fn struct_defs_are_what_prettyplease_prints() {
        let mut direct = 0;
        for fields in 0..=4 {
            for len in [1, 10, 40, 70] {
                let name = name(len);
                let ident = format_ident!("{name}");
                let doc_text = "The struct.\n\nSecond  paragraph.  ";
                let mut attrs = doc_lines(Some(doc_text));
                attrs.push("#[derive(Clone, PartialEq, Hash)]".into());
                let doc_tokens = super::super::doc(Some(doc_text));
                let mut field_texts = Vec::new();
                let mut field_tokens = Vec::new();
                for i in 0..fields {
                    let fname = format!("f{i}_{}", "y".repeat(len / 2));
                    let fident = format_ident!("{fname}");
                    let wire = format!("F{i} \"q\"");
                    let wire_doc = format!(" JSON property {wire:?}.");
                    let (ty, ty_tokens) = if i % 2 == 0 {
                        (
                            Ty::generic("::std::option::Option", vec![Ty::path("self::Target")]),
                            quote!(::std::option::Option<self::Target>),
                        )
                    } else {
                        (Ty::path("i64"), quote!(i64))
                    };
                    let docs = (i % 3 == 0).then_some("Field doc.");
                    let mut attrs = doc_lines(docs);
                    let field_doc = super::super::doc(docs);
                    let gap = docs.map(|_| quote!(#[doc = ""]));
                    if docs.is_some() {
                        attrs.push("///".into());
                    }
                    attrs.push(format!("///{}", wire_doc.trim_end_matches(' ')));
                    let deprecated = (i == 1).then(|| quote!(#[deprecated]));
                    if i == 1 {
                        attrs.push("#[deprecated]".into());
                    }
                    field_texts.push(FieldText {
                        attrs,
                        name: fname,
                        ty,
                    });
                    field_tokens.push(quote! {
                        #field_doc #gap #[doc = #wire_doc] #deprecated pub #fident: #ty_tokens,
                    });
                }
                let expected = formatted(quote! {
                    #doc_tokens
                    #[derive(Clone, PartialEq, Hash)]
                    pub struct #ident { #(#field_tokens)* }
                });
                if let Some(text) = struct_def(2, &attrs, &name, &field_texts) {
                    assert_eq!(text, expected, "{fields} fields, name of {len} characters");
                    direct += 1;
                }
            }
        }
        assert_eq!(direct, 20, "only {direct} of 20 written directly");
    }

    /// Fields whose types break over lines, nested, at every length around the margin.
    #[test]
    fn broken_field_types_are_what_prettyplease_prints() {
        let string = || Ty::path("::std::string::String");
        let named = |len: usize| Ty::path(format!("self::{}", name(len)));
        let option = |inner: Ty| Ty::generic("::std::option::Option", vec![inner]);
        let map = |inner: Ty| Ty::generic("::std::collections::BTreeMap", vec![string(), inner]);
        let vec = |inner: Ty| Ty::generic("::std::vec::Vec", vec![inner]);
        let mut direct = 0;
        let mut broken = 0;
        for len in 1..=90 {
            for ty in [
                option(named(len)),
                option(map(string())),
                option(map(named(len))),
                map(vec(option(named(len)))),
                option(vec(map(named(len)))),
            ] {
                let field = format!("f_{}", "z".repeat(len % 23));
                let fident = format_ident!("{field}");
                let ty_tokens: TokenStream = ty.flat().parse().expect("a type");
                let expected = formatted(quote! { pub struct S { pub #fident: #ty_tokens, } });
                let fields = [FieldText {
                    attrs: Vec::new(),
                    name: field.clone(),
                    ty: ty.clone(),
                }];
                if let Some(text) = struct_def(2, &[], "S", &fields) {
                    assert_eq!(text, expected, "{field}: {}", ty.flat());
                    direct += 1;
                    broken += usize::from(text.lines().count() > 3);
                }
            }
        }
        assert!(
            direct == 450 && broken > 150,
            "{direct} of 450 written directly, {broken} broken"
        );
    }

    #[test]
    fn string_enums_are_what_prettyplease_prints() {
        let mut direct = 0;
        for count in 1..=6 {
            for len in [1, 8, 20, 35, 60, 80] {
                let name = name(len);
                let ident = format_ident!("{name}");
                let validator = name.to_lowercase();
                let vident = format_ident!("{validator}");
                let variants: Vec<String> = (0..count)
                    .map(|i| format!("V{i}{}", "w".repeat(len / 4)))
                    .collect();
                let wires: Vec<String> = variants.iter().map(|v| v.to_lowercase()).collect();
                let wire_refs: Vec<&str> = wires.iter().map(String::as_str).collect();
                let vidents: Vec<_> = variants.iter().map(|v| format_ident!("{v}")).collect();
                for deserialize in [false, true] {
                    let de = deserialize.then(|| {
                        quote! {
                            impl<'de> __tg::serde::Deserialize<'de> for #ident {
                                fn deserialize<D: __tg::serde::Deserializer<'de>>(
                                    d: D,
                                ) -> ::std::result::Result<Self, D::Error> {
                                    __tg::de::string_enum(d)
                                }
                            }
                        }
                    });
                    let expected = formatted(quote! {
                        #[derive(Debug, Clone)]
                        pub enum #ident { #(#vidents,)* }
                        impl #ident {
                            /// Every value, in spec order.
                            pub const ALL: &'static [Self] = &[#(Self::#vidents),*];
                            /// The values as written in the spec, in the order of `ALL`.
                            pub const VALUES: &'static [&'static str] = &[#(#wires),*];
                            /// The value as written in the spec.
                            pub fn as_str(&self) -> &'static str {
                                Self::VALUES[*self as usize]
                            }
                            /// Checks this value against its schema; lists every violation.
                            pub fn validate(&self) -> ::std::result::Result<(), ::std::vec::Vec<__tg::Violation>> {
                                __tg::validate::value(self, super::validate::#vident)
                            }
                        }
                        impl __tg::serde::Serialize for #ident {
                            fn serialize<S: __tg::serde::Serializer>(
                                &self,
                                s: S,
                            ) -> ::std::result::Result<S::Ok, S::Error> {
                                s.serialize_str(self.as_str())
                            }
                        }
                        impl ::std::fmt::Display for #ident {
                            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                                f.write_str(self.as_str())
                            }
                        }
                        impl ::std::str::FromStr for #ident {
                            type Err = ::std::string::String;
                            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                                __tg::de::parse_enum(s, Self::VALUES, Self::ALL)
                            }
                        }
                        #de
                    });
                    let attrs = ["#[derive(Debug, Clone)]".to_owned()];
                    let definition = unit_enum_def(2, &attrs, &name, &variants);
                    let impls =
                        string_enum_impls(2, &name, &variants, &wire_refs, &validator, deserialize);
                    if let (Some(definition), Some(impls)) = (definition, impls) {
                        assert_eq!(
                            definition + &impls.concat(),
                            expected,
                            "{count} variants, name of {len} characters"
                        );
                        direct += 1;
                    }
                }
            }
        }
        assert!(direct > 30, "only {direct} of 72 written directly");
    }

    #[test]
    fn validator_fns_are_what_prettyplease_prints() {
        let bodies = [
            quote!(__tg::validate::any(c, p, e);),
            quote! {
                if __tg::validate::null(c) {
                    return;
                }
                __tg::validate::string(c, p, e, Some(1u64), None, StrFormat::DateTime, None, Some(&["available", "reserved", "sold"]));
            },
            quote!(__tg::validate::array(c, p, e, Some(self::item), None, Some(10u64), true);),
            quote!(__tg::validate::number(c, p, e, true, Some((1f64, false)), Some((-100f64, true)), Some(0.01f64), NumFormat::Int32);),
        ];
        let mut direct = 0;
        for len in 1..=90 {
            let name = name(len).to_lowercase();
            let ident = format_ident!("{name}");
            for (i, body) in bodies.iter().enumerate() {
                for public in [false, true] {
                    let visibility = public.then(|| quote!(pub));
                    let expected = formatted(quote! {
                        #visibility fn #ident(c: &mut __tg::Cursor<'_>, p: &__tg::Ptr<'_>, e: &mut __tg::Errors) {
                            #body
                        }
                    });
                    if let Some(text) = validator_text(public, &name, body) {
                        assert_eq!(text, expected, "body {i}, name of {len} characters");
                        direct += 1;
                    }
                }
            }
        }
        assert_eq!(direct, 720, "only {direct} of 720 written directly");
        // A statement other than one call is not read back.
        let rules = quote!(static RULES: Rules = Rules { ..Rules::NONE }; __tg::validate::node(c, p, e, &RULES););
        assert_eq!(validator_text(true, "f", &rules), None);
    }

    /// Object and composed validators: struct literals (broken past 34 columns), arrays of
    /// tuples, at every length around the margin.
    #[test]
    fn struct_literal_validators_are_what_prettyplease_prints() {
        let mut direct = 0;
        let mut cases = 0;
        for len in 1..=70 {
            let key = "k".repeat(len);
            let check = format_ident!("{}", name(len).to_lowercase());
            let short = format_ident!("{}", name(1 + len / 4).to_lowercase());
            let bodies = [
                quote!(__tg::validate::object(c, p, e, &ObjectRules { ..ObjectRules::NONE });),
                quote!(__tg::validate::object(c, p, e, &ObjectRules { required: &[#key], ..ObjectRules::NONE });),
                quote! {
                    __tg::validate::object(c, p, e, &ObjectRules {
                        properties: &[(#key, self::#check, Member::Optional), ("id", self::#short, Member::Required)],
                        required: &["id"],
                        additional: Additional::Denied,
                        ..ObjectRules::NONE
                    });
                },
                quote!(__tg::validate::composed(c, p, e, &Compose { any_of: &[self::#short, self::#check], ..Compose::NONE });),
                quote!(__tg::validate::composed(c, p, e, &Compose { not: Some(self::#short), ..Compose::NONE });),
                // A call's one tuple (or array) argument opens on the call's line.
                quote! {
                    __tg::validate::object(c, p, e, &ObjectRules {
                        discriminator: Some((#key, &[("Cat", self::#short), ("Dog", self::#check)])),
                        ..ObjectRules::NONE
                    });
                },
                quote!(__tg::validate::f(c, p, e, Some([#key, "b"]));),
                // Deep enough that prettyplease's minimum room (60 columns) applies.
                quote!(__tg::validate::f(c, p, e, &[[[[[[[[[(#key, "b", 1)]]]]]]]]]);),
                quote!(__tg::validate::object(c, p, e, &ObjectRules { properties: &[(#key, self::#short, Member::Optional)], ..ObjectRules::NONE });),
            ];
            for (i, body) in bodies.iter().enumerate() {
                let name = format!("v{}", "x".repeat(len % 17));
                let ident = format_ident!("{name}");
                let expected = formatted(quote! {
                    pub fn #ident(c: &mut __tg::Cursor<'_>, p: &__tg::Ptr<'_>, e: &mut __tg::Errors) {
                        if __tg::validate::null(c) {
                            return;
                        }
                        #body
                    }
                });
                let nullable: TokenStream = quote!(if __tg::validate::null(c) { return; } #body);
                cases += 1;
                if let Some(text) = validator_text(true, &name, &nullable) {
                    assert_eq!(text, expected, "body {i}, length {len}");
                    direct += 1;
                }
            }
        }
        assert_eq!(direct, cases, "only {direct} of {cases} written directly");
    }

    /// `width` counts what `flat` writes.
    #[test]
    fn widths_are_the_flat_lengths() {
        let leaf = |s: &str| Expr::Atom(s.to_owned());
        let exprs = [
            leaf("a"),
            Expr::Call("f".into(), vec![]),
            Expr::Call("f".into(), vec![leaf("a"), Expr::Ref(Box::new(leaf("bb")))]),
            Expr::Array(vec![leaf("x"), Expr::Tuple(vec![leaf("y"), leaf("zz")])]),
            Expr::Struct("P".into(), vec![], None),
            Expr::Struct("P".into(), vec![], Some("P::NONE".into())),
            Expr::Struct("P".into(), vec![("a".into(), leaf("1"))], None),
            Expr::Struct(
                "P".into(),
                vec![("a".into(), leaf("1")), ("bc".into(), leaf("x"))],
                Some("P::NONE".into()),
            ),
        ];
        for expr in exprs {
            assert_eq!(expr.width(), expr.flat().len(), "{}", expr.flat());
        }
    }

    #[test]
    fn reexports_are_what_prettyplease_prints() {
        for len in [1, 30, 60, 90] {
            let (first, name) = (
                name(len).to_lowercase(),
                format!("{}_b", name(len).to_lowercase()),
            );
            let (f, n) = (format_ident!("{first}"), format_ident!("{name}"));
            assert_eq!(
                reexport(2, &first, &name),
                formatted(quote!(pub use self::#f as #n;))
            );
        }
    }

    #[test]
    fn placeholders_are_replaced_by_their_texts() {
        let texts = Texts::default();
        let tree = |tokens: TokenStream| -> syn::Item { syn::parse2(tokens).expect("an item") };
        let items = vec![
            tree(quote!(
                pub struct A;
            )),
            texts.placeholder_item("    // first\n".into()),
            texts.placeholder_item("    // second\n".into()),
            tree(quote!(
                pub struct B;
            )),
        ];
        let mut out = super::super::chunks::Output::default();
        super::super::chunks::format_trees_with_texts(&["m"], items, &texts, &mut out)
            .expect("prints");
        assert_eq!(
            out.to_string(),
            "    pub struct A;\n    // first\n    // second\n    pub struct B;\n"
        );
        // Every text was taken; an item that only looks like a placeholder is not one.
        assert!(texts.take().iter().all(String::is_empty));
        let lookalike = tree(quote!(
            const __TOLLGATE_TEXT_0: () = ();
        ));
        assert_eq!(texts.take_text(&lookalike), None);
    }
}
