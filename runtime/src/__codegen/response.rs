//! Turning a generated response enum into an HTTP response.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;

use super::validate::Errors;
use crate::problem::{Problem, ProblemKind};

/// Implemented by every generated response enum.
pub trait GeneratedResponse: Send + 'static {
    /// The HTTP response.
    fn into_response(self) -> Response;
    /// Checks the body against the spec (response validation in development).
    fn validate(&self, errors: &mut Errors);
}

/// A JSON response with `status`.
pub fn json_response<T: Serialize>(status: u16, body: &T) -> Response {
    json_with(status, HeaderValue::from_static("application/json"), body)
}

/// A JSON response with `status` sent as `content_type` (`application/problem+json`,
/// `application/hal+json`, …).
pub fn json_response_as<T: Serialize>(
    status: u16,
    content_type: &'static str,
    body: &T,
) -> Response {
    let value =
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/json"));
    json_with(status, value, body)
}

fn json_with<T: Serialize>(status: u16, content_type: HeaderValue, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => body_response(status_code(status), content_type, bytes),
        Err(err) => {
            tracing::error!("response body could not be serialized: {err}");
            Problem::new(
                ProblemKind::Internal,
                "the response could not be serialized",
            )
            .into_response()
        }
    }
}

/// A response with `status`, `body` and its `Content-Type`, built directly: the tuple
/// `(status, bytes).into_response()` sets `application/octet-stream` first, which then had
/// to be replaced (two header writes on every answer).
pub(crate) fn body_response(
    status: StatusCode,
    content_type: HeaderValue,
    body: impl Into<axum::body::Body>,
) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    response
}

/// A response with no body.
pub fn empty_response(status: u16) -> Response {
    status_code(status).into_response()
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A text response with `status` and `content_type`.
pub fn text_response(status: u16, content_type: &'static str, body: String) -> Response {
    typed_bytes(status, content_type, body.into_bytes())
}

/// A binary response with `status` and `content_type`.
pub fn bytes_response(status: u16, content_type: &'static str, body: bytes::Bytes) -> Response {
    typed_bytes(status, content_type, body)
}

fn typed_bytes(status: u16, content_type: &'static str, body: impl Into<bytes::Bytes>) -> Response {
    let value = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    body_response(status_code(status), value, body.into())
}

/// Adds a declared response header. The value is written in OpenAPI's `simple` style:
/// scalars as text, arrays comma-separated, objects as `key,value` pairs; `None` (JSON
/// null) sends nothing. A value that cannot be a header is logged and left out.
pub fn set_header<T: Serialize>(response: &mut Response, name: &'static str, value: &T) {
    let text = match serde_json::to_value(value) {
        Ok(serde_json::Value::Null) => return,
        Ok(value) => simple_text(&value),
        Err(err) => {
            tracing::error!(
                header = name,
                "response header could not be serialized: {err}"
            );
            return;
        }
    };
    match (
        header::HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(&text),
    ) {
        (Ok(name), Ok(value)) => {
            response.headers_mut().insert(name, value);
        }
        _ => tracing::error!(
            header = name,
            "`{text}` is not a valid header value; not sent"
        ),
    }
}

fn simple_text(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(simple_text).collect::<Vec<_>>().join(","),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| [k.clone(), simple_text(v)])
            .collect::<Vec<_>>()
            .join(","),
        Value::Null => String::new(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
    }
}
