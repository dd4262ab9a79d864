//! The raw input of one request, and typed extraction of parameters and bodies from it.
//!
//! Extraction turns each parameter into a JSON value shaped by its schema (`"42"` → `42`
//! for an integer, `a,b` → `["a","b"]` for a simple-style array), runs the generated
//! validator on it, and only then deserializes it into the Rust type. Every violation is
//! collected with its location; nothing stops at the first.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use super::validate::{self, push_key, Errors, Ptr, Validator};
use crate::problem::Location;

/// The signature of every generated validator.
pub type ValidateFn = Validator;

/// The scalar type a parameter's text is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// Kept as text.
    String,
    /// An integer.
    Integer,
    /// Any number.
    Number,
    /// `true` / `false`.
    Boolean,
}

/// OpenAPI parameter serialization styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `form` (query, cookie).
    Form,
    /// `simple` (path, header).
    Simple,
    /// `label` (path: `.a.b`).
    Label,
    /// `matrix` (path: `;name=a,b`).
    Matrix,
    /// `spaceDelimited` (query).
    SpaceDelimited,
    /// `pipeDelimited` (query).
    PipeDelimited,
    /// `deepObject` (query).
    DeepObject,
}

/// How a parameter's text maps to a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One scalar.
    Scalar(Scalar),
    /// An array of scalars in the given style.
    Array {
        /// The items' scalar type.
        item: Scalar,
        /// The serialization style.
        style: Style,
        /// `explode`.
        explode: bool,
    },
    /// A parameter described by `content: application/json`: the text is JSON.
    Json,
    /// An object in a style: `deepObject` (`filter[age]=3`), `form` exploded (each
    /// property its own query parameter or cookie) or not (`color=R,100,G,200`), `simple`
    /// (`R,100,G,200`, or `R=100,G=200` exploded), `label`, `matrix`, and the delimited styles.
    Object {
        /// The serialization style.
        style: Style,
        /// `explode`.
        explode: bool,
        /// The declared properties and the scalar type each is read as.
        fields: &'static [(&'static str, Scalar)],
        /// The scalar type of other properties (`additionalProperties`' type, else text).
        other: Scalar,
    },
}

/// Everything a generated `extract` function reads.
#[derive(Debug, Default)]
pub struct Input {
    pub(crate) path: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: http::HeaderMap,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) body: Bytes,
    /// The parts of a `multipart/form-data` body (parsed before extraction), or why the
    /// body could not be split into parts; `None` for other bodies.
    pub(crate) multipart: Option<Result<Vec<super::multipart::RawPart>, String>>,
}

impl Input {
    /// Input from the request's parts. `path` holds the percent-decoded path parameters.
    /// (Public for the extraction benchmark in `tests/benches/extract.rs`.)
    pub fn new(
        path: Vec<(String, String)>,
        query: Option<&str>,
        headers: http::HeaderMap,
        body: Bytes,
    ) -> Self {
        let query = query
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let cookies = parse_cookies(&headers);
        Self {
            path,
            query,
            headers,
            cookies,
            body,
            multipart: None,
        }
    }

    /// Input holding only a body: what the validator benchmark feeds to [`Input::json_body`]
    /// to measure the gateway's body path without an HTTP request around it.
    pub fn with_body(body: Bytes) -> Self {
        Self {
            body,
            ..Self::default()
        }
    }

    /// Whether the request's `Content-Type` is `application/x-www-form-urlencoded` (for
    /// operations documenting it beside JSON).
    pub fn is_form(&self) -> bool {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
    }

    /// Which of `media` (documented media types, wildcards allowed) the request's
    /// `Content-Type` is, by position; `None` when it is none of them or absent.
    pub fn media_index(&self, media: &[&str]) -> Option<usize> {
        let content_type = self
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())?;
        media
            .iter()
            .position(|m| super::dispatch::media_type_matches(content_type, &[m]))
    }

    /// Extracts one parameter. Returns `None` when it is absent or invalid; in the invalid
    /// case (and when a required one is absent) the violation is in `e`.
    #[allow(clippy::too_many_arguments)]
    pub fn param<T: DeserializeOwned>(
        &self,
        location: Location,
        name: &'static str,
        required: bool,
        shape: Shape,
        validate: Option<ValidateFn>,
        e: &mut Errors,
    ) -> Option<T> {
        e.at_fixed(location, Some(name));
        let p = Ptr::new();
        let value = match self.raw(location, name, shape, e) {
            Some(v) => v,
            None => {
                if required {
                    e.push(
                        &p,
                        "required",
                        format!("missing required {} parameter `{name}`", loc_name(location)),
                    );
                }
                return None;
            }
        };
        typed(value, validate, e)
    }

    /// Extracts the JSON body. Returns `None` when it is absent or invalid; a syntax error is
    /// recorded with keyword `syntax` and its line and column.
    pub fn json_body<T: DeserializeOwned>(
        &self,
        required: bool,
        validate: Option<ValidateFn>,
        e: &mut Errors,
    ) -> Option<T> {
        let p = Ptr::new();
        if !self.has_body(required, e) {
            return None;
        }
        // Validated as it is read (no tree is built), then deserialized from the same text.
        let before = e.len();
        let checked = match std::str::from_utf8(&self.body) {
            Ok(text) => validate::check_text(text, validate.unwrap_or(validate::any), &p, e)
                .map(|()| Some(text)),
            Err(_) => validate::check_bytes(&self.body, validate.unwrap_or(validate::any), &p, e)
                .map(|()| None),
        };
        let text = match checked {
            Ok(text) => text,
            Err(err) => {
                e.push(
                    &p,
                    "syntax",
                    format!(
                        "invalid JSON at line {}, column {}: {}",
                        err.line(),
                        err.column(),
                        syntax_reason(&err)
                    ),
                );
                return None;
            }
        };
        if e.len() > before {
            return None;
        }
        match text {
            Some(text) => from_text(text, e),
            // Not reached: text that is not UTF-8 is refused by serde_json.
            None => deserialized(
                serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(
                    &self.body,
                )),
                e,
            ),
        }
    }

    /// Extracts an `application/x-www-form-urlencoded` body: each declared field is read as
    /// a query parameter of that shape would be (repeated keys for exploded arrays), other
    /// keys are kept as strings (so `additionalProperties: false` can refuse them), and the
    /// resulting object is validated and deserialized like a JSON body.
    pub fn form_body<T: DeserializeOwned>(
        &self,
        required: bool,
        fields: &[(&'static str, Shape)],
        validate: Option<ValidateFn>,
        e: &mut Errors,
    ) -> Option<T> {
        if !self.has_body(required, e) {
            return None;
        }
        let form = Input {
            query: form_urlencoded::parse(&self.body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            ..Input::default()
        };
        let mut object = serde_json::Map::new();
        for (name, shape) in fields {
            if let Some(value) = form.raw(Location::Query, name, *shape, e) {
                object.insert((*name).to_owned(), value);
            }
        }
        for (key, value) in &form.query {
            if !object.contains_key(key) {
                object.insert(key.clone(), Value::String(value.clone()));
            }
        }
        e.at(Location::Body, None);
        typed(Value::Object(object), validate, e)
    }

    /// Whether a body was sent; records a `required` violation when it must be and was not.
    fn has_body(&self, required: bool, e: &mut Errors) -> bool {
        e.at(Location::Body, None);
        if self.body.is_empty() && required {
            e.push(&Ptr::new(), "required", "a request body is required");
        }
        !self.body.is_empty()
    }

    /// A text body (UTF-8).
    pub fn text_body(&self, required: bool, e: &mut Errors) -> Option<String> {
        if !self.has_body(required, e) {
            return None;
        }
        match std::str::from_utf8(&self.body) {
            Ok(text) => Some(text.to_owned()),
            Err(err) => {
                e.push(
                    &Ptr::new(),
                    "syntax",
                    format!("the body is not valid UTF-8: {err}"),
                );
                None
            }
        }
    }

    /// A body passed through as bytes (shared with the buffer it was read into, not copied).
    pub fn bytes_body(&self, required: bool, e: &mut Errors) -> Option<Bytes> {
        if !self.has_body(required, e) {
            return None;
        }
        Some(self.body.clone())
    }

    fn raw(&self, location: Location, name: &str, shape: Shape, e: &mut Errors) -> Option<Value> {
        if let Shape::Object {
            style,
            explode,
            fields,
            other,
        } = shape
        {
            return self.raw_object(location, name, (style, explode), (fields, other), e);
        }
        match location {
            Location::Query
                if matches!(
                    shape,
                    Shape::Array {
                        explode: true,
                        style: Style::Form,
                        ..
                    }
                ) =>
            {
                let Shape::Array { item, .. } = shape else {
                    return None;
                };
                let items: Vec<Value> = self
                    .query
                    .iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| scalar(v, item))
                    .collect();
                (!items.is_empty()).then_some(Value::Array(items))
            }
            Location::Query => self
                .first(&self.query, name)
                .map(|s| shaped(s, shape, name)),
            Location::Path => self.first(&self.path, name).map(|s| shaped(s, shape, name)),
            Location::Cookie => self
                .first(&self.cookies, name)
                .map(|s| shaped(s, shape, name)),
            Location::Header => {
                let value = self.headers.get(name)?;
                match value.to_str() {
                    Ok(s) => Some(shaped(s, shape, name)),
                    Err(_) => {
                        e.push(&Ptr::new(), "type", "header value is not visible ASCII");
                        None
                    }
                }
            }
            Location::Body | Location::Response => None,
        }
    }

    /// An object parameter: the styles that spread it over several keys are read here,
    /// the ones that pack it into one value by [`object_from`].
    fn raw_object(
        &self,
        location: Location,
        name: &str,
        (style, explode): (Style, bool),
        (fields, other): (&[(&str, Scalar)], Scalar),
        e: &mut Errors,
    ) -> Option<Value> {
        let kind = |key: &str| {
            fields
                .iter()
                .find(|(f, _)| *f == key)
                .map_or(other, |(_, k)| *k)
        };
        let spread = match (location, style, explode) {
            (Location::Query, Style::DeepObject, _) => Some(
                self.query
                    .iter()
                    .filter_map(|(k, v)| {
                        let key = k.strip_prefix(name)?.strip_prefix('[')?.strip_suffix(']')?;
                        Some((key.to_owned(), scalar(v, kind(key))))
                    })
                    .collect::<serde_json::Map<_, _>>(),
            ),
            (Location::Query | Location::Cookie, Style::Form, true) => {
                let list = if location == Location::Query {
                    &self.query
                } else {
                    &self.cookies
                };
                Some(
                    fields
                        .iter()
                        .filter_map(|(f, k)| {
                            let v = self.first(list, f)?;
                            Some(((*f).to_owned(), scalar(v, *k)))
                        })
                        .collect(),
                )
            }
            _ => None,
        };
        if let Some(object) = spread {
            return (!object.is_empty()).then_some(Value::Object(object));
        }
        let text = match location {
            Location::Query => self.first(&self.query, name)?,
            Location::Path => self.first(&self.path, name)?,
            Location::Cookie => self.first(&self.cookies, name)?,
            Location::Header => match self.headers.get(name)?.to_str() {
                Ok(s) => s,
                Err(_) => {
                    e.push(&Ptr::new(), "type", "header value is not visible ASCII");
                    return None;
                }
            },
            Location::Body | Location::Response => return None,
        };
        match object_from(text, name, style, explode, kind) {
            Ok(object) => Some(Value::Object(object)),
            Err(message) => {
                e.push(&Ptr::new(), "type", message);
                None
            }
        }
    }

    fn first<'a>(&self, list: &'a [(String, String)], name: &str) -> Option<&'a str> {
        list.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An object packed into one value: `R,100,G,200` (pairs), or `R=100,G=200` when
/// exploded; `label` and `matrix` prefixes are removed first.
fn object_from(
    text: &str,
    name: &str,
    style: Style,
    explode: bool,
    kind: impl Fn(&str) -> Scalar,
) -> Result<serde_json::Map<String, Value>, String> {
    let (body, sep) = match style {
        Style::Label => (
            text.strip_prefix('.').unwrap_or(text),
            if explode { '.' } else { ',' },
        ),
        Style::Matrix if explode => (text.strip_prefix(';').unwrap_or(text), ';'),
        Style::Matrix => (
            text.strip_prefix(';')
                .and_then(|r| r.strip_prefix(name))
                .and_then(|r| r.strip_prefix('='))
                .unwrap_or(text),
            ',',
        ),
        Style::SpaceDelimited => (text, ' '),
        Style::PipeDelimited => (text, '|'),
        Style::Form | Style::Simple | Style::DeepObject => (text, ','),
    };
    let mut object = serde_json::Map::new();
    if body.is_empty() {
        return Ok(object);
    }
    if explode {
        for pair in body.split(sep) {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` is not a `key=value` pair of object `{name}`"))?;
            object.insert(k.to_owned(), scalar(v, kind(k)));
        }
    } else {
        let items: Vec<&str> = body.split(sep).collect();
        if items.len() % 2 != 0 {
            return Err(format!(
                "object `{name}` must alternate keys and values; `{body}` has an odd number of items"
            ));
        }
        for pair in items.chunks(2) {
            object.insert(pair[0].to_owned(), scalar(pair[1], kind(pair[0])));
        }
    }
    Ok(object)
}

fn loc_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
        Location::Cookie => "cookie",
        Location::Body | Location::Response => "body",
    }
}

/// Validates `value`, then deserializes it. Deserialization failures are `type` violations.
pub(super) fn typed<T: DeserializeOwned>(
    value: Value,
    validate: Option<ValidateFn>,
    e: &mut Errors,
) -> Option<T> {
    let before = e.len();
    if let Some(validate) = validate {
        if let Err(err) = validate::check_value(&value, validate, &Ptr::new(), e) {
            // Not reached: a value serde_json built is written and read back.
            e.push(&Ptr::new(), "type", err.to_string());
        }
    }
    if e.len() > before {
        return None;
    }
    deserialized(serde_path_to_error::deserialize::<_, T>(value), e)
}

/// A checked body's text deserialized into `T`.
fn from_text<T: DeserializeOwned>(text: &str, e: &mut Errors) -> Option<T> {
    // Without tracking the path first (it costs on every value); a failure is deserialized
    // again with tracking, for its pointer.
    match serde_json::from_str(text) {
        Ok(t) => Some(t),
        Err(_) => deserialized(
            serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text)),
            e,
        ),
    }
}

/// The deserialized value, or a `type` violation at the pointer where it failed.
fn deserialized<T>(
    result: Result<T, serde_path_to_error::Error<serde_json::Error>>,
    e: &mut Errors,
) -> Option<T> {
    match result {
        Ok(t) => Some(t),
        Err(err) => {
            let mut pointer = String::new();
            for seg in err.path().iter() {
                match seg {
                    serde_path_to_error::Segment::Seq { index } => {
                        pointer.push('/');
                        pointer.push_str(itoa::Buffer::new().format(*index));
                    }
                    serde_path_to_error::Segment::Map { key } => push_key(&mut pointer, key),
                    serde_path_to_error::Segment::Enum { .. }
                    | serde_path_to_error::Segment::Unknown => {}
                }
            }
            e.push_at(pointer, "type", syntax_reason(&err.into_inner()));
            None
        }
    }
}

fn syntax_reason(err: &serde_json::Error) -> String {
    // serde_json appends " at line L column C" to its message; we report those separately.
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Reads one scalar. Text that is not of the expected type is kept as a string so that the
/// validator reports a precise `type` violation.
pub(super) fn scalar(s: &str, kind: Scalar) -> Value {
    match kind {
        Scalar::String => Value::String(s.to_owned()),
        Scalar::Integer => s
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| s.parse::<u64>().map(Value::from))
            .unwrap_or_else(|_| Value::String(s.to_owned())),
        Scalar::Number => s
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .and_then(Number::from_f64)
                    .map(Value::Number)
            })
            .unwrap_or_else(|| Value::String(s.to_owned())),
        Scalar::Boolean => match s {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => Value::String(other.to_owned()),
        },
    }
}

pub(super) fn shaped(s: &str, shape: Shape, name: &str) -> Value {
    match shape {
        Shape::Scalar(kind) => scalar(s, kind),
        Shape::Json => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_owned())),
        // Read by `raw_object`; a multipart text part never has an object shape.
        Shape::Object { .. } => Value::String(s.to_owned()),
        Shape::Array {
            item,
            style,
            explode,
        } => {
            let body = match style {
                Style::Label => s.strip_prefix('.').unwrap_or(s),
                Style::Matrix => s
                    .strip_prefix(';')
                    .and_then(|r| r.strip_prefix(name))
                    .and_then(|r| r.strip_prefix('='))
                    .unwrap_or(s),
                _ => s,
            };
            let sep = match style {
                Style::SpaceDelimited => " ",
                Style::PipeDelimited => "|",
                Style::Label if explode => ".",
                _ => ",",
            };
            if body.is_empty() {
                return Value::Array(Vec::new());
            }
            Value::Array(body.split(sep).map(|part| scalar(part, item)).collect())
        }
    }
}

fn parse_cookies(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            Some((k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(query: &str) -> Input {
        Input::new(
            Vec::new(),
            Some(query),
            http::HeaderMap::new(),
            Bytes::new(),
        )
    }

    #[test]
    fn exploded_form_arrays_collect_repeated_keys() {
        let mut e = Errors::default();
        let shape = Shape::Array {
            item: Scalar::Integer,
            style: Style::Form,
            explode: true,
        };
        let got: Option<Vec<i64>> =
            input("a=1&b=x&a=2").param(Location::Query, "a", false, shape, None, &mut e);
        assert_eq!(got, Some(vec![1, 2]));
        assert!(e.is_empty());
    }

    #[test]
    fn wrong_scalar_type_is_a_type_violation() {
        let mut e = Errors::default();
        let got: Option<i32> = input("limit=ten").param(
            Location::Query,
            "limit",
            false,
            Shape::Scalar(Scalar::Integer),
            None,
            &mut e,
        );
        assert_eq!(got, None);
        let v = e.into_vec();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].keyword, "type");
        assert_eq!(v[0].name.as_deref(), Some("limit"));
    }

    #[test]
    fn missing_required_parameter_is_reported() {
        let mut e = Errors::default();
        let got: Option<String> = input("").param(
            Location::Query,
            "q",
            true,
            Shape::Scalar(Scalar::String),
            None,
            &mut e,
        );
        assert_eq!(got, None);
        assert_eq!(e.into_vec()[0].keyword, "required");
    }

    #[test]
    fn form_bodies_read_fields_by_shape() {
        let input = Input {
            body: Bytes::from_static(b"name=Rex&age=3&tags=a&tags=b&extra=x%20y"),
            ..Input::default()
        };
        let mut e = Errors::new(Location::Body);
        let fields = [
            ("name", Shape::Scalar(Scalar::String)),
            ("age", Shape::Scalar(Scalar::Integer)),
            (
                "tags",
                Shape::Array {
                    item: Scalar::String,
                    style: Style::Form,
                    explode: true,
                },
            ),
        ];
        let v: Option<Value> = input.form_body(true, &fields, None, &mut e);
        assert!(e.is_empty());
        assert_eq!(
            v,
            Some(serde_json::json!({"name": "Rex", "age": 3, "tags": ["a", "b"], "extra": "x y"}))
        );
        let empty = Input::default();
        let v: Option<Value> = empty.form_body(true, &fields, None, &mut e);
        assert!(v.is_none());
        assert_eq!(e.into_vec()[0].keyword, "required");
    }

    const COLOR: &[(&str, Scalar)] = &[("R", Scalar::Integer), ("G", Scalar::Integer)];

    fn object(style: Style, explode: bool) -> Shape {
        Shape::Object {
            style,
            explode,
            fields: COLOR,
            other: Scalar::String,
        }
    }

    #[test]
    fn object_parameters_in_every_style() {
        let cases = [
            ("color[R]=100&color[G]=200", object(Style::DeepObject, true)),
            ("R=100&G=200&other=1", object(Style::Form, true)),
            ("color=R,100,G,200", object(Style::Form, false)),
            (
                "color=R%20100%20G%20200",
                object(Style::SpaceDelimited, false),
            ),
            ("color=R|100|G|200", object(Style::PipeDelimited, false)),
        ];
        for (query, shape) in cases {
            let mut e = Errors::default();
            let got: Option<Value> =
                input(query).param(Location::Query, "color", true, shape, None, &mut e);
            assert!(e.is_empty(), "{query}");
            assert_eq!(
                got,
                Some(serde_json::json!({"R": 100, "G": 200})),
                "{query}"
            );
        }
        let mut headers = http::HeaderMap::new();
        headers.insert("x-color", http::HeaderValue::from_static("R=100,G=200"));
        let header = Input::new(Vec::new(), None, headers, Bytes::new());
        let mut e = Errors::default();
        let got: Option<Value> = header.param(
            Location::Header,
            "x-color",
            true,
            object(Style::Simple, true),
            None,
            &mut e,
        );
        assert_eq!(got, Some(serde_json::json!({"R": 100, "G": 200})));
        let path = |text: &str| Input {
            path: vec![("color".to_owned(), text.to_owned())],
            ..Input::default()
        };
        for (text, shape) in [
            (".R,100,G,200", object(Style::Label, false)),
            (".R=100.G=200", object(Style::Label, true)),
            (";color=R,100,G,200", object(Style::Matrix, false)),
            (";R=100;G=200", object(Style::Matrix, true)),
            ("R,100,G,200", object(Style::Simple, false)),
        ] {
            let mut e = Errors::default();
            let got: Option<Value> =
                path(text).param(Location::Path, "color", true, shape, None, &mut e);
            assert!(e.is_empty(), "{text}");
            assert_eq!(got, Some(serde_json::json!({"R": 100, "G": 200})), "{text}");
        }
    }

    #[test]
    fn broken_object_parameters_are_type_violations() {
        let mut e = Errors::default();
        let got: Option<Value> = input("color=R,100,G").param(
            Location::Query,
            "color",
            true,
            object(Style::Form, false),
            None,
            &mut e,
        );
        assert!(got.is_none());
        let v = e.into_vec();
        assert_eq!(v[0].keyword, "type");
        assert!(v[0].message.contains("odd number"), "{}", v[0].message);
        let mut e = Errors::default();
        let got: Option<Value> = input("other=1").param(
            Location::Query,
            "color",
            true,
            object(Style::DeepObject, true),
            None,
            &mut e,
        );
        assert!(got.is_none());
        assert_eq!(e.into_vec()[0].keyword, "required");
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        let i = Input::new(
            Vec::new(),
            None,
            http::HeaderMap::new(),
            Bytes::from_static(b"{\n  \"a\": }"),
        );
        let mut e = Errors::default();
        let got: Option<Value> = i.json_body(true, None, &mut e);
        assert!(got.is_none());
        let v = e.into_vec();
        assert_eq!(v[0].keyword, "syntax");
        assert!(
            v[0].message.starts_with("invalid JSON at line 2, column 8"),
            "{}",
            v[0].message
        );
    }
}
