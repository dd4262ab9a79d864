//! The IETF `RateLimit-Policy` and `RateLimit` header fields of an answer.

use std::fmt::Write as _;

use http::{HeaderMap, HeaderName, HeaderValue};

use super::clock::{ceil_secs, saturating_u64};
use super::gcra::period_bounds;
use super::{Limit, Nanos, Outcome, Scope, NANOS_PER_SEC};

/// `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers).
static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
/// `RateLimit` (draft-ietf-httpapi-ratelimit-headers).
static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// `RateLimit-Policy` and `RateLimit` for the scopes of one request.
pub(super) fn rate_limit_headers(scopes: &[Scope<'_>], outcome: &Outcome, now: Nanos) -> HeaderMap {
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
    use crate::config::{Quota, QuotaPeriod};
    use crate::throttle::gcra::Bucket;
    use crate::throttle::memory::MemoryStore;
    use crate::throttle::{ManualClock, ScopeId};

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
