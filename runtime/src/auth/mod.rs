//! Authentication: evaluating an operation's security requirements against a request.
//!
//! `security` is an OR of alternatives, each an AND of schemes: the first alternative whose
//! schemes all verify (and grant the scopes the operation lists for them) wins; an empty
//! alternative (`{}`) lets anonymous callers in when no other alternative matches; an
//! operation with `security: []` is public.
//!
//! Each scheme kind has a verifier, configured by the scheme's name:
//!
//! | scheme | verifier | configuration |
//! | --- | --- | --- |
//! | `apiKey` (header, query, cookie) | [`api_key`] | `[[api_keys]]` |
//! | `http` `basic` | [`basic`] (Argon2 or bcrypt hashes) | `[auth.basic.NAME]` |
//! | `http` `bearer`, `oauth2`, `openIdConnect` | [`jwt`] (JWKS file or URL, HMAC secret) | `[auth.jwt.NAME]` |
//! | `x-amazon-apigateway-authtype: awsSigv4` | [`sigv4`] | `[auth.sigv4.NAME]` |
//! | any, with a registered [`Authorizer`] | [`custom`] | `[auth.custom.NAME]` (optional) |
//!
//! A scheme's `x-amazon-apigateway-authorizer` supplies defaults: a `jwt` authorizer's
//! issuer, audience and identity source for `[auth.jwt.NAME]` (which still names the
//! keys); a `token`/`request` (Lambda) authorizer's identity sources and TTL for the
//! registered custom authorizer — without one, such a scheme cannot be verified. The
//! document's `x-amazon-apigateway-api-key-source` is the default of
//! `[auth] api_key_source`.
//!
//! A scheme without a verifier never verifies: its operations answer 401 (and
//! [`Gateway::check`](crate::Gateway::check) warns at startup, or refuses with
//! `strict = true`).
//!
//! Answers: 401 with one `WWW-Authenticate` challenge per accepted scheme (a bearer
//! challenge carries `error="invalid_token"` when a token was presented and refused); 403
//! with `error="insufficient_scope"` when an alternative's credentials verified but lacked
//! a scope. Bodies never say which check failed; why a credential was refused is logged at
//! `debug` level without the credential.

pub(crate) mod api_key;
pub(crate) mod basic;
pub(crate) mod challenge;
pub(crate) mod custom;
pub(crate) mod jwks;
pub(crate) mod jwt;
pub(crate) mod sigv4;
pub(crate) mod source;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use http::header;
use http::request::Parts;

pub(crate) use api_key::{parse_sha256_hex, sha256, KeyStore, MAX_KEY_LEN};
pub(crate) use challenge::payload_mismatch;
pub use custom::{Authorizer, AuthorizerDecision, AuthorizerRequest};

use basic::BasicVerifier;
use custom::{CustomOutcome, CustomVerifier, DynAuthorizer};
use jwt::JwtVerifier;
use sigv4::SigV4Verifier;
use source::IdentitySource;

use crate::config::{ApiKeySource, Config};
use crate::context::Principal;
use crate::meta::{
    ApiMeta, AuthorizerKind, AuthorizerMeta, OperationMeta, SchemeKind, SecuritySchemeMeta,
};
use crate::problem::Problem;
use crate::throttle::Clock;

/// `Authorization` headers longer than this are answered 431 without being parsed.
pub(crate) const MAX_AUTHORIZATION_LEN: usize = jwt::MAX_TOKEN_LEN + 64;

/// What one scheme's verifier concluded about a request.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // short-lived, consumed at once
pub(crate) enum Verdict {
    /// No credential for this scheme in the request.
    Missing,
    /// A credential was presented and refused.
    Invalid,
    /// The credential verified.
    Granted(Principal),
}

/// Authorizers registered in code, by scheme name.
pub(crate) type Authorizers = Vec<(String, Arc<dyn DynAuthorizer>)>;

/// Every verifier of a gateway, built once from the configuration.
pub(crate) struct Authenticator {
    keys: KeyStore,
    /// `[auth] api_key_source`; `None`: the document's, else `header`.
    api_key_source: Option<ApiKeySource>,
    basic: BTreeMap<String, BasicVerifier>,
    jwt: BTreeMap<String, JwtVerifier>,
    sigv4: BTreeMap<String, SigV4Verifier>,
    custom: BTreeMap<String, CustomVerifier>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("keys", &self.keys)
            .field("basic", &self.basic)
            .field("jwt", &self.jwt)
            .field("sigv4", &self.sigv4)
            .field("custom", &self.custom)
            .finish()
    }
}

impl Authenticator {
    /// Whether verification never waits: no JWT verifier (whose key set may have to be
    /// fetched) and no custom authorizer. [`authenticate`](Self::authenticate) then
    /// completes on its first poll.
    pub(crate) fn never_waits(&self) -> bool {
        self.jwt.is_empty() && self.custom.is_empty()
    }

    /// The verifiers of a validated configuration plus the authorizers registered in
    /// code. Reads JWKS files and secrets from the environment; the error names what is
    /// wrong, never a secret.
    pub(crate) fn new(config: &Config, authorizers: &Authorizers) -> Result<Self, String> {
        let auth = &config.auth;
        let mut basic = BTreeMap::new();
        for (name, section) in &auth.basic {
            basic.insert(name.clone(), BasicVerifier::new(section));
        }
        let mut jwt = BTreeMap::new();
        for (name, section) in &auth.jwt {
            let verifier =
                JwtVerifier::new(section).map_err(|why| format!("auth.jwt.{name}: {why}"))?;
            jwt.insert(name.clone(), verifier);
        }
        let mut sigv4 = BTreeMap::new();
        for (name, section) in &auth.sigv4 {
            let verifier =
                SigV4Verifier::new(section).map_err(|why| format!("auth.sigv4.{name}: {why}"))?;
            sigv4.insert(name.clone(), verifier);
        }
        let mut custom = BTreeMap::new();
        for (name, authorizer) in authorizers {
            let section = auth.custom.get(name).cloned().unwrap_or_default();
            let sources = section
                .identity_sources
                .iter()
                .map(|s| IdentitySource::parse(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|why| format!("auth.custom.{name}: {why}"))?;
            let ttl = section.ttl_secs.map(Duration::from_secs);
            custom.insert(
                name.clone(),
                CustomVerifier::new(authorizer.clone(), sources, ttl),
            );
        }
        Ok(Self {
            keys: KeyStore::new(&config.api_keys),
            api_key_source: auth.api_key_source,
            basic,
            jwt,
            sigv4,
            custom,
        })
    }

    /// No verifier but API keys (what a configuration without `[auth]` gives).
    pub(crate) fn keys_only(config: &Config) -> Self {
        Self {
            keys: KeyStore::new(&config.api_keys),
            api_key_source: None,
            basic: BTreeMap::new(),
            jwt: BTreeMap::new(),
            sigv4: BTreeMap::new(),
            custom: BTreeMap::new(),
        }
    }

    /// Authenticates a request for `op`: `Ok(None)` for public operations and anonymous
    /// access, `Ok(Some(principal))` when an alternative verified, else a 401 (or a 403
    /// when credentials verified but lacked a scope, or a 431 for an absurd
    /// `Authorization` header).
    // `Problem` is the contract's error type; the error path is the cold one.
    #[allow(clippy::result_large_err)]
    pub(crate) async fn authenticate(
        &self,
        api: &'static ApiMeta,
        op: &'static OperationMeta,
        parts: &Parts,
        clock: &dyn Clock,
    ) -> Result<Option<Principal>, Problem> {
        if op.security.is_empty() {
            return Ok(None);
        }
        if parts
            .headers
            .get_all(header::AUTHORIZATION)
            .iter()
            .any(|v| v.len() > MAX_AUTHORIZATION_LEN)
        {
            return Err(challenge::too_large());
        }
        // Each scheme is verified at most once per request, however many alternatives
        // name it.
        let mut verdicts: Vec<(&'static str, Verdict)> = Vec::new();
        let mut anonymous = false;
        let mut invalid_bearer = false;
        let mut short_of_scope: Option<&'static [&'static str]> = None;
        'alternatives: for (a, alternative) in op.security.iter().enumerate() {
            if alternative.schemes.is_empty() {
                anonymous = true;
                continue;
            }
            let mut principal: Option<Principal> = None;
            for (r, requirement) in alternative.schemes.iter().enumerate() {
                let verdict = match verdicts.iter().find(|(n, _)| *n == requirement.scheme) {
                    Some((_, verdict)) => verdict.clone(),
                    None => {
                        let scheme = api.scheme(requirement.scheme);
                        let verdict = self.verify(api, scheme, op, parts, clock).await;
                        if matches!(verdict, Verdict::Invalid) && scheme.is_some_and(is_bearer) {
                            invalid_bearer = true;
                        }
                        // Kept (a clone of the principal) only for a scheme named again
                        // further on: the common single requirement costs no copy.
                        if named_after(op, a, r, requirement.scheme) {
                            verdicts.push((requirement.scheme, verdict.clone()));
                        }
                        verdict
                    }
                };
                let Verdict::Granted(verified) = verdict else {
                    continue 'alternatives;
                };
                let granted = requirement
                    .scopes
                    .iter()
                    .all(|scope| verified.scopes.contains(*scope));
                if !granted {
                    short_of_scope.get_or_insert(requirement.scopes);
                    continue 'alternatives;
                }
                principal = Some(match principal {
                    None => verified,
                    Some(merged) => merge(merged, verified),
                });
            }
            return Ok(principal);
        }
        if anonymous {
            return Ok(None);
        }
        if let Some(scopes) = short_of_scope {
            return Err(challenge::insufficient_scope(scopes));
        }
        Err(challenge::unauthorized(api, op, invalid_bearer))
    }

    /// Verifies one scheme.
    async fn verify(
        &self,
        api: &'static ApiMeta,
        scheme: Option<&'static SecuritySchemeMeta>,
        op: &'static OperationMeta,
        parts: &Parts,
        clock: &dyn Clock,
    ) -> Verdict {
        let Some(scheme) = scheme else {
            return Verdict::Invalid;
        };
        // The schemes that wait on something else (an authorizer, a key set) verify in a
        // boxed future: held inline, their state would make every request's pipeline
        // future larger, and moving it cost more than the allocation does on their path.
        if let Some(custom) = self.custom.get(scheme.name) {
            return Box::pin(self.verify_custom(api, custom, scheme, op, parts)).await;
        }
        if is_lambda(scheme) {
            // A Lambda authorizer in the document and none registered in code.
            return Verdict::Missing;
        }
        if jwt_authorizer(scheme).is_some() {
            return match self.jwt.get(scheme.name) {
                Some(jwt) => Box::pin(verify_jwt(jwt, scheme, parts)).await,
                None => Verdict::Missing,
            };
        }
        match scheme.kind {
            SchemeKind::ApiKey { location, name } => {
                self.keys.verify(scheme.name, location, name, parts)
            }
            SchemeKind::Http { scheme: http } if http.eq_ignore_ascii_case("basic") => {
                match self.basic.get(scheme.name) {
                    Some(basic) => logged(scheme, basic.verify(scheme.name, parts), "password"),
                    None => Verdict::Missing,
                }
            }
            SchemeKind::AwsSigV4 => match self.sigv4.get(scheme.name) {
                Some(sigv4) => logged(
                    scheme,
                    sigv4.verify(scheme.name, parts, clock.now()),
                    "signature",
                ),
                None => Verdict::Missing,
            },
            _ if is_bearer(scheme) => match self.jwt.get(scheme.name) {
                Some(jwt) => Box::pin(verify_jwt(jwt, scheme, parts)).await,
                None => Verdict::Missing,
            },
            _ => Verdict::Missing,
        }
    }

    async fn verify_custom(
        &self,
        api: &'static ApiMeta,
        custom: &CustomVerifier,
        scheme: &'static SecuritySchemeMeta,
        op: &'static OperationMeta,
        parts: &Parts,
    ) -> Verdict {
        match custom.verify(scheme, op.id, parts).await {
            CustomOutcome::Missing => Verdict::Missing,
            CustomOutcome::Decided(AuthorizerDecision::Deny) => {
                tracing::debug!(scheme = scheme.name, "the authorizer denied the request");
                Verdict::Invalid
            }
            CustomOutcome::Decided(AuthorizerDecision::Allow {
                mut principal,
                usage_identifier_key,
            }) => {
                if !principal.schemes.contains(&scheme.name) {
                    principal.schemes.push(scheme.name);
                }
                let source = self.api_key_source.or(api.api_key_source);
                if source == Some(ApiKeySource::Authorizer) {
                    if let Some(key) = usage_identifier_key {
                        let Some(stored) = self.keys.find(key.as_bytes()) else {
                            tracing::warn!(
                                scheme = scheme.name,
                                "the authorizer allowed a request with a usage identifier key \
                                 that is not in [[api_keys]]; refused"
                            );
                            return Verdict::Invalid;
                        };
                        principal.api_key_id = Some(stored.id.clone());
                        principal.plan = stored.plan.clone();
                    }
                }
                Verdict::Granted(principal)
            }
        }
    }

    /// Why the gateway cannot verify scheme `name` of `api`, or `None` when it can.
    pub(crate) fn why_unverifiable(&self, api: &ApiMeta, name: &str) -> Option<String> {
        let Some(scheme) = api.scheme(name) else {
            return Some("it is not declared in components.securitySchemes".to_owned());
        };
        if let Some(custom) = self.custom.get(name) {
            return custom
                .sources(scheme)
                .err()
                .map(|why| format!("x-amazon-apigateway-authorizer: {why}"));
        }
        let missing = |section: &str| Some(format!("there is no [auth.{section}.{name}] section"));
        if is_lambda(scheme) {
            return Some(
                "its x-amazon-apigateway-authorizer is a Lambda authorizer; register a custom \
                 authorizer for it (GatewayBuilder::authorizer)"
                    .to_owned(),
            );
        }
        if jwt_authorizer(scheme).is_some() {
            return match self.jwt.get(name) {
                None => missing("jwt"),
                Some(jwt) => jwt
                    .source(jwt_authorizer(scheme))
                    .err()
                    .map(|why| format!("x-amazon-apigateway-authorizer: {why}")),
            };
        }
        match scheme.kind {
            SchemeKind::ApiKey { .. } if self.keys.is_empty() => {
                Some("no [[api_keys]] are configured".to_owned())
            }
            SchemeKind::ApiKey { .. } => None,
            SchemeKind::Http { scheme } if scheme.eq_ignore_ascii_case("basic") => {
                (!self.basic.contains_key(name)).then(|| missing("basic"))?
            }
            SchemeKind::AwsSigV4 => (!self.sigv4.contains_key(name)).then(|| missing("sigv4"))?,
            _ if is_bearer(scheme) => match self.jwt.get(name) {
                None => missing("jwt"),
                Some(jwt) => jwt
                    .source(jwt_authorizer(scheme))
                    .err()
                    .map(|why| format!("[auth.jwt.{name}]: {why}")),
            },
            SchemeKind::Http { scheme } => Some(format!(
                "HTTP {scheme} authentication has no verifier in tollgate; register a custom \
                 authorizer for it"
            )),
            _ => Some(
                "tollgate cannot verify this kind of security scheme; register a custom \
                 authorizer for it"
                    .to_owned(),
            ),
        }
    }

    /// The configured sections and registered authorizers, as `(section, scheme name)`.
    pub(crate) fn sections(&self) -> Vec<(&'static str, &str)> {
        let mut out: Vec<(&'static str, &str)> = Vec::new();
        out.extend(self.basic.keys().map(|k| ("basic", k.as_str())));
        out.extend(self.jwt.keys().map(|k| ("jwt", k.as_str())));
        out.extend(self.sigv4.keys().map(|k| ("sigv4", k.as_str())));
        out.extend(self.custom.keys().map(|k| ("custom", k.as_str())));
        out
    }
}

/// Whether a scheme's credential is a bearer token (`http` `bearer`, OAuth 2, OpenID
/// Connect, or any scheme with a JWT authorizer).
fn is_bearer(scheme: &SecuritySchemeMeta) -> bool {
    if jwt_authorizer(scheme).is_some() {
        return true;
    }
    match scheme.kind {
        SchemeKind::Http { scheme } => scheme.eq_ignore_ascii_case("bearer"),
        SchemeKind::OAuth2 | SchemeKind::OpenIdConnect { .. } => true,
        _ => false,
    }
}

/// Whether the scheme's `x-amazon-apigateway-authorizer` is a Lambda authorizer (`token` or
/// `request`), which only a registered custom authorizer can stand in for.
fn is_lambda(scheme: &SecuritySchemeMeta) -> bool {
    scheme
        .authorizer
        .as_ref()
        .is_some_and(|a| matches!(a.kind, AuthorizerKind::Token | AuthorizerKind::Request))
}

/// The scheme's `x-amazon-apigateway-authorizer` when it is a JWT authorizer.
fn jwt_authorizer(scheme: &SecuritySchemeMeta) -> Option<&AuthorizerMeta> {
    scheme
        .authorizer
        .as_ref()
        .filter(|a| a.kind == AuthorizerKind::Jwt)
}

async fn verify_jwt(
    jwt: &JwtVerifier,
    scheme: &'static SecuritySchemeMeta,
    parts: &Parts,
) -> Verdict {
    let spec = jwt_authorizer(scheme);
    let Ok(source) = jwt.source(spec) else {
        // Reported by `Gateway::check` at startup.
        return Verdict::Missing;
    };
    let Some(value) = source.read(parts) else {
        return Verdict::Missing;
    };
    let Some(token) = JwtVerifier::token(&source, &value) else {
        return Verdict::Missing;
    };
    match jwt.verify(scheme.name, spec, token).await {
        Ok(principal) => Verdict::Granted(principal),
        Err(refusal) => {
            tracing::debug!(scheme = scheme.name, ?refusal, "bearer token refused");
            Verdict::Invalid
        }
    }
}

/// Logs (at debug level, without the credential) that `scheme` refused one.
/// Whether `scheme` is named by a requirement after requirement `r` of alternative `a` of
/// `op`'s security (so its verdict must be kept for reuse).
fn named_after(op: &OperationMeta, a: usize, r: usize, scheme: &str) -> bool {
    let names =
        |schemes: &[crate::meta::SchemeRequirement]| schemes.iter().any(|s| s.scheme == scheme);
    op.security
        .get(a)
        .is_some_and(|alt| names(alt.schemes.get(r + 1..).unwrap_or_default()))
        || op
            .security
            .get(a + 1..)
            .unwrap_or_default()
            .iter()
            .any(|alt| names(alt.schemes))
}

fn logged(scheme: &SecuritySchemeMeta, verdict: Verdict, what: &str) -> Verdict {
    if matches!(verdict, Verdict::Invalid) {
        tracing::debug!(scheme = scheme.name, "{what} credentials refused");
    }
    verdict
}

/// The principal of an alternative with several schemes: the first scheme's subject, every
/// scheme, all scopes, the first API key, claims and context entries.
fn merge(mut merged: Principal, verified: Principal) -> Principal {
    merged.schemes.extend(verified.schemes);
    merged.scopes.extend(verified.scopes);
    if merged.api_key_id.is_none() {
        merged.api_key_id = verified.api_key_id;
        merged.plan = verified.plan;
    }
    if merged.claims.is_none() {
        merged.claims = verified.claims;
    }
    if merged.signed_payload_sha256.is_none() {
        merged.signed_payload_sha256 = verified.signed_payload_sha256;
    }
    for (key, value) in verified.context {
        merged.context.entry(key).or_insert(value);
    }
    merged
}
#[cfg(test)]
// `Problem` is the contract's error type; the error path is the cold one.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use crate::config::{ApiKeyConfig, JwtConfig};
    use crate::meta::{ApiKeyLocation, SchemeRequirement, SecurityRequirement};
    use crate::throttle::SystemClock;

    static SCHEMES: &[SecuritySchemeMeta] = &[
        SecuritySchemeMeta {
            name: "HeaderKey",
            kind: SchemeKind::ApiKey {
                location: ApiKeyLocation::Header,
                name: "X-API-Key",
            },
            authorizer: None,
        },
        SecuritySchemeMeta {
            name: "QueryKey",
            kind: SchemeKind::ApiKey {
                location: ApiKeyLocation::Query,
                name: "api_key",
            },
            authorizer: None,
        },
        SecuritySchemeMeta {
            name: "CookieKey",
            kind: SchemeKind::ApiKey {
                location: ApiKeyLocation::Cookie,
                name: "session",
            },
            authorizer: None,
        },
        SecuritySchemeMeta {
            name: "Bearer",
            kind: SchemeKind::Http { scheme: "bearer" },
            authorizer: None,
        },
        SecuritySchemeMeta {
            name: "Basic",
            kind: SchemeKind::Http { scheme: "basic" },
            authorizer: None,
        },
    ];

    const fn req(scheme: &'static str) -> SchemeRequirement {
        SchemeRequirement {
            scheme,
            scopes: &[],
        }
    }

    static HEADER: &[SchemeRequirement] = &[req("HeaderKey")];
    static QUERY: &[SchemeRequirement] = &[req("QueryKey")];
    static COOKIE: &[SchemeRequirement] = &[req("CookieKey")];
    static BEARER: &[SchemeRequirement] = &[req("Bearer")];
    static HEADER_AND_QUERY: &[SchemeRequirement] = &[req("HeaderKey"), req("QueryKey")];
    static HEADER_AND_BEARER: &[SchemeRequirement] = &[req("HeaderKey"), req("Bearer")];

    fn operation(security: &'static [SecurityRequirement]) -> &'static OperationMeta {
        Box::leak(Box::new(OperationMeta {
            id: "op",
            method: "GET",
            path: "/x",
            security,
            throttle: None,
            body: None,
        }))
    }

    fn alternatives(list: &[&'static [SchemeRequirement]]) -> &'static [SecurityRequirement] {
        let list: Vec<SecurityRequirement> = list
            .iter()
            .map(|schemes| SecurityRequirement { schemes })
            .collect();
        Box::leak(list.into_boxed_slice())
    }

    static API: ApiMeta = ApiMeta {
        title: "t",
        version: "1",
        security_schemes: SCHEMES,
        operations: &[],
        throttle: None,
        api_key_source: None,
    };

    fn key_config() -> Config {
        Config {
            api_keys: vec![
                ApiKeyConfig {
                    id: "alice".into(),
                    key: Some("alice-key".into()),
                    plan: Some("gold".into()),
                    ..ApiKeyConfig::default()
                },
                ApiKeyConfig {
                    id: "bob".into(),
                    key_sha256: Some(hex::encode(sha256(b"bob-key")).to_uppercase()),
                    ..ApiKeyConfig::default()
                },
            ],
            ..Config::default()
        }
    }

    fn keys() -> Authenticator {
        Authenticator::keys_only(&key_config())
    }

    /// Runs the authentication stage to completion.
    fn authenticate(
        auth: &Authenticator,
        api: &'static ApiMeta,
        op: &'static OperationMeta,
        parts: &Parts,
    ) -> Result<Option<Principal>, Problem> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(auth.authenticate(api, op, parts, &SystemClock::new()))
    }

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder().uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    fn subject(result: Result<Option<Principal>, Problem>) -> Option<String> {
        result.unwrap().map(|p| p.subject)
    }

    #[test]
    fn public_operation() {
        let op = operation(&[]);
        assert_eq!(
            authenticate(&keys(), &API, op, &parts("/x", &[])).unwrap(),
            None
        );
    }

    #[test]
    fn key_in_header() {
        let op = operation(alternatives(&[HEADER]));
        let principal = authenticate(
            &keys(),
            &API,
            op,
            &parts("/x", &[("x-api-key", "alice-key")]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(principal.subject, "alice");
        assert_eq!(principal.api_key_id.as_deref(), Some("alice"));
        assert_eq!(principal.plan.as_deref(), Some("gold"));
        assert_eq!(principal.schemes, vec!["HeaderKey"]);
    }

    #[test]
    fn key_in_query() {
        let op = operation(alternatives(&[QUERY]));
        let found = |uri| subject(authenticate(&keys(), &API, op, &parts(uri, &[])));
        assert_eq!(found("/x?api_key=alice-key"), Some("alice".into()));
        assert_eq!(found("/x?a=1&api_key=bob%2Dkey&b"), Some("bob".into()));
        assert!(authenticate(&keys(), &API, op, &parts("/x?api_key=nope", &[])).is_err());
        assert!(authenticate(&keys(), &API, op, &parts("/x?other=alice-key", &[])).is_err());
    }

    #[test]
    fn key_in_cookie() {
        let op = operation(alternatives(&[COOKIE]));
        let with_cookie =
            |cookie| authenticate(&keys(), &API, op, &parts("/x", &[("cookie", cookie)]));
        assert_eq!(
            subject(with_cookie("theme=dark; session=alice-key; x=y")),
            Some("alice".into())
        );
        assert_eq!(
            subject(with_cookie("session=\"bob-key\"")),
            Some("bob".into())
        );
        assert!(with_cookie("sessionx=alice-key").is_err());
        assert!(with_cookie("session=").is_err());
    }

    #[test]
    fn wrong_location_is_refused() {
        let op = operation(alternatives(&[HEADER]));
        assert!(authenticate(&keys(), &API, op, &parts("/x?X-API-Key=alice-key", &[])).is_err());
        assert!(authenticate(
            &keys(),
            &API,
            op,
            &parts("/x", &[("cookie", "X-API-Key=alice-key")])
        )
        .is_err());
        let op = operation(alternatives(&[QUERY]));
        assert!(
            authenticate(&keys(), &API, op, &parts("/x", &[("api_key", "alice-key")])).is_err()
        );
    }

    #[test]
    fn empty_missing_wrong_and_absurd_keys_are_refused() {
        let op = operation(alternatives(&[HEADER]));
        let cases: [&[(&str, &str)]; 4] = [
            &[],
            &[("x-api-key", "")],
            &[("x-api-key", "alice-ke")],
            &[("x-api-key", "alice-key-and-more")],
        ];
        for headers in cases {
            assert!(authenticate(&keys(), &API, op, &parts("/x", headers)).is_err());
        }
        let long = "a".repeat(MAX_KEY_LEN + 1);
        let problem =
            authenticate(&keys(), &API, op, &parts("/x", &[("x-api-key", &long)])).unwrap_err();
        assert_eq!(problem.status, 401);
        assert_eq!(problem.detail, "missing or invalid credentials");
        assert_eq!(
            problem.headers[header::WWW_AUTHENTICATE],
            "ApiKey realm=\"tollgate\", in=\"header\", name=\"X-API-Key\""
        );
    }

    #[test]
    fn key_sha256_matches() {
        let op = operation(alternatives(&[HEADER]));
        let result = authenticate(&keys(), &API, op, &parts("/x", &[("x-api-key", "bob-key")]));
        assert_eq!(subject(result), Some("bob".into()));
    }

    #[test]
    fn or_of_alternatives() {
        let op = operation(alternatives(&[BEARER, HEADER, QUERY]));
        // Bearer has no verifier here: the API key alternative wins.
        let result = authenticate(
            &keys(),
            &API,
            op,
            &parts(
                "/x?api_key=bob-key",
                &[("authorization", "Bearer x"), ("x-api-key", "alice-key")],
            ),
        );
        assert_eq!(subject(result), Some("alice".into()));
        let result = authenticate(&keys(), &API, op, &parts("/x?api_key=bob-key", &[]));
        assert_eq!(subject(result), Some("bob".into()));
        let problem = authenticate(&keys(), &API, op, &parts("/x", &[])).unwrap_err();
        let challenges: Vec<_> = problem
            .headers
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            challenges,
            vec![
                "Bearer realm=\"tollgate\"".to_owned(),
                "ApiKey realm=\"tollgate\", in=\"header\", name=\"X-API-Key\"".to_owned(),
                "ApiKey realm=\"tollgate\", in=\"query\", name=\"api_key\"".to_owned(),
            ]
        );
    }

    #[test]
    fn and_within_an_alternative() {
        let op = operation(alternatives(&[HEADER_AND_QUERY]));
        let both = parts("/x?api_key=bob-key", &[("x-api-key", "alice-key")]);
        let principal = authenticate(&keys(), &API, op, &both).unwrap().unwrap();
        // The first scheme's key is the principal; both schemes are recorded.
        assert_eq!(principal.subject, "alice");
        assert_eq!(principal.api_key_id.as_deref(), Some("alice"));
        assert_eq!(principal.schemes, vec!["HeaderKey", "QueryKey"]);
        let one = parts("/x", &[("x-api-key", "alice-key")]);
        assert!(authenticate(&keys(), &API, op, &one).is_err());
        // An AND with an unverifiable scheme never passes.
        let op = operation(alternatives(&[HEADER_AND_BEARER]));
        let one = parts(
            "/x",
            &[("x-api-key", "alice-key"), ("authorization", "Bearer t")],
        );
        assert!(authenticate(&keys(), &API, op, &one).is_err());
    }

    #[test]
    fn verdicts_kept_only_for_schemes_named_again() {
        let op = operation(alternatives(&[HEADER_AND_QUERY, HEADER]));
        // HeaderKey is named again by the second alternative; nothing else is.
        assert!(named_after(op, 0, 0, "HeaderKey"));
        assert!(!named_after(op, 0, 1, "QueryKey"));
        assert!(!named_after(op, 1, 0, "HeaderKey"));
        let op = operation(alternatives(&[HEADER_AND_QUERY]));
        assert!(!named_after(op, 0, 0, "HeaderKey"));
        // The kept verdict grants through the second alternative.
        let op = operation(alternatives(&[HEADER_AND_QUERY, HEADER]));
        let header_only = parts("/x", &[("x-api-key", "alice-key")]);
        assert_eq!(
            subject(authenticate(&keys(), &API, op, &header_only)),
            Some("alice".into())
        );
    }

    #[test]
    fn anonymous_alternative() {
        let op = operation(alternatives(&[HEADER, &[]]));
        assert_eq!(
            authenticate(&keys(), &API, op, &parts("/x", &[])).unwrap(),
            None
        );
        // Credentials still count when they verify ...
        let with_key = parts("/x", &[("x-api-key", "bob-key")]);
        assert_eq!(
            subject(authenticate(&keys(), &API, op, &with_key)),
            Some("bob".into())
        );
        // ... and invalid ones fall back to anonymous.
        let wrong = parts("/x", &[("x-api-key", "wrong")]);
        assert_eq!(authenticate(&keys(), &API, op, &wrong).unwrap(), None);
    }

    #[test]
    fn no_keys_configured() {
        let op = operation(alternatives(&[HEADER]));
        let none = Authenticator::keys_only(&Config::default());
        assert!(authenticate(&none, &API, op, &parts("/x", &[("x-api-key", "k")])).is_err());
    }

    #[test]
    fn undeclared_scheme_fails() {
        static UNKNOWN: &[SchemeRequirement] = &[req("Nope")];
        let op = operation(alternatives(&[UNKNOWN]));
        let problem = authenticate(&keys(), &API, op, &parts("/x", &[])).unwrap_err();
        assert_eq!(problem.status, 401);
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    static SCOPED: &[SchemeRequirement] = &[SchemeRequirement {
        scheme: "Bearer",
        scopes: &["pets:read", "pets:write"],
    }];

    fn with_jwt() -> Authenticator {
        // The variable name is unique to this test module.
        std::env::set_var("TOLLGATE_AUTH_MOD_TEST_SECRET", SECRET);
        let mut config = key_config();
        config.auth.jwt.insert(
            "Bearer".into(),
            JwtConfig {
                hs256_secret_env: Some("TOLLGATE_AUTH_MOD_TEST_SECRET".into()),
                ..JwtConfig::default()
            },
        );
        Authenticator::new(&config, &Authorizers::new()).unwrap()
    }

    fn token(claims: serde_json::Value) -> String {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    }

    fn exp() -> u64 {
        jsonwebtoken::get_current_timestamp() + 600
    }

    #[test]
    fn scopes_are_checked_and_a_shortfall_is_a_403() {
        let auth = with_jwt();
        let op = operation(alternatives(&[SCOPED]));
        let enough =
            token(serde_json::json!({"sub": "u", "exp": exp(), "scope": "pets:read pets:write x"}));
        let bearer = |t: &str| parts("/x", &[("authorization", &format!("Bearer {t}"))]);
        let principal = authenticate(&auth, &API, op, &bearer(&enough))
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "u");
        assert!(principal.scopes.contains("x"));
        // `scp` as an array counts too.
        let scp = token(
            serde_json::json!({"sub": "u", "exp": exp(), "scp": ["pets:read", "pets:write"]}),
        );
        assert!(authenticate(&auth, &API, op, &bearer(&scp)).is_ok());

        let short = token(serde_json::json!({"sub": "u", "exp": exp(), "scope": "pets:read"}));
        let problem = authenticate(&auth, &API, op, &bearer(&short)).unwrap_err();
        assert_eq!(problem.status, 403);
        assert_eq!(
            problem.headers[header::WWW_AUTHENTICATE],
            "Bearer realm=\"tollgate\", error=\"insufficient_scope\", scope=\"pets:read pets:write\""
        );
        assert!(!problem.detail.contains("pets:read"), "{}", problem.detail);
    }

    #[test]
    fn a_refused_token_gets_invalid_token_a_missing_one_does_not() {
        let auth = with_jwt();
        let op = operation(alternatives(&[BEARER, HEADER]));
        let challenges = |p: &Problem| -> Vec<String> {
            p.headers
                .get_all(header::WWW_AUTHENTICATE)
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect()
        };
        let missing = authenticate(&auth, &API, op, &parts("/x", &[])).unwrap_err();
        assert_eq!(challenges(&missing)[0], "Bearer realm=\"tollgate\"");
        let bad = parts("/x", &[("authorization", "Bearer not.a.token")]);
        let refused = authenticate(&auth, &API, op, &bad).unwrap_err();
        assert_eq!(
            challenges(&refused)[0],
            "Bearer realm=\"tollgate\", error=\"invalid_token\""
        );
        assert_eq!(refused.detail, challenge::UNAUTHORIZED_DETAIL);
        // The API key alternative still works next to a refused token.
        let both = parts(
            "/x",
            &[("authorization", "Bearer x.y.z"), ("x-api-key", "bob-key")],
        );
        assert_eq!(
            subject(authenticate(&auth, &API, op, &both)),
            Some("bob".into())
        );
    }

    #[test]
    fn oversized_authorization_is_a_431() {
        let op = operation(alternatives(&[HEADER]));
        let huge = format!("Bearer {}", "a".repeat(16 * 1024));
        let problem =
            authenticate(&keys(), &API, op, &parts("/x", &[("authorization", &huge)])).unwrap_err();
        assert_eq!(problem.status, 431);
        // Public operations do not look at credentials.
        let public = operation(&[]);
        assert!(authenticate(
            &keys(),
            &API,
            public,
            &parts("/x", &[("authorization", &huge)])
        )
        .is_ok());
    }

    #[test]
    fn unverifiable_reasons() {
        let auth = keys();
        assert_eq!(auth.why_unverifiable(&API, "HeaderKey"), None);
        assert!(auth
            .why_unverifiable(&API, "Bearer")
            .unwrap()
            .contains("no [auth.jwt.Bearer]"));
        assert!(auth
            .why_unverifiable(&API, "Basic")
            .unwrap()
            .contains("no [auth.basic.Basic]"));
        assert!(auth.why_unverifiable(&API, "Nope").is_some());
        assert_eq!(with_jwt().why_unverifiable(&API, "Bearer"), None);
        let _ = ApiKeyLocation::Header;
    }
}
