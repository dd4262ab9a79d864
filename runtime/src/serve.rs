//! Serving a router: binding, logging the address, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

use crate::error::Error;

/// Serves `router` on `addr` until SIGINT (Ctrl-C) or, on Unix, SIGTERM; then stops
/// accepting connections and waits for the requests in flight to finish.
///
/// Logs `listening on http://ADDR` (at `info`) once bound.
///
/// ```no_run
/// # async fn run(router: tollgate::Router) -> Result<(), tollgate::Error> {
/// tollgate::serve(router, "127.0.0.1:8080".parse().unwrap()).await
/// # }
/// ```
pub async fn serve(router: Router, addr: SocketAddr) -> Result<(), Error> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })?;
    serve_listener(router, listener, shutdown_signal()).await
}

/// Serves `router` on an already bound `listener` until `shutdown` completes, then waits
/// for the requests in flight to finish. For tests (bind `127.0.0.1:0`) and for embedding
/// in a program that handles signals itself.
///
/// Logs `listening on http://ADDR` (at `info`).
pub async fn serve_listener(
    router: Router,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let addr = listener.local_addr()?;
    tracing::info!("listening on http://{addr}");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGINT or (Unix) SIGTERM. A signal that cannot be installed is logged and
/// ignored (it never completes) rather than stopping the server at once.
async fn shutdown_signal() {
    let interrupt = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("SIGINT received, shutting down"),
            Err(err) => {
                tracing::warn!("cannot listen for SIGINT: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
                tracing::info!("SIGTERM received, shutting down");
            }
            Err(err) => {
                tracing::warn!("cannot listen for SIGTERM: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
