//! `/metrics`: the process's Prometheus exposition. The services record through the `metrics`
//! facade (counters and histograms where the work happens); [`recorder`] installs the
//! Prometheus recorder once per process; each scrape first reads the JetStream consumers'
//! pending, in-hand and redelivered counts, and the parked and due retries, into gauges.

use circulars_runtime::ServiceContext;
use futures::StreamExt;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

/// Bucket bounds, in seconds, of every histogram (an SMTP reply, a language rendered, an
/// audience frozen): from a millisecond to ten minutes (`final_reply_timeout_secs`).
const BUCKETS: [f64; 14] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0, 120.0, 600.0,
];

/// How often histogram samples are folded in when no one scrapes, so memory stays bounded.
pub const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process's Prometheus recorder, installed as the global `metrics` recorder on first use.
/// When another recorder was installed first, the handle still renders (its own, empty) data.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = match PrometheusBuilder::new().set_buckets(&BUCKETS) {
            Ok(builder) => builder,
            Err(_) => PrometheusBuilder::new(),
        };
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was installed before; /metrics will be empty");
        }
        describe();
        handle
    })
}

/// The exposition text after refreshing the consumer gauges from JetStream (skipped, and said
/// in the log, when NATS does not answer within `timeout`).
pub async fn render(ctx: &ServiceContext, timeout: Duration) -> String {
    let handle = recorder();
    if tokio::time::timeout(timeout, consumer_gauges(ctx))
        .await
        .is_err()
    {
        tracing::warn!("consumer counts not read for /metrics: no answer from JetStream in time");
    }
    match tokio::time::timeout(timeout, ctx.store.retry_counts(chrono::Utc::now())).await {
        Ok(Ok((parked, due))) => {
            metrics::gauge!("circulars_retries_parked").set(parked as f64);
            metrics::gauge!("circulars_retries_due").set(due as f64);
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "retry counts not read for /metrics"),
        Err(_) => tracing::warn!("retry counts not read for /metrics: no answer in time"),
    }
    handle.render()
}

/// Sets `circulars_consumer_{pending,ack_pending,redelivered}_messages{stream, consumer}` from
/// each consumer's info.
async fn consumer_gauges(ctx: &ServiceContext) {
    if ctx.bus.client.connection_state() != async_nats::connection::State::Connected {
        return;
    }
    for name in circulars_core::nats::STREAMS {
        let Ok(stream) = ctx.bus.jetstream.get_stream(name).await else {
            continue;
        };
        let mut consumers = stream.consumers();
        while let Some(Ok(info)) = consumers.next().await {
            let labels = [("stream", name.to_owned()), ("consumer", info.name.clone())];
            metrics::gauge!("circulars_consumer_pending_messages", &labels)
                .set(info.num_pending as f64);
            metrics::gauge!("circulars_consumer_ack_pending_messages", &labels)
                .set(info.num_ack_pending as f64);
            metrics::gauge!("circulars_consumer_redelivered_messages", &labels)
                .set(info.num_redelivered as f64);
        }
    }
}

/// The help text of every metric the services record: the catalogue of names (a name recorded
/// without one fails `promtool check metrics` in `tests/tests/metrics.rs`).
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "circulars_mails_total",
        "Mail attempts by outcome (sent and failed once per mail, deferred once per attempt to be retried) and relay (none: never handed to one)"
    );
    describe_histogram!(
        "circulars_smtp_send_seconds",
        Unit::Seconds,
        "Time from handing a mail to a relay until its final reply or error, per relay"
    );
    describe_counter!(
        "circulars_returned_mail_total",
        "Returned mail taken up, by kind (permanent, temporary, complaint, unsubscribe) or, when it changed nothing, by what became of it (unmatched, ignored)"
    );
    describe_histogram!(
        "circulars_render_seconds",
        Unit::Seconds,
        "Time to render one language version of a circular"
    );
    describe_histogram!(
        "circulars_audience_freeze_seconds",
        Unit::Seconds,
        "Time to resolve and freeze a circular's audience"
    );
    describe_gauge!(
        "circulars_consumer_pending_messages",
        "Messages of a JetStream consumer's stream not yet delivered to it, read at scrape"
    );
    describe_gauge!(
        "circulars_consumer_ack_pending_messages",
        "Messages delivered to a JetStream consumer and not yet acknowledged, read at scrape"
    );
    describe_gauge!(
        "circulars_consumer_redelivered_messages",
        "Messages a JetStream consumer has had delivered more than once, read at scrape"
    );
    describe_gauge!(
        "circulars_dispatchers_sharing_limits",
        "Dispatchers running in the cluster, each taking an equal share of the relay limits and of smtp.concurrency"
    );
    describe_gauge!(
        "circulars_retries_parked",
        "Mails parked for a later attempt after a temporary failure, read at scrape"
    );
    describe_gauge!(
        "circulars_retries_due",
        "Parked mails whose next attempt is due and not yet queued again, read at scrape"
    );
}
