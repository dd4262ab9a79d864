//! Static metadata the generated module hands to the runtime: operations, their security
//! requirements, throttle settings and bodies, and the security schemes of the document.
//!
//! Everything here is `'static` and built by generated code as constants, so the request
//! path reads it without allocation.

use crate::config::ApiKeySource;

/// Everything the runtime needs to know about one generated API.
#[derive(Debug)]
pub struct ApiMeta {
    /// `info.title` of the document.
    pub title: &'static str,
    /// `info.version` of the document.
    pub version: &'static str,
    /// `components.securitySchemes`, in document order.
    pub security_schemes: &'static [SecuritySchemeMeta],
    /// Every operation, in document order.
    pub operations: &'static [OperationMeta],
    /// The document-wide throttle (`x-tollgate-throttle` at the top level), if any.
    pub throttle: Option<ThrottleSpec>,
    /// `x-amazon-apigateway-api-key-source` (`HEADER` or `AUTHORIZER`), if the document
    /// says; `[auth] api_key_source` in the configuration overrides it.
    pub api_key_source: Option<ApiKeySource>,
}

impl ApiMeta {
    /// Looks up a security scheme by its name in `components.securitySchemes`.
    pub fn scheme(&self, name: &str) -> Option<&'static SecuritySchemeMeta> {
        self.security_schemes.iter().find(|s| s.name == name)
    }
}

/// One entry of `components.securitySchemes`.
#[derive(Debug)]
pub struct SecuritySchemeMeta {
    /// The scheme's name (the key in `components.securitySchemes`).
    pub name: &'static str,
    /// What kind of credential it asks for.
    pub kind: SchemeKind,
    /// The scheme's `x-amazon-apigateway-authorizer`, if any.
    pub authorizer: Option<AuthorizerMeta>,
}

/// A scheme's `x-amazon-apigateway-authorizer`: defaults for the verifier of the scheme
/// (the `[auth.jwt.NAME]` or `[auth.custom.NAME]` section overrides each of them).
#[derive(Debug)]
pub struct AuthorizerMeta {
    /// `type`.
    pub kind: AuthorizerKind,
    /// `identitySource`, one entry per comma-separated source, as written
    /// (`$request.header.Authorization`, `method.request.header.X-Token`).
    pub identity_sources: &'static [&'static str],
    /// `authorizerResultTtlInSeconds`: how long a custom authorizer's decision is cached.
    pub ttl_secs: Option<u64>,
    /// `jwtConfiguration.issuer`: the expected `iss` of a JWT authorizer's tokens.
    pub issuer: Option<&'static str>,
    /// `jwtConfiguration.audience`: the accepted `aud` values of a JWT authorizer's tokens.
    pub audience: &'static [&'static str],
}

/// The `type` of an `x-amazon-apigateway-authorizer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizerKind {
    /// `token`: a Lambda authorizer fed one token (a registered custom
    /// [`Authorizer`](crate::Authorizer) here).
    Token,
    /// `request`: a Lambda authorizer fed request parameters (a registered custom
    /// [`Authorizer`](crate::Authorizer) here).
    Request,
    /// `jwt`: an HTTP API JWT authorizer, verified like any bearer JWT scheme.
    Jwt,
    /// Any other `type` (`cognito_user_pools`, …): only its identity sources are used.
    Other,
}

/// The kind of a security scheme, with the details a verifier needs.
#[derive(Debug)]
#[non_exhaustive]
pub enum SchemeKind {
    /// `type: apiKey`.
    ApiKey {
        /// Where the key travels.
        location: ApiKeyLocation,
        /// The header, query parameter or cookie name.
        name: &'static str,
    },
    /// `type: http` with its `scheme` (`basic`, `bearer`, …), lower-cased.
    Http {
        /// The HTTP authentication scheme, lower-cased.
        scheme: &'static str,
    },
    /// `type: oauth2` (verified as a JWT bearer token).
    OAuth2,
    /// `type: openIdConnect` (verified as a JWT bearer token).
    OpenIdConnect {
        /// `openIdConnectUrl`.
        url: &'static str,
    },
    /// A scheme marked `x-amazon-apigateway-authtype: awsSigv4`.
    AwsSigV4,
    /// A scheme tollgate does not know how to verify; operations that need it answer 401.
    Unsupported,
}

/// Where an API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// One alternative of an operation's `security` list: every scheme in it must pass (AND).
#[derive(Debug)]
pub struct SecurityRequirement {
    /// The schemes of this alternative with the scopes each requires.
    pub schemes: &'static [SchemeRequirement],
}

/// One scheme inside a security requirement.
#[derive(Debug)]
pub struct SchemeRequirement {
    /// The scheme's name in `components.securitySchemes`.
    pub scheme: &'static str,
    /// The scopes the operation requires of it.
    pub scopes: &'static [&'static str],
}

/// A token bucket: a sustained `rate` in requests per second and a `burst` capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleSpec {
    /// Sustained requests per second.
    pub rate: f64,
    /// Bucket capacity.
    pub burst: u32,
}

/// One operation of the document.
#[derive(Debug)]
pub struct OperationMeta {
    /// The `operationId` (or the stable name derived from method and path when absent).
    pub id: &'static str,
    /// The HTTP method, upper-case.
    pub method: &'static str,
    /// The path template as written in the document, e.g. `/pets/{petId}`.
    pub path: &'static str,
    /// The effective security requirements (operation's, else the document's); OR of
    /// alternatives. Empty means the operation is public.
    pub security: &'static [SecurityRequirement],
    /// The operation's own throttle (`x-tollgate-throttle`), if any.
    pub throttle: Option<ThrottleSpec>,
    /// The request body, if the operation takes one.
    pub body: Option<BodyMeta>,
}

/// What an operation accepts as a request body.
#[derive(Debug)]
pub struct BodyMeta {
    /// `requestBody.required`.
    pub required: bool,
    /// The documented media types (may contain wildcards such as `image/*`).
    pub content_types: &'static [&'static str],
}
