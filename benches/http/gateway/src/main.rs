//! The HTTP benchmark's gateway: the module generated from `fixtures/bench.yaml`, with
//! handlers answering fixed data (the same answers as `benches/http/baseline` and the
//! peers), so the benchmark measures what the gateway adds.
//!
//! Environment:
//! - `TOLLGATE_CONFIG`: the configuration file (default: `tollgate.toml` beside this crate);
//! - `TOLLGATE_LISTEN`: the listen address (default: the configuration's `listen`);
//! - `TOLLGATE_BENCH_STORE`: the throttle store (`memory` or a `redis://` URL), replacing
//!   the configuration's `[throttle] store`.

use std::net::SocketAddr;

use tollgate::{Config, Gateway};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::var("TOLLGATE_CONFIG")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/tollgate.toml").to_owned());
    let mut config = Config::from_file(&path)?;
    if let Ok(store) = std::env::var("TOLLGATE_BENCH_STORE") {
        match config.throttle.as_mut() {
            Some(throttle) => throttle.store = store,
            None => {
                return Err(format!("{path} has no [throttle] section to set the store of").into())
            }
        }
    }
    let addr: SocketAddr = match std::env::var("TOLLGATE_LISTEN") {
        Ok(listen) => listen.parse()?,
        Err(_) => config.listen,
    };
    let gateway = Gateway::from_config(config)?;
    let router = tollgate_bench_gateway::try_app(gateway)?;
    println!("bench gateway listening on http://{addr}");
    tollgate::serve(router, addr).await?;
    Ok(())
}
