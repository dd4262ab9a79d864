//! The IETF `RateLimit-Policy` and `RateLimit` header fields of an answer.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};

use super::clock::{ceil_secs, saturating_u64};
use super::gcra::period_bounds;
use super::{Limit, Nanos, Outcome, Scope, NANOS_PER_SEC};

/// `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers).
static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
/// `RateLimit` (draft-ietf-httpapi-ratelimit-headers).
static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// `RateLimit-Policy` and `RateLimit` for the scopes of one request.
///
/// On every admitted request when enabled, so it is built byte by byte (`itoa` for the
/// numbers, one buffer per field handed to the header value without a copy): formatting
/// through `std::fmt` cost more than the decision itself.
pub(super) fn rate_limit_headers(scopes: &[Scope<'_>], outcome: &Outcome, now: Nanos) -> HeaderMap {
    let mut policy = Vec::with_capacity(32 * scopes.len());
    let mut current = Vec::with_capacity(32 * scopes.len());
    let mut digits = itoa::Buffer::new();
    for (i, (scope, status)) in scopes.iter().zip(outcome.statuses()).enumerate() {
        let (quota, window) = match scope.limit {
            Limit::Bucket(bucket) => (u64::from(bucket.burst), bucket.window_secs()),
            Limit::Quota(quota) => {
                let (start, end) = period_bounds(quota.period, saturating_u64(now / NANOS_PER_SEC));
                (quota.limit, end - start)
            }
        };
        if i > 0 {
            policy.extend_from_slice(b", ");
            current.extend_from_slice(b", ");
        }
        let name = scope.name().as_bytes();
        member(
            &mut policy,
            &mut digits,
            name,
            [(b";q=", quota), (b";w=", window)],
        );
        let reset = ceil_secs(status.reset);
        member(
            &mut current,
            &mut digits,
            name,
            [(b";r=", status.remaining), (b";t=", reset)],
        );
    }
    let mut headers = HeaderMap::with_capacity(2);
    // Always valid (quoted ASCII names, digits and separators); checked all the same.
    if let (Ok(policy), Ok(current)) = (
        HeaderValue::from_maybe_shared(Bytes::from(policy)),
        HeaderValue::from_maybe_shared(Bytes::from(current)),
    ) {
        headers.insert(RATELIMIT_POLICY.clone(), policy);
        headers.insert(RATELIMIT.clone(), current);
    }
    headers
}

/// Appends `"name";k1=v1;k2=v2` to `out`.
fn member(out: &mut Vec<u8>, digits: &mut itoa::Buffer, name: &[u8], params: [(&[u8; 3], u64); 2]) {
    out.push(b'"');
    out.extend_from_slice(name);
    out.push(b'"');
    for (key, value) in params {
        out.extend_from_slice(key);
        out.extend_from_slice(digits.format(value).as_bytes());
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Quota, QuotaPeriod};
    use crate::throttle::memory::MemoryStore;
    use crate::throttle::ScopeId;

    use crate::throttle::test_support::{bucket_scope, secs, T0};

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
