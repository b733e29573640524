//! Why one attempt through a relay did not end in "250": [`SendError`], with the SMTP
//! [`Phase`] it stopped in. The line that matters most is the one after the final dot: a
//! reply lost there ([`SendError::ReplyLost`]) means the relay may have stored the mail.

use circulars_core::domain::SmtpReply;
use std::fmt;
use std::time::Duration;

/// Where in an SMTP session an attempt stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Opening the TCP connection (and TLS, for a relay on implicit TLS).
    Connect,
    /// Waiting for the relay's `220` greeting.
    Greeting,
    /// `EHLO`.
    Hello,
    /// `STARTTLS` and the TLS handshake after it.
    StartTls,
    /// `AUTH PLAIN` or `AUTH LOGIN`.
    Auth,
    /// `MAIL FROM`.
    Mail,
    /// `RCPT TO`.
    Rcpt,
    /// `DATA`, up to the relay's `354`.
    Data,
    /// Writing the message and its final dot.
    Message,
    /// Waiting for the reply to the final dot.
    FinalReply,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Connect => "connecting",
            Phase::Greeting => "the greeting",
            Phase::Hello => "EHLO",
            Phase::StartTls => "STARTTLS",
            Phase::Auth => "AUTH",
            Phase::Mail => "MAIL FROM",
            Phase::Rcpt => "RCPT TO",
            Phase::Data => "DATA",
            Phase::Message => "the message",
            Phase::FinalReply => "the final dot",
        })
    }
}

/// Why one attempt through a relay failed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The relay answered with a refusal (4xx or 5xx) in `phase`.
    #[error("{relay} refused {phase}: {reply}")]
    Refused {
        /// `host:port`.
        relay: String,
        /// The command the relay refused.
        phase: Phase,
        /// Its reply, word for word.
        reply: SmtpReply,
    },
    /// No connection could be opened (refused, unreachable, TLS handshake failed).
    #[error("cannot connect to {relay}: {}{source}", if *.tls { "TLS: " } else { "" })]
    Connect {
        /// `host:port`.
        relay: String,
        /// True when the TLS handshake failed, false for the TCP connection.
        tls: bool,
        /// What failed.
        source: std::io::Error,
    },
    /// The relay did not answer (or take the message) in time, before the message was
    /// complete: it cannot have stored the mail.
    #[error("{relay} did not answer within {} s ({phase})", .after.as_secs())]
    Timeout {
        /// `host:port`.
        relay: String,
        /// Where the attempt waited.
        phase: Phase,
        /// The deadline that passed.
        after: Duration,
    },
    /// The connection broke (closed, reset, an unreadable reply) before the message was
    /// complete: the relay cannot have stored the mail.
    #[error("{relay}: connection lost at {phase}: {source}")]
    Lost {
        /// `host:port`.
        relay: String,
        /// Where the connection broke.
        phase: Phase,
        /// What happened.
        source: std::io::Error,
    },
    /// The whole message and its final dot were written, then no reply came: the relay may
    /// have stored the mail (and may deliver it) without saying so.
    #[error("{relay}: may have been delivered, reply lost after the message was sent ({how})")]
    ReplyLost {
        /// `host:port`.
        relay: String,
        /// How the reply was lost: no reply within the final-reply timeout, or the
        /// connection closed or broke.
        how: LostReply,
    },
    /// The mail cannot be sent as it is (a line break in an address, 8-bit content for a relay
    /// without 8BITMIME, …): trying again cannot help.
    #[error("{relay}: cannot send this mail: {why}")]
    Unsendable {
        /// `host:port`.
        relay: String,
        /// What is wrong with it.
        why: String,
    },
}

/// How the reply to a final dot was lost.
#[derive(Debug, thiserror::Error)]
pub enum LostReply {
    /// None came within the final-reply timeout.
    #[error("no reply within {} s", .0.as_secs())]
    Timeout(Duration),
    /// The connection closed, broke, or carried something that is no SMTP reply.
    #[error("{0}")]
    Connection(#[source] std::io::Error),
}

impl SendError {
    /// True when the relay gave no SMTP reply at all (no connection, a timeout, a lost
    /// connection or reply): the case for failover. False for a refusal and for a mail that
    /// cannot be sent.
    pub fn is_no_reply(&self) -> bool {
        match self {
            SendError::Connect { .. }
            | SendError::Timeout { .. }
            | SendError::Lost { .. }
            | SendError::ReplyLost { .. } => true,
            SendError::Refused { .. } | SendError::Unsendable { .. } => false,
        }
    }

    /// True when the whole message and its final dot were written and the reply was lost
    /// (timeout, closed or broken connection): the relay may have stored the mail, so the
    /// outcome is unknown rather than failed.
    pub fn reply_lost(&self) -> bool {
        matches!(self, SendError::ReplyLost { .. })
    }

    /// The relay's refusal, when it refused.
    pub fn reply(&self) -> Option<&SmtpReply> {
        match self {
            SendError::Refused { reply, .. } => Some(reply),
            _ => None,
        }
    }

    /// Where the attempt stopped (`None` for a mail that cannot be sent).
    pub fn phase(&self) -> Option<Phase> {
        match self {
            SendError::Refused { phase, .. }
            | SendError::Timeout { phase, .. }
            | SendError::Lost { phase, .. } => Some(*phase),
            SendError::Connect { .. } => Some(Phase::Connect),
            SendError::ReplyLost { .. } => Some(Phase::FinalReply),
            SendError::Unsendable { .. } => None,
        }
    }
}
