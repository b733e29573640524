//! `report.received`: a returned mail (bounce, complaint, mailed unsubscribe) was stored; the
//! tracker applies it to the delivery records and the directory.

use super::Contract;
use crate::store::ReportSource;
use circulars_bounce_reports::Report;
use serde::{Deserialize, Serialize};

/// The subject.
pub const SUBJECT: &str = "report.received";

/// A returned mail, stored whole under `report` before this was published, and what the parser
/// made of it. The message itself never travels: it can be larger than NATS accepts, and the
/// database has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportReceived {
    /// The stored report's id (`store::report_id`: the SHA-256 of the message, hex).
    pub report: String,
    /// Where it came from.
    pub source: ReportSource,
    /// The addresses it was delivered to: the intake's `RCPT TO` (VERP and unsubscribe
    /// addresses); empty for a mailbox or a file, whose headers the parser reads instead.
    pub envelope_to: Vec<String>,
    /// What the parser found.
    pub parsed: Report,
}

impl Contract for ReportReceived {
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        SUBJECT.to_owned()
    }

    fn msg_id(&self) -> String {
        format!("{}:received", self.report)
    }
}
