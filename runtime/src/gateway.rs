//! [`Gateway`]: the configuration and state a generated router runs with.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use http::request::Parts;
use http::HeaderMap;

use crate::auth::{Authenticator, Authorizer, Authorizers};
use crate::config::{
    ApiKeyConfig, AuthConfig, Config, Limits, PlanConfig, ThrottleConfig, ThrottleSpecConfig,
    CODE_SOURCE,
};
use crate::context::Principal;
use crate::error::Error;
use crate::meta::{ApiMeta, OperationMeta};
use crate::problem::Problem;
use crate::throttle::{Clock, RateLimitHeaders, SystemClock, Throttle};

/// The gateway's configuration and state: API keys, throttle buckets and quotas, limits.
///
/// Cheap to clone (an `Arc` inside); clones share throttle state. Build one with
/// [`Gateway::from_file`], [`Gateway::from_config`], [`Gateway::builder`], or take
/// [`Gateway::default()`]: no keys, no throttling, default limits.
///
/// ```
/// let gateway = tollgate::Gateway::builder()
///     .plan("gold", tollgate::PlanConfig { rate: Some(100.0), burst: Some(200), quota: None })
///     .api_key_with_plan("partner-a", "bench-key-1", "gold")
///     .throttle(10_000.0, 5_000)
///     .build()?;
/// assert_eq!(gateway.spec_path(), Some("/openapi.json"));
/// # Ok::<(), tollgate::Error>(())
/// ```
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    auth: Arc<Authenticator>,
    clock: Arc<dyn Clock>,
    throttle: Throttle,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Config`'s Debug redacts keys.
        f.debug_struct("Gateway")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Default for Gateway {
    /// No configuration file: no API keys (operations that need credentials answer 401),
    /// in-memory throttling with no limits, default [`Limits`]. Never fails.
    fn default() -> Self {
        let config = Config::default();
        let auth = Arc::new(Authenticator::keys_only(&config));
        Self::assemble(config, auth, Arc::new(SystemClock::new()))
    }
}

impl Gateway {
    /// A builder, starting from [`Config::default()`].
    pub fn builder() -> GatewayBuilder {
        GatewayBuilder::default()
    }

    /// A gateway for `config`, after checking it (see [`Config::from_toml_str`] for what is
    /// checked).
    pub fn from_config(config: Config) -> Result<Self, Error> {
        config
            .validate()
            .map_err(|message| Error::config(CODE_SOURCE, message))?;
        Self::new_checked(
            config,
            &Authorizers::new(),
            Arc::new(SystemClock::new()),
            Path::new(CODE_SOURCE),
        )
    }

    /// A gateway for the configuration file at `path` (usually `tollgate.toml`).
    ///
    /// Reads the files and environment variables `[auth]` names (JWKS files, secrets) now;
    /// a missing one is an error.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let config = Config::from_file(path)?;
        Self::new_checked(
            config,
            &Authorizers::new(),
            Arc::new(SystemClock::new()),
            path,
        )
    }

    /// A gateway with the same configuration that reads time from `clock`, with fresh
    /// throttle state (tests step a [`ManualClock`](crate::ManualClock) instead of
    /// sleeping).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Self {
        Self::assemble(self.inner.config.clone(), self.inner.auth.clone(), clock)
    }

    /// `config` must have passed `Config::validate`; `path` names it in errors.
    fn new_checked(
        config: Config,
        authorizers: &Authorizers,
        clock: Arc<dyn Clock>,
        path: &Path,
    ) -> Result<Self, Error> {
        let auth = Authenticator::new(&config, authorizers)
            .map_err(|message| Error::config(path, message))?;
        Ok(Self::assemble(config, Arc::new(auth), clock))
    }

    fn assemble(config: Config, auth: Arc<Authenticator>, clock: Arc<dyn Clock>) -> Self {
        let throttle = Throttle::new(&config, clock.clone());
        Self {
            inner: Arc::new(Inner {
                config,
                auth,
                clock,
                throttle,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Request body and time limits.
    pub fn limits(&self) -> &Limits {
        &self.inner.config.limits
    }

    /// Where to serve the spec (`Some("/openapi.json")` by default), `None` when disabled.
    pub fn spec_path(&self) -> Option<&str> {
        let spec = &self.inner.config.spec;
        spec.serve.then_some(spec.path.as_str())
    }

    /// Whether handler responses are validated against the spec (development only).
    pub fn validate_responses(&self) -> bool {
        self.inner.config.development.validate_responses
    }

    /// Startup check of the security configuration against `api` (the generated
    /// module's `API`).
    ///
    /// An operation is *blocked* when every one of its security alternatives needs a
    /// scheme without a verifier (it will answer 401 to everyone). Logs one warning per
    /// such scheme, naming the operations; with `strict = true` returns
    /// [`Error::Strict`] instead. Also warns about `[operations.ID]` and `[auth.*.SCHEME]`
    /// sections that match nothing in `api`.
    ///
    /// The generated `try_router()` runs this check and returns its error, so that
    /// `strict = true` refuses to start; the generated `router()`, which cannot fail, runs
    /// it and logs the error:
    ///
    /// ```ignore
    /// let gateway = Gateway::from_file("tollgate.toml")?;
    /// let router = api::try_router(MyApi, gateway)?; // Err(Error::Strict(..)) with strict = true
    /// tollgate::serve(router, addr).await?;
    /// ```
    pub fn check(&self, api: &'static ApiMeta) -> Result<(), Error> {
        let config = &self.inner.config;
        let auth = &self.inner.auth;
        // Scheme name → (why it cannot be verified, blocked operations), in first-seen order.
        let mut blocked: Vec<(&str, String, Vec<&str>)> = Vec::new();
        let mut reasons: BTreeMap<&str, Option<String>> = BTreeMap::new();
        let mut reason = |name: &'static str| {
            reasons
                .entry(name)
                .or_insert_with(|| auth.why_unverifiable(api, name))
                .clone()
        };
        for op in api.operations {
            let passable = op.security.is_empty()
                || op.security.iter().any(|alternative| {
                    alternative
                        .schemes
                        .iter()
                        .all(|requirement| reason(requirement.scheme).is_none())
                });
            if passable {
                continue;
            }
            for requirement in op.security.iter().flat_map(|a| a.schemes) {
                let Some(why) = reason(requirement.scheme) else {
                    continue;
                };
                match blocked
                    .iter_mut()
                    .find(|(name, ..)| *name == requirement.scheme)
                {
                    Some((_, _, ops)) => {
                        if !ops.contains(&op.id) {
                            ops.push(op.id);
                        }
                    }
                    None => blocked.push((requirement.scheme, why, vec![op.id])),
                }
            }
        }

        for id in config.operations.keys() {
            if !api.operations.iter().any(|op| op.id == id) {
                tracing::warn!(
                    operation = %id,
                    "[operations.{id}] in the configuration matches no operation of {}",
                    api.title
                );
            }
        }
        for (section, name) in auth.sections() {
            if api.scheme(name).is_none() {
                tracing::warn!(
                    scheme = %name,
                    "[auth.{section}.{name}] matches no security scheme of {}",
                    api.title
                );
            }
        }

        if blocked.is_empty() {
            return Ok(());
        }
        if config.strict {
            let list: Vec<String> = blocked
                .iter()
                .map(|(name, why, ops)| {
                    format!(
                        "security scheme `{name}` cannot be verified: {why} (needed by {})",
                        ops.join(", ")
                    )
                })
                .collect();
            return Err(Error::Strict(format!(
                "strict = true and some operations would answer 401 to every caller: {}",
                list.join("; ")
            )));
        }
        for (name, why, ops) in &blocked {
            tracing::warn!(
                scheme = %name,
                operations = %ops.join(", "),
                "security scheme `{name}` cannot be verified: {why}; these operations will \
                 answer 401 to every caller: {}",
                ops.join(", ")
            );
        }
        Ok(())
    }

    /// Authenticates a request for `op` (see the README's Authentication section for the
    /// rules): `Ok(None)` for public operations and anonymous access, the principal when
    /// credentials verified, or a 401 problem with `WWW-Authenticate` challenges (403 when
    /// they verified but lack a scope).
    ///
    /// Async because a JWKS may have to be fetched and a custom authorizer asked.
    #[doc(hidden)]
    // `Problem` is the contract's error type; the error path is the cold one.
    #[allow(clippy::result_large_err)]
    pub async fn authenticate(
        &self,
        api: &'static ApiMeta,
        op: &'static OperationMeta,
        parts: &Parts,
    ) -> Result<Option<Principal>, Problem> {
        self.inner
            .auth
            .authenticate(api, op, parts, self.inner.clock.as_ref())
            .await
    }

    /// Applies every throttle and quota scope to one request. `Ok` carries the
    /// `RateLimit-Policy`/`RateLimit` headers to add to the answer (empty when no scope
    /// applies, and on admitted requests unless `[throttle] headers_on_success = true`); `Err` is a 429 with `Retry-After` (or a 503 when the throttle store
    /// fails and `on_store_error = "deny"`).
    #[doc(hidden)]
    pub async fn throttle(
        &self,
        api: &'static ApiMeta,
        op: &'static OperationMeta,
        principal: Option<&Principal>,
    ) -> Result<HeaderMap, Problem> {
        self.throttle_fields(api, op, principal)
            .await
            .map(RateLimitHeaders::into_header_map)
    }

    /// Whether authentication and throttling never wait on anything (no JWT verifier, no
    /// custom authorizer, the in-memory throttle store): the request pipeline then runs
    /// them on its own stack frame instead of holding their state in the request's future.
    pub(crate) fn admission_never_waits(&self) -> bool {
        self.inner.auth.never_waits() && self.inner.throttle.never_waits()
    }

    /// [`throttle`](Self::throttle) without the header map: the request pipeline adds the
    /// two fields straight to the answer.
    // `Problem` is the contract's error type; the error path is the cold one.
    #[allow(clippy::result_large_err)]
    pub(crate) async fn throttle_fields(
        &self,
        api: &'static ApiMeta,
        op: &'static OperationMeta,
        principal: Option<&Principal>,
    ) -> Result<RateLimitHeaders, Problem> {
        self.inner.throttle.check(api, op, principal).await
    }
}

/// Builds a [`Gateway`] in code. Settings apply in call order; [`config`](Self::config)
/// replaces everything set before it.
#[derive(Default)]
pub struct GatewayBuilder {
    config: Config,
    clock: Option<Arc<dyn Clock>>,
    authorizers: Authorizers,
}

impl fmt::Debug for GatewayBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayBuilder")
            .field("config", &self.config)
            .field("clock", &self.clock.as_ref().map(|_| "custom"))
            .field(
                "authorizers",
                &self.authorizers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl GatewayBuilder {
    /// Starts over from `config`.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Accepts API key `key`, identified as `id`, with no plan.
    pub fn api_key(mut self, id: impl Into<String>, key: impl Into<String>) -> Self {
        self.config.api_keys.push(ApiKeyConfig {
            id: id.into(),
            key: Some(key.into()),
            key_sha256: None,
            plan: None,
        });
        self
    }

    /// Accepts API key `key`, identified as `id`, on usage plan `plan` (which must be
    /// defined by [`plan`](Self::plan), before or after).
    pub fn api_key_with_plan(
        mut self,
        id: impl Into<String>,
        key: impl Into<String>,
        plan: impl Into<String>,
    ) -> Self {
        self.config.api_keys.push(ApiKeyConfig {
            id: id.into(),
            key: Some(key.into()),
            key_sha256: None,
            plan: Some(plan.into()),
        });
        self
    }

    /// Defines (or replaces) usage plan `name`.
    pub fn plan(mut self, name: impl Into<String>, plan: PlanConfig) -> Self {
        self.config.plans.insert(name.into(), plan);
        self
    }

    /// Sets the gateway-wide token bucket: `rate` requests per second, `burst` capacity.
    pub fn throttle(mut self, rate: f64, burst: u32) -> Self {
        match &mut self.config.throttle {
            Some(throttle) => {
                throttle.rate = rate;
                throttle.burst = burst;
            }
            None => self.config.throttle = Some(ThrottleConfig::new(rate, burst)),
        }
        self
    }

    /// Sets the token bucket of operation `operation_id`, overriding its
    /// `x-tollgate-throttle`.
    pub fn operation_throttle(
        mut self,
        operation_id: impl Into<String>,
        rate: f64,
        burst: u32,
    ) -> Self {
        self.config
            .operations
            .entry(operation_id.into())
            .or_default()
            .throttle = Some(ThrottleSpecConfig { rate, burst });
        self
    }

    /// Sets the request limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }

    /// Sets the largest accepted request body, in bytes.
    pub fn body_limit(mut self, bytes: u64) -> Self {
        self.config.limits.body_bytes = bytes;
        self
    }

    /// Sets how long a handler may run before the gateway answers 504.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.limits.timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Refuse to start ([`Gateway::check`] fails) when an operation needs a security
    /// scheme without a verifier.
    pub fn strict(mut self, strict: bool) -> Self {
        self.config.strict = strict;
        self
    }

    /// Sets the `[auth]` section: JWT, basic, SigV4 and custom-authorizer settings.
    pub fn auth(mut self, auth: AuthConfig) -> Self {
        self.config.auth = auth;
        self
    }

    /// Verifies security scheme `scheme` with `authorizer` (whatever the scheme's type),
    /// with the identity sources and cache TTL of `[auth.custom.SCHEME]` (defaults: the
    /// scheme's API key location or the `Authorization` header; 300 s).
    pub fn authorizer(mut self, scheme: impl Into<String>, authorizer: impl Authorizer) -> Self {
        let scheme = scheme.into();
        self.authorizers.retain(|(name, _)| *name != scheme);
        self.authorizers.push((scheme, Arc::new(authorizer)));
        self
    }

    /// Reads time from `clock` instead of the system clock (tests step a
    /// [`ManualClock`](crate::ManualClock) instead of sleeping).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Checks the configuration and builds the gateway.
    pub fn build(self) -> Result<Gateway, Error> {
        self.config
            .validate()
            .map_err(|message| Error::config(CODE_SOURCE, message))?;
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock::new()));
        Gateway::new_checked(
            self.config,
            &self.authorizers,
            clock,
            Path::new(CODE_SOURCE),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Quota, QuotaPeriod};
    use crate::meta::{
        ApiKeyLocation, SchemeKind, SchemeRequirement, SecurityRequirement, SecuritySchemeMeta,
        ThrottleSpec,
    };
    use crate::throttle::ManualClock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static SCHEMES: &[SecuritySchemeMeta] = &[
        SecuritySchemeMeta {
            name: "ApiKeyAuth",
            kind: SchemeKind::ApiKey {
                location: ApiKeyLocation::Header,
                name: "X-API-Key",
            },
            authorizer: None,
        },
        SecuritySchemeMeta {
            name: "BearerAuth",
            kind: SchemeKind::Http { scheme: "bearer" },
            authorizer: None,
        },
    ];
    static KEY_ONLY: &[SecurityRequirement] = &[SecurityRequirement {
        schemes: &[SchemeRequirement {
            scheme: "ApiKeyAuth",
            scopes: &[],
        }],
    }];
    static BEARER_ONLY: &[SecurityRequirement] = &[SecurityRequirement {
        schemes: &[SchemeRequirement {
            scheme: "BearerAuth",
            scopes: &[],
        }],
    }];
    static KEY_OR_BEARER: &[SecurityRequirement] = &[
        SecurityRequirement {
            schemes: &[SchemeRequirement {
                scheme: "BearerAuth",
                scopes: &[],
            }],
        },
        SecurityRequirement {
            schemes: &[SchemeRequirement {
                scheme: "ApiKeyAuth",
                scopes: &[],
            }],
        },
    ];
    static OPERATIONS: &[OperationMeta] = &[
        OperationMeta {
            id: "listPets",
            method: "GET",
            path: "/pets",
            security: KEY_ONLY,
            throttle: None,
            body: None,
        },
        OperationMeta {
            id: "createPet",
            method: "POST",
            path: "/pets",
            security: BEARER_ONLY,
            throttle: Some(ThrottleSpec {
                rate: 1.0,
                burst: 3,
            }),
            body: None,
        },
        OperationMeta {
            id: "getPet",
            method: "GET",
            path: "/pets/{id}",
            security: KEY_OR_BEARER,
            throttle: None,
            body: None,
        },
        OperationMeta {
            id: "health",
            method: "GET",
            path: "/health",
            security: &[],
            throttle: None,
            body: None,
        },
    ];
    static API: ApiMeta = ApiMeta {
        title: "Pets",
        version: "1",
        security_schemes: SCHEMES,
        operations: OPERATIONS,
        throttle: None,
        api_key_source: None,
    };
    static THROTTLED_API: ApiMeta = ApiMeta {
        title: "Pets",
        version: "1",
        security_schemes: SCHEMES,
        operations: OPERATIONS,
        throttle: Some(ThrottleSpec {
            rate: 1.0,
            burst: 2,
        }),
        api_key_source: None,
    };

    fn list_pets() -> &'static OperationMeta {
        &OPERATIONS[0]
    }
    fn create_pet() -> &'static OperationMeta {
        &OPERATIONS[1]
    }
    fn health() -> &'static OperationMeta {
        &OPERATIONS[3]
    }

    async fn principal(gateway: &Gateway, key: &str) -> Principal {
        let parts = http::Request::builder()
            .header("x-api-key", key)
            .body(())
            .unwrap()
            .into_parts()
            .0;
        gateway
            .authenticate(&API, list_pets(), &parts)
            .await
            .unwrap()
            .unwrap()
    }

    async fn admitted(
        gateway: &Gateway,
        op: &'static OperationMeta,
        principal: Option<&Principal>,
        n: usize,
    ) -> usize {
        let mut count = 0;
        for _ in 0..n {
            if gateway.throttle(&API, op, principal).await.is_ok() {
                count += 1;
            }
        }
        count
    }

    #[test]
    fn default_gateway() {
        let gateway = Gateway::default();
        assert_eq!(gateway.spec_path(), Some("/openapi.json"));
        assert!(!gateway.validate_responses());
        assert_eq!(gateway.limits().body_bytes, 10_485_760);
        assert_eq!(gateway.limits().timeout_ms, 29_000);
        assert!(gateway.config().api_keys.is_empty());
    }

    #[test]
    fn spec_path_can_be_disabled() {
        let mut config = Config::default();
        config.spec.serve = false;
        assert_eq!(Gateway::from_config(config).unwrap().spec_path(), None);
    }

    #[test]
    fn builder_errors() {
        let err = Gateway::builder()
            .api_key_with_plan("a", "k", "missing")
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("plan \"missing\" is not defined"),
            "{err}"
        );
        let err = Gateway::builder().throttle(-1.0, 1).build().unwrap_err();
        assert!(
            err.to_string().starts_with("<config>: throttle.rate"),
            "{err}"
        );
    }

    #[test]
    fn builder_settings() {
        let gateway = Gateway::builder()
            .body_limit(10)
            .timeout(Duration::from_secs(2))
            .strict(true)
            .api_key("a", "k")
            .build()
            .unwrap();
        assert_eq!(gateway.limits().body_bytes, 10);
        assert_eq!(gateway.limits().timeout_ms, 2000);
        assert!(gateway.config().strict);
        let shown = format!("{gateway:?}");
        assert!(!shown.contains("\"k\""), "{shown}");
    }

    #[test]
    fn check_warns_or_refuses() {
        // No keys: listPets (key only), createPet (bearer only) and getPet are blocked.
        assert!(Gateway::default().check(&API).is_ok());
        let strict = Gateway::builder().strict(true).build().unwrap();
        let Err(Error::Strict(message)) = strict.check(&API) else {
            panic!("strict check passed");
        };
        assert!(
            message.contains("`ApiKeyAuth` cannot be verified: no [[api_keys]]"),
            "{message}"
        );
        assert!(message.contains("listPets, getPet"), "{message}");
        assert!(message.contains("`BearerAuth`"), "{message}");
        assert!(
            message.contains("there is no [auth.jwt.BearerAuth] section"),
            "{message}"
        );
        assert!(!message.contains("health"), "{message}");

        // With a key, getPet passes through its API key alternative; createPet does not.
        let strict = Gateway::builder()
            .strict(true)
            .api_key("a", "k")
            .build()
            .unwrap();
        let Err(Error::Strict(message)) = strict.check(&API) else {
            panic!("strict check passed");
        };
        assert!(!message.contains("ApiKeyAuth"), "{message}");
        assert!(message.contains("(needed by createPet)"), "{message}");

        // A JWT section makes the bearer scheme verifiable: strict passes.
        let mut config = Config::from_toml_str(
            "strict = true\n[[api_keys]]\nid = \"a\"\nkey = \"k\"\n[auth.jwt.BearerAuth]\n\
             issuer = \"i\"\njwks_url = \"https://issuer.invalid/jwks.json\"\n",
        )
        .unwrap();
        let gateway = Gateway::from_config(config.clone()).unwrap();
        assert!(gateway.check(&API).is_ok());
        config.strict = false;
        assert!(Gateway::from_config(config).unwrap().check(&API).is_ok());
    }

    #[tokio::test]
    async fn no_scope_means_no_headers() {
        let gateway = Gateway::default();
        for _ in 0..1000 {
            let headers = gateway.throttle(&API, health(), None).await.unwrap();
            assert!(headers.is_empty());
        }
    }

    #[tokio::test]
    async fn gateway_bucket_with_manual_clock() {
        let clock = Arc::new(ManualClock::default());
        let config = Config {
            throttle: Some(ThrottleConfig {
                headers_on_success: true,
                ..ThrottleConfig::new(2.0, 4)
            }),
            ..Config::default()
        };
        let gateway = Gateway::builder()
            .config(config)
            .clock(clock.clone())
            .build()
            .unwrap();
        assert_eq!(admitted(&gateway, health(), None, 10).await, 4);
        let problem = gateway.throttle(&API, health(), None).await.unwrap_err();
        assert_eq!(problem.status, 429);
        assert_eq!(problem.headers["retry-after"], "1");
        assert_eq!(problem.headers["ratelimit-policy"], "\"gateway\";q=4;w=2");
        assert_eq!(problem.headers["ratelimit"], "\"gateway\";r=0;t=2");
        assert!(problem.detail.contains("gateway"), "{}", problem.detail);
        clock.advance(Duration::from_millis(500));
        assert_eq!(admitted(&gateway, health(), None, 10).await, 1);
        clock.advance(Duration::from_secs(60));
        let headers = gateway.throttle(&API, health(), None).await.unwrap();
        assert_eq!(headers["ratelimit"], "\"gateway\";r=3;t=1");
    }

    #[tokio::test]
    async fn document_throttle_is_the_default_gateway_bucket() {
        let clock = Arc::new(ManualClock::default());
        let gateway = Gateway::default().with_clock(clock);
        let mut count = 0;
        for _ in 0..10 {
            if gateway
                .throttle(&THROTTLED_API, health(), None)
                .await
                .is_ok()
            {
                count += 1;
            }
        }
        assert_eq!(count, 2);
    }

    #[tokio::test]
    async fn operation_throttle_and_override() {
        let clock = Arc::new(ManualClock::default());
        let gateway = Gateway::default().with_clock(clock.clone());
        // createPet: x-tollgate-throttle burst 3.
        assert_eq!(admitted(&gateway, create_pet(), None, 10).await, 3);
        // Other operations are unaffected.
        assert_eq!(admitted(&gateway, list_pets(), None, 10).await, 10);
        // The configuration overrides the spec.
        let gateway = Gateway::builder()
            .operation_throttle("createPet", 1.0, 5)
            .operation_throttle("listPets", 1.0, 1)
            .clock(clock)
            .build()
            .unwrap();
        assert_eq!(admitted(&gateway, create_pet(), None, 10).await, 5);
        assert_eq!(admitted(&gateway, list_pets(), None, 10).await, 1);
    }

    fn plan_gateway(clock: Arc<ManualClock>, quota: Option<Quota>) -> Gateway {
        Gateway::builder()
            .plan(
                "gold",
                PlanConfig {
                    rate: Some(1.0),
                    burst: Some(2),
                    quota,
                },
            )
            .plan(
                "quota-only",
                PlanConfig {
                    quota: Some(Quota {
                        limit: 3,
                        period: QuotaPeriod::Day,
                    }),
                    ..PlanConfig::default()
                },
            )
            .api_key_with_plan("gold-1", "gold-key-1", "gold")
            .api_key_with_plan("gold-2", "gold-key-2", "gold")
            .api_key_with_plan("q", "q-key", "quota-only")
            .api_key("free", "free-key")
            .throttle(1.0, 10)
            .clock(clock)
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn plan_buckets_are_per_key() {
        let clock = Arc::new(ManualClock::default());
        let gateway = plan_gateway(clock, None);
        let gold_1 = principal(&gateway, "gold-key-1").await;
        let gold_2 = principal(&gateway, "gold-key-2").await;
        let free = principal(&gateway, "free-key").await;
        assert_eq!(admitted(&gateway, health(), Some(&gold_1), 5).await, 2);
        assert_eq!(admitted(&gateway, health(), Some(&gold_2), 5).await, 2);
        // The 6 refusals by the key buckets took nothing from the gateway's 10.
        assert_eq!(admitted(&gateway, health(), Some(&free), 20).await, 6);
        let headers = gateway
            .throttle(&API, health(), Some(&gold_1))
            .await
            .unwrap_err()
            .headers;
        assert_eq!(
            headers["ratelimit-policy"],
            "\"key\";q=2;w=2, \"gateway\";q=10;w=10"
        );
    }

    #[tokio::test]
    async fn quota_resets_at_utc_day_boundary() {
        // 2025-01-01T23:59:58Z.
        let clock = Arc::new(ManualClock::at_unix(
            ManualClock::DEFAULT_START_UNIX + 86_398,
        ));
        let gateway = plan_gateway(clock.clone(), None);
        let q = principal(&gateway, "q-key").await;
        assert_eq!(admitted(&gateway, health(), Some(&q), 2).await, 2);
        clock.advance(Duration::from_millis(1500));
        assert_eq!(admitted(&gateway, health(), Some(&q), 5).await, 1);
        let problem = gateway
            .throttle(&API, health(), Some(&q))
            .await
            .unwrap_err();
        assert_eq!(problem.headers["retry-after"], "1");
        assert!(problem.detail.contains("quota"), "{}", problem.detail);
        assert!(problem.headers["ratelimit"]
            .to_str()
            .unwrap()
            .starts_with("\"quota\";r=0;t=1"));
        // Midnight UTC: a new day, a new quota.
        clock.advance(Duration::from_millis(500));
        assert_eq!(admitted(&gateway, health(), Some(&q), 5).await, 3);
    }

    #[tokio::test]
    async fn quota_counts_only_admitted_requests() {
        let clock = Arc::new(ManualClock::default());
        let gateway = plan_gateway(
            clock.clone(),
            Some(Quota {
                limit: 5,
                period: QuotaPeriod::Month,
            }),
        );
        let gold = principal(&gateway, "gold-key-1").await;
        // Burst 2: 2 admitted, 8 refused by the key bucket (not counted by the quota).
        assert_eq!(admitted(&gateway, health(), Some(&gold), 10).await, 2);
        for _ in 0..5 {
            clock.advance(Duration::from_secs(5));
            admitted(&gateway, health(), Some(&gold), 10).await;
        }
        // 2 + 3 more admitted; the quota of 5 is used up for the month.
        clock.advance(Duration::from_secs(5));
        let problem = gateway
            .throttle(&API, health(), Some(&gold))
            .await
            .unwrap_err();
        assert!(problem.detail.contains("(quota)"), "{}", problem.detail);
        // January 2025 ends in 31 days minus 30 s.
        let retry: u64 = problem.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(retry, 31 * 86_400 - 30);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sixty_four_concurrent_tasks_admit_exactly() {
        let clock = Arc::new(ManualClock::default());
        let gateway = plan_gateway(
            clock.clone(),
            Some(Quota {
                limit: 1_000_000,
                period: QuotaPeriod::Day,
            }),
        );
        let gateway = Gateway::builder()
            .config(gateway.config().clone())
            .throttle(100.0, 50)
            .clock(clock.clone())
            .build()
            .unwrap();
        let free = Arc::new(principal(&gateway, "free-key").await);
        let gold = Arc::new(principal(&gateway, "gold-key-1").await);
        let total = Arc::new(AtomicUsize::new(0));
        let gold_total = Arc::new(AtomicUsize::new(0));
        // 10 rounds; between rounds the clock moves 100 ms (10 tokens for the gateway,
        // 0.1 for the gold key).
        for round in 0..10 {
            let mut tasks = Vec::new();
            for task in 0..64 {
                let gateway = gateway.clone();
                let total = total.clone();
                let gold_total = gold_total.clone();
                let principal = if task % 2 == 0 {
                    free.clone()
                } else {
                    gold.clone()
                };
                tasks.push(tokio::spawn(async move {
                    for _ in 0..20 {
                        if gateway
                            .throttle(&API, health(), Some(&principal))
                            .await
                            .is_ok()
                        {
                            total.fetch_add(1, Ordering::Relaxed);
                            if principal.api_key_id.as_deref() == Some("gold-1") {
                                gold_total.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                }));
            }
            for task in tasks {
                task.await.unwrap();
            }
            // Admissions so far: the burst plus what the elapsed time refilled, exactly.
            let elapsed_ms = round * 100;
            assert_eq!(total.load(Ordering::Relaxed), 50 + elapsed_ms / 10);
            // Gold's own bucket (burst 2, 1/s) never admits more than its burst here.
            assert!(gold_total.load(Ordering::Relaxed) <= 2);
            clock.advance(Duration::from_millis(100));
        }
    }

    #[test]
    fn store_failure_policy() {
        use crate::config::OnStoreError;
        let err = std::io::Error::other("connection refused");
        let allow = Throttle::new(&Config::default(), Arc::new(ManualClock::default()));
        assert!(allow
            .store_failed(&err)
            .unwrap()
            .into_header_map()
            .is_empty());
        let mut config = Config::default();
        let mut throttle = ThrottleConfig::new(1.0, 1);
        throttle.on_store_error = OnStoreError::Deny;
        config.throttle = Some(throttle);
        let deny = Throttle::new(&config, Arc::new(ManualClock::default()));
        assert_eq!(deny.store_failed(&err).unwrap_err().status, 503);
    }
}
