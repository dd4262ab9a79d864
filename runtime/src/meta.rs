//! Static metadata the generated module hands to the runtime: operations, their security
//! requirements, throttle settings and bodies, and the security schemes of the document.
//!
//! Everything here is `'static` and built by generated code as constants, so the request
//! path reads it without allocation.

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
