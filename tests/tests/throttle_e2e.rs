//! Throttling over HTTP with the in-memory store: the gateway generated from
//! `fixtures/throttle.yaml` (a document-wide and an operation `x-tollgate-throttle`, an
//! API-key operation for usage plans), served on `127.0.0.1:0`, driven by `reqwest`, with
//! a [`ManualClock`] so time is stepped instead of slept.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tollgate::{Config, Gateway, ManualClock};

#[tollgate::gateway(spec = "../fixtures/throttle.yaml")]
mod api {}

/// A served gateway and the clock it reads.
struct Served {
    base: String,
    clock: Arc<ManualClock>,
    client: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Served {
    /// Serves the fixture's gateway with `config` (a `tollgate.toml`) and a manual clock
    /// standing at 2025-01-01T00:00:00Z (a Wednesday).
    async fn start(config: &str) -> Self {
        let clock = Arc::new(ManualClock::default());
        let gateway = Gateway::builder()
            .config(Config::from_toml_str(config).unwrap())
            .clock(clock.clone())
            .build()
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = api::router(api::Mock, gateway);
        tokio::spawn(tollgate::serve_listener(router, listener, async move {
            let _ = stopped.await;
        }));
        Self {
            base,
            clock,
            client: reqwest::Client::new(),
            _stop: stop,
        }
    }

    async fn get(&self, path: &str, key: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        request.send().await.unwrap()
    }

    /// How many of `n` requests are admitted (200); every other answer must be a 429.
    async fn admitted(&self, path: &str, key: Option<&str>, n: usize) -> usize {
        let mut admitted = 0;
        for _ in 0..n {
            match self.get(path, key).await.status() {
                StatusCode::OK => admitted += 1,
                StatusCode::TOO_MANY_REQUESTS => {}
                other => panic!("unexpected status {other}"),
            }
        }
        admitted
    }
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> &'r str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

const GOLD_PLAN: &str = r#"
[plans.gold]
rate = 1.0
burst = 2

[[api_keys]]
id = "partner"
key = "partner-key"
plan = "gold"
"#;

/// A refusal is a problem+json 429 with `Retry-After` and the RateLimit fields of every
/// scope; admitted answers carry the fields too; the refusal by the key's bucket takes
/// nothing from the gateway bucket.
#[tokio::test]
async fn a_refusal_is_a_problem_with_retry_after_and_ratelimit_headers() {
    // The document's gateway bucket (1/s, burst 6) restated, to turn on the fields on
    // admitted answers.
    let config =
        format!("[throttle]\nrate = 1.0\nburst = 6\nheaders_on_success = true\n{GOLD_PLAN}");
    let served = Served::start(&config).await;
    let key = Some("partner-key");
    // Scopes: the key's plan bucket (1/s, burst 2) and the document's gateway bucket
    // (1/s, burst 6).
    let policy = "\"key\";q=2;w=2, \"gateway\";q=6;w=6";

    let first = served.get("/keyed", key).await;
    assert_eq!(first.status(), 200);
    assert_eq!(header(&first, "ratelimit-policy"), policy);
    assert_eq!(
        header(&first, "ratelimit"),
        "\"key\";r=1;t=1, \"gateway\";r=5;t=1"
    );
    let second = served.get("/keyed", key).await;
    assert_eq!(second.status(), 200);
    assert_eq!(
        header(&second, "ratelimit"),
        "\"key\";r=0;t=2, \"gateway\";r=4;t=2"
    );

    let refused = served.get("/keyed", key).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(header(&refused, "content-type"), "application/problem+json");
    assert_eq!(header(&refused, "retry-after"), "1");
    assert_eq!(header(&refused, "ratelimit-policy"), policy);
    // The gateway bucket still has 4: the refused request consumed nothing.
    assert_eq!(
        header(&refused, "ratelimit"),
        "\"key\";r=0;t=2, \"gateway\";r=4;t=2"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["status"], 429);
    assert_eq!(body["title"], "Too Many Requests");
    assert_eq!(
        body["type"],
        "https://tollgate.dev/problems/too-many-requests"
    );
    assert_eq!(body["detail"], "limit reached (key); retry in 1 s");

    // After `Retry-After`, one more is admitted, and the gateway bucket shows that the
    // refusals took nothing from it (4 left, not 3).
    served.clock.advance(Duration::from_secs(1));
    let again = served.get("/keyed", key).await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        header(&again, "ratelimit"),
        "\"key\";r=0;t=2, \"gateway\";r=4;t=2"
    );
}

/// `x-tollgate-throttle` on the document is the gateway bucket and on an operation that
/// operation's bucket; the configuration overrides both.
#[tokio::test]
async fn spec_throttles_apply_and_the_configuration_overrides_them() {
    let served = Served::start("").await;
    // `/slow`: its own bucket (burst 2) in front of the document's (burst 6).
    assert_eq!(served.admitted("/slow", None, 5).await, 2);
    let refused = served.get("/slow", None).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(
        header(&refused, "ratelimit-policy"),
        "\"operation\";q=2;w=2, \"gateway\";q=6;w=6"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["detail"], "limit reached (operation); retry in 1 s");
    // The 4 refusals by `/slow`'s bucket took nothing from the gateway's 6: 4 are left.
    assert_eq!(served.admitted("/open", None, 10).await, 4);
    let refused = served.get("/open", None).await;
    assert_eq!(header(&refused, "ratelimit-policy"), "\"gateway\";q=6;w=6");
    assert_eq!(
        refused.json::<Value>().await.unwrap()["detail"],
        "limit reached (gateway); retry in 1 s"
    );

    // The configuration overrides the operation's bucket and the document's.
    let served = Served::start(
        "[throttle]\nrate = 1.0\nburst = 5\nheaders_on_success = true\n\
         [operations.slow]\nthrottle = { rate = 1.0, burst = 3 }\n",
    )
    .await;
    assert_eq!(served.admitted("/slow", None, 10).await, 3);
    assert_eq!(served.admitted("/open", None, 10).await, 2);
    served.clock.advance(Duration::from_secs(1));
    let open = served.get("/open", None).await;
    assert_eq!(header(&open, "ratelimit-policy"), "\"gateway\";q=5;w=5");
}

/// By default (`headers_on_success = false`, as in Amazon API Gateway) admitted answers
/// carry no RateLimit fields and refusals do; `headers_on_success = true` adds them to
/// admitted answers.
#[tokio::test]
async fn ratelimit_headers_on_admitted_answers_are_opt_in() {
    for config in ["", "[throttle]\nrate = 1.0\nburst = 1\n"] {
        let config = format!("{config}[operations.open]\nthrottle = {{ rate = 1.0, burst = 1 }}\n");
        let served = Served::start(&config).await;
        let admitted = served.get("/open", None).await;
        assert_eq!(admitted.status(), 200);
        assert!(!admitted.headers().contains_key("ratelimit"), "{config}");
        assert!(
            !admitted.headers().contains_key("ratelimit-policy"),
            "{config}"
        );
        let refused = served.get("/open", None).await;
        assert_eq!(refused.status(), 429);
        assert!(
            header(&refused, "ratelimit").contains("r=0;t=1"),
            "{config}"
        );
    }
    let served =
        Served::start("[throttle]\nrate = 1.0\nburst = 1\nheaders_on_success = true\n").await;
    let admitted = served.get("/open", None).await;
    assert_eq!(admitted.status(), 200);
    assert_eq!(header(&admitted, "ratelimit-policy"), "\"gateway\";q=1;w=1");
    assert_eq!(header(&admitted, "ratelimit"), "\"gateway\";r=0;t=1");
}

/// A weekly quota: refused with `Retry-After` until Monday 00:00 UTC, admitted again then.
#[tokio::test]
async fn a_weekly_quota_resets_on_monday_utc() {
    let served = Served::start(
        r#"
[plans.metered]
quota = { limit = 3, period = "week" }

[[api_keys]]
id = "metered"
key = "metered-key"
plan = "metered"

[throttle]
rate = 1000.0
burst = 1000
"#,
    )
    .await;
    let key = Some("metered-key");
    assert_eq!(served.admitted("/keyed", key, 3).await, 3);
    let refused = served.get("/keyed", key).await;
    assert_eq!(refused.status(), 429);
    // Wednesday 2025-01-01 00:00 to Monday 2025-01-06 00:00: 5 days.
    assert_eq!(header(&refused, "retry-after"), "432000");
    assert_eq!(
        header(&refused, "ratelimit-policy"),
        "\"quota\";q=3;w=604800, \"gateway\";q=1000;w=1"
    );
    assert!(
        header(&refused, "ratelimit").starts_with("\"quota\";r=0;t=432000, "),
        "{}",
        header(&refused, "ratelimit")
    );
    served.clock.advance(Duration::from_secs(432_000 - 1));
    assert_eq!(served.admitted("/keyed", key, 1).await, 0);
    served.clock.advance(Duration::from_secs(1));
    assert_eq!(served.admitted("/keyed", key, 5).await, 3);
}

/// 64 concurrent HTTP clients against one gateway bucket (100/s, burst 50), time stepped
/// by 100 ms between rounds: the admitted total is exactly `b + r·t` after every round.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_clients_are_admitted_exactly() {
    let served = Arc::new(Served::start("[throttle]\nrate = 100.0\nburst = 50\n").await);
    let admitted = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    for round in 0..8usize {
        let mut clients = Vec::new();
        for _ in 0..64 {
            let (served, admitted, refused) = (served.clone(), admitted.clone(), refused.clone());
            clients.push(tokio::spawn(async move {
                for _ in 0..4 {
                    match served.get("/open", None).await.status() {
                        StatusCode::OK => admitted.fetch_add(1, Ordering::Relaxed),
                        StatusCode::TOO_MANY_REQUESTS => refused.fetch_add(1, Ordering::Relaxed),
                        other => panic!("unexpected status {other}"),
                    };
                }
            }));
        }
        for client in clients {
            client.await.unwrap();
        }
        // b + r·t with t = round · 100 ms: 50 + 10 per round, exactly.
        assert_eq!(
            admitted.load(Ordering::Relaxed),
            50 + 10 * round,
            "round {round}"
        );
        assert_eq!(
            admitted.load(Ordering::Relaxed) + refused.load(Ordering::Relaxed),
            64 * 4 * (round + 1)
        );
        served.clock.advance(Duration::from_millis(100));
    }
}
