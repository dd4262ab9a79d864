//! Items only generated code uses. Not a public API: it changes with the generator.
//!
//! Generated modules reach every crate they need through the re-exports here, so a user's
//! crate depends on `tollgate` alone. The request pipeline itself lives in [`dispatch`].

pub use ::axum;
pub use ::http;
pub use ::serde;
pub use ::serde_json;
pub use ::tracing;

pub use crate::config::ApiKeySource;
pub use crate::meta::{
    ApiKeyLocation, ApiMeta, AuthorizerKind, AuthorizerMeta, BodyMeta, OperationMeta, SchemeKind,
    SchemeRequirement, SecurityRequirement, SecuritySchemeMeta, ThrottleSpec,
};
pub use crate::{Context, Error, Gateway, Location, Problem, ProblemKind, Router, Violation};

mod accept;
pub mod de;
mod dispatch;
pub(crate) mod errors;
mod formats;
mod input;
mod json;
mod mock;
mod multipart;
mod pattern;
pub(crate) mod response;
mod routes;
mod routing;
mod scan;
pub mod ser;
pub mod validate;

pub use accept::{media_choices, MediaChoices};
pub use axum::routing::MethodFilter;
pub use bytes::Bytes;
pub use dispatch::Operation;
pub use input::{Input, Scalar, Shape, Style, ValidateFn};
pub use mock::mock_value;
pub use multipart::{FilePart, Files, Part};
pub use response::{
    bytes_response, empty_response, json_response, json_response_as, set_header, text_response,
    GeneratedResponse,
};
pub use routes::Routes;
pub use routing::{finish_router, try_finish_router, Shared};
pub use scan::Cursor;
pub use std::sync::{Arc, LazyLock};
pub use validate::{enum_from_value, validate_body, Direction, Errors, Pattern, Ptr, Validator};

/// The future type every generated trait method returns.
pub use core::future::Future;
