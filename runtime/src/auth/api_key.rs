//! `apiKey` schemes: keys from `[[api_keys]]`, in a header, query parameter or cookie.
//!
//! Keys are compared as SHA-256 digests, in constant time, against every configured key
//! without stopping at a match, so timing tells neither which key matched nor how much of
//! a key was right.

use std::borrow::Cow;
use std::sync::Arc;

use http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::source::{cookie, query};
use super::Verdict;
use crate::config::ApiKeyConfig;
use crate::context::Principal;
use crate::meta::ApiKeyLocation;

/// Longer presented keys are invalid without being hashed; longer configured keys are a
/// configuration error.
pub(crate) const MAX_KEY_LEN: usize = 4096;

/// The SHA-256 digest of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Whether two digests are equal, in constant time: the XOR of their four 64-bit words,
/// OR-ed together, compared with zero once (`subtle` byte by byte cost about 250
/// instructions per configured key, this about 20).
fn digests_equal(a: &[u8; 32], b: &[u8; 32]) -> Choice {
    let mut difference = 0u64;
    for (a, b) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let (mut x, mut y) = ([0u8; 8], [0u8; 8]);
        x.copy_from_slice(a);
        y.copy_from_slice(b);
        difference |= u64::from_ne_bytes(x) ^ u64::from_ne_bytes(y);
    }
    difference.ct_eq(&0)
}

/// Parses a hex SHA-256 digest (64 hex digits, either case).
pub(crate) fn parse_sha256_hex(text: &str) -> Option<[u8; 32]> {
    let mut digest = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut digest).ok()?;
    Some(digest)
}

/// One configured key, by digest.
pub(crate) struct StoredKey {
    /// The key's id (shared with every principal it authenticates).
    pub(crate) id: Arc<str>,
    /// The key's usage plan (shared likewise).
    pub(crate) plan: Option<Arc<str>>,
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
                    id: Arc::from(k.id.as_str()),
                    plan: k.plan.as_deref().map(Arc::from),
                    digest,
                })
            })
            .collect();
        Self { keys }
    }

    /// Whether no key is configured.
    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The configured key equal to `presented`. Every configured key is compared, in
    /// constant time.
    pub(crate) fn find(&self, presented: &[u8]) -> Option<&StoredKey> {
        if presented.is_empty() || presented.len() > MAX_KEY_LEN {
            return None;
        }
        let digest = sha256(presented);
        // 0: no match; otherwise the index of the match plus one.
        let mut found = 0u64;
        for (i, key) in self.keys.iter().enumerate() {
            let candidate = i as u64 + 1;
            found.conditional_assign(&candidate, digests_equal(&digest, &key.digest));
        }
        let index = usize::try_from(found).ok()?.checked_sub(1)?;
        self.keys.get(index)
    }

    /// Verifies the key presented at `location` under `name` for scheme `scheme`.
    pub(crate) fn verify(
        &self,
        scheme: &'static str,
        location: ApiKeyLocation,
        name: &str,
        parts: &Parts,
    ) -> Verdict {
        let Some(presented) = presented_key(parts, location, name) else {
            return Verdict::Missing;
        };
        match self.find(&presented) {
            Some(key) => Verdict::Granted(key.principal(scheme)),
            None => Verdict::Invalid,
        }
    }
}

impl StoredKey {
    /// The principal of a caller presenting this key.
    pub(crate) fn principal(&self, scheme: &'static str) -> Principal {
        let mut principal = Principal::new(&*self.id, scheme);
        principal.api_key_id = Some(self.id.clone());
        principal.plan = self.plan.clone();
        principal
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
        ApiKeyLocation::Query => match query(parts, name)? {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        },
        ApiKeyLocation::Cookie => Cow::Borrowed(cookie(&parts.headers, name)?),
    };
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::{digests_equal, sha256};

    #[test]
    fn digests_compare_by_every_byte() {
        let a = sha256(b"alpha");
        assert!(bool::from(digests_equal(&a, &a)));
        for byte in 0..32 {
            for bit in 0..8 {
                let mut b = a;
                b[byte] ^= 1 << bit;
                assert!(!bool::from(digests_equal(&a, &b)), "byte {byte} bit {bit}");
            }
        }
    }
}
