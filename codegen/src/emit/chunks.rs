//! Formatting a run of items in chunks, byte for byte as formatting them in one piece.
//!
//! syn's re-parse of a whole part (millions of tokens) was most of a large spec's generation
//! time and its memory peak: one syntax tree for the part, and a token buffer grown by
//! doubling to hundreds of MB. Here the items are split at their boundaries, a large
//! `mod`/`impl`/`trait` is opened and its own items split in turn, and each chunk of a few
//! dozen items is parsed and printed on its own, inside the (attribute-free) headers of the
//! items that enclose it, so it gets the same indentation and line breaks. prettyplease
//! prints an item's inner items one after another, each ending its line, so chunks printed
//! apart concatenate to the whole.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::quote;

use super::format;

/// How many items one chunk holds: few enough that its syntax tree is small and its memory
/// is reused by the next chunk, enough that the enclosing headers printed with every chunk
/// cost little. A `mod`/`impl`/`trait` with more than twice as many inner items is
/// formatted a chunk at a time.
pub(crate) const CHUNK_ITEMS: usize = 32;

/// Indentation prettyplease gives one nesting level.
const INDENT: usize = 4;

/// One item's tokens.
type Item = Vec<TokenTree>;

/// Formats the items of `stream` as prettyplease prints them inside `ancestors` (the
/// attribute-free headers of the enclosing items, outermost first, e.g. `mod outer`,
/// `impl Foo`), `chunk` items at a time (see [`CHUNK_ITEMS`]), and appends the text to
/// `out`.
pub(crate) fn format_items(
    ancestors: &[TokenStream],
    stream: TokenStream,
    chunk: usize,
    out: &mut String,
) -> Result<(), String> {
    format_split(ancestors, split_items(stream), chunk, out)
}

/// [`format_items`] for items already split.
fn format_split(
    ancestors: &[TokenStream],
    items: Vec<Item>,
    limit: usize,
    out: &mut String,
) -> Result<(), String> {
    let mut chunk: Vec<TokenTree> = Vec::new();
    let mut count = 0;
    for mut item in items {
        if let Some(inner) = take_body(&mut item) {
            if inner.len() > 2 * limit {
                flush(ancestors, &mut chunk, &mut count, out)?;
                format_container(ancestors, &item, inner, limit, out)?;
                continue;
            }
            let body = inner.into_iter().flatten().collect();
            item.push(TokenTree::Group(Group::new(Delimiter::Brace, body)));
        }
        chunk.extend(item);
        count += 1;
        if count >= limit {
            flush(ancestors, &mut chunk, &mut count, out)?;
        }
    }
    flush(ancestors, &mut chunk, &mut count, out)
}

/// Formats the pending chunk, if any, and empties it.
fn flush(
    ancestors: &[TokenStream],
    chunk: &mut Vec<TokenTree>,
    count: &mut usize,
    out: &mut String,
) -> Result<(), String> {
    if chunk.is_empty() {
        return Ok(());
    }
    *count = 0;
    let tokens: TokenStream = std::mem::take(chunk).into_iter().collect();
    out.push_str(&format_in(ancestors, tokens)?);
    Ok(())
}

/// Formats a large `mod`/`impl`/`trait` (its attributes and header, then its inner items)
/// piece by piece: the item with its first inner item (which prints its attributes and
/// header), the other inner items inside its header, then its closing line.
fn format_container(
    ancestors: &[TokenStream],
    attrs_and_header: &[TokenTree],
    inner: Vec<Item>,
    limit: usize,
    out: &mut String,
) -> Result<(), String> {
    let mut inner = inner.into_iter();
    let first: TokenStream = inner.next().unwrap_or_default().into_iter().collect();
    let (opened, closing) = open_with(ancestors, attrs_and_header, first)?;
    out.push_str(&opened);
    format_split(
        &nested(ancestors, attrs_and_header),
        inner.collect(),
        limit,
        out,
    )?;
    out.push_str(&closing);
    Ok(())
}

/// A `mod`/`impl`/`trait` item formatted inside `ancestors`, cut before its closing line:
/// its lines up to its last inner item, and its closing line. Items formatted inside
/// [`inside`]`(ancestors, item)` go between the two.
pub(crate) fn open(
    ancestors: &[TokenStream],
    item: TokenStream,
) -> Result<(String, String), String> {
    let mut item: Item = item.into_iter().collect();
    let inner = take_body(&mut item).ok_or(NOT_A_CONTAINER)?;
    open_with(ancestors, &item, inner.into_iter().flatten().collect())
}

/// The error of [`open`] and [`inside`] on another item.
const NOT_A_CONTAINER: &str = "not a `mod`, `impl` or `trait` with a body";

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

/// Prints the syntax trees `items` as prettyplease prints them inside the modules
/// `modules` (outermost first) and appends the text to `out`: no tokens, no parse.
pub(crate) fn format_trees(
    modules: &[&str],
    items: Vec<syn::Item>,
    out: &mut String,
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
    out.push_str(inner);
    Ok(())
}

/// [`format_trees`] for items among which texts written directly stand as placeholders
/// (see `text::Texts`): each placeholder's text is copied in its place, and only the runs
/// of other items between them are printed.
pub(crate) fn format_trees_with_texts(
    modules: &[&str],
    items: Vec<syn::Item>,
    texts: &super::text::Texts,
    out: &mut String,
) -> Result<(), String> {
    let mut run = Vec::new();
    for item in items {
        match texts.take_text(&item) {
            Some(text) => {
                if !run.is_empty() {
                    format_trees(modules, std::mem::take(&mut run), out)?;
                }
                out.push_str(&text);
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
    let mut trees = stream.into_iter().peekable();
    while let Some(tree) = trees.next() {
        let ends = match &tree {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            _ => false,
        };
        tokens.push(tree);
        if ends && trees.peek().is_none_or(starts_item) {
            items.push(std::mem::take(&mut tokens));
        }
    }
    if !tokens.is_empty() {
        items.push(tokens);
    }
    items
}

/// Keywords that begin an item (or an associated item).
const ITEM_KEYWORDS: [&str; 16] = [
    "pub",
    "fn",
    "impl",
    "struct",
    "enum",
    "union",
    "type",
    "const",
    "static",
    "use",
    "mod",
    "trait",
    "async",
    "unsafe",
    "extern",
    "macro_rules",
];

/// Whether a token can begin an item (or an associated item).
fn starts_item(tree: &TokenTree) -> bool {
    match tree {
        TokenTree::Punct(p) => p.as_char() == '#',
        TokenTree::Ident(i) => ITEM_KEYWORDS.iter().any(|word| i == word),
        _ => false,
    }
}

/// If the item is a `mod`, `impl` or `trait` with a body, takes the body off the item
/// (leaving its attributes and header) and returns the body's items.
fn take_body(item: &mut Item) -> Option<Vec<Item>> {
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
    let stream = body.stream();
    // The item no longer holds the body: unless the emitter shares it, the trees move.
    drop(body);
    Some(split_items(stream))
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
