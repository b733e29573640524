//! `report.received`: a returned mail (bounce, complaint, mailed unsubscribe) was stored; the
//! tracker reads it back, parses it and applies it to the delivery records and the directory.

use super::Contract;
use crate::domain::ReportSource;
use serde::{Deserialize, Serialize};

/// The subject.
pub const SUBJECT: &str = "report.received";

/// A returned mail, stored whole under `report` before this was published. Neither the message
/// nor what a parser made of it travels: the message can be larger than NATS accepts, the
/// database has it, and the contract stays the same whatever the parser learns to read.
///
/// Version 2; version 1 also carried the parser's findings. A version-1 event still waiting
/// when the tracker is upgraded is refused, and its report, still `received`, is published
/// again at the tracker's next start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportReceived {
    /// The stored report's id (the SHA-256 of the message, hex).
    pub report: String,
    /// Where it came from.
    pub source: ReportSource,
    /// The addresses it was delivered to: the intake's `RCPT TO` (VERP and unsubscribe
    /// addresses); empty for a mailbox or a file, whose headers the parser reads instead.
    pub envelope_to: Vec<String>,
}

impl Contract for ReportReceived {
    const VERSION: u16 = 2;

    fn subject(&self) -> String {
        SUBJECT.to_owned()
    }

    fn msg_id(&self) -> String {
        format!("{}:received", self.report)
    }
}
