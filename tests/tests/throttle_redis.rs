//! The Redis throttle store for real: `redis-server` processes started by the tests, and
//! gateways running as separate processes (`src/bin/throttle_gateway.rs`) that share one
//! limit through Redis.
//!
//! Needs `redis-server` and `redis-cli` on the PATH (`.ci/run` installs them). The tests
//! take turns (one lock): the exactness checks need the machine's cores for load.

mod throttle_support;

use std::time::Duration;

use throttle_support::{config, load, redis_time, GatewayProcess, RedisCluster, RedisServer};

/// One test at a time: the saturation checks need the cores.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const RATE: f64 = 100.0;
const BURST: u32 = 20;
const LOAD: Duration = Duration::from_secs(2);
const CLIENTS: usize = 16;

/// Drives two gateway processes sharing one key's limit through `store` and checks the
/// total admitted against `b + r·t`, `t` measured with Redis's clock on `time_port`.
async fn fleet_admits_exactly(store: &str, time_port: u16) {
    let config = config(store, "deny", RATE, BURST, 1_000_000_000);
    let gateways = [
        GatewayProcess::start(&config),
        GatewayProcess::start(&config),
    ];
    let bases: Vec<String> = gateways.iter().map(|g| g.base.clone()).collect();

    let start = redis_time(time_port);
    let tally = load(&bases, "/pets/1", "fleet-key", CLIENTS, LOAD).await;
    let end = redis_time(time_port);

    let bound = f64::from(BURST) + RATE * (end - start);
    let admitted = tally.admitted as f64;
    eprintln!(
        "{store}: admitted {} of {} requests over {:.3} s (Redis clock); bound b + r·t = {bound:.1} ({:.1}%)",
        tally.admitted,
        tally.admitted + tally.throttled,
        end - start,
        100.0 * admitted / bound
    );
    assert_eq!(tally.unavailable, 0, "Redis was up: no 503 expected");
    assert!(admitted <= bound, "admitted {admitted} > b + r·t = {bound}");
    assert!(
        tally.throttled > tally.admitted,
        "the load did not saturate the limit: {tally:?}"
    );
    assert!(
        admitted >= 0.95 * bound,
        "admitted {admitted} is more than 5% below b + r·t = {bound}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateway_processes_share_one_limit() {
    let _turn = TURN.lock().await;
    let redis = RedisServer::start();
    fleet_admits_exactly(&redis.url(), redis.port).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_node_cluster_enforces_the_same_limit() {
    let _turn = TURN.lock().await;
    let cluster = RedisCluster::start();
    fleet_admits_exactly(&cluster.url(), cluster.nodes[0].port).await;
}

/// `on_store_error = "deny"`: Redis killed under load → 503 problems, never a hang or a
/// 500; Redis back → the limits apply again, by themselves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_load_denies_then_limits_apply_again() {
    let _turn = TURN.lock().await;
    let mut redis = RedisServer::start();
    let gateway = GatewayProcess::start(&config(&redis.url(), "deny", 50.0, 10, 1_000_000));
    let bases = [gateway.base.clone()];
    let short = Duration::from_millis(500);

    let before = load(&bases, "/pets/1", "fleet-key", 4, short).await;
    assert!(before.admitted > 0 && before.throttled > 0, "{before:?}");
    assert_eq!(before.unavailable, 0, "{before:?}");

    // Killed while requests are in flight. `load` fails the test on any status but
    // 200/429/503 and on any request slower than its client timeout: a hang or a 500
    // cannot pass.
    let (across, ()) = tokio::join!(
        load(&bases, "/pets/1", "fleet-key", 4, Duration::from_secs(1)),
        async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            redis.kill();
        }
    );
    eprintln!("Redis killed mid-load, on_store_error = \"deny\": {across:?}");
    assert!(across.admitted > 0 && across.unavailable > 0, "{across:?}");

    let down = load(&bases, "/pets/1", "fleet-key", 4, short).await;
    eprintln!("Redis down, on_store_error = \"deny\": {down:?}");
    assert_eq!(
        down.admitted, 0,
        "deny admits nothing while Redis is down: {down:?}"
    );
    assert!(down.unavailable > 0, "{down:?}");

    redis.restart();
    wait_for_recovery(&bases[0]).await;
    let start = redis_time(redis.port);
    let after = load(&bases, "/pets/1", "fleet-key", 4, Duration::from_secs(1)).await;
    let end = redis_time(redis.port);
    assert_eq!(after.unavailable, 0, "{after:?}");
    assert!(after.throttled > 0, "limits apply again: {after:?}");
    let bound = 10.0 + 50.0 * (end - start);
    // The recovery probe may have taken one token before `start`.
    assert!(after.admitted as f64 <= bound + 1.0, "{after:?} > {bound}");
}

/// `on_store_error = "allow"`: the gateway starts while Redis is down (requests pass),
/// and throttles once Redis comes up, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_starts_without_redis_allows_then_throttles_when_it_comes_up() {
    let _turn = TURN.lock().await;
    let mut redis = RedisServer::start();
    redis.kill();
    let gateway = GatewayProcess::start(&config(&redis.url(), "allow", 5.0, 3, 1_000_000));
    let bases = [gateway.base.clone()];

    let down = load(
        &bases,
        "/pets/1",
        "fleet-key",
        2,
        Duration::from_millis(300),
    )
    .await;
    assert!(down.admitted > 3, "allow lets everything through: {down:?}");
    assert_eq!(down.throttled + down.unavailable, 0, "{down:?}");

    redis.restart();
    wait_for_recovery(&bases[0]).await;
    let up = load(
        &bases,
        "/pets/1",
        "fleet-key",
        2,
        Duration::from_millis(300),
    )
    .await;
    assert!(up.throttled > 0, "limits apply once Redis is up: {up:?}");
}

/// Quota counters live in Redis: a gateway restart loses none of the usage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quota_usage_survives_a_gateway_restart() {
    let _turn = TURN.lock().await;
    let redis = RedisServer::start();
    let config = config(&redis.url(), "deny", 1000.0, 1000, 5);
    let client = reqwest::Client::new();
    let get = |base: &str| {
        client
            .get(format!("{base}/pets/1"))
            .header("x-api-key", "fleet-key")
            .send()
    };

    let first = GatewayProcess::start(&config);
    for _ in 0..3 {
        assert_eq!(get(&first.base).await.unwrap().status(), 200);
    }
    drop(first);

    let second = GatewayProcess::start(&config);
    for _ in 0..2 {
        assert_eq!(get(&second.base).await.unwrap().status(), 200);
    }
    let refused = get(&second.base).await.unwrap();
    assert_eq!(refused.status(), 429);
    let policy = refused.headers()["ratelimit"].to_str().unwrap().to_owned();
    assert!(policy.contains("\"quota\";r=0"), "{policy}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("quota"), "{body}");
}

/// Polls until the gateway answers with the store working again (not 503, with a
/// `RateLimit` header), for at most 20 s.
async fn wait_for_recovery(base: &str) {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = client
            .get(format!("{base}/pets/1"))
            .header("x-api-key", "fleet-key")
            .send()
            .await
        {
            if response.status() != 503 && response.headers().contains_key("ratelimit") {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the gateway did not recover after Redis came back");
}
