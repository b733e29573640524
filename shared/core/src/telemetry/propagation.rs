//! W3C trace context (`traceparent`, `tracestate`) in NATS message headers, beside
//! `Nats-Msg-Id`: the publisher's span travels with each event, and the consumer's span
//! becomes its child, so that one circular's trace crosses the services. Without an exporter
//! (`[telemetry] otlp_endpoint` unset) spans have no OpenTelemetry context and nothing is
//! added.

use async_nats::HeaderMap;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Adds the current span's trace context to the headers of a message about to be published.
pub fn inject(headers: &mut HeaderMap) {
    let context = tracing::Span::current().context();
    if !context.span().span_context().is_valid() {
        return;
    }
    TraceContextPropagator::new().inject_context(&context, &mut Carrier(headers));
}

/// Makes `span` (created, not yet entered) the child of the span that published the message
/// with `headers`, when they carry a trace context.
pub fn follow(span: &tracing::Span, headers: Option<&HeaderMap>) {
    let Some(headers) = headers else { return };
    if span.is_disabled() || headers.get(TRACEPARENT).is_none() {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&Reader(headers));
    if parent.span().span_context().is_valid() {
        // Refused only when no exporter is installed or the span has started: then it keeps
        // its local parent.
        let _ = span.set_parent(parent);
    }
}

/// The W3C header holding the trace and the parent span.
const TRACEPARENT: &str = "traceparent";

struct Carrier<'a>(&'a mut HeaderMap);

impl Injector for Carrier<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key, value);
    }
}

struct Reader<'a>(&'a HeaderMap);

impl Extractor for Reader<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|v| v.as_str())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(name, _)| name.as_ref()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_context_goes_into_headers_and_comes_back() {
        use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};
        let sent = SpanContext::new(
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
            SpanId::from_hex("00f067aa0ba902b7").unwrap(),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let context = opentelemetry::Context::new().with_remote_span_context(sent.clone());
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", "TSB-36:issued");
        TraceContextPropagator::new().inject_context(&context, &mut Carrier(&mut headers));
        assert_eq!(
            headers.get(TRACEPARENT).map(|v| v.as_str()),
            Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        );
        assert_eq!(
            headers.get("Nats-Msg-Id").map(|v| v.as_str()),
            Some("TSB-36:issued")
        );
        let back = TraceContextPropagator::new().extract(&Reader(&headers));
        assert_eq!(back.span().span_context().trace_id(), sent.trace_id());
        assert_eq!(back.span().span_context().span_id(), sent.span_id());
    }

    #[test]
    fn without_an_exporter_nothing_is_added() {
        let mut headers = HeaderMap::new();
        let span = tracing::info_span!("compose");
        let _entered = span.enter();
        inject(&mut headers);
        assert!(headers.get(TRACEPARENT).is_none());
    }
}
