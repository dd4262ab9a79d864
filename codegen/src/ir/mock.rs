//! Values the generated `Mock` answers with: synthesised from a schema so that they pass
//! the generated validator (bounds, lengths, enums, `required`, formats, simple patterns).

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

use super::{Additional, Check, Node, NodeKind, NumberRules, ObjectRules, StringRules};

/// How deep references are followed; recursive required fields end in `null` there.
const MAX_DEPTH: usize = 12;

/// A value for `node`, whose references resolve through `validators`.
pub(crate) fn synthesize(node: &Node, validators: &BTreeMap<String, Node>) -> Value {
    Synth { validators }.node(node, 0)
}

struct Synth<'a> {
    validators: &'a BTreeMap<String, Node>,
}

impl Synth<'_> {
    fn check(&self, check: &Check, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        match check {
            Check::Inline(node) => self.node(node, depth + 1),
            Check::Ref(name) => match self.validators.get(name) {
                Some(node) => self.node(node, depth + 1),
                None => Value::Null,
            },
        }
    }

    /// Mocks are responses: `readOnly` required properties are there, `writeOnly` ones not.
    fn object(&self, rules: &ObjectRules, depth: usize) -> Value {
        let mut map = Map::new();
        let required = || rules.required.iter().chain(&rules.required_read_only);
        for (name, check) in &rules.properties {
            if required().any(|r| r == name) {
                map.insert(name.clone(), self.check(check, depth));
            }
        }
        for name in required() {
            if !map.contains_key(name) {
                let value = match &rules.additional {
                    Additional::Schema(check) => self.check(check, depth),
                    _ => Value::String("string".into()),
                };
                map.insert(name.clone(), value);
            }
        }
        Value::Object(map)
    }

    fn node(&self, node: &Node, depth: usize) -> Value {
        if let Some(first) = node
            .enum_values
            .as_ref()
            .and_then(|v| v.iter().find(|v| !v.is_null()))
        {
            return first.clone();
        }
        let own = match &node.kind {
            NodeKind::String(rules) => Some(Value::String(string(rules, node.example.as_ref()))),
            NodeKind::Integer(rules) => Some(integer(rules)),
            NodeKind::Number(rules) => Some(number(rules)),
            NodeKind::Boolean => Some(Value::Bool(true)),
            NodeKind::Array(rules) => {
                let count = rules.min_items.unwrap_or(0).min(3) as usize;
                let items = (0..count)
                    .map(|i| {
                        let item = rules
                            .items
                            .as_ref()
                            .map(|c| self.check(c, depth))
                            .unwrap_or(Value::from(i));
                        distinct(item, i, rules.unique_items)
                    })
                    .collect();
                Some(Value::Array(items))
            }
            NodeKind::Object(rules) => Some(self.object(rules, depth)),
            // A schema without `type` but with object keywords is an object to the Rust
            // type (a struct); anything else untyped has no natural mock.
            NodeKind::Any => node
                .untyped
                .as_ref()
                .filter(|u| u.object != ObjectRules::default())
                .map(|u| self.object(&u.object, depth)),
        };
        let mut value = own;
        for branch in &node.all_of {
            let part = self.check(branch, depth);
            value = Some(match (value, part) {
                (Some(Value::Object(mut a)), Value::Object(b)) => {
                    for (k, v) in b {
                        a.entry(k).or_insert(v);
                    }
                    Value::Object(a)
                }
                (Some(a), _) => a,
                (None, b) => b,
            });
        }
        if let (None, Some(d)) = (&value, &node.discriminator) {
            if let Some((tag, branch)) = d.mapping.first() {
                let mut branch = self.check(branch, depth);
                if let Value::Object(map) = &mut branch {
                    map.insert(d.property.clone(), Value::String(tag.clone()));
                }
                value = Some(branch);
            }
        }
        if value.is_none() {
            if let Some(first) = node.one_of.first().or_else(|| node.any_of.first()) {
                value = Some(self.check(first, depth));
            }
        }
        match value {
            Some(v) => v,
            None if node.nullable => Value::Null,
            None => node.example.clone().unwrap_or(Value::Object(Map::new())),
        }
    }
}

/// Makes array items distinct when `uniqueItems` asks for it (strings and numbers only).
fn distinct(item: Value, i: usize, unique: bool) -> Value {
    if !unique || i == 0 {
        return item;
    }
    match item {
        Value::String(s) => Value::String(format!("{s}{i}")),
        Value::Number(n) => n
            .as_i64()
            .map(|n| Value::from(n + i as i64))
            .unwrap_or(Value::Number(n)),
        other => other,
    }
}

fn string(rules: &StringRules, example: Option<&Value>) -> String {
    let base = match rules.format.as_deref() {
        Some("date-time") => "2024-01-01T00:00:00Z",
        Some("date") => "2024-01-01",
        Some("uuid") => "00000000-0000-4000-8000-000000000000",
        Some("email") => "user@example.com",
        Some("uri") | Some("url") => "https://example.com/",
        Some("ipv4") => "192.0.2.1",
        Some("ipv6") => "2001:db8::1",
        Some("byte") => "AAAA",
        _ => "string",
    };
    let fits = |s: &str| {
        let n = s.chars().count() as u64;
        rules.min_length.is_none_or(|m| n >= m) && rules.max_length.is_none_or(|m| n <= m)
    };
    let Some(pattern) = &rules.pattern else {
        return sized(base, rules);
    };
    let Ok(re) = regress::Regex::new(pattern) else {
        return sized(base, rules);
    };
    let example = example.and_then(Value::as_str);
    let candidates = example.into_iter().chain([
        base,
        "string",
        "a",
        "A",
        "abc",
        "Abc",
        "ABC",
        "a1",
        "A1",
        "1",
        "0",
        "12",
        "123",
        "1234",
        "x",
        "example",
        "aaaaaaaa",
        "AAAAAAAA",
        "a-b",
        "a_b",
        "a.b",
        "2024-01-01",
        "00000000-0000-4000-8000-000000000000",
    ]);
    for candidate in candidates {
        if re.find(candidate).is_some() && fits(candidate) {
            return candidate.to_owned();
        }
        let padded = sized(candidate, rules);
        if re.find(&padded).is_some() && fits(&padded) {
            return padded;
        }
    }
    sized(base, rules)
}

fn sized(base: &str, rules: &StringRules) -> String {
    let mut s: String = base.to_owned();
    if let Some(min) = rules.min_length {
        let fill = base.chars().last().unwrap_or('x');
        while (s.chars().count() as u64) < min {
            s.push(fill);
        }
    }
    if let Some(max) = rules.max_length {
        s = s.chars().take(max as usize).collect();
    }
    s
}

fn bounds(rules: &NumberRules, step: f64) -> (Option<f64>, Option<f64>) {
    let lo = rules
        .minimum
        .map(|m| if rules.exclusive_minimum { m + step } else { m });
    let hi = rules
        .maximum
        .map(|m| if rules.exclusive_maximum { m - step } else { m });
    (lo, hi)
}

fn integer(rules: &NumberRules) -> Value {
    let (lo, hi) = bounds(rules, 1.0);
    let lo = lo.map(f64::ceil);
    let hi = hi.map(f64::floor);
    let mut v = 1.0_f64;
    if let Some(lo) = lo {
        v = v.max(lo);
    }
    if let Some(hi) = hi {
        v = v.min(hi);
    }
    if let Some(m) = rules.multiple_of.filter(|m| m.fract() == 0.0) {
        v = (v / m).ceil() * m;
        if hi.is_some_and(|hi| v > hi) {
            v -= m;
        }
    }
    Value::from(v as i64)
}

fn number(rules: &NumberRules) -> Value {
    let (lo, hi) = bounds(rules, 0.5);
    let mut v = 1.0_f64;
    if let Some(lo) = lo {
        v = v.max(lo);
    }
    if let Some(hi) = hi {
        v = v.min(hi);
    }
    if let Some(m) = rules.multiple_of {
        v = (v / m).ceil() * m;
    }
    if v.fract() == 0.0 && v.abs() < 9e15 {
        return Value::from(v as i64);
    }
    Number::from_f64(v)
        .map(Value::Number)
        .unwrap_or(Value::from(0))
}
