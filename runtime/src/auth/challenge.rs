//! The answers of the authentication stage: 401 with `WWW-Authenticate` challenges and
//! 403 for insufficient scope (RFC 9110 §11.6.1, RFC 6750 §3).
//!
//! Details never say which check failed: only what RFC 6750 lets a bearer challenge say
//! (`error="invalid_token"`, `error="insufficient_scope"` and the scope needed).

use std::borrow::Cow;

use http::header;

use crate::meta::{ApiKeyLocation, ApiMeta, OperationMeta, SchemeKind, SecuritySchemeMeta};
use crate::problem::{Problem, ProblemKind};

/// The realm of every challenge.
pub(crate) const REALM: &str = "tollgate";

/// The detail of every 401.
pub(crate) const UNAUTHORIZED_DETAIL: &str = "missing or invalid credentials";

/// The 401 for `op`, with one `WWW-Authenticate` challenge per kind of scheme it accepts.
/// `invalid_bearer` adds `error="invalid_token"` to the bearer challenge (RFC 6750 §3.1:
/// only when a token was presented).
pub(crate) fn unauthorized(api: &ApiMeta, op: &OperationMeta, invalid_bearer: bool) -> Problem {
    let mut problem = Problem::new(ProblemKind::Unauthorized, UNAUTHORIZED_DETAIL);
    let mut challenges: Vec<String> = Vec::new();
    let schemes = op
        .security
        .iter()
        .flat_map(|alternative| alternative.schemes)
        .filter_map(|requirement| api.scheme(requirement.scheme));
    for scheme in schemes {
        let Some(mut challenge) = challenge(scheme) else {
            continue;
        };
        if invalid_bearer && challenge.starts_with("Bearer ") {
            challenge.push_str(", error=\"invalid_token\"");
        }
        if !challenges.contains(&challenge) {
            challenges.push(challenge);
        }
    }
    for challenge in &challenges {
        problem = problem.with_header(header::WWW_AUTHENTICATE, challenge);
    }
    problem
}

/// The 403 for credentials that verified but lack `scopes` (the scopes of the
/// alternative that came closest).
pub(crate) fn insufficient_scope(scopes: &[&str]) -> Problem {
    let scope = scopes.join(" ");
    Problem::new(
        ProblemKind::Forbidden,
        "the credentials do not grant the scope this operation requires",
    )
    .with_header(
        header::WWW_AUTHENTICATE,
        &format!(
            "Bearer realm=\"{REALM}\", error=\"insufficient_scope\", scope=\"{}\"",
            quoted(&scope)
        ),
    )
}

/// The 401 for a SigV4-signed request whose body does not have the hash the signature
/// covers: the same answer as any refused credential.
pub(crate) fn payload_mismatch() -> Problem {
    Problem::new(ProblemKind::Unauthorized, UNAUTHORIZED_DETAIL).with_header(
        header::WWW_AUTHENTICATE,
        &format!("AWS4-HMAC-SHA256 realm=\"{REALM}\""),
    )
}

/// The 431 for a credential header too large to look at.
pub(crate) fn too_large() -> Problem {
    Problem::new(
        ProblemKind::HeadersTooLarge,
        "a credential header is larger than the gateway accepts",
    )
}

/// The `WWW-Authenticate` challenge of a scheme, when there is a sensible one.
pub(crate) fn challenge(scheme: &SecuritySchemeMeta) -> Option<String> {
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
            format!("Basic realm=\"{REALM}\", charset=\"UTF-8\"")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_and_escaping() {
        let basic = SecuritySchemeMeta {
            name: "b",
            kind: SchemeKind::Http { scheme: "basic" },
            authorizer: None,
        };
        assert_eq!(
            challenge(&basic).as_deref(),
            Some("Basic realm=\"tollgate\", charset=\"UTF-8\"")
        );
        let odd = SecuritySchemeMeta {
            name: "odd",
            kind: SchemeKind::ApiKey {
                location: ApiKeyLocation::Cookie,
                name: "a\"b",
            },
            authorizer: None,
        };
        assert_eq!(
            challenge(&odd).as_deref(),
            Some("ApiKey realm=\"tollgate\", in=\"cookie\", name=\"a\\\"b\"")
        );
        let digest = SecuritySchemeMeta {
            name: "d",
            kind: SchemeKind::Http { scheme: "digest" },
            authorizer: None,
        };
        assert_eq!(
            challenge(&digest).as_deref(),
            Some("Digest realm=\"tollgate\"")
        );
        let unsupported = SecuritySchemeMeta {
            name: "u",
            kind: SchemeKind::Unsupported,
            authorizer: None,
        };
        assert_eq!(challenge(&unsupported), None);
    }

    #[test]
    fn insufficient_scope_names_the_scope() {
        let problem = insufficient_scope(&["pets:read", "pets:write"]);
        assert_eq!(problem.status, 403);
        assert_eq!(
            problem.headers[header::WWW_AUTHENTICATE],
            "Bearer realm=\"tollgate\", error=\"insufficient_scope\", scope=\"pets:read pets:write\""
        );
    }
}
