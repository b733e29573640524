//! An orchestrator asks each process whether it is alive (`/healthz`) and ready (`/readyz`):
//! in `serve all` on the gateway's listener, without credentials; for a service run alone on
//! its `[<service>] listen`, with `/metrics` beside them. Ready means NATS connected, the
//! database answering and the streams declared; when nats-server goes away the process says
//! so, and is ready again once it is back.

use circulars_local_servers::free_port;
use circulars_tests::http::{http, Reply};
use circulars_tests::{Db, Harness};
use std::time::{Duration, Instant};

async fn get(url: &str) -> Reply {
    http("GET", url, None, b"").await
}

/// Asks `url` until it answers `status`, for at most `patience`; returns that answer.
async fn until_status(url: &str, status: u16, patience: Duration) -> Reply {
    let deadline = Instant::now() + patience;
    loop {
        let reply = get(url).await;
        if reply.status == status {
            return reply;
        }
        assert!(
            Instant::now() < deadline,
            "{url} still answers {} {:?}, not {status}",
            reply.status,
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_all_is_unready_while_nats_is_down_and_ready_again_once_it_is_back() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("all");
    let base = h.gateway_url();

    let alive = get(&format!("{base}/healthz")).await;
    assert_eq!((alive.status, alive.body.as_str()), (200, "ok\n"));
    let ready = get(&format!("{base}/readyz")).await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready\n"));
    assert_eq!(
        ready.header("content-type"),
        Some("text/plain; charset=utf-8")
    );

    h.stop_nats();
    let unready = until_status(&format!("{base}/readyz"), 503, Duration::from_secs(20)).await;
    assert_eq!(unready.body, "nats: not connected\n", "only NATS is down");
    let alive = get(&format!("{base}/healthz")).await;
    assert_eq!(
        alive.status, 200,
        "alive while NATS is down: no restart is needed"
    );

    h.start_nats_again();
    until_status(&format!("{base}/readyz"), 200, Duration::from_secs(30)).await;

    // Ready again means working again: a circular issued now is delivered.
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;
    h.stop_services();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_run_alone_serves_its_probes_and_metrics_on_its_own_listen_address() {
    let mut h = Harness::start(Db::Sqlite).await;
    let port = free_port().unwrap();
    let listen = format!("127.0.0.1:{port}");
    h.serve_with_env("dispatcher", &[("CIRCULARS__DISPATCHER__LISTEN", &listen)]);
    let base = format!("http://{listen}");
    // The listener is bound beside the service: wait until it accepts.
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(&listen).await.is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {listen}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let alive = get(&format!("{base}/healthz")).await;
    assert_eq!((alive.status, alive.body.as_str()), (200, "ok\n"));
    let ready = get(&format!("{base}/readyz")).await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready\n"));
    let metrics = get(&format!("{base}/metrics")).await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.body.contains(
            r#"circulars_consumer_pending_messages{stream="DELIVERIES",consumer="tracker"}"#
        ),
        "{}",
        metrics.body
    );
    let other = get(&format!("{base}/api/v1/circulars")).await;
    assert_eq!(other.status, 404, "only the probes are served there");
    assert!(
        h.service_log("dispatcher").contains("probes ready"),
        "{}",
        h.service_log("dispatcher")
    );
    h.stop_services();
}
