//! Authentication over real HTTP, tested as an attacker would: the gateway generated from
//! `fixtures/auth.yaml` (one operation per scheme, plus OR / AND / anonymous combinations)
//! served on 127.0.0.1:0, a JWKS served by a tiny axum server on 127.0.0.1:0, real tokens
//! minted with RSA, EC, Ed25519 and HMAC keys generated here, SigV4 signatures computed by
//! the `aws-sigv4` crate (an independent implementation).
//!
//! Every handler echoes the principal the gateway established, so "accepted" always means
//! "accepted as the right caller".

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tollgate::{
    Authorizer, AuthorizerDecision, AuthorizerRequest, Config, Context, Gateway, Principal,
};
use tollgate_tests::auth_api::{self, types::Whoami, *};

const API_KEY: &str = "k3y-partner-0123456789";
const OTHER_API_KEY: &str = "k3y-other-9876543210";
const PASSWORD: &str = "correct horse battery staple";
const BCRYPT_PASSWORD: &str = "tr0ub4dor&3-bcrypt";
const HMAC_SECRET: &str = "hmac-secret-0123456789abcdef-0123456789";
const SIGV4_ACCESS_KEY: &str = "AKIDTOLLGATETEST";
const SIGV4_SECRET: &str = "sigv4-secret/K7MDENG+bPxRfiCYEXAMPLEKEY";
const AUTHORIZER_TOKEN: &str = "let-me-in-0123456789";
const ISSUER: &str = "https://issuer.example";
const AUDIENCE: &str = "tollgate-tests";
const HMAC_ENV: &str = "TOLLGATE_AUTH_E2E_HMAC_SECRET";
const SIGV4_ENV: &str = "TOLLGATE_AUTH_E2E_SIGV4_SECRET";

// ---------------------------------------------------------------------------------------
// Keys, generated once per test binary.

/// A signing key and its public JWK.
struct TestKey {
    kid: &'static str,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Value,
}

struct Keys {
    rsa: TestKey,
    rsa_public_pem: String,
    rotated: TestKey,
    p256: TestKey,
    p384: TestKey,
    ed25519: TestKey,
    password_hash: String,
    bcrypt_hash: String,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        // Set once, before any gateway reads them.
        std::env::set_var(HMAC_ENV, HMAC_SECRET);
        std::env::set_var(SIGV4_ENV, SIGV4_SECRET);
        let (rsa, rsa_public_pem) = rsa_key("rsa-1");
        let (rotated, _) = rsa_key("rsa-2");
        Keys {
            rsa,
            rsa_public_pem,
            rotated,
            p256: ec_key("ec-256", Algorithm::ES256),
            p384: ec_key("ec-384", Algorithm::ES384),
            ed25519: ed_key("ed-1"),
            password_hash: cheap_argon2(PASSWORD),
            // The cheapest cost bcrypt allows: fast tests.
            bcrypt_hash: bcrypt::hash(BCRYPT_PASSWORD, 4).unwrap(),
        }
    })
}

fn with_kid(mut jwk: Value, kid: &str, alg: Algorithm) -> Value {
    jwk["kid"] = json!(kid);
    jwk["alg"] = json!(format!("{alg:?}"));
    jwk["use"] = json!("sig");
    jwk
}

fn rsa_key(kid: &'static str) -> (TestKey, String) {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
    let der = private.to_pkcs1_der().unwrap();
    let encoding = EncodingKey::from_rsa_der(der.as_bytes());
    let jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&encoding, Algorithm::RS256).unwrap();
    let mut jwk = with_kid(serde_json::to_value(jwk).unwrap(), kid, Algorithm::RS256);
    // The same RSA key signs RS256/384/512 and PS256 tokens: no `alg` pin on the JWK.
    jwk.as_object_mut().unwrap().remove("alg");
    let pem = private
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let key = TestKey {
        kid,
        alg: Algorithm::RS256,
        encoding,
        jwk,
    };
    (key, pem)
}

fn ec_key(kid: &'static str, alg: Algorithm) -> TestKey {
    use p256::pkcs8::EncodePrivateKey;
    let der = match alg {
        Algorithm::ES256 => p256::SecretKey::random(&mut rand::rngs::OsRng)
            .to_pkcs8_der()
            .unwrap(),
        _ => p384::SecretKey::random(&mut rand::rngs::OsRng)
            .to_pkcs8_der()
            .unwrap(),
    };
    let encoding = EncodingKey::from_ec_der(der.as_bytes());
    let jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&encoding, alg).unwrap();
    TestKey {
        kid,
        alg,
        jwk: with_kid(serde_json::to_value(jwk).unwrap(), kid, alg),
        encoding,
    }
}

fn ed_key(kid: &'static str) -> TestKey {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let signing = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let der = signing.to_pkcs8_der().unwrap();
    let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes());
    TestKey {
        kid,
        alg: Algorithm::EdDSA,
        encoding: EncodingKey::from_ed_der(der.as_bytes()),
        jwk: json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}),
    }
}

/// An Argon2id hash with the cheapest parameters (8 KiB, 1 pass): fast tests.
fn cheap_argon2(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8, 1, 1, None).unwrap(),
    );
    let salt = SaltString::from_b64("dG9sbGdhdGUtdGVzdHM").unwrap();
    argon
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

// ---------------------------------------------------------------------------------------
// Tokens.

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Standard claims: the right issuer and audience, valid for ten minutes.
fn claims(sub: &str) -> Value {
    json!({"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 600, "nbf": now() - 5})
}

fn sign_with(key: &TestKey, alg: Algorithm, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(key.kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
}

fn sign(key: &TestKey, claims: &Value) -> String {
    sign_with(key, key.alg, claims)
}

fn hmac_token(alg: Algorithm, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(HMAC_SECRET.as_bytes()),
    )
    .unwrap()
}

/// A token with a hand-made header and payload, signed with HMAC-SHA256 over `secret`.
fn forged(header: &Value, claims: &Value, secret: &[u8]) -> String {
    use hmac::Mac;
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

// ---------------------------------------------------------------------------------------
// The JWKS server.

struct Jwks {
    url: String,
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Jwks {
    async fn start(published: Vec<Value>) -> Self {
        let keys = Arc::new(Mutex::new(published));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (k, f) = (keys.clone(), fetches.clone());
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let (k, f) = (k.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    let keys = k.lock().unwrap().clone();
                    (
                        [(http::header::CONTENT_TYPE, "application/json")],
                        json!({ "keys": keys }).to_string(),
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self {
            url: format!("http://{addr}/jwks.json"),
            keys,
            fetches,
            _stop: stop,
        }
    }

    fn publish(&self, jwk: Value) {
        self.keys.lock().unwrap().push(jwk);
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

// ---------------------------------------------------------------------------------------
// The gateway under test.

/// Echoes the principal of every request.
struct Echo;

fn whoami(context: &Context) -> Whoami {
    match &context.principal {
        None => Whoami {
            subject: "anonymous".into(),
            schemes: vec![],
            scopes: vec![],
            api_key_id: None,
            plan: None,
            context: None,
        },
        Some(p) => Whoami {
            subject: p.subject.clone(),
            schemes: p.schemes.iter().map(|s| s.to_string()).collect(),
            scopes: p.scopes.iter().cloned().collect(),
            api_key_id: p.api_key_id.as_deref().map(str::to_owned),
            plan: p.plan.as_deref().map(str::to_owned),
            context: (!p.context.is_empty()).then(|| p.context.clone().into_iter().collect()),
        },
    }
}

impl Api for Echo {
    async fn public_info(&self, _: PublicInfoRequest, c: Context) -> PublicInfoResponse {
        PublicInfoResponse::Ok(whoami(&c))
    }
    async fn key_header(&self, _: KeyHeaderRequest, c: Context) -> KeyHeaderResponse {
        KeyHeaderResponse::Ok(whoami(&c))
    }
    async fn key_query(&self, _: KeyQueryRequest, c: Context) -> KeyQueryResponse {
        KeyQueryResponse::Ok(whoami(&c))
    }
    async fn key_cookie(&self, _: KeyCookieRequest, c: Context) -> KeyCookieResponse {
        KeyCookieResponse::Ok(whoami(&c))
    }
    async fn basic(&self, _: BasicRequest, c: Context) -> BasicResponse {
        BasicResponse::Ok(whoami(&c))
    }
    async fn bearer(&self, _: BearerRequest, c: Context) -> BearerResponse {
        BearerResponse::Ok(whoami(&c))
    }
    async fn oauth(&self, _: OauthRequest, c: Context) -> OauthResponse {
        OauthResponse::Ok(whoami(&c))
    }
    async fn oidc(&self, _: OidcRequest, c: Context) -> OidcResponse {
        OidcResponse::Ok(whoami(&c))
    }
    async fn hmac(&self, _: HmacRequest, c: Context) -> HmacResponse {
        HmacResponse::Ok(whoami(&c))
    }
    async fn either(&self, _: EitherRequest, c: Context) -> EitherResponse {
        EitherResponse::Ok(whoami(&c))
    }
    async fn both(&self, _: BothRequest, c: Context) -> BothResponse {
        BothResponse::Ok(whoami(&c))
    }
    async fn optional(&self, _: OptionalRequest, c: Context) -> OptionalResponse {
        OptionalResponse::Ok(whoami(&c))
    }
    async fn sigv4_get(&self, _: Sigv4GetRequest, c: Context) -> Sigv4GetResponse {
        Sigv4GetResponse::Ok(whoami(&c))
    }
    async fn sigv4_post(&self, _: Sigv4PostRequest, c: Context) -> Sigv4PostResponse {
        Sigv4PostResponse::Ok(whoami(&c))
    }
    async fn custom(&self, _: CustomRequest, c: Context) -> CustomResponse {
        CustomResponse::Ok(whoami(&c))
    }
    async fn digest(&self, _: DigestRequest, c: Context) -> DigestResponse {
        DigestResponse::Ok(whoami(&c))
    }
    async fn jwt_authorizer(&self, _: JwtAuthorizerRequest, c: Context) -> JwtAuthorizerResponse {
        JwtAuthorizerResponse::Ok(whoami(&c))
    }
}

/// A custom authorizer: lets `AUTHORIZER_TOKEN` in with some context, counts its calls.
#[derive(Clone, Default)]
struct Tokens {
    calls: Arc<AtomicUsize>,
}

impl Authorizer for Tokens {
    async fn authorize(&self, request: AuthorizerRequest) -> AuthorizerDecision {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let presented = request.identity.first().map(|(_, v)| v.as_str());
        if presented == Some(AUTHORIZER_TOKEN) {
            let mut principal = Principal::new("lambda-user", request.scheme);
            principal.context.insert("tenant".into(), json!("acme"));
            principal.scopes.insert("custom:read".into());
            AuthorizerDecision::allow_with_key(principal, OTHER_API_KEY)
        } else {
            AuthorizerDecision::Deny
        }
    }
}

fn config_text(jwks_url: &str, refresh_min_secs: u64) -> String {
    let hash = &keys().password_hash;
    let bcrypt_hash = &keys().bcrypt_hash;
    let jwt = |scheme: &str| {
        format!(
            "[auth.jwt.{scheme}]\nissuer = \"{ISSUER}\"\naudience = [\"{AUDIENCE}\", \"other\"]\n\
             jwks_url = \"{jwks_url}\"\njwks_refresh_min_secs = {refresh_min_secs}\n\
             jwks_timeout_ms = 2000\n"
        )
    };
    format!(
        r#"
[plans.gold]
[plans.silver]

[[api_keys]]
id = "partner"
key = "{API_KEY}"
plan = "gold"

[[api_keys]]
id = "other"
key = "{OTHER_API_KEY}"
plan = "silver"

[auth.basic.BasicAuth]
users = [
  {{ name = "alice", password_hash = "{hash}" }},
  {{ name = "bob", password_hash = "{bcrypt_hash}" }},
]

{bearer}
{oauth}
{oidc}

[auth.jwt.HmacAuth]
hs256_secret_env = "{HMAC_ENV}"
issuer = "{ISSUER}"

[auth.sigv4.SigV4]
region = "us-east-1"
service = "execute-api"
credentials = [{{ access_key_id = "{SIGV4_ACCESS_KEY}", secret_access_key_env = "{SIGV4_ENV}", principal = "arn:aws:iam::123456789012:user/tester" }}]

# Issuer, audience and identity source come from the scheme's x-amazon-apigateway-authorizer.
[auth.jwt.JwtAuthorizer]
jwks_url = "{jwks_url}"
jwks_refresh_min_secs = {refresh_min_secs}

# No [auth.custom.TokenAuth]: identity source and TTL come from the spec's
# x-amazon-apigateway-authorizer; the usage plan from x-amazon-apigateway-api-key-source.
"#,
        bearer = jwt("BearerAuth"),
        oauth = jwt("OAuth"),
        oidc = jwt("Oidc"),
    )
}

struct Server {
    base: String,
    client: reqwest::Client,
    jwks: Jwks,
    authorizer: Tokens,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Server {
    /// The JWKS publishes every key but `rotated`; refreshes are not rate-limited.
    async fn start() -> Self {
        Self::start_with(0).await
    }

    async fn start_with(refresh_min_secs: u64) -> Self {
        let k = keys();
        let jwks = Jwks::start(vec![
            k.rsa.jwk.clone(),
            k.p256.jwk.clone(),
            k.p384.jwk.clone(),
            k.ed25519.jwk.clone(),
        ])
        .await;
        let config = Config::from_toml_str(&config_text(&jwks.url, refresh_min_secs)).unwrap();
        let authorizer = Tokens::default();
        let gateway = Gateway::builder()
            .config(config)
            .authorizer("TokenAuth", authorizer.clone())
            .build()
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = auth_api::router(Echo, gateway);
        tokio::spawn(tollgate::serve_listener(router, listener, async move {
            let _ = stopped.await;
        }));
        Self {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            jwks,
            authorizer,
            _stop: stop,
        }
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(format!("{}{path}", self.base))
    }

    /// `GET path` with `Authorization: Bearer token`, sent.
    async fn send_bearer(&self, path: &str, token: &str) -> reqwest::Response {
        self.bearer(path, token)
            .send()
            .await
            .expect("the gateway answers")
    }

    fn bearer(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.get(path).bearer_auth(token)
    }
}

/// Asserts `status` and a problem+json body; returns the body.
async fn problem(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    body
}

/// Asserts a 200 and returns the principal the handler saw.
async fn accepted(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn challenges(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// Asserts a 401 with the one answer every refusal gets; returns the challenges.
async fn refused(response: reqwest::Response) -> Vec<String> {
    let challenges = challenges(&response);
    let body = problem(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        body,
        json!({
            "type": "https://tollgate.dev/problems/unauthorized",
            "title": "Unauthorized",
            "status": 401,
            "detail": "missing or invalid credentials"
        }),
        "a refusal never says which check failed"
    );
    assert!(!challenges.is_empty(), "a 401 carries a challenge");
    challenges
}

const INVALID_TOKEN: &str = "Bearer realm=\"tollgate\", error=\"invalid_token\"";

// ---------------------------------------------------------------------------------------
// API keys.

#[tokio::test]
async fn public_operation_needs_nothing() {
    let s = Server::start().await;
    let me = accepted(s.get("/public").send().await.unwrap()).await;
    assert_eq!(me["subject"], "anonymous");
}

#[tokio::test]
async fn api_key_in_header_query_and_cookie() {
    let s = Server::start().await;
    for request in [
        s.get("/key/header").header("x-api-key", API_KEY),
        s.get(&format!("/key/query?api_key={API_KEY}")),
        s.get("/key/cookie")
            .header("cookie", format!("theme=dark; session={API_KEY}")),
    ] {
        let me = accepted(request.send().await.unwrap()).await;
        assert_eq!(me["subject"], "partner");
        assert_eq!(me["api_key_id"], "partner");
        assert_eq!(me["plan"], "gold");
    }
}

#[tokio::test]
async fn api_key_in_the_wrong_location_is_refused() {
    let s = Server::start().await;
    for request in [
        s.get(&format!("/key/header?X-API-Key={API_KEY}")),
        s.get("/key/header")
            .header("cookie", format!("X-API-Key={API_KEY}")),
        s.get("/key/query").header("api_key", API_KEY),
        s.get("/key/cookie").header("session", API_KEY),
        s.get(&format!("/key/cookie?session={API_KEY}")),
    ] {
        refused(request.send().await.unwrap()).await;
    }
}

#[tokio::test]
async fn empty_wrong_and_prefix_keys_are_refused() {
    let s = Server::start().await;
    for key in [
        "",
        " ",
        "k3y",
        &API_KEY[..API_KEY.len() - 1],
        &format!("{API_KEY}x"),
    ] {
        let challenges = refused(
            s.get("/key/header")
                .header("x-api-key", key)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            challenges,
            vec!["ApiKey realm=\"tollgate\", in=\"header\", name=\"X-API-Key\""]
        );
    }
    refused(s.get("/key/query?api_key=").send().await.unwrap()).await;
    refused(
        s.get("/key/cookie")
            .header("cookie", "session=")
            .send()
            .await
            .unwrap(),
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// Basic.

#[tokio::test]
async fn basic_auth_accepts_the_user_and_refuses_the_rest() {
    let s = Server::start().await;
    let me = accepted(
        s.get("/basic")
            .basic_auth("alice", Some(PASSWORD))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["subject"], "alice");
    assert_eq!(me["schemes"], json!(["BasicAuth"]));
    // bob's hash is bcrypt.
    let me = accepted(
        s.get("/basic")
            .basic_auth("bob", Some(BCRYPT_PASSWORD))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["subject"], "bob");
    for (user, password) in [
        ("alice", "wrong"),
        ("alice", ""),
        ("alice", BCRYPT_PASSWORD),
        ("bob", PASSWORD),
        ("bob", "tr0ub4dor&3-bcryp"),
        ("carol", PASSWORD),
        ("", PASSWORD),
    ] {
        let challenges = refused(
            s.get("/basic")
                .basic_auth(user, Some(password))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            challenges,
            vec!["Basic realm=\"tollgate\", charset=\"UTF-8\""]
        );
    }
    refused(
        s.get("/basic")
            .header("authorization", "Basic %%%not-base64")
            .send()
            .await
            .unwrap(),
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// JWT: every algorithm accepted, every attack refused.

#[tokio::test]
async fn every_supported_algorithm_is_accepted_with_the_right_principal() {
    let s = Server::start().await;
    let k = keys();
    let cases: Vec<(&str, String)> = vec![
        (
            "RS256",
            sign_with(&k.rsa, Algorithm::RS256, &claims("rs256")),
        ),
        (
            "RS384",
            sign_with(&k.rsa, Algorithm::RS384, &claims("rs384")),
        ),
        (
            "RS512",
            sign_with(&k.rsa, Algorithm::RS512, &claims("rs512")),
        ),
        (
            "PS256",
            sign_with(&k.rsa, Algorithm::PS256, &claims("ps256")),
        ),
        ("ES256", sign(&k.p256, &claims("es256"))),
        ("ES384", sign(&k.p384, &claims("es384"))),
        ("EdDSA", sign(&k.ed25519, &claims("eddsa"))),
    ];
    for (alg, token) in cases {
        let me = accepted(s.bearer("/bearer", &token).send().await.unwrap()).await;
        assert_eq!(me["subject"], alg.to_ascii_lowercase(), "{alg}");
        assert_eq!(me["schemes"], json!(["BearerAuth"]));
    }
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let token = hmac_token(alg, &claims("hmac-user"));
        let me = accepted(s.bearer("/hmac", &token).send().await.unwrap()).await;
        assert_eq!(me["subject"], "hmac-user", "{alg:?}");
    }
    // Keys are fetched once for all of that.
    assert_eq!(s.jwks.fetches(), 1);
}

#[tokio::test]
async fn alg_none_is_refused() {
    let s = Server::start().await;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims("root").to_string());
    for token in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
        format!(
            "{}.{payload}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"None","kid":"rsa-1"}"#)
        ),
    ] {
        for path in ["/bearer", "/hmac"] {
            let challenges = refused(s.bearer(path, &token).send().await.unwrap()).await;
            assert_eq!(challenges, vec![INVALID_TOKEN]);
        }
    }
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_refused() {
    let s = Server::start().await;
    let pem = keys().rsa_public_pem.as_bytes();
    for header in [
        json!({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}),
        json!({"alg": "HS256", "typ": "JWT"}),
    ] {
        let token = forged(&header, &claims("attacker"), pem);
        refused(s.bearer("/bearer", &token).send().await.unwrap()).await;
        // The HMAC scheme does not take the RSA key as a secret either.
        refused(s.bearer("/hmac", &token).send().await.unwrap()).await;
    }
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let s = Server::start().await;
    let k = keys();
    let mut expired = claims("late");
    expired["exp"] = json!(now() - 120); // past the 60 s leeway
    let mut early = claims("early");
    early["nbf"] = json!(now() + 120);
    let mut no_exp = claims("forever");
    no_exp.as_object_mut().unwrap().remove("exp");
    for claims in [expired, early, no_exp] {
        let challenges = refused(s.send_bearer("/bearer", &sign(&k.rsa, &claims)).await).await;
        assert_eq!(challenges, vec![INVALID_TOKEN]);
    }
    // Inside the leeway is fine.
    let mut just_expired = claims("just");
    just_expired["exp"] = json!(now() - 10);
    accepted(s.send_bearer("/bearer", &sign(&k.rsa, &just_expired)).await).await;
}

#[tokio::test]
async fn wrong_or_missing_issuer_and_audience_are_refused() {
    let s = Server::start().await;
    let k = keys();
    let mut wrong_iss = claims("x");
    wrong_iss["iss"] = json!("https://evil.example");
    let mut wrong_aud = claims("x");
    wrong_aud["aud"] = json!("someone-else");
    let mut no_iss = claims("x");
    no_iss.as_object_mut().unwrap().remove("iss");
    let mut no_aud = claims("x");
    no_aud.as_object_mut().unwrap().remove("aud");
    for claims in [wrong_iss, wrong_aud, no_iss, no_aud] {
        refused(s.send_bearer("/bearer", &sign(&k.p256, &claims)).await).await;
    }
    // One of several audiences is enough.
    let mut listed = claims("aud-list");
    listed["aud"] = json!(["unrelated", "other"]);
    accepted(s.send_bearer("/bearer", &sign(&k.p256, &listed)).await).await;
}

#[tokio::test]
async fn tampered_payload_is_refused() {
    let s = Server::start().await;
    let k = keys();
    let mut original = claims("mallory");
    original["scope"] = json!("pets:list");
    for key in [&k.rsa, &k.p256, &k.ed25519] {
        let token = sign(key, &original);
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut escalated = original.clone();
        escalated["sub"] = json!("admin");
        escalated["scope"] = json!("pets:read pets:write");
        parts[1] = URL_SAFE_NO_PAD.encode(escalated.to_string());
        let tampered = parts.join(".");
        refused(s.bearer("/bearer", &tampered).send().await.unwrap()).await;
        refused(s.bearer("/oauth", &tampered).send().await.unwrap()).await;
        // A flipped signature byte, too.
        let mut sig = URL_SAFE_NO_PAD
            .decode(token.split('.').nth(2).unwrap())
            .unwrap();
        sig[0] ^= 1;
        let flipped = format!(
            "{}.{}",
            token.rsplit_once('.').unwrap().0,
            URL_SAFE_NO_PAD.encode(sig)
        );
        refused(s.bearer("/bearer", &flipped).send().await.unwrap()).await;
    }
    let hmac = hmac_token(Algorithm::HS256, &claims("h"));
    let (head, _) = hmac.rsplit_once('.').unwrap();
    refused(
        s.bearer(
            "/hmac",
            &format!("{head}.{}", URL_SAFE_NO_PAD.encode([0u8; 32])),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
}

#[tokio::test]
async fn malformed_bearer_values_are_refused() {
    let s = Server::start().await;
    for value in [
        "Bearer",
        "Bearer ",
        "Bearer a.b",
        "Bearer a.b.c.d",
        "Bearer ...",
        "Token abc",
        "bearer !!!.###.$$$",
    ] {
        refused(
            s.get("/bearer")
                .header("authorization", value)
                .send()
                .await
                .unwrap(),
        )
        .await;
    }
}

#[tokio::test]
async fn unknown_kid_is_refused_after_one_refresh() {
    let s = Server::start().await;
    let k = keys();
    // Warm the cache.
    accepted(s.send_bearer("/bearer", &sign(&k.rsa, &claims("a"))).await).await;
    assert_eq!(s.jwks.fetches(), 1);
    // `rotated` is not published: unknown kid → one refetch → still unknown → 401.
    let ghost = sign(&k.rotated, &claims("ghost"));
    let challenges = refused(s.bearer("/bearer", &ghost).send().await.unwrap()).await;
    assert_eq!(challenges, vec![INVALID_TOKEN]);
    assert_eq!(s.jwks.fetches(), 2, "an unknown kid triggers one refetch");
    // A known kid with the wrong key is a bad signature, not a reason to refetch.
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("rsa-1".into());
    let impostor = jsonwebtoken::encode(&header, &claims("impostor"), &k.rotated.encoding).unwrap();
    refused(s.bearer("/bearer", &impostor).send().await.unwrap()).await;
    assert_eq!(s.jwks.fetches(), 2);
}

#[tokio::test]
async fn jwks_refresh_accepts_a_newly_published_key() {
    let s = Server::start().await;
    let k = keys();
    accepted(
        s.send_bearer("/bearer", &sign(&k.rsa, &claims("before")))
            .await,
    )
    .await;
    assert_eq!(s.jwks.fetches(), 1);
    // The identity provider rotates its keys.
    s.jwks.publish(k.rotated.jwk.clone());
    let me = accepted(
        s.send_bearer("/bearer", &sign(&k.rotated, &claims("after")))
            .await,
    )
    .await;
    assert_eq!(me["subject"], "after");
    assert_eq!(s.jwks.fetches(), 2);
    // Cached from now on.
    for _ in 0..3 {
        accepted(
            s.send_bearer("/bearer", &sign(&k.rotated, &claims("again")))
                .await,
        )
        .await;
    }
    assert_eq!(s.jwks.fetches(), 2);
}

#[tokio::test]
async fn refetching_on_unknown_kids_is_rate_limited() {
    let s = Server::start_with(3600).await;
    let k = keys();
    let ghost = sign(&k.rotated, &claims("ghost"));
    let mut tasks = Vec::new();
    for _ in 0..20 {
        tasks.push(s.bearer("/bearer", &ghost).send());
    }
    for task in tasks {
        refused(task.await.unwrap()).await;
    }
    assert_eq!(
        s.jwks.fetches(),
        1,
        "20 unknown kids cause a single fetch within jwks_refresh_min_secs"
    );
}

/// Serves `gateway` (the fixture's router) on 127.0.0.1:0; returns its base URL and the
/// sender that stops it.
async fn serve(gateway: Gateway) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = auth_api::router(Echo, gateway);
    tokio::spawn(tollgate::serve_listener(router, listener, async move {
        let _ = stopped.await;
    }));
    (base, stop)
}

#[tokio::test]
async fn a_hanging_or_broken_jwks_endpoint_is_a_401_not_a_hang() {
    let k = keys();
    // A JWKS "server" that accepts connections and never answers.
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hanging_url = format!("http://{}/jwks.json", hanging.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = hanging.accept().await {
            held.push(socket);
        }
    });
    // One that answers garbage.
    let garbage = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(|| async { (http::StatusCode::OK, "{\"keys\": 42") }),
    );
    let garbage_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let garbage_url = format!(
        "http://{}/jwks.json",
        garbage_listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(garbage_listener, garbage).await });

    let token = sign(&k.rsa, &claims("someone"));
    for url in [hanging_url, garbage_url] {
        let text = config_text(&url, 0).replace("jwks_timeout_ms = 2000", "jwks_timeout_ms = 300");
        let gateway = Gateway::builder()
            .config(Config::from_toml_str(&text).unwrap())
            .authorizer("TokenAuth", Tokens::default())
            .build()
            .unwrap();
        let (base, _stop) = serve(gateway).await;
        // The client gives up long after the gateway's 300 ms JWKS timeout: a hang fails
        // the test instead of blocking it.
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        let response = client
            .get(format!("{base}/bearer"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(refused(response).await, vec![INVALID_TOKEN], "{url}");
        // Other schemes are unaffected.
        let me = accepted(
            client
                .get(format!("{base}/key/header"))
                .header("x-api-key", API_KEY)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(me["subject"], "partner");
    }
}

#[tokio::test]
async fn a_jwks_file_verifies_tokens_without_any_fetch() {
    let k = keys();
    let dir = std::env::temp_dir().join(format!("tollgate-auth-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("jwks.json");
    std::fs::write(&path, json!({ "keys": [k.rsa.jwk.clone()] }).to_string()).unwrap();
    // BearerAuth reads the file; nothing listens at the URL the other schemes name.
    let unreachable = "http://127.0.0.1:9/jwks.json";
    let text = config_text(unreachable, 0).replacen(
        &format!("jwks_url = \"{unreachable}\""),
        &format!("jwks_file = {:?}", path.display().to_string()),
        1,
    );
    assert!(text.contains("jwks_file"), "{text}");
    let gateway = Gateway::builder()
        .config(Config::from_toml_str(&text).unwrap())
        .authorizer("TokenAuth", Tokens::default())
        .build()
        .unwrap();
    let (base, _stop) = serve(gateway).await;
    let client = reqwest::Client::new();
    let get = |token: String| {
        client
            .get(format!("{base}/bearer"))
            .bearer_auth(token)
            .send()
    };
    let me = accepted(get(sign(&k.rsa, &claims("from-file"))).await.unwrap()).await;
    assert_eq!(me["subject"], "from-file");
    // Keys that are not in the file: refused.
    refused(get(sign(&k.p256, &claims("x"))).await.unwrap()).await;
    refused(get(sign(&k.rotated, &claims("x"))).await.unwrap()).await;
}

#[tokio::test]
async fn missing_scope_is_a_403_with_insufficient_scope() {
    let s = Server::start().await;
    let k = keys();
    let mut narrow = claims("reader");
    narrow["scope"] = json!("pets:list profile");
    let response = s
        .bearer("/oauth", &sign(&k.rsa, &narrow))
        .send()
        .await
        .unwrap();
    assert_eq!(
        challenges(&response),
        vec!["Bearer realm=\"tollgate\", error=\"insufficient_scope\", scope=\"pets:read\""]
    );
    let body = problem(response, StatusCode::FORBIDDEN).await;
    assert_eq!(body["type"], "https://tollgate.dev/problems/forbidden");

    let mut wide = claims("reader");
    wide["scope"] = json!("profile pets:read");
    let me = accepted(s.send_bearer("/oauth", &sign(&k.rsa, &wide)).await).await;
    assert_eq!(me["scopes"], json!(["pets:read", "profile"]));
    assert_eq!(me["schemes"], json!(["OAuth"]));

    // OpenID Connect, with `scp` as an array (Okta, Azure AD).
    let mut scp = claims("oidc-user");
    scp["scp"] = json!(["openid", "email"]);
    let me = accepted(s.send_bearer("/oidc", &sign(&k.p384, &scp)).await).await;
    assert_eq!(me["subject"], "oidc-user");
    let response = s
        .bearer("/oidc", &sign(&k.p384, &claims("no-scope")))
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_16_kb_authorization_header_is_refused_cheaply() {
    let s = Server::start().await;
    let huge = format!("Bearer {}", "A".repeat(16 * 1024));
    for path in ["/bearer", "/basic", "/key/header", "/sigv4"] {
        let response = s
            .get(path)
            .header("authorization", &huge)
            .send()
            .await
            .unwrap();
        assert!(
            matches!(
                response.status(),
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE | StatusCode::BAD_REQUEST
            ),
            "{path}: {}",
            response.status()
        );
    }
    assert_eq!(s.jwks.fetches(), 0, "nothing was fetched for it");
}

// ---------------------------------------------------------------------------------------
// OR / AND / anonymous.

#[tokio::test]
async fn or_and_and_anonymous_combinations() {
    let s = Server::start().await;
    let k = keys();
    let token = sign(&k.ed25519, &claims("jwt-user"));

    // either: API key OR bearer.
    let me = accepted(
        s.get("/either")
            .header("x-api-key", API_KEY)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (me["subject"].as_str(), me["plan"].as_str()),
        (Some("partner"), Some("gold"))
    );
    let me = accepted(s.bearer("/either", &token).send().await.unwrap()).await;
    assert_eq!(me["subject"], "jwt-user");
    assert_eq!(me["schemes"], json!(["BearerAuth"]));
    let challenges = refused(s.get("/either").send().await.unwrap()).await;
    assert_eq!(
        challenges.iter().collect::<BTreeSet<_>>(),
        [
            "ApiKey realm=\"tollgate\", in=\"header\", name=\"X-API-Key\"".to_owned(),
            "Bearer realm=\"tollgate\"".to_owned()
        ]
        .iter()
        .collect::<BTreeSet<_>>()
    );
    // A bad token next to a good key still gets in through the key.
    let me = accepted(
        s.get("/either")
            .header("x-api-key", API_KEY)
            .bearer_auth("x.y.z")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["subject"], "partner");

    // both: API key AND basic.
    let me = accepted(
        s.get("/both")
            .header("x-api-key", API_KEY)
            .basic_auth("alice", Some(PASSWORD))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["subject"], "partner");
    assert_eq!(me["schemes"], json!(["ApiKeyHeader", "BasicAuth"]));
    assert_eq!(me["api_key_id"], "partner");
    refused(
        s.get("/both")
            .header("x-api-key", API_KEY)
            .send()
            .await
            .unwrap(),
    )
    .await;
    refused(
        s.get("/both")
            .basic_auth("alice", Some(PASSWORD))
            .send()
            .await
            .unwrap(),
    )
    .await;
    refused(
        s.get("/both")
            .header("x-api-key", API_KEY)
            .basic_auth("alice", Some("nope"))
            .send()
            .await
            .unwrap(),
    )
    .await;

    // optional: bearer, or anonymous.
    let me = accepted(s.get("/optional").send().await.unwrap()).await;
    assert_eq!(me["subject"], "anonymous");
    let me = accepted(s.bearer("/optional", &token).send().await.unwrap()).await;
    assert_eq!(me["subject"], "jwt-user");
}

// ---------------------------------------------------------------------------------------
// SigV4, signed by the aws-sigv4 crate.

enum Payload<'a> {
    /// Signed body hash sent as `x-amz-content-sha256`.
    Signed(&'a [u8]),
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// No `x-amz-content-sha256` header (what botocore sends to execute-api).
    NoHeader,
}

/// The headers `aws-sigv4` adds to sign `method url` with `headers` and `payload`.
fn sigv4_headers(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    payload: Payload<'_>,
    secret: &str,
    time: SystemTime,
) -> Vec<(String, String)> {
    use aws_sigv4::http_request::{
        sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
    };
    let identity: aws_smithy_runtime_api::client::identity::Identity =
        aws_credential_types::Credentials::new(SIGV4_ACCESS_KEY, secret, None, None, "tests")
            .into();
    let mut settings = SigningSettings::default();
    let body = match payload {
        Payload::Signed(bytes) => {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            SignableBody::Bytes(bytes)
        }
        Payload::Unsigned => {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            SignableBody::UnsignedPayload
        }
        Payload::NoHeader => SignableBody::Bytes(&[]),
    };
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("execute-api")
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(method, url, headers.iter().copied(), body).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    instructions
        .headers()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn signed(
    request: reqwest::RequestBuilder,
    headers: Vec<(String, String)>,
) -> reqwest::RequestBuilder {
    headers
        .into_iter()
        .fold(request, |request, (k, v)| request.header(k, v))
}

#[tokio::test]
async fn sigv4_requests_signed_by_the_aws_sdk_are_accepted() {
    let s = Server::start().await;
    let now = SystemTime::now();
    let url = format!("{}/sigv4?q=hello%20world&a=1", s.base);

    let headers = sigv4_headers("GET", &url, &[], Payload::NoHeader, SIGV4_SECRET, now);
    let me = accepted(signed(s.client.get(&url), headers).send().await.unwrap()).await;
    assert_eq!(me["subject"], "arn:aws:iam::123456789012:user/tester");
    assert_eq!(me["context"]["accessKeyId"], SIGV4_ACCESS_KEY);
    assert_eq!(me["schemes"], json!(["SigV4"]));

    let headers = sigv4_headers("GET", &url, &[], Payload::Unsigned, SIGV4_SECRET, now);
    accepted(signed(s.client.get(&url), headers).send().await.unwrap()).await;

    let body = br#"{"name":"Rex"}"#;
    let post_url = format!("{}/sigv4", s.base);
    let content_type = [("content-type", "application/json")];
    let headers = sigv4_headers(
        "POST",
        &post_url,
        &content_type,
        Payload::Signed(body),
        SIGV4_SECRET,
        now,
    );
    let request = s
        .client
        .post(&post_url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    accepted(signed(request, headers).send().await.unwrap()).await;
}

#[tokio::test]
async fn sigv4_forgeries_are_refused() {
    let s = Server::start().await;
    let now = SystemTime::now();
    let url = format!("{}/sigv4?q=1", s.base);
    let sign_get = |secret: &str, time: SystemTime| {
        sigv4_headers("GET", &url, &[], Payload::Unsigned, secret, time)
    };

    // Wrong secret.
    let headers = sign_get("not-the-secret", now);
    refused(signed(s.client.get(&url), headers).send().await.unwrap()).await;
    // Signed for one query, sent with another.
    let headers = sign_get(SIGV4_SECRET, now);
    let challenges = refused(
        signed(s.client.get(format!("{}/sigv4?q=2", s.base)), headers)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(challenges, vec!["AWS4-HMAC-SHA256 realm=\"tollgate\""]);
    // Outside the 5-minute window, either way.
    for skew in [Duration::from_secs(400), Duration::from_secs(0)] {
        let time = if skew.is_zero() {
            now + Duration::from_secs(400)
        } else {
            now - skew
        };
        let headers = sign_get(SIGV4_SECRET, time);
        refused(signed(s.client.get(&url), headers).send().await.unwrap()).await;
    }
    // A body without a declared payload hash (the signature cannot cover it).
    let post_url = format!("{}/sigv4", s.base);
    let headers = sigv4_headers("POST", &post_url, &[], Payload::NoHeader, SIGV4_SECRET, now);
    let request = s
        .client
        .post(&post_url)
        .header("content-type", "application/json")
        .body("{}");
    refused(signed(request, headers).send().await.unwrap()).await;
    // A signed payload hash, then a header swapped for UNSIGNED-PAYLOAD.
    let body = b"{}";
    let mut headers = sigv4_headers(
        "POST",
        &post_url,
        &[],
        Payload::Signed(body),
        SIGV4_SECRET,
        now,
    );
    for (k, v) in &mut headers {
        if k == "x-amz-content-sha256" {
            *v = "UNSIGNED-PAYLOAD".into();
        }
    }
    let request = s
        .client
        .post(&post_url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    refused(signed(request, headers).send().await.unwrap()).await;
    // A body other than the one whose hash was signed (the signature covers the
    // x-amz-content-sha256 header; the gateway checks the body against it once read).
    let headers = sigv4_headers(
        "POST",
        &post_url,
        &[],
        Payload::Signed(br#"{"amount":1}"#),
        SIGV4_SECRET,
        now,
    );
    let request = s
        .client
        .post(&post_url)
        .header("content-type", "application/json")
        .body(r#"{"amount":1000000}"#);
    let challenges = refused(signed(request, headers).send().await.unwrap()).await;
    assert_eq!(challenges, vec!["AWS4-HMAC-SHA256 realm=\"tollgate\""]);
    // Unknown access key id.
    let headers: Vec<(String, String)> = sign_get(SIGV4_SECRET, now)
        .into_iter()
        .map(|(k, v)| (k, v.replace(SIGV4_ACCESS_KEY, "AKIDSOMEONEELSE")))
        .collect();
    refused(signed(s.client.get(&url), headers).send().await.unwrap()).await;
    // Nothing at all.
    refused(s.client.get(&url).send().await.unwrap()).await;
}

// ---------------------------------------------------------------------------------------
// Custom authorizer.

#[tokio::test]
async fn custom_authorizer_decides_and_its_decisions_are_cached() {
    let s = Server::start().await;
    for _ in 0..3 {
        let me = accepted(
            s.get("/custom")
                .header("x-token", AUTHORIZER_TOKEN)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(me["subject"], "lambda-user");
        assert_eq!(me["context"]["tenant"], "acme");
        assert_eq!(me["scopes"], json!(["custom:read"]));
        // x-amazon-apigateway-api-key-source: AUTHORIZER in the spec: the usage
        // identifier key picks the plan.
        assert_eq!(me["api_key_id"], "other");
        assert_eq!(me["plan"], "silver");
    }
    assert_eq!(
        s.authorizer.calls.load(Ordering::SeqCst),
        1,
        "cached for the spec's authorizerResultTtlInSeconds"
    );
    for _ in 0..2 {
        refused(
            s.get("/custom")
                .header("x-token", "not-allowed")
                .send()
                .await
                .unwrap(),
        )
        .await;
    }
    assert_eq!(
        s.authorizer.calls.load(Ordering::SeqCst),
        2,
        "denials are cached too"
    );
    // No identity source: refused without asking.
    refused(s.get("/custom").send().await.unwrap()).await;
    // The spec's identity source is the X-Token header, not the Authorization header.
    refused(
        s.get("/custom")
            .header("authorization", AUTHORIZER_TOKEN)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s.authorizer.calls.load(Ordering::SeqCst), 2);
}

// ---------------------------------------------------------------------------------------
// x-amazon-apigateway-authorizer, type jwt.

#[tokio::test]
async fn a_jwt_authorizer_in_the_spec_sets_issuer_audience_and_token_location() {
    let s = Server::start().await;
    let k = keys();
    let mut good = claims("api-gw-user");
    good["aud"] = json!("spec-audience");
    let token = sign(&k.rsa, &good);
    // The identity source is X-Id-Token, bare or as `Bearer TOKEN`.
    for value in [token.clone(), format!("Bearer {token}")] {
        let me = accepted(
            s.get("/jwt-authorizer")
                .header("x-id-token", value)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(me["subject"], "api-gw-user");
        assert_eq!(me["schemes"], json!(["JwtAuthorizer"]));
    }
    // In the Authorization header it is not looked at.
    let challenges = refused(s.bearer("/jwt-authorizer", &token).send().await.unwrap()).await;
    assert_eq!(challenges, vec!["Bearer realm=\"tollgate\""]);
    // The spec's audience and issuer are enforced.
    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!(AUDIENCE);
    let mut wrong_iss = good.clone();
    wrong_iss["iss"] = json!("https://evil.example");
    let mut no_aud = good.clone();
    no_aud.as_object_mut().unwrap().remove("aud");
    for claims in [wrong_aud, wrong_iss, no_aud] {
        let challenges = refused(
            s.get("/jwt-authorizer")
                .header("x-id-token", sign(&k.p256, &claims))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(challenges, vec![INVALID_TOKEN]);
    }
}

// ---------------------------------------------------------------------------------------
// Schemes without a verifier; strict mode.

#[tokio::test]
async fn a_scheme_without_verifier_answers_401_and_strict_refuses_to_start() {
    let s = Server::start().await;
    let challenges = refused(
        s.get("/digest")
            .header("authorization", "Digest username=\"x\"")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(challenges, vec!["Digest realm=\"tollgate\""]);

    let text = config_text("http://127.0.0.1:9/jwks.json", 0);
    let lenient = Gateway::builder()
        .config(Config::from_toml_str(&text).unwrap())
        .authorizer("TokenAuth", Tokens::default())
        .build()
        .unwrap();
    assert!(lenient.check(&auth_api::API).is_ok());
    let strict = Gateway::builder()
        .config(Config::from_toml_str(&format!("strict = true\n{text}")).unwrap())
        .authorizer("TokenAuth", Tokens::default())
        .build()
        .unwrap();
    let err = strict.check(&auth_api::API).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, tollgate::Error::Strict(_)), "{message}");
    assert!(message.contains("`DigestAuth`"), "{message}");
    assert!(message.contains("(needed by digest)"), "{message}");
    // Every other scheme of the fixture has a verifier.
    for scheme in ["BearerAuth", "BasicAuth", "SigV4", "TokenAuth", "OAuth"] {
        assert!(!message.contains(&format!("`{scheme}`")), "{message}");
    }
    // Without the authorizer registered, TokenAuth (a Lambda authorizer in the spec)
    // cannot be verified: it is not silently checked against [[api_keys]] instead.
    let strict = Gateway::builder()
        .config(Config::from_toml_str(&format!("strict = true\n{text}")).unwrap())
        .build()
        .unwrap();
    let message = strict.check(&auth_api::API).unwrap_err().to_string();
    assert!(
        message.contains("`TokenAuth` cannot be verified: its x-amazon-apigateway-authorizer is a Lambda authorizer"),
        "{message}"
    );
    assert!(message.contains("(needed by custom)"), "{message}");
}

#[tokio::test]
async fn strict_try_router_refuses_to_start_and_lenient_serves() {
    let text = config_text("http://127.0.0.1:9/jwks.json", 0);
    let gateway = |strict: bool| {
        Gateway::builder()
            .config(Config::from_toml_str(&text).unwrap())
            .strict(strict)
            .authorizer("TokenAuth", Tokens::default())
            .build()
            .unwrap()
    };
    // strict = true: the generated try_router() refuses, naming the scheme.
    let Err(err) = auth_api::try_router(Echo, gateway(true)) else {
        panic!("try_router started with an unverifiable scheme under strict = true");
    };
    assert!(matches!(err, tollgate::Error::Strict(_)), "{err}");
    assert!(err.to_string().contains("`DigestAuth`"), "{err}");
    // The same through the configuration file's `strict` key.
    let from_file = Gateway::builder()
        .config(Config::from_toml_str(&format!("strict = true\n{text}")).unwrap())
        .authorizer("TokenAuth", Tokens::default())
        .build()
        .unwrap();
    assert!(auth_api::try_router(Echo, from_file).is_err());

    // Lenient: try_router() starts with a warning naming the scheme and the operations;
    // the unverifiable operation answers 401, the others work.
    let logs = captured_logs();
    let router = auth_api::try_router(Echo, gateway(false)).unwrap();
    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        logged.contains("WARN")
            && logged.contains(
                "security scheme `DigestAuth` cannot be verified: HTTP digest authentication \
                 has no verifier in tollgate; register a custom authorizer for it; these \
                 operations will answer 401 to every caller: digest"
            ),
        "{logged}"
    );
    // The infallible router() under strict = true serves, and says so as an error.
    let _ = auth_api::router(Echo, gateway(true));
    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        logged.contains("ERROR") && logged.contains("serving anyway because router() cannot fail"),
        "{logged}"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(tollgate::serve_listener(router, listener, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    refused(client.get(format!("{base}/digest")).send().await.unwrap()).await;
    let me = accepted(
        client
            .get(format!("{base}/key/header"))
            .header("x-api-key", API_KEY)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["subject"], "partner");
    let _ = stop.send(());

    // With every scheme verifiable (an authorizer for DigestAuth too), strict starts.
    let all_verifiable = Gateway::builder()
        .config(Config::from_toml_str(&text).unwrap())
        .strict(true)
        .authorizer("TokenAuth", Tokens::default())
        .authorizer("DigestAuth", Tokens::default())
        .build()
        .unwrap();
    assert!(auth_api::try_router(Echo, all_verifiable).is_ok());
}

#[tokio::test]
async fn missing_secrets_are_a_startup_error_without_the_secret() {
    let text = config_text("http://127.0.0.1:9/jwks.json", 0)
        .replace(HMAC_ENV, "TOLLGATE_AUTH_E2E_UNSET_VARIABLE");
    let err = Gateway::from_config(Config::from_toml_str(&text).unwrap()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("TOLLGATE_AUTH_E2E_UNSET_VARIABLE is not set"),
        "{message}"
    );
    let err = Config::from_toml_str(
        "[auth.basic.B]\nusers = [{ name = \"a\", password_hash = \"hunter2\" }]\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("password_hash"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Logs.

/// Everything logged in this test binary, at every level.
fn captured_logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Capture(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        buffer
    })
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_ever_reaches_the_logs() {
    let logs = captured_logs();
    let s = Server::start().await;
    let k = keys();
    let good = sign(&k.rsa, &claims("logged-user"));
    let mut expired_claims = claims("expired-user");
    expired_claims["exp"] = json!(now() - 3600);
    let expired = sign(&k.p256, &expired_claims);
    let ghost = sign(&k.rotated, &claims("ghost"));
    let hmac = hmac_token(Algorithm::HS256, &claims("h"));
    let confused = forged(
        &json!({"alg": "HS256", "kid": "rsa-1"}),
        &claims("x"),
        k.rsa_public_pem.as_bytes(),
    );
    let url = format!("{}/sigv4", s.base);
    let sigv4 = sigv4_headers(
        "GET",
        &url,
        &[],
        Payload::Unsigned,
        SIGV4_SECRET,
        SystemTime::now(),
    );
    let signature = sigv4
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.rsplit('=').next().unwrap().to_owned())
        .unwrap();

    let mut secrets: Vec<String> = vec![
        API_KEY.into(),
        OTHER_API_KEY.into(),
        PASSWORD.into(),
        HMAC_SECRET.into(),
        SIGV4_SECRET.into(),
        AUTHORIZER_TOKEN.into(),
        k.password_hash.clone(),
        BCRYPT_PASSWORD.into(),
        k.bcrypt_hash.clone(),
        signature,
        STANDARD.encode(format!("alice:{PASSWORD}")),
        STANDARD.encode(format!("bob:{BCRYPT_PASSWORD}")),
        STANDARD.encode("alice:wrong-password-here"),
    ];
    for token in [&good, &expired, &ghost, &hmac, &confused] {
        secrets.push(token.clone());
        // The signature part alone, too.
        secrets.push(token.rsplit('.').next().unwrap().to_owned());
    }

    // Accepted and refused requests of every kind, twice.
    for _ in 0..2 {
        for token in [&good, &expired, &ghost, &confused] {
            s.bearer("/bearer", token).send().await.unwrap();
        }
        s.bearer("/hmac", &hmac).send().await.unwrap();
        s.get("/key/header")
            .header("x-api-key", API_KEY)
            .send()
            .await
            .unwrap();
        s.get(&format!("/key/query?api_key={API_KEY}"))
            .send()
            .await
            .unwrap();
        s.get("/basic")
            .basic_auth("alice", Some(PASSWORD))
            .send()
            .await
            .unwrap();
        s.get("/basic")
            .basic_auth("alice", Some("wrong-password-here"))
            .send()
            .await
            .unwrap();
        s.get("/basic")
            .basic_auth("bob", Some(BCRYPT_PASSWORD))
            .send()
            .await
            .unwrap();
        s.get("/custom")
            .header("x-token", AUTHORIZER_TOKEN)
            .send()
            .await
            .unwrap();
        signed(s.client.get(&url), sigv4.clone())
            .send()
            .await
            .unwrap();
    }
    // A configuration error mentioning a secret's variable.
    let _ = Gateway::from_config(
        Config::from_toml_str(
            &config_text(&s.jwks.url, 0).replace(HMAC_ENV, "TOLLGATE_AUTH_E2E_ALSO_UNSET"),
        )
        .unwrap(),
    );
    // And the gateway's own Debug output.
    tracing::info!(gateway = ?Gateway::builder().config(Config::from_toml_str(&config_text(&s.jwks.url, 0)).unwrap()).build().unwrap(), "debug dump");

    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        text.contains("bearer token refused"),
        "the refusals were logged (at debug level): {text}"
    );
    assert!(text.contains("debug dump"), "{text}");
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret reached the logs: {secret}"
        );
    }
}
