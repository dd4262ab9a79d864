//! The IETF `RateLimit-Policy` and `RateLimit` header fields of an answer.

use std::cell::RefCell;

use http::{HeaderMap, HeaderName, HeaderValue};

use super::clock::{ceil_secs, floor_secs};
use super::gcra::{period_bounds, SECS_PER_DAY};
use super::{Limit, Nanos, Outcome, Scope, MAX_SCOPES};

/// `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers).
static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
/// `RateLimit` (draft-ietf-httpapi-ratelimit-headers).
static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// The `RateLimit-Policy` and `RateLimit` fields of one answer (none when no scope
/// applied, or on admitted answers unless `headers_on_success = true`).
///
/// Two values rather than a `HeaderMap`: they are added to every admitted answer, and a
/// map of their own (allocated, hashed, then merged into the response's map and dropped)
/// cost more than the throttle decision itself.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateLimitHeaders(Option<(HeaderValue, HeaderValue)>);

impl RateLimitHeaders {
    /// No fields.
    pub(crate) fn none() -> Self {
        Self(None)
    }

    /// Adds the fields to `headers` (replacing any of the same names).
    pub(crate) fn apply_to(self, headers: &mut HeaderMap) {
        if let Some((policy, current)) = self.0 {
            headers.insert(RATELIMIT_POLICY.clone(), policy);
            headers.insert(RATELIMIT.clone(), current);
        }
    }

    /// The fields as a header map of their own.
    pub(crate) fn into_header_map(self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        self.apply_to(&mut headers);
        headers
    }
}

/// `RateLimit-Policy` and `RateLimit` for the scopes of one request.
///
/// `RateLimit` changes with every request, so it is built byte by byte on the stack
/// (`itoa` for the numbers) and costs one allocation, its value's: formatting through
/// `std::fmt` cost more than the decision itself. `RateLimit-Policy` only changes with the
/// limits (and, for a monthly quota, the month), so it comes from a per-thread cache of
/// built values (see [`policy`]).
pub(super) fn rate_limit_headers(
    scopes: &[Scope<'_>],
    outcome: &Outcome,
    now: Nanos,
) -> RateLimitHeaders {
    let mut current = FieldBuf::new();
    for (i, (scope, status)) in scopes.iter().zip(outcome.statuses()).enumerate() {
        if i > 0 {
            current.push(b", ");
        }
        let reset = ceil_secs(Nanos::from(status.reset));
        current.member(
            scope.name().as_bytes(),
            [(b";r=", status.remaining), (b";t=", reset)],
        );
    }
    // Always valid (quoted ASCII names, digits and separators); checked all the same.
    match (
        policy(scopes, now),
        HeaderValue::from_bytes(current.as_bytes()),
    ) {
        (Some(policy), Ok(current)) => RateLimitHeaders(Some((policy, current))),
        _ => RateLimitHeaders::none(),
    }
}

/// What a `RateLimit-Policy` value depends on: each scope's name and limit, and the day
/// (a monthly quota's window is the length of the month; 0 without a quota).
#[derive(Debug, Clone, Copy, PartialEq)]
struct PolicyKey {
    scopes: [Option<(&'static str, Limit)>; MAX_SCOPES],
    day: u64,
}

/// Built policies per thread, by key: most requests share a handful of scope sets (one
/// per plan and throttled operation). Per thread rather than shared, so reading it
/// takes no lock and writes no shared cache line.
const POLICY_CACHE: usize = 16;

thread_local! {
    static POLICIES: RefCell<Vec<(PolicyKey, HeaderValue)>> =
        const { RefCell::new(Vec::new()) };
}

/// The `RateLimit-Policy` value of `scopes` at `now`, from this thread's cache or built.
fn policy(scopes: &[Scope<'_>], now: Nanos) -> Option<HeaderValue> {
    let mut key = PolicyKey {
        scopes: [None; MAX_SCOPES],
        day: 0,
    };
    for (slot, scope) in key.scopes.iter_mut().zip(scopes) {
        *slot = Some((scope.name(), scope.limit));
        if matches!(scope.limit, Limit::Quota(_)) {
            key.day = floor_secs(now) / SECS_PER_DAY;
        }
    }
    let cached = POLICIES.try_with(|cache| {
        let cache = cache.try_borrow().ok()?;
        cache
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, value)| value.clone())
    });
    if let Ok(Some(value)) = cached {
        return Some(value);
    }
    let value = build_policy(scopes, now)?;
    // A thread being torn down, or a re-entrant call, just skips the cache.
    let _ = POLICIES.try_with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            if cache.len() >= POLICY_CACHE {
                // Oldest first out: stale entries (yesterday's) leave first.
                cache.remove(0);
            }
            cache.push((key, value.clone()));
        }
    });
    Some(value)
}

fn build_policy(scopes: &[Scope<'_>], now: Nanos) -> Option<HeaderValue> {
    let mut policy = FieldBuf::new();
    for (i, scope) in scopes.iter().enumerate() {
        let (quota, window) = match scope.limit {
            Limit::Bucket(bucket) => (u64::from(bucket.burst), bucket.window_secs()),
            Limit::Quota(quota) => {
                let (start, end) = period_bounds(quota.period, floor_secs(now));
                (quota.limit, end - start)
            }
        };
        if i > 0 {
            policy.push(b", ");
        }
        policy.member(scope.name().as_bytes(), [(b";q=", quota), (b";w=", window)]);
    }
    HeaderValue::from_bytes(policy.as_bytes()).ok()
}

/// The longest field: `MAX_SCOPES` members of at most 59 bytes each (`, ` + a quoted
/// name of at most 9 letters + two `;k=` parameters of at most 20 digits).
const FIELD_CAPACITY: usize = 256;
const _: () = assert!(MAX_SCOPES * 59 <= FIELD_CAPACITY);

/// One field's bytes, on the stack.
struct FieldBuf {
    bytes: [u8; FIELD_CAPACITY],
    len: usize,
}

impl FieldBuf {
    fn new() -> Self {
        Self {
            bytes: [0; FIELD_CAPACITY],
            len: 0,
        }
    }

    /// Appends `part`; a part that would not fit is dropped whole (it cannot happen with
    /// at most `MAX_SCOPES` members, see [`FIELD_CAPACITY`]).
    fn push(&mut self, part: &[u8]) {
        if let Some(dest) = self.bytes.get_mut(self.len..self.len + part.len()) {
            dest.copy_from_slice(part);
            self.len += part.len();
        }
    }

    /// Appends `"name";k1=v1;k2=v2`.
    fn member(&mut self, name: &[u8], params: [(&[u8; 3], u64); 2]) {
        self.push(b"\"");
        self.push(name);
        self.push(b"\"");
        for (key, value) in params {
            self.push(key);
            self.push(itoa::Buffer::new().format(value).as_bytes());
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
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
        let headers = rate_limit_headers(&scopes, &outcome, now).into_header_map();
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
