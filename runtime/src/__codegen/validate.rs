//! Building blocks of generated validators.
//!
//! Generated code walks a `serde_json::Value` with plain Rust control flow and calls these
//! helpers for the keyword groups, so the per-schema code stays small (compile time matters:
//! a large spec has thousands of schemas). Every failure is pushed onto [`Errors`] with the
//! JSON pointer of the failing value; nothing stops at the first error.

use std::sync::OnceLock;

use super::formats;

use serde_json::{Number, Value};

use crate::problem::{Location, Violation};

/// A JSON pointer under construction (RFC 6901), grown and shrunk as validation descends.
#[derive(Debug, Default, Clone)]
pub struct Ptr(String);

impl Ptr {
    /// The empty pointer (the whole value).
    pub fn new() -> Self {
        Self(String::new())
    }

    /// Appends an object key; returns the previous length for [`Ptr::truncate`].
    pub fn push_key(&mut self, key: &str) -> usize {
        let len = self.0.len();
        self.0.push('/');
        if !key.contains(['~', '/']) {
            self.0.push_str(key);
            return len;
        }
        for c in key.chars() {
            match c {
                '~' => self.0.push_str("~0"),
                '/' => self.0.push_str("~1"),
                c => self.0.push(c),
            }
        }
        len
    }

    /// Appends an array index; returns the previous length for [`Ptr::truncate`].
    pub fn push_index(&mut self, index: usize) -> usize {
        let len = self.0.len();
        self.0.push('/');
        // No allocation per array item (this runs for every item validated).
        self.0.push_str(itoa::Buffer::new().format(index));
        len
    }

    /// Goes back to a length returned by a push.
    pub fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }

    /// The pointer as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The violations collected while validating one request (or one response).
#[derive(Debug)]
pub struct Errors {
    location: Location,
    name: Option<String>,
    list: Vec<Violation>,
    direction: Direction,
}

/// Which way the validated value travels: `readOnly` properties are required in responses
/// only, `writeOnly` ones in requests only (OpenAPI 3.0, Schema Object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A request (parameters, body): `writeOnly` required properties are required.
    Request,
    /// A response: `readOnly` required properties are required.
    Response,
    /// Neither known (a type's `validate()`): neither kind is required.
    Either,
}

impl Default for Errors {
    fn default() -> Self {
        Self::new(Location::Body)
    }
}

impl Errors {
    /// An empty collection whose violations are attributed to `location`.
    pub fn new(location: Location) -> Self {
        Self {
            location,
            name: None,
            list: Vec::new(),
            direction: match location {
                Location::Response => Direction::Response,
                _ => Direction::Request,
            },
        }
    }

    /// The same collection, validating a value that travels `direction` (by default:
    /// [`Direction::Response`] for [`Location::Response`], [`Direction::Request`] else).
    pub fn with_direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }

    /// Attributes the following violations to `location` (and a parameter name).
    pub fn at(&mut self, location: Location, name: Option<&str>) {
        self.location = location;
        self.name = name.map(str::to_owned);
    }

    /// Records a violation at `ptr`.
    pub fn push(&mut self, ptr: &Ptr, keyword: &'static str, message: impl Into<String>) {
        self.list.push(Violation {
            location: self.location,
            name: self.name.clone(),
            pointer: ptr.as_str().to_owned(),
            keyword,
            message: message.into(),
        });
    }

    /// Number of violations so far (used to tell whether a sub-validation added any).
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// No violation so far.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Drops violations recorded after `len` (used by `anyOf`/`oneOf`/`not` trials).
    pub fn truncate(&mut self, len: usize) {
        self.list.truncate(len);
    }

    /// The violations.
    pub fn into_vec(self) -> Vec<Violation> {
        self.list
    }
}

/// A `pattern`, compiled with ECMA-262 semantics (`regress`) on first use, once per process.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<regress::Regex>>,
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
        match self.compiled.get_or_init(|| compile_pattern(self.source)) {
            Some(re) => re.find(text).is_some(),
            None => true,
        }
    }

    /// The pattern's source.
    pub fn source(&self) -> &'static str {
        self.source
    }
}

/// The JSON type names of JSON Schema, for `type` errors.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if is_integral(n) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_integral(n: &Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
}

/// Records a `type` violation: `v` is not of the `expected` type.
pub fn type_error(v: &Value, expected: &'static str, p: &Ptr, e: &mut Errors) {
    e.push(
        p,
        "type",
        format!("expected {expected}, found {}", type_name(v)),
    );
}

// ---- Keyword helpers ------------------------------------------------------------------
//
// One function per JSON Schema keyword, each a no-op on values of other types (as the
// keywords are defined), so a generated validator is a flat list of one-line calls.

/// The signature of a generated validator (and of the type checks below).
pub type Validator = fn(&Value, &mut Ptr, &mut Errors);

/// `type: string`.
pub fn type_string(v: &Value, p: &mut Ptr, e: &mut Errors) {
    if !v.is_string() {
        type_error(v, "string", p, e);
    }
}

/// `type: integer`.
pub fn type_integer(v: &Value, p: &mut Ptr, e: &mut Errors) {
    if !is_integer(v) {
        type_error(v, "integer", p, e);
    }
}

/// `type: number`.
pub fn type_number(v: &Value, p: &mut Ptr, e: &mut Errors) {
    if !v.is_number() {
        type_error(v, "number", p, e);
    }
}

/// `type: boolean`.
pub fn type_boolean(v: &Value, p: &mut Ptr, e: &mut Errors) {
    if !v.is_boolean() {
        type_error(v, "boolean", p, e);
    }
}

/// `type: array`.
pub fn type_array(v: &Value, p: &mut Ptr, e: &mut Errors) {
    if !v.is_array() {
        type_error(v, "array", p, e);
    }
}

/// `type: object`.
pub fn type_object(v: &Value, p: &mut Ptr, e: &mut Errors) {
    if !v.is_object() {
        type_error(v, "object", p, e);
    }
}

/// `minLength`, in Unicode code points.
pub fn min_length(v: &Value, min: u64, p: &Ptr, e: &mut Errors) {
    if let Value::String(s) = v {
        let len = s.chars().count() as u64;
        if len < min {
            e.push(
                p,
                "minLength",
                format!("must be at least {min} characters long, is {len}"),
            );
        }
    }
}

/// `maxLength`, in Unicode code points.
pub fn max_length(v: &Value, max: u64, p: &Ptr, e: &mut Errors) {
    if let Value::String(s) = v {
        // Byte length bounds the code-point count: most strings need no counting.
        if s.len() as u64 <= max {
            return;
        }
        let len = s.chars().count() as u64;
        if len > max {
            e.push(
                p,
                "maxLength",
                format!("must be at most {max} characters long, is {len}"),
            );
        }
    }
}

/// `pattern`.
pub fn pattern(v: &Value, pattern: &Pattern, p: &Ptr, e: &mut Errors) {
    if let Value::String(s) = v {
        if !pattern.is_match(s) {
            e.push(
                p,
                "pattern",
                format!("must match the pattern `{}`", pattern.source()),
            );
        }
    }
}

/// `format` on strings.
pub fn format(v: &Value, format: StrFormat, p: &Ptr, e: &mut Errors) {
    if let Value::String(s) = v {
        if !formats::matches(format, s) {
            e.push(
                p,
                "format",
                format!("is not a valid {}", formats::name(format)),
            );
        }
    }
}

/// `format: int32` / `int64` on numbers.
pub fn int_format(v: &Value, format: NumFormat, p: &Ptr, e: &mut Errors) {
    if let Value::Number(n) = v {
        let fits = match format {
            NumFormat::None => true,
            NumFormat::Int32 => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
            NumFormat::Int64 => {
                n.as_i64().is_some()
                    || n.as_f64()
                        .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
            }
        };
        if !fits {
            let what = if format == NumFormat::Int32 {
                "32"
            } else {
                "64"
            };
            e.push(
                p,
                "format",
                format!("must fit a {what}-bit signed integer (int{what})"),
            );
        }
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// `minimum` (`exclusive`: the boolean `exclusiveMinimum` of OpenAPI 3.0).
pub fn minimum(v: &Value, min: f64, exclusive: bool, p: &Ptr, e: &mut Errors) {
    if let Some(x) = as_f64(v) {
        if exclusive && x <= min {
            e.push(p, "exclusiveMinimum", format!("must be greater than {min}"));
        } else if x < min {
            e.push(p, "minimum", format!("must be at least {min}"));
        }
    }
}

/// `maximum` (`exclusive`: the boolean `exclusiveMaximum` of OpenAPI 3.0).
pub fn maximum(v: &Value, max: f64, exclusive: bool, p: &Ptr, e: &mut Errors) {
    if let Some(x) = as_f64(v) {
        if exclusive && x >= max {
            e.push(p, "exclusiveMaximum", format!("must be less than {max}"));
        } else if x > max {
            e.push(p, "maximum", format!("must be at most {max}"));
        }
    }
}

/// `multipleOf`.
pub fn multiple_of(v: &Value, m: f64, p: &Ptr, e: &mut Errors) {
    if let Value::Number(n) = v {
        if !is_multiple_of(n, m) {
            e.push(p, "multipleOf", format!("must be a multiple of {m}"));
        }
    }
}

/// `minItems`.
pub fn min_items(v: &Value, min: u64, p: &Ptr, e: &mut Errors) {
    if let Value::Array(items) = v {
        let len = items.len() as u64;
        if len < min {
            e.push(
                p,
                "minItems",
                format!("must have at least {min} items, has {len}"),
            );
        }
    }
}

/// `maxItems`.
pub fn max_items(v: &Value, max: u64, p: &Ptr, e: &mut Errors) {
    if let Value::Array(items) = v {
        let len = items.len() as u64;
        if len > max {
            e.push(
                p,
                "maxItems",
                format!("must have at most {max} items, has {len}"),
            );
        }
    }
}

/// `uniqueItems: true`.
pub fn unique_items(v: &Value, p: &Ptr, e: &mut Errors) {
    if let Value::Array(items) = v {
        for (i, a) in items.iter().enumerate() {
            if items[i + 1..].iter().any(|b| json_equal(a, b)) {
                e.push(p, "uniqueItems", "items must be unique");
                return;
            }
        }
    }
}

/// `items`: validates each item with `f`.
pub fn items(v: &Value, p: &mut Ptr, e: &mut Errors, f: Validator) {
    if let Value::Array(items) = v {
        for (i, item) in items.iter().enumerate() {
            let mark = p.push_index(i);
            f(item, p, e);
            p.truncate(mark);
        }
    }
}

/// `required`.
pub fn required(v: &Value, names: &[&str], p: &Ptr, e: &mut Errors) {
    if let Value::Object(o) = v {
        for name in names {
            if !o.contains_key(*name) {
                e.push(p, "required", format!("missing required property `{name}`"));
            }
        }
    }
}

/// `required` for `readOnly` (`only` = [`Direction::Response`]) or `writeOnly` (`only` =
/// [`Direction::Request`]) properties: checked only when the value travels that way.
pub fn required_in(v: &Value, names: &[&str], only: Direction, p: &Ptr, e: &mut Errors) {
    if e.direction == only {
        required(v, names, p, e);
    }
}

/// `oneOf`/`anyOf` with a `discriminator`: the tag property picks the branch from
/// `mapping` (`(tag value, validator)`), whose violations are reported as they are.
pub fn discriminator(
    v: &Value,
    p: &mut Ptr,
    e: &mut Errors,
    property: &str,
    mapping: &[(&str, Validator)],
) {
    let Value::Object(o) = v else {
        return type_error(v, "object", p, e);
    };
    let Some(tag) = o.get(property) else {
        return e.push(
            p,
            "discriminator",
            format!("missing discriminator property `{property}`"),
        );
    };
    let branch = tag
        .as_str()
        .and_then(|t| mapping.iter().find(|(value, _)| *value == t));
    match branch {
        Some((_, f)) => f(v, p, e),
        None => {
            let mark = p.push_key(property);
            e.push(
                p,
                "discriminator",
                format!(
                    "must be one of {}",
                    list(mapping.iter().map(|(value, _)| value))
                ),
            );
            p.truncate(mark);
        }
    }
}

/// `minProperties`.
pub fn min_properties(v: &Value, min: u64, p: &Ptr, e: &mut Errors) {
    if let Value::Object(o) = v {
        let len = o.len() as u64;
        if len < min {
            e.push(
                p,
                "minProperties",
                format!("must have at least {min} properties, has {len}"),
            );
        }
    }
}

/// `maxProperties`.
pub fn max_properties(v: &Value, max: u64, p: &Ptr, e: &mut Errors) {
    if let Value::Object(o) = v {
        let len = o.len() as u64;
        if len > max {
            e.push(
                p,
                "maxProperties",
                format!("must have at most {max} properties, has {len}"),
            );
        }
    }
}

/// One entry of `properties`: validates member `key` with `f`, if present.
pub fn property(v: &Value, key: &str, p: &mut Ptr, e: &mut Errors, f: Validator) {
    if let Some(member) = v.as_object().and_then(|o| o.get(key)) {
        let mark = p.push_key(key);
        f(member, p, e);
        p.truncate(mark);
    }
}

/// `additionalProperties: false`: every key must be one of `known`.
pub fn no_additional(v: &Value, known: &[&str], p: &mut Ptr, e: &mut Errors) {
    if let Value::Object(o) = v {
        for key in o.keys() {
            if !known.contains(&key.as_str()) {
                let mark = p.push_key(key);
                e.push(
                    p,
                    "additionalProperties",
                    format!("unknown property `{key}`"),
                );
                p.truncate(mark);
            }
        }
    }
}

/// `additionalProperties: {schema}`: every key not in `known` is validated with `f`.
pub fn additional(v: &Value, known: &[&str], p: &mut Ptr, e: &mut Errors, f: Validator) {
    if let Value::Object(o) = v {
        for (key, member) in o {
            if !known.contains(&key.as_str()) {
                let mark = p.push_key(key);
                f(member, p, e);
                p.truncate(mark);
            }
        }
    }
}

/// Whether `f` accepts `v` (violations discarded).
fn passes(v: &Value, p: &mut Ptr, e: &mut Errors, f: Validator) -> bool {
    let mark = e.len();
    f(v, p, e);
    let ok = e.len() == mark;
    e.truncate(mark);
    ok
}

/// `anyOf`.
pub fn any_of(v: &Value, p: &mut Ptr, e: &mut Errors, branches: &[Validator]) {
    if !branches.iter().any(|f| passes(v, p, e, *f)) {
        e.push(p, "anyOf", "does not match any of the allowed schemas");
    }
}

/// `oneOf`: exactly one branch.
pub fn one_of(v: &Value, p: &mut Ptr, e: &mut Errors, branches: &[Validator]) {
    let matched = branches.iter().filter(|f| passes(v, p, e, **f)).count();
    if matched != 1 {
        one_of_error(matched, p, e);
    }
}

/// `not`.
pub fn not(v: &Value, p: &mut Ptr, e: &mut Errors, f: Validator) {
    if passes(v, p, e, f) {
        e.push(p, "not", "must not match the excluded schema");
    }
}

/// `type: integer` (a number with no fractional part).
pub fn is_integer(v: &Value) -> bool {
    matches!(v, Value::Number(n) if is_integral(n))
}

/// String formats OpenAPI names, checked by [`check_string`]. Unknown formats pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrFormat {
    /// No format, or one tollgate does not check.
    None,
    /// RFC 3339 `date-time`.
    DateTime,
    /// RFC 3339 `full-date`.
    Date,
    /// RFC 4122 UUID.
    Uuid,
    /// An e-mail address (the addr-spec shape).
    Email,
    /// An absolute URI (RFC 3986 scheme followed by `:`).
    Uri,
    /// A dotted-quad IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// Base64 (`format: byte`).
    Byte,
}

/// Integer formats with a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumFormat {
    /// No range beyond what JSON numbers allow.
    None,
    /// Signed 32-bit.
    Int32,
    /// Signed 64-bit.
    Int64,
}

/// `multipleOf`, exact for integers and for decimal divisors such as `0.01`: the quotient is
/// compared with its nearest integer at a tolerance far below any decimal step a spec writes.
fn is_multiple_of(n: &Number, m: f64) -> bool {
    if let (Some(i), true) = (n.as_i64(), m.fract() == 0.0 && m.abs() < 9e15) {
        return (m as i64) != 0 && i % (m as i64) == 0;
    }
    let x = n.as_f64().unwrap_or(f64::NAN);
    let q = x / m;
    if !q.is_finite() {
        return false;
    }
    (q - q.round()).abs() <= 1e-9 * q.abs().max(1.0)
}

/// JSON equality as JSON Schema defines it (`1` equals `1.0`).
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// `enum` of strings.
pub fn check_enum_str(v: &Value, allowed: &[&str], p: &Ptr, e: &mut Errors) {
    let ok = matches!(v, Value::String(s) if allowed.contains(&s.as_str()));
    if !ok {
        e.push(
            p,
            "enum",
            format!("must be one of {}", list(allowed.iter())),
        );
    }
}

/// `enum` of arbitrary JSON values.
pub fn check_enum(v: &Value, allowed: &[Value], p: &Ptr, e: &mut Errors) {
    if !allowed.iter().any(|a| json_equal(a, v)) {
        e.push(
            p,
            "enum",
            format!("must be one of {}", list(allowed.iter())),
        );
    }
}

fn list<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The variant of a generated integer or mixed enum whose value equals `value` (JSON
/// equality: `1.0` is `1`); the `TryFrom<Value>` of those enums.
pub fn enum_from_value<T: Copy>(
    value: &Value,
    all: &[T],
    to_value: fn(T) -> Value,
) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|v| json_equal(&to_value(*v), value))
        .ok_or_else(|| {
            format!(
                "unknown value `{value}`, expected one of {}",
                list(all.iter().map(|v| to_value(*v)))
            )
        })
}

/// Parses the JSON text of a non-string `enum` list emitted by the generator.
pub fn enum_values(json: &str) -> Vec<Value> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Records a `oneOf` failure (`matched` branches instead of exactly one).
pub fn one_of_error(matched: usize, p: &Ptr, e: &mut Errors) {
    if matched == 0 {
        e.push(p, "oneOf", "does not match any of the allowed schemas");
    } else {
        e.push(
            p,
            "oneOf",
            format!("matches {matched} of the allowed schemas, must match exactly one"),
        );
    }
}

/// Validates a typed value by its JSON form (the `validate()` method of generated types).
pub fn value<T: serde::Serialize>(
    value: &T,
    validate: fn(&Value, &mut Ptr, &mut Errors),
) -> Result<(), Vec<Violation>> {
    let mut errors = Errors::new(Location::Body).with_direction(Direction::Either);
    match serde_json::to_value(value) {
        Ok(json) => validate(&json, &mut Ptr::new(), &mut errors),
        Err(err) => errors.push(
            &Ptr::new(),
            "type",
            format!("could not be serialized: {err}"),
        ),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiple_of_is_exact_for_decimals() {
        let n = |s: &str| serde_json::from_str::<Number>(s).unwrap();
        assert!(is_multiple_of(&n("0.3"), 0.01));
        assert!(is_multiple_of(&n("19.99"), 0.01));
        assert!(!is_multiple_of(&n("19.995"), 0.01));
        assert!(is_multiple_of(&n("10"), 5.0));
        assert!(!is_multiple_of(&n("7"), 5.0));
    }

    #[test]
    fn pointers_escape() {
        let mut p = Ptr::new();
        let a = p.push_key("a/b");
        p.push_key("c~d");
        assert_eq!(p.as_str(), "/a~1b/c~0d");
        p.truncate(a);
        p.push_index(3);
        assert_eq!(p.as_str(), "/3");
    }
}
