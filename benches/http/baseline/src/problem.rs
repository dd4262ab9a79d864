//! RFC 9457 problem+json answers, shaped like the gateway's.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One contract violation, as listed in a 400's `errors`.
#[derive(Debug, Serialize)]
pub(crate) struct Violation {
    #[serde(rename = "in")]
    pub(crate) location: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<&'static str>,
    pub(crate) pointer: String,
    pub(crate) keyword: &'static str,
    pub(crate) message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    type_uri: &'static str,
    title: &'static str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[Violation]>::is_empty")]
    errors: &'a [Violation],
}

/// A problem+json answer with `status`, the gateway's `type` URI and title for it, and
/// `headers` added.
pub(crate) fn problem(
    status: StatusCode,
    detail: &str,
    errors: &[Violation],
    headers: HeaderMap,
) -> Response {
    let (type_uri, title) = match status.as_u16() {
        400 if errors.is_empty() => (
            "https://tollgate.dev/problems/malformed-request",
            "Malformed request",
        ),
        400 => (
            "https://tollgate.dev/problems/validation",
            "Request does not match the API contract",
        ),
        401 => ("https://tollgate.dev/problems/unauthorized", "Unauthorized"),
        413 => (
            "https://tollgate.dev/problems/payload-too-large",
            "Payload Too Large",
        ),
        415 => (
            "https://tollgate.dev/problems/unsupported-media-type",
            "Unsupported Media Type",
        ),
        429 => (
            "https://tollgate.dev/problems/too-many-requests",
            "Too Many Requests",
        ),
        _ => (
            "https://tollgate.dev/problems/internal",
            "Internal Server Error",
        ),
    };
    let body = Body {
        type_uri,
        title,
        status: status.as_u16(),
        detail,
        errors,
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response.headers_mut().extend(headers);
    response
}

/// A 400 listing every violation.
pub(crate) fn validation(errors: &[Violation], headers: HeaderMap) -> Response {
    let detail = match errors.len() {
        1 => "the request has 1 error".to_owned(),
        n => format!("the request has {n} errors"),
    };
    problem(StatusCode::BAD_REQUEST, &detail, errors, headers)
}
