//! `serve_listener` serves a router and stops on its shutdown future; `serve` reports
//! bind failures as `Error::Bind`.

use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[tokio::test]
async fn serves_until_shutdown() {
    let router = tollgate::Router::new().route("/hello", axum::routing::get(|| async { "hi" }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(tollgate::serve_listener(router, listener, async {
        let _ = stopped.await;
    }));

    let body = reqwest::get(format!("http://{addr}/hello"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "hi");

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server did not stop")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn bind_failure_is_reported() {
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = taken.local_addr().unwrap();
    let err = tollgate::serve(tollgate::Router::new(), addr)
        .await
        .unwrap_err();
    assert!(
        matches!(err, tollgate::Error::Bind { addr: a, .. } if a == addr),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("cannot listen on {addr}")),
        "{err}"
    );
}
