//! Where returned mail (a bounce, a complaint, a mailed unsubscribe) came in.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a returned mail came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportSource {
    /// The bounce-intake SMTP listener.
    Smtp,
    /// A mailbox polled over IMAP.
    Imap,
    /// `circulars bounces import`.
    File,
}

impl ReportSource {
    /// The stored word.
    pub fn wire_name(self) -> &'static str {
        match self {
            ReportSource::Smtp => "smtp",
            ReportSource::Imap => "imap",
            ReportSource::File => "file",
        }
    }
}

impl std::str::FromStr for ReportSource {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "smtp" => ReportSource::Smtp,
            "imap" => ReportSource::Imap,
            "file" => ReportSource::File,
            other => return Err(format!("'{other}' is not a report source")),
        })
    }
}

impl fmt::Display for ReportSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}
