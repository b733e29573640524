//! Logging and tracing set-up: `tracing` events to standard error, filtered by `RUST_LOG`, as
//! text (coloured only when standard error is a terminal) or as one JSON object per line
//! (`[log] format`); and, when `[telemetry] otlp_endpoint` is set, the services' spans exported
//! to an OpenTelemetry collector over OTLP/HTTP, one trace per circular across the services.
//!
//! - `otlp`: the span exporter, its HTTP client, and the provider flushed at shutdown
//! - `propagation`: W3C trace context in NATS message headers, injected where an event is
//!   published ([`inject`]) and followed where it is consumed ([`follow`])

mod otlp;
mod propagation;

pub use otlp::{Telemetry, TelemetryError, Traces};
pub use propagation::{follow, inject};

use crate::config::LogFormat;
use std::io::IsTerminal;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Installs the process-wide subscriber once, writing `format`, with `default` (e.g. `info`)
/// when `RUST_LOG` is unset, and exporting spans when `traces` is given; later calls are
/// ignored. The returned [`Telemetry`] flushes the spans still buffered when shut down.
pub fn init(
    default: &str,
    format: LogFormat,
    traces: Option<Traces>,
) -> Result<Telemetry, TelemetryError> {
    let filter = || {
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new(format!("{default},sqlx=warn,async_nats=warn")))
    };
    let (text, json) = match format {
        LogFormat::Text => (
            Some(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_target(false)
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_filter(filter()),
            ),
            None,
        ),
        // The message beside the other fields at the top level, so that a collector finds
        // `level`, `target` and `message` in every line.
        LogFormat::Json => (
            None,
            Some(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_target(true)
                    .with_ansi(false)
                    .with_writer(std::io::stderr)
                    .with_filter(filter()),
            ),
        ),
    };
    let (exporting, telemetry) = match traces {
        Some(traces) => {
            let (tracer, telemetry) = otlp::start(&traces)?;
            // No busy and idle times: they cost two clock readings at every poll of every
            // future in a span, which the mails of a batch are.
            let layer = tracing_opentelemetry::layer()
                .with_tracer(tracer)
                .with_tracked_inactivity(false)
                .with_filter(otlp::filter(&traces));
            (Some(layer), telemetry)
        }
        None => (None, Telemetry::default()),
    };
    let _ = tracing_subscriber::registry()
        .with(text)
        .with(json)
        .with(exporting)
        .try_init();
    Ok(telemetry)
}
