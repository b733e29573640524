//! `circulars-probes`: what a running process answers to its operators and orchestrator over
//! HTTP, without credentials, the same in every service.
//!
//! - [`routes`]: `GET /healthz` (alive: `200 ok` as long as the process serves HTTP),
//!   `GET /readyz` (`200 ready` when NATS is connected, the database answers and every stream
//!   is declared on the server; else `503` with one plain-text line per thing missing) and
//!   `GET /metrics` (the Prometheus exposition, [`metrics`]). The gateway merges them into its
//!   own listener; [`serve`] puts them on a listener of their own for a service run alone
//!   (`[<service>] listen`).
//! - [`readiness`]: the checks behind `/readyz`, each bounded by [`CHECK_TIMEOUT`].
//! - [`metrics`]: the process's recorder and the consumer gauges read at each scrape.

pub mod metrics;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use circulars_runtime::ServiceContext;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// How long one readiness check (database, or a stream's info) may take before it counts as
/// not answering: well under an orchestrator's usual probe timeout.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Why the probes could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The system's reason.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("HTTP server: {0}")]
    Serve(#[source] std::io::Error),
}

/// `/healthz`, `/readyz` and `/metrics` for the process whose context is `ctx`.
pub fn routes(ctx: ServiceContext) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(ctx)
}

/// Binds `addr` and serves [`routes`] on it until `shutdown`.
pub async fn serve(
    ctx: ServiceContext,
    addr: std::net::SocketAddr,
    shutdown: CancellationToken,
) -> Result<(), ProbeError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ProbeError::Bind { addr, source })?;
    let addr = listener.local_addr().map_err(ProbeError::Serve)?;
    tracing::info!(%addr, "probes ready");
    axum::serve(listener, routes(ctx))
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .map_err(ProbeError::Serve)
}

/// Alive: answering at all is the answer.
async fn healthz() -> impl IntoResponse {
    plain(StatusCode::OK, "ok\n".to_owned())
}

/// The Prometheus exposition (text format 0.0.4).
async fn metrics_text(State(ctx): State<ServiceContext>) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        metrics::render(&ctx, CHECK_TIMEOUT).await,
    )
}

/// Ready, or why not.
async fn readyz(State(ctx): State<ServiceContext>) -> impl IntoResponse {
    let missing = readiness(&ctx).await;
    if missing.is_empty() {
        plain(StatusCode::OK, "ready\n".to_owned())
    } else {
        plain(StatusCode::SERVICE_UNAVAILABLE, missing.join("\n") + "\n")
    }
}

fn plain(status: StatusCode, body: String) -> impl IntoResponse {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
}

/// What keeps the process from doing its work, one short line each (`nats: not connected`,
/// `database: …`, `stream MAIL_OUTBOUND: …`); empty when it is ready.
pub async fn readiness(ctx: &ServiceContext) -> Vec<String> {
    let mut missing = Vec::new();
    match tokio::time::timeout(CHECK_TIMEOUT, ctx.store.directory_size()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => missing.push(format!("database: {e}")),
        Err(_) => missing.push(format!(
            "database: no answer within {} s",
            CHECK_TIMEOUT.as_secs()
        )),
    }
    if ctx.bus.client.connection_state() != async_nats::connection::State::Connected {
        // Asking JetStream about the streams would only wait for the timeout.
        missing.push("nats: not connected".to_owned());
        return missing;
    }
    for stream in circulars_core::nats::STREAMS {
        match tokio::time::timeout(CHECK_TIMEOUT, ctx.bus.jetstream.get_stream(stream)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => missing.push(format!("stream {stream}: {e}")),
            Err(_) => missing.push(format!(
                "stream {stream}: no answer within {} s",
                CHECK_TIMEOUT.as_secs()
            )),
        }
    }
    missing
}
