//! The in-memory store: one process, exact, bounded memory.

use std::collections::HashMap;
use std::future::Future;
use std::hash::BuildHasher;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

// foldhash instead of the standard SipHash: a decision hashes its scopes several times,
// and SipHash was a large part of its cost. Still seeded at random per store; the keys
// are API key ids from the configuration and operation ids, not attacker-chosen strings.
use foldhash::fast::RandomState;

use super::clock::{saturating_u64, to_nanos};
use super::gcra::{decide_quota, Decision, QuotaState};
use super::{BoxError, Limit, Nanos, Outcome, Scope, ScopeId, ScopeStatus, ThrottleStore};
use super::{MAX_SCOPES, NANOS_PER_SEC};

/// Shards of the in-memory store (a power of two well above the core count).
const SHARDS: usize = 64;
/// A shard is not swept below this many entries.
const MIN_SWEEP: usize = 1024;

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
    operations: HashMap<&'static str, Nanos, RandomState>,
    keys: HashMap<Box<str>, KeyState, RandomState>,
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
            hasher: RandomState::default(),
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
        // A key's bucket and quota are neighbours with the same id: hash it once.
        let mut shard_of = [0usize; MAX_SCOPES];
        for (i, scope) in scopes.iter().enumerate() {
            shard_of[i] = match i.checked_sub(1) {
                Some(prev) if scopes[prev].id == scope.id => shard_of[prev],
                _ => self.shard_of(scope.id),
            };
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
        // At most MAX_SCOPES entries: an insertion sort (the generic sort cost more than
        // the decision).
        for i in 1..order.len() {
            let mut j = i;
            while j > 0 && order[j - 1] > order[j] {
                order.swap(j - 1, j);
                j -= 1;
            }
        }
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
            now,
            ..Outcome::default()
        };
        let mut pending = [Pending::Tat(0); MAX_SCOPES];
        // The state of the last key looked up (a key's bucket and quota share it).
        let mut last_key: Option<(&str, Option<KeyState>)> = None;
        let mut key_state = |shard: &Shard, key| match last_key {
            Some((last, state)) if last == key => state,
            _ => {
                let state = shard.keys.get(key).copied();
                last_key = Some((key, state));
                state
            }
        };
        for (i, scope) in scopes.iter().enumerate() {
            let Some(shard) = guards[slot_of(shard_of[i])].as_deref() else {
                continue;
            };
            let (status, change) = match (scope.id, scope.limit) {
                (id, Limit::Bucket(bucket)) => {
                    let tat = match id {
                        ScopeId::Gateway => shard.gateway,
                        ScopeId::Operation(op) => shard.operations.get(op).copied(),
                        ScopeId::Key(key) => key_state(shard, key).and_then(|s| s.tat),
                    };
                    let d = bucket.decide(tat, now);
                    (status_of(&d), Pending::Tat(d.state))
                }
                (id, Limit::Quota(quota)) => {
                    let state = match id {
                        ScopeId::Key(key) => key_state(shard, key).and_then(|s| s.quota),
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
            outcome.report_uncommitted(scopes, |bucket| bucket.interval);
            return outcome;
        }

        // Commit.
        let mut i = 0;
        while i < scopes.len() {
            let Some(shard) = guards[slot_of(shard_of[i])].as_deref_mut() else {
                i += 1;
                continue;
            };
            match (scopes[i].id, pending[i]) {
                (ScopeId::Gateway, Pending::Tat(tat)) => shard.gateway = Some(tat),
                (ScopeId::Operation(op), Pending::Tat(tat)) => {
                    shard.operations.insert(op, tat);
                }
                (ScopeId::Key(key), _) => {
                    let state = match shard.keys.get_mut(key) {
                        Some(state) => state,
                        None => {
                            shard.sweep(now);
                            shard.keys.entry(Box::from(key)).or_default()
                        }
                    };
                    // This scope and the next ones of the same key: one lookup.
                    while let Some(change) = pending[i..scopes.len()]
                        .first()
                        .filter(|_| scopes[i].id == ScopeId::Key(key))
                    {
                        match *change {
                            Pending::Tat(tat) => state.tat = Some(tat),
                            Pending::Quota(quota) => state.quota = Some(quota),
                        }
                        i += 1;
                    }
                    continue;
                }
                (_, Pending::Quota(_)) => {}
            }
            i += 1;
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
#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Quota, QuotaPeriod};
    use crate::throttle::clock::ceil_secs;
    use crate::throttle::gcra::{Bucket, NEVER, SECS_PER_DAY};

    use crate::throttle::test_support::{bucket_scope, secs, T0};

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
        // A refusal reports, for the scopes that would have admitted, what they still
        // have (98 of 100), not what they would have had after this request.
        let refused = store.acquire_now(&scopes, now);
        assert!(!refused.admitted());
        assert_eq!(refused.statuses()[1].remaining, 98);
        assert_eq!(refused.statuses()[2].remaining, 98);
        assert_eq!(refused.statuses()[2].reset, secs(2));
        assert_eq!(refused.statuses()[3].remaining, 98);
        // The 9 refusals took nothing from the quota, the operation or the gateway.
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
}
