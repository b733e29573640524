//! The dispatcher's report on each relay, `relay-activity.<relay>` on core NATS every
//! [`RELAY_ACTIVITY_INTERVAL`] while it runs: the limits in force and the mails of the last
//! minute, read from the relays' counters (no database). A report that cannot be published is
//! logged at debug and the next one tried: the dashboard waits, mail does not.

use crate::Dispatcher;
use chrono::Utc;
use circulars_core::events::{Contract, RelayActivity, RELAY_ACTIVITY_INTERVAL};
use lettre::transport::smtp::extension::ClientId;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::debug;

/// This process as reports name it: `host:pid`.
pub(crate) fn dispatcher_name() -> String {
    format!("{}:{}", ClientId::default(), std::process::id())
}

/// Publishes every relay's activity until `shutdown`.
pub(crate) async fn report(d: Arc<Dispatcher>, shutdown: CancellationToken) {
    let name = dispatcher_name();
    let mut every = tokio::time::interval(RELAY_ACTIVITY_INTERVAL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = every.tick() => {}
        }
        let at = Utc::now();
        for counts in d.relays.activity(Instant::now()) {
            let activity = RelayActivity {
                relay: counts.relay,
                dispatcher: name.clone(),
                rate_per_second: counts.rate_per_second,
                connections: counts.connections,
                sent_last_minute: counts.sent_last_minute,
                failed_last_minute: counts.failed_last_minute,
                at,
            };
            let published = match activity.encode() {
                Ok(bytes) => d
                    .ctx
                    .bus
                    .client
                    .publish(activity.subject(), bytes.into())
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(error) = published {
                debug!(relay = %activity.relay, %error, "relay activity not published");
            }
        }
    }
}
