//! `tollgate check --config`: which security schemes a gateway configuration leaves without a
//! verifier, so that every caller of the operations needing them gets 401.
//!
//! The rules are the runtime's (`Authenticator::why_unverifiable` in `runtime/src/auth`):
//! `apiKey` schemes need `[[api_keys]]`; `http` `basic` needs `[auth.basic.NAME]`; `http`
//! `bearer`, `oauth2` and `openIdConnect` need `[auth.jwt.NAME]`; schemes marked
//! `x-amazon-apigateway-authtype: awsSigv4` need `[auth.sigv4.NAME]`; any scheme with an
//! `[auth.custom.NAME]` section counts as verified by the custom authorizer registered for it
//! in code. Other `http` schemes (digest, …) have no built-in verifier at all.
//!
//! The file is read with the `toml` crate rather than the runtime's `Config`, so the CLI does
//! not depend on the runtime; the gateway itself reports every other mistake in the file at
//! startup.

use std::collections::BTreeSet;
use std::path::Path;

use tollgate_codegen::ir::{self, SchemeKind};
use tollgate_codegen::Diagnostic;

/// What a `tollgate.toml` configures for authentication.
#[derive(Debug, Default)]
pub(crate) struct Verifiers {
    /// Whether there is at least one `[[api_keys]]` entry.
    api_keys: bool,
    /// `(section, scheme)` for every `[auth.SECTION.SCHEME]` table
    /// (`jwt`, `basic`, `sigv4`, `custom`).
    sections: BTreeSet<(String, String)>,
}

/// The `[auth]` sections that configure one scheme each.
const SECTIONS: &[&str] = &["jwt", "basic", "sigv4", "custom"];

impl Verifiers {
    /// Reads the configuration at `path`; `Err` is a one-line message.
    pub(crate) fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
        let table: toml::Table = text.parse().map_err(|err: toml::de::Error| {
            format!("`{}` is not valid TOML: {}", path.display(), err.message())
        })?;
        let api_keys = table
            .get("api_keys")
            .and_then(toml::Value::as_array)
            .is_some_and(|keys| !keys.is_empty());
        let auth = table.get("auth").and_then(toml::Value::as_table);
        let mut sections = BTreeSet::new();
        for section in SECTIONS {
            let Some(schemes) = auth
                .and_then(|auth| auth.get(*section))
                .and_then(toml::Value::as_table)
            else {
                continue;
            };
            for scheme in schemes.keys() {
                sections.insert(((*section).to_owned(), scheme.clone()));
            }
        }
        Ok(Self { api_keys, sections })
    }

    fn has(&self, section: &str, scheme: &str) -> bool {
        self.sections
            .contains(&(section.to_owned(), scheme.to_owned()))
    }

    /// Why the gateway cannot verify `scheme`, and how to fix it; `None` when it can.
    fn why_unverifiable(&self, scheme: &ir::SecurityScheme) -> Option<(String, String)> {
        let name = &scheme.name;
        if self.has("custom", name) {
            return None;
        }
        let missing = |section: &str, needs: &str| {
            (!self.has(section, name)).then(|| {
                (
                    format!("there is no [auth.{section}.{name}] section"),
                    format!("add [auth.{section}.{name}] with {needs}"),
                )
            })
        };
        let custom = || {
            format!(
                "register a custom authorizer for it (`GatewayBuilder::authorizer`) and add \
                 [auth.custom.{name}]"
            )
        };
        match &scheme.kind {
            SchemeKind::ApiKey { .. } if !self.api_keys => Some((
                "no [[api_keys]] are configured".to_owned(),
                "add an [[api_keys]] entry (id, key or key_sha256, plan)".to_owned(),
            )),
            SchemeKind::ApiKey { .. } => None,
            SchemeKind::Http(http) if http == "basic" => {
                missing("basic", "users = [{ name, password_hash }]")
            }
            SchemeKind::Http(http) if http == "bearer" => {
                missing("jwt", "jwks_url, jwks_file or hs256_secret_env")
            }
            SchemeKind::OAuth2 | SchemeKind::OpenIdConnect(_) => {
                missing("jwt", "jwks_url, jwks_file or hs256_secret_env")
            }
            SchemeKind::AwsSigV4 => missing("sigv4", "region and credentials"),
            SchemeKind::Http(http) => Some((
                format!("HTTP {http} authentication has no built-in verifier"),
                custom(),
            )),
            SchemeKind::Unsupported => Some((
                "tollgate cannot verify this kind of security scheme".to_owned(),
                custom(),
            )),
        }
    }

    /// One warning per security scheme that some operation of `api` needs and that this
    /// configuration gives no verifier, located at the scheme's definition. The message
    /// names the operations that then answer 401 to every caller (those whose every
    /// `security` alternative needs an unverifiable scheme).
    pub(crate) fn unverifiable_schemes(&self, api: &ir::Api) -> Vec<Diagnostic> {
        let unverifiable: Vec<(&ir::SecurityScheme, String, String)> = api
            .security_schemes
            .iter()
            .filter_map(|s| self.why_unverifiable(s).map(|(why, hint)| (s, why, hint)))
            .collect();
        let is_unverifiable = |name: &str| unverifiable.iter().any(|(s, ..)| s.name == name);
        let mut out = Vec::new();
        for (scheme, why, hint) in &unverifiable {
            let mut needed_by = Vec::new();
            let mut blocked = Vec::new();
            for op in &api.operations {
                if !op
                    .security
                    .iter()
                    .any(|alt| alt.iter().any(|(name, _)| *name == scheme.name))
                {
                    continue;
                }
                let route = format!("{} {}", op.method, op.path);
                if op
                    .security
                    .iter()
                    .all(|alt| alt.iter().any(|(name, _)| is_unverifiable(name)))
                {
                    blocked.push(route.clone());
                }
                needed_by.push(route);
            }
            if needed_by.is_empty() {
                continue;
            }
            let effect = if blocked.len() == needed_by.len() {
                format!(
                    "{} {} 401 to every caller",
                    list(&blocked),
                    verb(&blocked, "answers")
                )
            } else if blocked.is_empty() {
                format!(
                    "{} {} it but {} another alternative",
                    list(&needed_by),
                    verb(&needed_by, "needs"),
                    verb(&needed_by, "accepts")
                )
            } else {
                format!(
                    "{} {} it; {} {} 401 to every caller",
                    list(&needed_by),
                    verb(&needed_by, "needs"),
                    list(&blocked),
                    verb(&blocked, "answers")
                )
            };
            let name = &scheme.name;
            let pointer = format!(
                "#/components/securitySchemes/{}",
                name.replace('~', "~0").replace('/', "~1")
            );
            out.push(
                Diagnostic::warning(
                    pointer,
                    format!("security scheme `{name}` has no verifier: {why}; {effect}"),
                )
                .with_hint(hint.clone()),
            );
        }
        out
    }
}

/// `GET /a, GET /b`, or the first five and how many more.
fn list(routes: &[String]) -> String {
    if routes.len() > 5 {
        format!("{} and {} more", routes[..5].join(", "), routes.len() - 5)
    } else {
        routes.join(", ")
    }
}

/// `answers` for one route, `answer` for several.
fn verb<'a>(routes: &[String], singular: &'a str) -> &'a str {
    if routes.len() == 1 {
        singular
    } else {
        singular.strip_suffix('s').unwrap_or(singular)
    }
}
