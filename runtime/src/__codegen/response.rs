//! Turning a generated response enum into an HTTP response.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;

use super::validate::{Errors, Ptr};
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
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status_code(status), bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
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

/// A response with no body.
pub fn empty_response(status: u16) -> Response {
    status_code(status).into_response()
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Validates a response body with a generated validator (development setting).
pub fn validate_body<T: Serialize>(
    body: &T,
    validate: fn(&serde_json::Value, &mut Ptr, &mut Errors),
    errors: &mut Errors,
) {
    match serde_json::to_value(body) {
        Ok(value) => validate(&value, &mut Ptr::new(), errors),
        Err(err) => errors.push(
            &Ptr::new(),
            "type",
            format!("could not be serialized: {err}"),
        ),
    }
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
    let body: bytes::Bytes = body.into();
    let mut response = (status_code(status), body).into_response();
    let value = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    response.headers_mut().insert(header::CONTENT_TYPE, value);
    response
}
