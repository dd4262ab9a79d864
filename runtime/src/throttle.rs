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
//! Admitted and refused answers carry the fields of the IETF draft
//! *RateLimit header fields for HTTP* (draft-ietf-httpapi-ratelimit-headers), one list
//! member per scope that applied, named as in the table above:
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

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{header, HeaderMap, HeaderName, HeaderValue};

use crate::config::{Config, OnStoreError, Quota, QuotaPeriod};
use crate::context::Principal;
use crate::meta::{ApiMeta, OperationMeta, ThrottleSpec};
use crate::problem::{Problem, ProblemKind};

/// Nanoseconds since the Unix epoch.
type Nanos = u128;

const NANOS_PER_SEC: u128 = 1_000_000_000;
const SECS_PER_DAY: u64 = 86_400;
/// The emission interval used for a rate that is not a positive number: about 3000 years,
/// so the bucket never refills in practice.
const NEVER: Nanos = NANOS_PER_SEC * SECS_PER_DAY as u128 * 365 * 3000;
/// The most scopes one request is checked against.
const MAX_SCOPES: usize = 4;
/// Shards of the in-memory store (a power of two well above the core count).
const SHARDS: usize = 64;
/// A shard is not swept below this many entries.
const MIN_SWEEP: usize = 1024;

/// `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers).
static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
/// `RateLimit` (draft-ietf-httpapi-ratelimit-headers).
static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

// ---------------------------------------------------------------------------------------
// Clocks

/// The time source of throttling and quotas.
///
/// The gateway uses [`SystemClock`]; tests use [`ManualClock`] and step time instead of
/// sleeping. Implementations must never go backwards.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock, made monotonic: it never goes backwards, even when the system
/// clock is set back (it then stands still until the system clock catches up).
///
/// Wall-clock time (rather than [`std::time::Instant`]) keeps quota periods on UTC
/// calendar boundaries.
#[derive(Debug, Default)]
pub struct SystemClock {
    last: AtomicU64,
}

impl SystemClock {
    /// A system clock.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        let now = to_u64_nanos(SystemTime::now());
        let previous = self.last.fetch_max(now, Ordering::Relaxed);
        UNIX_EPOCH + Duration::from_nanos(now.max(previous))
    }
}

/// A clock that only moves when told to: for tests of throttling and quotas.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use tollgate::{Gateway, ManualClock};
///
/// let clock = Arc::new(ManualClock::default()); // 2025-01-01T00:00:00Z
/// let gateway = Gateway::builder().throttle(1.0, 1).clock(clock.clone()).build()?;
/// // ... a request is admitted, the next one refused ...
/// clock.advance(Duration::from_secs(1)); // ... and now one more is admitted.
/// # Ok::<(), tollgate::Error>(())
/// ```
#[derive(Debug)]
pub struct ManualClock {
    nanos: AtomicU64,
}

impl ManualClock {
    /// The Unix time (seconds) of `ManualClock::default()`: 2025-01-01T00:00:00Z.
    pub const DEFAULT_START_UNIX: u64 = 1_735_689_600;

    /// A clock standing at `start` (times before 1970 count as 1970-01-01T00:00:00Z).
    pub fn new(start: SystemTime) -> Self {
        Self {
            nanos: AtomicU64::new(to_u64_nanos(start)),
        }
    }

    /// A clock standing at `secs` seconds after the Unix epoch.
    pub fn at_unix(secs: u64) -> Self {
        Self::new(UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        // fetch_update never fails with a closure that always returns Some.
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_add(by))
            });
    }

    /// Sets the clock to `to`. Throttling assumes time does not go backwards: only use
    /// this to move forward, or before the first request.
    pub fn set(&self, to: SystemTime) {
        self.nanos.store(to_u64_nanos(to), Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    /// A clock standing at 2025-01-01T00:00:00Z.
    fn default() -> Self {
        Self::at_unix(Self::DEFAULT_START_UNIX)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

fn to_u64_nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

fn to_nanos(t: SystemTime) -> Nanos {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

fn ceil_secs(nanos: Nanos) -> u64 {
    u64::try_from(nanos.div_ceil(NANOS_PER_SEC)).unwrap_or(u64::MAX)
}

// ---------------------------------------------------------------------------------------
// Limits and periods

/// A token bucket as GCRA parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bucket {
    /// The emission interval `1/rate` in nanoseconds, rounded up, at least 1.
    interval: Nanos,
    /// The capacity.
    burst: u32,
}

impl Bucket {
    pub(crate) fn new(rate: f64, burst: u32) -> Self {
        let interval = if rate.is_finite() && rate > 0.0 {
            let exact = 1e9 / rate;
            if exact >= NEVER as f64 {
                NEVER
            } else {
                // In range and non-negative: the cast is exact after ceil().
                (exact.ceil() as Nanos).max(1)
            }
        } else if rate == f64::INFINITY {
            1
        } else {
            NEVER
        };
        Self { interval, burst }
    }

    fn from_spec(spec: ThrottleSpec) -> Self {
        Self::new(spec.rate, spec.burst)
    }

    /// `burst · T`: how far ahead of `now` the TAT may run.
    fn tolerance(self) -> Nanos {
        self.interval * Nanos::from(self.burst)
    }

    /// Seconds to refill from empty, for `RateLimit-Policy`'s `w`.
    fn window_secs(self) -> u64 {
        ceil_secs(self.tolerance()).max(1)
    }

    /// Decides a request at `now` for a bucket whose TAT is `tat` (`None`: never used).
    fn decide(self, tat: Option<Nanos>, now: Nanos) -> Decision<Nanos> {
        let tat = tat.map_or(now, |t| t.max(now));
        let limit = now + self.tolerance();
        let next = tat + self.interval;
        if next <= limit {
            Decision {
                admitted: true,
                state: next,
                remaining: saturating_u64((limit - next) / self.interval),
                reset: next - now,
                wait: 0,
            }
        } else {
            Decision {
                admitted: false,
                state: tat,
                remaining: saturating_u64(limit.saturating_sub(tat) / self.interval),
                reset: tat - now,
                wait: next - limit,
            }
        }
    }
}

fn saturating_u64(n: u128) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The UTC period containing `secs` (Unix seconds), as `[start, end)` in Unix seconds.
pub(crate) fn period_bounds(period: QuotaPeriod, secs: u64) -> (u64, u64) {
    let day = secs / SECS_PER_DAY;
    match period {
        QuotaPeriod::Day => (day * SECS_PER_DAY, (day + 1) * SECS_PER_DAY),
        QuotaPeriod::Week => {
            // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday = 0.
            let monday = day.saturating_sub((day + 3) % 7);
            (monday * SECS_PER_DAY, (monday + 7) * SECS_PER_DAY)
        }
        QuotaPeriod::Month => {
            let (year, month, _) = civil_from_days(day);
            let (next_year, next_month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            (
                days_from_civil(year, month) * SECS_PER_DAY,
                days_from_civil(next_year, next_month) * SECS_PER_DAY,
            )
        }
    }
}

// Howard Hinnant's civil-date algorithms (public domain), restricted to dates after 1970.
// Hand-written because month boundaries are all the throttle needs of a date crate.

/// Days since 1970-01-01 of the first day of `month` (1–12) in `year` (≥ 1970).
fn days_from_civil(year: u64, month: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).saturating_sub(719_468)
}

/// `(year, month, day)` of `days` since 1970-01-01.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The count of a quota in one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct QuotaState {
    /// Start of the period the count belongs to (Unix seconds).
    start: u64,
    /// End of that period (Unix seconds).
    end: u64,
    /// Requests admitted in that period.
    count: u64,
}

fn decide_quota(quota: Quota, state: Option<QuotaState>, now: Nanos) -> Decision<QuotaState> {
    let secs = saturating_u64(now / NANOS_PER_SEC);
    let (start, end) = period_bounds(quota.period, secs);
    let count = match state {
        Some(s) if s.start == start => s.count,
        _ => 0,
    };
    let reset = (Nanos::from(end) * NANOS_PER_SEC).saturating_sub(now);
    if count < quota.limit {
        Decision {
            admitted: true,
            state: QuotaState {
                start,
                end,
                count: count + 1,
            },
            remaining: quota.limit - count - 1,
            reset,
            wait: 0,
        }
    } else {
        Decision {
            admitted: false,
            state: QuotaState { start, end, count },
            remaining: 0,
            reset,
            wait: reset,
        }
    }
}

/// The outcome of one scope for one request.
#[derive(Debug, Clone, Copy)]
struct Decision<S> {
    admitted: bool,
    /// The state to store if every scope admits the request.
    state: S,
    remaining: u64,
    reset: Nanos,
    /// How long until this scope would admit the request (0 when it does).
    wait: Nanos,
}

// ---------------------------------------------------------------------------------------
// Scopes and the store

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
    fn name(&self) -> &'static str {
        match (self.id, self.limit) {
            (_, Limit::Quota(_)) => "quota",
            (ScopeId::Key(_), _) => "key",
            (ScopeId::Operation(_), _) => "operation",
            (ScopeId::Gateway, _) => "gateway",
        }
    }
}

/// What a store reports for one scope.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ScopeStatus {
    pub(crate) admitted: bool,
    /// Requests that could still be made now (after this one, when admitted).
    pub(crate) remaining: u64,
    /// Until the bucket is full again / the quota period ends.
    pub(crate) reset: Nanos,
    /// Until this scope would admit the request (0 when it does).
    pub(crate) wait: Nanos,
}

/// A store's answer for one request: one status per scope, in the order given.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Outcome {
    statuses: [ScopeStatus; MAX_SCOPES],
    len: usize,
}

impl Outcome {
    fn statuses(&self) -> &[ScopeStatus] {
        &self.statuses[..self.len]
    }

    fn admitted(&self) -> bool {
        self.statuses().iter().all(|s| s.admitted)
    }
}

/// Where throttle state lives.
///
/// `acquire` decides one request against all `scopes` at once: it admits the request only
/// when every scope admits it, and then commits every scope; otherwise it changes nothing.
/// A remote store (Redis) would do this in one atomic script.
pub(crate) trait ThrottleStore: Send + Sync {
    fn acquire(
        &self,
        scopes: &[Scope<'_>],
        now: SystemTime,
    ) -> impl Future<Output = Result<Outcome, BoxError>> + Send;
}

/// The in-memory store: `SHARDS` mutex-protected maps; a scope lives in the shard its id
/// hashes to. A request locks the (at most four) shards of its scopes in ascending index
/// order — so two requests never wait on each other in a cycle — decides every scope, and
/// commits only if all admit it. No lock is held across an `.await` (there is none).
#[derive(Debug)]
pub(crate) struct MemoryStore {
    shards: Box<[Mutex<Shard>]>,
    hasher: RandomState,
}

#[derive(Debug, Default)]
struct Shard {
    gateway: Option<Nanos>,
    operations: HashMap<&'static str, Nanos>,
    keys: HashMap<Box<str>, KeyState>,
    /// Sweep idle keys when `keys` reaches this size.
    sweep_at: usize,
}

#[derive(Debug, Clone, Copy, Default)]
struct KeyState {
    tat: Option<Nanos>,
    quota: Option<QuotaState>,
}

impl KeyState {
    /// Whether forgetting this state changes no future decision.
    fn idle(&self, now: Nanos) -> bool {
        let secs = saturating_u64(now / NANOS_PER_SEC);
        self.tat.is_none_or(|tat| tat <= now)
            && self.quota.is_none_or(|q| q.count == 0 || secs >= q.end)
    }
}

/// A decided scope waiting to be committed.
#[derive(Debug, Clone, Copy)]
enum Pending {
    Tat(Nanos),
    Quota(QuotaState),
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: RandomState::new(),
        }
    }
}

impl MemoryStore {
    fn shard_of(&self, id: ScopeId<'_>) -> usize {
        // The hash picks the shard; the maps inside hash again with their own keys.
        let hash = self.hasher.hash_one(id);
        (hash as usize) % self.shards.len()
    }

    /// Decides and (when admitted) commits one request. Synchronous: locks are held only
    /// for the computation.
    pub(crate) fn acquire_now(&self, scopes: &[Scope<'_>], now: Nanos) -> Outcome {
        let scopes = &scopes[..scopes.len().min(MAX_SCOPES)];
        let mut shard_of = [0usize; MAX_SCOPES];
        for (slot, scope) in shard_of.iter_mut().zip(scopes) {
            *slot = self.shard_of(scope.id);
        }
        // The distinct shards, ascending: the lock order.
        let mut order = [0usize; MAX_SCOPES];
        let mut distinct = 0;
        for &shard in &shard_of[..scopes.len()] {
            if !order[..distinct].contains(&shard) {
                order[distinct] = shard;
                distinct += 1;
            }
        }
        let order = &mut order[..distinct];
        order.sort_unstable();
        let order = &*order;
        let mut guards: [Option<MutexGuard<'_, Shard>>; MAX_SCOPES] = Default::default();
        for (guard, &index) in guards.iter_mut().zip(order) {
            // A panic while a shard was locked cannot leave it half-written (every
            // write is a plain store after all decisions), so poisoning is ignored.
            *guard = Some(
                self.shards[index]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
        }
        let slot_of = |shard: usize| order.iter().position(|&s| s == shard).unwrap_or(0);

        // Decide every scope against the current state.
        let mut outcome = Outcome {
            len: scopes.len(),
            ..Outcome::default()
        };
        let mut pending = [Pending::Tat(0); MAX_SCOPES];
        for (i, scope) in scopes.iter().enumerate() {
            let Some(shard) = guards[slot_of(shard_of[i])].as_deref() else {
                continue;
            };
            let (status, change) = match (scope.id, scope.limit) {
                (id, Limit::Bucket(bucket)) => {
                    let tat = match id {
                        ScopeId::Gateway => shard.gateway,
                        ScopeId::Operation(op) => shard.operations.get(op).copied(),
                        ScopeId::Key(key) => shard.keys.get(key).and_then(|s| s.tat),
                    };
                    let d = bucket.decide(tat, now);
                    (status_of(&d), Pending::Tat(d.state))
                }
                (id, Limit::Quota(quota)) => {
                    let state = match id {
                        ScopeId::Key(key) => shard.keys.get(key).and_then(|s| s.quota),
                        _ => None,
                    };
                    let d = decide_quota(quota, state, now);
                    (status_of(&d), Pending::Quota(d.state))
                }
            };
            outcome.statuses[i] = status;
            pending[i] = change;
        }
        if !outcome.admitted() {
            return outcome;
        }

        // Commit.
        for (i, scope) in scopes.iter().enumerate() {
            let Some(shard) = guards[slot_of(shard_of[i])].as_deref_mut() else {
                continue;
            };
            match (scope.id, pending[i]) {
                (ScopeId::Gateway, Pending::Tat(tat)) => shard.gateway = Some(tat),
                (ScopeId::Operation(op), Pending::Tat(tat)) => {
                    shard.operations.insert(op, tat);
                }
                (ScopeId::Key(key), change) => {
                    let state = match shard.keys.get_mut(key) {
                        Some(state) => state,
                        None => {
                            shard.sweep(now);
                            shard.keys.entry(Box::from(key)).or_default()
                        }
                    };
                    match change {
                        Pending::Tat(tat) => state.tat = Some(tat),
                        Pending::Quota(quota) => state.quota = Some(quota),
                    }
                }
                (_, Pending::Quota(_)) => {}
            }
        }
        outcome
    }

    /// How many keys the store currently remembers (for tests of eviction).
    #[cfg(test)]
    fn key_entries(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).keys.len())
            .sum()
    }
}

impl Shard {
    /// Drops idle keys when the map reached its sweep size; the next sweep happens at
    /// twice the size that remains (and never below `MIN_SWEEP`).
    fn sweep(&mut self, now: Nanos) {
        if self.keys.len() < self.sweep_at.max(MIN_SWEEP) {
            return;
        }
        self.keys.retain(|_, state| !state.idle(now));
        self.sweep_at = (self.keys.len() * 2).max(MIN_SWEEP);
    }
}

fn status_of<S>(d: &Decision<S>) -> ScopeStatus {
    ScopeStatus {
        admitted: d.admitted,
        remaining: d.remaining,
        reset: d.reset,
        wait: d.wait,
    }
}

impl ThrottleStore for MemoryStore {
    fn acquire(
        &self,
        scopes: &[Scope<'_>],
        now: SystemTime,
    ) -> impl Future<Output = Result<Outcome, BoxError>> + Send {
        std::future::ready(Ok(self.acquire_now(scopes, to_nanos(now))))
    }
}

// ---------------------------------------------------------------------------------------
// The gateway's throttle

/// A usage plan, resolved.
#[derive(Debug, Clone, Copy)]
struct Plan {
    bucket: Option<Bucket>,
    quota: Option<Quota>,
}

/// Everything the gateway needs to throttle: resolved limits, the store and the clock.
pub(crate) struct Throttle {
    plans: HashMap<String, Plan>,
    operations: HashMap<String, Bucket>,
    gateway: Option<Bucket>,
    on_store_error: OnStoreError,
    store: MemoryStore,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("plans", &self.plans)
            .field("operations", &self.operations)
            .field("gateway", &self.gateway)
            .field("on_store_error", &self.on_store_error)
            .finish_non_exhaustive()
    }
}

impl Throttle {
    /// Resolves the limits of a validated configuration.
    pub(crate) fn new(config: &Config, clock: Arc<dyn Clock>) -> Self {
        let plans = config
            .plans
            .iter()
            .filter_map(|(name, plan)| {
                let bucket = match (plan.rate, plan.burst) {
                    (Some(rate), Some(burst)) => Some(Bucket::new(rate, burst)),
                    _ => None,
                };
                (bucket.is_some() || plan.quota.is_some()).then(|| {
                    (
                        name.clone(),
                        Plan {
                            bucket,
                            quota: plan.quota,
                        },
                    )
                })
            })
            .collect();
        let operations = config
            .operations
            .iter()
            .filter_map(|(id, op)| {
                let t = op.throttle?;
                Some((id.clone(), Bucket::new(t.rate, t.burst)))
            })
            .collect();
        Self {
            plans,
            operations,
            gateway: config
                .throttle
                .as_ref()
                .map(|t| Bucket::new(t.rate, t.burst)),
            on_store_error: config
                .throttle
                .as_ref()
                .map_or(OnStoreError::Allow, |t| t.on_store_error),
            store: MemoryStore::default(),
            clock,
        }
    }

    /// Decides one request: `Ok` with the RateLimit headers to add (empty when no scope
    /// applies), or a 429 (or 503 when the store fails and `on_store_error = "deny"`).
    // `Problem` is the contract's error type; the error path is the cold one.
    #[allow(clippy::result_large_err)]
    pub(crate) async fn check(
        &self,
        api: &'static ApiMeta,
        op: &'static OperationMeta,
        principal: Option<&Principal>,
    ) -> Result<HeaderMap, Problem> {
        let mut scopes = [Scope {
            id: ScopeId::Gateway,
            limit: Limit::Bucket(Bucket {
                interval: 1,
                burst: 0,
            }),
        }; MAX_SCOPES];
        let mut len = 0;
        let mut push = |scope| {
            scopes[len] = scope;
            len += 1;
        };

        // Per key: the plan's bucket and quota.
        if let Some(principal) = principal {
            if let Some(plan) = principal
                .plan
                .as_deref()
                .filter(|_| !self.plans.is_empty())
                .and_then(|name| self.plans.get(name))
            {
                let key = principal
                    .api_key_id
                    .as_deref()
                    .unwrap_or(&principal.subject);
                if let Some(bucket) = plan.bucket {
                    push(Scope {
                        id: ScopeId::Key(key),
                        limit: Limit::Bucket(bucket),
                    });
                }
                if let Some(quota) = plan.quota {
                    push(Scope {
                        id: ScopeId::Key(key),
                        limit: Limit::Quota(quota),
                    });
                }
            }
        }
        // Per operation: the configuration overrides the spec.
        let op_bucket = match self.operations.is_empty() {
            true => None,
            false => self.operations.get(op.id).copied(),
        }
        .or_else(|| op.throttle.map(Bucket::from_spec));
        if let Some(bucket) = op_bucket {
            push(Scope {
                id: ScopeId::Operation(op.id),
                limit: Limit::Bucket(bucket),
            });
        }
        // Gateway-wide: the configuration overrides the document.
        if let Some(bucket) = self.gateway.or_else(|| api.throttle.map(Bucket::from_spec)) {
            push(Scope {
                id: ScopeId::Gateway,
                limit: Limit::Bucket(bucket),
            });
        }
        if len == 0 {
            return Ok(HeaderMap::new());
        }
        let scopes = &scopes[..len];

        let now = self.clock.now();
        let outcome = match self.store.acquire(scopes, now).await {
            Ok(outcome) => outcome,
            Err(err) => return self.store_failed(&*err),
        };
        let mut headers = rate_limit_headers(scopes, &outcome, to_nanos(now));
        if outcome.admitted() {
            return Ok(headers);
        }
        let wait = outcome.statuses().iter().map(|s| s.wait).max().unwrap_or(0);
        let retry_after = ceil_secs(wait).max(1);
        let refused: Vec<&str> = scopes
            .iter()
            .zip(outcome.statuses())
            .filter(|(_, s)| !s.admitted)
            .map(|(scope, _)| scope.name())
            .collect();
        headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        let mut problem = Problem::new(
            ProblemKind::TooManyRequests,
            format!(
                "limit reached ({}); retry in {retry_after} s",
                refused.join(", ")
            ),
        );
        problem.headers = headers;
        Err(problem)
    }

    /// The answer when the store fails, per `on_store_error`.
    // `Problem` is the contract's error type; the error path is the cold one.
    #[allow(clippy::result_large_err)]
    pub(crate) fn store_failed(
        &self,
        err: &(dyn std::error::Error + Send + Sync),
    ) -> Result<HeaderMap, Problem> {
        match self.on_store_error {
            OnStoreError::Allow => {
                tracing::warn!(error = %err, "throttle store failed; request allowed (on_store_error = \"allow\")");
                Ok(HeaderMap::new())
            }
            OnStoreError::Deny => {
                tracing::warn!(error = %err, "throttle store failed; request refused (on_store_error = \"deny\")");
                Err(Problem::new(
                    ProblemKind::Unavailable,
                    "the throttle store is unavailable",
                ))
            }
        }
    }
}

/// `RateLimit-Policy` and `RateLimit` for the scopes of one request.
fn rate_limit_headers(scopes: &[Scope<'_>], outcome: &Outcome, now: Nanos) -> HeaderMap {
    let mut policy = String::new();
    let mut current = String::new();
    for (scope, status) in scopes.iter().zip(outcome.statuses()) {
        let (quota, window) = match scope.limit {
            Limit::Bucket(bucket) => (u64::from(bucket.burst), bucket.window_secs()),
            Limit::Quota(quota) => {
                let (start, end) = period_bounds(quota.period, saturating_u64(now / NANOS_PER_SEC));
                (quota.limit, end - start)
            }
        };
        let separator = if policy.is_empty() { "" } else { ", " };
        let name = scope.name();
        // Writing to a String cannot fail.
        let _ = write!(policy, "{separator}\"{name}\";q={quota};w={window}");
        let _ = write!(
            current,
            "{separator}\"{name}\";r={};t={}",
            status.remaining,
            ceil_secs(status.reset)
        );
    }
    let mut headers = HeaderMap::with_capacity(3);
    if let (Ok(policy), Ok(current)) = (
        HeaderValue::from_str(&policy),
        HeaderValue::from_str(&current),
    ) {
        headers.insert(RATELIMIT_POLICY.clone(), policy);
        headers.insert(RATELIMIT.clone(), current);
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = ManualClock::DEFAULT_START_UNIX;

    fn secs(s: u64) -> Nanos {
        Nanos::from(s) * NANOS_PER_SEC
    }

    fn bucket_scope(id: ScopeId<'_>, rate: f64, burst: u32) -> Scope<'_> {
        Scope {
            id,
            limit: Limit::Bucket(Bucket::new(rate, burst)),
        }
    }

    #[test]
    fn intervals_round_up() {
        assert_eq!(Bucket::new(10.0, 1).interval, 100_000_000);
        assert_eq!(Bucket::new(3.0, 1).interval, 333_333_334);
        assert_eq!(Bucket::new(0.5, 1).interval, 2_000_000_000);
        assert_eq!(Bucket::new(1e30, 1).interval, 1);
        assert_eq!(Bucket::new(0.0, 1).interval, NEVER);
        assert_eq!(Bucket::new(-1.0, 1).interval, NEVER);
        assert_eq!(Bucket::new(f64::NAN, 1).interval, NEVER);
        assert_eq!(Bucket::new(1e-30, 1).interval, NEVER);
    }

    #[test]
    fn bucket_admits_burst_then_rate() {
        let store = MemoryStore::default();
        let scopes = [bucket_scope(ScopeId::Gateway, 10.0, 5)];
        let now = secs(T0);
        let admitted = (0..20)
            .filter(|_| store.acquire_now(&scopes, now).admitted())
            .count();
        assert_eq!(admitted, 5);
        // 100 ms later exactly one token came back.
        let later = now + 100_000_000;
        assert!(store.acquire_now(&scopes, later).admitted());
        let refused = store.acquire_now(&scopes, later);
        assert!(!refused.admitted());
        assert_eq!(refused.statuses()[0].wait, 100_000_000);
        // After a long pause the bucket holds `burst`, not more.
        let much_later = now + secs(3600);
        let admitted = (0..20)
            .filter(|_| store.acquire_now(&scopes, much_later).admitted())
            .count();
        assert_eq!(admitted, 5);
    }

    #[test]
    fn burst_zero_refuses_everything() {
        let store = MemoryStore::default();
        let scopes = [bucket_scope(ScopeId::Gateway, 10.0, 0)];
        assert!(!store.acquire_now(&scopes, secs(T0)).admitted());
        assert!(!store.acquire_now(&scopes, secs(T0 + 1000)).admitted());
    }

    /// Over any interval `t`, admissions never exceed `burst + rate·t`, and a saturated
    /// bucket that never overflows between steps admits exactly `burst + floor(t/T)`.
    #[test]
    fn admission_is_exact_under_saturation() {
        for (rate, burst) in [
            (10.0, 5u32),
            (3.0, 1),
            (3.0, 2),
            (7.5, 20),
            (1000.0, 1),
            (1000.0, 10),
        ] {
            let store = MemoryStore::default();
            let scopes = [bucket_scope(ScopeId::Gateway, rate, burst)];
            let start = secs(T0);
            let step = 7_000_000; // 7 ms
            let mut admitted = 0u64;
            for k in 0..2000u128 {
                let now = start + k * step;
                while store.acquire_now(&scopes, now).admitted() {
                    admitted += 1;
                }
                let elapsed = (k * step) as f64 / 1e9;
                let bound = f64::from(burst) + rate * elapsed;
                assert!(admitted as f64 <= bound + 1e-9, "{admitted} > {bound}");
                // With room for one step's refill on top of a partial token the bucket
                // never overflows, so nothing is lost to the capacity: exact equality.
                let interval = Bucket::new(rate, burst).interval;
                if Nanos::from(burst - 1) * interval >= step {
                    let expected = u64::from(burst) + ((k * step) / interval) as u64;
                    assert_eq!(admitted, expected, "rate {rate} burst {burst} step {k}");
                }
            }
        }
    }

    #[test]
    fn refusal_by_one_scope_consumes_nothing() {
        let store = MemoryStore::default();
        let scopes = [
            bucket_scope(ScopeId::Key("k"), 1.0, 2),
            Scope {
                id: ScopeId::Key("k"),
                limit: Limit::Quota(Quota {
                    limit: 100,
                    period: QuotaPeriod::Day,
                }),
            },
            bucket_scope(ScopeId::Operation("op"), 1.0, 100),
            bucket_scope(ScopeId::Gateway, 1.0, 100),
        ];
        let now = secs(T0);
        let admitted = (0..10)
            .filter(|_| store.acquire_now(&scopes, now).admitted())
            .count();
        assert_eq!(admitted, 2);
        // The 8 refusals took nothing from the quota, the operation or the gateway.
        let gateway_only = [bucket_scope(ScopeId::Gateway, 1.0, 100)];
        let last = store.acquire_now(&gateway_only, now);
        assert!(last.admitted());
        assert_eq!(last.statuses()[0].remaining, 97);
        let quota_only = [scopes[1]];
        assert_eq!(
            store.acquire_now(&quota_only, now).statuses()[0].remaining,
            97
        );
        let op_only = [scopes[2]];
        assert_eq!(store.acquire_now(&op_only, now).statuses()[0].remaining, 97);
    }

    #[test]
    fn period_boundaries() {
        // 2025-01-01T12:00:00Z, a Wednesday.
        let noon = T0 + 12 * 3600;
        assert_eq!(
            period_bounds(QuotaPeriod::Day, noon),
            (T0, T0 + SECS_PER_DAY)
        );
        // Monday 2024-12-30 to Monday 2025-01-06.
        assert_eq!(
            period_bounds(QuotaPeriod::Week, noon),
            (1_735_516_800, 1_736_121_600)
        );
        assert_eq!(
            period_bounds(QuotaPeriod::Month, noon),
            (1_735_689_600, 1_738_368_000)
        );
        // 2024-02-29T23:59:59Z: February of a leap year.
        assert_eq!(
            period_bounds(QuotaPeriod::Month, 1_709_251_199),
            (1_706_745_600, 1_709_251_200)
        );
        // December rolls over to January.
        assert_eq!(
            period_bounds(QuotaPeriod::Month, 1_735_689_599),
            (1_733_011_200, 1_735_689_600)
        );
        // 2100 is not a leap year: February 2100 has 28 days.
        let feb_2100 = 4_105_123_200;
        assert_eq!(
            period_bounds(QuotaPeriod::Month, feb_2100),
            (feb_2100, feb_2100 + 28 * SECS_PER_DAY)
        );
        // A Monday starts its own week.
        assert_eq!(
            period_bounds(QuotaPeriod::Week, 1_735_516_800),
            (1_735_516_800, 1_736_121_600)
        );
        for days in [0u64, 59, 365, 10_000, 20_089, 47_541, 100_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m) + d - 1, days);
        }
    }

    #[test]
    fn quota_resets_at_utc_midnight() {
        let store = MemoryStore::default();
        let quota = Scope {
            id: ScopeId::Key("k"),
            limit: Limit::Quota(Quota {
                limit: 3,
                period: QuotaPeriod::Day,
            }),
        };
        let before_midnight = secs(T0 + SECS_PER_DAY) - 1_500_000_000;
        for _ in 0..3 {
            assert!(store.acquire_now(&[quota], before_midnight).admitted());
        }
        let refused = store.acquire_now(&[quota], before_midnight);
        assert!(!refused.admitted());
        assert_eq!(ceil_secs(refused.statuses()[0].wait), 2);
        assert!(store
            .acquire_now(&[quota], secs(T0 + SECS_PER_DAY))
            .admitted());
    }

    #[test]
    fn sweep_drops_only_idle_keys() {
        let now = secs(T0);
        let mut shard = Shard::default();
        for i in 0..2000 {
            let tat = if i % 100 == 0 { now + 1 } else { now };
            shard.keys.insert(
                format!("k{i}").into(),
                KeyState {
                    tat: Some(tat),
                    quota: None,
                },
            );
        }
        shard.sweep(now);
        assert_eq!(shard.keys.len(), 20);
        assert_eq!(shard.sweep_at, MIN_SWEEP);
        // Below the sweep size nothing happens.
        shard.sweep(now + 2);
        assert_eq!(shard.keys.len(), 20);
    }

    #[test]
    fn memory_stays_bounded() {
        let store = MemoryStore::default();
        let per_round = 20_000;
        for round in 0..6u64 {
            let now = secs(T0 + round);
            for i in 0..per_round {
                let id = format!("r{round}-{i}");
                let scope = bucket_scope(ScopeId::Key(&id), 1000.0, 10);
                assert!(store.acquire_now(&[scope], now).admitted());
            }
        }
        // Each shard sweeps at MIN_SWEEP entries and only this round's keys survive.
        let entries = store.key_entries();
        assert!(entries <= SHARDS * MIN_SWEEP, "{entries}");
        assert!(entries >= per_round, "{entries}");
    }

    #[test]
    fn active_quota_is_never_evicted() {
        let now = secs(T0);
        let mut state = KeyState {
            tat: None,
            quota: Some(QuotaState {
                start: T0,
                end: T0 + SECS_PER_DAY,
                count: 1,
            }),
        };
        assert!(!state.idle(now));
        assert!(state.idle(secs(T0 + SECS_PER_DAY)));
        state.quota = None;
        state.tat = Some(now + 1);
        assert!(!state.idle(now));
        assert!(state.idle(now + 1));
    }

    #[test]
    fn manual_clock_steps() {
        let clock = ManualClock::default();
        assert_eq!(to_nanos(clock.now()), secs(T0));
        clock.advance(Duration::from_millis(1500));
        assert_eq!(to_nanos(clock.now()), secs(T0) + 1_500_000_000);
        clock.set(UNIX_EPOCH + Duration::from_secs(5));
        assert_eq!(to_nanos(clock.now()), secs(5));
    }

    #[test]
    fn system_clock_is_monotonic() {
        let clock = SystemClock::new();
        let mut last = clock.now();
        for _ in 0..1000 {
            let now = clock.now();
            assert!(now >= last);
            last = now;
        }
    }

    #[test]
    fn headers_format() {
        let store = MemoryStore::default();
        let scopes = [
            bucket_scope(ScopeId::Key("k"), 100.0, 200),
            Scope {
                id: ScopeId::Key("k"),
                limit: Limit::Quota(Quota {
                    limit: 100_000,
                    period: QuotaPeriod::Day,
                }),
            },
        ];
        let now = secs(T0 + 12 * 3600);
        let outcome = store.acquire_now(&scopes, now);
        let headers = rate_limit_headers(&scopes, &outcome, now);
        assert_eq!(
            headers["ratelimit-policy"],
            "\"key\";q=200;w=2, \"quota\";q=100000;w=86400"
        );
        assert_eq!(
            headers["ratelimit"],
            "\"key\";r=199;t=1, \"quota\";r=99999;t=43200"
        );
    }
}
