//! The dispatcher's ear on the `dispatch-control` bucket: circulars paused, resumed or
//! cancelled, relay limits changed. The current values are read before the first job is
//! pulled; changes then arrive through a watch, and a lost watch is opened again.

use crate::Dispatcher;
use async_nats::jetstream::kv;
use chrono::Utc;
use circulars_core::nats::control::{parse_entry, ControlChange, DispatchState};
use circulars_core::nats::BusError;
use futures::StreamExt;
use std::sync::{Arc, PoisonError};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// The watcher, with the bucket it watches.
pub(crate) struct Watcher {
    d: Arc<Dispatcher>,
    bucket: kv::Store,
}

impl Watcher {
    /// Reads every current value, so nothing is pulled against the operators' word.
    pub(crate) async fn start(d: Arc<Dispatcher>) -> Result<Watcher, BusError> {
        let bucket = d.ctx.bus.control().await?;
        let mut keys = bucket
            .keys()
            .await
            .map_err(BusError::jetstream("dispatch-control keys"))?;
        let mut names = Vec::new();
        while let Some(key) = keys.next().await {
            match key {
                Ok(k) => names.push(k),
                Err(e) => return Err(BusError::jetstream("dispatch-control keys")(e)),
            }
        }
        let watcher = Watcher { d, bucket };
        for key in names {
            if let Ok(Some(entry)) = watcher.bucket.entry(&key).await {
                watcher.apply(&entry).await;
            }
        }
        Ok(watcher)
    }

    /// Applies changes until `shutdown`.
    pub(crate) async fn run(self, shutdown: CancellationToken) {
        loop {
            match self.bucket.watch_all().await {
                Ok(mut changes) => loop {
                    let next = tokio::select! {
                        _ = shutdown.cancelled() => return,
                        next = changes.next() => next,
                    };
                    match next {
                        Some(Ok(entry)) => self.apply(&entry).await,
                        Some(Err(e)) => {
                            warn!(error = %e, "dispatch-control watch failed; watching again");
                            break;
                        }
                        None => break,
                    }
                },
                Err(e) => warn!(error = %e, "cannot watch dispatch-control; trying again"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    async fn apply(&self, entry: &kv::Entry) {
        match parse_entry(entry) {
            Ok(ControlChange::Circular(circular, state)) => {
                let before = self
                    .d
                    .states
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(circular.clone(), state);
                if before != Some(state) {
                    info!(%circular, %state, "circular dispatch state");
                }
                if state == DispatchState::Cancelled {
                    // Parked mail is settled now, not when its retry would have come.
                    match self.d.ctx.store.hurry_retries(&circular, Utc::now()).await {
                        Ok(n) if n > 0 => {
                            info!(%circular, parked = n, "parked mail queued to be cancelled")
                        }
                        Ok(_) => {}
                        Err(e) => {
                            warn!(%circular, error = %e, "parked mail not hurried; it is cancelled when due")
                        }
                    }
                }
                self.d.changed.notify_waiters();
            }
            Ok(ControlChange::Relay(relay, limits)) => self.d.relays.set_limits(&relay, limits),
            Err(e) => warn!(error = %e, "ignored"),
        }
    }
}
