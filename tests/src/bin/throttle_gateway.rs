//! One pet store gateway process for the fleet tests (`tests/throttle_redis.rs`).
//!
//! Reads the configuration file named by `TOLLGATE_CONFIG`, listens on `TOLLGATE_LISTEN`
//! (default `127.0.0.1:0`: a free port), prints `listening on ADDR` on stdout once it
//! accepts connections, and serves the generated pet store with `Mock` handlers until it
//! is killed or stdin closes (so a test that dies never leaves it behind).

use std::io::Write as _;

use tokio::io::AsyncReadExt as _;
use tollgate::Gateway;
use tollgate_tests::petstore;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = std::env::var("TOLLGATE_CONFIG").map_err(|_| "TOLLGATE_CONFIG is not set")?;
    let listen = std::env::var("TOLLGATE_LISTEN").unwrap_or_else(|_| "127.0.0.1:0".to_owned());
    let gateway = Gateway::from_file(&config)?;
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {}", listener.local_addr()?)?;
    stdout.flush()?;
    let stdin_closed = async {
        let mut sink = [0u8; 64];
        let mut stdin = tokio::io::stdin();
        while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
    };
    let router = petstore::router(petstore::Mock, gateway);
    tollgate::serve_listener(router, listener, stdin_closed).await?;
    Ok(())
}
