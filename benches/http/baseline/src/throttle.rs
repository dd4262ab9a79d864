//! The throttle by hand: a GCRA bucket per API key and one for the whole server, in
//! process (atomics) or in Redis (one script call per decision), with the IETF RateLimit
//! headers the gateway sends.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use redis::aio::ConnectionManager;

/// A bucket's limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    /// Nanoseconds between two requests at the sustained rate (rounded up).
    interval: u64,
    burst: u64,
}

impl Limit {
    /// `rate` requests per second, `burst` at once.
    pub(crate) fn new(rate: f64, burst: u64) -> Self {
        Self {
            interval: (1e9 / rate).ceil() as u64,
            burst,
        }
    }

    fn window_secs(self) -> u64 {
        (self.interval * self.burst).div_ceil(1_000_000_000)
    }
}

/// What a bucket says about one request.
#[derive(Debug, Clone, Copy)]
struct Status {
    admitted: bool,
    remaining: u64,
    /// Nanoseconds until the bucket is full again (admitted) or admits again (refused).
    wait: u64,
}

fn decide(limit: Limit, tat: u64, now: u64) -> (Status, u64) {
    let new_tat = tat.max(now) + limit.interval;
    let capacity = limit.interval * limit.burst;
    let used = new_tat - now;
    if used > capacity {
        let remaining = capacity.saturating_sub(tat.max(now) - now) / limit.interval;
        let status = Status {
            admitted: false,
            remaining,
            wait: used - capacity,
        };
        (status, tat)
    } else {
        let status = Status {
            admitted: true,
            remaining: (capacity - used) / limit.interval,
            wait: used,
        };
        (status, new_tat)
    }
}

/// One in-process bucket: its theoretical arrival time, in nanoseconds since start.
#[derive(Debug, Default)]
pub(crate) struct Bucket(AtomicU64);

/// Where the buckets live.
pub(crate) enum Store {
    /// In this process.
    Memory(Instant),
    /// In Redis: one `EVALSHA` per decision.
    Redis(ConnectionManager, redis::Script),
}

/// The GCRA over every given bucket, as one Lua script: admitted only if every bucket
/// admits, then all are charged. Times in microseconds from Redis's clock.
const SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {1}
local news = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new = tat + interval
  local cap = interval * burst
  if new - now > cap then
    out[1] = 0
    table.insert(out, math.floor((cap - (tat - now)) / interval))
    table.insert(out, new - now - cap)
  else
    table.insert(out, math.floor((cap - (new - now)) / interval))
    table.insert(out, new - now)
  end
  news[i] = new
end
if out[1] == 1 then
  for i, key in ipairs(KEYS) do
    redis.call('SET', key, news[i], 'PX', math.ceil((news[i] - now) / 1000) + 1)
  end
end
return out
";

impl Store {
    /// In process.
    pub(crate) fn memory() -> Self {
        Self::Memory(Instant::now())
    }

    /// In the Redis server at `url`.
    pub(crate) async fn redis(url: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        let manager = ConnectionManager::new(client).await?;
        Ok(Self::Redis(manager, redis::Script::new(SCRIPT)))
    }
}

static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// The outcome of one decision: whether it was admitted, the headers to send, and
/// `Retry-After` seconds when refused.
pub(crate) struct Decision {
    pub(crate) admitted: bool,
    pub(crate) headers: HeaderMap,
    pub(crate) retry_after: u64,
}

/// One bucket a request is checked against.
pub(crate) struct Scope<'a> {
    /// `key` or `gateway`, as the headers name it.
    pub(crate) name: &'static str,
    /// Its key in Redis.
    pub(crate) redis_key: &'a str,
    pub(crate) bucket: &'a Bucket,
    pub(crate) limit: Limit,
}

/// At most this many scopes per request (the key's and the server's).
const MAX_SCOPES: usize = 2;

fn decide_memory(scopes: &[Scope<'_>], now: u64) -> [Status; MAX_SCOPES] {
    let refused = Status {
        admitted: false,
        remaining: 0,
        wait: 0,
    };
    loop {
        let mut statuses = [refused; MAX_SCOPES];
        let mut tats = [(0, 0); MAX_SCOPES];
        for (i, scope) in scopes.iter().enumerate() {
            let tat = scope.bucket.0.load(Ordering::Acquire);
            let (status, new_tat) = decide(scope.limit, tat, now);
            statuses[i] = status;
            tats[i] = (tat, new_tat);
        }
        if !statuses[..scopes.len()].iter().all(|s| s.admitted) {
            return statuses;
        }
        // Charge every scope; on a lost race undo what was charged and decide again.
        let charged = scopes
            .iter()
            .zip(&tats)
            .take_while(|(scope, (tat, new_tat))| {
                scope
                    .bucket
                    .0
                    .compare_exchange(*tat, *new_tat, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            })
            .count();
        if charged == scopes.len() {
            return statuses;
        }
        for (scope, (tat, _)) in scopes.iter().zip(&tats).take(charged) {
            scope.bucket.0.store(*tat, Ordering::Release);
        }
    }
}

async fn decide_redis(
    manager: &ConnectionManager,
    script: &redis::Script,
    scopes: &[Scope<'_>],
) -> Option<[Status; MAX_SCOPES]> {
    let mut invocation = script.prepare_invoke();
    for scope in scopes {
        invocation
            .key(scope.redis_key)
            .arg(scope.limit.interval.div_ceil(1000))
            .arg(scope.limit.burst);
    }
    let mut connection = manager.clone();
    let out = invocation
        .invoke_async::<Vec<u64>>(&mut connection)
        .await
        .ok()?;
    if out.len() != 1 + 2 * scopes.len() {
        return None;
    }
    let admitted = out[0] == 1;
    let mut statuses = [Status {
        admitted,
        remaining: 0,
        wait: 0,
    }; MAX_SCOPES];
    for (i, status) in statuses.iter_mut().take(scopes.len()).enumerate() {
        status.remaining = out[1 + 2 * i];
        status.wait = out[2 + 2 * i] * 1000;
    }
    Some(statuses)
}

/// Decides `scopes` together: admitted only when every one admits, then all are charged.
pub(crate) async fn acquire(store: &Store, scopes: &[Scope<'_>]) -> Decision {
    let statuses = match store {
        Store::Memory(start) => {
            let now = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
            decide_memory(scopes, now)
        }
        Store::Redis(manager, script) => match decide_redis(manager, script, scopes).await {
            Some(statuses) => statuses,
            // The gateway's default `on_store_error = "allow"`: admit without headers.
            None => {
                return Decision {
                    admitted: true,
                    headers: HeaderMap::new(),
                    retry_after: 0,
                }
            }
        },
    };
    let statuses = &statuses[..scopes.len()];
    let admitted = statuses.iter().all(|s| s.admitted);
    let retry_after = statuses
        .iter()
        .filter(|s| !s.admitted)
        .map(|s| s.wait.div_ceil(1_000_000_000).max(1))
        .max()
        .unwrap_or(0);
    let mut policy = String::with_capacity(64);
    let mut current = String::with_capacity(64);
    for (i, (scope, status)) in scopes.iter().zip(statuses).enumerate() {
        let sep = if i > 0 { ", " } else { "" };
        let _ = write!(
            policy,
            "{sep}\"{}\";q={};w={}",
            scope.name,
            scope.limit.burst,
            scope.limit.window_secs()
        );
        let _ = write!(
            current,
            "{sep}\"{}\";r={};t={}",
            scope.name,
            status.remaining,
            status.wait.div_ceil(1_000_000_000)
        );
    }
    let mut headers = HeaderMap::with_capacity(2);
    if let (Ok(policy), Ok(current)) = (
        HeaderValue::try_from(policy),
        HeaderValue::try_from(current),
    ) {
        headers.insert(RATELIMIT_POLICY.clone(), policy);
        headers.insert(RATELIMIT.clone(), current);
    }
    Decision {
        admitted,
        headers,
        retry_after,
    }
}
