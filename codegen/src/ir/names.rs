//! Every Rust name the generator makes, from whatever the spec wrote.
//!
//! Rules (deterministic, so the same spec always yields the same names):
//! - characters that cannot appear in an identifier separate words; non-ASCII letters are
//!   spelled as `u` + hex code point so distinct names stay distinct;
//! - a leading digit gets a prefix (`T` for types, `_` for fields and functions);
//! - keywords get a trailing `_` (`type` → `type_`, `Self` → `Self_`);
//! - names that collide after case conversion (`getPet` / `get_pet`) get suffixes `2`, `3`, …
//!   in document order, compared case-insensitively.

use rustc_hash::FxHashSet as HashSet;

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
    let words = words(raw);
    let name = ascii_case(&words, Case::UpperCamel).unwrap_or_else(|| words.to_upper_camel_case());
    finish(name, "T", "Unnamed")
}

/// A Rust field, function or module name (`snake_case`).
pub fn snake_name(raw: &str) -> String {
    let words = words(raw);
    let name = ascii_case(&words, Case::Snake).unwrap_or_else(|| words.to_snake_case());
    finish(name, "_", "unnamed")
}

/// The two conversions of heck the names use.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Case {
    /// `to_upper_camel_case`: each word capitalised, no separator.
    UpperCamel,
    /// `to_snake_case`: each word lowercased, `_` between words.
    Snake,
}

/// heck's conversion of an ASCII text, byte for byte what heck writes (its word splitting
/// — at non-alphanumerics, before an uppercase letter that follows a lowercase one, and
/// before the last of a run of uppercase letters followed by a lowercase one — then its
/// casing), without heck's `char`-by-`char` formatting: names are made for every schema
/// and property, and heck's generality was 5% of a large spec's generation. `None` for a
/// text with non-ASCII characters (never after [`words`]), left to heck itself. The tests
/// hold it to heck on every input shape.
fn ascii_case(text: &str, case: Case) -> Option<String> {
    if !text.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut first_word = true;
    let mut push_word = |word: &[u8], out: &mut String| {
        if case == Case::Snake && !first_word {
            out.push('_');
        }
        first_word = false;
        for (i, &b) in word.iter().enumerate() {
            let c = if case == Case::UpperCamel && i == 0 {
                b.to_ascii_uppercase()
            } else {
                b.to_ascii_lowercase()
            };
            out.push(char::from(c));
        }
    };
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    for word in text.as_bytes().split(|b| !b.is_ascii_alphanumeric()) {
        let mut start = 0;
        let mut mode = Mode::Boundary;
        for i in 0..word.len() {
            let c = word[i];
            let Some(&next) = word.get(i + 1) else {
                push_word(&word[start..], &mut out);
                break;
            };
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lower
            } else if c.is_ascii_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_ascii_uppercase() {
                push_word(&word[start..=i], &mut out);
                start = i + 1;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
                push_word(&word[start..i], &mut out);
                start = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
    Some(out)
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

    /// The ASCII conversion is heck's, on every shape of input: all short strings over an
    /// alphabet of each character class, and longer random ones.
    #[test]
    fn ascii_case_is_hecks() {
        let alphabet = ['a', 'B', 'c', 'D', '1', ' ', '_', '-', 'Z', 'q'];
        let mut inputs: Vec<String> = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = inputs
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            inputs.extend(longer);
        }
        // A fixed-seed generator: reproducible, no dependency.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(char::from(b' ' + (state % 95) as u8));
            }
            inputs.push(s);
        }
        for input in &inputs {
            assert_eq!(
                ascii_case(input, Case::UpperCamel).as_deref(),
                Some(input.to_upper_camel_case().as_str()),
                "{input:?}"
            );
            assert_eq!(
                ascii_case(input, Case::Snake).as_deref(),
                Some(input.to_snake_case().as_str()),
                "{input:?}"
            );
        }
        assert_eq!(ascii_case("café", Case::Snake), None);
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
