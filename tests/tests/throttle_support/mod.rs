//! What the Redis throttle tests start for real: `redis-server` processes (single or a
//! 3-node cluster) on free ports in temporary directories, gateway processes, and a
//! saturating load driver. Everything started here is killed when dropped.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The header the pet store's API key travels in.
pub(crate) const KEY_HEADER: &str = "x-api-key";

/// A port that was free a moment ago (bound to 127.0.0.1:0, then released).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

/// A fresh temporary directory, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(label: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "tollgate-{label}-{}-{n}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).expect("cannot create a temporary directory");
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `redis-cli -p PORT ARGS…` and returns its stdout (trimmed).
pub(crate) fn redis_cli(port: u16, args: &[&str]) -> Option<String> {
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Redis's own clock on `port`, in seconds since the epoch.
pub(crate) fn redis_time(port: u16) -> f64 {
    let out = redis_cli(port, &["TIME"]).expect("TIME failed");
    let mut parts = out.split_whitespace().map(|p| p.parse::<f64>().unwrap());
    let secs = parts.next().unwrap();
    let micros = parts.next().unwrap();
    secs + micros / 1e6
}

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} did not happen in 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A `redis-server` on a free port, killed on drop.
pub(crate) struct RedisServer {
    pub(crate) port: u16,
    child: Option<Child>,
    dir: TempDir,
    extra: Vec<String>,
}

impl RedisServer {
    /// A standalone server without persistence.
    pub(crate) fn start() -> Self {
        Self::start_with(&[])
    }

    /// A server with extra command-line settings.
    pub(crate) fn start_with(extra: &[&str]) -> Self {
        let mut server = Self {
            port: free_port(),
            child: None,
            dir: TempDir::new("redis"),
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--dir", &self.dir.path().display().to_string()])
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start redis-server (is it installed? see .ci/run)");
        self.child = Some(child);
        let port = self.port;
        wait_until("redis-server answering PING", || {
            redis_cli(port, &["PING"]).as_deref() == Some("PONG")
        });
    }

    /// The store URL of this server.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL: no goodbye to clients).
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (empty: nothing was persisted).
    pub(crate) fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A 3-node Redis Cluster (three primaries, no replicas) on free ports.
pub(crate) struct RedisCluster {
    pub(crate) nodes: Vec<RedisServer>,
}

impl RedisCluster {
    pub(crate) fn start() -> Self {
        let nodes: Vec<RedisServer> = (0..3)
            .map(|_| {
                RedisServer::start_with(&[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "2000",
                ])
            })
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let mut args = vec!["--cluster", "create"];
        args.extend(addresses.iter().map(String::as_str));
        args.extend(["--cluster-replicas", "0", "--cluster-yes"]);
        redis_cli(nodes[0].port, &args).expect("redis-cli --cluster create failed");
        for node in &nodes {
            let port = node.port;
            wait_until("the cluster to be ok", || {
                redis_cli(port, &["CLUSTER", "INFO"])
                    .is_some_and(|info| info.contains("cluster_state:ok"))
            });
        }
        Self { nodes }
    }

    /// The store URL of this cluster (every node as a seed).
    pub(crate) fn url(&self) -> String {
        let hosts: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        format!("redis+cluster://{}", hosts.join(","))
    }
}

/// A gateway process (`throttle_gateway`, the pet store with `Mock` handlers) with its
/// own configuration file, killed on drop.
pub(crate) struct GatewayProcess {
    pub(crate) base: String,
    child: Child,
    _dir: TempDir,
}

impl GatewayProcess {
    /// Starts a gateway on a free port with `config` as its `tollgate.toml`.
    pub(crate) fn start(config: &str) -> Self {
        let dir = TempDir::new("gateway");
        let path = dir.path().join("tollgate.toml");
        std::fs::write(&path, config).expect("cannot write tollgate.toml");
        let mut child = Command::new(env!("CARGO_BIN_EXE_throttle_gateway"))
            .env("TOLLGATE_CONFIG", &path)
            .env("TOLLGATE_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start the gateway process");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("no output from the gateway process");
        let addr: SocketAddr = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected gateway output: {line:?}"));
        assert!(TcpStream::connect(addr).is_ok());
        Self {
            base: format!("http://{addr}"),
            child,
            _dir: dir,
        }
    }
}

impl Drop for GatewayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a load run saw.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    pub(crate) admitted: usize,
    pub(crate) throttled: usize,
    /// 503 (`on_store_error = "deny"` while the store is unreachable).
    pub(crate) unavailable: usize,
    /// The slowest answer.
    pub(crate) slowest: Duration,
}

/// Sends `GET path` with `key` from `clients` concurrent clients spread over `bases`
/// until `duration` has passed; returns the answers by kind.
pub(crate) async fn load(
    bases: &[String],
    path: &str,
    key: &str,
    clients: usize,
    duration: Duration,
) -> Tally {
    let client = reqwest::Client::builder()
        // A request slower than this fails the test: the store timeout is 1 s (see
        // `config`), so only a hang gets near it.
        .timeout(Duration::from_secs(3))
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let deadline = tokio::time::Instant::now() + duration;
    let admitted = Arc::new(AtomicUsize::new(0));
    let throttled = Arc::new(AtomicUsize::new(0));
    let unavailable = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..clients {
        let url = format!("{}{path}", bases[i % bases.len()]);
        let (client, key) = (client.clone(), key.to_owned());
        let counters = [admitted.clone(), throttled.clone(), unavailable.clone()];
        tasks.push(tokio::spawn(async move {
            let mut slowest = Duration::ZERO;
            while tokio::time::Instant::now() < deadline {
                let sent = std::time::Instant::now();
                let status = client
                    .get(&url)
                    .header(KEY_HEADER, &key)
                    .send()
                    .await
                    .map(|r| r.status().as_u16());
                let slot = match status {
                    Ok(200) => 0,
                    Ok(429) => 1,
                    Ok(503) => 2,
                    Ok(other) => panic!("unexpected status {other} (only 200, 429, 503)"),
                    Err(err) => panic!("request failed (a hang?): {err}"),
                };
                counters[slot].fetch_add(1, Ordering::Relaxed);
                slowest = slowest.max(sent.elapsed());
            }
            slowest
        }));
    }
    let mut slowest = Duration::ZERO;
    for task in tasks {
        slowest = slowest.max(task.await.unwrap());
    }
    Tally {
        slowest,
        admitted: admitted.load(Ordering::Relaxed),
        throttled: throttled.load(Ordering::Relaxed),
        unavailable: unavailable.load(Ordering::Relaxed),
    }
}

/// The fleet tests' `store_timeout_ms`: generous, because on a machine busy with other
/// work (CI) a healthy Redis can take over 100 ms to answer, which `on_store_error =
/// "deny"` would turn into 503s. A killed Redis refuses connections at once, so the fault
/// tests do not wait for it.
const STORE_TIMEOUT_MS: u64 = 1_000;

/// A `tollgate.toml` for the fleet tests: the key `fleet-key` on a plan with `rate`,
/// `burst` and a daily `quota`, a generous gateway-wide bucket, and the given store.
pub(crate) fn config(
    store: &str,
    on_store_error: &str,
    rate: f64,
    burst: u32,
    quota: u64,
) -> String {
    format!(
        r#"
[throttle]
rate = 100000.0
burst = 100000
store = "{store}"
on_store_error = "{on_store_error}"
store_timeout_ms = {STORE_TIMEOUT_MS}
headers_on_success = true

[plans.fleet]
rate = {rate:?}
burst = {burst}
quota = {{ limit = {quota}, period = "day" }}

[[api_keys]]
id = "fleet"
key = "fleet-key"
plan = "fleet"
"#
    )
}
