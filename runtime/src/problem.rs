//! RFC 9457 problem details: the body of every answer the gateway gives on its own.
//!
//! Each kind of rejection has a stable `type` URI (see [`ProblemKind`]); every body carries
//! `type`, `title`, `status` and `detail`, and validation failures add `errors`.

use std::borrow::Cow;

use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Serialize;

use crate::__codegen::errors::{write_violation, ViolationRef};
use crate::__codegen::Errors;
use crate::json_bytes::push_string;

/// The media type of problem responses.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The kinds of rejection the gateway produces, each with a stable `type` URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// 400: the request does not match the spec (parameters or body).
    Validation,
    /// 400: the input could not be parsed at all (malformed JSON, bad encoding).
    Malformed,
    /// 401: credentials missing or invalid.
    Unauthorized,
    /// 403: credentials valid but not sufficient.
    Forbidden,
    /// 404: no route matches the path.
    NotFound,
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 406: no documented response media type is acceptable.
    NotAcceptable,
    /// 413: the body is larger than `limits.body_bytes`.
    PayloadTooLarge,
    /// 415: the body's media type is not documented for the operation.
    UnsupportedMediaType,
    /// 429: a throttle or quota refused the request.
    TooManyRequests,
    /// 431: request headers too large.
    HeadersTooLarge,
    /// 500: the handler answered something the spec does not allow, or failed.
    Internal,
    /// 503: a dependency of the gateway (such as the throttle store) is unavailable.
    Unavailable,
    /// 504: the handler ran past `limits.timeout_ms`.
    Timeout,
}

impl ProblemKind {
    /// The HTTP status of this kind.
    pub fn status(self) -> StatusCode {
        match self {
            Self::Validation | Self::Malformed => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Timeout => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// The stable `type` URI of this kind.
    pub fn type_uri(self) -> &'static str {
        match self {
            Self::Validation => "https://tollgate.dev/problems/validation",
            Self::Malformed => "https://tollgate.dev/problems/malformed-request",
            Self::Unauthorized => "https://tollgate.dev/problems/unauthorized",
            Self::Forbidden => "https://tollgate.dev/problems/forbidden",
            Self::NotFound => "https://tollgate.dev/problems/not-found",
            Self::MethodNotAllowed => "https://tollgate.dev/problems/method-not-allowed",
            Self::NotAcceptable => "https://tollgate.dev/problems/not-acceptable",
            Self::PayloadTooLarge => "https://tollgate.dev/problems/payload-too-large",
            Self::UnsupportedMediaType => "https://tollgate.dev/problems/unsupported-media-type",
            Self::TooManyRequests => "https://tollgate.dev/problems/too-many-requests",
            Self::HeadersTooLarge => "https://tollgate.dev/problems/headers-too-large",
            Self::Internal => "https://tollgate.dev/problems/internal",
            Self::Unavailable => "https://tollgate.dev/problems/unavailable",
            Self::Timeout => "https://tollgate.dev/problems/timeout",
        }
    }

    /// The short human title of this kind.
    pub fn title(self) -> &'static str {
        match self {
            Self::Validation => "Request does not match the API contract",
            Self::Malformed => "Malformed request",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not Found",
            Self::MethodNotAllowed => "Method Not Allowed",
            Self::NotAcceptable => "Not Acceptable",
            Self::PayloadTooLarge => "Payload Too Large",
            Self::UnsupportedMediaType => "Unsupported Media Type",
            Self::TooManyRequests => "Too Many Requests",
            Self::HeadersTooLarge => "Request Header Fields Too Large",
            Self::Internal => "Internal Server Error",
            Self::Unavailable => "Service Unavailable",
            Self::Timeout => "Gateway Timeout",
        }
    }
}

/// Where a piece of request input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// A path parameter.
    Path,
    /// A query parameter.
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
    /// The request body.
    Body,
    /// A response produced by a handler (response validation in development).
    Response,
}

impl Location {
    /// A violation's opening in problem+json, up to its `in` member's value.
    pub(crate) fn opening_member(self) -> &'static str {
        match self {
            Self::Path => r#"{"in":"path""#,
            Self::Query => r#"{"in":"query""#,
            Self::Header => r#"{"in":"header""#,
            Self::Cookie => r#"{"in":"cookie""#,
            Self::Body => r#"{"in":"body""#,
            Self::Response => r#"{"in":"response""#,
        }
    }

    /// The name used in problem+json's `in` member (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Cookie => "cookie",
            Self::Body => "body",
            Self::Response => "response",
        }
    }
}

/// One violation of the contract, as listed in a 400's `errors` member.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// Where the failing input arrived.
    #[serde(rename = "in")]
    pub location: Location,
    /// The parameter name, for parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// JSON pointer of the failing value inside that input (`""` for the whole value).
    pub pointer: String,
    /// The schema keyword that failed (`type`, `required`, `maxLength`, …).
    pub keyword: &'static str,
    /// A readable message: static text where the message is fixed (no allocation on the
    /// refusal path), owned where it names values.
    pub message: Cow<'static, str>,
}

/// An RFC 9457 problem response.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// The `type` URI.
    #[serde(rename = "type")]
    pub type_uri: &'static str,
    /// A short, stable title for the kind.
    pub title: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// Every contract violation, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Violation>,
    /// Extra headers to send (`Allow`, `Retry-After`, `WWW-Authenticate`, …).
    #[serde(skip)]
    pub headers: HeaderMap,
}

impl Problem {
    /// A problem of `kind` with the given detail.
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            type_uri: kind.type_uri(),
            title: kind.title(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            headers: HeaderMap::new(),
        }
    }

    /// A 400 listing every violation.
    pub fn validation(errors: Vec<Violation>) -> Self {
        let mut detail = String::with_capacity(32);
        push_validation_detail(&mut detail, errors.len());
        Self {
            errors,
            ..Self::new(ProblemKind::Validation, detail)
        }
    }

    /// The problem as JSON: the bytes `serde_json::to_vec` gives for its `Serialize`
    /// implementation, written by hand (a 400 listing several violations spent more in
    /// serde_json's byte-at-a-time string escaping than in finding the violations).
    pub fn to_json(&self) -> Vec<u8> {
        let size = self
            .errors
            .iter()
            .map(|v| 64 + v.pointer.len() + v.message.len())
            .sum::<usize>();
        let mut out = problem_json_head(
            self.type_uri,
            self.title,
            self.status,
            self.detail.len() + size,
        );
        push_string(&mut out, &self.detail);
        if !self.errors.is_empty() {
            out.extend_from_slice(b",\"errors\":[");
            for (i, v) in self.errors.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_violation(&mut out, &ViolationRef::of(v));
            }
            out.push(b']');
        }
        out.push(b'}');
        out
    }

    /// Adds a header to the answer. Invalid header values are skipped.
    pub fn with_header(mut self, name: header::HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.append(name, value);
        }
        self
    }
}

/// Appends a validation problem's `detail`: "the request has N error(s)".
fn push_validation_detail(detail: &mut String, count: usize) {
    detail.push_str("the request has ");
    detail.push_str(itoa::Buffer::new().format(count));
    detail.push_str(if count == 1 { " error" } else { " errors" });
}

/// A problem body up to its `detail` member's value, with room for `more` bytes.
fn problem_json_head(type_uri: &str, title: &str, status: u16, more: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(160 + more);
    out.extend_from_slice(b"{\"type\":");
    push_string(&mut out, type_uri);
    out.extend_from_slice(b",\"title\":");
    push_string(&mut out, title);
    out.extend_from_slice(b",\"status\":");
    out.extend_from_slice(itoa::Buffer::new().format(status).as_bytes());
    out.extend_from_slice(b",\"detail\":");
    out
}

/// The 400 listing the violations in `errors`, written from them directly: the bytes
/// [`Problem::validation`]`(errors.into_vec())` answers with, without a `String` per
/// violation.
pub(crate) fn validation_response(errors: &Errors) -> Response {
    let kind = ProblemKind::Validation;
    let mut out = problem_json_head(
        kind.type_uri(),
        kind.title(),
        kind.status().as_u16(),
        errors.json_size_hint(),
    );
    let mut detail = String::with_capacity(32);
    push_validation_detail(&mut detail, errors.len());
    push_string(&mut out, &detail);
    if !errors.is_empty() {
        out.extend_from_slice(b",\"errors\":[");
        errors.write_problem_members(&mut out);
        out.push(b']');
    }
    out.push(b'}');
    crate::__codegen::response::body_response(
        kind.status(),
        HeaderValue::from_static(PROBLEM_JSON),
        out,
    )
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = self.to_json();
        let mut response = crate::__codegen::response::body_response(
            status,
            HeaderValue::from_static(PROBLEM_JSON),
            body,
        );
        if !self.headers.is_empty() {
            response.headers_mut().extend(self.headers);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::{Location, Problem, ProblemKind, Violation};

    #[test]
    fn hand_written_json_is_what_serde_json_writes() {
        let mut problem = Problem::validation(vec![
            Violation {
                location: Location::Body,
                name: None,
                pointer: "/items/3/na\"me".into(),
                keyword: "pattern",
                message: "must match the pattern `^[A-Za-z0-9 _-]+\\$` \n\t\u{1}".into(),
            },
            Violation {
                location: Location::Query,
                name: Some("limit".into()),
                pointer: String::new(),
                keyword: "maximum",
                message: "must be at most 100 — é".into(),
            },
        ]);
        assert_eq!(
            String::from_utf8(problem.to_json()).unwrap(),
            serde_json::to_string(&problem).unwrap()
        );
        problem.errors.clear();
        assert_eq!(
            String::from_utf8(problem.to_json()).unwrap(),
            serde_json::to_string(&problem).unwrap()
        );
        for location in [
            Location::Path,
            Location::Query,
            Location::Header,
            Location::Cookie,
            Location::Body,
            Location::Response,
        ] {
            assert_eq!(
                serde_json::to_value(location).unwrap(),
                serde_json::Value::from(location.as_str())
            );
            let problem = Problem::validation(vec![Violation {
                location,
                name: None,
                pointer: "/a".into(),
                keyword: "type",
                message: "must be a string".into(),
            }]);
            assert_eq!(
                String::from_utf8(problem.to_json()).unwrap(),
                serde_json::to_string(&problem).unwrap()
            );
        }
        let problem = Problem::new(ProblemKind::TooManyRequests, "slow down");
        assert_eq!(
            String::from_utf8(problem.to_json()).unwrap(),
            serde_json::to_string(&problem).unwrap()
        );
    }
}
