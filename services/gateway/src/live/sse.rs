//! A board's readings as server-sent events: the latest at once (unless the browser says it
//! has it, by `Last-Event-ID`), then one per new reading, never a backlog; the stream holds
//! its client's [`StreamPermit`] and ends when the gateway stops.

use super::StreamPermit;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How long a browser waits before reconnecting a lost stream.
pub const RECONNECT_AFTER: Duration = Duration::from_secs(2);

/// A reading with its number (the event id).
pub trait Numbered: Send + Sync + 'static {
    /// The reading's number, unique in this process.
    fn number(&self) -> u64;
}

/// The event id a reconnecting browser says it has (`Last-Event-ID`).
pub fn last_seen(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// The answer streaming `readings` as events named `name`, each drawn by `draw` (HTML).
pub fn stream<T, F>(
    readings: watch::Receiver<Option<Arc<T>>>,
    permit: StreamPermit,
    seen: Option<u64>,
    closing: CancellationToken,
    name: &'static str,
    draw: F,
) -> Response
where
    T: Numbered,
    F: Fn(&T) -> String + Clone + Send + Sync + 'static,
{
    let events = futures::stream::unfold(
        (readings, permit, seen),
        move |(mut readings, permit, mut seen)| {
            let draw = draw.clone();
            let closing = closing.clone();
            async move {
                loop {
                    let latest: Option<Arc<T>> = readings.borrow_and_update().clone();
                    if let Some(reading) = latest.filter(|r| Some(r.number()) != seen) {
                        seen = Some(reading.number());
                        let event = Event::default()
                            .event(name)
                            .id(reading.number().to_string())
                            .retry(RECONNECT_AFTER)
                            .data(draw(&reading));
                        return Some((Ok::<Event, Infallible>(event), (readings, permit, seen)));
                    }
                    tokio::select! {
                        changed = readings.changed() => changed.ok()?,
                        _ = closing.cancelled() => return None,
                    }
                }
            }
        },
    );
    let mut answer = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response();
    answer
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    answer
}
