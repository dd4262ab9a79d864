//! The operations' part of the module, in order: request types with their extraction
//! (`requests`), response enums (`responses`), the `Api` trait, `Mock` and the router
//! (`service`), the static metadata (`meta`) and `SPEC`; and the texts they share.

use std::borrow::Cow;

use proc_macro2::Literal;

use super::text;
use super::{ast, Emitter};

/// Items of the operations' part, as syntax trees (printed directly) or as formatted text.
pub(crate) enum Part<'a> {
    Trees(Vec<syn::Item>),
    /// Formatted text (see `text`), in pieces, some held by the IR.
    Text(Vec<Cow<'a, str>>),
}

impl<'a> Emitter<'a> {
    /// The operations' part of the module: request types, response enums, the `Api`
    /// trait, `Mock`, the metadata and the router.
    #[cfg(test)]
    pub(crate) fn operations(&self) -> proc_macro2::TokenStream {
        let mut items = proc_macro2::TokenStream::new();
        self.operation_items(usize::MAX, |part| {
            match part {
                Part::Trees(trees) => {
                    items.extend(trees.iter().map(quote::ToTokens::to_token_stream));
                }
                Part::Text(_) => unreachable!("an emitter without texts writes no text"),
            }
            Ok(())
        })
        .unwrap_or_else(|never: std::convert::Infallible| match never {});
        items
    }

    /// The items of [`Self::operations`] in order, handed to `sink` a few at a time (at
    /// most `batch` request types or response enums, then the trait, `Mock`, the metadata
    /// and the router), as tokens or as syntax trees.
    pub(crate) fn operation_items<E>(
        &self,
        batch: usize,
        mut sink: impl FnMut(Part<'a>) -> Result<(), E>,
    ) -> Result<(), E> {
        let ops = &self.api.operations;
        for group in ops.chunks(batch.max(1)) {
            sink(Part::Trees(
                group.iter().flat_map(|op| self.request_trees(op)).collect(),
            ))?;
        }
        for group in ops.chunks(batch.max(1)) {
            sink(Part::Trees(
                group
                    .iter()
                    .flat_map(|op| self.response_trees(op))
                    .collect(),
            ))?;
        }
        sink(Part::Trees(vec![self.api_trait_tree()]))?;
        if self.settings.emit_mock {
            sink(Part::Trees(self.mock_trees()))?;
        }
        sink(Part::Trees(vec![self.meta_tree()]))?;
        sink(self.spec())?;
        sink(Part::Trees(self.router_trees()))
    }

    /// `pub const SPEC`, the document as JSON: as text when the emitter writes text (a
    /// raw string literal of megabytes is costly to print), else as a tree.
    fn spec(&self) -> Part<'a> {
        let json = self.api.spec_json.as_str();
        match self
            .texts
            .as_ref()
            .and_then(|_| text::spec_const(OPERATIONS_DEPTH, json))
        {
            Some((before, after)) => Part::Text(vec![before.into(), json.into(), after.into()]),
            None => Part::Trees(vec![ast::item_const(
                vec![ast::doc_line(
                    " The OpenAPI document, as JSON (served at `GET /openapi.json`).",
                )],
                "SPEC",
                ast::ty_ref(false, ast::ty("str")),
                ast::lit_expr(raw_string(json)),
            )]),
        }
    }
}

/// A raw string literal holding `text`, with as many `#` as it needs.
pub(crate) fn raw_string(text: &str) -> Literal {
    let h = raw_string_hashes(text);
    format!("r{h}\"{text}\"{h}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text))
}

/// The `#`s a raw string literal holding `text` needs: one more than the longest run of
/// `#` after a `"` in it, at least one.
pub(crate) fn raw_string_hashes(text: &str) -> String {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    "#".repeat(hashes)
}

/// How deep the operations' items are: inside the wrapper module.
const OPERATIONS_DEPTH: usize = 1;
