//! Logging set-up: `tracing` events to standard error, filtered by `RUST_LOG`.

use tracing_subscriber::EnvFilter;

/// Installs the process-wide subscriber once, with `default` (e.g. `info`) when `RUST_LOG` is
/// unset; later calls are ignored.
pub fn init(default: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{default},sqlx=warn,async_nats=warn")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
