//! Custom authorizers: the equivalent of Amazon API Gateway's Lambda authorizers.
//!
//! The user implements [`Authorizer`] and registers it for a security scheme with
//! [`GatewayBuilder::authorizer`](crate::GatewayBuilder::authorizer). The gateway reads the
//! identity sources named in `[auth.custom.SCHEME]` (by default the `identitySource` of the
//! scheme's `x-amazon-apigateway-authorizer`, else the scheme's own API key location, else
//! the `Authorization` header); when one is missing the caller gets a 401 without the
//! authorizer being asked. Decisions — allow and deny alike — are cached per scheme and
//! identity (a SHA-256 of the values, never the values themselves) for `ttl_secs` (by
//! default the authorizer's `authorizerResultTtlInSeconds`, else 300 s).

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::request::Parts;
use sha2::{Digest, Sha256};

use super::source::IdentitySource;
use crate::context::Principal;
use crate::meta::{ApiKeyLocation, SchemeKind, SecuritySchemeMeta};

/// How long decisions are cached when neither the configuration nor the document says.
const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// Entries kept at most; when full, expired entries are dropped, then everything.
const MAX_CACHED: usize = 10_000;

/// A user-supplied authorizer: decides from the identity sources of a request whether the
/// caller gets in, and as whom.
///
/// ```
/// use tollgate::{Authorizer, AuthorizerDecision, AuthorizerRequest, Principal};
///
/// struct Tokens;
///
/// impl Authorizer for Tokens {
///     async fn authorize(&self, request: AuthorizerRequest) -> AuthorizerDecision {
///         match request.identity.first().map(|(_, value)| value.as_str()) {
///             Some("let-me-in") => AuthorizerDecision::allow(Principal::new("guest", request.scheme)),
///             _ => AuthorizerDecision::Deny,
///         }
///     }
/// }
/// ```
pub trait Authorizer: Send + Sync + 'static {
    /// Decides about one request. Called at most once per identity and TTL.
    fn authorize(
        &self,
        request: AuthorizerRequest,
    ) -> impl Future<Output = AuthorizerDecision> + Send;
}

/// What an [`Authorizer`] sees of a request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthorizerRequest {
    /// The security scheme being verified.
    pub scheme: &'static str,
    /// The `operationId` of the operation called.
    pub operation_id: &'static str,
    /// The identity sources and their values, in configuration order
    /// (`("$request.header.authorization", "…")`).
    pub identity: Vec<(String, String)>,
}

impl AuthorizerRequest {
    /// A request for `scheme` and `operation_id` with these identity values (for testing
    /// authorizers).
    pub fn new(
        scheme: &'static str,
        operation_id: &'static str,
        identity: Vec<(String, String)>,
    ) -> Self {
        Self {
            scheme,
            operation_id,
            identity,
        }
    }
}

/// An [`Authorizer`]'s answer.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
// Built once per request (or cache hit) and consumed at once: boxing would only add an
// allocation.
#[allow(clippy::large_enum_variant)]
pub enum AuthorizerDecision {
    /// Let the caller in as `principal` (its `context` reaches the handler).
    Allow {
        /// Who the caller is.
        principal: Principal,
        /// With `[auth] api_key_source = "authorizer"`: the API key whose id and usage
        /// plan apply to the caller (Amazon API Gateway's `usageIdentifierKey`).
        usage_identifier_key: Option<String>,
    },
    /// Refuse the caller (401).
    Deny,
}

impl std::fmt::Debug for AuthorizerDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Allow {
                principal,
                usage_identifier_key,
            } => f
                .debug_struct("Allow")
                .field("principal", principal)
                .field(
                    "usage_identifier_key",
                    &usage_identifier_key.as_ref().map(|_| "<redacted>"),
                )
                .finish(),
            Self::Deny => f.write_str("Deny"),
        }
    }
}

impl AuthorizerDecision {
    /// Allow the caller as `principal`.
    pub fn allow(principal: Principal) -> Self {
        Self::Allow {
            principal,
            usage_identifier_key: None,
        }
    }

    /// Allow the caller as `principal`, metered under API key `key`.
    pub fn allow_with_key(principal: Principal, key: impl Into<String>) -> Self {
        Self::Allow {
            principal,
            usage_identifier_key: Some(key.into()),
        }
    }
}

/// Object-safe form of [`Authorizer`], so the gateway can hold any of them.
pub(crate) trait DynAuthorizer: Send + Sync + 'static {
    fn authorize_boxed(
        &self,
        request: AuthorizerRequest,
    ) -> Pin<Box<dyn Future<Output = AuthorizerDecision> + Send + '_>>;
}

impl<T: Authorizer> DynAuthorizer for T {
    fn authorize_boxed(
        &self,
        request: AuthorizerRequest,
    ) -> Pin<Box<dyn Future<Output = AuthorizerDecision> + Send + '_>> {
        Box::pin(self.authorize(request))
    }
}

/// A registered authorizer with its identity sources and decision cache.
pub(crate) struct CustomVerifier {
    authorizer: std::sync::Arc<dyn DynAuthorizer>,
    sources: Vec<IdentitySource>,
    /// `None`: the scheme's `authorizerResultTtlInSeconds`, else [`DEFAULT_TTL`].
    ttl: Option<Duration>,
    cache: Mutex<HashMap<[u8; 32], (Instant, AuthorizerDecision)>>,
}

impl std::fmt::Debug for CustomVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomVerifier")
            .field("sources", &self.sources)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// What a custom verifier found.
#[allow(clippy::large_enum_variant)] // short-lived, consumed at once
pub(crate) enum CustomOutcome {
    /// An identity source is missing.
    Missing,
    /// The authorizer's decision.
    Decided(AuthorizerDecision),
}

impl CustomVerifier {
    /// A verifier calling `authorizer`. `sources` empty means the identity sources of the
    /// scheme's authorizer, else the scheme's own API key location, else the
    /// `Authorization` header; `ttl` `None` means the authorizer's TTL, else 300 s.
    pub(crate) fn new(
        authorizer: std::sync::Arc<dyn DynAuthorizer>,
        sources: Vec<IdentitySource>,
        ttl: Option<Duration>,
    ) -> Self {
        Self {
            authorizer,
            sources,
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Asks the authorizer (or the cache) about the request.
    pub(crate) async fn verify(
        &self,
        scheme: &'static SecuritySchemeMeta,
        operation_id: &'static str,
        parts: &Parts,
    ) -> CustomOutcome {
        let Ok(sources) = self.sources(scheme) else {
            // Reported by `Gateway::check` at startup.
            return CustomOutcome::Missing;
        };
        let ttl = self.ttl(scheme);
        let scheme = scheme.name;
        let mut identity = Vec::with_capacity(sources.len());
        let mut hasher = Sha256::new();
        hasher.update(scheme.as_bytes());
        for source in sources.iter() {
            let Some(value) = source.read(parts) else {
                return CustomOutcome::Missing;
            };
            hasher.update((value.len() as u64).to_be_bytes());
            hasher.update(value.as_bytes());
            identity.push((source.describe(), value.into_owned()));
        }
        let key: [u8; 32] = hasher.finalize().into();
        if let Some(decision) = self.cached(&key) {
            return CustomOutcome::Decided(decision);
        }
        let request = AuthorizerRequest::new(scheme, operation_id, identity);
        let decision = self.authorizer.authorize_boxed(request).await;
        self.remember(key, &decision, ttl);
        CustomOutcome::Decided(decision)
    }

    fn cached(&self, key: &[u8; 32]) -> Option<AuthorizerDecision> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let (expires, decision) = cache.get(key)?;
        (Instant::now() < *expires).then(|| decision.clone())
    }

    /// The identity sources for `scheme`; `Err` when the document's cannot be parsed.
    pub(crate) fn sources(
        &self,
        scheme: &SecuritySchemeMeta,
    ) -> Result<Cow<'_, [IdentitySource]>, String> {
        if !self.sources.is_empty() {
            return Ok(Cow::Borrowed(&self.sources[..]));
        }
        match &scheme.authorizer {
            Some(authorizer) if !authorizer.identity_sources.is_empty() => authorizer
                .identity_sources
                .iter()
                .map(|text| IdentitySource::parse(text))
                .collect::<Result<Vec<_>, _>>()
                .map(Cow::Owned),
            _ => Ok(Cow::Owned(vec![default_source(scheme)])),
        }
    }

    /// How long decisions about `scheme` are cached.
    fn ttl(&self, scheme: &SecuritySchemeMeta) -> Duration {
        self.ttl
            .or_else(|| {
                let authorizer = scheme.authorizer.as_ref()?;
                authorizer.ttl_secs.map(Duration::from_secs)
            })
            .unwrap_or(DEFAULT_TTL)
    }

    fn remember(&self, key: [u8; 32], decision: &AuthorizerDecision, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_CACHED {
            cache.retain(|_, (expires, _)| now < *expires);
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
        }
        cache.insert(key, (now + ttl, decision.clone()));
    }
}

/// The identity source of a scheme without `identity_sources`.
fn default_source(scheme: &SecuritySchemeMeta) -> IdentitySource {
    match &scheme.kind {
        SchemeKind::ApiKey { location, name } => match location {
            ApiKeyLocation::Header => http::header::HeaderName::from_bytes(name.as_bytes())
                .map(IdentitySource::Header)
                .unwrap_or_else(|_| IdentitySource::authorization()),
            ApiKeyLocation::Query => IdentitySource::Query((*name).to_owned()),
            ApiKeyLocation::Cookie => IdentitySource::Cookie((*name).to_owned()),
        },
        _ => IdentitySource::authorization(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{AuthorizerKind, AuthorizerMeta};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Counting(AtomicUsize);

    static SCHEME: SecuritySchemeMeta = SecuritySchemeMeta {
        name: "C",
        kind: SchemeKind::Unsupported,
        authorizer: None,
    };
    static LAMBDA: SecuritySchemeMeta = SecuritySchemeMeta {
        name: "L",
        kind: SchemeKind::ApiKey {
            location: ApiKeyLocation::Query,
            name: "ignored",
        },
        authorizer: Some(AuthorizerMeta {
            kind: AuthorizerKind::Request,
            identity_sources: &["method.request.header.X-Token", "$request.querystring.t"],
            ttl_secs: Some(0),
            issuer: None,
            audience: &[],
        }),
    };

    impl Authorizer for Counting {
        async fn authorize(&self, request: AuthorizerRequest) -> AuthorizerDecision {
            self.0.fetch_add(1, Ordering::SeqCst);
            if request.identity[0].1 == "good" {
                AuthorizerDecision::allow(Principal::new("someone", request.scheme))
            } else {
                AuthorizerDecision::Deny
            }
        }
    }

    fn parts(token: Option<&str>) -> Parts {
        let mut builder = http::Request::builder();
        if let Some(token) = token {
            builder = builder.header("x-token", token);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[tokio::test]
    async fn decisions_are_cached_per_identity() {
        let authorizer = Arc::new(Counting(AtomicUsize::new(0)));
        let verifier = CustomVerifier::new(
            authorizer.clone(),
            vec![IdentitySource::parse("$request.header.x-token").unwrap()],
            Some(Duration::from_secs(60)),
        );
        for _ in 0..3 {
            let outcome = verifier.verify(&SCHEME, "op", &parts(Some("good"))).await;
            assert!(matches!(
                outcome,
                CustomOutcome::Decided(AuthorizerDecision::Allow { .. })
            ));
            let outcome = verifier.verify(&SCHEME, "op", &parts(Some("bad"))).await;
            assert!(matches!(
                outcome,
                CustomOutcome::Decided(AuthorizerDecision::Deny)
            ));
        }
        assert_eq!(authorizer.0.load(Ordering::SeqCst), 2);
        assert!(matches!(
            verifier.verify(&SCHEME, "op", &parts(None)).await,
            CustomOutcome::Missing
        ));
        assert_eq!(authorizer.0.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn zero_ttl_asks_every_time() {
        let authorizer = Arc::new(Counting(AtomicUsize::new(0)));
        let verifier = CustomVerifier::new(
            authorizer.clone(),
            vec![IdentitySource::parse("$request.header.x-token").unwrap()],
            Some(Duration::ZERO),
        );
        for _ in 0..3 {
            verifier.verify(&SCHEME, "op", &parts(Some("good"))).await;
        }
        assert_eq!(authorizer.0.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn the_documents_identity_sources_and_ttl_are_the_defaults() {
        let authorizer = Arc::new(Counting(AtomicUsize::new(0)));
        let verifier = CustomVerifier::new(authorizer.clone(), Vec::new(), None);
        let both = || {
            http::Request::builder()
                .uri("/x?t=2")
                .header("x-token", "good")
                .body(())
                .unwrap()
                .into_parts()
                .0
        };
        for _ in 0..2 {
            let outcome = verifier.verify(&LAMBDA, "op", &both()).await;
            assert!(matches!(
                outcome,
                CustomOutcome::Decided(AuthorizerDecision::Allow { .. })
            ));
        }
        // authorizerResultTtlInSeconds: 0 → asked every time.
        assert_eq!(authorizer.0.load(Ordering::SeqCst), 2);
        // Both sources are required; the scheme's own `in: query` is not used.
        let outcome = verifier.verify(&LAMBDA, "op", &parts(Some("good"))).await;
        assert!(matches!(outcome, CustomOutcome::Missing));
        // The configuration wins over the document.
        let configured = CustomVerifier::new(
            authorizer.clone(),
            vec![IdentitySource::parse("$request.header.x-token").unwrap()],
            Some(Duration::from_secs(60)),
        );
        for _ in 0..3 {
            configured.verify(&LAMBDA, "op", &parts(Some("good"))).await;
        }
        assert_eq!(authorizer.0.load(Ordering::SeqCst), 3);
        assert_eq!(
            verifier.sources(&SCHEME).unwrap().as_ref(),
            &[IdentitySource::authorization()]
        );
    }

    #[test]
    fn debug_redacts_the_usage_key() {
        let decision = AuthorizerDecision::allow_with_key(Principal::new("a", "C"), "secret-key");
        let shown = format!("{decision:?}");
        assert!(!shown.contains("secret-key"), "{shown}");
    }
}
