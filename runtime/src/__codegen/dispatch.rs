//! The request pipeline every generated operation handler runs:
//! authenticate (401/403) → throttle (429) → limits and content type (413/415) →
//! extract and validate (400) → handler (504 on timeout) → response validation (500, opt-in).
//!
//! Routing (404/405) happened before: axum only calls an operation's handler for its path
//! and method. The generic part of [`handle`] is kept small; the stages that do not depend
//! on the operation's types live in non-generic functions, so a spec with thousands of
//! operations does not monomorphise the pipeline thousands of times.

// The stages return the answer to give on `Err`: axum's `Response`, which clippy finds
// large. Boxing it would cost an allocation on every refusal, the path that must be cheap.
#![allow(clippy::result_large_err)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::{FromRequestParts, RawPathParams, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;
use http::{header, HeaderMap, HeaderName, HeaderValue};
use http_body_util::combinators::Collect;
use http_body_util::{BodyExt, Collected, Limited};
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
///
/// The future is kept small, because axum moves it into a box and the layers move it on:
/// the stages before the handler run synchronously when nothing has to wait (the usual
/// case: [`admit_now`]), and only the handler's future, the timer and the two things the
/// answer needs afterwards (the `Accept` header, the RateLimit fields) live across its
/// `.await`; the request's parts, the principal and the parsed body do not.
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
    let admitted = match admit_now(gateway, api, op, request) {
        Admission::Ready(admitted) => admitted,
        Admission::Wait(admitting) => admitting.await,
    };
    let (typed, context, accept, extra_headers) = match prepare::<A, O>(admitted, op) {
        Ok(prepared) => prepared,
        Err(response) => return response,
    };
    let timeout = Duration::from_millis(gateway.limits().timeout_ms);
    let answer = match tokio::time::timeout(timeout, O::call(&shared.api, typed, context)).await {
        Ok(answer) => answer,
        Err(_) => return finish(timed_out(op, timeout), extra_headers),
    };
    respond(answer, gateway, op, accept.as_ref(), extra_headers)
}

/// Extraction (400) and the handler's context, from what the earlier stages established.
#[allow(clippy::type_complexity)]
fn prepare<A, O: Operation<A>>(
    admitted: Result<Admitted, Response>,
    op: &'static OperationMeta,
) -> Result<(O, Context, Option<HeaderValue>, RateLimitHeaders), Response> {
    let Admitted {
        input,
        principal,
        request_id,
        extra_headers,
    } = admitted?;
    let mut errors = Errors::new(Location::Body);
    let typed = match O::extract(&input, &mut errors) {
        Some(t) if errors.is_empty() => t,
        _ => return Err(finish(rejection(errors), extra_headers)),
    };
    let accept = input.headers.get(header::ACCEPT).cloned();
    Ok((
        typed,
        Context::new(op.id, request_id, principal),
        accept,
        extra_headers,
    ))
}

/// Response validation (500, opt-in), content negotiation and the RateLimit fields.
fn respond<R: GeneratedResponse>(
    answer: R,
    gateway: &Gateway,
    op: &'static OperationMeta,
    accept: Option<&HeaderValue>,
    extra_headers: RateLimitHeaders,
) -> Response {
    if gateway.validate_responses() {
        let mut errors = Errors::new(Location::Response);
        answer.validate(&mut errors);
        if !errors.is_empty() {
            return finish(response_mismatch(op, errors.into_vec()), extra_headers);
        }
    }
    let mut response = answer.into_response();
    super::accept::negotiate(&mut response, accept);
    finish(response, extra_headers)
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

/// The 400 for the violations of a request: a malformed body's (its syntax error as the
/// detail), or the list of every violation, written from `errors` directly.
fn rejection(errors: Errors) -> Response {
    let syntax = errors
        .iter()
        .find(|v| v.keyword == "syntax")
        .map(|v| v.message.to_owned());
    if let Some(syntax) = syntax {
        let mut problem = Problem::new(ProblemKind::Malformed, syntax);
        problem.errors = errors.into_vec();
        return problem.into_response();
    }
    crate::problem::validation_response(&errors)
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

/// The outcome of the stages before extraction: established now, or a (boxed) future when
/// one of them has to wait.
// `Ready` is the usual outcome, kept inline on purpose: boxing it is what this avoids.
#[allow(clippy::large_enum_variant)]
enum Admission<'a> {
    Ready(Result<Admitted, Response>),
    Wait(Pin<Box<dyn Future<Output = Result<Admitted, Response>> + Send + 'a>>),
}

/// Where the request body is when the stages continue asynchronously.
enum BodyState {
    /// The operation takes no body.
    NotTaken,
    /// Not read yet (nor its declared length checked).
    Unread(axum::body::Body),
    /// Being read (its declared length checked).
    Reading(Collect<Limited<axum::body::Body>>),
    /// Read and checked.
    Read(Bytes),
}

/// Every stage before extraction, run to completion here when none has to wait: the
/// authentication and throttle cannot (no JWT, no custom authorizer, the in-memory store),
/// the body is already buffered (hyper hands a small body over with the request) and is not
/// multipart. Otherwise the rest runs in a boxed future ([`admit`]), from the stage that
/// waited, so its state is not part of every request's future. Not generic: compiled once.
fn admit_now<'a>(
    gateway: &'a Gateway,
    api: &'static ApiMeta,
    op: &'static OperationMeta,
    request: Request,
) -> Admission<'a> {
    let (parts, body) = request.into_parts();
    let admitted = match gateway.admission_never_waits() {
        true => authenticate_and_throttle_now(gateway, api, op, &parts),
        false => None,
    };
    let Some(admitted) = admitted else {
        let body = match op.body {
            Some(_) => BodyState::Unread(body),
            None => BodyState::NotTaken,
        };
        return Admission::Wait(Box::pin(admit(gateway, api, op, parts, None, body)));
    };
    let (principal, extra_headers) = match admitted {
        Ok(admitted) => admitted,
        Err(response) => return Admission::Ready(Err(response)),
    };
    if op.body.is_none() {
        return Admission::Ready(admitted_input(
            parts,
            Bytes::new(),
            None,
            principal,
            extra_headers,
        ));
    };
    let limit = gateway.limits().body_bytes;
    let mut reading = match start_reading(body, &parts.headers, limit) {
        Ok(reading) => reading,
        Err(response) => return Admission::Ready(Err(finish(response, extra_headers))),
    };
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    let bytes = match Pin::new(&mut reading).poll(&mut context) {
        std::task::Poll::Ready(read) => read_bytes(read, limit),
        std::task::Poll::Pending => {
            let body = BodyState::Reading(reading);
            let auth = Some((principal, extra_headers));
            return Admission::Wait(Box::pin(admit(gateway, api, op, parts, auth, body)));
        }
    };
    let content_type = content_type(&parts);
    let checked = bytes.and_then(|bytes| check_body(op, content_type, principal.as_ref(), bytes));
    let bytes = match checked {
        Ok(bytes) => bytes,
        Err(response) => return Admission::Ready(Err(finish(response, extra_headers))),
    };
    if content_type.is_some_and(is_multipart) {
        let body = BodyState::Read(bytes);
        let auth = Some((principal, extra_headers));
        return Admission::Wait(Box::pin(admit(gateway, api, op, parts, auth, body)));
    }
    Admission::Ready(admitted_input(parts, bytes, None, principal, extra_headers))
}

/// The stages before extraction from the one that had to wait ([`admit_now`] ran those
/// before it): authentication and throttling unless `auth` holds their outcome, then the
/// body from where `body` says it is, then the multipart split.
async fn admit(
    gateway: &Gateway,
    api: &'static ApiMeta,
    op: &'static OperationMeta,
    parts: Parts,
    auth: Option<(Option<Principal>, RateLimitHeaders)>,
    body: BodyState,
) -> Result<Admitted, Response> {
    let (principal, extra_headers) = match auth {
        Some(auth) => auth,
        None => authenticate_and_throttle(gateway, api, op, &parts).await?,
    };
    let with_headers = |r: Response| finish(r, extra_headers.clone());
    let limit = gateway.limits().body_bytes;
    let reading = match body {
        BodyState::NotTaken => None,
        BodyState::Read(bytes) => Some(Ok(bytes)),
        BodyState::Unread(body) => Some(Err(
            start_reading(body, &parts.headers, limit).map_err(with_headers)?
        )),
        BodyState::Reading(reading) => Some(Err(reading)),
    };
    let bytes = match reading {
        None => Bytes::new(),
        Some(Ok(bytes)) => bytes,
        Some(Err(reading)) => {
            let read = read_bytes(reading.await, limit);
            read.and_then(|bytes| check_body(op, content_type(&parts), principal.as_ref(), bytes))
                .map_err(with_headers)?
        }
    };
    let content_type = op.body.as_ref().and_then(|_| content_type(&parts));
    let multipart = match content_type {
        Some(ct) if is_multipart(ct) => {
            // Boxed: its state (about 1 KB) would otherwise be part of every waiting
            // request's future, multipart or not.
            Some(Box::pin(super::multipart::parse(ct, bytes.clone())).await)
        }
        _ => None,
    };
    admitted_input(parts, bytes, multipart, principal, extra_headers)
}

/// The request's `Content-Type`, when it is text.
fn content_type(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// Starts reading the body under `limit`: 413 at once when the declared `Content-Length`
/// is over it, without reading anything.
fn start_reading(
    body: axum::body::Body,
    headers: &HeaderMap,
    limit: u64,
) -> Result<Collect<Limited<axum::body::Body>>, Response> {
    match declared_length(headers) {
        Some(len) if len > limit => Err(too_large(limit)),
        _ => Ok(Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX)).collect()),
    }
}

/// The body read: 413 when it grew past `limit` (reading stopped there, the rest was not
/// buffered), 400 when it could not be read.
fn read_bytes(
    read: Result<Collected<Bytes>, Box<dyn std::error::Error + Send + Sync>>,
    limit: u64,
) -> Result<Bytes, Response> {
    match read {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => Err(too_large(limit)),
        Err(err) => Err(Problem::new(
            ProblemKind::Malformed,
            format!("the request body could not be read: {err}"),
        )
        .into_response()),
    }
}

/// The checks of a body read: the hash a SigV4 signature covers, then the content type
/// (415).
fn check_body(
    op: &'static OperationMeta,
    content_type: Option<&str>,
    principal: Option<&Principal>,
    bytes: Bytes,
) -> Result<Bytes, Response> {
    let Some(meta) = &op.body else {
        return Ok(bytes);
    };
    if let Some(signed) = principal.and_then(|p| p.signed_payload_sha256) {
        let actual: [u8; 32] = sha2::Sha256::digest(&bytes).into();
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&actual[..], &signed[..])) {
            tracing::debug!(
                operation = op.id,
                "the body does not have the hash the SigV4 signature covers"
            );
            return Err(crate::auth::payload_mismatch().into_response());
        }
    }
    if !bytes.is_empty() || content_type.is_some() {
        match content_type {
            Some(ct) if media_type_matches(ct, meta.content_types) => {}
            Some(ct) => return Err(unsupported_media_type(ct, meta.content_types)),
            None => return Err(unsupported_media_type("(none)", meta.content_types)),
        }
    }
    Ok(bytes)
}

/// The path parameters, the request id and the raw input for extraction.
fn admitted_input(
    mut parts: Parts,
    body: Bytes,
    multipart: Option<Result<Vec<super::multipart::RawPart>, String>>,
    principal: Option<Principal>,
    extra_headers: RateLimitHeaders,
) -> Result<Admitted, Response> {
    // axum's extractor reads a request extension: it never waits.
    let path = match poll_once(RawPathParams::from_request_parts(&mut parts, &())) {
        Some(Ok(params)) => params
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        Some(Err(rejection)) => {
            let problem = Problem::new(ProblemKind::Malformed, rejection.body_text());
            return Err(finish(problem.into_response(), extra_headers));
        }
        None => {
            let problem = Problem::new(
                ProblemKind::Internal,
                "the path parameters could not be read without waiting",
            );
            return Err(finish(problem.into_response(), extra_headers));
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

/// Authentication, then throttling, each polled once on this stack frame (not nested in
/// one future: each level of future moves the state of the one it awaits); `None` when
/// one of them would wait (the caller then runs both in a future: authentication has no
/// side effect, and the throttle decision is the last step).
fn authenticate_and_throttle_now(
    gateway: &Gateway,
    api: &'static ApiMeta,
    op: &'static OperationMeta,
    parts: &Parts,
) -> Option<Result<(Option<Principal>, RateLimitHeaders), Response>> {
    let principal = match poll_once(gateway.authenticate(api, op, parts))? {
        Ok(principal) => principal,
        Err(problem) => return Some(Err(problem.into_response())),
    };
    match poll_once(gateway.throttle_fields(api, op, principal.as_ref()))? {
        Ok(extra_headers) => Some(Ok((principal, extra_headers))),
        Err(problem) => Some(Err(problem.into_response())),
    }
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

/// Whether the `Content-Type` header's media type is one of the documented ones
/// (case-insensitive, parameters ignored, `type/*` and `*/*` wildcards honoured).
pub(crate) fn media_type_matches(content_type: &str, documented: &[&str]) -> bool {
    let sent = essence(content_type);
    documented.iter().any(|doc| {
        let doc = essence(doc);
        if doc == "*/*" {
            return true;
        }
        match doc.strip_suffix("/*") {
            Some(prefix) => sent
                .split_once('/')
                .is_some_and(|(t, _)| t.eq_ignore_ascii_case(prefix)),
            None => sent.eq_ignore_ascii_case(doc),
        }
    })
}

/// A media type without its parameters (`application/json; charset=utf-8` →
/// `application/json`), trimmed. A byte loop: the text is short, and this runs on every
/// request with a body.
fn essence(media_type: &str) -> &str {
    let end = media_type
        .bytes()
        .position(|b| b == b';')
        .unwrap_or(media_type.len());
    media_type[..end].trim()
}

fn is_multipart(content_type: &str) -> bool {
    essence(content_type).eq_ignore_ascii_case("multipart/form-data")
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
    use super::{is_multipart, media_type_matches, push_hex};

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
        assert!(media_type_matches("IMAGE/png ; q=1", &["image/*"]));
        assert!(media_type_matches(
            "anything/at-all",
            &["text/plain", "*/*"]
        ));
        assert!(media_type_matches(
            " text/plain ",
            &["text/plain; charset=utf-8"]
        ));
        assert!(!media_type_matches("text/plainer", &["text/plain"]));
        assert!(!media_type_matches("", &["application/json"]));
        assert!(is_multipart(" Multipart/Form-Data; boundary=x"));
        assert!(!is_multipart("multipart/mixed; boundary=x"));
    }
}

#[cfg(test)]
mod future_size {
    use std::sync::Arc;

    use axum::extract::Request;
    use axum::response::Response;

    use super::{handle, Operation};
    use crate::__codegen::input::Input;
    use crate::__codegen::response::GeneratedResponse;
    use crate::__codegen::routing::Shared;
    use crate::__codegen::validate::Errors;
    use crate::meta::{ApiMeta, OperationMeta};
    use crate::Context;

    /// A request and an answer of 120 bytes, like the HTTP benchmark's item.
    struct Op([u64; 15]);
    struct Answer([u64; 15]);
    impl GeneratedResponse for Answer {
        fn into_response(self) -> Response {
            let mut response = Response::default();
            *response.status_mut() =
                http::StatusCode::from_u16(200 + self.0[0] as u16).unwrap_or(http::StatusCode::OK);
            response
        }
        fn validate(&self, _: &mut Errors) {}
    }
    impl Operation<()> for Op {
        type Response = Answer;
        fn extract(_: &Input, _: &mut Errors) -> Option<Self> {
            Some(Op([0; 15]))
        }
        async fn call(_: &(), request: Self, context: Context) -> Answer {
            let answer = Answer(request.0);
            drop(context);
            answer
        }
    }

    fn size<F>(
        _: fn(Arc<Shared<()>>, &'static ApiMeta, &'static OperationMeta, Request) -> F,
    ) -> usize {
        std::mem::size_of::<F>()
    }

    /// axum moves every request's pipeline future into a box: its size is paid on every
    /// request (it was 2,624 bytes here, 3.5 KB in the HTTP benchmark, before the stages
    /// before the handler ran outside it). What is left: the handler's future (its request
    /// and `Context`), the timer, the `Accept` header and the RateLimit fields.
    #[test]
    fn the_pipeline_future_holds_little_besides_the_handler_s() {
        let handler = std::mem::size_of::<Context>() + 2 * std::mem::size_of::<Op>();
        let pipeline = size(handle::<(), Op>);
        assert!(
            pipeline <= handler + 768,
            "the pipeline's future is {pipeline} bytes, its handler's state about {handler}"
        );
    }
}
