//! Helpers the throttle's unit tests share.

use super::gcra::Bucket;
use super::{Limit, ManualClock, Nanos, Scope, ScopeId, NANOS_PER_SEC};

/// `ManualClock::default()`'s start, in Unix seconds.
pub(super) const T0: u64 = ManualClock::DEFAULT_START_UNIX;

/// `s` seconds in nanoseconds.
pub(super) fn secs(s: u64) -> Nanos {
    Nanos::from(s) * NANOS_PER_SEC
}

/// A token-bucket scope.
pub(super) fn bucket_scope(id: ScopeId<'_>, rate: f64, burst: u32) -> Scope<'_> {
    Scope {
        id,
        limit: Limit::Bucket(Bucket::new(rate, burst)),
    }
}
