//! Hooks for `benches/throttle.rs`: the in-memory store's decision without the gateway
//! around it (no authentication, no headers). Not a stable API.

use std::time::{Duration, SystemTime};

use crate::config::{Quota, QuotaPeriod};

use super::clock::{Clock, SystemClock};
use super::gcra::Bucket;
use super::memory::MemoryStore;
use super::redis::{RedisStore, Target};
use super::{Limit, Scope, ScopeId, ThrottleStore};

/// An in-memory store with a fixed set of keys, deciding with the system clock.
#[derive(Debug)]
pub struct MemoryDecider {
    store: MemoryStore,
    clock: SystemClock,
    keys: Vec<String>,
    bucket: Bucket,
    quota: Quota,
}

impl MemoryDecider {
    /// `keys` distinct API keys; every limit is high enough to admit everything (the
    /// admitting path is the one that also writes).
    pub fn new(keys: usize) -> Self {
        Self {
            store: MemoryStore::default(),
            clock: SystemClock::new(),
            keys: (0..keys.max(1)).map(|i| format!("key-{i}")).collect(),
            bucket: Bucket::new(1e12, u32::MAX),
            quota: Quota {
                limit: u64::MAX,
                period: QuotaPeriod::Month,
            },
        }
    }

    /// One decision for the gateway-wide bucket only. Returns whether it was admitted.
    pub fn decide_gateway(&self) -> bool {
        let scopes = [Scope {
            id: ScopeId::Gateway,
            limit: Limit::Bucket(self.bucket),
        }];
        self.decide(&scopes)
    }

    /// [`decide_gateway`](Self::decide_gateway) at `now_nanos` (Unix nanoseconds) instead
    /// of the clock's time: the decision's cost without the clock read.
    pub fn decide_gateway_at(&self, now_nanos: u64) -> bool {
        let scopes = [Scope {
            id: ScopeId::Gateway,
            limit: Limit::Bucket(self.bucket),
        }];
        self.store
            .acquire_now(&scopes, u128::from(now_nanos))
            .admitted()
    }

    /// One read of the clock the deciders use (`SystemClock::now_nanos`), for comparison.
    pub fn read_clock(&self) -> u64 {
        self.clock.now_nanos()
    }

    /// One decision for key number `key` (modulo the key count) against a plan bucket,
    /// a quota and the gateway-wide bucket: what an API-key request costs.
    pub fn decide_key(&self, key: usize) -> bool {
        let id = self.keys[key % self.keys.len()].as_str();
        let scopes = [
            Scope {
                id: ScopeId::Key(id),
                limit: Limit::Bucket(self.bucket),
            },
            Scope {
                id: ScopeId::Key(id),
                limit: Limit::Quota(self.quota),
            },
            Scope {
                id: ScopeId::Gateway,
                limit: Limit::Bucket(self.bucket),
            },
        ];
        self.decide(&scopes)
    }

    /// One decision for key number `key` against its plan bucket only (no shared state).
    pub fn decide_key_only(&self, key: usize) -> bool {
        let id = self.keys[key % self.keys.len()].as_str();
        let scopes = [Scope {
            id: ScopeId::Key(id),
            limit: Limit::Bucket(self.bucket),
        }];
        self.decide(&scopes)
    }

    fn decide(&self, scopes: &[Scope<'_>]) -> bool {
        let now = self.clock.now_nanos();
        self.store.acquire_now(scopes, u128::from(now)).admitted()
    }
}

/// A Redis store deciding the same scopes as [`MemoryDecider::decide_key`].
#[derive(Debug)]
pub struct RedisDecider {
    store: RedisStore,
    bucket: Bucket,
    quota: Quota,
}

impl RedisDecider {
    /// A store on `url` (`redis://…` or `redis+cluster://…`) with a 1 s timeout.
    pub fn new(url: &str) -> Result<Self, String> {
        let timeout = Duration::from_secs(1);
        Ok(Self {
            store: RedisStore::new(Target::parse(url, timeout)?, timeout, "tollgate-bench"),
            bucket: Bucket::new(1e12, u32::MAX),
            quota: Quota {
                limit: u64::MAX,
                period: QuotaPeriod::Month,
            },
        })
    }

    /// One decision (one script call on a single server) for `key` against a plan
    /// bucket, a quota and the gateway-wide bucket.
    pub async fn decide_key(
        &self,
        key: &str,
    ) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
        let scopes = [
            Scope {
                id: ScopeId::Key(key),
                limit: Limit::Bucket(self.bucket),
            },
            Scope {
                id: ScopeId::Key(key),
                limit: Limit::Quota(self.quota),
            },
            Scope {
                id: ScopeId::Gateway,
                limit: Limit::Bucket(self.bucket),
            },
        ];
        let outcome = self.store.acquire(&scopes, SystemTime::now()).await?;
        Ok(outcome.admitted())
    }
}
