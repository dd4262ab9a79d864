//! Every Rust name the generator makes, from whatever the spec wrote.
//!
//! Rules (deterministic, so the same spec always yields the same names):
//! - characters that cannot appear in an identifier separate words; non-ASCII letters are
//!   spelled as `u` + hex code point so distinct names stay distinct;
//! - a leading digit gets a prefix (`T` for types, `_` for fields and functions);
//! - keywords get a trailing `_` (`type` → `type_`, `Self` → `Self_`);
//! - names that collide after case conversion (`getPet` / `get_pet`) get suffixes `2`, `3`, …
//!   in document order, compared case-insensitively.

use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Replaces characters that cannot be part of an identifier by word breaks.
fn words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_alphanumeric() {
            out.push_str(&format!(" u{:x} ", c as u32));
        } else {
            out.push(' ');
        }
    }
    out
}

fn finish(mut name: String, digit_prefix: &str, empty: &str) -> String {
    if name.is_empty() {
        name = empty.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, digit_prefix);
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A Rust type or variant name (`UpperCamelCase`).
pub fn type_name(raw: &str) -> String {
    finish(words(raw).to_upper_camel_case(), "T", "Unnamed")
}

/// A Rust field, function or module name (`snake_case`).
pub fn snake_name(raw: &str) -> String {
    finish(words(raw).to_snake_case(), "_", "unnamed")
}

/// Hands out unique names in one namespace; collisions are case-insensitive.
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    used: HashSet<String>,
}

impl Namespace {
    /// A namespace with some names already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        let mut ns = Self::default();
        for r in reserved {
            ns.used.insert(r.to_ascii_lowercase());
        }
        ns
    }

    /// Claims `base`, or `base2`, `base3`, … if taken.
    pub fn claim(&mut self, base: &str) -> String {
        if self.used.insert(base.to_ascii_lowercase()) {
            return base.to_owned();
        }
        let sep = if base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|candidate| self.used.insert(candidate.to_ascii_lowercase()))
            .unwrap_or_else(|| base.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names() {
        assert_eq!(type_name("Result"), "Result");
        assert_eq!(type_name("123-go"), "T123Go");
        assert_eq!(snake_name("123-go"), "_123_go");
        assert_eq!(snake_name("type"), "type_");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(snake_name("getPet"), "get_pet");
        assert_eq!(snake_name("x-request-id"), "x_request_id");
        assert_eq!(type_name("café"), "CafUe9");
        assert_eq!(type_name(""), "Unnamed");
        assert_eq!(snake_name("$"), "unnamed");
    }

    #[test]
    fn collisions_get_suffixes() {
        let mut ns = Namespace::default();
        assert_eq!(ns.claim("get_pet"), "get_pet");
        assert_eq!(ns.claim("get_pet"), "get_pet2");
        assert_eq!(ns.claim("GET_PET"), "GET_PET3");
        assert_eq!(ns.claim("v1"), "v1");
        assert_eq!(ns.claim("v1"), "v1_2");
    }
}
