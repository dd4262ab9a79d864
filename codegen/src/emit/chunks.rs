//! Formatting a run of items in chunks, byte for byte as formatting them in one piece.
//!
//! syn's re-parse of a whole part (millions of tokens) was most of a large spec's generation
//! time and its memory peak: one syntax tree for the part, and a token buffer grown by
//! doubling to hundreds of MB. Here the items are split at their boundaries, a large
//! `mod`/`impl`/`trait` is opened and its own items split in turn, and each chunk of a few
//! thousand tokens is parsed and printed on its own, inside the (attribute-free) headers of
//! the items that enclose it, so it gets the same indentation and line breaks. prettyplease
//! prints an item's inner items one after another, each ending its line, so chunks printed
//! apart concatenate to the whole.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;

use super::format;

/// About how many tokens one chunk holds: small enough that its syntax tree is a few MB and
/// its memory is reused by the next chunk, large enough that the enclosing headers printed
/// with every chunk cost nothing.
const CHUNK_TOKENS: usize = 8 * 1024;

/// Indentation prettyplease gives one nesting level.
const INDENT: usize = 4;

/// One item's tokens and its size in tokens (groups count their contents).
struct Item {
    tokens: Vec<TokenTree>,
    weight: usize,
}

/// Formats the items of `stream` as prettyplease prints them inside `ancestors` (the
/// attribute-free headers of the enclosing items, outermost first, e.g. `mod outer`,
/// `impl Foo`), and appends the text to `out`.
pub(crate) fn format_items(
    ancestors: &[TokenStream],
    stream: TokenStream,
    out: &mut String,
) -> Result<(), String> {
    let mut chunk: Vec<TokenTree> = Vec::new();
    let mut chunk_weight = 0;
    for item in split_items(stream) {
        if item.weight > CHUNK_TOKENS {
            if let Some((attrs_and_header, body)) = container(&item.tokens) {
                flush(ancestors, &mut chunk, &mut chunk_weight, out)?;
                format_container(ancestors, attrs_and_header, body, out)?;
                continue;
            }
        }
        if chunk_weight + item.weight > CHUNK_TOKENS {
            flush(ancestors, &mut chunk, &mut chunk_weight, out)?;
        }
        chunk_weight += item.weight;
        chunk.extend(item.tokens);
    }
    flush(ancestors, &mut chunk, &mut chunk_weight, out)
}

/// Formats the pending chunk, if any, and empties it.
fn flush(
    ancestors: &[TokenStream],
    chunk: &mut Vec<TokenTree>,
    weight: &mut usize,
    out: &mut String,
) -> Result<(), String> {
    if chunk.is_empty() {
        return Ok(());
    }
    *weight = 0;
    let tokens: TokenStream = std::mem::take(chunk).into_iter().collect();
    out.push_str(&format_in(ancestors, tokens)?);
    Ok(())
}

/// Formats a large `mod`/`impl`/`trait` (its attributes and header, then the brace group
/// of its items) piece by piece: the item with its first inner items (which prints its
/// attributes and header), the other inner items inside its header, then its closing line.
fn format_container(
    ancestors: &[TokenStream],
    attrs_and_header: &[TokenTree],
    body: TokenStream,
    out: &mut String,
) -> Result<(), String> {
    let mut inner = split_items(body).into_iter();
    let mut first: Vec<TokenTree> = Vec::new();
    let mut first_weight = 0;
    for item in inner.by_ref() {
        first_weight += item.weight;
        first.extend(item.tokens);
        if first_weight >= CHUNK_TOKENS / 4 {
            break;
        }
    }
    let (opened, closing) = open_with(ancestors, attrs_and_header, first.into_iter().collect())?;
    out.push_str(&opened);
    let rest: TokenStream = inner.flat_map(|item| item.tokens).collect();
    format_items(&nested(ancestors, attrs_and_header), rest, out)?;
    out.push_str(&closing);
    Ok(())
}

/// A `mod`/`impl`/`trait` item formatted inside `ancestors`, cut before its closing line:
/// its lines up to its last inner item, and its closing line. Items formatted inside
/// [`inside`]`(ancestors, item)` go between the two.
pub(crate) fn open(ancestors: &[TokenStream], item: TokenStream) -> Result<(String, String), String> {
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    let (attrs_and_header, body) = container(&tokens).ok_or("not a `mod`, `impl` or `trait`")?;
    open_with(ancestors, attrs_and_header, body)
}

/// The enclosing items of the items inside the `mod`/`impl`/`trait` `item` (formatted
/// inside `ancestors`): `ancestors`, then the item's header.
pub(crate) fn inside(ancestors: &[TokenStream], item: TokenStream) -> Result<Vec<TokenStream>, String> {
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    let (attrs_and_header, _) = container(&tokens).ok_or("not a `mod`, `impl` or `trait`")?;
    Ok(nested(ancestors, attrs_and_header))
}

/// [`open`] for an item given as its attributes and header and its inner items.
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

/// `ancestors` and the header of an item with attributes `attrs_and_header`.
fn nested(ancestors: &[TokenStream], attrs_and_header: &[TokenTree]) -> Vec<TokenStream> {
    let mut nested = ancestors.to_vec();
    nested.push(header(attrs_and_header).iter().cloned().collect());
    nested
}

/// Formats `items` inside `ancestors` and returns the items' lines.
fn format_in(ancestors: &[TokenStream], items: TokenStream) -> Result<String, String> {
    let wrapped = ancestors
        .iter()
        .rev()
        .fold(items, |inner, header| quote!(#header { #inner }));
    let text = format(wrapped)?;
    strip_ancestors(&text, ancestors.len())
        .map(str::to_owned)
        .ok_or_else(|| "a formatted chunk is not inside its enclosing items".to_owned())
}

/// The lines between the `depth` enclosing headers and their closing braces. A header
/// (printed without attributes) ends at the first line at its indentation that ends with
/// `{`; its closing brace is a line of its own at the same indentation.
fn strip_ancestors(text: &str, depth: usize) -> Option<&str> {
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
    for level in 0..depth {
        rest = rest
            .strip_suffix("}\n")?
            .strip_suffix(&" ".repeat(level * INDENT) as &str)?;
        if !(rest.is_empty() || rest.ends_with('\n')) {
            return None;
        }
    }
    Some(rest)
}

/// Splits a run of items at their boundaries: an item ends with a `;` or a `{…}` group that
/// is followed by the start of another item (an attribute, or a keyword that begins an
/// item) or by nothing. Inside an item, a `;` or braces at the top level are followed by
/// neither (`const X: T = T { … };`, `if a { … } else { … }`).
fn split_items(stream: TokenStream) -> Vec<Item> {
    let mut items = Vec::new();
    let mut tokens = Vec::new();
    let mut weight = 0;
    let mut trees = stream.into_iter().peekable();
    while let Some(tree) = trees.next() {
        weight += tree_weight(&tree);
        let ends = match &tree {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            _ => false,
        };
        tokens.push(tree);
        if ends && trees.peek().is_none_or(starts_item) {
            items.push(Item {
                tokens: std::mem::take(&mut tokens),
                weight: std::mem::take(&mut weight),
            });
        }
    }
    if !tokens.is_empty() {
        items.push(Item { tokens, weight });
    }
    items
}

/// Whether a token can begin an item (or an associated item).
fn starts_item(tree: &TokenTree) -> bool {
    match tree {
        TokenTree::Punct(p) => p.as_char() == '#',
        TokenTree::Ident(i) => {
            let word = i.to_string();
            matches!(
                word.as_str(),
                "pub"
                    | "fn"
                    | "impl"
                    | "struct"
                    | "enum"
                    | "union"
                    | "type"
                    | "const"
                    | "static"
                    | "use"
                    | "mod"
                    | "trait"
                    | "async"
                    | "unsafe"
                    | "extern"
                    | "macro_rules"
            )
        }
        _ => false,
    }
}

/// Number of tokens in a tree, a group counting its delimiters and contents.
fn tree_weight(tree: &TokenTree) -> usize {
    match tree {
        TokenTree::Group(g) => 2 + g.stream().into_iter().map(|t| tree_weight(&t)).sum::<usize>(),
        _ => 1,
    }
}

/// If the item is a `mod`, `impl` or `trait` with a body, its attributes and header, and
/// its body's items.
fn container(tokens: &[TokenTree]) -> Option<(&[TokenTree], TokenStream)> {
    let (TokenTree::Group(body), attrs_and_header) = tokens.split_last()? else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let mut words = header(attrs_and_header).iter().filter_map(|t| match t {
        TokenTree::Ident(i) => Some(i.to_string()),
        _ => None,
    });
    let kind = words.find(|w| !matches!(w.as_str(), "pub" | "crate" | "unsafe"))?;
    matches!(kind.as_str(), "mod" | "impl" | "trait").then(|| (attrs_and_header, body.stream()))
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
