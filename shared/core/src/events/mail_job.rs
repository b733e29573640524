//! `mail.outbound.<circular>`: one mail to send; small on purpose (the language version is stored once).

use super::Contract;
use crate::domain::{CircularId, DeliveryKey, Recipient};
use serde::{Deserialize, Serialize};

/// The subject prefix; the circular id follows, so one circular can be paused on its own.
pub const SUBJECT_PREFIX: &str = "mail.outbound.";

/// Send the circular to one recipient: the delivery key and the personal fields, never the mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailJob {
    /// The circular.
    pub circular: CircularId,
    /// Who gets it and in which language.
    pub recipient: Recipient,
    /// 1 for the first attempt; n when queued again for attempt n.
    pub attempt: u32,
}

impl MailJob {
    /// The delivery this job is for.
    pub fn key(&self) -> DeliveryKey {
        DeliveryKey::new(self.circular.clone(), self.recipient.address.clone())
    }
}

impl Contract for MailJob {
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("{SUBJECT_PREFIX}{}", self.circular)
    }

    fn msg_id(&self) -> String {
        if self.attempt <= 1 {
            self.key().job_msg_id()
        } else {
            self.key().retry_msg_id(self.attempt)
        }
    }
}
