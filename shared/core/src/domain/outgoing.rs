//! A mail ready for SMTP: what the mail builder hands to the relays.

/// One mail ready to send: the envelope and the message as it goes on the wire after DATA,
/// except for dot-stuffing and the closing `.` line, which the SMTP writer adds as it sends.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// `MAIL FROM`: the envelope sender (for a circular, the delivery's VERP address).
    pub return_path: String,
    /// `RCPT TO`: the one recipient.
    pub recipient: String,
    /// The message (RFC 5322): headers and body, CRLF line ends, ending with CRLF; not
    /// dot-stuffed.
    pub message: Vec<u8>,
}

impl std::fmt::Debug for OutgoingMail {
    /// The envelope and the message's size: a message is personal data and long.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("return_path", &self.return_path)
            .field("recipient", &self.recipient)
            .field("message_bytes", &self.message.len())
            .finish()
    }
}
