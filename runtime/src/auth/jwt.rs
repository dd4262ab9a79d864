//! JWT bearer tokens, for `http` `bearer`, `oauth2` and `openIdConnect` schemes (and the
//! JWT authorizer of Amazon API Gateway HTTP APIs, configured the same way).
//!
//! A token is accepted when its header names an allowed algorithm (never `none`), a key of
//! that algorithm's family verifies its signature (so an RSA public key can never be used
//! as an HMAC secret), `exp` is in the future and `nbf` in the past (with leeway), and
//! `iss`/`aud` match the configuration when it names them (the claims are then required).

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::jwks::{Key, KeySet, RemoteJwks, RemoteSettings};
use super::source::IdentitySource;
use crate::config::JwtConfig;
use crate::context::Principal;
use crate::meta::AuthorizerMeta;

/// Longer tokens are refused without being parsed.
pub(crate) const MAX_TOKEN_LEN: usize = 8192;

/// Algorithms accepted with keys from a JWKS when `algorithms` is not configured.
const ASYMMETRIC: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];
/// Algorithms accepted with an HMAC secret when `algorithms` is not configured.
const SYMMETRIC: &[Algorithm] = &[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// The verifier of one JWT scheme.
pub(crate) struct JwtVerifier {
    /// `identity_source` of the configuration; `None`: the scheme's authorizer's, else the
    /// `Authorization` header.
    source: Option<IdentitySource>,
    local: KeySet,
    remote: Option<RemoteJwks>,
    algorithms: Vec<Algorithm>,
    issuer: Option<String>,
    audience: Vec<String>,
    leeway: u64,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("source", &self.source)
            .field("local_keys", &self.local.len())
            .field("remote", &self.remote)
            .field("algorithms", &self.algorithms)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// Why a token was refused. Logged at debug level, never answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not three base64url parts, an unknown or disallowed `alg` (including `none`).
    Malformed,
    /// No key fits the token's `kid` and `alg`.
    NoKey,
    /// The signature does not verify.
    Signature,
    /// `exp` is past.
    Expired,
    /// `nbf` is in the future.
    NotYetValid,
    /// `iss`, `aud` or another claim does not match or is missing.
    Claims,
}

impl JwtVerifier {
    /// The verifier for `[auth.jwt.NAME]`; reads `jwks_file` and `hs256_secret_env` now.
    /// Errors never contain the secret.
    pub(crate) fn new(config: &JwtConfig) -> Result<Self, String> {
        let source = config
            .identity_source
            .as_deref()
            .map(IdentitySource::parse)
            .transpose()?;
        let mut local = KeySet::default();
        let mut defaults: Vec<Algorithm> = Vec::new();
        if let Some(path) = &config.jwks_file {
            local = read_jwks_file(path)?;
            defaults.extend_from_slice(ASYMMETRIC);
        }
        if let Some(var) = &config.hs256_secret_env {
            let secret = std::env::var(var)
                .map_err(|_| format!("hs256_secret_env: environment variable {var} is not set"))?;
            if secret.len() < 32 {
                return Err(format!(
                    "hs256_secret_env: the secret in {var} is shorter than 32 bytes"
                ));
            }
            local.push(Key::secret(secret.as_bytes()));
            defaults.extend_from_slice(SYMMETRIC);
        }
        let remote = match &config.jwks_url {
            Some(url) => {
                defaults.extend_from_slice(ASYMMETRIC);
                Some(RemoteJwks::new(RemoteSettings {
                    url: url.clone(),
                    timeout: Duration::from_millis(config.jwks_timeout_ms),
                    cache: Duration::from_secs(config.jwks_cache_secs),
                    min_refresh: Duration::from_secs(config.jwks_refresh_min_secs),
                })?)
            }
            None => None,
        };
        let algorithms = if config.algorithms.is_empty() {
            defaults.dedup();
            defaults
        } else {
            config
                .algorithms
                .iter()
                .map(|name| parse_algorithm(name))
                .collect::<Result<_, _>>()?
        };
        Ok(Self {
            source,
            local,
            remote,
            algorithms,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            leeway: config.leeway_secs,
        })
    }

    /// Where the token travels: the configured identity source, else the first of the
    /// scheme's authorizer (`spec`), else the `Authorization` header. `Err` when the
    /// document's identity source cannot be parsed ([`Gateway::check`](crate::Gateway::check)
    /// reports it at startup).
    pub(crate) fn source(
        &self,
        spec: Option<&'static AuthorizerMeta>,
    ) -> Result<Cow<'_, IdentitySource>, String> {
        if let Some(source) = &self.source {
            return Ok(Cow::Borrowed(source));
        }
        match spec.and_then(|a| a.identity_sources.first()) {
            Some(text) => IdentitySource::parse(text).map(Cow::Owned),
            None => Ok(Cow::Owned(IdentitySource::authorization())),
        }
    }

    /// The token in a value presented at `source`: `Bearer TOKEN` (scheme
    /// case-insensitive), or the bare token when the identity source is not the
    /// `Authorization` header.
    pub(crate) fn token<'a>(source: &IdentitySource, value: &'a str) -> Option<&'a str> {
        let bearer = value
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match source {
            IdentitySource::Header(name) if name == http::header::AUTHORIZATION => bearer,
            _ => Some(bearer.unwrap_or(value)),
        }
        .filter(|token| !token.is_empty())
    }

    /// Verifies `token` for `scheme`; `spec` is the scheme's JWT authorizer, whose issuer
    /// and audience apply where the configuration names none.
    pub(crate) async fn verify(
        &self,
        scheme: &'static str,
        spec: Option<&'static AuthorizerMeta>,
        token: &str,
    ) -> Result<Principal, Refusal> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Refusal::Malformed);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| Refusal::Malformed)?;
        if !self.algorithms.contains(&header.alg) {
            return Err(Refusal::Malformed);
        }
        let kid = header.kid.as_deref();
        let mut keys = self.local.matching(kid, header.alg);
        if keys.is_empty() {
            if let Some(remote) = &self.remote {
                keys = remote.matching(kid, header.alg).await;
            }
        }
        if keys.is_empty() {
            return Err(Refusal::NoKey);
        }
        let validation = self.validation(header.alg, spec);
        let mut refusal = Refusal::Signature;
        for key in &keys {
            match jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) {
                Ok(data) => return Ok(principal(scheme, data.claims)),
                Err(err) => {
                    refusal = match err.kind() {
                        ErrorKind::ExpiredSignature => Refusal::Expired,
                        ErrorKind::ImmatureSignature => Refusal::NotYetValid,
                        ErrorKind::InvalidSignature => Refusal::Signature,
                        ErrorKind::InvalidToken
                        | ErrorKind::Base64(_)
                        | ErrorKind::Json(_)
                        | ErrorKind::Utf8(_) => Refusal::Malformed,
                        _ => Refusal::Claims,
                    };
                    // Only a bad signature may mean "wrong key, try the next one".
                    if refusal != Refusal::Signature {
                        break;
                    }
                }
            }
        }
        Err(refusal)
    }

    fn validation(&self, alg: Algorithm, spec: Option<&'static AuthorizerMeta>) -> Validation {
        let mut validation = Validation::new(alg);
        validation.leeway = self.leeway;
        validation.validate_nbf = true;
        let mut required = vec!["exp"];
        let issuer = self.issuer.as_deref().or(spec.and_then(|a| a.issuer));
        if let Some(issuer) = issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        if !self.audience.is_empty() {
            validation.set_audience(&self.audience);
            required.push("aud");
        } else if let Some(audience) = spec.map(|a| a.audience).filter(|a| !a.is_empty()) {
            validation.set_audience(audience);
            required.push("aud");
        } else {
            validation.validate_aud = false;
        }
        validation.set_required_spec_claims(&required);
        validation
    }
}

/// The principal of verified `claims`: `sub` is the subject, `scope` (space-separated) and
/// `scp` (array or space-separated) the scopes.
fn principal(scheme: &'static str, claims: Map<String, Value>) -> Principal {
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut principal = Principal::new(subject, scheme);
    for name in ["scope", "scp"] {
        match claims.get(name) {
            Some(Value::String(list)) => {
                principal
                    .scopes
                    .extend(list.split_ascii_whitespace().map(str::to_owned));
            }
            Some(Value::Array(items)) => {
                principal
                    .scopes
                    .extend(items.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            _ => {}
        }
    }
    principal.claims = Some(Value::Object(claims));
    principal
}

fn read_jwks_file(path: &Path) -> Result<KeySet, String> {
    let bytes = std::fs::read(path)
        .map_err(|err| format!("jwks_file {}: cannot read it: {err}", path.display()))?;
    let set =
        KeySet::from_jwks(&bytes).map_err(|why| format!("jwks_file {}: {why}", path.display()))?;
    if set.len() == 0 {
        return Err(format!(
            "jwks_file {}: no usable signature key",
            path.display()
        ));
    }
    Ok(set)
}

/// Parses an algorithm name (`RS256`, `EdDSA`, …).
pub(crate) fn parse_algorithm(name: &str) -> Result<Algorithm, String> {
    name.parse::<Algorithm>()
        .map_err(|_| format!("algorithms: unknown JWT algorithm {name:?}"))
}
