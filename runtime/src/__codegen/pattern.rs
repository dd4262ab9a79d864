//! The `pattern` keyword: ECMA-262 regular expressions (`regress`), compiled once per
//! process on first use, with a fast path for the most common shape.
//!
//! Most patterns in real specs are a whole string of characters from one ASCII class:
//! `^[a-z0-9-]+$`, `^[A-Z]{2}$`, `^\d{4}$`. For those a 128-bit set and a length check
//! decide exactly what `regress` decides, without its per-search allocation and
//! backtracking machinery (about 20 times the cost on short strings; measured with the
//! validator benchmark). The shape is recognised conservatively — anything else, and any
//! doubt, goes to `regress` — and a unit test compares both on every shape it accepts.

use std::sync::OnceLock;

/// A `pattern`, compiled with ECMA-262 semantics on first use, once per process.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Compiled>,
}

#[derive(Debug)]
enum Compiled {
    /// `^[class]{min,max}$` over ASCII characters.
    Class(AsciiRun),
    Regex(regress::Regex),
    /// Not compiled by `regress` (the generator never emits such a pattern).
    Invalid,
}

/// Compiles an ECMA-262 pattern as JSON Schema means it: with Unicode semantics (the `u`
/// flag: `\p{Letter}`, astral characters as one character), or, for the few patterns
/// only valid without it (identity escapes such as `\-`), without.
pub fn compile_pattern(source: &str) -> Option<regress::Regex> {
    regress::Regex::with_flags(source, "u")
        .or_else(|_| regress::Regex::new(source))
        .ok()
}

impl Pattern {
    /// A pattern from its source text. The generator only emits patterns `regress` compiles.
    pub const fn new(source: &'static str) -> Self {
        Self {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// Whether `text` contains a match (patterns are not anchored, as in JSON Schema).
    pub fn is_match(&self, text: &str) -> bool {
        let compiled = self.compiled.get_or_init(|| {
            match (AsciiRun::parse(self.source), compile_pattern(self.source)) {
                (Some(run), Some(_)) => Compiled::Class(run),
                (_, Some(re)) => Compiled::Regex(re),
                (_, None) => Compiled::Invalid,
            }
        });
        match compiled {
            Compiled::Class(run) => run.matches(text),
            // The ASCII matcher skips UTF-8 decoding; on ASCII text it finds the same.
            Compiled::Regex(re) if text.is_ascii() => re.find_ascii(text).is_some(),
            Compiled::Regex(re) => re.find(text).is_some(),
            Compiled::Invalid => true,
        }
    }

    /// The pattern's source.
    pub fn source(&self) -> &'static str {
        self.source
    }
}

/// `^[class]{min,max}$` where the class holds only ASCII characters: the whole text is
/// `min` to `max` characters, each in the set.
#[derive(Debug, Clone, PartialEq)]
struct AsciiRun {
    set: u128,
    min: usize,
    max: usize,
}

impl AsciiRun {
    fn matches(&self, text: &str) -> bool {
        // Every character in the set is ASCII, so characters are bytes here.
        (self.min..=self.max).contains(&text.len())
            && text
                .bytes()
                .all(|b| b < 128 && self.set & (1u128 << b) != 0)
    }

    /// The run `source` describes, or `None` when it is any other pattern.
    fn parse(source: &str) -> Option<AsciiRun> {
        let body = source.strip_prefix('^')?.strip_suffix('$')?;
        let bytes = body.as_bytes();
        let (set, rest) = match bytes {
            [b'[', rest @ ..] => class(rest)?,
            [b'\\', e, rest @ ..] => (escape_set(*e)?, rest),
            _ => return None,
        };
        let (min, max) = match rest {
            b"+" => (1, usize::MAX),
            b"*" => (0, usize::MAX),
            [b'{', counts @ .., b'}'] => {
                let counts = std::str::from_utf8(counts).ok()?;
                let number = |s: &str| {
                    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| s.parse::<usize>().ok())
                        .flatten()
                };
                match counts.split_once(',') {
                    None => {
                        let n = number(counts)?;
                        (n, n)
                    }
                    Some((min, "")) => (number(min)?, usize::MAX),
                    Some((min, max)) => (number(min)?, number(max)?),
                }
            }
            _ => return None,
        };
        (min <= max).then_some(AsciiRun { set, min, max })
    }
}

/// A bracketed class's set (`rest` starts after the `[`) and what follows its `]`. Only
/// literal ASCII characters, ranges of them, and the escapes of [`escape_set`] and of
/// punctuation; no negation.
fn class(rest: &[u8]) -> Option<(u128, &[u8])> {
    let mut set = 0u128;
    let mut i = 0;
    if rest.first() == Some(&b'^') {
        return None;
    }
    let item = |i: &mut usize| -> Option<Item> {
        let b = *rest.get(*i)?;
        *i += 1;
        match b {
            b'\\' => {
                let e = *rest.get(*i)?;
                *i += 1;
                match escape_set(e) {
                    Some(set) => Some(Item::Set(set)),
                    None if e.is_ascii_punctuation() => Some(Item::Byte(e)),
                    None => None,
                }
            }
            b'[' => None,
            b if b.is_ascii() && !b.is_ascii_control() => Some(Item::Byte(b)),
            _ => None,
        }
    };
    loop {
        if rest.get(i) == Some(&b']') {
            return (set != 0).then(|| (set, &rest[i + 1..]));
        }
        match item(&mut i)? {
            Item::Set(s) => set |= s,
            Item::Byte(from) => {
                // A range `a-z`; a `-` before `]` is literal.
                if rest.get(i) == Some(&b'-') && rest.get(i + 1).is_some_and(|b| *b != b']') {
                    i += 1;
                    let Item::Byte(to) = item(&mut i)? else {
                        return None;
                    };
                    if to < from {
                        return None;
                    }
                    for b in from..=to {
                        set |= 1u128 << b;
                    }
                } else {
                    set |= 1u128 << from;
                }
            }
        }
    }
}

enum Item {
    Byte(u8),
    Set(u128),
}

/// The set of `\d` and `\w` (ASCII in ECMA-262, with or without the `u` flag).
fn escape_set(e: u8) -> Option<u128> {
    let range = |from: u8, to: u8| (from..=to).fold(0u128, |set, b| set | 1u128 << b);
    match e {
        b'd' => Some(range(b'0', b'9')),
        b'w' => Some(range(b'0', b'9') | range(b'a', b'z') | range(b'A', b'Z') | 1u128 << b'_'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_whole_ascii_class_runs() {
        let run = AsciiRun::parse("^[a-z0-9-]+$").unwrap();
        assert_eq!((run.min, run.max), (1, usize::MAX));
        assert_eq!(AsciiRun::parse(r"^\d{4}$").unwrap().min, 4);
        assert_eq!(AsciiRun::parse("^[A-Z]{2,3}$").unwrap().max, 3);
        for other in [
            "[a-z]+",
            "^[a-z]+",
            "^[^a-z]+$",
            r"^[\s]+$",
            "^[a-z]+x$",
            "^[é]+$",
            "^[z-a]+$",
            "^[a-z]{3,2}$",
            "^[a-z]{,2}$",
            "^(ab)+$",
            r"^[\p{L}]+$",
            "^[]+$",
        ] {
            assert_eq!(AsciiRun::parse(other), None, "{other}");
        }
    }

    /// On every pattern the fast path accepts, it decides as `regress` does.
    #[test]
    fn fast_path_agrees_with_regress() {
        let patterns = [
            "^[a-z0-9-]+$",
            "^[A-Za-z0-9 _-]+$",
            r"^\d{4}$",
            r"^\w*$",
            r"^[\w.\-]{2,5}$",
            "^[-a]+$",
            "^[a-]{1,}$",
            r"^[\]\\]+$",
            "^[+*?.]{0,2}$",
            "^[A-Z]{2}$",
        ];
        let texts = [
            "",
            "a",
            "abc",
            "ab-c",
            "A",
            "AB",
            "ABC",
            "1234",
            "12345",
            "12a4",
            "a b",
            "a_b",
            "a.b",
            "-",
            "--",
            "a-",
            "]",
            "\\",
            "+*",
            "é",
            "aé",
            "a\n",
            "\u{1F600}",
            "_x_",
            "..",
        ];
        for pattern in patterns {
            let run = AsciiRun::parse(pattern).unwrap_or_else(|| panic!("{pattern}"));
            let re = compile_pattern(pattern).unwrap();
            for text in texts {
                assert_eq!(
                    run.matches(text),
                    re.find(text).is_some(),
                    "{pattern} on {text:?}"
                );
                if text.is_ascii() {
                    assert_eq!(
                        re.find(text).is_some(),
                        re.find_ascii(text).is_some(),
                        "{pattern} on {text:?} (ASCII matcher)"
                    );
                }
            }
        }
    }
}
