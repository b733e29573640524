//! `circulars-gateway`: where staff and operators reach circulars.
//!
//! # Layout
//! - [`annexes`]: a circular's annex files read from beside it, per language, size-checked
//! - [`staff`]: draft a circular from its file, issue it (publishes `circular.issued`)
//! - [`run`]: the HTTP service; for now `/healthz`, which checks the database and NATS

pub mod annexes;
pub mod staff;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use circulars_shared::service::ServiceContext;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::info;

/// Why the gateway could not serve.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {why}")]
    Bind {
        /// The address.
        addr: String,
        /// The system's reason.
        why: String,
    },
    /// Serving failed.
    #[error("HTTP server: {0}")]
    Serve(String),
}

/// Serves HTTP on `gateway.listen` until `shutdown`.
pub async fn run(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), GatewayError> {
    let addr = ctx.config.gateway.listen;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| GatewayError::Bind {
            addr: addr.to_string(),
            why: e.to_string(),
        })?;
    serve(ctx, listener, shutdown).await
}

/// Serves HTTP on an already bound `listener` until `shutdown`.
pub async fn serve(
    ctx: ServiceContext,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), GatewayError> {
    let addr = listener
        .local_addr()
        .map_err(|e| GatewayError::Serve(e.to_string()))?;
    let app = Router::new()
        .route("/healthz", get(healthz))
        .with_state(ctx);
    info!(%addr, "gateway ready");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .map_err(|e| GatewayError::Serve(e.to_string()))?;
    info!("gateway stopped");
    Ok(())
}

/// `200 ok` when the database answers and NATS is connected, else `503` naming what is down.
async fn healthz(State(ctx): State<ServiceContext>) -> (StatusCode, String) {
    let mut down = Vec::new();
    if let Err(e) = ctx.store.directory_size().await {
        down.push(format!("database: {e}"));
    }
    if ctx.bus.client.connection_state() != async_nats::connection::State::Connected {
        down.push("nats: not connected".to_owned());
    }
    if down.is_empty() {
        (StatusCode::OK, "ok\n".to_owned())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, down.join("\n") + "\n")
    }
}
