//! What a handler learns about the request besides its typed input.

use std::collections::BTreeSet;
use std::sync::Arc;

/// Per-request context handed to every handler method of the generated `Api` trait.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Context {
    /// The authenticated caller, when the operation required (and got) credentials.
    pub principal: Option<Principal>,
    /// A request id: the incoming `x-request-id` header, or one the gateway made up.
    pub request_id: String,
    /// The `operationId` of the operation being served.
    pub operation_id: &'static str,
}

/// The caller, as established by the gateway's authentication stage.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Principal {
    /// Who the caller is: the API key id, the JWT `sub`, the basic-auth user, …
    pub subject: String,
    /// The security scheme(s) that authenticated the caller.
    pub schemes: Vec<&'static str>,
    /// Granted scopes (from a token's `scope`/`scp` claim).
    pub scopes: BTreeSet<String>,
    /// Verified token claims, when a JWT authenticated the caller.
    pub claims: Option<serde_json::Value>,
    /// The id of the API key that matched, if an API key was presented. Shared with the
    /// gateway's key table (`Arc<str>`: no copy per request); `as_deref()` gives a `&str`.
    pub api_key_id: Option<Arc<str>>,
    /// The usage plan of that API key (shared like `api_key_id`).
    pub plan: Option<Arc<str>>,
    /// Extra facts about the caller: what a custom authorizer returned as context, the
    /// access key id of a SigV4 signature (`accessKeyId`).
    pub context: serde_json::Map<String, serde_json::Value>,
    /// The SHA-256 a SigV4 signature covers for the body (the `x-amz-content-sha256`
    /// header, or the empty body's when there is none): the pipeline checks the body it
    /// reads against it. `None` for `UNSIGNED-PAYLOAD` and every other scheme.
    pub(crate) signed_payload_sha256: Option<[u8; 32]>,
}

impl Principal {
    /// A principal for `subject` authenticated by `scheme`.
    pub fn new(subject: impl Into<String>, scheme: &'static str) -> Self {
        Self {
            subject: subject.into(),
            schemes: vec![scheme],
            ..Self::default()
        }
    }
}

impl Context {
    /// A context for one request.
    pub fn new(
        operation_id: &'static str,
        request_id: String,
        principal: Option<Principal>,
    ) -> Self {
        Self {
            principal,
            request_id,
            operation_id,
        }
    }

    /// The API key id of the caller, if an API key authenticated the request.
    pub fn api_key_id(&self) -> Option<&str> {
        self.principal.as_ref()?.api_key_id.as_deref()
    }
}
