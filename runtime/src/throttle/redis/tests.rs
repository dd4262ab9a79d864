//! The Redis store against a real `redis-server` (started on a free port, killed on drop).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use super::*;
use crate::config::Quota;
use crate::throttle::gcra::{period_bounds, Bucket};

struct Server {
    child: Child,
    port: u16,
    _dir: tempdir::Dir,
}

mod tempdir {
    /// A temporary directory, removed on drop.
    pub(super) struct Dir(pub(super) std::path::PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Server {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("tollgate-unit-redis-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (see .ci/run)");
        let server = Self {
            child,
            port,
            _dir: tempdir::Dir(dir),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while server.sync().is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn sync(&self) -> redis::RedisResult<redis::Connection> {
        let mut con = redis::Client::open(self.url())?.get_connection()?;
        redis::cmd("PING").query::<String>(&mut con)?;
        Ok(con)
    }

    fn store(&self) -> RedisStore {
        let timeout = Duration::from_secs(2);
        RedisStore::new(Target::parse(&self.url(), timeout).unwrap(), timeout, "t")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bucket(id: ScopeId<'_>, rate: f64, burst: u32) -> Scope<'_> {
    Scope {
        id,
        limit: Limit::Bucket(Bucket::new(rate, burst)),
    }
}

/// The calendar arithmetic of `decide.lua` agrees with the Rust one (what the in-memory
/// store uses) on day, week and month boundaries, leap years included.
#[test]
fn lua_periods_match_rust() {
    let server = Server::start();
    let mut con = server.sync().unwrap();
    // The script's prelude (its helpers) with a return of `period(p, s)` instead of the
    // decision.
    let prelude = DECIDE.split("local out = {now}").next().unwrap();
    let probe = format!("{prelude}\nreturn {{period(ARGV[1], tonumber(ARGV[2]))}}");
    let mut stamps = vec![
        0u64,
        59 * 86_400,
        1_709_251_199,
        1_709_251_200,
        1_735_689_599,
    ];
    stamps.extend((0..400u64).map(|i| 1_600_000_000 + i * 86_400 * 7 + i * 3_607));
    stamps.extend([4_105_123_199, 4_105_123_200, 4_107_542_399, 4_107_542_400]);
    for secs in stamps {
        for (p, period) in [
            ("d", QuotaPeriod::Day),
            ("w", QuotaPeriod::Week),
            ("m", QuotaPeriod::Month),
        ] {
            let (start, end): (u64, u64) = redis::cmd("EVAL")
                .arg(&probe)
                .arg(0)
                .arg(p)
                .arg(secs)
                .query(&mut con)
                .unwrap();
            assert_eq!((start, end), period_bounds(period, secs), "{p} at {secs}");
        }
    }
}

#[tokio::test]
async fn bucket_admits_burst_and_a_refusal_consumes_nothing() {
    let server = Server::start();
    let store = server.store();
    let quota = Scope {
        id: ScopeId::Key("k"),
        limit: Limit::Quota(Quota {
            limit: 100,
            period: QuotaPeriod::Day,
        }),
    };
    // A slow key bucket (burst 2) in front of roomy shared buckets.
    let scopes = [
        bucket(ScopeId::Key("k"), 0.001, 2),
        quota,
        bucket(ScopeId::Operation("op"), 0.001, 100),
        bucket(ScopeId::Gateway, 0.001, 100),
    ];
    let mut admitted = 0;
    for _ in 0..10 {
        let outcome = store.acquire(&scopes, SystemTime::now()).await.unwrap();
        if outcome.admitted() {
            admitted += 1;
        } else {
            let key = outcome.statuses()[0];
            assert!(
                !key.admitted && key.remaining == 0 && key.wait > 0,
                "{key:?}"
            );
            assert!(outcome.statuses()[1..].iter().all(|s| s.admitted));
            // Nothing was consumed: the other scopes report what they still have.
            let left: Vec<u64> = outcome.statuses()[1..]
                .iter()
                .map(|s| s.remaining)
                .collect();
            assert_eq!(left, [98, 98, 98], "{outcome:?}");
        }
    }
    assert_eq!(admitted, 2);
    // The 8 refusals took nothing from the quota, the operation or the gateway.
    for (scope, left) in [(quota, 97), (scopes[2], 97), (scopes[3], 97)] {
        let outcome = store.acquire(&[scope], SystemTime::now()).await.unwrap();
        assert!(outcome.admitted());
        assert_eq!(outcome.statuses()[0].remaining, left, "{scope:?}");
    }
}

#[tokio::test]
async fn keys_expire_when_idle_state_would_not_matter() {
    let server = Server::start();
    let store = server.store();
    let quota = Scope {
        id: ScopeId::Key("k"),
        limit: Limit::Quota(Quota {
            limit: 10,
            period: QuotaPeriod::Day,
        }),
    };
    let scopes = [bucket(ScopeId::Key("k"), 1.0, 5), quota];
    let outcome = store.acquire(&scopes, SystemTime::now()).await.unwrap();
    assert!(outcome.admitted());
    let mut con = server.sync().unwrap();
    // The bucket is full again 1 s after one request: its key lives that long (expiry is
    // in whole milliseconds, rounded up).
    let bucket_ttl: i64 = redis::cmd("PTTL").arg("{t:k:k}:b").query(&mut con).unwrap();
    assert!((1..=1_001).contains(&bucket_ttl), "{bucket_ttl}");
    // The quota key lives until the end of the UTC day.
    let quota_ttl: i64 = redis::cmd("TTL").arg("{t:k:k}:q").query(&mut con).unwrap();
    assert!((1..=86_400).contains(&quota_ttl), "{quota_ttl}");
    let count: u64 = redis::cmd("HGET")
        .arg("{t:k:k}:q")
        .arg("c")
        .query(&mut con)
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_lost_script_cache_is_reloaded() {
    let server = Server::start();
    let store = server.store();
    let scopes = [bucket(ScopeId::Gateway, 1000.0, 10)];
    assert!(store
        .acquire(&scopes, SystemTime::now())
        .await
        .unwrap()
        .admitted());
    let mut con = server.sync().unwrap();
    redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query::<()>(&mut con)
        .unwrap();
    assert!(store
        .acquire(&scopes, SystemTime::now())
        .await
        .unwrap()
        .admitted());
}

#[tokio::test]
async fn an_unreachable_server_fails_within_the_timeout() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let timeout = Duration::from_millis(50);
    let url = format!("redis://127.0.0.1:{port}");
    let store = RedisStore::new(Target::parse(&url, timeout).unwrap(), timeout, "t");
    let scopes = [bucket(ScopeId::Gateway, 1000.0, 10)];
    assert!(store.acquire(&scopes, SystemTime::now()).await.is_err());
}

#[test]
fn cluster_scopes_split_into_slot_groups() {
    let timeout = Duration::from_millis(50);
    let cluster = RedisStore::new(
        Target::parse("redis+cluster://127.0.0.1:1,127.0.0.1:2", timeout).unwrap(),
        timeout,
        "p",
    );
    let single = RedisStore::new(
        Target::parse("redis://127.0.0.1:1", timeout).unwrap(),
        timeout,
        "p",
    );
    let quota = Scope {
        id: ScopeId::Key("a"),
        limit: Limit::Quota(Quota {
            limit: 1,
            period: QuotaPeriod::Week,
        }),
    };
    let scopes = [
        bucket(ScopeId::Key("a"), 1.0, 1),
        quota,
        bucket(ScopeId::Operation("getPet"), 1.0, 1),
        bucket(ScopeId::Gateway, 1.0, 1),
    ];
    let calls = cluster.calls(&scopes);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].keys, ["{p:k:a}:b", "{p:k:a}:q"]);
    assert_eq!(calls[1].keys, ["{p:g}:o:getPet", "{p:g}:gw"]);
    assert_eq!(calls[1].positions, [2, 3]);
    assert_eq!(calls[0].args, ["b", "1000000", "1", "q", "1", "w"]);
    let calls = single.calls(&scopes);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].positions, [0, 1, 2, 3]);
}
