//! The pet store example served on a real socket, driven by a real HTTP client.

use std::net::SocketAddr;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tollgate::Gateway;

const KEY: &str = "test-key";

struct Server {
    base: String,
    client: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Server {
    async fn start(gateway: Gateway) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = petstore_example::app(gateway);
        tokio::spawn(tollgate::serve_listener(router, listener, async move {
            let _ = stopped.await;
        }));
        Self {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            _stop: stop,
        }
    }

    async fn default() -> Self {
        Self::start(Gateway::builder().api_key("tester", KEY).build().unwrap()).await
    }

    /// A request with the test API key.
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("x-api-key", KEY)
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::GET, path)
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, path)
    }

    fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::PUT, path)
    }

    fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::DELETE, path)
    }
}

async fn problem(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "rejections are RFC 9457 problem documents"
    );
    let body: Value = response.json().await.unwrap();
    for member in ["type", "title", "status", "detail"] {
        assert!(
            body.get(member).is_some(),
            "problem lacks `{member}`: {body}"
        );
    }
    assert_eq!(body["status"], status.as_u16());
    body
}

#[tokio::test]
async fn typed_round_trip_create_get_list_update_delete() {
    let s = Server::default().await;
    let created = s
        .post("/pets")
        .json(&json!({"name": "Rex", "tag": "dog", "tags": ["good"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["content-type"], "application/json");
    let pet: Value = created.json().await.unwrap();
    assert_eq!(pet["name"], "Rex");
    assert_eq!(pet["status"], "available");
    let id = pet["id"].as_i64().unwrap();

    let got: Value = s
        .get(&format!("/pets/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, pet);

    let listed = s.get("/pets?limit=10&tags=good").send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    assert_eq!(listed.json::<Value>().await.unwrap(), json!([pet]));
    let none: Value = s
        .get("/pets?tags=good&tags=bad")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none, json!([]));

    let updated = s
        .put(&format!("/pets/{id}"))
        .json(&json!({"name": "Rex", "status": "sold"}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(updated.json::<Value>().await.unwrap()["status"], "sold");

    let conflict = s
        .post("/pets")
        .json(&json!({"name": "Rex"}))
        .send()
        .await
        .unwrap();
    assert_eq!(conflict.status(), StatusCode::CONFLICT);

    let deleted = s.delete(&format!("/pets/{id}")).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(deleted.bytes().await.unwrap().len(), 0);

    let gone = s.get(&format!("/pets/{id}")).send().await.unwrap();
    assert_eq!(
        gone.status(),
        StatusCode::NOT_FOUND,
        "the documented 404 of getPet"
    );
    assert_eq!(gone.json::<Value>().await.unwrap()["code"], 404);
}

#[tokio::test]
async fn unknown_path_is_a_404_problem() {
    let s = Server::default().await;
    let body = problem(
        s.get("/nowhere").send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body["type"], "https://tollgate.dev/problems/not-found");
}

#[tokio::test]
async fn wrong_method_is_a_405_problem_with_allow() {
    let s = Server::default().await;
    let response = s
        .client
        .patch(format!("{}/pets", s.base))
        .send()
        .await
        .unwrap();
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    for method in ["GET", "POST"] {
        assert!(allow.contains(method), "Allow: {allow}");
    }
    problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[tokio::test]
async fn malformed_json_is_a_400_with_line_and_column() {
    let s = Server::default().await;
    let response = s
        .post("/pets")
        .header("content-type", "application/json")
        .body("{\n  \"name\": \"Rex\",\n  oops\n}")
        .send()
        .await
        .unwrap();
    let body = problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        body["type"],
        "https://tollgate.dev/problems/malformed-request"
    );
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("line 3, column 3"), "{detail}");
}

#[tokio::test]
async fn wrong_parameter_types_are_400_with_every_violation() {
    let s = Server::default().await;
    let body = problem(
        s.get("/pets/abc").send().await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["in"], "path");
    assert_eq!(errors[0]["name"], "petId");
    assert_eq!(errors[0]["keyword"], "type");

    let body = problem(
        s.get("/pets?limit=500&status=lost").send().await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    let errors = body["errors"].as_array().unwrap();
    let keywords: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["keyword"].as_str().unwrap()))
        .collect();
    assert_eq!(keywords, [("limit", "maximum"), ("status", "enum")]);
}

#[tokio::test]
async fn invalid_body_lists_every_violation_with_pointers() {
    let s = Server::default().await;
    let response = s
        .post("/pets")
        .json(&json!({"name": "", "age": 99, "tags": ["ok", ""], "extra": 1}))
        .send()
        .await
        .unwrap();
    let body = problem(response, StatusCode::BAD_REQUEST).await;
    let mut found: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["in"], "body");
            (
                e["pointer"].as_str().unwrap().to_owned(),
                e["keyword"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    let expected: Vec<(String, String)> = [
        ("/age", "maximum"),
        ("/extra", "additionalProperties"),
        ("/name", "minLength"),
        ("/name", "pattern"),
        ("/tags/1", "minLength"),
    ]
    .iter()
    .map(|(p, k)| (p.to_string(), k.to_string()))
    .collect();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn missing_required_body_and_wrong_content_type() {
    let s = Server::default().await;
    let body = problem(
        s.post("/pets").send().await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(body["errors"][0]["keyword"], "required");
    let response = s
        .post("/pets")
        .header("content-type", "text/plain")
        .body("Rex")
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test]
async fn api_key_is_required_where_the_spec_says_so() {
    let s = Server::default().await;
    let anonymous = s
        .client
        .get(format!("{}/pets/1", s.base))
        .send()
        .await
        .unwrap();
    assert!(anonymous.headers().contains_key("www-authenticate"));
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let wrong = s
        .client
        .get(format!("{}/pets/1", s.base))
        .header("x-api-key", "not-the-key")
        .send()
        .await
        .unwrap();
    problem(wrong, StatusCode::UNAUTHORIZED).await;
    // listPets and health declare `security: []`.
    let public = s
        .client
        .get(format!("{}/pets", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    let health = s
        .client
        .get(format!("{}/health", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        health.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn authentication_runs_before_validation() {
    let s = Server::default().await;
    // An invalid body without credentials: the caller learns nothing about the schema.
    let response = s
        .client
        .post(format!("{}/pets", s.base))
        .json(&json!({"name": ""}))
        .send()
        .await
        .unwrap();
    let body = problem(response, StatusCode::UNAUTHORIZED).await;
    assert!(body.get("errors").is_none());
}

#[tokio::test]
async fn default_gateway_starts_and_refuses_secured_operations() {
    let s = Server::start(Gateway::default()).await;
    let secured = s.get("/pets/1").send().await.unwrap();
    problem(secured, StatusCode::UNAUTHORIZED).await;
    let public = s
        .client
        .get(format!("{}/health", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::OK);
}

#[tokio::test]
async fn serves_the_spec_without_auth() {
    let s = Server::default().await;
    let response = s
        .client
        .get(format!("{}/openapi.json", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let spec: Value = response.json().await.unwrap();
    assert_eq!(spec["openapi"], "3.0.3");
    assert!(spec["paths"]["/pets/{petId}"]["get"].is_object());
}

#[tokio::test]
async fn body_over_the_limit_is_413() {
    let gateway = Gateway::builder()
        .api_key("tester", KEY)
        .body_limit(1024)
        .build()
        .unwrap();
    let s = Server::start(gateway).await;
    let big = format!("{{\"name\": \"{}\"}}", "a".repeat(4096));
    let response = s
        .post("/pets")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
}
