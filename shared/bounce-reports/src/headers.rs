//! Header values of a parsed message, whatever shape mail-parser gave them (text, address
//! list, message ids), read without ever indexing into a message that may have no parts.

use crate::{address, text};
use mail_parser::{Address, Header, HeaderValue, Message};

/// The longest header text kept (a subject, a Message-ID).
const MAX_HEADER_TEXT: usize = 998;

/// The headers of a message's root part; none when the message has no parts.
pub(crate) fn root<'a, 'x>(message: &'a Message<'x>) -> &'a [Header<'x>] {
    message
        .parts
        .first()
        .map_or(&[], |part| part.headers.as_slice())
}

/// The headers called `name`, ignoring case, in order.
pub(crate) fn named<'a, 'x>(
    headers: &'a [Header<'x>],
    name: &'a str,
) -> impl Iterator<Item = &'a HeaderValue<'x>> {
    headers
        .iter()
        .filter(move |header| header.name.as_str().eq_ignore_ascii_case(name))
        .map(|header| &header.value)
}

/// The first header called `name` as text: unfolded, trimmed, at most 998 bytes.
pub(crate) fn text(headers: &[Header<'_>], name: &str) -> Option<String> {
    named(headers, name).find_map(|value| match value {
        HeaderValue::Text(text) => text::clip(&text::unfold(text.lines()), MAX_HEADER_TEXT),
        HeaderValue::TextList(list) => text::clip(&list.join(" "), MAX_HEADER_TEXT),
        _ => None,
    })
}

/// The bare addresses in every header called `name`, in order.
pub(crate) fn addresses(headers: &[Header<'_>], name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for value in named(headers, name) {
        match value {
            HeaderValue::Address(Address::List(list)) => found.extend(
                list.iter()
                    .filter_map(|addr| addr.address.as_deref().and_then(address::bare)),
            ),
            HeaderValue::Address(Address::Group(groups)) => found.extend(
                groups
                    .iter()
                    .flat_map(|group| &group.addresses)
                    .filter_map(|addr| addr.address.as_deref().and_then(address::bare)),
            ),
            HeaderValue::Text(text) => found.extend(address::find_all(text)),
            HeaderValue::TextList(list) => {
                found.extend(list.iter().flat_map(|text| address::find_all(text)))
            }
            _ => {}
        }
    }
    found
}

/// The first header called `name` read as a Message-ID, without angle brackets.
pub(crate) fn message_id(headers: &[Header<'_>], name: &str) -> Option<String> {
    named(headers, name).find_map(|value| match value {
        HeaderValue::Text(text) => clean_message_id(text),
        HeaderValue::TextList(list) => list.iter().find_map(|text| clean_message_id(text)),
        _ => None,
    })
}

/// A Message-ID without its angle brackets and white space; `None` unless it looks like
/// `left@right`.
pub(crate) fn clean_message_id(value: &str) -> Option<String> {
    let value = value.trim();
    let value = value.strip_prefix('<').unwrap_or(value);
    let value = value.split('>').next().unwrap_or(value).trim();
    let usable = value.len() <= MAX_HEADER_TEXT
        && value.contains('@')
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<');
    usable.then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    #[test]
    fn message_ids_lose_their_brackets() {
        assert_eq!(
            clean_message_id(" <c36.fr@itu.example> ").as_deref(),
            Some("c36.fr@itu.example")
        );
        assert_eq!(
            clean_message_id("c36@itu.example").as_deref(),
            Some("c36@itu.example")
        );
        assert_eq!(clean_message_id("<no at sign>"), None);
        assert_eq!(clean_message_id(""), None);
    }

    #[test]
    fn folded_headers_are_unfolded() {
        let raw = b"X-Note: one\r\n two\r\n\tthree\r\nSubject: x\r\n\r\n";
        let message = MessageParser::default().parse(&raw[..]).unwrap();
        assert_eq!(
            text(root(&message), "x-note").as_deref(),
            Some("one two three")
        );
    }

    #[test]
    fn addresses_come_from_lists_and_plain_text_headers() {
        let raw = b"To: \"A\" <a@example.org>, b@example.org\r\nDelivered-To: bounce+t1@itu.example\r\nEnvelope-To: <c@example.org>\r\n\r\n";
        let message = MessageParser::default().parse(&raw[..]).unwrap();
        let headers = root(&message);
        assert_eq!(addresses(headers, "to"), ["a@example.org", "b@example.org"]);
        assert_eq!(
            addresses(headers, "delivered-to"),
            ["bounce+t1@itu.example"]
        );
        assert_eq!(addresses(headers, "envelope-to"), ["c@example.org"]);
    }
}
