//! `circular.recipients.<circular>`: one batch of a circular's frozen audience, for the composer.

use super::Contract;
use crate::domain::{CircularId, Recipient};
use serde::{Deserialize, Serialize};

/// The subject prefix; the circular id follows.
pub const SUBJECT_PREFIX: &str = "circular.recipients.";

/// How many recipients one batch carries at most (about 200 bytes each, far below NATS's 1 MiB).
pub const BATCH_SIZE: usize = 500;

/// Part of a circular's frozen audience, numbered so a re-publish is recognised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientBatch {
    /// The circular.
    pub circular: CircularId,
    /// The batch number, from 1.
    pub batch: u32,
    /// The recipients in it (at most [`BATCH_SIZE`]).
    pub recipients: Vec<Recipient>,
}

impl Contract for RecipientBatch {
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("{SUBJECT_PREFIX}{}", self.circular)
    }

    fn msg_id(&self) -> String {
        format!("{}:recipients:{}", self.circular, self.batch)
    }
}
