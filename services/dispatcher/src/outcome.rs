//! Deciding what an SMTP attempt means for the delivery, in one place.

use circulars_shared::domain::SmtpReply;
use lettre::transport::smtp::response::Response;
use std::error::Error as _;

/// What one SMTP attempt means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted (2xx): the reply carries the relay's queue id.
    Sent(SmtpReply),
    /// Refused for now (4xx, connection lost, timeout): try again later.
    Deferred {
        /// The reply, when the server gave one.
        reply: Option<SmtpReply>,
        /// What failed, when no server replied.
        detail: Option<String>,
    },
    /// Refused for good (5xx), or a mail that can never be sent.
    Failed {
        /// The reply, when the server gave one.
        reply: Option<SmtpReply>,
        /// What failed, when no server replied.
        detail: Option<String>,
    },
}

/// Classifies the result of sending one mail: 2xx sent, 5xx failed, 4xx and every transport
/// problem (connection, timeout, TLS) deferred; a client-side error (a mail lettre refuses to
/// send) failed, since sending it again cannot help.
pub fn classify(result: &Result<Response, lettre::transport::smtp::Error>) -> Verdict {
    match result {
        Ok(response) => Verdict::Sent(SmtpReply::new(
            u16::from(response.code()),
            &response.message().collect::<Vec<_>>().join(" "),
        )),
        Err(e) => {
            let reply = e.status().map(|code| {
                SmtpReply::new(
                    u16::from(code),
                    &e.source().map(|s| s.to_string()).unwrap_or_default(),
                )
            });
            if e.is_permanent() {
                Verdict::Failed {
                    reply,
                    detail: None,
                }
            } else if e.is_transient() {
                Verdict::Deferred {
                    reply,
                    detail: None,
                }
            } else if e.is_client() {
                Verdict::Failed {
                    reply: None,
                    detail: Some(e.to_string()),
                }
            } else {
                Verdict::Deferred {
                    reply: None,
                    detail: Some(e.to_string()),
                }
            }
        }
    }
}
