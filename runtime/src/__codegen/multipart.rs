//! `multipart/form-data` request bodies: parsing the parts (with `multer`, the parser
//! axum's own `Multipart` extractor uses) and turning them into the generated body type.
//!
//! The body was already read under `limits.body_bytes` (413 past it) before parsing, so a
//! multipart body can never hold more than the limit. Text parts are read like form
//! fields (by the shape of their property's schema), JSON parts (object properties, or an
//! `encoding.contentType` of JSON) are parsed, and file parts become [`FilePart`]s. The
//! fields are validated as one JSON object, so violations carry pointers such as `/age`.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::input::{scalar, typed, Input, Shape, ValidateFn};
use super::validate::{Errors, Ptr};
use crate::problem::Location;

/// One uploaded file of a `multipart/form-data` body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilePart {
    /// The `filename` of the part's `Content-Disposition`, if the client sent one.
    pub filename: Option<String>,
    /// The part's `Content-Type`, if the client sent one.
    pub content_type: Option<String>,
    /// The content.
    pub bytes: Bytes,
}

/// How one property of a multipart body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A text field: one part for scalars, repeated parts for arrays.
    Field(Shape),
    /// A JSON part; `repeated`: every part of that name is one item of an array.
    Json {
        /// The property is an array whose items are sent as separate parts.
        repeated: bool,
    },
    /// One file (`format: binary`), of one of the media types in `accept` (its
    /// `encoding.contentType`; empty: any).
    File {
        /// The media types the part may be sent as (wildcards allowed).
        accept: &'static [&'static str],
    },
    /// Several files (an array of `format: binary`), each of a type in `accept`.
    Files {
        /// The media types each part may be sent as (wildcards allowed).
        accept: &'static [&'static str],
    },
}

/// A part as received.
#[derive(Debug, Clone)]
pub(crate) struct RawPart {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

/// Splits a buffered multipart body into its parts, or says why it cannot be read.
pub(crate) async fn parse(content_type: &str, body: Bytes) -> Result<Vec<RawPart>, String> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|err| format!("the multipart body cannot be read: {err}"))?;
    let stream = axum::body::Body::from(body).into_data_stream();
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(parts),
            Err(err) => return Err(format!("the multipart body cannot be read: {err}")),
        };
        let Some(name) = field.name().map(str::to_owned) else {
            return Err("a multipart part has no `name` in its Content-Disposition".to_owned());
        };
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let data = field
            .bytes()
            .await
            .map_err(|err| format!("multipart part `{name}` cannot be read: {err}"))?;
        parts.push(RawPart {
            name,
            filename,
            content_type,
            data,
        });
    }
}

/// The file parts of a multipart body, handed out to the generated body type's fields.
#[derive(Debug, Default)]
pub struct Files(Vec<(String, FilePart)>);

impl Files {
    /// The first file sent as `name`, if any (for a required field, validation already
    /// refused a request without it).
    pub fn one(&mut self, name: &str) -> Option<FilePart> {
        let i = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.remove(i).1)
    }

    /// Every file sent as `name`, in order.
    pub fn all(&mut self, name: &str) -> Vec<FilePart> {
        let (taken, kept) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|(n, _)| n == name);
        self.0 = kept;
        taken.into_iter().map(|(_, f)| f).collect()
    }
}

impl Input {
    /// Extracts a `multipart/form-data` body: `fields` says how each declared property is
    /// read. Text and JSON parts are validated and deserialized as one object (files stand
    /// in it as empty strings, so `required` covers them); the files are returned beside it.
    pub fn multipart_body<T: DeserializeOwned>(
        &self,
        required: bool,
        fields: &[(&'static str, Part)],
        validate: Option<ValidateFn>,
        e: &mut Errors,
    ) -> Option<(T, Files)> {
        e.at(Location::Body, None);
        let before = e.len();
        let parts = match &self.multipart {
            Some(Ok(parts)) => parts,
            Some(Err(reason)) => {
                e.push(&Ptr::new(), "syntax", reason.clone());
                return None;
            }
            None if self.body.is_empty() => {
                if required {
                    e.push(&Ptr::new(), "required", "a request body is required");
                }
                return None;
            }
            None => {
                e.push(
                    &Ptr::new(),
                    "contentType",
                    "the body must be sent as multipart/form-data",
                );
                return None;
            }
        };
        let mut object = serde_json::Map::new();
        let mut files = Files::default();
        let root = Ptr::new();
        for (name, part) in fields {
            let mut named = parts.iter().filter(|raw| raw.name == *name).peekable();
            if named.peek().is_none() {
                continue;
            }
            let p = root.key(name);
            let value = match part {
                Part::File { accept } | Part::Files { accept } => {
                    let mut placeholders = Vec::new();
                    for raw in named {
                        // A refused part still stands in the object: it was sent, so it is
                        // not also reported missing.
                        placeholders.push(Value::String(String::new()));
                        if accepted(raw, accept, &p, e) {
                            files.0.push((raw.name.clone(), file_of(raw)));
                        }
                    }
                    match part {
                        Part::Files { .. } => Some(Value::Array(placeholders)),
                        _ => placeholders.into_iter().next(),
                    }
                }
                Part::Field(Shape::Array { item, .. }) => named
                    .map(|raw| text(raw, &p, e).map(|t| scalar(t, *item)))
                    .collect::<Option<Vec<_>>>()
                    .map(Value::Array),
                Part::Field(shape) => named
                    .next()
                    .and_then(|raw| text(raw, &p, e))
                    .map(|t| super::input::shaped(t, *shape, name)),
                Part::Json { repeated: true } => named
                    .map(|raw| json(raw, &p, e))
                    .collect::<Option<Vec<_>>>()
                    .map(Value::Array),
                Part::Json { repeated: false } => named.next().and_then(|raw| json(raw, &p, e)),
            };
            if let Some(value) = value {
                object.insert((*name).to_owned(), value);
            }
        }
        // Undeclared parts stay visible to the validator (`additionalProperties: false`).
        for raw in parts {
            if !object.contains_key(&raw.name) && !fields.iter().any(|(n, _)| *n == raw.name) {
                let value = match std::str::from_utf8(&raw.data) {
                    Ok(text) if raw.filename.is_none() => Value::String(text.to_owned()),
                    _ => Value::String(String::new()),
                };
                object.insert(raw.name.clone(), value);
            }
        }
        let value = typed(Value::Object(object), validate, e);
        if e.len() > before {
            return None;
        }
        value.map(|v| (v, files))
    }
}

/// Whether a file part's media type is one of `accept` (any when it is empty); records a
/// `contentType` violation when not. A part without `Content-Type` is `text/plain`, as
/// RFC 7578 says.
fn accepted(raw: &RawPart, accept: &[&str], at: &Ptr, e: &mut Errors) -> bool {
    let content_type = raw.content_type.as_deref().unwrap_or("text/plain");
    if accept.is_empty() || super::dispatch::media_type_matches(content_type, accept) {
        return true;
    }
    e.push(
        at,
        "contentType",
        format!(
            "part `{}` must be sent as {}, not {content_type}",
            raw.name,
            accept.join(" or ")
        ),
    );
    false
}

fn file_of(raw: &RawPart) -> FilePart {
    FilePart {
        filename: raw.filename.clone(),
        content_type: raw.content_type.clone(),
        bytes: raw.data.clone(),
    }
}

fn text<'a>(raw: &'a RawPart, p: &Ptr, e: &mut Errors) -> Option<&'a str> {
    match std::str::from_utf8(&raw.data) {
        Ok(text) => Some(text),
        Err(err) => {
            e.push(
                p,
                "type",
                format!("part `{}` is not UTF-8 text: {err}", raw.name),
            );
            None
        }
    }
}

fn json(raw: &RawPart, p: &Ptr, e: &mut Errors) -> Option<Value> {
    match serde_json::from_slice(&raw.data) {
        Ok(value) => Some(value),
        Err(err) => {
            e.push(
                p,
                "syntax",
                format!(
                    "part `{}` is not valid JSON (line {}, column {})",
                    raw.name,
                    err.line(),
                    err.column()
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::__codegen::Scalar;

    const CT: &str = "multipart/form-data; boundary=XyZ";

    fn body(parts: &[(&str, Option<&str>, &str)]) -> Bytes {
        let mut out = String::new();
        for (name, filename, data) in parts {
            out.push_str("--XyZ\r\n");
            match filename {
                Some(f) => out.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/png\r\n\r\n"
                )),
                None => out.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                )),
            }
            out.push_str(data);
            out.push_str("\r\n");
        }
        out.push_str("--XyZ--\r\n");
        Bytes::from(out)
    }

    async fn input(bytes: Bytes) -> Input {
        Input {
            multipart: Some(parse(CT, bytes.clone()).await),
            body: bytes,
            ..Input::default()
        }
    }

    const FIELDS: &[(&str, Part)] = &[
        ("name", Part::Field(Shape::Scalar(Scalar::String))),
        ("age", Part::Field(Shape::Scalar(Scalar::Integer))),
        ("meta", Part::Json { repeated: false }),
        ("photo", Part::File { accept: &[] }),
    ];

    #[tokio::test]
    async fn fields_json_and_files_are_read() {
        let input = input(body(&[
            ("name", None, "Rex"),
            ("age", None, "3"),
            ("meta", None, "{\"a\": [1]}"),
            ("photo", Some("rex.png"), "PNGDATA"),
            ("extra", None, "x"),
        ]))
        .await;
        let mut e = Errors::new(Location::Body);
        let (value, mut files): (Value, Files) =
            input.multipart_body(true, FIELDS, None, &mut e).unwrap();
        assert!(e.is_empty());
        assert_eq!(
            value,
            serde_json::json!({"name": "Rex", "age": 3, "meta": {"a": [1]}, "photo": "", "extra": "x"})
        );
        let photo = files.one("photo").unwrap();
        assert_eq!(photo.filename.as_deref(), Some("rex.png"));
        assert_eq!(photo.content_type.as_deref(), Some("image/png"));
        assert_eq!(&photo.bytes[..], b"PNGDATA");
        assert!(files.one("photo").is_none());
    }

    #[tokio::test]
    async fn bad_json_parts_and_broken_bodies_are_syntax_errors() {
        let input = input(body(&[("meta", None, "{oops")])).await;
        let mut e = Errors::new(Location::Body);
        let got: Option<(Value, Files)> = input.multipart_body(true, FIELDS, None, &mut e);
        assert!(got.is_none());
        let v = e.into_vec();
        assert_eq!((v[0].keyword, v[0].pointer.as_str()), ("syntax", "/meta"));

        let broken = Input {
            multipart: Some(
                parse(
                    CT,
                    Bytes::from_static(
                        b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nabc",
                    ),
                )
                .await,
            ),
            body: Bytes::from_static(b"x"),
            ..Input::default()
        };
        let mut e = Errors::new(Location::Body);
        let got: Option<(Value, Files)> = broken.multipart_body(true, FIELDS, None, &mut e);
        assert!(got.is_none());
        assert_eq!(e.into_vec()[0].keyword, "syntax");
    }
}
