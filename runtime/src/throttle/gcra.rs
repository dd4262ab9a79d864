//! The arithmetic of limits: GCRA token buckets and quotas over UTC calendar periods.
//! Pure functions of (limit, stored state, now): every store decides with these.

use crate::config::{Quota, QuotaPeriod};
use crate::meta::ThrottleSpec;

use super::clock::{ceil_secs, floor_secs, saturating_u64};
use super::{Nanos, NANOS_PER_SEC};

pub(super) const SECS_PER_DAY: u64 = 86_400;
/// The emission interval used for a rate that is not a positive number: about 3000 years,
/// so the bucket never refills in practice.
pub(super) const NEVER: Nanos = NANOS_PER_SEC * SECS_PER_DAY as u128 * 365 * 3000;

/// A token bucket as GCRA parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bucket {
    /// The emission interval `1/rate` in nanoseconds, rounded up, at least 1.
    pub(super) interval: Nanos,
    /// The capacity.
    pub(super) burst: u32,
}

impl Bucket {
    pub(super) fn new(rate: f64, burst: u32) -> Self {
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

    pub(super) fn from_spec(spec: ThrottleSpec) -> Self {
        Self::new(spec.rate, spec.burst)
    }

    /// `burst · T`: how far ahead of `now` the TAT may run.
    pub(super) fn tolerance(self) -> Nanos {
        self.interval * Nanos::from(self.burst)
    }

    /// Seconds to refill from empty, for `RateLimit-Policy`'s `w`.
    pub(super) fn window_secs(self) -> u64 {
        ceil_secs(self.tolerance()).max(1)
    }

    /// Decides a request at `now` for a bucket whose TAT is `tat` (`None`: never used).
    pub(super) fn decide(self, tat: Option<Nanos>, now: Nanos) -> Decision<Nanos> {
        let tat = tat.map_or(now, |t| t.max(now));
        let limit = now + self.tolerance();
        let next = tat + self.interval;
        if next <= limit {
            Decision {
                admitted: true,
                state: next,
                remaining: saturating_u64(div(limit - next, self.interval)),
                reset: next - now,
                wait: 0,
            }
        } else {
            Decision {
                admitted: false,
                state: tat,
                remaining: saturating_u64(div(limit.saturating_sub(tat), self.interval)),
                reset: tat - now,
                wait: next - limit,
            }
        }
    }
}

/// `a / b` (`b > 0`), in u64 when both fit: a u128 division is a call to a slow library
/// routine.
fn div(a: Nanos, b: Nanos) -> Nanos {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) => Nanos::from(a / b),
        _ => a / b,
    }
}

/// The UTC period containing `secs` (Unix seconds), as `[start, end)` in Unix seconds.
pub(super) fn period_bounds(period: QuotaPeriod, secs: u64) -> (u64, u64) {
    let day = secs / SECS_PER_DAY;
    match period {
        QuotaPeriod::Day => (day * SECS_PER_DAY, (day + 1) * SECS_PER_DAY),
        QuotaPeriod::Week => {
            // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday = 0.
            // The first week (1969-12-29 to 1970-01-04) starts at the epoch: u64 time
            // has nothing before it.
            let since_monday = (day + 3) % 7;
            let end = day + 7 - since_monday;
            (end.saturating_sub(7) * SECS_PER_DAY, end * SECS_PER_DAY)
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
pub(super) struct QuotaState {
    /// Start of the period the count belongs to (Unix seconds).
    pub(super) start: u64,
    /// End of that period (Unix seconds).
    pub(super) end: u64,
    /// Requests admitted in that period.
    pub(super) count: u64,
}

pub(super) fn decide_quota(
    quota: Quota,
    state: Option<QuotaState>,
    now: Nanos,
) -> Decision<QuotaState> {
    let secs = floor_secs(now);
    // Within the stored period, its bounds are known: no calendar arithmetic.
    let (start, end, count) = match state {
        Some(s) if s.start <= secs && secs < s.end => (s.start, s.end, s.count),
        _ => {
            let (start, end) = period_bounds(quota.period, secs);
            (start, end, 0)
        }
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
pub(super) struct Decision<S> {
    pub(super) admitted: bool,
    /// The state to store if every scope admits the request.
    pub(super) state: S,
    pub(super) remaining: u64,
    pub(super) reset: Nanos,
    /// How long until this scope would admit the request (0 when it does).
    pub(super) wait: Nanos,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::throttle::ManualClock;

    const T0: u64 = ManualClock::DEFAULT_START_UNIX;

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
}
