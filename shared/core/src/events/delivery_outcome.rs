//! `delivery.<state>`: what happened to one delivery, for the tracker.

use super::Contract;
use crate::domain::{
    BounceReason, CircularId, DeliveryKey, DeliveryState, RecipientAddress, SmtpReply,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The subject prefix; the state's wire name follows.
pub const SUBJECT_PREFIX: &str = "delivery.";

/// A delivery reached `state` on attempt `attempt`, with the server's own words when there are any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryOutcome {
    /// The circular.
    pub circular: CircularId,
    /// The recipient, normalised.
    pub address: RecipientAddress,
    /// The state reached.
    pub state: DeliveryState,
    /// The attempt that reached it, from 1.
    pub attempt: u32,
    /// When.
    pub at: DateTime<Utc>,
    /// The SMTP reply, when the server gave one.
    pub reply: Option<SmtpReply>,
    /// What went wrong when no server replied (connection refused, timeout, …).
    pub detail: Option<String>,
    /// Attempts so far whose reply was lost after the whole message was sent: the relay may
    /// have stored the mail (a `sent` outcome with a count here is unconfirmed).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unconfirmed: u32,
    /// On a `bounced` outcome: why the returned mail says it failed (`user_unknown`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce_reason: Option<BounceReason>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl DeliveryOutcome {
    /// The delivery this outcome is for.
    pub fn key(&self) -> DeliveryKey {
        DeliveryKey::new(self.circular.clone(), self.address.clone())
    }
}

impl Contract for DeliveryOutcome {
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("{SUBJECT_PREFIX}{}", self.state)
    }

    fn msg_id(&self) -> String {
        self.key().outcome_msg_id(self.state, self.attempt)
    }
}
