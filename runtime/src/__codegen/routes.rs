//! Registering a generated API's operations with axum, one statement per operation.
//!
//! Each route's handler is a closure built here, generic over the operation (see
//! [`Operation`]), so the generated code holds no handler functions, futures or axum
//! `Handler` bounds of its own: the compiler checks this one closure, not one per operation.

use std::sync::Arc;

use axum::extract::Request;
use axum::routing::{on, MethodFilter};

use super::dispatch::{handle, Operation};
use super::routing::Shared;
use crate::meta::{ApiMeta, OperationMeta};
use crate::Gateway;

/// The operations of one generated API being routed, in document order.
pub struct Routes<A> {
    shared: Arc<Shared<A>>,
    api: &'static ApiMeta,
    router: axum::Router,
}

impl<A: Send + Sync + 'static> Routes<A> {
    /// No routes yet, for `api` behind `gateway`, described by `meta`.
    pub fn new(api: A, gateway: &Gateway, meta: &'static ApiMeta) -> Self {
        Self {
            shared: Shared::new(api, gateway.clone()),
            api: meta,
            router: axum::Router::new(),
        }
    }

    /// Routes `method` requests for `path` (axum syntax) to operation `O`, described by `op`.
    /// Several methods of one path merge into one route.
    pub fn add<O: Operation<A>>(
        &mut self,
        path: &str,
        method: MethodFilter,
        op: &'static OperationMeta,
    ) {
        let (shared, api) = (Arc::clone(&self.shared), self.api);
        let handler = move |request: Request| handle::<A, O>(shared, api, op, request);
        let router = std::mem::take(&mut self.router);
        self.router = router.route(path, on(method, handler));
    }

    /// The router with every added operation.
    pub fn into_router(self) -> axum::Router {
        self.router
    }
}
