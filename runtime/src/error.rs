//! The error type of everything that can fail outside a request: reading the configuration,
//! starting the gateway and serving.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the gateway could not be configured, started or served.
///
/// Request-time failures are never an `Error`: they are answered with a
/// [`Problem`](crate::Problem).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error while serving.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),

    /// The configuration is invalid: unreadable, not TOML, an unknown field (typos are
    /// errors), or values that contradict each other.
    #[error("{}: {message}", path.display())]
    Config {
        /// The configuration file (`<string>` for [`Config::from_toml_str`](crate::Config::from_toml_str),
        /// `<config>` for a configuration built in code).
        path: PathBuf,
        /// What is wrong, with `line L, column C:` in front when the TOML parser knows
        /// the position.
        message: String,
    },

    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address that could not be bound.
        addr: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// `strict = true` and an operation needs a security scheme that has no verifier.
    #[error("{0}")]
    Strict(String),
}

impl Error {
    /// A configuration error for `path`.
    pub(crate) fn config(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::Config {
            path: path.into(),
            message: message.into(),
        }
    }
}
