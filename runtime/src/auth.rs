//! Authentication: evaluating an operation's security requirements against a request.
//!
//! `security` is an OR of alternatives, each an AND of schemes. The first alternative
//! whose schemes all verify wins; an empty alternative (`{}`) lets anonymous callers in
//! when no other alternative matches.
//!
//! Only `apiKey` schemes have a verifier so far. Keys are compared as SHA-256 digests, in
//! constant time, against every configured key without stopping at a match, so timing
//! tells neither which key matched nor how much of a key was right. Bearer (JWT), OAuth 2,
//! OpenID Connect, basic and every other scheme fail: their operations answer 401 (and
//! [`Gateway::check`](crate::Gateway::check) warns at startup).

use std::borrow::Cow;

use http::request::Parts;
use http::{header, HeaderMap};
use sha2::{Digest, Sha256};
use subtle::{ConditionallySelectable, ConstantTimeEq};

use crate::config::{ApiKeyConfig, Config};
use crate::context::Principal;
use crate::meta::{ApiKeyLocation, ApiMeta, OperationMeta, SchemeKind, SecuritySchemeMeta};
use crate::problem::{Problem, ProblemKind};

/// Longer presented keys are invalid without being hashed; longer configured keys are a
/// configuration error.
pub(crate) const MAX_KEY_LEN: usize = 4096;

/// The realm of every challenge.
const REALM: &str = "tollgate";

/// The SHA-256 digest of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Parses a hex SHA-256 digest (64 hex digits, either case).
pub(crate) fn parse_sha256_hex(text: &str) -> Option<[u8; 32]> {
    let mut digest = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut digest).ok()?;
    Some(digest)
}

/// One configured key, by digest.
struct StoredKey {
    id: String,
    plan: Option<String>,
    digest: [u8; 32],
}

/// The configured API keys.
pub(crate) struct KeyStore {
    keys: Vec<StoredKey>,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| &k.id))
            .finish()
    }
}

impl KeyStore {
    /// The keys of a validated configuration (entries without a usable key are skipped).
    pub(crate) fn new(keys: &[ApiKeyConfig]) -> Self {
        let keys = keys
            .iter()
            .filter_map(|k| {
                let digest = match (&k.key, &k.key_sha256) {
                    (Some(plain), _) => sha256(plain.as_bytes()),
                    (None, Some(hex_digest)) => parse_sha256_hex(hex_digest)?,
                    (None, None) => return None,
                };
                Some(StoredKey {
                    id: k.id.clone(),
                    plan: k.plan.clone(),
                    digest,
                })
            })
            .collect();
        Self { keys }
    }

    /// The configured key equal to `presented`. Every configured key is compared, in
    /// constant time.
    fn find(&self, presented: &[u8]) -> Option<&StoredKey> {
        if presented.is_empty() || presented.len() > MAX_KEY_LEN {
            return None;
        }
        let digest = sha256(presented);
        // 0: no match; otherwise the index of the match plus one.
        let mut found = 0u64;
        for (i, key) in self.keys.iter().enumerate() {
            let candidate = i as u64 + 1;
            found.conditional_assign(&candidate, digest[..].ct_eq(&key.digest[..]));
        }
        let index = usize::try_from(found).ok()?.checked_sub(1)?;
        self.keys.get(index)
    }
}

/// Authenticates a request for `op`: `Ok(None)` for public operations and anonymous
/// access, `Ok(Some(principal))` when an alternative verified, else a 401.
// `Problem` is the contract's error type; the error path is the cold one.
#[allow(clippy::result_large_err)]
pub(crate) fn authenticate(
    keys: &KeyStore,
    api: &'static ApiMeta,
    op: &'static OperationMeta,
    parts: &Parts,
) -> Result<Option<Principal>, Problem> {
    if op.security.is_empty() {
        return Ok(None);
    }
    let mut anonymous = false;
    'alternatives: for alternative in op.security {
        if alternative.schemes.is_empty() {
            anonymous = true;
            continue;
        }
        let mut principal: Option<Principal> = None;
        for requirement in alternative.schemes {
            let Some(verified) = verify(keys, api.scheme(requirement.scheme), parts) else {
                continue 'alternatives;
            };
            principal = Some(match principal {
                None => verified,
                Some(mut merged) => {
                    merged.schemes.extend(verified.schemes);
                    merged.scopes.extend(verified.scopes);
                    if merged.api_key_id.is_none() {
                        merged.api_key_id = verified.api_key_id;
                        merged.plan = verified.plan;
                    }
                    if merged.claims.is_none() {
                        merged.claims = verified.claims;
                    }
                    merged
                }
            });
        }
        return Ok(principal);
    }
    if anonymous {
        return Ok(None);
    }
    Err(unauthorized(api, op))
}

/// Verifies one scheme; `None` when the credential is missing, invalid, or the scheme has
/// no verifier.
fn verify(
    keys: &KeyStore,
    scheme: Option<&'static SecuritySchemeMeta>,
    parts: &Parts,
) -> Option<Principal> {
    let scheme = scheme?;
    match scheme.kind {
        SchemeKind::ApiKey { location, name } => {
            let presented = presented_key(parts, location, name)?;
            let key = keys.find(&presented)?;
            let mut principal = Principal::new(key.id.clone(), scheme.name);
            principal.api_key_id = Some(key.id.clone());
            principal.plan = key.plan.clone();
            Some(principal)
        }
        // No verifier yet: JWT (bearer, OAuth 2, OpenID Connect), basic, SigV4, others.
        _ => None,
    }
}

/// The API key presented at `location` under `name` (`None` when absent or empty).
fn presented_key<'a>(
    parts: &'a Parts,
    location: ApiKeyLocation,
    name: &str,
) -> Option<Cow<'a, [u8]>> {
    let value: Cow<'a, [u8]> = match location {
        ApiKeyLocation::Header => Cow::Borrowed(parts.headers.get(name)?.as_bytes()),
        ApiKeyLocation::Query => {
            let query = parts.uri.query()?;
            let (_, value) = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name)?;
            match value {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            }
        }
        ApiKeyLocation::Cookie => Cow::Borrowed(cookie(&parts.headers, name)?),
    };
    (!value.is_empty()).then_some(value)
}

/// The value of cookie `name` in the request's `Cookie` header(s) (RFC 6265 §4.2: `;`
/// separated `name=value` pairs; a value may be wrapped in double quotes).
///
/// Hand-written: this one lookup is all the gateway needs of a cookie crate.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a [u8]> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b';'))
        .find_map(|pair| {
            let pair = pair.trim_ascii();
            let eq = pair.iter().position(|&b| b == b'=')?;
            let (key, value) = (pair[..eq].trim_ascii(), pair[eq + 1..].trim_ascii());
            if key != name.as_bytes() {
                return None;
            }
            Some(
                value
                    .strip_prefix(b"\"")
                    .and_then(|v| v.strip_suffix(b"\""))
                    .unwrap_or(value),
            )
        })
}

/// The 401 for `op`, with one `WWW-Authenticate` challenge per kind of scheme it accepts.
/// The detail does not say which check failed.
fn unauthorized(api: &ApiMeta, op: &OperationMeta) -> Problem {
    let mut problem = Problem::new(ProblemKind::Unauthorized, "missing or invalid credentials");
    let mut challenges: Vec<String> = Vec::new();
    let schemes = op
        .security
        .iter()
        .flat_map(|alternative| alternative.schemes)
        .filter_map(|requirement| api.scheme(requirement.scheme));
    for scheme in schemes {
        let Some(challenge) = challenge(scheme) else {
            continue;
        };
        if !challenges.contains(&challenge) {
            challenges.push(challenge);
        }
    }
    for challenge in &challenges {
        problem = problem.with_header(header::WWW_AUTHENTICATE, challenge);
    }
    problem
}

/// The `WWW-Authenticate` challenge of a scheme, when there is a sensible one.
fn challenge(scheme: &SecuritySchemeMeta) -> Option<String> {
    Some(match scheme.kind {
        SchemeKind::ApiKey { location, name } => {
            let location = match location {
                ApiKeyLocation::Header => "header",
                ApiKeyLocation::Query => "query",
                ApiKeyLocation::Cookie => "cookie",
            };
            format!(
                "ApiKey realm=\"{REALM}\", in=\"{location}\", name=\"{}\"",
                quoted(name)
            )
        }
        SchemeKind::Http { scheme } if scheme.eq_ignore_ascii_case("basic") => {
            format!("Basic realm=\"{REALM}\"")
        }
        SchemeKind::Http { scheme } if scheme.eq_ignore_ascii_case("bearer") => {
            format!("Bearer realm=\"{REALM}\"")
        }
        SchemeKind::OAuth2 | SchemeKind::OpenIdConnect { .. } => {
            format!("Bearer realm=\"{REALM}\"")
        }
        SchemeKind::Http { scheme } if is_token(scheme) => {
            let mut chars = scheme.chars();
            let first = chars.next()?.to_ascii_uppercase();
            format!("{first}{} realm=\"{REALM}\"", chars.as_str())
        }
        SchemeKind::AwsSigV4 => format!("AWS4-HMAC-SHA256 realm=\"{REALM}\""),
        _ => return None,
    })
}

/// Escapes `"` and `\` for a quoted-string.
fn quoted(text: &str) -> Cow<'_, str> {
    if text.contains(['"', '\\']) {
        Cow::Owned(text.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `text` is an HTTP token (RFC 9110 §5.6.2).
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Why the gateway cannot verify scheme `name`, or `None` when it can.
pub(crate) fn why_unverifiable(api: &ApiMeta, name: &str, config: &Config) -> Option<String> {
    let Some(scheme) = api.scheme(name) else {
        return Some("it is not declared in components.securitySchemes".to_owned());
    };
    let jwt = |what: &str| {
        Some(if config.auth.jwt.contains_key(name) {
            format!(
                "{what} tokens need JWT verification, which is not implemented yet \
                 ([auth.jwt.{name}] is read but not used)"
            )
        } else {
            format!(
                "{what} tokens need JWT verification, which is not implemented yet \
                 (and there is no [auth.jwt.{name}] section)"
            )
        })
    };
    match scheme.kind {
        SchemeKind::ApiKey { .. } if config.api_keys.is_empty() => {
            Some("no [[api_keys]] are configured".to_owned())
        }
        SchemeKind::ApiKey { .. } => None,
        SchemeKind::Http { scheme } if scheme.eq_ignore_ascii_case("bearer") => jwt("bearer"),
        SchemeKind::OAuth2 => jwt("OAuth 2"),
        SchemeKind::OpenIdConnect { .. } => jwt("OpenID Connect"),
        SchemeKind::Http { scheme } => Some(format!(
            "HTTP {scheme} authentication has no verifier in tollgate yet"
        )),
        SchemeKind::AwsSigV4 => Some("AWS SigV4 verification is not supported".to_owned()),
        _ => Some("tollgate cannot verify this kind of security scheme".to_owned()),
    }
}

#[cfg(test)]
// `Problem` is the contract's error type; the error path is the cold one.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use crate::meta::{SchemeRequirement, SecurityRequirement};

    static SCHEMES: &[SecuritySchemeMeta] = &[
        SecuritySchemeMeta {
            name: "HeaderKey",
            kind: SchemeKind::ApiKey {
                location: ApiKeyLocation::Header,
                name: "X-API-Key",
            },
        },
        SecuritySchemeMeta {
            name: "QueryKey",
            kind: SchemeKind::ApiKey {
                location: ApiKeyLocation::Query,
                name: "api_key",
            },
        },
        SecuritySchemeMeta {
            name: "CookieKey",
            kind: SchemeKind::ApiKey {
                location: ApiKeyLocation::Cookie,
                name: "session",
            },
        },
        SecuritySchemeMeta {
            name: "Bearer",
            kind: SchemeKind::Http { scheme: "bearer" },
        },
        SecuritySchemeMeta {
            name: "Basic",
            kind: SchemeKind::Http { scheme: "basic" },
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
    };

    fn keys() -> KeyStore {
        KeyStore::new(&[
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
        ])
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
        // Bearer has no verifier: the API key alternative wins.
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
        let none = KeyStore::new(&[]);
        assert!(authenticate(&none, &API, op, &parts("/x", &[("x-api-key", "k")])).is_err());
    }

    #[test]
    fn undeclared_scheme_fails() {
        static UNKNOWN: &[SchemeRequirement] = &[req("Nope")];
        let op = operation(alternatives(&[UNKNOWN]));
        let problem = authenticate(&keys(), &API, op, &parts("/x", &[])).unwrap_err();
        assert_eq!(problem.status, 401);
    }

    #[test]
    fn basic_challenge_and_escaping() {
        assert_eq!(
            challenge(&SCHEMES[4]).as_deref(),
            Some("Basic realm=\"tollgate\"")
        );
        let odd = SecuritySchemeMeta {
            name: "odd",
            kind: SchemeKind::ApiKey {
                location: ApiKeyLocation::Cookie,
                name: "a\"b",
            },
        };
        assert_eq!(
            challenge(&odd).as_deref(),
            Some("ApiKey realm=\"tollgate\", in=\"cookie\", name=\"a\\\"b\"")
        );
        let digest = SecuritySchemeMeta {
            name: "d",
            kind: SchemeKind::Http { scheme: "digest" },
        };
        assert_eq!(
            challenge(&digest).as_deref(),
            Some("Digest realm=\"tollgate\"")
        );
        let unsupported = SecuritySchemeMeta {
            name: "u",
            kind: SchemeKind::Unsupported,
        };
        assert_eq!(challenge(&unsupported), None);
    }
}
