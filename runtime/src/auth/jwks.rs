//! JWT verification keys: a JWKS document (RFC 7517) read from a file or fetched from a
//! URL, and HMAC secrets.
//!
//! A remote JWKS is fetched on first use, kept for `jwks_cache_secs`, and fetched again
//! when a token names a `kid` the cached set does not have — at most once per
//! `jwks_refresh_min_secs`, so a flood of made-up `kid`s cannot turn the gateway into a
//! load generator against the identity provider. One fetch runs at a time; a failed fetch
//! keeps the previous keys.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

/// Largest JWKS document accepted from a URL.
const MAX_JWKS_BYTES: usize = 1 << 20;

/// One verification key.
#[derive(Clone)]
pub(crate) struct Key {
    /// The JWK `kid`, if any.
    kid: Option<String>,
    /// The JWK `alg`, if any: the key is then only used with that algorithm.
    alg: Option<Algorithm>,
    /// The key.
    pub(crate) key: DecodingKey,
}

impl Key {
    /// An HMAC secret (no `kid`).
    pub(crate) fn secret(secret: &[u8]) -> Self {
        Self {
            kid: None,
            alg: None,
            key: DecodingKey::from_secret(secret),
        }
    }

    /// Whether the key may verify a token with header `kid` and `alg`. A token without
    /// `kid` may use any key of the right family.
    fn fits(&self, kid: Option<&str>, alg: Algorithm) -> bool {
        let kid_fits = match (kid, &self.kid) {
            (Some(wanted), Some(have)) => wanted == have,
            (Some(_), None) => false,
            (None, _) => true,
        };
        kid_fits && self.alg.is_none_or(|a| a == alg) && self.key.family() == alg.family()
    }
}

/// A set of verification keys.
#[derive(Clone, Default)]
pub(crate) struct KeySet {
    keys: Vec<Key>,
}

impl KeySet {
    /// The keys of a JWKS document. Keys meant for encryption (`"use": "enc"`) and keys of
    /// unsupported types are skipped; a document that is not a JWKS is an error.
    pub(crate) fn from_jwks(json: &[u8]) -> Result<Self, String> {
        let set: JwkSet =
            serde_json::from_slice(json).map_err(|err| format!("not a JWKS document ({err})"))?;
        let keys = set.keys.iter().filter_map(key_from_jwk).collect();
        Ok(Self { keys })
    }

    /// Adds `key`.
    pub(crate) fn push(&mut self, key: Key) {
        self.keys.push(key);
    }

    /// How many keys the set has.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The keys that may verify a token with header `kid` and `alg`.
    pub(crate) fn matching(&self, kid: Option<&str>, alg: Algorithm) -> Vec<DecodingKey> {
        self.keys
            .iter()
            .filter(|k| k.fits(kid, alg))
            .map(|k| k.key.clone())
            .collect()
    }

    /// Whether the set has a key with this `kid`.
    fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }
}

fn key_from_jwk(jwk: &Jwk) -> Option<Key> {
    if matches!(
        jwk.common.public_key_use,
        Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
    ) {
        return None;
    }
    let alg = match jwk.common.key_algorithm {
        Some(alg) => Some(alg.to_string().parse::<Algorithm>().ok()?),
        None => None,
    };
    Some(Key {
        kid: jwk.common.key_id.clone(),
        alg,
        key: DecodingKey::from_jwk(jwk).ok()?,
    })
}

/// Settings of a remote JWKS.
#[derive(Debug, Clone)]
pub(crate) struct RemoteSettings {
    /// The JWKS URL.
    pub(crate) url: String,
    /// Timeout of one fetch.
    pub(crate) timeout: Duration,
    /// How long fetched keys are used before fetching again.
    pub(crate) cache: Duration,
    /// The least time between two fetches.
    pub(crate) min_refresh: Duration,
}

/// What was fetched, and when.
#[derive(Default)]
struct Cached {
    keys: Arc<KeySet>,
    fetched_at: Option<Instant>,
    attempted_at: Option<Instant>,
}

/// A JWKS fetched from a URL and cached.
pub(crate) struct RemoteJwks {
    settings: RemoteSettings,
    client: reqwest::Client,
    cached: RwLock<Cached>,
    /// Held while fetching: one fetch at a time.
    fetching: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("url", &self.settings.url)
            .finish_non_exhaustive()
    }
}

impl RemoteJwks {
    /// A remote JWKS; nothing is fetched until the first token arrives.
    pub(crate) fn new(settings: RemoteSettings) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .map_err(|err| format!("cannot build the HTTP client for jwks_url: {err}"))?;
        Ok(Self {
            settings,
            client,
            cached: RwLock::new(Cached::default()),
            fetching: tokio::sync::Mutex::new(()),
        })
    }

    fn snapshot(&self) -> (Arc<KeySet>, Option<Instant>) {
        let cached = self.cached.read().unwrap_or_else(|p| p.into_inner());
        (cached.keys.clone(), cached.fetched_at)
    }

    /// The keys that may verify a token with header `kid` and `alg`: from the cache while
    /// it is fresh and knows the `kid`, else after a fetch (rate-limited).
    pub(crate) async fn matching(&self, kid: Option<&str>, alg: Algorithm) -> Vec<DecodingKey> {
        let (keys, fetched_at) = self.snapshot();
        let fresh = fetched_at.is_some_and(|at| at.elapsed() < self.settings.cache);
        let known = kid.is_none_or(|kid| keys.has_kid(kid));
        if fresh && known {
            return keys.matching(kid, alg);
        }
        self.refresh().await;
        self.snapshot().0.matching(kid, alg)
    }

    /// Fetches the JWKS again unless a fetch started less than `min_refresh` ago.
    async fn refresh(&self) {
        let _one_at_a_time = self.fetching.lock().await;
        {
            let mut cached = self.cached.write().unwrap_or_else(|p| p.into_inner());
            let recent = cached
                .attempted_at
                .is_some_and(|at| at.elapsed() < self.settings.min_refresh);
            if recent {
                return;
            }
            cached.attempted_at = Some(Instant::now());
        }
        match self.fetch().await {
            Ok(keys) => {
                tracing::debug!(url = %self.settings.url, keys = keys.len(), "fetched the JWKS");
                let mut cached = self.cached.write().unwrap_or_else(|p| p.into_inner());
                cached.keys = Arc::new(keys);
                cached.fetched_at = Some(Instant::now());
            }
            Err(why) => {
                tracing::warn!(
                    url = %self.settings.url,
                    "cannot fetch the JWKS ({why}); keeping the keys fetched before"
                );
            }
        }
    }

    async fn fetch(&self) -> Result<KeySet, String> {
        let mut response = self
            .client
            .get(&self.settings.url)
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|err| format!("request failed: {}", without_url(&err)))?;
        if !response.status().is_success() {
            return Err(format!("status {}", response.status()));
        }
        if response
            .content_length()
            .is_some_and(|len| len > MAX_JWKS_BYTES as u64)
        {
            return Err(format!("larger than {MAX_JWKS_BYTES} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| format!("reading failed: {}", without_url(&err)))?
        {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(format!("larger than {MAX_JWKS_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        KeySet::from_jwks(&body)
    }
}

/// A reqwest error's message without the URL (logged separately, once).
fn without_url(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "cannot connect".to_owned()
    } else {
        let mut text = err.to_string();
        if let Some(url) = err.url() {
            text = text.replace(url.as_str(), "<url>");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWKS: &str = r#"{"keys":[
        {"kty":"EC","crv":"P-256","kid":"ec","alg":"ES256","use":"sig",
         "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
         "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
        {"kty":"EC","crv":"P-256","kid":"enc","use":"enc",
         "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
         "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
        {"kty":"oct","kid":"hmac","k":"c2VjcmV0"}
    ]}"#;

    #[test]
    fn selects_by_kid_alg_and_family() {
        let set = KeySet::from_jwks(JWKS.as_bytes()).unwrap();
        assert_eq!(set.len(), 2, "the encryption key is skipped");
        assert_eq!(set.matching(Some("ec"), Algorithm::ES256).len(), 1);
        assert_eq!(set.matching(Some("ec"), Algorithm::ES384).len(), 0);
        assert_eq!(set.matching(Some("ec"), Algorithm::HS256).len(), 0);
        assert_eq!(set.matching(Some("enc"), Algorithm::ES256).len(), 0);
        assert_eq!(set.matching(Some("nope"), Algorithm::ES256).len(), 0);
        assert_eq!(set.matching(None, Algorithm::ES256).len(), 1);
        assert_eq!(set.matching(None, Algorithm::HS256).len(), 1);
        assert_eq!(set.matching(None, Algorithm::RS256).len(), 0);
    }

    #[test]
    fn refuses_what_is_not_a_jwks() {
        assert!(KeySet::from_jwks(b"{}").is_err());
        assert!(KeySet::from_jwks(b"not json").is_err());
    }
}
