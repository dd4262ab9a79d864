//! Printing the items of one unit of the module, byte for byte as printing the whole file.
//!
//! prettyplease prints a module's items one after another, each starting its own line at
//! the module's indentation, so items printed apart concatenate to the whole: a unit's
//! items (syntax trees, see `emit::ast`) are printed inside the (attribute-free) headers
//! of the modules that enclose them and cut out of that text ([`format_trees`]); a module's
//! own frame, its opening lines and its closing line, is printed once around nothing
//! ([`open`]). Texts written directly take their placeholders' places
//! ([`format_trees_with_texts`]).

use std::ops::Range;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;

use super::format;

/// How many items one batch of a unit holds: few enough that their syntax trees are small
/// and their memory is reused by the next batch.
pub(crate) const CHUNK_ITEMS: usize = 32;

/// Indentation prettyplease gives one nesting level.
const INDENT: usize = 4;

/// One item's tokens.
type Item = Vec<TokenTree>;

/// A unit's text as the pieces it was printed in, copied once into the file at the end:
/// growing one string instead would copy megabytes each time it doubled, into memory
/// the system must map afresh each time.
#[derive(Debug, Default)]
pub(crate) struct Output<'a> {
    pieces: Vec<Piece<'a>>,
}

/// A piece of an [`Output`].
#[derive(Debug)]
enum Piece<'a> {
    /// A whole string.
    Owned(String),
    /// Part of a string (printed items cut out of their enclosing modules).
    Part(String, Range<usize>),
    /// Text the IR holds.
    Borrowed(&'a str),
}

impl<'a> Output<'a> {
    /// Appends `text`.
    pub(crate) fn push(&mut self, text: String) {
        self.pieces.push(Piece::Owned(text));
    }

    /// Appends `text`, held elsewhere for as long as the output.
    pub(crate) fn push_borrowed(&mut self, text: &'a str) {
        self.pieces.push(Piece::Borrowed(text));
    }

    /// Appends the part `range` of `text`.
    fn push_part(&mut self, text: String, range: Range<usize>) {
        self.pieces.push(Piece::Part(text, range));
    }

    /// The pieces' texts, in order.
    pub(crate) fn texts(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().map(|piece| match piece {
            Piece::Owned(text) => text.as_str(),
            Piece::Part(text, range) => text.get(range.clone()).unwrap_or_default(),
            Piece::Borrowed(text) => text,
        })
    }

    /// The length of the text in bytes.
    pub(crate) fn len(&self) -> usize {
        self.texts().map(str::len).sum()
    }
}

impl std::fmt::Display for Output<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.texts().try_for_each(|text| f.write_str(text))
    }
}

/// A `mod`/`impl`/`trait` item formatted inside `ancestors`, cut before its closing line:
/// its lines up to its last inner item, and its closing line. Items printed inside it go
/// between the two.
pub(crate) fn open(
    ancestors: &[TokenStream],
    item: TokenStream,
) -> Result<(String, String), String> {
    let mut item: Item = item.into_iter().collect();
    let body = take_body(&mut item).ok_or(NOT_A_CONTAINER)?;
    open_with(ancestors, &item, body)
}

/// The error of [`open`] on another item.
const NOT_A_CONTAINER: &str = "not a `mod`, `impl` or `trait` with a body";

/// [`open`] for an item given as its attributes and header and its body.
fn open_with(
    ancestors: &[TokenStream],
    attrs_and_header: &[TokenTree],
    body: TokenStream,
) -> Result<(String, String), String> {
    let head: TokenStream = attrs_and_header.iter().cloned().collect();
    let mut text = format_in(ancestors, quote!(#head { #body }))?;
    let closing = format!("{:width$}}}\n", "", width = ancestors.len() * INDENT);
    if !text.ends_with(closing.as_str()) {
        return Err("a formatted item does not end with its closing brace".to_owned());
    }
    text.truncate(text.len() - closing.len());
    Ok((text, closing))
}

/// Prints the syntax trees `items` as prettyplease prints them inside the modules
/// `modules` (outermost first) and appends the text to `out`: no tokens, no parse.
pub(crate) fn format_trees(
    modules: &[&str],
    items: Vec<syn::Item>,
    out: &mut Output<'_>,
) -> Result<(), String> {
    let wrapped = modules.iter().rev().fold(items, |inner, name| {
        vec![syn::Item::Mod(syn::ItemMod {
            attrs: Vec::new(),
            vis: syn::Visibility::Inherited,
            unsafety: None,
            mod_token: Default::default(),
            ident: super::ast::ident(name),
            content: Some((Default::default(), inner)),
            semi: None,
        })]
    });
    let text = prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: wrapped,
    });
    let inner = strip_ancestors(&text, modules.len())
        .ok_or("printed items are not inside their enclosing modules")?;
    out.push_part(text, inner);
    Ok(())
}

/// [`format_trees`] for items among which texts written directly stand as placeholders
/// (see `text::Texts`): each placeholder's text is copied in its place, and only the runs
/// of other items between them are printed.
pub(crate) fn format_trees_with_texts(
    modules: &[&str],
    items: Vec<syn::Item>,
    texts: &super::text::Texts,
    out: &mut Output<'_>,
) -> Result<(), String> {
    let mut run = Vec::new();
    for item in items {
        match texts.take_text(&item) {
            Some(text) => {
                if !run.is_empty() {
                    format_trees(modules, std::mem::take(&mut run), out)?;
                }
                out.push(text);
            }
            None => run.push(item),
        }
    }
    if !run.is_empty() {
        format_trees(modules, run, out)?;
    }
    Ok(())
}

/// Formats `items` inside `ancestors` and returns the items' lines.
fn format_in(ancestors: &[TokenStream], items: TokenStream) -> Result<String, String> {
    let wrapped = ancestors
        .iter()
        .rev()
        .fold(items, |inner, header| quote!(#header { #inner }));
    let text = format(wrapped)?;
    strip_ancestors(&text, ancestors.len())
        .and_then(|inner| text.get(inner))
        .map(str::to_owned)
        .ok_or_else(|| "a formatted chunk is not inside its enclosing items".to_owned())
}

/// Where the lines between the `depth` enclosing headers and their closing braces are. A
/// header (printed without attributes) ends at the first line at its indentation that
/// ends with `{`; its closing brace is a line of its own at the same indentation.
fn strip_ancestors(text: &str, depth: usize) -> Option<Range<usize>> {
    let mut rest = text;
    for level in 0..depth {
        loop {
            let (line, after) = rest.split_once('\n')?;
            rest = after;
            let indent = line.len() - line.trim_start_matches(' ').len();
            if indent == level * INDENT && line.ends_with('{') {
                break;
            }
        }
    }
    let start = text.len() - rest.len();
    for level in 0..depth {
        rest = rest
            .strip_suffix("}\n")?
            .strip_suffix(&" ".repeat(level * INDENT) as &str)?;
        if !(rest.is_empty() || rest.ends_with('\n')) {
            return None;
        }
    }
    Some(start..start + rest.len())
}

/// If the item is a `mod`, `impl` or `trait` with a body, takes the body off the item
/// (leaving its attributes and header) and returns the body's tokens.
fn take_body(item: &mut Item) -> Option<TokenStream> {
    let Some(TokenTree::Group(body)) = item.last() else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let kind = header(item).iter().find_map(|tree| match tree {
        TokenTree::Ident(i) if i != "pub" && i != "unsafe" => Some(i),
        _ => None,
    })?;
    if !(kind == "mod" || kind == "impl" || kind == "trait") {
        return None;
    }
    let Some(TokenTree::Group(body)) = item.pop() else {
        return None;
    };
    Some(body.stream())
}

/// An item's tokens without its outer attributes (`#` then a `[…]` group).
fn header(tokens: &[TokenTree]) -> &[TokenTree] {
    let mut rest = tokens;
    while let [TokenTree::Punct(hash), TokenTree::Group(group), after @ ..] = rest {
        if hash.as_char() != '#' || group.delimiter() != Delimiter::Bracket {
            break;
        }
        rest = after;
    }
    rest
}
