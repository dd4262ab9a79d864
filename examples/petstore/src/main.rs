//! Serves the pet store gateway: `cargo run -p petstore-example`.
//!
//! Reads `tollgate.toml` beside this crate (or the file named by `TOLLGATE_CONFIG`);
//! `TOLLGATE_LISTEN` overrides the listen address.

use std::net::SocketAddr;

use tollgate::Gateway;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = std::env::var("TOLLGATE_CONFIG")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/tollgate.toml").to_owned());
    let gateway = Gateway::from_file(&config)?;
    let addr: SocketAddr = match std::env::var("TOLLGATE_LISTEN") {
        Ok(listen) => listen.parse()?,
        Err(_) => gateway.config().listen,
    };
    // Refuses to start when `strict = true` and a security scheme cannot be verified.
    let router = petstore_example::try_app(gateway)?;
    println!("pet store gateway listening on http://{addr}");
    println!("  try: curl -s -H 'X-API-Key: demo-key' -H 'Content-Type: application/json' -d '{{\"name\":\"Rex\"}}' http://{addr}/pets");
    println!("       curl -s -H 'X-API-Key: demo-key' http://{addr}/pets/1");
    println!("       curl -s http://{addr}/pets");
    tollgate::serve(router, addr).await?;
    Ok(())
}
