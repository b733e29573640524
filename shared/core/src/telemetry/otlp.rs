//! Spans exported over OTLP/HTTP (protobuf) to a collector: a batch of spans posted to
//! `<otlp_endpoint>/v1/traces` every few seconds from the SDK's own thread, the requests sent by
//! hyper on the service's tokio runtime. The resource names the service (`circulars-dispatcher`,
//! `circulars` for `serve all`). The SDK's `OTEL_BSP_*` and `OTEL_TRACES_SAMPLER*` variables
//! still apply (queue size, delay, sampling).

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use opentelemetry_sdk::Resource;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tracing::{Level, Metadata};

/// Where the spans go and whose they are.
#[derive(Debug, Clone)]
pub struct Traces {
    /// The collector's OTLP/HTTP base URL (`[telemetry] otlp_endpoint`), without `/v1/traces`.
    pub endpoint: String,
    /// The service name of the resource: `circulars-<service>`, or `circulars`.
    pub service: String,
    /// Whether the `debug` spans (one per mail attempt) are exported (`[telemetry] mail_spans`).
    pub mail_spans: bool,
}

/// Why spans cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The exporter refused its settings.
    #[error("telemetry.otlp_endpoint: cannot export spans to {endpoint}: {why}")]
    Exporter {
        /// The endpoint configured.
        endpoint: String,
        /// What the exporter said.
        why: String,
    },
    /// Spans can only be exported from within the service's tokio runtime.
    #[error(
        "telemetry.otlp_endpoint: spans are exported from a tokio runtime, and none is running"
    )]
    NoRuntime,
}

/// How long one export may take before it is given up (the spans of that batch are lost).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// The exporting side of the telemetry, flushed when the service stops.
#[derive(Debug, Default)]
#[must_use = "shut it down when the service stops, or the last spans are lost"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still buffered and stops the exporter (waiting on a blocking thread,
    /// since the export itself runs on this runtime).
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        let flushed = tokio::task::spawn_blocking(move || provider.shutdown()).await;
        match flushed {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: spans not all exported at shutdown: {e}"),
            Err(e) => eprintln!("warning: spans not all exported at shutdown: {e}"),
        }
    }
}

/// Starts the exporter and the batch processor; the tracer makes the spans.
pub(super) fn start(traces: &Traces) -> Result<(SdkTracer, Telemetry), TelemetryError> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| TelemetryError::NoRuntime)?;
    let client = OnRuntime {
        runtime,
        client: opentelemetry_http::hyper::HyperClient::with_default_connector(
            EXPORT_TIMEOUT,
            None,
        ),
    };
    let endpoint = format!("{}/v1/traces", traces.endpoint.trim_end_matches('/'));
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(endpoint.clone())
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|e| TelemetryError::Exporter {
            endpoint,
            why: e.to_string(),
        })?;
    let provider = SdkTracerProvider::builder()
        .with_resource(
            Resource::builder()
                .with_service_name(traces.service.clone())
                .build(),
        )
        .with_batch_exporter(exporter)
        .build();
    let tracer = provider.tracer("circulars");
    Ok((
        tracer,
        Telemetry {
            provider: Some(provider),
        },
    ))
}

/// What is exported: the spans of circulars' own crates from `info` up, and from `debug` up
/// with `mail_spans` (a mail attempt is a `debug` span, so that the log at `info` never pays
/// for one per mail); not the log events (they stay in the log: an SMTP reply they quote may
/// hold an address), nor anything of the libraries below.
pub(super) fn filter(
    traces: &Traces,
) -> tracing_subscriber::filter::FilterFn<impl Fn(&Metadata<'_>) -> bool + Send + Sync + 'static> {
    let most = if traces.mail_spans {
        Level::DEBUG
    } else {
        Level::INFO
    };
    tracing_subscriber::filter::filter_fn(move |metadata| {
        metadata.is_span()
            && metadata.target().starts_with("circulars")
            && *metadata.level() <= most
    })
}

/// The hyper client driven on the service's runtime: the SDK's batch thread has no tokio
/// reactor of its own, so each request is spawned there and awaited from the thread.
#[derive(Debug, Clone)]
struct OnRuntime {
    runtime: tokio::runtime::Handle,
    client: opentelemetry_http::hyper::HyperClient,
}

impl HttpClient for OnRuntime {
    fn send_bytes<'a, 'b>(
        &'a self,
        request: Request<Bytes>,
    ) -> Pin<Box<dyn Future<Output = Result<Response<Bytes>, HttpError>> + Send + 'b>>
    where
        'a: 'b,
        Self: 'b,
    {
        let client = self.client.clone();
        let sent = self
            .runtime
            .spawn(async move { client.send_bytes(request).await });
        Box::pin(async move { sent.await.map_err(|e| HttpError::from(e.to_string()))? })
    }
}
