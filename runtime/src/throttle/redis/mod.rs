//! The Redis store: throttle state shared by a fleet of gateway replicas.
//!
//! # One decision, one script
//!
//! A decision runs `decide.lua` (`EVALSHA`, falling back to loading the script on
//! `NOSCRIPT`): it reads Redis's clock (`TIME`), checks every scope it was given, and
//! commits all of them only when every one admits the request. Scripts run atomically, so
//! replicas never over-admit, and time comes from Redis, so replicas with skewed clocks
//! agree. Bucket keys expire when the bucket would be full again and quota keys at the end
//! of their period: idle state costs no memory.
//!
//! # Keys and Redis Cluster slots
//!
//! With `PREFIX` the configured `key_prefix` (default `tollgate`):
//!
//! | scope       | key                         | slot (hash tag)  |
//! |-------------|-----------------------------|------------------|
//! | `key`       | `{PREFIX:k:<key id>}:b`     | per API key      |
//! | `quota`     | `{PREFIX:k:<key id>}:q`     | per API key      |
//! | `operation` | `{PREFIX:g}:o:<operation>`  | shared           |
//! | `gateway`   | `{PREFIX:g}:gw`             | shared           |
//!
//! On a single Redis server every decision is **one** script call over all its scopes:
//! fully atomic. On a Redis Cluster a script may only touch one slot, so a decision that
//! has both per-key scopes and shared scopes runs one script per slot group, concurrently
//! (one round trip of latency). Each group is atomic, so no scope ever admits more than
//! its limit. When one group admits and the other refuses, the admitting group is undone
//! by a compensating script (`give`): a refused request consumes nothing in the end, but
//! for the instant between the two calls another request of the same key (or of the
//! whole gateway) may see one token fewer — an error towards refusing, never towards
//! admitting. If the compensation cannot reach Redis, that token stays consumed.

mod target;

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use redis::Script;

use super::clock::saturating_u64;
use super::gcra::{Bucket, NEVER};
use super::MAX_SCOPES;
use super::{BoxError, Limit, Nanos, Outcome, Scope, ScopeId, ScopeStatus, ThrottleStore};
use crate::config::QuotaPeriod;

use target::Connection;
pub(crate) use target::{is_redis_url, Target};

/// The decision script.
static DECIDE: &str = include_str!("decide.lua");

/// What the script does with the scopes it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Check all, commit all or nothing.
    Take,
    /// Undo an earlier `Take`.
    Give,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Self::Take => "take",
            Self::Give => "give",
        }
    }
}

/// The Redis store (see the module docs).
pub(crate) struct RedisStore {
    target: Target,
    /// Created on first use (inside the runtime); connects and reconnects by itself.
    connection: OnceLock<Connection>,
    timeout: Duration,
    prefix: Box<str>,
    script: Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("target", &self.target)
            .field("timeout", &self.timeout)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// A decision that took longer than `store_timeout_ms`.
#[derive(Debug, thiserror::Error)]
#[error("the Redis throttle store did not answer within {0:?}")]
struct TimedOut(Duration);

/// A script reply of an unexpected shape.
#[derive(Debug, thiserror::Error)]
#[error("the Redis throttle script answered {0} values, expected {1}")]
struct BadReply(usize, usize);

/// The scopes of one script call: their positions in the request's scope list and the
/// script's keys and arguments.
#[derive(Debug, Clone, Default)]
struct Call {
    positions: Vec<usize>,
    keys: Vec<String>,
    args: Vec<String>,
}

impl RedisStore {
    /// A store for `target`; nothing connects before the first decision.
    pub(crate) fn new(target: Target, timeout: Duration, prefix: &str) -> Self {
        Self {
            target,
            connection: OnceLock::new(),
            timeout,
            prefix: prefix.into(),
            script: Script::new(DECIDE),
        }
    }

    /// The shared connection, created on first use.
    fn connection(&self) -> Result<Connection, BoxError> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        let connection = self.target.connect(self.timeout)?;
        Ok(self.connection.get_or_init(|| connection).clone())
    }

    /// The Redis key of a scope.
    fn key_of(&self, scope: &Scope<'_>) -> String {
        let prefix = &self.prefix;
        match (scope.id, scope.limit) {
            (ScopeId::Key(id), Limit::Bucket(_)) => format!("{{{prefix}:k:{id}}}:b"),
            (ScopeId::Key(id), Limit::Quota(_)) => format!("{{{prefix}:k:{id}}}:q"),
            (ScopeId::Operation(op), _) => format!("{{{prefix}:g}}:o:{op}"),
            (ScopeId::Gateway, _) => format!("{{{prefix}:g}}:gw"),
        }
    }

    /// Splits the scopes into script calls: one for a single server, one per slot group
    /// (per-key, shared) for a cluster.
    fn calls(&self, scopes: &[Scope<'_>]) -> Vec<Call> {
        let cluster = matches!(self.target, Target::Cluster(_));
        let mut calls = vec![Call::default(), Call::default()];
        for (position, scope) in scopes.iter().enumerate() {
            let group = usize::from(cluster && !matches!(scope.id, ScopeId::Key(_)));
            let call = &mut calls[group];
            call.positions.push(position);
            call.keys.push(self.key_of(scope));
            call.args.extend(script_args(scope.limit));
        }
        calls.retain(|call| !call.positions.is_empty());
        calls
    }

    /// Runs the script for one call.
    async fn run(
        &self,
        mut connection: Connection,
        call: &Call,
        mode: Mode,
    ) -> Result<Vec<i64>, BoxError> {
        let mut invocation = self.script.prepare_invoke();
        invocation.arg(mode.as_str());
        for key in &call.keys {
            invocation.key(key);
        }
        for arg in &call.args {
            invocation.arg(arg);
        }
        let reply: Vec<i64> = match &mut connection {
            Connection::Single(c) => invocation.invoke_async(c).await?,
            Connection::Cluster(c) => invocation.invoke_async(c).await?,
        };
        Ok(reply)
    }

    /// Decides one request (see the module docs), without the timeout.
    async fn decide(&self, scopes: &[Scope<'_>]) -> Result<Outcome, BoxError> {
        let connection = self.connection()?;
        let calls = self.calls(scopes);
        let mut outcome = Outcome {
            len: scopes.len().min(MAX_SCOPES),
            ..Outcome::default()
        };
        let replies = match calls.as_slice() {
            [] => return Ok(outcome),
            [only] => vec![self.run(connection.clone(), only, Mode::Take).await],
            [first, second, ..] => {
                let (a, b) = tokio::join!(
                    self.run(connection.clone(), first, Mode::Take),
                    self.run(connection.clone(), second, Mode::Take)
                );
                vec![a, b]
            }
        };
        let mut admitted = Vec::with_capacity(calls.len());
        let mut first_error = None;
        for (call, reply) in calls.iter().zip(replies) {
            match reply.and_then(|reply| apply_reply(&mut outcome, call, &reply)) {
                Ok(all) => admitted.push(all),
                Err(err) => {
                    admitted.push(false);
                    first_error.get_or_insert(err);
                }
            }
        }
        if let Some(err) = first_error {
            // A group that committed is undone; the policy decides the request.
            self.compensate(&calls, &admitted, connection);
            return Err(err);
        }
        if !outcome.admitted() {
            self.compensate(&calls, &admitted, connection);
            outcome.report_uncommitted(scopes, |bucket| interval_us(bucket) * 1_000);
        }
        Ok(outcome)
    }

    /// Undoes, in the background, the groups that committed for a request that another
    /// group refused.
    fn compensate(&self, calls: &[Call], committed: &[bool], connection: Connection) {
        for (call, _) in calls.iter().zip(committed).filter(|(_, &c)| c) {
            let call = call.clone();
            let connection = connection.clone();
            let script = self.script.clone();
            let timeout = self.timeout;
            tokio::spawn(async move {
                let mut invocation = script.prepare_invoke();
                invocation.arg(Mode::Give.as_str());
                for key in &call.keys {
                    invocation.key(key);
                }
                for arg in &call.args {
                    invocation.arg(arg);
                }
                let undo = async {
                    let mut connection = connection;
                    match &mut connection {
                        Connection::Single(c) => invocation.invoke_async::<Vec<i64>>(c).await,
                        Connection::Cluster(c) => invocation.invoke_async::<Vec<i64>>(c).await,
                    }
                };
                match tokio::time::timeout(timeout, undo).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(err)) => {
                        tracing::warn!(error = %err, "could not give back throttle tokens")
                    }
                    Err(_) => tracing::warn!("could not give back throttle tokens: timed out"),
                }
            });
        }
    }

    /// Checks, in the background, that Redis answers, and warns when it does not (the
    /// gateway starts anyway). Needs a Tokio runtime; without one nothing is checked.
    pub(crate) fn probe_at_startup(store: std::sync::Arc<Self>, on_error: &'static str) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let ping = async {
                let mut connection = store.connection()?;
                let pong: String = match &mut connection {
                    Connection::Single(c) => redis::cmd("PING").query_async(c).await?,
                    Connection::Cluster(c) => redis::cmd("PING").query_async(c).await?,
                };
                Ok::<_, BoxError>(pong)
            };
            match tokio::time::timeout(store.timeout * 10, ping).await {
                Ok(Ok(_)) => tracing::info!("the Redis throttle store answers"),
                Ok(Err(err)) => tracing::warn!(
                    error = %err,
                    "the Redis throttle store is unreachable at startup; until it answers, \
                     on_store_error = \"{on_error}\" applies"
                ),
                Err(_) => tracing::warn!(
                    "the Redis throttle store does not answer at startup; until it answers, \
                     on_store_error = \"{on_error}\" applies"
                ),
            }
        });
    }
}

/// A bucket's emission interval in microseconds, as the script counts: rounded up, so
/// rounding never admits more. A rate too small to matter stays "never refills".
fn interval_us(bucket: Bucket) -> Nanos {
    bucket.interval.min(NEVER).div_ceil(1_000).max(1)
}

/// The script arguments of one scope.
fn script_args(limit: Limit) -> [String; 3] {
    match limit {
        Limit::Bucket(bucket) => [
            "b".to_owned(),
            interval_us(bucket).to_string(),
            bucket.burst.to_string(),
        ],
        Limit::Quota(quota) => {
            let period = match quota.period {
                QuotaPeriod::Day => "d",
                QuotaPeriod::Week => "w",
                QuotaPeriod::Month => "m",
            };
            // Lua numbers are exact up to 2^53; a larger limit is unlimited in practice.
            let limit = quota.limit.min(1 << 53);
            ["q".to_owned(), limit.to_string(), period.to_owned()]
        }
    }
}

/// Copies one script reply into the outcome; `Ok(true)` when every scope admitted.
fn apply_reply(outcome: &mut Outcome, call: &Call, reply: &[i64]) -> Result<bool, BoxError> {
    let expected = 1 + 4 * call.positions.len();
    if reply.len() != expected {
        return Err(Box::new(BadReply(reply.len(), expected)));
    }
    let micros = |v: i64| Nanos::from(v.max(0).unsigned_abs()) * 1_000;
    outcome.now = micros(reply[0]);
    let mut all = true;
    for (&position, status) in call.positions.iter().zip(reply[1..].chunks_exact(4)) {
        let admitted = status[0] == 1;
        all &= admitted;
        if let Some(slot) = outcome.statuses.get_mut(position) {
            *slot = ScopeStatus {
                admitted,
                remaining: status[1].max(0).unsigned_abs(),
                reset: saturating_u64(micros(status[2])),
                wait: saturating_u64(micros(status[3])),
            };
        }
    }
    Ok(all)
}

impl ThrottleStore for RedisStore {
    async fn acquire(&self, scopes: &[Scope<'_>], _now: SystemTime) -> Result<Outcome, BoxError> {
        match tokio::time::timeout(self.timeout, self.decide(scopes)).await {
            Ok(result) => result,
            Err(_) => Err(Box::new(TimedOut(self.timeout))),
        }
    }
}

#[cfg(test)]
mod tests;
