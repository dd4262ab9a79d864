//! `http` `basic` schemes (RFC 7617): users from `[auth.basic.SCHEME]` with Argon2 password
//! hashes in PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) or bcrypt hashes
//! (`$2b$12$…`, as written by `htpasswd -B`).
//!
//! The user name is compared against every configured name in constant time, and an
//! unknown name still costs one hash verification (against the first user's hash), so
//! timing tells neither whether a user exists nor which one matched. The hash comparison
//! itself is constant time (`password-hash` for Argon2, `subtle` inside `bcrypt`).

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use base64::Engine;
use http::header;
use http::request::Parts;
use subtle::{ConditionallySelectable, ConstantTimeEq};

use super::api_key::sha256;
use super::Verdict;
use crate::config::BasicConfig;
use crate::context::Principal;

/// Longer `Authorization: Basic` values are refused without decoding.
const MAX_CREDENTIALS_LEN: usize = 4096;

/// One configured user.
struct User {
    name: String,
    name_digest: [u8; 32],
    password_hash: String,
}

/// The verifier of one basic scheme.
pub(crate) struct BasicVerifier {
    users: Vec<User>,
}

impl std::fmt::Debug for BasicVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.users.iter().map(|u| &u.name))
            .finish()
    }
}

/// Whether `hash` is in bcrypt's modular crypt format (`$2a$`, `$2b$`, `$2x$`, `$2y$`).
fn is_bcrypt(hash: &str) -> bool {
    ["$2a$", "$2b$", "$2x$", "$2y$"]
        .iter()
        .any(|prefix| hash.starts_with(prefix))
}

/// Checks that `hash` is an Argon2 PHC string or a bcrypt hash (without echoing it).
pub(crate) fn check_hash(hash: &str) -> Result<(), String> {
    if is_bcrypt(hash) {
        return hash
            .parse::<bcrypt::HashParts>()
            .map(|_| ())
            .map_err(|_| "is not a valid bcrypt hash (`$2b$COST$` + 53 characters)".to_owned());
    }
    let parsed = PasswordHash::new(hash).map_err(|_| {
        "is neither an Argon2 PHC string (`$argon2id$…`) nor a bcrypt hash (`$2b$…`)".to_owned()
    })?;
    match parsed.algorithm.as_str() {
        "argon2id" | "argon2i" | "argon2d" => Ok(()),
        _ => Err("must be an Argon2 (`$argon2id$…`) or bcrypt (`$2b$…`) hash".to_owned()),
    }
}

/// Whether `password` matches `hash` (Argon2 or bcrypt); constant time in the comparison.
fn verify_hash(password: &[u8], hash: &str) -> bool {
    if is_bcrypt(hash) {
        return bcrypt::verify(password, hash).unwrap_or(false);
    }
    PasswordHash::new(hash)
        .is_ok_and(|hash| Argon2::default().verify_password(password, &hash).is_ok())
}

impl BasicVerifier {
    /// The verifier for a validated `[auth.basic.SCHEME]` section.
    pub(crate) fn new(config: &BasicConfig) -> Self {
        let users = config
            .users
            .iter()
            .map(|u| User {
                name: u.name.clone(),
                name_digest: sha256(u.name.as_bytes()),
                password_hash: u.password_hash.clone(),
            })
            .collect();
        Self { users }
    }

    /// Verifies the request's `Authorization: Basic …` header.
    pub(crate) fn verify(&self, scheme: &'static str, parts: &Parts) -> Verdict {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Verdict::Missing;
        };
        let Some(encoded) = strip_scheme(value.as_bytes(), b"basic") else {
            return Verdict::Missing;
        };
        if encoded.len() > MAX_CREDENTIALS_LEN {
            return Verdict::Invalid;
        }
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
            return Verdict::Invalid;
        };
        let Some(colon) = decoded.iter().position(|&b| b == b':') else {
            return Verdict::Invalid;
        };
        let (name, password) = (&decoded[..colon], &decoded[colon + 1..]);
        match self.check(name, password) {
            Some(user) => Verdict::Granted(Principal::new(user.name.clone(), scheme)),
            None => Verdict::Invalid,
        }
    }

    /// The user `name` if `password` is theirs. Costs one hash verification whether or not
    /// the user exists.
    fn check(&self, name: &[u8], password: &[u8]) -> Option<&User> {
        let first = self.users.first()?;
        let digest = sha256(name);
        let mut found = 0u64;
        for (i, user) in self.users.iter().enumerate() {
            let candidate = i as u64 + 1;
            found.conditional_assign(&candidate, digest.ct_eq(&user.name_digest));
        }
        let index = usize::try_from(found).ok()?.checked_sub(1);
        let user = index.and_then(|i| self.users.get(i));
        let hash = user.unwrap_or(first).password_hash.as_str();
        if verify_hash(password, hash) {
            user
        } else {
            None
        }
    }
}

/// The credentials after `SCHEME ` in an `Authorization` value, when the scheme (compared
/// case-insensitively) is `scheme`.
pub(crate) fn strip_scheme<'a>(value: &'a [u8], scheme: &[u8]) -> Option<&'a [u8]> {
    let space = value.iter().position(|&b| b == b' ')?;
    let (name, rest) = value.split_at(space);
    if !name.eq_ignore_ascii_case(scheme) {
        return None;
    }
    let rest = rest.trim_ascii();
    (!rest.is_empty()).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BasicUser;
    use argon2::password_hash::{PasswordHasher, SaltString};
    use argon2::{Algorithm, Params, Version};

    fn hash(password: &str) -> String {
        let argon = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        );
        let salt = SaltString::from_b64("c29tZXNhbHRzb21lc2FsdA").unwrap();
        argon
            .hash_password(password.as_bytes(), &salt)
            .unwrap()
            .to_string()
    }

    fn verifier() -> BasicVerifier {
        BasicVerifier::new(&BasicConfig {
            users: vec![
                BasicUser {
                    name: "alice".into(),
                    password_hash: hash("wonderland"),
                },
                BasicUser {
                    name: "bob".into(),
                    password_hash: hash("builder"),
                },
                BasicUser {
                    name: "carol".into(),
                    // The cheapest cost bcrypt allows: fast tests.
                    password_hash: bcrypt::hash("singer", 4).unwrap(),
                },
            ],
        })
    }

    fn with(value: &str) -> Parts {
        http::Request::builder()
            .header("authorization", value)
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    fn basic(user_pass: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(user_pass)
        )
    }

    #[test]
    fn accepts_the_right_password() {
        let v = verifier();
        let Verdict::Granted(p) = v.verify("B", &with(&basic("bob:builder"))) else {
            panic!("refused");
        };
        assert_eq!(p.subject, "bob");
        assert_eq!(p.schemes, vec!["B"]);
        let Verdict::Granted(p) = v.verify("B", &with(&basic("carol:singer"))) else {
            panic!("bcrypt user refused");
        };
        assert_eq!(p.subject, "carol");
        // The scheme name is case-insensitive.
        assert!(matches!(
            v.verify(
                "B",
                &with(&basic("alice:wonderland").replace("Basic", "bAsIc"))
            ),
            Verdict::Granted(_)
        ));
    }

    #[test]
    fn refuses_the_rest() {
        let v = verifier();
        for value in [
            basic("bob:wonderland"),
            basic("carol:builder"),
            basic("carol:singer2"),
            basic("bob:singer"),
            basic("dave:singer"),
            basic("bob"),
            basic("bob:"),
            "Basic !!!".to_owned(),
            format!("Basic {}", "A".repeat(MAX_CREDENTIALS_LEN + 4)),
        ] {
            assert!(
                matches!(v.verify("B", &with(&value)), Verdict::Invalid),
                "{value}"
            );
        }
        assert!(matches!(v.verify("B", &with("Bearer x")), Verdict::Missing));
        let none = http::Request::new(()).into_parts().0;
        assert!(matches!(v.verify("B", &none), Verdict::Missing));
    }

    #[test]
    fn hash_check() {
        assert!(check_hash(&hash("x")).is_ok());
        assert!(check_hash("plain-text").is_err());
        assert!(check_hash(&bcrypt::hash("x", 4).unwrap()).is_ok());
        assert!(check_hash("$2b$12$abcdefghijklmnopqrstuuSomethingSomethingSomethingxx").is_err());
        assert!(check_hash("$2b$12$short").is_err());
        assert!(check_hash("$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA").is_err());
    }
}
