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
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleConfig {
    /// Sustained requests per second across the whole gateway. Must be finite and > 0.
    pub rate: f64,
    /// Bucket capacity: how many requests may arrive at once. `0` refuses every request.
    pub burst: u32,
    /// Where throttle state lives: `"memory"` (the default; per process). A
    /// `redis://` URL is recognised but refused for now: the Redis store is not
    /// available yet.
    #[serde(default = "default_store")]
    pub store: String,
    /// What to do when the store cannot be reached. Only a remote store can fail.
    #[serde(default)]
    pub on_store_error: OnStoreError,
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
        }
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

/// `[auth]`: verifiers for security schemes other than `apiKey`.
///
/// **Parsed but not yet used**: JWT verification is not implemented yet, so operations
/// that need a bearer, OAuth 2 or OpenID Connect scheme answer 401 even when the scheme
/// has an entry here (and the startup check says so).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// JWT verifiers keyed by the name of the security scheme they verify.
    pub jwt: BTreeMap<String, JwtConfig>,
}

/// `[auth.jwt.SCHEME]`: how to verify the JWTs of one security scheme.
///
/// **Parsed but not yet verified**: JWT verification is not implemented yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JwtConfig {
    /// The expected `iss` claim.
    pub issuer: Option<String>,
    /// The expected `aud` claim.
    pub audience: Option<String>,
    /// A JWKS file with the verification keys.
    pub jwks_file: Option<PathBuf>,
    /// The environment variable holding an HS256 secret.
    pub hs256_secret_env: Option<String>,
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
            let store = throttle.store.trim();
            if store.starts_with("redis://")
                || store.starts_with("rediss://")
                || store.starts_with("redis+unix://")
            {
                return Err(
                    "throttle.store: the Redis store is not available yet in this \
                            version of tollgate; use store = \"memory\""
                        .to_owned(),
                );
            }
            if store != "memory" {
                return Err("throttle.store: unknown store; expected \"memory\" \
                            (a redis:// URL is recognised but not available yet)"
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
        if !self.spec.path.starts_with('/') {
            return Err(format!(
                "spec.path must start with `/` (got {:?})",
                self.spec.path
            ));
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
        assert_eq!(jwt.audience.as_deref(), Some("tollgate-api"));
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
    fn redis_store_is_refused_without_echoing_the_url() {
        let message = err_message(
            "[throttle]\nrate = 1.0\nburst = 1\nstore = \"redis://:hunter2@127.0.0.1:6379/0\"\n",
        );
        assert!(
            message.contains("Redis store is not available yet"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
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
