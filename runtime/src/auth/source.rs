//! Identity sources: where a verifier finds its credential in a request.
//!
//! Written the way Amazon API Gateway writes them, in either of its two syntaxes:
//! `$request.header.NAME`, `$request.querystring.NAME` (HTTP APIs) or
//! `method.request.header.NAME`, `method.request.querystring.NAME` (REST APIs), plus
//! `$request.cookie.NAME`.

use std::borrow::Cow;

use http::header::HeaderName;
use http::request::Parts;
use http::{header, HeaderMap};

/// One place a credential can travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdentitySource {
    /// A request header.
    Header(HeaderName),
    /// A query parameter.
    Query(String),
    /// A cookie.
    Cookie(String),
}

impl IdentitySource {
    /// The `Authorization` header.
    pub(crate) fn authorization() -> Self {
        Self::Header(header::AUTHORIZATION)
    }

    /// Parses one identity source expression.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let rest = text
            .strip_prefix("$request.")
            .or_else(|| text.strip_prefix("method.request."))
            .ok_or_else(|| {
                format!(
                    "identity source {text:?} must look like `$request.header.NAME`, \
                     `$request.querystring.NAME` or `$request.cookie.NAME`"
                )
            })?;
        let (kind, name) = rest
            .split_once('.')
            .filter(|(_, name)| !name.is_empty())
            .ok_or_else(|| format!("identity source {text:?} names no header or parameter"))?;
        match kind {
            "header" => HeaderName::from_bytes(name.as_bytes())
                .map(Self::Header)
                .map_err(|_| format!("identity source {text:?}: {name:?} is not a header name")),
            "querystring" => Ok(Self::Query(name.to_owned())),
            "cookie" => Ok(Self::Cookie(name.to_owned())),
            _ => Err(format!(
                "identity source {text:?}: expected `header`, `querystring` or `cookie`, \
                 not {kind:?}"
            )),
        }
    }

    /// The value in `parts`, if present and not empty. Header values that are not visible
    /// ASCII count as absent.
    pub(crate) fn read<'a>(&self, parts: &'a Parts) -> Option<Cow<'a, str>> {
        let value: Cow<'a, str> = match self {
            Self::Header(name) => Cow::Borrowed(parts.headers.get(name)?.to_str().ok()?),
            Self::Query(name) => query(parts, name)?,
            Self::Cookie(name) => {
                Cow::Borrowed(std::str::from_utf8(cookie(&parts.headers, name)?).ok()?)
            }
        };
        (!value.is_empty()).then_some(value)
    }

    /// The expression, for messages (`$request.header.x-token`).
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Header(name) => format!("$request.header.{name}"),
            Self::Query(name) => format!("$request.querystring.{name}"),
            Self::Cookie(name) => format!("$request.cookie.{name}"),
        }
    }
}

/// The first value of query parameter `name`, percent-decoded.
pub(crate) fn query<'a>(parts: &'a Parts, name: &str) -> Option<Cow<'a, str>> {
    let query = parts.uri.query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The value of cookie `name` in the request's `Cookie` header(s) (RFC 6265 §4.2: `;`
/// separated `name=value` pairs; a value may be wrapped in double quotes).
///
/// Hand-written: this one lookup is all the gateway needs of a cookie crate.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a [u8]> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder().uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn parses_both_syntaxes() {
        assert_eq!(
            IdentitySource::parse("$request.header.Authorization").unwrap(),
            IdentitySource::authorization()
        );
        assert_eq!(
            IdentitySource::parse("method.request.querystring.token").unwrap(),
            IdentitySource::Query("token".into())
        );
        assert_eq!(
            IdentitySource::parse("$request.cookie.sid").unwrap(),
            IdentitySource::Cookie("sid".into())
        );
        for bad in [
            "header.x",
            "$request.header.",
            "$request.body.x",
            "$request.header.a b",
        ] {
            assert!(IdentitySource::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_values() {
        let p = parts(
            "/x?token=a%20b&empty=",
            &[("x-token", "t"), ("cookie", "a=1; sid=\"s\"")],
        );
        let read = |s: &str| {
            IdentitySource::parse(s)
                .unwrap()
                .read(&p)
                .map(Cow::into_owned)
        };
        assert_eq!(read("$request.header.X-Token").as_deref(), Some("t"));
        assert_eq!(read("$request.querystring.token").as_deref(), Some("a b"));
        assert_eq!(read("$request.querystring.empty"), None);
        assert_eq!(read("$request.cookie.sid").as_deref(), Some("s"));
        assert_eq!(read("$request.header.missing"), None);
    }
}
