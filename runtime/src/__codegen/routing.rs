//! Assembling a generated router: shared state, the served spec, 404 and 405 answers.

use std::sync::Arc;

use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};

use crate::meta::ApiMeta;
use crate::problem::{Problem, ProblemKind};
use crate::{Error, Gateway};

/// The state every generated operation handler receives.
#[derive(Debug)]
pub struct Shared<A> {
    /// The user's implementation of the generated `Api` trait.
    pub api: Arc<A>,
    /// The gateway configuration.
    pub gateway: Gateway,
}

impl<A> Shared<A> {
    /// State for `api` behind `gateway`.
    pub fn new(api: A, gateway: Gateway) -> Arc<Self> {
        Arc::new(Self {
            api: Arc::new(api),
            gateway,
        })
    }
}

/// Adds what every generated router has besides its operations: `GET /openapi.json`
/// (unless disabled), problem+json 404 and 405 answers (405 keeps axum's `Allow` header),
/// and the startup check of the security configuration, whose failure (`strict = true`)
/// is logged as an error: the generated `router()` cannot fail.
pub fn finish_router(
    router: axum::Router,
    gateway: &Gateway,
    api: &'static ApiMeta,
    spec_json: &'static str,
) -> axum::Router {
    if let Err(err) = gateway.check(api) {
        tracing::error!(
            "{err}; serving anyway because router() cannot fail (use try_router() to refuse \
             to start)"
        );
    }
    complete(router, gateway, spec_json)
}

/// [`finish_router`] for the generated `try_router()`: a failed startup check
/// (`strict = true`) is returned instead of logged.
pub fn try_finish_router(
    router: axum::Router,
    gateway: &Gateway,
    api: &'static ApiMeta,
    spec_json: &'static str,
) -> Result<axum::Router, Error> {
    gateway.check(api)?;
    Ok(complete(router, gateway, spec_json))
}

fn complete(router: axum::Router, gateway: &Gateway, spec_json: &'static str) -> axum::Router {
    let router = match gateway.spec_path() {
        Some(path) if path.starts_with('/') => router.route(
            path,
            axum::routing::get(move || async move { spec_response(spec_json) }),
        ),
        _ => router,
    };
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

fn spec_response(spec_json: &'static str) -> Response {
    let mut response = spec_json.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn not_found(method: Method, uri: axum::http::Uri) -> Response {
    Problem::new(
        ProblemKind::NotFound,
        format!("no operation matches {method} {}", uri.path()),
    )
    .into_response()
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> Response {
    Problem::new(
        ProblemKind::MethodNotAllowed,
        format!(
            "{} does not accept {method}; see the Allow header",
            uri.path()
        ),
    )
    .into_response()
}
