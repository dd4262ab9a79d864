//! Time sources: the system clock (made monotonic) and a manual clock for tests, plus
//! the nanosecond arithmetic the throttle shares.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{Nanos, NANOS_PER_SEC};

/// The time source of throttling and quotas.
///
/// The gateway uses [`SystemClock`]; tests use [`ManualClock`] and step time instead of
/// sleeping. Implementations must never go backwards.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time in nanoseconds since the Unix epoch (0 before 1970, saturating
    /// after 2554): what every throttle decision reads. The default converts
    /// [`now`](Self::now); [`SystemClock`] and [`ManualClock`] read it directly, without
    /// the round trip through `SystemTime`.
    fn now_nanos(&self) -> u64 {
        to_u64_nanos(self.now())
    }
}

/// The system's wall clock, made monotonic and cheap to read.
///
/// Time is read from the monotonic clock ([`Instant`], one vDSO call, no shared writes)
/// plus an offset to wall-clock time, so it never goes backwards and reading it does not
/// bounce a cache line between cores. Once a second the offset is checked against the
/// system's wall clock: when the wall clock was stepped forward the gateway's time jumps
/// forward with it; when it was stepped back, the gateway's time keeps running at the
/// normal rate, ahead of the wall clock by the step (it never goes back). Rate
/// adjustments (NTP slewing) apply to both clocks alike.
///
/// Wall-clock time (rather than [`Instant`] alone) keeps quota periods on UTC calendar
/// boundaries.
#[derive(Debug)]
pub struct SystemClock {
    start: Instant,
    /// Wall-clock nanoseconds at `start`, as last checked: the time is `offset` plus the
    /// monotonic nanoseconds since `start`. Only ever increases.
    offset: AtomicU64,
    /// The monotonic nanoseconds since `start` at which `offset` was last checked.
    checked_at: AtomicU64,
}

/// How often [`SystemClock`] compares itself with the system's wall clock.
const RESYNC_NANOS: u64 = 1_000_000_000;

impl SystemClock {
    /// A system clock.
    pub fn new() -> Self {
        let start = Instant::now();
        let wall = to_u64_nanos(SystemTime::now());
        Self {
            start,
            offset: AtomicU64::new(wall),
            checked_at: AtomicU64::new(0),
        }
    }

    /// Moves the offset forward when the wall clock is ahead of this clock.
    #[cold]
    fn resync(&self, mono: u64) {
        self.checked_at.store(mono, Ordering::Relaxed);
        let wall = to_u64_nanos(SystemTime::now());
        self.offset
            .fetch_max(wall.saturating_sub(mono), Ordering::Relaxed);
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.now_nanos())
    }

    fn now_nanos(&self) -> u64 {
        let elapsed = self.start.elapsed();
        // In u64 (584 years from start): `as_nanos` is a u128.
        let mono = elapsed
            .as_secs()
            .saturating_mul(NANOS_PER_SEC as u64)
            .saturating_add(u64::from(elapsed.subsec_nanos()));
        if mono.saturating_sub(self.checked_at.load(Ordering::Relaxed)) >= RESYNC_NANOS {
            self.resync(mono);
        }
        self.offset.load(Ordering::Relaxed).saturating_add(mono)
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
        UNIX_EPOCH + Duration::from_nanos(self.now_nanos())
    }

    fn now_nanos(&self) -> u64 {
        self.nanos.load(Ordering::SeqCst)
    }
}

/// `n` as a `u64`, saturating.
pub(super) fn saturating_u64(n: u128) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn to_u64_nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// `nanos` since the Unix epoch as a `SystemTime`.
pub(super) fn from_nanos(nanos: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(nanos)
}

pub(super) fn to_nanos(t: SystemTime) -> Nanos {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// Seconds in `nanos`, rounded up.
pub(super) fn ceil_secs(nanos: Nanos) -> u64 {
    // In u64 when it fits (it does until the year 2554): a division of a u128 is a call
    // to a slow library routine, a u64 division by a constant a multiplication.
    match u64::try_from(nanos) {
        Ok(n) => n.div_ceil(NANOS_PER_SEC as u64),
        Err(_) => u64::try_from(nanos.div_ceil(NANOS_PER_SEC)).unwrap_or(u64::MAX),
    }
}

/// Whole seconds in `nanos`, rounded down (see [`ceil_secs`] for the u64 arithmetic).
pub(super) fn floor_secs(nanos: Nanos) -> u64 {
    match u64::try_from(nanos) {
        Ok(n) => n / NANOS_PER_SEC as u64,
        Err(_) => saturating_u64(nanos / NANOS_PER_SEC),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = ManualClock::DEFAULT_START_UNIX;

    fn secs(s: u64) -> Nanos {
        Nanos::from(s) * NANOS_PER_SEC
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
    fn system_clock_follows_the_wall_clock() {
        let clock = SystemClock::new();
        let before = SystemTime::now();
        std::thread::sleep(Duration::from_millis(20));
        let now = clock.now();
        let after = SystemTime::now();
        // Within the resync period the clock runs on the monotonic clock; it stays
        // within a millisecond of the wall clock (no step happened here).
        assert!(now >= before, "{now:?} < {before:?}");
        assert!(
            now <= after + Duration::from_millis(1),
            "{now:?} > {after:?}"
        );
        assert!(now.duration_since(before).unwrap_or_default() >= Duration::from_millis(19));
    }

    #[test]
    fn now_nanos_is_now() {
        let manual = ManualClock::default();
        assert_eq!(Nanos::from(manual.now_nanos()), to_nanos(manual.now()));
        let system = SystemClock::new();
        let nanos = Nanos::from(system.now_nanos());
        let now = to_nanos(system.now());
        assert!(nanos <= now && now - nanos < NANOS_PER_SEC, "{nanos} {now}");
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
}
