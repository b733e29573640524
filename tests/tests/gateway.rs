//! Operations can ask the gateway whether the service is healthy.

use circulars_tests::{on_both_databases, Db, Harness};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn the_gateway_answers_healthz_when_database_and_nats_are_up(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("gateway");
    let config = std::fs::read_to_string(h.dir().join("circulars.toml")).unwrap();
    let listen = config
        .lines()
        .find_map(|l| l.strip_prefix("listen = "))
        .unwrap()
        .trim_matches('"')
        .to_owned();
    let mut http = tokio::net::TcpStream::connect(&listen).await.unwrap();
    http.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    http.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.ends_with("ok\n"), "{response}");
    h.stop_services();
}

on_both_databases!(the_gateway_answers_healthz_when_database_and_nats_are_up,);
