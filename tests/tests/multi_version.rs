//! Two API versions from one gateway: the routers generated from `fixtures/v1.yaml` and
//! `fixtures/v2.yaml`, nested under `/v1` and `/v2` of one axum `Router`, served over real
//! HTTP. Each generated router keeps its own fallback (404/405 problems) and its own
//! `/openapi.json`, under its prefix, without clashing with the other.

use serde_json::Value;
use tollgate::{Gateway, Router};
use tollgate_tests::{v1, v2};

/// Serves both versions on a free port; returns the base URL.
async fn serve() -> String {
    let gateway = Gateway::builder()
        .api_key("tester", "test-key")
        .build()
        .expect("a valid gateway");
    let app = Router::new()
        .nest("/v1", v1::router(v1::Mock, gateway.clone()))
        .nest("/v2", v2::router(v2::Mock, gateway));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(tollgate::serve_listener(
        app,
        listener,
        std::future::pending(),
    ));
    format!("http://{addr}")
}

async fn get(url: &str) -> (u16, Option<String>, String) {
    let response = reqwest::get(url).await.expect("an answer");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, content_type, response.text().await.expect("a body"))
}

#[tokio::test]
async fn each_version_answers_under_its_prefix() {
    let base = serve().await;
    for version in ["v1", "v2"] {
        let (status, _, body) = get(&format!("{base}/{version}/health")).await;
        assert_eq!(status, 200, "{version}: {body}");
        assert_eq!(body, r#"{"status":"ok"}"#);
        let (status, _, body) = get(&format!("{base}/{version}/books")).await;
        assert_eq!(status, 200, "{version}: {body}");
    }
    // Only v2 has /authors: v1's own fallback answers 404 with a problem.
    let (status, _, _) = get(&format!("{base}/v2/authors")).await;
    assert_eq!(status, 200);
    let (status, content_type, body) = get(&format!("{base}/v1/authors")).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    // Validation is per version: `limit` is bounded in both.
    let (status, _, body) = get(&format!("{base}/v1/books?limit=0")).await;
    assert_eq!(status, 400, "{body}");
    // Outside both prefixes: the outer router's plain 404.
    let (status, _, _) = get(&format!("{base}/v3/health")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn each_version_serves_its_own_spec() {
    let base = serve().await;
    for (version, expected) in [("v1", "1.0.0"), ("v2", "2.0.0")] {
        let (status, _, body) = get(&format!("{base}/{version}/openapi.json")).await;
        assert_eq!(status, 200, "{version}: {body}");
        let spec: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(spec["info"]["version"], expected);
    }
}

#[tokio::test]
async fn security_and_methods_differ_per_version() {
    let base = serve().await;
    let client = reqwest::Client::new();
    // GET /books/{id} is public in v1 and needs a key in v2.
    let (status, _, _) = get(&format!("{base}/v1/books/1")).await;
    assert_eq!(status, 200);
    let (status, _, _) = get(&format!("{base}/v2/books/1")).await;
    assert_eq!(status, 401);
    let response = client
        .get(format!("{base}/v2/books/1"))
        .header("X-API-Key", "test-key")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 200);
    // DELETE exists in v1 only: 204 there, 405 with `Allow` from v2's router.
    let response = client
        .delete(format!("{base}/v1/books/1"))
        .header("X-API-Key", "test-key")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 204);
    let response = client
        .delete(format!("{base}/v2/books/1"))
        .header("X-API-Key", "test-key")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 405);
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(allow.contains("GET"), "Allow: {allow}");
}
