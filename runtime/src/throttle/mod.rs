//! Throttling and quotas: token buckets with Amazon API Gateway's semantics (a sustained
//! `rate` in requests per second and a `burst` capacity), implemented as GCRA, and per-key
//! quotas over UTC calendar periods.
//!
//! # Scopes
//!
//! Every request is checked against every scope that applies to it, most specific first:
//!
//! | scope       | state kept per       | limit from                                                    |
//! |-------------|----------------------|---------------------------------------------------------------|
//! | `key`       | API key (or subject) | the key's plan: `[plans.NAME] rate, burst`                     |
//! | `quota`     | API key (or subject) | the key's plan: `[plans.NAME] quota`                           |
//! | `operation` | operation            | `[operations.ID] throttle`, else the operation's `x-tollgate-throttle` |
//! | `gateway`   | gateway              | `[throttle]`, else the document's `x-tollgate-throttle`        |
//!
//! A request is admitted only when every scope admits it, and a request refused by one
//! scope consumes nothing from the others: the store checks all scopes and then commits
//! all of them under the same locks.
//!
//! # Exactness
//!
//! GCRA keeps one timestamp per bucket, the *theoretical arrival time* (TAT). With the
//! emission interval `T = 1/rate` (rounded **up** to whole nanoseconds, so rounding never
//! admits more) a request at `now` is admitted when `max(TAT, now) + T - now ≤ burst·T`,
//! and then `TAT = max(TAT, now) + T`. Over any interval of length `t` a bucket admits at
//! most `burst + rate·t` requests, exactly like a token bucket that holds `burst` tokens
//! and gains `rate` tokens per second.
//!
//! # Headers
//!
//! Refused answers — and admitted ones with `[throttle] headers_on_success = true` —
//! carry the fields of the IETF draft *RateLimit header fields for HTTP*
//! (draft-ietf-httpapi-ratelimit-headers), one list member per scope that applied, named
//! as in the table above:
//!
//! ```text
//! RateLimit-Policy: "key";q=200;w=2, "quota";q=100000;w=86400
//! RateLimit: "key";r=199;t=1, "quota";r=99999;t=41520
//! ```
//!
//! For a bucket, `q` is the burst and `w` the seconds it takes to refill from empty
//! (`burst / rate`, rounded up); `r` is the number of requests that could still arrive
//! right now and `t` the seconds until the bucket is full again. For a quota, `q` is the
//! limit, `w` the length of the current period, `r` the requests left in it and `t` the
//! seconds until it ends. Refusals add `Retry-After` (whole seconds, rounded up, at
//! least 1): the earliest time at which every refusing scope would admit the request.
//!
//! # Store
//!
//! State lives behind the crate-internal `ThrottleStore` trait (async, so a Redis store
//! with one atomic script per decision can be added); the in-memory store is a sharded
//! map of mutexes. Memory stays bounded: a shard drops idle entries (bucket full again,
//! quota count from an ended period) whenever it grows to twice its size after the last
//! sweep (and at least 1024 entries).

#[doc(hidden)]
pub mod bench;
mod clock;
mod gcra;
mod headers;
mod limiter;
mod memory;
pub(crate) mod redis;
#[cfg(test)]
mod test_support;

use std::future::Future;
use std::sync::Arc;
use std::time::SystemTime;

use crate::config::Quota;
use gcra::Bucket;

pub use clock::{Clock, ManualClock, SystemClock};
pub(crate) use headers::RateLimitHeaders;
pub(crate) use limiter::Throttle;
use memory::MemoryStore;
use redis::RedisStore;

/// Nanoseconds since the Unix epoch.
type Nanos = u128;

const NANOS_PER_SEC: u128 = 1_000_000_000;
/// The most scopes one request is checked against.
const MAX_SCOPES: usize = 4;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Whose state a scope reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ScopeId<'a> {
    /// One API key (or principal subject).
    Key(&'a str),
    /// One operation, by id.
    Operation(&'static str),
    /// The whole gateway.
    Gateway,
}

/// What a scope limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Limit {
    /// A token bucket.
    Bucket(Bucket),
    /// A quota (only for [`ScopeId::Key`]).
    Quota(Quota),
}

/// One limit applied to one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub(crate) id: ScopeId<'a>,
    pub(crate) limit: Limit,
}

impl Scope<'_> {
    /// The scope's name in headers and messages.
    pub(super) fn name(&self) -> &'static str {
        match (self.id, self.limit) {
            (_, Limit::Quota(_)) => "quota",
            (ScopeId::Key(_), _) => "key",
            (ScopeId::Operation(_), _) => "operation",
            (ScopeId::Gateway, _) => "gateway",
        }
    }
}

/// What a store reports for one scope.
///
/// Durations in u64 nanoseconds (saturating at 584 years, which only a bucket that never
/// refills reaches): an [`Outcome`] is returned and moved on every request, and u128
/// fields made it twice the size.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ScopeStatus {
    pub(crate) admitted: bool,
    /// Requests that could still be made now (after this one, when admitted).
    pub(crate) remaining: u64,
    /// Nanoseconds until the bucket is full again / the quota period ends.
    pub(crate) reset: u64,
    /// Nanoseconds until this scope would admit the request (0 when it does).
    pub(crate) wait: u64,
}

/// A store's answer for one request: one status per scope, in the order given.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Outcome {
    pub(super) statuses: [ScopeStatus; MAX_SCOPES],
    pub(super) len: usize,
    /// The time the store decided at (its own clock for Redis).
    pub(super) now: Nanos,
}

impl Outcome {
    pub(super) fn statuses(&self) -> &[ScopeStatus] {
        &self.statuses[..self.len]
    }

    pub(super) fn admitted(&self) -> bool {
        self.statuses().iter().all(|s| s.admitted)
    }

    /// For a refused request, makes the scopes that would have admitted it report what
    /// they still have: stores decide every scope as if committing (`remaining` after
    /// this request, `reset` after its token), but a refused request consumes nothing.
    /// `interval` is a bucket's emission interval as the store counted it.
    pub(super) fn report_uncommitted(
        &mut self,
        scopes: &[Scope<'_>],
        interval: impl Fn(Bucket) -> Nanos,
    ) {
        if self.admitted() {
            return;
        }
        for (status, scope) in self.statuses[..self.len].iter_mut().zip(scopes) {
            if !status.admitted {
                continue;
            }
            status.remaining = status.remaining.saturating_add(1);
            if let Limit::Bucket(bucket) = scope.limit {
                status.reset = status
                    .reset
                    .saturating_sub(clock::saturating_u64(interval(bucket)));
            }
        }
    }
}

/// Where throttle state lives.
///
/// `acquire` decides one request against all `scopes` at once: it admits the request only
/// when every scope admits it, and then commits every scope; otherwise it changes nothing.
/// The Redis store does this in one atomic script per slot group (see [`redis`]).
pub(crate) trait ThrottleStore: Send + Sync {
    /// Decides one request at `now` (a store with its own clock may ignore `now`).
    fn acquire(
        &self,
        scopes: &[Scope<'_>],
        now: SystemTime,
    ) -> impl Future<Output = Result<Outcome, BoxError>> + Send;
}

/// The store a gateway was configured with.
#[derive(Debug)]
pub(crate) enum Store {
    /// `store = "memory"`.
    Memory(MemoryStore),
    /// `store = "redis://…"` or `"redis+cluster://…"`.
    Redis(Arc<RedisStore>),
}

impl Store {
    /// Decides one request (see [`ThrottleStore::acquire`]).
    pub(super) async fn acquire(
        &self,
        scopes: &[Scope<'_>],
        now: SystemTime,
    ) -> Result<Outcome, BoxError> {
        match self {
            Self::Memory(store) => Ok(store.acquire_now(scopes, clock::to_nanos(now))),
            // Boxed: the Redis decision's future is large, and inline it would make every
            // request's future (memory store included) that large too. One allocation is
            // nothing next to a network round trip.
            Self::Redis(store) => Box::pin(store.acquire(scopes, now)).await,
        }
    }
}
