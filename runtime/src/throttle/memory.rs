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

use super::clock::{floor_secs, saturating_u64, to_nanos};
use super::gcra::{decide_quota, Decision, QuotaState};
use super::MAX_SCOPES;
use super::{BoxError, Limit, Nanos, Outcome, Scope, ScopeId, ScopeStatus, ThrottleStore};

/// Shards of the in-memory store (a power of two well above the core count).
const SHARDS: usize = 64;
/// A shard is not swept below this many entries.
const MIN_SWEEP: usize = 1024;

/// The in-memory store: `SHARDS` mutex-protected maps for keys and operations (a scope
/// lives in the shard its id hashes to) and one for the gateway bucket. A request locks
/// the (at most three) shards of its scopes in ascending index order, then the gateway
/// bucket's — so two requests never wait on each other in a cycle — decides every scope,
/// and commits only if all admit it. No lock is held across an `.await` (there is none).
#[derive(Debug)]
pub(crate) struct MemoryStore {
    shards: Box<[Padded]>,
    hasher: RandomState,
    /// The gateway bucket's TAT (`None`: never used). Not in a shard: every request
    /// takes this lock, always last (after the shards'), so its scope needs no ordering.
    gateway: Box<PaddedTat>,
}

/// The gateway bucket's state, on cache lines of its own (see [`Padded`]). A mutex rather
/// than an `AtomicU64` with compare-and-swap: a TAT does not always fit 64 bits (a rate
/// of 0 makes it thousands of years ahead).
#[derive(Debug, Default)]
#[repr(align(128))]
struct PaddedTat(Mutex<Option<Nanos>>);

/// A shard on cache lines of its own: two threads locking neighbouring shards (distinct
/// keys) would otherwise write to the same line. 128: adjacent-line prefetching pairs
/// 64-byte lines on x86.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Padded(Mutex<Shard>);

#[derive(Debug, Default)]
struct Shard {
    operations: HashMap<&'static str, Nanos, RandomState>,
    keys: HashMap<Box<str>, KeyState, RandomState>,
    /// Sweep idle keys when `keys` reaches this size.
    sweep_at: usize,
}

/// A key's state, on a cache line of its own inside the shard's table: the states of two
/// keys used from two cores would otherwise share lines, and every decision writes its
/// key's state (two threads on distinct keys then ran no faster than one).
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(64))]
struct KeyState {
    tat: Option<Nanos>,
    quota: Option<QuotaState>,
}

impl KeyState {
    /// Writes what was decided (`Some` fields) into `state`.
    fn store_into(self, state: &mut KeyState) {
        if self.tat.is_some() {
            state.tat = self.tat;
        }
        if self.quota.is_some() {
            state.quota = self.quota;
        }
    }

    /// Whether forgetting this state changes no future decision.
    fn idle(&self, now: Nanos) -> bool {
        let secs = floor_secs(now);
        self.tat.is_none_or(|tat| tat <= now)
            && self.quota.is_none_or(|q| q.count == 0 || secs >= q.end)
    }
}

/// Consecutive scopes of one request with the same id (a key's bucket and quota): one
/// shard, one state entry, one lookup.
#[derive(Debug, Clone, Copy, Default)]
struct Group {
    /// The group's scopes are `start..end`.
    start: usize,
    end: usize,
    shard: usize,
    /// Index of the shard's guard in the lock order.
    slot: usize,
}

impl Default for MemoryStore {
    fn default() -> Self {
        let hasher = RandomState::default();
        Self {
            shards: (0..SHARDS).map(|_| Padded::default()).collect(),
            gateway: Box::default(),
            hasher,
        }
    }
}

fn shard_of_hash(hash: u64) -> usize {
    // SHARDS is a power of two: a mask, not a division.
    (hash as usize) % SHARDS
}

/// Whether two scopes read the same state. Comparing the pointers first: a request's
/// scopes of one key borrow the same string.
fn same_id(a: ScopeId<'_>, b: ScopeId<'_>) -> bool {
    match (a, b) {
        (ScopeId::Key(a), ScopeId::Key(b)) => std::ptr::eq(a, b) || a == b,
        (ScopeId::Operation(a), ScopeId::Operation(b)) => std::ptr::eq(a, b) || a == b,
        (ScopeId::Gateway, ScopeId::Gateway) => true,
        _ => false,
    }
}

impl MemoryStore {
    /// Decides and (when admitted) commits one request. Synchronous: locks are held only
    /// for the computation.
    ///
    /// Keys and operations are decided under their shards' locks; the gateway bucket, the
    /// one state every request shares, is decided last under its own lock, while those
    /// are held, and written only if every other scope admits the request. The other
    /// scopes are then written only if it admitted the request too: all or nothing.
    pub(crate) fn acquire_now(&self, scopes: &[Scope<'_>], now: Nanos) -> Outcome {
        let scopes = &scopes[..scopes.len().min(MAX_SCOPES)];
        let mut groups = [Group::default(); MAX_SCOPES];
        let mut count = 0usize;
        for (i, scope) in scopes.iter().enumerate() {
            if scope.id == ScopeId::Gateway {
                continue;
            }
            match count.checked_sub(1) {
                Some(last)
                    if groups[last].end == i
                        && same_id(scopes[groups[last].start].id, scope.id) =>
                {
                    groups[last].end = i + 1;
                }
                _ => {
                    groups[count] = Group {
                        start: i,
                        end: i + 1,
                        shard: shard_of_hash(self.hasher.hash_one(scope.id)),
                        slot: 0,
                    };
                    count += 1;
                }
            }
        }
        let groups = &mut groups[..count];
        let mut outcome = Outcome {
            len: scopes.len(),
            now,
            ..Outcome::default()
        };
        match groups {
            [] => self.decide_gateway(scopes, &mut outcome, now),
            // One state entry (a key's bucket and quota, or an operation's bucket): one
            // lock, nothing to order.
            [group] => {
                let mut shard = self.shards[group.shard]
                    .0
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                self.decide_locked(
                    std::slice::from_mut(&mut Some(&mut *shard)),
                    groups,
                    scopes,
                    &mut outcome,
                    now,
                );
            }
            _ => {
                // The distinct shards, ascending: the lock order. At most MAX_SCOPES
                // entries: an insertion sort (the generic sort cost more than the
                // decision).
                let mut order = [0usize; MAX_SCOPES];
                let mut distinct = 0;
                for group in groups.iter() {
                    let mut j = distinct;
                    if order[..distinct].contains(&group.shard) {
                        continue;
                    }
                    while j > 0 && order[j - 1] > group.shard {
                        order[j] = order[j - 1];
                        j -= 1;
                    }
                    order[j] = group.shard;
                    distinct += 1;
                }
                let order = &order[..distinct];
                for group in groups.iter_mut() {
                    group.slot = order.iter().position(|&s| s == group.shard).unwrap_or(0);
                }
                let mut guards: [Option<MutexGuard<'_, Shard>>; MAX_SCOPES] = Default::default();
                for (guard, &index) in guards.iter_mut().zip(order) {
                    // A panic while a shard was locked cannot leave it half-written
                    // (every write is a plain store after all decisions), so poisoning is
                    // ignored.
                    *guard = Some(
                        self.shards[index]
                            .0
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner),
                    );
                }
                let mut shards: [Option<&mut Shard>; MAX_SCOPES] = Default::default();
                for (shard, guard) in shards.iter_mut().zip(guards.iter_mut()) {
                    *shard = guard.as_deref_mut();
                }
                self.decide_locked(&mut shards[..distinct], groups, scopes, &mut outcome, now);
            }
        }
        if !outcome.admitted() {
            outcome.report_uncommitted(scopes, |bucket| bucket.interval);
        }
        outcome
    }

    /// Decides every scope with the groups' shards locked (`shards[group.slot]`): the
    /// operations' first, then the key's (a request has at most one key) in place when
    /// the key is known, so one lookup serves reading and writing, then the gateway
    /// bucket; commits everything if all admit.
    fn decide_locked(
        &self,
        shards: &mut [Option<&mut Shard>],
        groups: &[Group],
        scopes: &[Scope<'_>],
        outcome: &mut Outcome,
        now: Nanos,
    ) {
        let mut pending = [KeyState::default(); MAX_SCOPES];
        let key_group = groups
            .iter()
            .position(|g| matches!(scopes[g.start].id, ScopeId::Key(_)));
        for (i, (group, pending)) in groups.iter().zip(&mut pending).enumerate() {
            if Some(i) == key_group {
                continue;
            }
            if let Some(Some(shard)) = shards.get(group.slot) {
                *pending = decide_group(shard, scopes, group, outcome, now);
            }
        }
        if let Some(i) = key_group {
            let group = &groups[i];
            if let Some(Some(shard)) = shards.get_mut(group.slot) {
                let known = match scopes[group.start].id {
                    ScopeId::Key(key) => shard.keys.get_mut(key),
                    _ => None,
                };
                match known {
                    // Known: decided and stored in place, one lookup.
                    Some(state) => {
                        let decided = decide_state(*state, scopes, group, outcome, now);
                        self.decide_gateway(scopes, outcome, now);
                        if outcome.admitted() {
                            decided.store_into(state);
                            self.commit_locked(shards, groups, scopes, &pending, Some(i), now);
                        }
                        return;
                    }
                    // New: inserted by `commit_group` if the request is admitted.
                    None => pending[i] = decide_group(shard, scopes, group, outcome, now),
                }
            }
        }
        self.decide_gateway(scopes, outcome, now);
        if outcome.admitted() {
            self.commit_locked(shards, groups, scopes, &pending, None, now);
        }
    }

    /// Stores the decided states of every group but `done`.
    fn commit_locked(
        &self,
        shards: &mut [Option<&mut Shard>],
        groups: &[Group],
        scopes: &[Scope<'_>],
        pending: &[KeyState; MAX_SCOPES],
        done: Option<usize>,
        now: Nanos,
    ) {
        for (i, (group, pending)) in groups.iter().zip(pending).enumerate() {
            if Some(i) == done {
                continue;
            }
            if let Some(Some(shard)) = shards.get_mut(group.slot) {
                commit_group(shard, scopes[group.start].id, *pending, now);
            }
        }
    }

    /// Decides the request's gateway scopes (normally one) against the gateway bucket,
    /// and writes its new state only if every scope admits the request.
    fn decide_gateway(&self, scopes: &[Scope<'_>], outcome: &mut Outcome, now: Nanos) {
        if !scopes.iter().any(|s| s.id == ScopeId::Gateway) {
            return;
        }
        let others_admit = scopes
            .iter()
            .zip(outcome.statuses())
            .all(|(scope, status)| scope.id == ScopeId::Gateway || status.admitted);
        let mut stored = self
            .gateway
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut tat = *stored;
        let mut admitted = true;
        for (scope, status) in scopes.iter().zip(&mut outcome.statuses) {
            if let (ScopeId::Gateway, Limit::Bucket(bucket)) = (scope.id, scope.limit) {
                let d = bucket.decide(tat, now);
                *status = status_of(&d);
                admitted &= d.admitted;
                tat = Some(d.state);
            }
        }
        if admitted && others_admit {
            *stored = tat;
        }
    }

    /// How many keys the store currently remembers (for tests of eviction).
    #[cfg(test)]
    fn key_entries(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                s.0.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .keys
                    .len()
            })
            .sum()
    }
}

/// Decides the scopes of `group` against the state stored in `shard`, writing their
/// statuses into `outcome`; returns the state to store if the request is admitted (only
/// what was decided).
fn decide_group(
    shard: &Shard,
    scopes: &[Scope<'_>],
    group: &Group,
    outcome: &mut Outcome,
    now: Nanos,
) -> KeyState {
    let stored = match scopes[group.start].id {
        // Not in a shard: see `MemoryStore::decide_gateway`.
        ScopeId::Gateway => KeyState::default(),
        ScopeId::Operation(op) => KeyState {
            tat: shard.operations.get(op).copied(),
            quota: None,
        },
        ScopeId::Key(key) => shard.keys.get(key).copied().unwrap_or_default(),
    };
    decide_state(stored, scopes, group, outcome, now)
}

/// Decides the scopes of `group` against `stored`, as [`decide_group`] does.
fn decide_state(
    stored: KeyState,
    scopes: &[Scope<'_>],
    group: &Group,
    outcome: &mut Outcome,
    now: Nanos,
) -> KeyState {
    let mut pending = KeyState::default();
    for (scope, status) in scopes[group.start..group.end]
        .iter()
        .zip(&mut outcome.statuses[group.start..group.end])
    {
        *status = match scope.limit {
            Limit::Bucket(bucket) => {
                let d = bucket.decide(stored.tat, now);
                pending.tat = Some(d.state);
                status_of(&d)
            }
            Limit::Quota(quota) => {
                // Only a key has a stored quota (`None` for other ids).
                let d = decide_quota(quota, stored.quota, now);
                pending.quota = Some(d.state);
                status_of(&d)
            }
        };
    }
    pending
}

/// Stores what [`decide_group`] decided for `id`.
fn commit_group(shard: &mut Shard, id: ScopeId<'_>, pending: KeyState, now: Nanos) {
    match id {
        ScopeId::Gateway => {}
        ScopeId::Operation(op) => {
            if let Some(tat) = pending.tat {
                shard.operations.insert(op, tat);
            }
        }
        ScopeId::Key(key) => {
            let state = match shard.keys.get_mut(key) {
                Some(state) => state,
                None => {
                    shard.sweep(now);
                    shard.keys.entry(Box::from(key)).or_default()
                }
            };
            pending.store_into(state);
        }
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
        reset: saturating_u64(d.reset),
        wait: saturating_u64(d.wait),
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
    fn concurrent_requests_are_exact_across_the_gateway_bucket_and_keys() {
        // No refill (rate 0): exactly the bursts are admitted, however the 8 threads
        // interleave; each key's bucket holds 40 and the gateway 100 (less than 4 × 40).
        let store = MemoryStore::default();
        let keys = ["k0", "k1", "k2", "k3"];
        let now = secs(T0);
        let admitted: Vec<usize> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|t| {
                    let store = &store;
                    let key = keys[t % keys.len()];
                    s.spawn(move || {
                        let scopes = [
                            bucket_scope(ScopeId::Key(key), 0.0, 40),
                            bucket_scope(ScopeId::Gateway, 0.0, 100),
                        ];
                        (0..500)
                            .filter(|_| store.acquire_now(&scopes, now).admitted())
                            .count()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(admitted.iter().sum::<usize>(), 100);
        for (k, _) in keys.iter().enumerate() {
            let per_key = admitted[k] + admitted[k + keys.len()];
            assert!(per_key <= 40, "key {k} admitted {per_key}");
        }
        // A key refused by its own bucket took nothing from the gateway's: with the
        // gateway bucket alone, nothing is left either way.
        let gateway_only = [bucket_scope(ScopeId::Gateway, 0.0, 100)];
        assert!(!store.acquire_now(&gateway_only, now).admitted());
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
        // A refusal reports, for the scopes that would have admitted, what they still
        // have (98 of 100), not what they would have had after this request.
        let refused = store.acquire_now(&scopes, now);
        assert!(!refused.admitted());
        assert_eq!(refused.statuses()[1].remaining, 98);
        assert_eq!(refused.statuses()[2].remaining, 98);
        assert_eq!(Nanos::from(refused.statuses()[2].reset), secs(2));
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
        assert_eq!(ceil_secs(Nanos::from(refused.statuses()[0].wait)), 2);
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
