//! `relay-activity.<relay>`: what one dispatcher is doing with one relay, published on core
//! NATS (not JetStream) every [`INTERVAL`] while it runs, for the operations dashboard. Nothing
//! keeps these: a dashboard that starts late waits one interval, and one that falls behind
//! reads only the latest report of each dispatcher.

use super::Contract;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The subject prefix (core NATS, not JetStream); the relay's name (`[smtp.relays.NAME]`)
/// follows.
pub const SUBJECT_PREFIX: &str = "relay-activity.";

/// How often each dispatcher reports each of its relays.
pub const INTERVAL: Duration = Duration::from_secs(2);

/// One dispatcher's counters for one relay, counted in memory (no database read): the limits in
/// force and the mails of the last minute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayActivity {
    /// The relay's name.
    pub relay: String,
    /// The dispatcher process that reports (`host:pid`).
    pub dispatcher: String,
    /// Mails per second at most, as in force now (configured or set by operators; 0: no limit).
    pub rate_per_second: u32,
    /// Connections at once at most, as in force now.
    pub connections: u32,
    /// Mails the relay accepted from this dispatcher in the last 60 seconds.
    pub sent_last_minute: u64,
    /// Mails this dispatcher failed to hand to the relay in the last 60 seconds (any answer
    /// other than acceptance, or none at all).
    pub failed_last_minute: u64,
    /// When the dispatcher counted.
    pub at: DateTime<Utc>,
}

impl Contract for RelayActivity {
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("{SUBJECT_PREFIX}{}", self.relay)
    }

    /// Not used (core NATS keeps nothing to de-duplicate); unique per report all the same.
    fn msg_id(&self) -> String {
        format!(
            "{}:{}:{}",
            self.relay,
            self.dispatcher,
            self.at.timestamp_millis()
        )
    }
}
