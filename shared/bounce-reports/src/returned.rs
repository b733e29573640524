//! The returned message: the copy of our own mail (or its headers) that a report carries, as a
//! `message/rfc822` part, a `text/rfc822-headers` part, or pasted inline in the notice text.

use crate::headers;
use mail_parser::{Header, Message, MessageParser, MimeHeaders, PartType};

/// What a report shows of the returned message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Returned {
    /// Its Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// The addresses in its `To` header: for a feedback report, whoever complained.
    pub to: Vec<String>,
    /// The complainer named by Microsoft's feedback loop (JMRP), which forwards the message
    /// with an `X-HmXmrOriginalRecipient` header instead of writing a feedback report.
    pub complainer: Option<String>,
}

/// Finds the returned message among the parts of `message` (not inside nested messages).
pub(crate) fn find(message: &Message<'_>) -> Returned {
    for part in &message.parts {
        let Some(content_type) = part.content_type() else {
            continue;
        };
        let kind = content_type.ctype().to_ascii_lowercase();
        let subtype = content_type.subtype().unwrap_or("").to_ascii_lowercase();
        let is_message = kind == "message" && matches!(subtype.as_str(), "rfc822" | "global");
        let is_headers = matches!(
            (kind.as_str(), subtype.as_str()),
            ("text", "rfc822-headers") | ("message", "rfc822-headers" | "global-headers")
        );
        if !is_message && !is_headers {
            continue;
        }
        if let PartType::Message(nested) = &part.body {
            return from_headers(headers::root(nested));
        }
        // Headers only, or a message mail-parser could not read as one: read its header block.
        if let Some(nested) = MessageParser::default().parse_headers(part.contents()) {
            return from_headers(headers::root(&nested));
        }
    }
    Returned::default()
}

fn from_headers(headers: &[Header<'_>]) -> Returned {
    Returned {
        message_id: headers::message_id(headers, "message-id"),
        to: headers::addresses(headers, "to"),
        complainer: headers::addresses(headers, "x-hmxmroriginalrecipient")
            .into_iter()
            .next(),
    }
}

/// Finds a `Message-ID:` header line pasted in a notice text (the copy of the message that
/// Exim, qmail, Exchange and others append), folded or not.
pub(crate) fn message_id_in_text(text: &str) -> Option<String> {
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if !name.eq_ignore_ascii_case("message-id") {
            continue;
        }
        let value = if value.trim().is_empty() {
            match lines.peek() {
                Some(next) if next.starts_with([' ', '\t']) => *next,
                _ => value,
            }
        } else {
            value
        };
        if let Some(id) = headers::clean_message_id(value) {
            return Some(id);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_message_id_is_found_folded_or_not() {
        let text = "------ This is a copy of the message ------\n\nReturn-Path: <>\nMessage-ID: <c36.en.7@itu.example>\n";
        assert_eq!(
            message_id_in_text(text).as_deref(),
            Some("c36.en.7@itu.example")
        );
        let folded = "Subject: x\nMessage-Id:\n   <c36.en.8@itu.example>\n";
        assert_eq!(
            message_id_in_text(folded).as_deref(),
            Some("c36.en.8@itu.example")
        );
        assert_eq!(message_id_in_text("The Message-ID was lost."), None);
    }

    #[test]
    fn the_returned_headers_part_gives_the_message_id_and_to() {
        let raw = concat!(
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n",
            "--b\r\nContent-Type: text/plain\r\n\r\nnotice\r\n",
            "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n",
            "Message-ID: <c36.fr.1@itu.example>\r\nTo: Gone <gone@example.org>\r\n\r\n",
            "--b--\r\n"
        );
        let message = MessageParser::default().parse(raw.as_bytes()).unwrap();
        let returned = find(&message);
        assert_eq!(returned.message_id.as_deref(), Some("c36.fr.1@itu.example"));
        assert_eq!(returned.to, ["gone@example.org"]);
    }
}
