//! Per-request cost of the authentication stage: API keys (constant-time scan of every
//! configured key) and JWTs (RS256 with a JWKS file, HS256 with a secret).
//!
//! `cargo bench -p tollgate --bench auth`

use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, criterion_main, Criterion};
use http::request::Parts;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use serde_json::json;
use tollgate::meta::{
    ApiKeyLocation, ApiMeta, OperationMeta, SchemeKind, SchemeRequirement, SecurityRequirement,
    SecuritySchemeMeta,
};
use tollgate::{Config, Gateway};

static SCHEMES: &[SecuritySchemeMeta] = &[
    SecuritySchemeMeta {
        name: "Key",
        kind: SchemeKind::ApiKey {
            location: ApiKeyLocation::Header,
            name: "x-api-key",
        },
        authorizer: None,
    },
    SecuritySchemeMeta {
        name: "Rsa",
        kind: SchemeKind::Http { scheme: "bearer" },
        authorizer: None,
    },
    SecuritySchemeMeta {
        name: "Hmac",
        kind: SchemeKind::Http { scheme: "bearer" },
        authorizer: None,
    },
];

const fn op(id: &'static str, security: &'static [SecurityRequirement]) -> OperationMeta {
    OperationMeta {
        id,
        method: "GET",
        path: "/x",
        security,
        throttle: None,
        body: None,
    }
}

static OPERATIONS: &[OperationMeta] = &[
    op(
        "key",
        &[SecurityRequirement {
            schemes: &[SchemeRequirement {
                scheme: "Key",
                scopes: &[],
            }],
        }],
    ),
    op(
        "rsa",
        &[SecurityRequirement {
            schemes: &[SchemeRequirement {
                scheme: "Rsa",
                scopes: &["read"],
            }],
        }],
    ),
    op(
        "hmac",
        &[SecurityRequirement {
            schemes: &[SchemeRequirement {
                scheme: "Hmac",
                scopes: &[],
            }],
        }],
    ),
];

static API: ApiMeta = ApiMeta {
    title: "bench",
    version: "1",
    security_schemes: SCHEMES,
    operations: OPERATIONS,
    throttle: None,
    api_key_source: None,
};

const SECRET: &str = "bench-secret-0123456789abcdef-0123456789";

fn parts(header: &str, value: &str) -> Parts {
    http::Request::builder()
        .uri("/x")
        .header(header, value)
        .body(())
        .expect("valid request")
        .into_parts()
        .0
}

/// A gateway with `keys` API keys, an RS256 JWKS file and an HMAC secret; the RS256 and
/// HS256 tokens it accepts.
fn gateway(keys: usize) -> (Gateway, String, String) {
    let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key");
    let der = private.to_pkcs1_der().expect("DER");
    let encoding = EncodingKey::from_rsa_der(der.as_bytes());
    let mut jwk = serde_json::to_value(
        jsonwebtoken::jwk::Jwk::from_encoding_key(&encoding, Algorithm::RS256).expect("JWK"),
    )
    .expect("JSON");
    jwk["kid"] = json!("k1");
    let dir = std::env::temp_dir().join(format!("tollgate-bench-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let jwks = dir.join("jwks.json");
    std::fs::File::create(&jwks)
        .and_then(|mut f| f.write_all(json!({ "keys": [jwk] }).to_string().as_bytes()))
        .expect("JWKS file");
    std::env::set_var("TOLLGATE_BENCH_HMAC", SECRET);

    let mut text = String::new();
    for i in 0..keys {
        text.push_str(&format!(
            "[[api_keys]]\nid = \"key-{i}\"\nkey = \"bench-key-{i:04}-abcdefghijklmnop\"\n"
        ));
    }
    text.push_str(&format!(
        "[auth.jwt.Rsa]\nissuer = \"https://issuer.example\"\naudience = \"bench\"\n\
         jwks_file = \"{}\"\n[auth.jwt.Hmac]\nhs256_secret_env = \"TOLLGATE_BENCH_HMAC\"\n",
        jwks.display()
    ));
    let gateway =
        Gateway::from_config(Config::from_toml_str(&text).expect("config")).expect("gateway");
    let claims = json!({
        "sub": "user-1", "iss": "https://issuer.example", "aud": "bench",
        "exp": jsonwebtoken::get_current_timestamp() + 3600, "scope": "read write",
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("k1".into());
    let rs256 = jsonwebtoken::encode(&header, &claims, &encoding).expect("RS256 token");
    let hs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("HS256 token");
    (gateway, rs256, hs256)
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let run = |gateway: &Gateway, op: &'static OperationMeta, parts: &Parts| {
        runtime
            .block_on(gateway.authenticate(&API, op, parts))
            .is_ok()
    };
    let (key_op, rsa_op, hmac_op) = (&OPERATIONS[0], &OPERATIONS[1], &OPERATIONS[2]);

    for keys in [1, 100] {
        let (gateway, _, _) = gateway(keys);
        let hit = parts("x-api-key", "bench-key-0000-abcdefghijklmnop");
        assert!(run(&gateway, key_op, &hit));
        c.bench_function(&format!("api_key/valid/{keys}_keys"), |b| {
            b.iter(|| run(black_box(&gateway), key_op, black_box(&hit)))
        });
        let miss = parts("x-api-key", "not-a-key-at-all-0000000000000");
        assert!(!run(&gateway, key_op, &miss));
        c.bench_function(&format!("api_key/invalid/{keys}_keys"), |b| {
            b.iter(|| run(black_box(&gateway), key_op, black_box(&miss)))
        });
    }

    let (gateway, rs256, hs256) = gateway(1);
    let rsa = parts("authorization", &format!("Bearer {rs256}"));
    assert!(run(&gateway, rsa_op, &rsa));
    c.bench_function("jwt/rs256/valid", |b| {
        b.iter(|| run(black_box(&gateway), rsa_op, black_box(&rsa)))
    });
    let mut tampered = rs256.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let bad = parts("authorization", &format!("Bearer {tampered}"));
    assert!(!run(&gateway, rsa_op, &bad));
    c.bench_function("jwt/rs256/bad_signature", |b| {
        b.iter(|| run(black_box(&gateway), rsa_op, black_box(&bad)))
    });
    let hmac = parts("authorization", &format!("Bearer {hs256}"));
    assert!(run(&gateway, hmac_op, &hmac));
    c.bench_function("jwt/hs256/valid", |b| {
        b.iter(|| run(black_box(&gateway), hmac_op, black_box(&hmac)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
