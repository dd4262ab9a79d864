//! YAML text → `serde_json::Value` plus the position of every node.
//!
//! yaml-rust2's own `Yaml` tree keeps no positions, so this drives its event parser
//! (`Parser::next_token`, which does not recurse) and builds the value and the position tree
//! together. Plain scalars follow the YAML 1.2 core schema; quoted and block scalars are
//! strings; mapping keys are always strings (their text as written). Anchors, aliases and
//! merge keys (`<<`) are supported.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::pos::{Pos, PosNode};

/// Deeper nesting is refused rather than risking the stack of later recursive passes.
const MAX_DEPTH: usize = 256;
/// How many nodes aliases may copy in total (guards against "billion laughs" documents).
const MAX_ALIAS_NODES: usize = 2_000_000;

/// A YAML syntax (or structure) error with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub(crate) message: String,
    pub(crate) pos: Pos,
}

/// The first document of a YAML stream.
#[derive(Debug)]
pub(crate) struct ParsedYaml {
    /// `Value::Null` when the stream has no document.
    pub(crate) value: Value,
    pub(crate) positions: PosNode,
    /// The stream has more documents after the first (they are not read).
    pub(crate) more_documents: bool,
}

/// Parses the first document of `text`.
pub(crate) fn parse(text: &str) -> Result<ParsedYaml, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::default();
    let mut documents = 0;
    let mut more_documents = false;
    loop {
        // Never ask for another event after `StreamEnd` or an error: the parser panics then.
        let (event, mark) = parser.next_token().map_err(scan_error)?;
        match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart if documents > 0 => {
                more_documents = true;
                break;
            }
            Event::DocumentStart => {}
            Event::DocumentEnd => documents += 1,
            event => builder.event(event, pos(mark))?,
        }
    }
    let (value, positions) = builder
        .result
        .unwrap_or_else(|| (Value::Null, PosNode::leaf(Pos::new(1, 1))));
    Ok(ParsedYaml {
        value,
        positions,
        more_documents,
    })
}

fn pos(mark: Marker) -> Pos {
    Pos::new(mark.line(), mark.col() + 1)
}

fn scan_error(error: ScanError) -> YamlError {
    YamlError {
        message: error.info().to_owned(),
        pos: pos(*error.marker()),
    }
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// Anchor id → the anchored value and its node count.
    anchors: HashMap<usize, (Value, usize)>,
    alias_nodes: usize,
    result: Option<(Value, PosNode)>,
}

struct Frame {
    anchor: usize,
    pos: Pos,
    nodes: usize,
    kind: FrameKind,
}

enum FrameKind {
    Map {
        map: Map<String, Value>,
        members: Vec<(Box<str>, PosNode)>,
        key: Option<Key>,
        merges: Vec<(Value, Pos)>,
    },
    Seq {
        items: Vec<Value>,
        positions: Vec<PosNode>,
    },
}

struct Key {
    text: String,
    pos: Pos,
    merge: bool,
}

impl Builder {
    fn awaiting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: FrameKind::Map { key: None, .. },
                ..
            })
        )
    }

    fn set_key(&mut self, key: Key) {
        if let Some(Frame {
            pos,
            kind: FrameKind::Map { key: slot, .. },
            ..
        }) = self.stack.last_mut()
        {
            // A block mapping starts where its first key does (the parser marks it later,
            // where it learns that the key is one).
            if key.pos < *pos {
                *pos = key.pos;
            }
            *slot = Some(key);
        }
    }

    fn event(&mut self, event: Event, at: Pos) -> Result<(), YamlError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if self.awaiting_key() {
                    let merge = style == TScalarStyle::Plain && tag.is_none() && text == "<<";
                    if anchor != 0 {
                        self.anchors
                            .insert(anchor, (Value::String(text.clone()), 1));
                    }
                    self.set_key(Key {
                        text,
                        pos: at,
                        merge,
                    });
                    Ok(())
                } else {
                    let value = resolve(&text, style, tag.as_ref());
                    self.complete(value, PosNode::leaf(at), anchor, 1)
                }
            }
            Event::Alias(id) => {
                let Some((value, nodes)) = self.anchors.get(&id).cloned() else {
                    return Err(error(at, "unknown anchor"));
                };
                self.alias_nodes = self.alias_nodes.saturating_add(nodes);
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(error(at, "aliases expand to too many nodes"));
                }
                if self.awaiting_key() {
                    let text = match value {
                        Value::String(text) => text,
                        Value::Array(_) | Value::Object(_) => {
                            return Err(error(at, "a mapping key must be a scalar"))
                        }
                        scalar => scalar.to_string(),
                    };
                    self.set_key(Key {
                        text,
                        pos: at,
                        merge: false,
                    });
                    Ok(())
                } else {
                    self.complete(value, PosNode::leaf(at), 0, nodes)
                }
            }
            Event::SequenceStart(anchor, _) => self.open(
                anchor,
                at,
                FrameKind::Seq {
                    items: Vec::new(),
                    positions: Vec::new(),
                },
            ),
            Event::MappingStart(anchor, _) => self.open(
                anchor,
                at,
                FrameKind::Map {
                    map: Map::new(),
                    members: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                },
            ),
            Event::SequenceEnd | Event::MappingEnd => self.close(at),
            _ => Ok(()),
        }
    }

    fn open(&mut self, anchor: usize, at: Pos, kind: FrameKind) -> Result<(), YamlError> {
        if self.awaiting_key() {
            return Err(error(at, "a mapping key must be a scalar"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(error(
                at,
                &format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.stack.push(Frame {
            anchor,
            pos: at,
            nodes: 1,
            kind,
        });
        Ok(())
    }

    fn close(&mut self, at: Pos) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Err(error(at, "unbalanced end of collection"));
        };
        let (value, positions) = match frame.kind {
            FrameKind::Seq { items, positions } => {
                (Value::Array(items), PosNode::seq(frame.pos, positions))
            }
            FrameKind::Map {
                mut map,
                members,
                merges,
                ..
            } => {
                for (source, at) in merges {
                    merge_into(&mut map, source, at)?;
                }
                (Value::Object(map), PosNode::map(frame.pos, members))
            }
        };
        self.complete(value, positions, frame.anchor, frame.nodes)
    }

    fn complete(
        &mut self,
        value: Value,
        mut positions: PosNode,
        anchor: usize,
        nodes: usize,
    ) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), nodes));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.result = Some((value, positions));
            return Ok(());
        };
        parent.nodes = parent.nodes.saturating_add(nodes);
        match &mut parent.kind {
            FrameKind::Seq {
                items,
                positions: kids,
            } => {
                items.push(value);
                kids.push(positions);
            }
            FrameKind::Map {
                map,
                members,
                key,
                merges,
            } => {
                let Some(key) = key.take() else {
                    return Err(error(positions.pos(), "a mapping key must be a scalar"));
                };
                if key.merge {
                    merges.push((value, key.pos));
                } else {
                    positions.set_pos(key.pos);
                    members.push((key.text.as_str().into(), positions));
                    map.insert(key.text, value);
                }
            }
        }
        Ok(())
    }
}

/// Applies a merge key: members of `source` (a mapping or a list of mappings) that `map` lacks.
fn merge_into(map: &mut Map<String, Value>, source: Value, at: Pos) -> Result<(), YamlError> {
    let sources = match source {
        Value::Object(single) => vec![single],
        Value::Array(list) => list
            .into_iter()
            .map(|item| match item {
                Value::Object(m) => Ok(m),
                _ => Err(()),
            })
            .collect::<Result<_, _>>()
            .map_err(|()| merge_error(at))?,
        _ => return Err(merge_error(at)),
    };
    for source in sources {
        for (key, value) in source {
            map.entry(key).or_insert(value);
        }
    }
    Ok(())
}

fn merge_error(at: Pos) -> YamlError {
    error(
        at,
        "the merge key `<<` needs a mapping or a list of mappings",
    )
}

fn error(pos: Pos, message: &str) -> YamlError {
    YamlError {
        message: message.to_owned(),
        pos,
    }
}

/// The JSON value of a scalar, following the YAML 1.2 core schema.
fn resolve(text: &str, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag {
        if tag.handle == "tag:yaml.org,2002:" {
            let explicit = match tag.suffix.as_str() {
                "str" => Some(Value::String(text.to_owned())),
                "null" => Some(Value::Null),
                "bool" => parse_bool(text).map(Value::Bool),
                "int" => parse_int(text),
                "float" => parse_float(text).or_else(|| parse_int(text)),
                _ => None,
            };
            if let Some(value) = explicit {
                return value;
            }
        } else if tag.handle == "!" && tag.suffix.is_empty() {
            return Value::String(text.to_owned());
        }
    }
    if style != TScalarStyle::Plain {
        return Value::String(text.to_owned());
    }
    resolve_plain(text)
}

fn resolve_plain(text: &str) -> Value {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    if let Some(b) = parse_bool(text) {
        return Value::Bool(b);
    }
    parse_int(text)
        .or_else(|| parse_float(text))
        .unwrap_or_else(|| Value::String(text.to_owned()))
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`. Decimal integers beyond 64 bits become floats.
fn parse_int(text: &str) -> Option<Value> {
    let radix = |digits: &str, radix: u32| {
        if digits.is_empty() {
            return None;
        }
        u64::from_str_radix(digits, radix).ok().map(Value::from)
    };
    if let Some(octal) = text.strip_prefix("0o") {
        return radix(octal, 8);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return radix(hex, 16);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    if let Ok(i) = unsigned.parse::<i64>() {
        return Some(Value::from(i));
    }
    if let Ok(u) = unsigned.parse::<u64>() {
        return Some(Value::from(u));
    }
    unsigned
        .parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf`, `.nan`.
/// JSON has no infinities or NaN: `±.inf` becomes `±f64::MAX`, `.nan` becomes `null`.
fn parse_float(text: &str) -> Option<Value> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        let max = if negative { f64::MIN } else { f64::MAX };
        return Number::from_f64(max).map(Value::Number);
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(Value::Null);
    }
    if !is_core_float(unsigned) {
        return None;
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
}

fn is_core_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut i = digits(0);
    let integral = i;
    let mut fractional = 0;
    if bytes.get(i) == Some(&b'.') {
        fractional = digits(i + 1);
        i += 1 + fractional;
    }
    if integral == 0 && fractional == 0 {
        return false;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exponent = digits(i);
        if exponent == 0 {
            return false;
        }
        i += exponent;
    }
    i == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn value(text: &str) -> Value {
        parse(text).expect("valid YAML").value
    }

    #[test]
    fn core_schema_scalars() {
        let v = value(
            "a: null\nb: ~\nc:\nd: true\ne: False\nf: 42\ng: -7\nh: 0x1F\ni: 0o17\nj: 1.5\n\
             k: .5\nl: 1e3\nm: .inf\nn: -.Inf\no: .nan\np: yes\nq: '42'\nr: \"true\"\n\
             s: 3.0.3\nt: 1_000\nu: +12\nv: 99999999999999999999\nw: !!str 12\nx: !!int \"7\"\n\
             y: |\n  block\nz: 0x\n",
        );
        assert_eq!(
            v,
            json!({
                "a": null, "b": null, "c": null, "d": true, "e": false, "f": 42, "g": -7,
                "h": 31, "i": 15, "j": 1.5, "k": 0.5, "l": 1000.0, "m": f64::MAX,
                "n": f64::MIN, "o": null, "p": "yes", "q": "42", "r": "true", "s": "3.0.3",
                "t": "1_000", "u": 12, "v": 1e20, "w": "12", "x": 7, "y": "block\n", "z": "0x"
            })
        );
    }

    #[test]
    fn keys_are_strings_as_written() {
        let v = value("200: ok\ntrue: yes\n~: n\n1.50: x\n");
        assert_eq!(
            v,
            json!({"200": "ok", "true": "yes", "~": "n", "1.50": "x"})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let v = value(
            "base: &b {x: 1, y: 2}\nother: *b\nmerged:\n  <<: *b\n  y: 3\n\
             list:\n  <<: [*b, {z: 4}]\nkey: &k name\n*k : value\n",
        );
        assert_eq!(v["other"], json!({"x": 1, "y": 2}));
        assert_eq!(v["merged"], json!({"y": 3, "x": 1}));
        assert_eq!(v["list"], json!({"x": 1, "y": 2, "z": 4}));
        assert_eq!(v["name"], json!("value"));
    }

    #[test]
    fn positions_point_at_keys() {
        let parsed = parse("openapi: 3.0.3\npaths:\n  /pets:\n    get:\n      tags: [a, b]\n")
            .expect("valid YAML");
        let p = &parsed.positions;
        assert_eq!(p.locate(&["paths", "/pets", "get"]), Pos::new(4, 5));
        assert_eq!(
            p.locate(&["paths", "/pets", "get", "tags", "1"]),
            Pos::new(5, 17)
        );
        assert_eq!(p.locate(&["paths", "/pets", "nope"]), Pos::new(3, 3));
        assert_eq!(p.locate::<&str>(&[]), Pos::new(1, 1));
        let list = parse("params:\n  - name: a\n    in: query\n").expect("valid YAML");
        assert_eq!(list.positions.locate(&["params", "0"]), Pos::new(2, 5));
    }

    #[test]
    fn errors_and_edge_cases() {
        let err = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert_eq!(err.pos.line, 2);
        assert!(parse("a: b: c\n").is_err());
        assert_eq!(value(""), Value::Null);
        assert_eq!(value("# only a comment\n"), Value::Null);
        assert_eq!(value("- 1\n- 2\n"), json!([1, 2]));
        assert!(parse("a: 1\n---\nb: 2\n").expect("valid").more_documents);
        assert!(parse("? [a]\n: b\n").is_err());
        let deep = "[".repeat(1000);
        assert!(parse(&deep).is_err());
        let bomb = "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n\
                    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n\
                    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n\
                    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        assert!(parse(bomb).is_err());
    }
}
