//! The request pipeline every generated operation handler runs:
//! authenticate (401/403) → throttle (429) → limits and content type (413/415) →
//! extract and validate (400) → handler (504 on timeout) → response validation (500, opt-in).
//!
//! Routing (404/405) happened before: axum only calls an operation's handler for its path
//! and method. The generic part of [`handle`] is kept small; the stages that do not depend
//! on the operation's types live in non-generic functions, so a spec with thousands of
//! operations does not monomorphise the pipeline thousands of times.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::{FromRequestParts, RawPathParams, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;
use http::{header, HeaderMap, HeaderName, HeaderValue};
use http_body_util::{BodyExt, Limited};
use sha2::Digest;

use super::input::Input;
use super::response::GeneratedResponse;
use super::routing::Shared;
use super::validate::Errors;
use crate::meta::{ApiMeta, OperationMeta};
use crate::problem::{Location, Problem, ProblemKind, Violation};
use crate::throttle::RateLimitHeaders;
use crate::{Context, Gateway, Principal};

/// What the stages before extraction established.
struct Admitted {
    input: Input,
    principal: Option<Principal>,
    request_id: String,
    extra_headers: RateLimitHeaders,
}

/// One generated operation, implemented by its request type: how the request is extracted
/// and which method of the user's `Api` answers it. The pipeline ([`handle`]) and the route
/// registration ([`super::Routes::add`]) are generic over it, so a generated operation is
/// one small impl instead of a handler function with its own future, and the compiler
/// checks the pipeline once, in this crate, rather than once per operation.
pub trait Operation<A>: Sized + Send + 'static {
    /// The operation's response enum.
    type Response: GeneratedResponse;
    /// Extracts and validates the parameters and body; problems go to `errors`.
    fn extract(input: &Input, errors: &mut Errors) -> Option<Self>;
    /// Calls the user's handler.
    fn call(
        api: &A,
        request: Self,
        context: Context,
    ) -> impl core::future::Future<Output = Self::Response> + Send;
}

/// Runs one request of operation `O` through the pipeline.
pub(crate) async fn handle<A, O>(
    shared: Arc<Shared<A>>,
    api: &'static ApiMeta,
    op: &'static OperationMeta,
    request: Request,
) -> Response
where
    A: Send + Sync + 'static,
    O: Operation<A>,
{
    let gateway = &shared.gateway;
    let admitted = match admit(gateway, api, op, request).await {
        Ok(a) => a,
        Err(response) => return response,
    };
    let mut errors = Errors::new(Location::Body);
    let typed = O::extract(&admitted.input, &mut errors);
    let typed = match typed {
        Some(t) if errors.is_empty() => t,
        _ => return finish(rejection(errors.into_vec()), admitted.extra_headers),
    };
    let context = Context::new(op.id, admitted.request_id, admitted.principal);
    let timeout = Duration::from_millis(gateway.limits().timeout_ms);
    let answer = match tokio::time::timeout(timeout, O::call(&shared.api, typed, context)).await {
        Ok(answer) => answer,
        Err(_) => return finish(timed_out(op, timeout), admitted.extra_headers),
    };
    if gateway.validate_responses() {
        let mut errors = Errors::new(Location::Response);
        answer.validate(&mut errors);
        if !errors.is_empty() {
            return finish(
                response_mismatch(op, errors.into_vec()),
                admitted.extra_headers,
            );
        }
    }
    let mut response = answer.into_response();
    super::accept::negotiate(&mut response, admitted.input.headers.get(header::ACCEPT));
    finish(response, admitted.extra_headers)
}

fn timed_out(op: &OperationMeta, timeout: Duration) -> Response {
    let detail = format!(
        "the handler of `{}` ran past {} ms",
        op.id,
        timeout.as_millis()
    );
    Problem::new(ProblemKind::Timeout, detail).into_response()
}

fn finish(mut response: Response, extra: RateLimitHeaders) -> Response {
    extra.apply_to(response.headers_mut());
    response
}

fn rejection(errors: Vec<Violation>) -> Response {
    if let Some(syntax) = errors.iter().find(|v| v.keyword == "syntax") {
        let mut problem = Problem::new(ProblemKind::Malformed, syntax.message.clone());
        problem.errors = errors;
        return problem.into_response();
    }
    Problem::validation(errors).into_response()
}

fn response_mismatch(op: &OperationMeta, errors: Vec<Violation>) -> Response {
    for v in &errors {
        tracing::error!(
            operation = op.id,
            pointer = %v.pointer,
            keyword = v.keyword,
            "response does not match the spec: {}",
            v.message
        );
    }
    let mut problem = Problem::new(
        ProblemKind::Internal,
        format!(
            "the response of `{}` does not match the API contract",
            op.id
        ),
    );
    problem.errors = errors;
    problem.into_response()
}

/// Every stage before extraction. Not generic: compiled once.
async fn admit(
    gateway: &Gateway,
    api: &'static ApiMeta,
    op: &'static OperationMeta,
    request: Request,
) -> Result<Admitted, Response> {
    let (mut parts, body) = request.into_parts();
    // Authentication and throttling: when neither can wait (the common configuration),
    // run to completion here, so their state is not part of every request's future (it
    // made the future kilobytes larger, and moving it cost more than the work); otherwise
    // boxed, for the same reason.
    let admitted = match gateway.admission_never_waits() {
        true => poll_once(authenticate_and_throttle(gateway, api, op, &parts)),
        false => None,
    };
    let (principal, extra_headers) = match admitted {
        Some(admitted) => admitted?,
        None => Box::pin(authenticate_and_throttle(gateway, api, op, &parts)).await?,
    };
    let with_headers = |r: Response| finish(r, extra_headers.clone());

    let (body, multipart) = match &op.body {
        Some(meta) => {
            let limit = gateway.limits().body_bytes;
            if let Some(len) = declared_length(&parts.headers) {
                if len > limit {
                    return Err(with_headers(too_large(limit)));
                }
            }
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            let bytes = read_body(body, limit).await.map_err(with_headers)?;
            if let Some(signed) = principal.as_ref().and_then(|p| p.signed_payload_sha256) {
                let actual: [u8; 32] = sha2::Sha256::digest(&bytes).into();
                if !bool::from(subtle::ConstantTimeEq::ct_eq(&actual[..], &signed[..])) {
                    tracing::debug!(
                        operation = op.id,
                        "the body does not have the hash the SigV4 signature covers"
                    );
                    let problem = crate::auth::payload_mismatch();
                    return Err(with_headers(problem.into_response()));
                }
            }
            if !bytes.is_empty() || content_type.is_some() {
                match content_type {
                    Some(ct) if media_type_matches(ct, meta.content_types) => {}
                    Some(ct) => {
                        return Err(with_headers(unsupported_media_type(ct, meta.content_types)));
                    }
                    None => {
                        return Err(with_headers(unsupported_media_type(
                            "(none)",
                            meta.content_types,
                        )));
                    }
                }
            }
            let multipart = match content_type {
                Some(ct) if is_multipart(ct) => {
                    Some(super::multipart::parse(ct, bytes.clone()).await)
                }
                _ => None,
            };
            (bytes, multipart)
        }
        None => (Bytes::new(), None),
    };

    let path = match RawPathParams::from_request_parts(&mut parts, &()).await {
        Ok(params) => params
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        Err(rejection) => {
            let problem = Problem::new(ProblemKind::Malformed, rejection.body_text());
            return Err(with_headers(problem.into_response()));
        }
    };
    let request_id = request_id(&parts.headers);
    let mut input = Input::new(path, parts.uri.query(), parts.headers, body);
    input.multipart = multipart;
    Ok(Admitted {
        input,
        principal,
        request_id,
        extra_headers,
    })
}

/// Authentication (401/403), then throttling (429).
async fn authenticate_and_throttle(
    gateway: &Gateway,
    api: &'static ApiMeta,
    op: &'static OperationMeta,
    parts: &Parts,
) -> Result<(Option<Principal>, RateLimitHeaders), Response> {
    let principal = gateway
        .authenticate(api, op, parts)
        .await
        .map_err(IntoResponse::into_response)?;
    let extra_headers = gateway
        .throttle_fields(api, op, principal.as_ref())
        .await
        .map_err(IntoResponse::into_response)?;
    Ok((principal, extra_headers))
}

/// `future`'s output if it completes on its first poll, else `None` (and it is dropped).
/// For futures that cannot wait: their state then lives on this call's stack frame.
fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => None,
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

fn too_large(limit: u64) -> Response {
    Problem::new(
        ProblemKind::PayloadTooLarge,
        format!("the request body is larger than {limit} bytes"),
    )
    .into_response()
}

fn unsupported_media_type(got: &str, documented: &[&str]) -> Response {
    let mut problem = Problem::new(
        ProblemKind::UnsupportedMediaType,
        format!(
            "content type `{got}` is not accepted here; send one of: {}",
            documented.join(", ")
        ),
    );
    if let Ok(accept) = HeaderValue::from_str(&documented.join(", ")) {
        problem.headers.insert("accept-post", accept);
    }
    problem.into_response()
}

/// Reads at most `limit` bytes; stops reading (and answers 413) as soon as the body grows
/// past it, without buffering the rest.
async fn read_body(body: axum::body::Body, limit: u64) -> Result<Bytes, Response> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => Err(too_large(limit as u64)),
        Err(err) => Err(Problem::new(
            ProblemKind::Malformed,
            format!("the request body could not be read: {err}"),
        )
        .into_response()),
    }
}

/// Whether the `Content-Type` header's media type is one of the documented ones
/// (case-insensitive, parameters ignored, `type/*` and `*/*` wildcards honoured).
pub(crate) fn media_type_matches(content_type: &str, documented: &[&str]) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    documented.iter().any(|doc| {
        let doc = doc.split(';').next().unwrap_or_default().trim();
        if doc == "*/*" {
            return true;
        }
        match doc.strip_suffix("/*") {
            Some(prefix) => essence
                .split_once('/')
                .is_some_and(|(t, _)| t.eq_ignore_ascii_case(prefix)),
            None => essence.eq_ignore_ascii_case(doc),
        }
    })
}

fn is_multipart(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// The incoming `x-request-id` (when present, non-empty and at most 128 bytes), or a new
/// id: `tg-<pid>-<counter>` in hex.
fn request_id(headers: &HeaderMap) -> String {
    static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
    static NEXT: AtomicU64 = AtomicU64::new(1);
    if let Some(id) = headers
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
    {
        return id.to_owned();
    }
    // `std::process::id()` is a system call: read once.
    static PREFIX: OnceLock<String> = OnceLock::new();
    let prefix = PREFIX.get_or_init(|| format!("tg-{:x}-", std::process::id()));
    let mut id = String::with_capacity(prefix.len() + 16);
    id.push_str(prefix);
    push_hex(&mut id, NEXT.fetch_add(1, Ordering::Relaxed));
    id
}

/// Appends `n` in lower-case hex without leading zeros (by hand: `write!` through
/// `std::fmt` cost more than the rest of the request id).
fn push_hex(out: &mut String, n: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    let mut at = buf.len();
    let mut rest = n;
    loop {
        at -= 1;
        buf[at] = DIGITS[(rest & 0xf) as usize];
        rest >>= 4;
        if rest == 0 {
            break;
        }
    }
    for &digit in &buf[at..] {
        out.push(char::from(digit));
    }
}

#[cfg(test)]
mod tests {
    use super::{media_type_matches, push_hex};

    #[test]
    fn hex() {
        for n in [0u64, 1, 0xf, 0x10, 0xdead_beef, u64::MAX] {
            let mut out = String::from("x");
            push_hex(&mut out, n);
            assert_eq!(out, format!("x{n:x}"));
        }
    }

    #[test]
    fn media_types() {
        assert!(media_type_matches(
            "application/json; charset=utf-8",
            &["application/json"]
        ));
        assert!(media_type_matches(
            "Application/JSON",
            &["application/json"]
        ));
        assert!(media_type_matches("image/png", &["image/*"]));
        assert!(!media_type_matches("text/plain", &["application/json"]));
    }
}
