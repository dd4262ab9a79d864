//! Building blocks of generated validators.
//!
//! Generated code walks a [`Json`] tree with plain Rust control flow and calls these
//! helpers for the keyword groups, so the per-schema code stays small (compile time matters:
//! a large spec has thousands of schemas). Every failure is pushed onto [`Errors`] with the
//! JSON pointer of the failing value; nothing stops at the first error.

use std::sync::OnceLock;

use super::formats;

use serde_json::{Number, Value};

use super::json::Json;

use crate::problem::{Location, Violation};

/// Where validation is, as a JSON pointer (RFC 6901) kept lazily: each descent adds a
/// segment on the stack that links to its parent, and the pointer text is only written
/// when a violation is recorded (valid input never pays for it).
#[derive(Debug, Clone, Copy)]
pub struct Ptr<'a> {
    parent: Option<&'a Ptr<'a>>,
    segment: Segment<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl Default for Ptr<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Ptr<'a> {
    /// The empty pointer (the whole value).
    pub const fn new() -> Self {
        Self {
            parent: None,
            segment: Segment::Root,
        }
    }

    /// The pointer to member `key` of the value here.
    pub fn key<'b>(&'b self, key: &'b str) -> Ptr<'b> {
        Ptr {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// The pointer to item `index` of the value here.
    pub fn index(&self, index: usize) -> Ptr<'_> {
        Ptr {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    /// The pointer as text (`/items/3/name`). One allocation, sized up front (this runs
    /// once per violation; a refused request lists several).
    pub fn to_text(&self) -> String {
        let mut len = 0;
        let mut at = Some(self);
        while let Some(ptr) = at {
            len += match ptr.segment {
                Segment::Root => 0,
                // Escaping at most doubles a key.
                Segment::Key(key) => 1 + 2 * key.len(),
                Segment::Index(_) => 21,
            };
            at = ptr.parent;
        }
        let mut text = String::with_capacity(len);
        self.write_to(&mut text);
        text
    }

    /// Appends the parent's segments, then this one.
    fn write_to(&self, text: &mut String) {
        if let Some(parent) = self.parent {
            parent.write_to(text);
        }
        match self.segment {
            Segment::Root => {}
            Segment::Key(key) => push_key(text, key),
            Segment::Index(index) => {
                text.push('/');
                text.push_str(itoa::Buffer::new().format(index));
            }
        }
    }
}

/// Appends `/key` to a pointer's text, escaping `~` and `/` (RFC 6901).
pub fn push_key(text: &mut String, key: &str) {
    text.push('/');
    if !key.bytes().any(|b| b == b'~' || b == b'/') {
        text.push_str(key);
        return;
    }
    for c in key.chars() {
        match c {
            '~' => text.push_str("~0"),
            '/' => text.push_str("~1"),
            c => text.push(c),
        }
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
    pub fn push(&mut self, ptr: &Ptr<'_>, keyword: &'static str, message: impl Into<String>) {
        self.push_at(ptr.to_text(), keyword, message);
    }

    /// Records a violation at the JSON pointer `pointer` (text already written).
    pub fn push_at(&mut self, pointer: String, keyword: &'static str, message: impl Into<String>) {
        // A refused request usually lists a few: room for eight at once, not 4 then 8.
        if self.list.capacity() == 0 {
            self.list.reserve(8);
        }
        self.list.push(Violation {
            location: self.location,
            name: self.name.clone(),
            pointer,
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
fn type_name(v: &Json<'_>) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if is_integral(n) => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn is_integral(n: &Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
}

/// Records a `type` violation: `v` is not of the `expected` type.
pub fn type_error(v: &Json<'_>, expected: &'static str, p: &Ptr<'_>, e: &mut Errors) {
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
pub type Validator = fn(&Json<'_>, &Ptr<'_>, &mut Errors);

/// `type: string`.
pub fn type_string(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors) {
    if !matches!(v, Json::String(_)) {
        type_error(v, "string", p, e);
    }
}

/// `type: integer`.
pub fn type_integer(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors) {
    if !is_integer(v) {
        type_error(v, "integer", p, e);
    }
}

/// `type: number`.
pub fn type_number(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors) {
    if !matches!(v, Json::Number(_)) {
        type_error(v, "number", p, e);
    }
}

/// `type: boolean`.
pub fn type_boolean(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors) {
    if !matches!(v, Json::Bool(_)) {
        type_error(v, "boolean", p, e);
    }
}

/// `type: array`.
pub fn type_array(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors) {
    if !matches!(v, Json::Array(_)) {
        type_error(v, "array", p, e);
    }
}

/// `type: object`.
pub fn type_object(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors) {
    if !matches!(v, Json::Object(_)) {
        type_error(v, "object", p, e);
    }
}

/// `minLength`, in Unicode code points.
pub fn min_length(v: &Json<'_>, min: u64, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::String(s) = v {
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
pub fn max_length(v: &Json<'_>, max: u64, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::String(s) = v {
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
pub fn pattern(v: &Json<'_>, pattern: &Pattern, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::String(s) = v {
        if !pattern.is_match(s) {
            e.push(
                p,
                "pattern",
                concat(&["must match the pattern `", pattern.source(), "`"]),
            );
        }
    }
}

/// `format` on strings.
pub fn format(v: &Json<'_>, format: StrFormat, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::String(s) = v {
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
pub fn int_format(v: &Json<'_>, format: NumFormat, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::Number(n) = v {
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

fn as_f64(v: &Json<'_>) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// `minimum` (`exclusive`: the boolean `exclusiveMinimum` of OpenAPI 3.0).
pub fn minimum(v: &Json<'_>, min: f64, exclusive: bool, p: &Ptr<'_>, e: &mut Errors) {
    if let Some(x) = as_f64(v) {
        if exclusive && x <= min {
            e.push(
                p,
                "exclusiveMinimum",
                with_number("must be greater than ", min),
            );
        } else if x < min {
            e.push(p, "minimum", with_number("must be at least ", min));
        }
    }
}

/// `maximum` (`exclusive`: the boolean `exclusiveMaximum` of OpenAPI 3.0).
pub fn maximum(v: &Json<'_>, max: f64, exclusive: bool, p: &Ptr<'_>, e: &mut Errors) {
    if let Some(x) = as_f64(v) {
        if exclusive && x >= max {
            e.push(
                p,
                "exclusiveMaximum",
                with_number("must be less than ", max),
            );
        } else if x > max {
            e.push(p, "maximum", with_number("must be at most ", max));
        }
    }
}

/// `multipleOf`.
pub fn multiple_of(v: &Json<'_>, m: f64, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::Number(n) = v {
        if !is_multiple_of(n, m) {
            e.push(p, "multipleOf", with_number("must be a multiple of ", m));
        }
    }
}

/// `minItems`.
pub fn min_items(v: &Json<'_>, min: u64, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::Array(items) = v {
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
pub fn max_items(v: &Json<'_>, max: u64, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::Array(items) = v {
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
pub fn unique_items(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::Array(items) = v {
        for (i, a) in items.iter().enumerate() {
            if items[i + 1..].iter().any(|b| json_equal(a, b)) {
                e.push(p, "uniqueItems", "items must be unique");
                return;
            }
        }
    }
}

/// `items`: validates each item with `f`.
pub fn items(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors, f: Validator) {
    if let Json::Array(items) = v {
        for (i, item) in items.iter().enumerate() {
            f(item, &p.index(i), e);
        }
    }
}

/// `required`.
pub fn required(v: &Json<'_>, names: &[&str], p: &Ptr<'_>, e: &mut Errors) {
    if let Json::Object(o) = v {
        for name in names {
            if !o.iter().any(|(k, _)| k == name) {
                e.push(p, "required", format!("missing required property `{name}`"));
            }
        }
    }
}

/// `required` for `readOnly` (`only` = [`Direction::Response`]) or `writeOnly` (`only` =
/// [`Direction::Request`]) properties: checked only when the value travels that way.
pub fn required_in(v: &Json<'_>, names: &[&str], only: Direction, p: &Ptr<'_>, e: &mut Errors) {
    if e.direction == only {
        required(v, names, p, e);
    }
}

/// `oneOf`/`anyOf` with a `discriminator`: the tag property picks the branch from
/// `mapping` (`(tag value, validator)`), whose violations are reported as they are.
pub fn discriminator(
    v: &Json<'_>,
    p: &Ptr<'_>,
    e: &mut Errors,
    property: &str,
    mapping: &[(&str, Validator)],
) {
    let Json::Object(o) = v else {
        return type_error(v, "object", p, e);
    };
    let Some((_, tag)) = o.iter().find(|(k, _)| k == property) else {
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
        None => e.push(
            &p.key(property),
            "discriminator",
            format!(
                "must be one of {}",
                list(mapping.iter().map(|(value, _)| value))
            ),
        ),
    }
}

/// `minProperties`.
pub fn min_properties(v: &Json<'_>, min: u64, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::Object(o) = v {
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
pub fn max_properties(v: &Json<'_>, max: u64, p: &Ptr<'_>, e: &mut Errors) {
    if let Json::Object(o) = v {
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
pub fn property(v: &Json<'_>, key: &str, p: &Ptr<'_>, e: &mut Errors, f: Validator) {
    if let Some(member) = v.get(key) {
        f(member, &p.key(key), e);
    }
}

/// `properties`: each `(key, check)` entry validates member `key`, if present, in order.
pub fn properties(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors, checks: &[(&str, Validator)]) {
    if let Json::Object(_) = v {
        for (key, f) in checks {
            property(v, key, p, e, *f);
        }
    }
}

/// `type: object` with `required` and `properties`: [`type_object`], [`required`] and
/// [`properties`] in that order, as one call with constant tables.
pub fn object(
    v: &Json<'_>,
    p: &Ptr<'_>,
    e: &mut Errors,
    required_names: &[&str],
    checks: &[(&str, Validator)],
) {
    if !matches!(v, Json::Object(_)) {
        type_error(v, "object", p, e);
        return;
    }
    required(v, required_names, p, e);
    properties(v, p, e, checks);
}

/// `additionalProperties: false`: every key must be one of `known`.
pub fn no_additional(v: &Json<'_>, known: &[&str], p: &Ptr<'_>, e: &mut Errors) {
    if let Json::Object(o) = v {
        for (key, _) in o {
            if !known.contains(&&**key) {
                e.push(
                    &p.key(key),
                    "additionalProperties",
                    format!("unknown property `{key}`"),
                );
            }
        }
    }
}

/// `additionalProperties: {schema}`: every key not in `known` is validated with `f`.
pub fn additional(v: &Json<'_>, known: &[&str], p: &Ptr<'_>, e: &mut Errors, f: Validator) {
    if let Json::Object(o) = v {
        for (key, member) in o {
            if !known.contains(&&**key) {
                f(member, &p.key(key), e);
            }
        }
    }
}

/// Whether `f` accepts `v` (violations discarded).
fn passes(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors, f: Validator) -> bool {
    let mark = e.len();
    f(v, p, e);
    let ok = e.len() == mark;
    e.truncate(mark);
    ok
}

/// `anyOf`.
pub fn any_of(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors, branches: &[Validator]) {
    if !branches.iter().any(|f| passes(v, p, e, *f)) {
        e.push(p, "anyOf", "does not match any of the allowed schemas");
    }
}

/// `oneOf`: exactly one branch.
pub fn one_of(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors, branches: &[Validator]) {
    let matched = branches.iter().filter(|f| passes(v, p, e, **f)).count();
    if matched != 1 {
        one_of_error(matched, p, e);
    }
}

/// `not`.
pub fn not(v: &Json<'_>, p: &Ptr<'_>, e: &mut Errors, f: Validator) {
    if passes(v, p, e, f) {
        e.push(p, "not", "must not match the excluded schema");
    }
}

/// `type: integer` (a number with no fractional part).
pub fn is_integer(v: &Json<'_>) -> bool {
    matches!(v, Json::Number(n) if is_integral(n))
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
pub fn json_equal(a: &Json<'_>, b: &Json<'_>) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .find(|(l, _)| l == k)
                        .is_some_and(|(_, w)| json_equal(v, w))
                })
        }
        _ => a == b,
    }
}

/// `enum` of strings.
pub fn check_enum_str(v: &Json<'_>, allowed: &[&str], p: &Ptr<'_>, e: &mut Errors) {
    let ok = matches!(v, Json::String(s) if allowed.contains(&&**s));
    if !ok {
        let mut message =
            String::with_capacity(16 + allowed.iter().map(|a| a.len() + 4).sum::<usize>());
        message.push_str("must be one of ");
        for (i, a) in allowed.iter().enumerate() {
            if i > 0 {
                message.push_str(", ");
            }
            message.push('`');
            message.push_str(a);
            message.push('`');
        }
        e.push(p, "enum", message);
    }
}

/// `enum` of arbitrary JSON values.
pub fn check_enum(v: &Json<'_>, allowed: &[Value], p: &Ptr<'_>, e: &mut Errors) {
    if !allowed.iter().any(|a| json_equal(&Json::from_value(a), v)) {
        e.push(
            p,
            "enum",
            format!("must be one of {}", list(allowed.iter())),
        );
    }
}

/// `parts` joined, in one allocation (messages of refused requests are built on the
/// request path: `format!` cost more than the check).
fn concat(parts: &[&str]) -> String {
    let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        text.push_str(part);
    }
    text
}

/// `prefix` followed by `x` as `{x}` displays it; integral bounds (the usual ones) without
/// `std::fmt`'s float formatting.
fn with_number(prefix: &str, x: f64) -> String {
    let mut text = String::with_capacity(prefix.len() + 24);
    text.push_str(prefix);
    // Below 2^53 an integral f64 is exactly an i64, and `{x}` prints it without a
    // fraction; -0.0 prints as `-0`, so it takes the general path.
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 && !(x == 0.0 && x.is_sign_negative())
    {
        text.push_str(itoa::Buffer::new().format(x as i64));
    } else {
        use std::fmt::Write;
        let _ = write!(text, "{x}");
    }
    text
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
        .find(|v| json_equal(&Json::from_value(&to_value(*v)), &Json::from_value(value)))
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
pub fn one_of_error(matched: usize, p: &Ptr<'_>, e: &mut Errors) {
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

/// Validates a value with a generated validator: response bodies (development setting) and
/// every type's `validate()`. The value is checked as the JSON text it serializes to, read
/// back as a request body is: `serde_json::to_vec` is the serializer the responses and
/// `Debug` already use, so no other one (`to_value`'s) is compiled for every type.
pub fn validate_body<T: serde::Serialize + ?Sized>(
    body: &T,
    validate: Validator,
    errors: &mut Errors,
) {
    let text = match serde_json::to_vec(body) {
        Ok(text) => text,
        Err(err) => {
            errors.push(
                &Ptr::new(),
                "type",
                format!("could not be serialized: {err}"),
            );
            return;
        }
    };
    match Json::parse(&text) {
        Ok(json) => validate(&json, &Ptr::new(), errors),
        // Not reached: serde_json writes JSON that it reads back.
        Err(err) => errors.push(
            &Ptr::new(),
            "type",
            format!("could not be read back: {err}"),
        ),
    }
}

/// Validates a typed value by its JSON form (the `validate()` method of generated types).
pub fn value<T: serde::Serialize>(value: &T, validate: Validator) -> Result<(), Vec<Violation>> {
    let mut errors = Errors::new(Location::Body).with_direction(Direction::Either);
    validate_body(value, validate, &mut errors);
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
    fn messages_with_numbers_are_what_format_writes() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            100.0,
            0.01,
            -1.005,
            1e15,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            1e300,
            -2.5e-8,
            f64::INFINITY,
            f64::NAN,
        ] {
            assert_eq!(with_number("at least ", x), format!("at least {x}"));
        }
        assert_eq!(concat(&["a `", "b", "`"]), "a `b`");
    }

    #[test]
    fn enum_message_lists_the_allowed_strings() {
        let mut e = Errors::default();
        check_enum_str(
            &Json::String("x".into()),
            &["a", "b c"],
            &Ptr::new(),
            &mut e,
        );
        let v = e.into_vec();
        assert_eq!(
            v[0].message,
            format!("must be one of {}", list(["a", "b c"].iter()))
        );
    }

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
        let root = Ptr::new();
        assert_eq!(root.to_text(), "");
        let a = root.key("a/b");
        assert_eq!(a.key("c~d").to_text(), "/a~1b/c~0d");
        assert_eq!(root.index(3).to_text(), "/3");
        assert_eq!(a.index(12).key("x").to_text(), "/a~1b/12/x");
    }
}
