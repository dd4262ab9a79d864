//! The configuration file, `tollgate.toml`.
//!
//! Every section is optional and every struct refuses unknown fields, so a typo is an
//! error instead of a silently ignored setting:
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//!
//! [limits]
//! body_bytes = 10_485_760      # 413 above this, without reading the rest
//! timeout_ms = 29_000          # 504 when a handler runs past it
//!
//! [throttle]                   # gateway-wide token bucket: sustained rate, burst capacity
//! rate = 10000.0
//! burst = 5000
//! store = "memory"
//! on_store_error = "allow"     # or "deny" (503)
//! store_timeout_ms = 100       # a Redis decision slower than this counts as a store error
//! key_prefix = "tollgate"      # prefix of every Redis key
//! headers_on_success = false   # true: RateLimit headers on admitted answers too (429s always)
//!
//! [plans.gold]                 # a usage plan: per-key throttle and quota
//! rate = 100.0
//! burst = 200
//! quota = { limit = 100000, period = "day" }   # day | week | month
//!
//! [[api_keys]]
//! id = "partner-a"
//! key = "bench-key-1"          # or key_sha256 = "<hex>"
//! plan = "gold"
//!
//! [operations.createPet]       # per-operation override of x-tollgate-throttle
//! throttle = { rate = 5.0, burst = 10 }
//!
//! [spec]
//! serve = true
//! path = "/openapi.json"
//!
//! [development]
//! validate_responses = false
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::auth::MAX_KEY_LEN;
use crate::error::Error;
use crate::throttle::redis::{is_redis_url, Target};

/// The path reported in configuration errors of [`Config::from_toml_str`].
const STRING_SOURCE: &str = "<string>";
/// The path reported in configuration errors of configurations built in code.
pub(crate) const CODE_SOURCE: &str = "<config>";

/// The whole configuration of a [`Gateway`](crate::Gateway).
///
/// Parse it with [`Config::from_file`] or [`Config::from_toml_str`], or start from
/// [`Config::default()`] and set fields.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The address [`serve`](crate::serve) listens on. Default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// Refuse to start when an operation needs a security scheme that has no verifier
    /// (instead of logging a warning and answering 401).
    pub strict: bool,
    /// Request body and handler time limits.
    pub limits: Limits,
    /// The gateway-wide token bucket and the throttle store.
    pub throttle: Option<ThrottleConfig>,
    /// Usage plans by name: per-key throttle and quota.
    pub plans: BTreeMap<String, PlanConfig>,
    /// The accepted API keys.
    pub api_keys: Vec<ApiKeyConfig>,
    /// Verifiers for security schemes other than `apiKey`.
    pub auth: AuthConfig,
    /// Per-operation settings, keyed by `operationId`.
    pub operations: BTreeMap<String, OperationConfig>,
    /// Serving the OpenAPI document itself.
    pub spec: SpecConfig,
    /// Settings meant for development only.
    pub development: DevelopmentConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            strict: false,
            limits: Limits::default(),
            throttle: None,
            plans: BTreeMap::new(),
            api_keys: Vec::new(),
            auth: AuthConfig::default(),
            operations: BTreeMap::new(),
            spec: SpecConfig::default(),
            development: DevelopmentConfig::default(),
        }
    }
}

/// Request limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest accepted request body in bytes; larger bodies get 413 without being read
    /// further. Default 10 MiB (`10_485_760`).
    pub body_bytes: u64,
    /// How long a handler may run before the gateway answers 504, in milliseconds.
    /// Default `29_000` (Amazon API Gateway's integration timeout). Must be at least 1.
    pub timeout_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 10_485_760,
            timeout_ms: 29_000,
        }
    }
}

impl Limits {
    /// [`timeout_ms`](Self::timeout_ms) as a [`Duration`].
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// `[throttle]`: the gateway-wide token bucket and where throttle state lives.
///
/// `Debug` hides the password of a Redis URL.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleConfig {
    /// Sustained requests per second across the whole gateway. Must be finite and > 0.
    pub rate: f64,
    /// Bucket capacity: how many requests may arrive at once. `0` refuses every request.
    pub burst: u32,
    /// Where throttle state lives: `"memory"` (the default; per process), a Redis server
    /// shared by a fleet of gateways (`"redis://[user:password@]host:port[/db]"`,
    /// `rediss://` for TLS) or a Redis Cluster
    /// (`"redis+cluster://[user:password@]host:port[,host:port…]"`, seed nodes).
    #[serde(default = "default_store")]
    pub store: String,
    /// What to do when the store cannot be reached. Only a remote store can fail.
    #[serde(default)]
    pub on_store_error: OnStoreError,
    /// How long one decision may wait for a remote store before `on_store_error`
    /// applies, in milliseconds. Default `100`. Must be at least 1.
    #[serde(default = "default_store_timeout_ms")]
    pub store_timeout_ms: u64,
    /// The prefix of every key the Redis store writes (gateways of different APIs
    /// sharing one Redis use different prefixes). Default `"tollgate"`; must not
    /// contain `{` or `}`.
    #[serde(default = "default_key_prefix")]
    pub key_prefix: String,
    /// Add the `RateLimit-Policy` and `RateLimit` headers to admitted answers too (429s
    /// always carry them). Default `false`, like Amazon API Gateway: the fields cost
    /// about a tenth of an admitted request's work (see the README's throttling figures).
    #[serde(default = "default_headers_on_success")]
    pub headers_on_success: bool,
}

impl fmt::Debug for ThrottleConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `scheme://user:password@host` → `scheme://<redacted>@host`.
        let store = match (self.store.split_once("://"), self.store.rfind('@')) {
            (Some((scheme, _)), Some(at)) => format!("{scheme}://<redacted>{}", &self.store[at..]),
            _ => self.store.clone(),
        };
        f.debug_struct("ThrottleConfig")
            .field("rate", &self.rate)
            .field("burst", &self.burst)
            .field("store", &store)
            .field("on_store_error", &self.on_store_error)
            .field("store_timeout_ms", &self.store_timeout_ms)
            .field("key_prefix", &self.key_prefix)
            .field("headers_on_success", &self.headers_on_success)
            .finish()
    }
}

fn default_store_timeout_ms() -> u64 {
    100
}

fn default_headers_on_success() -> bool {
    false
}

fn default_key_prefix() -> String {
    "tollgate".to_owned()
}

fn default_store() -> String {
    "memory".to_owned()
}

impl ThrottleConfig {
    /// A gateway-wide bucket of `rate` requests per second and `burst` capacity, kept in
    /// memory, allowing requests when the store fails.
    pub fn new(rate: f64, burst: u32) -> Self {
        Self {
            rate,
            burst,
            store: default_store(),
            on_store_error: OnStoreError::default(),
            store_timeout_ms: default_store_timeout_ms(),
            key_prefix: default_key_prefix(),
            headers_on_success: default_headers_on_success(),
        }
    }

    /// [`store_timeout_ms`](Self::store_timeout_ms) as a [`Duration`].
    pub fn store_timeout(&self) -> Duration {
        Duration::from_millis(self.store_timeout_ms)
    }
}

/// What the gateway does when the throttle store fails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnStoreError {
    /// Let the request through (and log a warning). The default.
    #[default]
    Allow,
    /// Answer 503.
    Deny,
}

/// `[plans.NAME]`: a usage plan, applied per API key.
///
/// `rate` and `burst` come together (both or neither); without them the plan only has a
/// quota.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanConfig {
    /// Sustained requests per second for each key on the plan.
    pub rate: Option<f64>,
    /// Bucket capacity for each key on the plan.
    pub burst: Option<u32>,
    /// How many requests each key may make per period.
    pub quota: Option<Quota>,
}

/// A request quota: `limit` admitted requests per `period` (UTC calendar periods).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// Requests admitted per period. `0` refuses every request.
    pub limit: u64,
    /// The period after which the count starts again.
    pub period: QuotaPeriod,
}

/// The period of a [`Quota`]. Periods start at UTC midnight; weeks start on Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuotaPeriod {
    /// A UTC calendar day.
    Day,
    /// An ISO week (Monday 00:00 UTC to the next Monday).
    Week,
    /// A UTC calendar month.
    Month,
}

/// `[[api_keys]]`: one accepted API key.
///
/// Exactly one of `key` and `key_sha256` is set. `Debug` does not print either.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// The key's id: the principal's subject, and what logs and quotas name.
    pub id: String,
    /// The key itself (at most 4096 bytes).
    #[serde(default)]
    pub key: Option<String>,
    /// The SHA-256 of the key, in hex, to keep the key itself out of the file.
    #[serde(default)]
    pub key_sha256: Option<String>,
    /// The usage plan of the key (a name in `[plans]`).
    #[serde(default)]
    pub plan: Option<String>,
}

impl fmt::Debug for ApiKeyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyConfig")
            .field("id", &self.id)
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .field(
                "key_sha256",
                &self.key_sha256.as_ref().map(|_| "<redacted>"),
            )
            .field("plan", &self.plan)
            .finish()
    }
}

/// `[auth]`: verifiers for security schemes other than `apiKey`, each section keyed by
/// the name of the security scheme it verifies (see the README's Authentication section
/// for a worked example of each).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Where usage-plan API keys come from: `"header"` (`apiKey` schemes) or
    /// `"authorizer"` (a custom authorizer's usage identifier key). Default: the
    /// document's `x-amazon-apigateway-api-key-source`, else `"header"`.
    pub api_key_source: Option<ApiKeySource>,
    /// `[auth.jwt.SCHEME]`: JWT verifiers for `http` `bearer`, `oauth2` and
    /// `openIdConnect` schemes.
    pub jwt: BTreeMap<String, JwtConfig>,
    /// `[auth.basic.SCHEME]`: users of `http` `basic` schemes.
    pub basic: BTreeMap<String, BasicConfig>,
    /// `[auth.sigv4.SCHEME]`: AWS SigV4 verification for schemes marked
    /// `x-amazon-apigateway-authtype: awsSigv4`.
    pub sigv4: BTreeMap<String, SigV4Config>,
    /// `[auth.custom.SCHEME]`: settings of a custom authorizer registered with
    /// [`GatewayBuilder::authorizer`](crate::GatewayBuilder::authorizer).
    pub custom: BTreeMap<String, CustomAuthConfig>,
}

/// Where usage-plan API keys come from (Amazon API Gateway's
/// `x-amazon-apigateway-api-key-source`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKeySource {
    /// From the request, through `apiKey` schemes (`HEADER`). The default.
    #[default]
    Header,
    /// From a custom authorizer's
    /// [`usage_identifier_key`](crate::AuthorizerDecision::Allow) (`AUTHORIZER`).
    Authorizer,
}

/// `[auth.jwt.SCHEME]`: how to verify the JWTs of one security scheme.
///
/// At least one key source: `jwks_file`, `jwks_url` or `hs256_secret_env`. Tokens must
/// carry `exp`; `iss` and `aud` are required (and must match) when `issuer` and
/// `audience` are set. `issuer`, `audience` and `identity_source` default to the
/// `jwtConfiguration` and `identitySource` of the scheme's `x-amazon-apigateway-authorizer`
/// (`type: jwt`), when the document has one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JwtConfig {
    /// The expected `iss` claim.
    pub issuer: Option<String>,
    /// The accepted `aud` values (a string or a list); a token must name one of them.
    #[serde(deserialize_with = "one_or_many")]
    pub audience: Vec<String>,
    /// A JWKS file with the verification keys (read at startup; relative to the working
    /// directory).
    pub jwks_file: Option<PathBuf>,
    /// A JWKS URL (`https://…/.well-known/jwks.json`), fetched on first use, cached and
    /// fetched again when a token names an unknown `kid`.
    pub jwks_url: Option<String>,
    /// The environment variable holding an HMAC secret (at least 32 bytes) for HS256,
    /// HS384 and HS512.
    pub hs256_secret_env: Option<String>,
    /// The accepted algorithms (`"RS256"`, `"ES256"`, `"EdDSA"`, …). Default: every
    /// asymmetric algorithm with JWKS keys, HS256/384/512 with a secret. `none` is never
    /// accepted.
    pub algorithms: Vec<String>,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds. Default 60.
    pub leeway_secs: u64,
    /// Where the token travels, in Amazon API Gateway's syntax. Default: the scheme's
    /// authorizer `identitySource`, else `$request.header.Authorization` (as
    /// `Bearer TOKEN`).
    pub identity_source: Option<String>,
    /// Timeout of one JWKS fetch, in milliseconds. Default 5000.
    pub jwks_timeout_ms: u64,
    /// How long fetched JWKS keys are used before fetching again, in seconds. Default 300.
    pub jwks_cache_secs: u64,
    /// The least time between two JWKS fetches (unknown `kid`s included), in seconds.
    /// Default 30.
    pub jwks_refresh_min_secs: u64,
}

impl Default for JwtConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            audience: Vec::new(),
            jwks_file: None,
            jwks_url: None,
            hs256_secret_env: None,
            algorithms: Vec::new(),
            leeway_secs: 60,
            identity_source: None,
            jwks_timeout_ms: 5000,
            jwks_cache_secs: 300,
            jwks_refresh_min_secs: 30,
        }
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// `[auth.basic.SCHEME]`: the users of an `http` `basic` scheme.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasicConfig {
    /// `users = [{ name = "alice", password_hash = "$argon2id$…" }]` (or `"$2b$…"`).
    pub users: Vec<BasicUser>,
}

/// One user of a basic scheme. `Debug` does not print the hash.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicUser {
    /// The user name: the principal's subject.
    pub name: String,
    /// An Argon2 hash in PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$…`), as
    /// written by the `argon2` CLI or any PHC-compatible library, or a bcrypt hash
    /// (`$2b$12$…`, as written by `htpasswd -nbB`).
    pub password_hash: String,
}

impl fmt::Debug for BasicUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicUser")
            .field("name", &self.name)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// `[auth.sigv4.SCHEME]`: AWS Signature Version 4 verification.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SigV4Config {
    /// The region of the credential scope (`us-east-1`). Required.
    pub region: String,
    /// The service of the credential scope. Default `execute-api`.
    pub service: String,
    /// How far `X-Amz-Date` may be from the gateway's clock, in seconds. Default 300.
    pub max_skew_secs: u64,
    /// The accepted access key pairs.
    pub credentials: Vec<SigV4Credential>,
}

impl Default for SigV4Config {
    fn default() -> Self {
        Self {
            region: String::new(),
            service: "execute-api".to_owned(),
            max_skew_secs: 300,
            credentials: Vec::new(),
        }
    }
}

/// One access key pair of a SigV4 scheme. Exactly one of `secret_access_key` and
/// `secret_access_key_env`. `Debug` does not print the secret.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigV4Credential {
    /// The access key id (`AKIA…`).
    pub access_key_id: String,
    /// The secret access key itself.
    #[serde(default)]
    pub secret_access_key: Option<String>,
    /// The environment variable holding the secret access key.
    #[serde(default)]
    pub secret_access_key_env: Option<String>,
    /// The principal's subject (an ARN, a user name). Default: the access key id.
    #[serde(default)]
    pub principal: Option<String>,
}

impl fmt::Debug for SigV4Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigV4Credential")
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .field("secret_access_key_env", &self.secret_access_key_env)
            .field("principal", &self.principal)
            .finish()
    }
}

/// `[auth.custom.SCHEME]`: settings of a custom authorizer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomAuthConfig {
    /// The identity sources the authorizer sees (`"$request.header.Authorization"`,
    /// `"$request.querystring.token"`, …); a request missing one is refused without
    /// asking the authorizer. Default: the `identitySource` of the scheme's
    /// `x-amazon-apigateway-authorizer`, else the scheme's API key location, else the
    /// `Authorization` header.
    pub identity_sources: Vec<String>,
    /// How long a decision is cached per identity, in seconds. `0` disables caching.
    /// Default: the scheme's `authorizerResultTtlInSeconds`, else 300 (Amazon API
    /// Gateway's default).
    pub ttl_secs: Option<u64>,
}

/// `[operations.OPERATION_ID]`: per-operation settings.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OperationConfig {
    /// Overrides the operation's `x-tollgate-throttle`.
    pub throttle: Option<ThrottleSpecConfig>,
}

/// A token bucket in the configuration: `{ rate = 5.0, burst = 10 }`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSpecConfig {
    /// Sustained requests per second. Must be finite and > 0.
    pub rate: f64,
    /// Bucket capacity. `0` refuses every request.
    pub burst: u32,
}

/// `[spec]`: serving the OpenAPI document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpecConfig {
    /// Serve the document (without authentication). Default `true`.
    pub serve: bool,
    /// Where to serve it. Default `/openapi.json`; must start with `/`.
    pub path: String,
}

impl Default for SpecConfig {
    fn default() -> Self {
        Self {
            serve: true,
            path: "/openapi.json".to_owned(),
        }
    }
}

/// `[development]`: settings for development only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DevelopmentConfig {
    /// Validate every handler response against the spec and answer 500 when it does not
    /// match. Default `false`.
    pub validate_responses: bool,
}

impl Config {
    /// Parses and checks a configuration from TOML text.
    ///
    /// Errors name the position (`line L, column C:`) when the TOML parser knows it.
    pub fn from_toml_str(s: &str) -> Result<Self, Error> {
        Self::parse(s, Path::new(STRING_SOURCE))
    }

    /// Reads, parses and checks a configuration file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|err| Error::config(path, format!("cannot read the file: {err}")))?;
        Self::parse(&text, path)
    }

    fn parse(text: &str, path: &Path) -> Result<Self, Error> {
        let config: Self = toml::from_str(text).map_err(|err| {
            let message = err.message().trim_end();
            let message = match err.span() {
                Some(span) => {
                    let (line, column) = line_column(text, span.start);
                    format!("line {line}, column {column}: {message}")
                }
                None => message.to_owned(),
            };
            Error::config(path, message)
        })?;
        config
            .validate()
            .map_err(|message| Error::config(path, message))?;
        Ok(config)
    }

    /// Checks what the types cannot express. The message never contains a key or a
    /// store URL (they may be secrets).
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.limits.timeout_ms == 0 {
            return Err("limits.timeout_ms must be at least 1".to_owned());
        }
        if let Some(throttle) = &self.throttle {
            check_rate("throttle.rate", throttle.rate)?;
            if throttle.store_timeout_ms == 0 {
                return Err("throttle.store_timeout_ms must be at least 1".to_owned());
            }
            if throttle.key_prefix.is_empty() || throttle.key_prefix.contains(['{', '}']) {
                return Err(
                    "throttle.key_prefix must be non-empty and contain no `{` or `}`".to_owned(),
                );
            }
            let store = throttle.store.trim();
            if is_redis_url(store) {
                Target::parse(store, throttle.store_timeout())
                    .map_err(|why| format!("throttle.store: {why}"))?;
            } else if store != "memory" {
                return Err("throttle.store: unknown store; expected \"memory\", \
                            \"redis://…\" or \"redis+cluster://…\""
                    .to_owned());
            }
        }
        for (name, plan) in &self.plans {
            match (plan.rate, plan.burst) {
                (Some(rate), Some(_)) => check_rate(&format!("plans.{name}.rate"), rate)?,
                (None, None) => {}
                (Some(_), None) => {
                    return Err(format!("plans.{name}: `rate` needs a `burst` as well"));
                }
                (None, Some(_)) => {
                    return Err(format!("plans.{name}: `burst` needs a `rate` as well"));
                }
            }
        }
        let mut ids = BTreeSet::new();
        let mut digests: Vec<([u8; 32], &str)> = Vec::with_capacity(self.api_keys.len());
        for (i, key) in self.api_keys.iter().enumerate() {
            let at = format!("api_keys[{i}]");
            if key.id.is_empty() {
                return Err(format!("{at}: `id` must not be empty"));
            }
            let at = format!("{at} (id {:?})", key.id);
            if !ids.insert(key.id.as_str()) {
                return Err(format!("{at}: another key has the same id"));
            }
            let digest = match (&key.key, &key.key_sha256) {
                (Some(_), Some(_)) => {
                    return Err(format!("{at}: set either `key` or `key_sha256`, not both"));
                }
                (None, None) => return Err(format!("{at}: needs `key` or `key_sha256`")),
                (Some(plain), None) => {
                    if plain.is_empty() {
                        return Err(format!("{at}: `key` must not be empty"));
                    }
                    if plain.len() > MAX_KEY_LEN {
                        return Err(format!("{at}: `key` is longer than {MAX_KEY_LEN} bytes"));
                    }
                    crate::auth::sha256(plain.as_bytes())
                }
                (None, Some(hex_digest)) => {
                    crate::auth::parse_sha256_hex(hex_digest).ok_or_else(|| {
                        format!("{at}: `key_sha256` must be 64 hexadecimal digits (a SHA-256)")
                    })?
                }
            };
            if let Some((_, other)) = digests.iter().find(|(d, _)| *d == digest) {
                return Err(format!("{at}: same key as the key with id {other:?}"));
            }
            digests.push((digest, key.id.as_str()));
            if let Some(plan) = &key.plan {
                if !self.plans.contains_key(plan) {
                    return Err(format!("{at}: plan {plan:?} is not defined in [plans]"));
                }
            }
        }
        for (id, operation) in &self.operations {
            if let Some(throttle) = &operation.throttle {
                check_rate(&format!("operations.{id}.throttle.rate"), throttle.rate)?;
            }
        }
        self.auth.validate()?;
        if !self.spec.path.starts_with('/') {
            return Err(format!(
                "spec.path must start with `/` (got {:?})",
                self.spec.path
            ));
        }
        Ok(())
    }
}

impl AuthConfig {
    /// Checks the `[auth]` sections without reading files or the environment (the
    /// gateway does that when it starts). Messages never contain a secret.
    fn validate(&self) -> Result<(), String> {
        for (name, jwt) in &self.jwt {
            let at = format!("auth.jwt.{name}");
            if jwt.jwks_file.is_none() && jwt.jwks_url.is_none() && jwt.hs256_secret_env.is_none() {
                return Err(format!(
                    "{at}: needs a key source: `jwks_file`, `jwks_url` or `hs256_secret_env`"
                ));
            }
            if let Some(url) = &jwt.jwks_url {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(format!("{at}.jwks_url must be an http:// or https:// URL"));
                }
            }
            for alg in &jwt.algorithms {
                crate::auth::jwt::parse_algorithm(alg).map_err(|why| format!("{at}.{why}"))?;
            }
            if let Some(source) = &jwt.identity_source {
                crate::auth::source::IdentitySource::parse(source)
                    .map_err(|why| format!("{at}.identity_source: {why}"))?;
            }
            if jwt.jwks_timeout_ms == 0 {
                return Err(format!("{at}.jwks_timeout_ms must be at least 1"));
            }
        }
        for (name, basic) in &self.basic {
            let mut names = BTreeSet::new();
            for (i, user) in basic.users.iter().enumerate() {
                let at = format!("auth.basic.{name}.users[{i}]");
                if user.name.is_empty() || user.name.contains(':') {
                    return Err(format!("{at}: `name` must be non-empty and without `:`"));
                }
                if !names.insert(user.name.as_str()) {
                    return Err(format!("{at}: another user is named {:?}", user.name));
                }
                crate::auth::basic::check_hash(&user.password_hash)
                    .map_err(|why| format!("{at}: `password_hash` {why}"))?;
            }
            if basic.users.is_empty() {
                return Err(format!("auth.basic.{name}: `users` is empty"));
            }
        }
        for (name, sigv4) in &self.sigv4 {
            let at = format!("auth.sigv4.{name}");
            if sigv4.region.is_empty() || sigv4.service.is_empty() {
                return Err(format!("{at}: `region` and `service` must not be empty"));
            }
            let mut ids = BTreeSet::new();
            for (i, c) in sigv4.credentials.iter().enumerate() {
                let at = format!("{at}.credentials[{i}]");
                if c.access_key_id.is_empty() {
                    return Err(format!("{at}: `access_key_id` must not be empty"));
                }
                if !ids.insert(c.access_key_id.as_str()) {
                    return Err(format!(
                        "{at}: another credential has the same access key id"
                    ));
                }
                if c.secret_access_key.is_some() == c.secret_access_key_env.is_some() {
                    return Err(format!(
                        "{at}: set exactly one of `secret_access_key` and `secret_access_key_env`"
                    ));
                }
            }
        }
        for (name, custom) in &self.custom {
            for source in &custom.identity_sources {
                crate::auth::source::IdentitySource::parse(source)
                    .map_err(|why| format!("auth.custom.{name}.identity_sources: {why}"))?;
            }
        }
        Ok(())
    }
}

fn check_rate(what: &str, rate: f64) -> Result<(), String> {
    if rate.is_finite() && rate > 0.0 {
        Ok(())
    } else {
        Err(format!(
            "{what} must be a finite number above 0 (got {rate})"
        ))
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of `design.md`, verbatim.
    const DESIGN_EXAMPLE: &str = r#"
listen = "127.0.0.1:8080"

[limits]
body_bytes = 10_485_760      # 413 above this, without reading the rest
timeout_ms = 29_000          # 504 when a handler runs past it

[throttle]                   # gateway-wide token bucket: sustained rate, burst capacity
rate = 10000.0
burst = 5000
store = "memory"             # or "redis://127.0.0.1:6379/0"
on_store_error = "allow"     # or "deny" (503)

[plans.gold]                 # a usage plan: per-key throttle and quota
rate = 100.0
burst = 200
quota = { limit = 100000, period = "day" }   # day | week | month

[[api_keys]]
id = "partner-a"
key = "bench-key-1"          # or key_sha256 = "<hex>"
plan = "gold"

[auth.jwt.BearerAuth]        # keyed by the securitySchemes name
issuer = "https://issuer.example"
audience = "tollgate-api"
jwks_file = "jwks.json"      # or hs256_secret_env = "JWT_SECRET"
"#;

    fn err_message(text: &str) -> String {
        match Config::from_toml_str(text) {
            Ok(config) => panic!("expected an error, got {config:?}"),
            Err(Error::Config { message, .. }) => message,
            Err(other) => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn parses_the_design_example() {
        let config = Config::from_toml_str(DESIGN_EXAMPLE).unwrap();
        assert_eq!(config.listen, "127.0.0.1:8080".parse().unwrap());
        assert!(!config.strict);
        assert_eq!(config.limits, Limits::default());
        let throttle = config.throttle.as_ref().unwrap();
        assert_eq!(throttle.rate, 10000.0);
        assert_eq!(throttle.burst, 5000);
        assert_eq!(throttle.store, "memory");
        assert_eq!(throttle.on_store_error, OnStoreError::Allow);
        let gold = &config.plans["gold"];
        assert_eq!(gold.rate, Some(100.0));
        assert_eq!(gold.burst, Some(200));
        assert_eq!(
            gold.quota,
            Some(Quota {
                limit: 100_000,
                period: QuotaPeriod::Day
            })
        );
        assert_eq!(config.api_keys.len(), 1);
        assert_eq!(config.api_keys[0].id, "partner-a");
        assert_eq!(config.api_keys[0].key.as_deref(), Some("bench-key-1"));
        assert_eq!(config.api_keys[0].plan.as_deref(), Some("gold"));
        let jwt = &config.auth.jwt["BearerAuth"];
        assert_eq!(jwt.issuer.as_deref(), Some("https://issuer.example"));
        assert_eq!(jwt.audience, vec!["tollgate-api".to_owned()]);
        assert_eq!(jwt.jwks_file.as_deref(), Some(Path::new("jwks.json")));
        assert!(config.spec.serve);
        assert_eq!(config.spec.path, "/openapi.json");
        assert!(!config.development.validate_responses);
    }

    #[test]
    fn empty_file_is_the_default() {
        assert_eq!(Config::from_toml_str("").unwrap(), Config::default());
        assert_eq!(Config::default().listen, "127.0.0.1:8080".parse().unwrap());
    }

    #[test]
    fn typo_is_an_error_with_position() {
        let message = err_message("[throttle]\nrate = 1.0\nburts = 5\n");
        assert!(message.starts_with("line 3, column 1:"), "{message}");
        assert!(message.contains("unknown field `burts`"), "{message}");

        let message = err_message("lisen = \"127.0.0.1:1\"\n");
        assert!(message.contains("unknown field `lisen`"), "{message}");

        let message = err_message("[plans.gold]\nquota = { limit = 1, period = \"year\" }\n");
        assert!(message.starts_with("line 2,"), "{message}");
    }

    #[test]
    fn error_names_the_file() {
        let dir = std::env::temp_dir().join(format!("tollgate-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tollgate.toml");
        std::fs::write(&file, "strict = \"yes\"\n").unwrap();
        let err = Config::from_file(&file).unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with(&file.display().to_string()), "{shown}");
        assert!(shown.contains("line 1, column 10"), "{shown}");
        std::fs::remove_file(&file).unwrap();
        let err = Config::from_file(&file).unwrap_err();
        assert!(err.to_string().contains("cannot read the file"), "{err}");
    }

    #[test]
    fn semantic_errors() {
        let message = err_message("[[api_keys]]\nid = \"a\"\nkey = \"k\"\nplan = \"silver\"\n");
        assert!(
            message.contains("plan \"silver\" is not defined"),
            "{message}"
        );

        let message = err_message("[[api_keys]]\nid = \"a\"\n");
        assert!(message.contains("needs `key` or `key_sha256`"), "{message}");

        let message = err_message(&format!(
            "[[api_keys]]\nid = \"a\"\nkey = \"k\"\nkey_sha256 = \"{}\"\n",
            "0".repeat(64)
        ));
        assert!(message.contains("not both"), "{message}");

        let message = err_message("[[api_keys]]\nid = \"a\"\nkey_sha256 = \"abc\"\n");
        assert!(message.contains("64 hexadecimal digits"), "{message}");

        let message = err_message(
            "[[api_keys]]\nid = \"a\"\nkey = \"same\"\n[[api_keys]]\nid = \"b\"\nkey = \"same\"\n",
        );
        assert!(
            message.contains("same key as the key with id \"a\""),
            "{message}"
        );
        assert!(!message.contains("same\""), "the key leaked: {message}");

        let message = err_message(
            "[[api_keys]]\nid = \"a\"\nkey = \"x\"\n[[api_keys]]\nid = \"a\"\nkey = \"y\"\n",
        );
        assert!(message.contains("same id"), "{message}");

        let message = err_message("[plans.p]\nrate = 1.0\n");
        assert!(message.contains("needs a `burst`"), "{message}");

        let message = err_message("[throttle]\nrate = 0.0\nburst = 1\n");
        assert!(message.contains("above 0"), "{message}");

        let message = err_message("[spec]\npath = \"openapi.json\"\n");
        assert!(message.contains("must start with `/`"), "{message}");
    }

    #[test]
    fn redis_stores_are_accepted_and_errors_never_echo_the_url() {
        for store in [
            "redis://:hunter2@127.0.0.1:6379/0",
            "redis+cluster://:hunter2@127.0.0.1:7000,127.0.0.1:7001",
        ] {
            let config = Config::from_toml_str(&format!(
                "[throttle]\nrate = 1.0\nburst = 1\nstore = \"{store}\"\nstore_timeout_ms = 50\n"
            ))
            .unwrap();
            let throttle = config.throttle.unwrap();
            assert_eq!(throttle.store_timeout_ms, 50);
            assert_eq!(throttle.key_prefix, "tollgate");
        }
        for store in ["redis://:hunter2@[::1", "redis+cluster://:hunter2@/"] {
            let message = err_message(&format!(
                "[throttle]\nrate = 1.0\nburst = 1\nstore = \"{store}\"\n"
            ));
            assert!(message.contains("throttle.store"), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
        let config = Config::from_toml_str(
            "[throttle]\nrate = 1.0\nburst = 1\nstore = \"redis://u:hunter2@127.0.0.1:6379/0\"\n",
        )
        .unwrap();
        let debug = format!("{config:?}");
        assert!(
            debug.contains("redis://<redacted>@127.0.0.1:6379/0"),
            "{debug}"
        );
        assert!(!debug.contains("hunter2"), "{debug}");
        let message = err_message("[throttle]\nrate = 1.0\nburst = 1\nstore = \"memcached\"\n");
        assert!(message.contains("unknown store"), "{message}");
        let message = err_message("[throttle]\nrate = 1.0\nburst = 1\nstore_timeout_ms = 0\n");
        assert!(message.contains("store_timeout_ms"), "{message}");
        let message = err_message("[throttle]\nrate = 1.0\nburst = 1\nkey_prefix = \"a{b\"\n");
        assert!(message.contains("key_prefix"), "{message}");
    }

    #[test]
    fn full_sections() {
        let config = Config::from_toml_str(
            r#"
strict = true
[throttle]
rate = 5.0
burst = 1
on_store_error = "deny"
[plans.free]
quota = { limit = 10, period = "month" }
[[api_keys]]
id = "h"
key_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
plan = "free"
[operations.listPets]
throttle = { rate = 2.5, burst = 3 }
[spec]
serve = false
[development]
validate_responses = true
"#,
        )
        .unwrap();
        assert!(config.strict);
        assert_eq!(config.throttle.unwrap().on_store_error, OnStoreError::Deny);
        assert_eq!(
            config.plans["free"].quota.unwrap().period,
            QuotaPeriod::Month
        );
        assert_eq!(
            config.operations["listPets"].throttle,
            Some(ThrottleSpecConfig {
                rate: 2.5,
                burst: 3
            })
        );
        assert!(!config.spec.serve);
        assert!(config.development.validate_responses);
    }

    #[test]
    fn debug_redacts_keys() {
        let key = ApiKeyConfig {
            id: "a".into(),
            key: Some("super-secret".into()),
            ..ApiKeyConfig::default()
        };
        let shown = format!("{key:?}");
        assert!(!shown.contains("super-secret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
