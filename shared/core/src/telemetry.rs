//! Logging set-up: `tracing` events to standard error, filtered by `RUST_LOG`, as text (coloured
//! only when standard error is a terminal) or as one JSON object per line (`[log] format`).

use crate::config::LogFormat;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the process-wide subscriber once, writing `format`, with `default` (e.g. `info`)
/// when `RUST_LOG` is unset; later calls are ignored.
pub fn init(default: &str, format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{default},sqlx=warn,async_nats=warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_target(false)
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        // The message beside the other fields at the top level, so that a collector finds
        // `level`, `target` and `message` in every line.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_target(true)
            .with_ansi(false)
            .try_init(),
    };
}
