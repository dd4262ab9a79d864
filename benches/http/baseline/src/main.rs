//! The HTTP benchmark's limit: a hand-written axum server for `fixtures/bench.yaml` that
//! does the gateway's work by hand, without tollgate: the API key check (SHA-256, constant
//! time), a GCRA bucket per key and one for the server (with the RateLimit headers), the
//! JSON body parsed into a struct and the same range, length, pattern, `multipleOf`, enum,
//! `uniqueItems` and date-time checks, and problem+json 400/401/413/415/429 answers. It
//! answers the same fixed data as the gateway.
//!
//! Environment: `BASELINE_LISTEN` (default `127.0.0.1:8081`), `BASELINE_STORE` (`memory`,
//! the default, or a `redis://` URL for the throttle state).

mod checks;
mod problem;
mod throttle;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use sha2::{Digest, Sha256};

use checks::Item;
use problem::{problem, validation};
use throttle::{Bucket, Limit, Scope, Store};

/// The gateway's default body limit.
const BODY_LIMIT: usize = 10 * 1024 * 1024;

/// One accepted API key.
struct Key {
    redis_key: String,
    digest: [u8; 32],
    limit: Limit,
    bucket: Bucket,
}

/// What every handler shares.
struct App {
    keys: Vec<Key>,
    server: (Bucket, Limit),
    store: Store,
}

impl App {
    fn server_scope(&self) -> Scope<'_> {
        Scope {
            name: "gateway",
            redis_key: "{baseline:g}:gw",
            bucket: &self.server.0,
            limit: self.server.1,
        }
    }
}

type Shared = State<Arc<App>>;

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

#[derive(Serialize)]
struct FixedItem {
    id: i64,
    name: &'static str,
    price: f64,
    status: &'static str,
    tags: [&'static str; 2],
}

fn item(id: i64) -> FixedItem {
    FixedItem {
        id,
        name: "widget",
        price: 9.99,
        status: "available",
        tags: ["blue", "small"],
    }
}

fn json(status: StatusCode, value: &impl Serialize, headers: HeaderMap) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response.headers_mut().extend(headers);
            response
        }
        Err(err) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &err.to_string(),
            &[],
            HeaderMap::new(),
        ),
    }
}

/// The API key check and the throttle: the RateLimit headers to add, or the 401/429.
async fn admit(app: &App, headers: &HeaderMap) -> Result<HeaderMap, Response> {
    let unauthorized = |detail: &str| {
        let mut challenge = HeaderMap::new();
        challenge.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(
                "ApiKey realm=\"tollgate\", in=\"header\", name=\"X-API-Key\"",
            ),
        );
        problem(StatusCode::UNAUTHORIZED, detail, &[], challenge)
    };
    let presented = match headers.get("x-api-key") {
        Some(value) if !value.is_empty() && value.len() <= 4096 => value.as_bytes(),
        _ => return Err(unauthorized("missing or invalid credentials")),
    };
    let digest: [u8; 32] = Sha256::digest(presented).into();
    // Every key compared, in constant time (no early exit on a match or a mismatch).
    let mut found = None;
    for key in &app.keys {
        let diff = key
            .digest
            .iter()
            .zip(&digest)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if diff == 0 {
            found = Some(key);
        }
    }
    let Some(key) = found else {
        return Err(unauthorized("missing or invalid credentials"));
    };
    let scopes = [
        Scope {
            name: "key",
            redis_key: &key.redis_key,
            bucket: &key.bucket,
            limit: key.limit,
        },
        app.server_scope(),
    ];
    let decision = throttle::acquire(&app.store, &scopes).await;
    if decision.admitted {
        return Ok(decision.headers);
    }
    let headers = decision.headers;
    Err(too_many(decision.retry_after, headers))
}

fn too_many(retry_after: u64, mut headers: HeaderMap) -> Response {
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    let detail = format!("limit reached; retry in {retry_after} s");
    problem(StatusCode::TOO_MANY_REQUESTS, &detail, &[], headers)
}

/// No key, but the server's bucket, as the gateway does.
async fn health(State(app): Shared) -> Response {
    let decision = throttle::acquire(&app.store, &[app.server_scope()]).await;
    if !decision.admitted {
        return too_many(decision.retry_after, decision.headers);
    }
    json(StatusCode::OK, &Health { status: "ok" }, decision.headers)
}

async fn get_item(State(app): Shared, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let extra = match admit(&app, &headers).await {
        Ok(extra) => extra,
        Err(response) => return response,
    };
    match checks::item_id(&id) {
        Ok(id) => json(StatusCode::OK, &item(id), extra),
        Err(errors) => validation(&errors, extra),
    }
}

async fn list_items(State(app): Shared, request: Request) -> Response {
    let extra = match admit(&app, request.headers()).await {
        Ok(extra) => extra,
        Err(response) => return response,
    };
    match checks::list_query(request.uri().query()) {
        Ok((limit, _q)) => {
            let items: Vec<FixedItem> = (1..=limit.clamp(0, 3)).map(item).collect();
            json(StatusCode::OK, &items, extra)
        }
        Err(errors) => validation(&errors, extra),
    }
}

async fn create_item(State(app): Shared, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let extra = match admit(&app, &parts.headers).await {
        Ok(extra) => extra,
        Err(response) => return response,
    };
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        let detail = "content type is not accepted here; send one of: application/json";
        return problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, detail, &[], extra);
    }
    let bytes = match axum::body::to_bytes(Body::new(body), BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let detail = format!("the request body is larger than {BODY_LIMIT} bytes");
            return problem(StatusCode::PAYLOAD_TOO_LARGE, &detail, &[], extra);
        }
    };
    let item: Item = match serde_json::from_slice(&bytes) {
        Ok(item) => item,
        Err(err) => return problem(StatusCode::BAD_REQUEST, &err.to_string(), &[], extra),
    };
    let errors = checks::item(&item);
    if errors.is_empty() {
        json(StatusCode::CREATED, &item, extra)
    } else {
        validation(&errors, extra)
    }
}

fn key(id: &'static str, key: &str, limit: Limit) -> Key {
    Key {
        redis_key: format!("{{baseline:k:{id}}}:b"),
        digest: Sha256::digest(key.as_bytes()).into(),
        limit,
        bucket: Bucket::default(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::var("BASELINE_LISTEN")
        .unwrap_or_else(|_| "127.0.0.1:8081".to_owned())
        .parse()?;
    let store = match std::env::var("BASELINE_STORE") {
        Ok(url) if url != "memory" => Store::redis(&url).await?,
        _ => Store::memory(),
    };
    // The limits of benches/http/gateway/tollgate.toml.
    let app = Arc::new(App {
        keys: vec![
            key("bench", "bench-key", Limit::new(1_000_000.0, 1_000_000)),
            key("limited", "limited-key", Limit::new(0.0003, 1)),
        ],
        server: (Bucket::default(), Limit::new(1_000_000.0, 1_000_000)),
        store,
    });
    let router = Router::new()
        .route("/health", get(health))
        .route("/items/{id}", get(get_item))
        .route("/items", get(list_items).post(create_item))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("baseline listening on http://{addr}");
    axum::serve(listener, router).await?;
    Ok(())
}
