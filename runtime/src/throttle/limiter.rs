//! The gateway's throttle: which scopes apply to a request, asking the store, and the
//! answer (RateLimit headers, 429, or the `on_store_error` policy).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use foldhash::fast::RandomState;
use http::{header, HeaderValue};

use crate::config::{Config, OnStoreError, Quota};
use crate::context::Principal;
use crate::meta::{ApiMeta, OperationMeta};
use crate::problem::{Problem, ProblemKind};

use super::clock::{ceil_secs, from_nanos};
use super::gcra::Bucket;
use super::headers::{rate_limit_headers, RateLimitHeaders};
use super::memory::MemoryStore;
use super::redis::{is_redis_url, RedisStore, Target};
use super::{Clock, Limit, Nanos, Scope, ScopeId, Store, MAX_SCOPES};

/// A usage plan, resolved.
#[derive(Debug, Clone, Copy)]
struct Plan {
    bucket: Option<Bucket>,
    quota: Option<Quota>,
}

/// Everything the gateway needs to throttle: resolved limits, the store and the clock.
pub(crate) struct Throttle {
    /// Looked up on every request: foldhash (the names come from the configuration).
    plans: HashMap<String, Plan, RandomState>,
    operations: HashMap<String, Bucket, RandomState>,
    gateway: Option<Bucket>,
    on_store_error: OnStoreError,
    /// Whether admitted answers carry the RateLimit headers too.
    headers_on_success: bool,
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    /// Whether the last decision failed: failures and recoveries are logged once each,
    /// not on every request.
    failing: AtomicBool,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("plans", &self.plans)
            .field("operations", &self.operations)
            .field("gateway", &self.gateway)
            .field("on_store_error", &self.on_store_error)
            .field("headers_on_success", &self.headers_on_success)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Throttle {
    /// Whether a decision never waits (the in-memory store): [`check`](Self::check) then
    /// completes on its first poll.
    pub(crate) fn never_waits(&self) -> bool {
        matches!(*self.store, Store::Memory(_))
    }

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
            headers_on_success: config
                .throttle
                .as_ref()
                .is_some_and(|t| t.headers_on_success),
            store: Arc::new(store_of(config)),
            clock,
            failing: AtomicBool::new(false),
        }
    }

    /// Decides one request: `Ok` with the RateLimit headers to add (empty when no scope
    /// applies or unless `headers_on_success = true`), or a 429 (or 503 when the store fails and `on_store_error = "deny"`).
    // `Problem` is the contract's error type; the error path is the cold one.
    #[allow(clippy::result_large_err)]
    pub(crate) async fn check(
        &self,
        api: &'static ApiMeta,
        op: &'static OperationMeta,
        principal: Option<&Principal>,
    ) -> Result<RateLimitHeaders, Problem> {
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
            return Ok(RateLimitHeaders::none());
        }
        let scopes = &scopes[..len];

        let now = self.clock.now_nanos();
        let outcome = match &*self.store {
            // Synchronous: the in-memory decision needs no future (building, polling and
            // moving one cost more than the decision).
            Store::Memory(store) => store.acquire_now(scopes, Nanos::from(now)),
            // Boxed: the Redis round trip's state would otherwise enlarge every request's
            // pipeline future, in-memory ones included.
            Store::Redis(_) => match Box::pin(self.store.acquire(scopes, from_nanos(now))).await {
                Ok(outcome) => {
                    // Read first: a swap on every request would bounce the cache line
                    // between cores.
                    if self.failing.load(Ordering::Relaxed)
                        && self.failing.swap(false, Ordering::Relaxed)
                    {
                        tracing::info!("the throttle store answers again; limits apply again");
                    }
                    outcome
                }
                Err(err) => return self.store_failed(&*err),
            },
        };
        if outcome.admitted() {
            return Ok(match self.headers_on_success {
                true => rate_limit_headers(scopes, &outcome, outcome.now),
                false => RateLimitHeaders::none(),
            });
        }
        let mut headers = rate_limit_headers(scopes, &outcome, outcome.now).into_header_map();
        let wait = outcome.statuses().iter().map(|s| s.wait).max().unwrap_or(0);
        let retry_after = ceil_secs(Nanos::from(wait)).max(1);
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
    ) -> Result<RateLimitHeaders, Problem> {
        let policy = on_store_error_name(self.on_store_error);
        if self.failing.swap(true, Ordering::Relaxed) {
            tracing::debug!(error = %err, "throttle store failed; on_store_error = \"{policy}\"");
        } else {
            tracing::warn!(
                error = %err,
                "throttle store failed; until it answers again, on_store_error = \"{policy}\" applies"
            );
        }
        match self.on_store_error {
            OnStoreError::Allow => Ok(RateLimitHeaders::none()),
            OnStoreError::Deny => Err(Problem::new(
                ProblemKind::Unavailable,
                "the throttle store is unavailable",
            )),
        }
    }
}

fn on_store_error_name(policy: OnStoreError) -> &'static str {
    match policy {
        OnStoreError::Allow => "allow",
        OnStoreError::Deny => "deny",
    }
}

/// The store of a validated configuration. A Redis store connects lazily: the gateway
/// starts even when Redis is down (a background probe warns about it).
fn store_of(config: &Config) -> Store {
    let Some(throttle) = config.throttle.as_ref() else {
        return Store::Memory(MemoryStore::default());
    };
    let url = throttle.store.trim();
    if !is_redis_url(url) {
        return Store::Memory(MemoryStore::default());
    }
    match Target::parse(url, throttle.store_timeout()) {
        Ok(target) => {
            let store = Arc::new(RedisStore::new(
                target,
                throttle.store_timeout(),
                &throttle.key_prefix,
            ));
            RedisStore::probe_at_startup(
                store.clone(),
                on_store_error_name(throttle.on_store_error),
            );
            Store::Redis(store)
        }
        Err(why) => {
            // Unreachable after Config::validate; never fall back silently.
            tracing::error!("throttle.store: {why}; throttling in memory instead");
            Store::Memory(MemoryStore::default())
        }
    }
}
