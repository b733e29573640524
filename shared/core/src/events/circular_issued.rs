//! `circular.issued`: staff issued a circular; the directory freezes its audience.

use super::Contract;
use crate::domain::CircularId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The subject.
pub const SUBJECT: &str = "circular.issued";

/// A circular was issued and its audience must now be resolved and frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircularIssued {
    /// The circular.
    pub circular: CircularId,
    /// When staff issued it.
    pub issued_at: DateTime<Utc>,
}

impl Contract for CircularIssued {
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        SUBJECT.to_owned()
    }

    fn msg_id(&self) -> String {
        format!("{}:issued", self.circular)
    }
}
