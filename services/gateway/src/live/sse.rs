//! A board's readings, numbered once ([`publish`]), and as server-sent events: the latest at once (unless the browser says it
//! has it, by `Last-Event-ID`), then one per new reading, never a backlog; the stream holds
//! its client's [`StreamPermit`] and ends when the gateway stops.

use super::StreamPermit;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How long a browser waits before reconnecting a lost stream.
pub const RECONNECT_AFTER: Duration = Duration::from_secs(2);

/// One reading of a board, numbered: the number is the live stream's event id, unique in
/// this process, so a browser that reconnects with the latest id is sent nothing new.
#[derive(Debug)]
pub struct Reading<T> {
    /// The event id.
    pub id: u64,
    /// What was read.
    pub live: T,
}

/// What a feed's watchers receive: `None` until the first reading.
pub type Readings<T> = watch::Receiver<Option<Arc<Reading<T>>>>;

/// Holds `live` in `sender` as a new numbered reading, unless it equals the reading held
/// (then nothing is sent, and no watcher wakes).
pub fn publish<T: PartialEq>(sender: &watch::Sender<Option<Arc<Reading<T>>>>, live: T) {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    sender.send_if_modified(|held| {
        if held.as_ref().is_some_and(|r| r.live == live) {
            return false;
        }
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        *held = Some(Arc::new(Reading { id, live }));
        true
    });
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
    readings: Readings<T>,
    permit: StreamPermit,
    seen: Option<u64>,
    closing: CancellationToken,
    name: &'static str,
    draw: F,
) -> Response
where
    T: Send + Sync + 'static,
    F: Fn(&Reading<T>) -> String + Clone + Send + Sync + 'static,
{
    let events = futures::stream::unfold(
        (readings, permit, seen),
        move |(mut readings, permit, mut seen)| {
            let draw = draw.clone();
            let closing = closing.clone();
            async move {
                loop {
                    let latest: Option<Arc<Reading<T>>> = readings.borrow_and_update().clone();
                    if let Some(reading) = latest.filter(|r| Some(r.id) != seen) {
                        seen = Some(reading.id);
                        let event = Event::default()
                            .event(name)
                            .id(reading.id.to_string())
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
