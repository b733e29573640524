//! `circulars serve all|<service>`: each service's `run` with one shutdown signal; `all` runs the
//! six in one process, still talking over NATS only. A service other than the gateway run alone
//! serves `/healthz`, `/readyz` and `/metrics` on its `[<service>] listen` when set (the gateway
//! serves them on its own listener, in `all` too). The metrics recorder is installed before any
//! service starts. Spans are exported when `[telemetry] otlp_endpoint` is set (see `main`),
//! under the service's [`resource_name`].

use anyhow::{Context, Result};
use circulars_core::config::Config;
use circulars_runtime::ServiceContext;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

/// Which service to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Service {
    /// All six in one process.
    All,
    /// The HTTP gateway.
    Gateway,
    /// Audience resolution.
    Directory,
    /// Rendering and job queueing.
    Composer,
    /// SMTP sending.
    Dispatcher,
    /// Delivery records, returned mail applied.
    Tracker,
    /// Returned mail taken in (SMTP listener, IMAP poller).
    Intake,
}

/// The service name its exported spans carry: `circulars-<service>`, or `circulars` for all.
pub fn resource_name(service: Service) -> String {
    match service {
        Service::All => "circulars".to_owned(),
        other => format!("circulars-{other:?}").to_lowercase(),
    }
}

/// Runs `service` until SIGINT or SIGTERM, then waits for each to finish its work in flight.
pub async fn serve(config: Config, service: Service) -> Result<()> {
    let name = format!("circulars {service:?}").to_lowercase();
    let ctx = ServiceContext::connect(config, &name)
        .await
        .context("starting")?;
    let shutdown = CancellationToken::new();
    // Installed before the services start, so that their first counts are kept.
    let recorder = circulars_probes::metrics::recorder();
    let upkeep = shutdown.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(circulars_probes::metrics::UPKEEP_EVERY);
        loop {
            tokio::select! {
                _ = upkeep.cancelled() => return,
                _ = every.tick() => recorder.run_upkeep(),
            }
        }
    });
    let mut services: JoinSet<(&'static str, Result<()>)> = JoinSet::new();
    let wanted = |s: Service| service == Service::All || service == s;
    if wanted(Service::Tracker) {
        let (c, s) = (ctx.clone(), shutdown.clone());
        services.spawn(async move {
            (
                "tracker",
                circulars_tracker::run(c, s).await.map_err(Into::into),
            )
        });
    }
    if wanted(Service::Intake) {
        let (c, s) = (ctx.clone(), shutdown.clone());
        services.spawn(async move {
            (
                "intake",
                circulars_intake::run(c, s).await.map_err(Into::into),
            )
        });
    }
    if wanted(Service::Dispatcher) {
        let (c, s) = (ctx.clone(), shutdown.clone());
        services.spawn(async move {
            (
                "dispatcher",
                circulars_dispatcher::run(c, s).await.map_err(Into::into),
            )
        });
    }
    if wanted(Service::Composer) {
        let (c, s) = (ctx.clone(), shutdown.clone());
        services.spawn(async move {
            (
                "composer",
                circulars_composer::run(c, s).await.map_err(Into::into),
            )
        });
    }
    if wanted(Service::Directory) {
        let (c, s) = (ctx.clone(), shutdown.clone());
        services.spawn(async move {
            (
                "directory",
                circulars_directory::run(c, s).await.map_err(Into::into),
            )
        });
    }
    if wanted(Service::Gateway) {
        let (c, s) = (ctx.clone(), shutdown.clone());
        services.spawn(async move {
            (
                "gateway",
                circulars_gateway::run(c, s).await.map_err(Into::into),
            )
        });
    }
    if let Some(addr) = probes_listen(&ctx.config, service) {
        let (c, s) = (ctx.clone(), shutdown.clone());
        services.spawn(async move {
            (
                "probes",
                circulars_probes::serve(c, addr, s)
                    .await
                    .map_err(Into::into),
            )
        });
    }
    let signal = shutdown.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        info!("shutting down");
        signal.cancel();
    });
    let mut failed = None;
    while let Some(joined) = services.join_next().await {
        let (service, result) = joined.context("a service task panicked")?;
        if let Err(e) = result {
            error!(service, error = %format!("{e:#}"), "service stopped with an error; stopping the others");
            failed.get_or_insert(e.context(format!("{service} failed")));
        }
        // One service ending (with an error, or by itself) ends the process.
        shutdown.cancel();
    }
    ctx.store.close().await;
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Where `service`, run alone, serves its probes: its section's `listen`; none for the gateway
/// (its own listener has them) and for `all` (the gateway's).
fn probes_listen(config: &Config, service: Service) -> Option<std::net::SocketAddr> {
    match service {
        Service::All | Service::Gateway => None,
        Service::Directory => config.directory.listen,
        Service::Composer => config.composer.listen,
        Service::Dispatcher => config.dispatcher.listen,
        Service::Tracker => config.tracker.listen,
        Service::Intake => config.intake.listen,
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}
