//! Building blocks of generated validators.
//!
//! A generated validator is a constant table of its schema's keywords ([`Rules`]) handed
//! to [`node`], which reads the value from the request's JSON text with a [`Cursor`] and
//! checks each member and item as it reads it: no tree of the request is built (issue 4:
//! building one was most of the cost). The per-schema code stays small (compile time
//! matters: a large spec has thousands of schemas). Every failure is pushed onto [`Errors`]
//! with the JSON pointer of the failing value; nothing stops at the first error.

use std::sync::LazyLock;

use super::formats;
pub use super::pattern::{compile_pattern, Pattern};

use serde_json::{Number, Value};

use super::json::Json;
use super::scan::{Cursor, Head, Mark};

pub use super::errors::{push_key, Direction, Errors, Ptr};
use crate::problem::{Location, Violation};

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

/// Records a `type` violation: the value that starts with `head` is not of the `expected`
/// type.
fn type_error(head: &Head<'_>, expected: &'static str, p: &Ptr<'_>, e: &mut Errors) {
    let found = match head {
        Head::Scalar(v) => type_name(v),
        Head::Array => "array",
        Head::Object => "object",
    };
    e.push_parts(p, "type", &["expected ", expected, ", found ", found]);
}

// ---- Rules and the walk ---------------------------------------------------------------
//
// A generated validator is a function holding the keywords of its schema as a constant
// [`Rules`] table and handing it to [`node`], which reads the value from the [`Cursor`] and
// applies every keyword as it goes: members and items are checked as they are read, so no
// tree of the request is ever built. Sub-schemas are validators too (function pointers).

/// The signature of a generated validator: it reads exactly one value from the cursor,
/// checking it and everything inside it.
pub type Validator = fn(&mut Cursor<'_>, &Ptr<'_>, &mut Errors);

/// The `type` keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// No `type`: anything (the keywords of each type apply to values of that type).
    Any,
    /// `string`.
    String,
    /// `integer`: a number without a fractional part.
    Integer,
    /// `number`.
    Number,
    /// `boolean`.
    Boolean,
    /// `array`.
    Array,
    /// `object`.
    Object,
}

impl Type {
    fn name(self) -> &'static str {
        match self {
            Type::Any => "any",
            Type::String => "string",
            Type::Integer => "integer",
            Type::Number => "number",
            Type::Boolean => "boolean",
            Type::Array => "array",
            Type::Object => "object",
        }
    }

    fn accepts(self, head: &Head<'_>) -> bool {
        match (self, head) {
            (Type::Any, _)
            | (Type::Array, Head::Array)
            | (Type::Object, Head::Object)
            | (Type::String, Head::Scalar(Json::String(_)))
            | (Type::Number, Head::Scalar(Json::Number(_)))
            | (Type::Boolean, Head::Scalar(Json::Bool(_))) => true,
            (Type::Integer, Head::Scalar(v)) => is_integer(v),
            _ => false,
        }
    }
}

/// The keywords of one schema (a generated validator's constant table).
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// `nullable: true`: `null` passes every other keyword.
    pub nullable: bool,
    /// `type`.
    pub ty: Type,
    /// Keywords applied to strings.
    pub string: StringRules,
    /// Keywords applied to numbers.
    pub number: NumberRules,
    /// Keywords applied to arrays.
    pub array: ArrayRules,
    /// Keywords applied to objects.
    pub object: ObjectRules,
    /// `enum` when every value is a string.
    pub enum_str: Option<&'static [&'static str]>,
    /// `enum` with other values (parsed once, from the generator's JSON text).
    pub enum_values: Option<&'static LazyLock<Vec<Value>>>,
    /// `allOf`, `discriminator`, `anyOf`, `oneOf` and `not`: the keywords that read the
    /// value again.
    pub compose: Option<&'static Compose>,
}

/// The keywords that apply other schemas to the same value.
#[derive(Debug, Clone, Copy)]
pub struct Compose {
    /// `allOf`.
    pub all_of: &'static [Validator],
    /// `discriminator`: the tag property and `(tag value, branch)` pairs. Picks the branch
    /// of a `oneOf`/`anyOf`, which is then not tried as a whole.
    pub discriminator: Option<(&'static str, &'static [(&'static str, Validator)])>,
    /// `anyOf`.
    pub any_of: &'static [Validator],
    /// `oneOf`.
    pub one_of: &'static [Validator],
    /// `not`.
    pub not: Option<Validator>,
}

impl Compose {
    /// No keyword.
    pub const NONE: Compose = Compose {
        all_of: &[],
        discriminator: None,
        any_of: &[],
        one_of: &[],
        not: None,
    };
}

impl Rules {
    /// No keyword: generated tables fill in theirs with `..Rules::NONE`.
    pub const NONE: Rules = Rules {
        nullable: false,
        ty: Type::Any,
        string: StringRules::NONE,
        number: NumberRules::NONE,
        array: ArrayRules::NONE,
        object: ObjectRules::NONE,
        enum_str: None,
        enum_values: None,
        compose: None,
    };
}

/// String keywords.
#[derive(Debug, Clone, Copy)]
pub struct StringRules {
    /// `minLength`, in Unicode code points.
    pub min_length: Option<u64>,
    /// `maxLength`, in Unicode code points.
    pub max_length: Option<u64>,
    /// `format`.
    pub format: StrFormat,
    /// `pattern`.
    pub pattern: Option<&'static Pattern>,
}

impl StringRules {
    /// No keyword.
    pub const NONE: StringRules = StringRules {
        min_length: None,
        max_length: None,
        format: StrFormat::None,
        pattern: None,
    };
}

/// Numeric keywords.
#[derive(Debug, Clone, Copy)]
pub struct NumberRules {
    /// `minimum`, and whether it is exclusive (OpenAPI 3.0's boolean `exclusiveMinimum`).
    pub minimum: Option<(f64, bool)>,
    /// `maximum`, and whether it is exclusive.
    pub maximum: Option<(f64, bool)>,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
    /// `format: int32` / `int64`.
    pub format: NumFormat,
}

impl NumberRules {
    /// No keyword.
    pub const NONE: NumberRules = NumberRules {
        minimum: None,
        maximum: None,
        multiple_of: None,
        format: NumFormat::None,
    };
}

/// Array keywords.
#[derive(Debug, Clone, Copy)]
pub struct ArrayRules {
    /// `items`.
    pub items: Option<Validator>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `uniqueItems: true`.
    pub unique: bool,
}

impl ArrayRules {
    /// No keyword.
    pub const NONE: ArrayRules = ArrayRules {
        items: None,
        min_items: None,
        max_items: None,
        unique: false,
    };

    fn is_none(&self) -> bool {
        self.items.is_none() && self.min_items.is_none() && self.max_items.is_none() && !self.unique
    }
}

/// Object keywords.
#[derive(Debug, Clone, Copy)]
pub struct ObjectRules {
    /// The names `properties` and `required` mention, each with the validator of its value
    /// and what the schema says of it: in the spec's order, or sorted by name (bytewise)
    /// when there are more than [`SCANNED_PROPERTIES`].
    pub properties: &'static [(&'static str, Validator, Member)],
    /// `required` (without the two lists below), in the spec's order.
    pub required: &'static [&'static str],
    /// Required properties marked `writeOnly`: required in requests only.
    pub required_in_requests: &'static [&'static str],
    /// Required properties marked `readOnly`: required in responses only.
    pub required_in_responses: &'static [&'static str],
    /// `additionalProperties`.
    pub additional: Additional,
    /// `minProperties`.
    pub min_properties: Option<u64>,
    /// `maxProperties`.
    pub max_properties: Option<u64>,
}

impl ObjectRules {
    /// No keyword.
    pub const NONE: ObjectRules = ObjectRules {
        properties: &[],
        required: &[],
        required_in_requests: &[],
        required_in_responses: &[],
        additional: Additional::Allowed,
        min_properties: None,
        max_properties: None,
    };

    fn is_none(&self) -> bool {
        self.properties.is_empty()
            && matches!(self.additional, Additional::Allowed)
            && self.min_properties.is_none()
            && self.max_properties.is_none()
    }

    /// The index of `name` in [`ObjectRules::properties`], looked for from `hint` on.
    ///
    /// Tables of up to [`SCANNED_PROPERTIES`] names are in the spec's order and scanned
    /// from `hint` (the entry after the previous member's): a body that lists its members
    /// in the spec's order finds each at the first comparison. Larger tables are sorted and
    /// searched by halves, so no body can make the lookups quadratic.
    fn find(&self, name: &str, hint: usize) -> Option<usize> {
        let properties = self.properties;
        if properties.len() > SCANNED_PROPERTIES {
            return properties.binary_search_by(|(n, _, _)| (*n).cmp(name)).ok();
        }
        let same = |(n, _, _): &(&str, Validator, Member)| *n == name;
        let hint = hint.min(properties.len());
        properties[hint..]
            .iter()
            .position(same)
            .map(|i| hint + i)
            .or_else(|| properties[..hint].iter().position(same))
    }
}

/// The most properties an object's table lists in the spec's order (see
/// [`ObjectRules::find`]); the generator sorts larger tables.
pub const SCANNED_PROPERTIES: usize = 16;

/// What an object's schema says of one property name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// Declared in `properties`, not required.
    Optional,
    /// Declared and required.
    Required,
    /// Declared, `writeOnly` and required: required in requests only.
    RequiredInRequests,
    /// Declared, `readOnly` and required: required in responses only.
    RequiredInResponses,
    /// Only listed in `required`: required, and an additional property when present.
    Undeclared,
}

impl Member {
    /// Whether a value travelling `direction` must have this member.
    fn required(self, direction: Direction) -> bool {
        match self {
            Member::Optional => false,
            Member::Required | Member::Undeclared => true,
            Member::RequiredInRequests => direction == Direction::Request,
            Member::RequiredInResponses => direction == Direction::Response,
        }
    }
}

/// `additionalProperties`.
#[derive(Debug, Clone, Copy)]
pub enum Additional {
    /// Absent or `true`.
    Allowed,
    /// `false`.
    Denied,
    /// A schema every additional property must match.
    Schema(Validator),
}

/// Validates the value at the cursor against `rules`, reading past it.
pub fn node(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors, rules: &Rules) {
    let start = c.mark();
    let Some(head) = c.head() else { return };
    if rules.nullable && matches!(head, Head::Scalar(Json::Null)) {
        return;
    }
    if !rules.ty.accepts(&head) {
        type_error(&head, rules.ty.name(), p, e);
    }
    match &head {
        Head::Scalar(v) => scalar_keywords(v, rules, p, e),
        Head::Array if !rules.array.is_none() => walk_array(c, p, e, &rules.array),
        Head::Object if !rules.object.is_none() => walk_object(c, p, e, &rules.object),
        container => {
            if c.skip_rest(container).is_none() {
                return;
            }
        }
    }
    if let (Some(allowed), Head::Array | Head::Object) = (rules.enum_str, &head) {
        enum_str_error(allowed, p, e);
    }
    if let Some(values) = rules.enum_values {
        let end = c.mark();
        if let Some(v) = c.tree_at(start) {
            check_enum(&v, values, p, e);
        }
        c.reset(end);
    }
    if let Some(rules) = rules.compose {
        compose(c, start, p, e, rules);
    }
}

// The common shapes, without the general walk's branches and without a constant table: a
// typed schema with the keywords of its type (and, for strings, maybe an `enum`), nothing
// else. The generator calls these with the keywords as arguments (a table in a `static`
// costs the compiler a constant evaluation per schema: a second more for Stripe's); each
// does what `node` does.

/// [`node`] for `type: string`: `minLength`, `maxLength`, `format`, `pattern`, `enum`.
#[allow(clippy::too_many_arguments)]
pub fn string(
    c: &mut Cursor<'_>,
    p: &Ptr<'_>,
    e: &mut Errors,
    min_length: Option<u64>,
    max_length: Option<u64>,
    format: StrFormat,
    pattern: Option<&'static Pattern>,
    allowed: Option<&[&str]>,
) {
    match c.string_or_head() {
        Some(Ok(s)) => {
            let rules = StringRules {
                min_length,
                max_length,
                format,
                pattern,
            };
            string_keywords(&s, &rules, p, e);
            if let Some(allowed) = allowed {
                if !allowed.contains(&&*s) {
                    enum_str_error(allowed, p, e);
                }
            }
        }
        Some(Err(head)) => mismatch(c, &head, Type::String, allowed, p, e),
        None => {}
    }
}

/// [`node`] for `type: number` (`integer`: `type: integer`) with `minimum`, `maximum`
/// (each with whether it is exclusive), `multipleOf` and an integer `format`.
#[allow(clippy::too_many_arguments)]
pub fn number(
    c: &mut Cursor<'_>,
    p: &Ptr<'_>,
    e: &mut Errors,
    integer: bool,
    minimum: Option<(f64, bool)>,
    maximum: Option<(f64, bool)>,
    multiple_of: Option<f64>,
    format: NumFormat,
) {
    match c.number_or_head() {
        Some(Ok(n)) => {
            if integer && !is_integral(&n) {
                e.push(p, "type", "expected integer, found number");
            }
            let rules = NumberRules {
                minimum,
                maximum,
                multiple_of,
                format,
            };
            number_keywords(&n, &rules, p, e);
        }
        Some(Err(head)) => {
            let ty = if integer { Type::Integer } else { Type::Number };
            mismatch(c, &head, ty, None, p, e);
        }
        None => {}
    }
}

/// [`node`] for `type: array`: `items`, `minItems`, `maxItems`, `uniqueItems`.
pub fn array(
    c: &mut Cursor<'_>,
    p: &Ptr<'_>,
    e: &mut Errors,
    items: Option<Validator>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    unique: bool,
) {
    match c.open_or_head(b'[') {
        Some(Ok(())) => {
            let rules = ArrayRules {
                items,
                min_items,
                max_items,
                unique,
            };
            walk_array(c, p, e, &rules);
        }
        Some(Err(head)) => mismatch(c, &head, Type::Array, None, p, e),
        None => {}
    }
}

/// [`node`] for `type: object` with its keywords.
pub fn object(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors, rules: &ObjectRules) {
    match c.open_or_head(b'{') {
        Some(Ok(())) => walk_object(c, p, e, rules),
        Some(Err(head)) => mismatch(c, &head, Type::Object, None, p, e),
        None => {}
    }
}

/// `nullable: true` before one of the walks above: reads a `null` and says so, or reads
/// nothing.
pub fn null(c: &mut Cursor<'_>) -> bool {
    c.null()
}

/// [`node`] for a schema made only of `allOf`, `anyOf`, `oneOf`, `not` (or a
/// `discriminator`).
pub fn composed(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors, rules: &Compose) {
    let start = c.mark();
    if c.skip().is_some() {
        compose(c, start, p, e, rules);
    }
}

/// A value not of the schema's type: the `type` violation, the `enum` one when there is
/// an `enum`, and the rest of the value read past.
#[cold]
fn mismatch<'a>(
    c: &mut Cursor<'a>,
    head: &Head<'a>,
    ty: Type,
    allowed: Option<&[&str]>,
    p: &Ptr<'_>,
    e: &mut Errors,
) {
    type_error(head, ty.name(), p, e);
    if let Some(allowed) = allowed {
        enum_str_error(allowed, p, e);
    }
    let _ = c.skip_rest(head);
}

/// `allOf`, `discriminator`, `anyOf`, `oneOf` and `not`: each reads the value again from
/// `start`; the cursor ends after the value.
fn compose(c: &mut Cursor<'_>, start: Mark, p: &Ptr<'_>, e: &mut Errors, rules: &Compose) {
    let end = c.mark();
    for f in rules.all_of {
        c.reset(start);
        f(c, p, e);
    }
    if let Some((property, mapping)) = rules.discriminator {
        discriminator(c, start, p, e, property, mapping);
    } else {
        if !rules.any_of.is_empty() && !rules.any_of.iter().any(|f| passes(c, start, p, e, *f)) {
            e.push(p, "anyOf", "does not match any of the allowed schemas");
        }
        if !rules.one_of.is_empty() {
            let matched = rules
                .one_of
                .iter()
                .filter(|f| passes(c, start, p, e, **f))
                .count();
            if matched != 1 {
                one_of_error(matched, p, e);
            }
        }
    }
    if let Some(f) = rules.not {
        if passes(c, start, p, e, f) {
            e.push(p, "not", "must not match the excluded schema");
        }
    }
    c.reset(end);
}

/// Whether `f` accepts the value at `start` (its violations discarded).
fn passes(c: &mut Cursor<'_>, start: Mark, p: &Ptr<'_>, e: &mut Errors, f: Validator) -> bool {
    c.reset(start);
    let checkpoint = e.checkpoint();
    let before = e.len();
    f(c, p, e);
    let ok = e.len() == before;
    e.rewind(checkpoint);
    ok
}

/// The keywords of a scalar's type, then a string `enum`.
fn scalar_keywords(v: &Json<'_>, rules: &Rules, p: &Ptr<'_>, e: &mut Errors) {
    match v {
        Json::String(s) => string_keywords(s, &rules.string, p, e),
        Json::Number(n) => number_keywords(n, &rules.number, p, e),
        Json::Null | Json::Bool(_) | Json::Array(_) | Json::Object(_) => {}
    }
    if let Some(allowed) = rules.enum_str {
        if !matches!(v, Json::String(s) if allowed.contains(&&**s)) {
            enum_str_error(allowed, p, e);
        }
    }
}

fn string_keywords(s: &str, r: &StringRules, p: &Ptr<'_>, e: &mut Errors) {
    if let Some(min) = r.min_length {
        min_length(s, min, p, e);
    }
    if let Some(max) = r.max_length {
        max_length(s, max, p, e);
    }
    if r.format != StrFormat::None {
        format(s, r.format, p, e);
    }
    if let Some(pattern) = r.pattern {
        self::pattern(s, pattern, p, e);
    }
}

fn number_keywords(n: &Number, r: &NumberRules, p: &Ptr<'_>, e: &mut Errors) {
    if let Some((min, exclusive)) = r.minimum {
        minimum(n, min, exclusive, p, e);
    }
    if let Some((max, exclusive)) = r.maximum {
        maximum(n, max, exclusive, p, e);
    }
    if let Some(m) = r.multiple_of {
        multiple_of(n, m, p, e);
    }
    if r.format != NumFormat::None {
        int_format(n, r.format, p, e);
    }
}

/// The items of an array (its `[` read), then `minItems`, `maxItems` and `uniqueItems`,
/// which are listed before the items' own violations.
fn walk_array(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors, r: &ArrayRules) {
    let before = e.len();
    let mut count = 0usize;
    // Only `uniqueItems` needs the items' bounds.
    let mut bounds = r.unique.then(Bounds::default);
    let mut more = c.next_item(true);
    while more == Some(true) {
        let from = c.value_start();
        match r.items {
            Some(f) => f(c, &p.index(count), e),
            None => {
                if c.skip().is_none() {
                    return;
                }
            }
        }
        if let Some(bounds) = &mut bounds {
            bounds.push((from, c.position()));
        }
        count += 1;
        more = c.next_item(false);
    }
    if more.is_none() {
        return;
    }
    let heading = e.len();
    let len = count as u64;
    if let Some(min) = r.min_items.filter(|min| len < *min) {
        e.push(
            p,
            "minItems",
            format!("must have at least {min} items, has {len}"),
        );
    }
    if let Some(max) = r.max_items.filter(|max| len > *max) {
        e.push(
            p,
            "maxItems",
            format!("must have at most {max} items, has {len}"),
        );
    }
    if count > 1 && bounds.is_some_and(|bounds| !unique(c, bounds.as_slice())) {
        e.push(p, "uniqueItems", "items must be unique");
    }
    e.lift(before, heading);
}

/// Where the items of an array start and end (text positions): inline for up to 8 items
/// (the usual size of a `uniqueItems` array), on the heap beyond.
#[derive(Default)]
struct Bounds {
    len: usize,
    inline: [(usize, usize); 8],
    heap: Vec<(usize, usize)>,
}

impl Bounds {
    fn push(&mut self, bounds: (usize, usize)) {
        if self.len < self.inline.len() {
            self.inline[self.len] = bounds;
        } else {
            if self.heap.is_empty() {
                self.heap.extend_from_slice(&self.inline);
            }
            self.heap.push(bounds);
        }
        self.len += 1;
    }

    fn as_slice(&self) -> &[(usize, usize)] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

/// Whether the items of the array that just closed, between each pair of text positions,
/// differ (JSON equality).
fn unique(c: &mut Cursor<'_>, bounds: &[(usize, usize)]) -> bool {
    let end = c.mark();
    let text = |(a, b): &(usize, usize)| c.bytes(*a, *b);
    let distinct = if bounds.iter().all(|b| plain_string(text(b))) {
        // Strings without escapes are equal exactly when their text is.
        bounds
            .iter()
            .enumerate()
            .all(|(i, a)| !bounds[i + 1..].iter().any(|b| text(a) == text(b)))
    } else {
        let values: Vec<Json<'_>> = bounds
            .iter()
            .filter_map(|(a, _)| c.tree_at(end.item_at(*a)))
            .collect();
        values
            .iter()
            .enumerate()
            .all(|(i, a)| !values[i + 1..].iter().any(|b| json_equal(a, b)))
    };
    c.reset(end);
    distinct
}

/// Whether `text` (one value's text) is a string without escapes.
fn plain_string(text: &[u8]) -> bool {
    text.first() == Some(&b'"') && !text.contains(&b'\\')
}

/// The members of an object (its `{` read), each checked as it is read; then `required`,
/// `minProperties` and `maxProperties`, listed before the members' own violations. Every
/// occurrence of a repeated key is checked.
fn walk_object(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors, r: &ObjectRules) {
    let before = e.len();
    let direction = e.direction;
    let mut seen = Seen::new(r.properties.len());
    // Required members present (each counted once): all there when it reaches the count.
    let mut present = 0usize;
    let mut count = 0u64;
    let mut hint = 0;
    let mut key = c.next_key(true);
    while let Some(Some(name)) = key {
        count += 1;
        let check = match r.find(&name, hint) {
            Some(i) => {
                hint = i + 1;
                let (_, check, member) = r.properties[i];
                if member.required(direction) && !seen.contains(i) {
                    present += 1;
                }
                seen.insert(i);
                if member == Member::Undeclared {
                    r.additional
                } else {
                    Additional::Schema(check)
                }
            }
            None => r.additional,
        };
        match check {
            Additional::Allowed => {
                if c.skip().is_none() {
                    return;
                }
            }
            Additional::Schema(f) => f(c, &p.key(&name), e),
            Additional::Denied => {
                e.push_parts(
                    &p.key(&name),
                    "additionalProperties",
                    &["unknown property `", &name, "`"],
                );
                if c.skip().is_none() {
                    return;
                }
            }
        }
        key = c.next_key(false);
    }
    if key.is_none() {
        return;
    }
    let heading = e.len();
    let directed = match direction {
        Direction::Request => r.required_in_requests,
        Direction::Response => r.required_in_responses,
        Direction::Either => &[],
    };
    if present < r.required.len() + directed.len() {
        for name in r.required.iter().chain(directed) {
            if !r.find(name, 0).is_some_and(|i| seen.contains(i)) {
                e.push_parts(p, "required", &["missing required property `", name, "`"]);
            }
        }
    }
    if let Some(min) = r.min_properties.filter(|min| count < *min) {
        e.push(
            p,
            "minProperties",
            format!("must have at least {min} properties, has {count}"),
        );
    }
    if let Some(max) = r.max_properties.filter(|max| count > *max) {
        e.push(
            p,
            "maxProperties",
            format!("must have at most {max} properties, has {count}"),
        );
    }
    e.lift(before, heading);
}

/// Which of an object's known properties were present: a word for up to 64 of them.
enum Seen {
    Word(u64),
    Words(Vec<u64>),
}

impl Seen {
    fn new(len: usize) -> Self {
        if len <= 64 {
            Seen::Word(0)
        } else {
            Seen::Words(vec![0; len.div_ceil(64)])
        }
    }

    fn insert(&mut self, i: usize) {
        match self {
            Seen::Word(w) => *w |= 1 << i,
            Seen::Words(words) => words[i / 64] |= 1 << (i % 64),
        }
    }

    fn contains(&self, i: usize) -> bool {
        match self {
            Seen::Word(w) => *w & (1 << i) != 0,
            Seen::Words(words) => words[i / 64] & (1 << (i % 64)) != 0,
        }
    }
}

/// `discriminator`: the tag property (its last occurrence, as deserialization reads it)
/// picks the branch from `mapping`, whose violations are reported as they are.
fn discriminator(
    c: &mut Cursor<'_>,
    start: Mark,
    p: &Ptr<'_>,
    e: &mut Errors,
    property: &str,
    mapping: &[(&str, Validator)],
) {
    c.reset(start);
    let Some(head) = c.head() else { return };
    if !matches!(head, Head::Object) {
        return type_error(&head, "object", p, e);
    }
    let mut tag = None;
    let mut key = c.next_key(true);
    while let Some(Some(name)) = key {
        if name == property {
            match c.head() {
                Some(Head::Scalar(v)) => tag = Some(v),
                Some(container) => {
                    tag = Some(Json::Null);
                    if c.skip_rest(&container).is_none() {
                        return;
                    }
                }
                None => return,
            }
        } else if c.skip().is_none() {
            return;
        }
        key = c.next_key(false);
    }
    let Some(tag) = tag else {
        return e.push_parts(
            p,
            "discriminator",
            &["missing discriminator property `", property, "`"],
        );
    };
    let branch = tag
        .as_str()
        .and_then(|t| mapping.iter().find(|(value, _)| *value == t));
    match branch {
        Some((_, f)) => {
            c.reset(start);
            f(c, p, e);
        }
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

/// Reads past one value, checking nothing but its syntax (`{}`).
pub fn any(c: &mut Cursor<'_>, _p: &Ptr<'_>, _e: &mut Errors) {
    let _ = c.skip();
}

/// `type: string` and nothing else.
pub fn type_string(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors) {
    string(c, p, e, None, None, StrFormat::None, None, None);
}

/// `type: integer` and nothing else.
pub fn type_integer(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors) {
    number(c, p, e, true, None, None, None, NumFormat::None);
}

/// `type: number` and nothing else.
pub fn type_number(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors) {
    number(c, p, e, false, None, None, None, NumFormat::None);
}

/// `type: boolean` and nothing else.
pub fn type_boolean(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors) {
    match c.head() {
        Some(Head::Scalar(Json::Bool(_))) | None => {}
        Some(head) => mismatch(c, &head, Type::Boolean, None, p, e),
    }
}

/// `type: array` and nothing else.
pub fn type_array(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors) {
    array(c, p, e, None, None, None, false);
}

/// `type: object` and nothing else.
pub fn type_object(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors) {
    object(c, p, e, &ObjectRules::NONE);
}

/// Checks JSON text with a validator. A syntax error is `serde_json`'s (with its line and
/// column) and records nothing.
pub fn check_text(
    text: &str,
    validate: Validator,
    p: &Ptr<'_>,
    e: &mut Errors,
) -> Result<(), serde_json::Error> {
    let checkpoint = e.checkpoint();
    let mut c = Cursor::new(text);
    validate(&mut c, p, e);
    if c.finished() {
        return Ok(());
    }
    e.rewind(checkpoint);
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Err(err) => Err(err),
        // Not reached (the cursor accepts what serde_json accepts); should it be, the text
        // is checked in the form serde_json writes it back, and the mismatch is logged.
        Ok(_) => {
            let value: Value = serde_json::from_str(text)?;
            let canonical = serde_json::to_string(&value).map_err(serde::ser::Error::custom)?;
            tracing::warn!("the JSON cursor refused text serde_json reads; checked as rewritten");
            let mut c = Cursor::new(&canonical);
            validate(&mut c, p, e);
            Ok(())
        }
    }
}

/// [`check_text`] for bytes (their UTF-8 checked once, in bulk).
pub fn check_bytes(
    bytes: &[u8],
    validate: Validator,
    p: &Ptr<'_>,
    e: &mut Errors,
) -> Result<(), serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => check_text(text, validate, p, e),
        Err(_) => match serde_json::from_slice::<Value>(bytes) {
            Err(err) => Err(err),
            Ok(value) => check_value(&value, validate, p, e),
        },
    }
}

/// Checks a `serde_json::Value` (parameters, form and multipart bodies), as its JSON text.
pub fn check_value(
    value: &Value,
    validate: Validator,
    p: &Ptr<'_>,
    e: &mut Errors,
) -> Result<(), serde_json::Error> {
    let text = serde_json::to_string(value)?;
    check_text(&text, validate, p, e)
}

// ---- Keywords of scalars -----------------------------------------------------------------

/// `minLength`, in Unicode code points.
fn min_length(s: &str, min: u64, p: &Ptr<'_>, e: &mut Errors) {
    // A code point takes at most four bytes: long enough strings need no counting.
    if (s.len() as u64).div_ceil(4) >= min {
        return;
    }
    let len = s.chars().count() as u64;
    if len < min {
        e.push(
            p,
            "minLength",
            format!("must be at least {min} characters long, is {len}"),
        );
    }
}

/// `maxLength`, in Unicode code points.
fn max_length(s: &str, max: u64, p: &Ptr<'_>, e: &mut Errors) {
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

/// `pattern`.
fn pattern(s: &str, pattern: &Pattern, p: &Ptr<'_>, e: &mut Errors) {
    if !pattern.is_match(s) {
        e.push_parts(
            p,
            "pattern",
            &["must match the pattern `", pattern.source(), "`"],
        );
    }
}

/// `format` on strings.
fn format(s: &str, format: StrFormat, p: &Ptr<'_>, e: &mut Errors) {
    if !formats::matches(format, s) {
        e.push(
            p,
            "format",
            format!("is not a valid {}", formats::name(format)),
        );
    }
}

/// `format: int32` / `int64` on numbers.
fn int_format(n: &Number, format: NumFormat, p: &Ptr<'_>, e: &mut Errors) {
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

/// `minimum` (`exclusive`: the boolean `exclusiveMinimum` of OpenAPI 3.0).
fn minimum(n: &Number, min: f64, exclusive: bool, p: &Ptr<'_>, e: &mut Errors) {
    let Some(x) = n.as_f64() else { return };
    if exclusive && x <= min {
        e.push_with(
            p,
            "exclusiveMinimum",
            number_message("must be greater than ", min),
        );
    } else if x < min {
        e.push_with(p, "minimum", number_message("must be at least ", min));
    }
}

/// `maximum` (`exclusive`: the boolean `exclusiveMaximum` of OpenAPI 3.0).
fn maximum(n: &Number, max: f64, exclusive: bool, p: &Ptr<'_>, e: &mut Errors) {
    let Some(x) = n.as_f64() else { return };
    if exclusive && x >= max {
        e.push_with(
            p,
            "exclusiveMaximum",
            number_message("must be less than ", max),
        );
    } else if x > max {
        e.push_with(p, "maximum", number_message("must be at most ", max));
    }
}

/// `multipleOf`.
fn multiple_of(n: &Number, m: f64, p: &Ptr<'_>, e: &mut Errors) {
    if !is_multiple_of(n, m) {
        e.push_with(p, "multipleOf", number_message("must be a multiple of ", m));
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

/// Records an `enum` violation for an `enum` of strings.
fn enum_str_error(allowed: &[&str], p: &Ptr<'_>, e: &mut Errors) {
    e.push_with(p, "enum", |message| {
        message.push_str("must be one of ");
        for (i, a) in allowed.iter().enumerate() {
            if i > 0 {
                message.push_str(", ");
            }
            message.push('`');
            message.push_str(a);
            message.push('`');
        }
    });
}

/// `enum` of arbitrary JSON values.
fn check_enum(v: &Json<'_>, allowed: &[Value], p: &Ptr<'_>, e: &mut Errors) {
    if !allowed.iter().any(|a| json_equal(&Json::from_value(a), v)) {
        e.push(
            p,
            "enum",
            format!("must be one of {}", list(allowed.iter())),
        );
    }
}

/// Writes `prefix` followed by `x` as `{x}` displays it (see [`push_number`]).
fn number_message(prefix: &'static str, x: f64) -> impl FnOnce(&mut String) {
    move |text| {
        text.push_str(prefix);
        push_number(text, x);
    }
}

/// `prefix` followed by `x` as `{x}` displays it.
#[cfg(test)]
fn with_number(prefix: &str, x: f64) -> String {
    let mut text = prefix.to_owned();
    push_number(&mut text, x);
    text
}

/// Appends `x` as `{x}` displays it; integral bounds (the usual ones) and short decimals
/// without `std::fmt`'s float formatting.
fn push_number(text: &mut String, x: f64) {
    // Below 2^53 an integral f64 is exactly an i64, and `{x}` prints it without a
    // fraction; -0.0 prints as `-0`, so it takes the general path.
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 && !(x == 0.0 && x.is_sign_negative())
    {
        text.push_str(itoa::Buffer::new().format(x as i64));
        return;
    }
    // The shortest digits that read back as `x`. With at most 15 significant digits only
    // one such decimal exists (doubles are closer together than that), so it is the one
    // `{x}` prints; with 16 or 17, two printers may pick different neighbours, and an
    // exponent is a form `{x}` never uses: those go through `std::fmt`, which costs about
    // as much as the rest of refusing a request.
    let mut digits = ryu::Buffer::new();
    let shortest = digits.format(x);
    let significant = shortest
        .trim_start_matches(['-', '0', '.'])
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    if significant <= 15
        && shortest
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        // `-0.0` (the one integral value that reaches here) prints as `-0`.
        text.push_str(shortest.strip_suffix(".0").unwrap_or(shortest));
    } else {
        use std::fmt::Write;
        let _ = write!(text, "{x}");
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
    let text = match serde_json::to_string(body) {
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
    if let Err(err) = check_text(&text, validate, &Ptr::new(), errors) {
        // Not reached: serde_json writes JSON that it reads back.
        errors.push(
            &Ptr::new(),
            "type",
            format!("could not be read back: {err}"),
        );
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
            0.1 + 0.2,
            1.005,
            123_456.789,
            1e-7,
            1e16,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NAN,
        ] {
            assert_eq!(with_number("at least ", x), format!("at least {x}"));
        }
        // Decimal steps and arbitrary bit patterns (a fixed LCG) of every magnitude.
        let mut bits = 0x9E37_79B9_7F4A_7C15u64;
        for i in 1..20_000u32 {
            bits = bits
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            for x in [
                f64::from(i) * 0.001,
                -f64::from(i) / 7.0,
                f64::from_bits(bits),
            ] {
                assert_eq!(with_number("", x), format!("{x}"), "{x:e}");
            }
        }
    }

    #[test]
    fn enum_message_lists_the_allowed_strings() {
        let mut e = Errors::default();
        enum_str_error(&["a", "b c"], &Ptr::new(), &mut e);
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

    fn name_check(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors) {
        string(c, p, e, Some(2), None, StrFormat::None, None, None);
    }

    fn tags_check(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors) {
        array(c, p, e, Some(type_string), None, Some(3), true);
    }

    fn pet(c: &mut Cursor<'_>, p: &Ptr<'_>, e: &mut Errors) {
        object(
            c,
            p,
            e,
            &ObjectRules {
                properties: &[
                    ("id", type_integer, Member::Required),
                    ("name", name_check, Member::Required),
                    ("tags", tags_check, Member::Optional),
                ],
                required: &["id", "name"],
                additional: Additional::Denied,
                ..ObjectRules::NONE
            },
        );
    }

    fn check(text: &str) -> Vec<(String, &'static str)> {
        let mut e = Errors::new(Location::Body);
        check_text(text, pet, &Ptr::new(), &mut e).unwrap();
        e.into_vec()
            .into_iter()
            .map(|v| (v.pointer, v.keyword))
            .collect()
    }

    #[test]
    fn a_container_s_own_keywords_come_before_its_contents() {
        assert_eq!(check(r#"{"id": 1, "name": "Rex"}"#), vec![]);
        assert_eq!(
            check(r#"{"name": "R", "tags": ["a", "b", "a", 4], "x": 1}"#),
            vec![
                ("".to_owned(), "required"),
                ("/name".to_owned(), "minLength"),
                ("/tags".to_owned(), "maxItems"),
                ("/tags".to_owned(), "uniqueItems"),
                ("/tags/3".to_owned(), "type"),
                ("/x".to_owned(), "additionalProperties"),
            ]
        );
        assert_eq!(check("[1]"), vec![("".to_owned(), "type")]);
    }

    #[test]
    fn every_occurrence_of_a_repeated_key_is_checked() {
        assert_eq!(
            check(r#"{"id": "one", "name": "Rex", "id": 1}"#),
            vec![("/id".to_owned(), "type")]
        );
    }

    #[test]
    fn unique_items_compares_values_not_text() {
        assert_eq!(
            check(r#"{"id": 1, "name": "Rex", "tags": ["a", "\u0061"]}"#),
            vec![("/tags".to_owned(), "uniqueItems")]
        );
        assert_eq!(
            check(r#"{"id": 1, "name": "Rex", "tags": ["a", "b"]}"#),
            vec![]
        );
    }

    #[test]
    fn syntax_errors_are_serde_json_s_and_record_nothing() {
        for text in ["{\n  \"id\": }", "{\"id\": [1 2]}", "{\"id\": 1} x", ""] {
            let mut e = Errors::new(Location::Body);
            let ours = check_text(text, pet, &Ptr::new(), &mut e).unwrap_err();
            let theirs = serde_json::from_str::<Value>(text).unwrap_err();
            assert_eq!(ours.to_string(), theirs.to_string());
            assert!(e.is_empty());
        }
        let mut e = Errors::new(Location::Body);
        let bytes = b"{\"name\": \"\xff\"}";
        let ours = check_bytes(bytes, pet, &Ptr::new(), &mut e).unwrap_err();
        let theirs = serde_json::from_slice::<Value>(bytes).unwrap_err();
        assert_eq!(ours.to_string(), theirs.to_string());
    }
}
