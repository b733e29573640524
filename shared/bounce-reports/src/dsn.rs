//! Delivery status notifications (RFC 3464, and RFC 6533's `message/global-delivery-status`):
//! one finding per recipient group of the delivery-status part.

use crate::fields::Field;
use crate::report::{MAX_DIAGNOSTIC, MAX_FINDINGS, MAX_NAME};
use crate::status::{kind_of, Action, Evidence, Status};
use crate::{address, fields, headers, text, Finding, Kind, Reason};

/// Fields some MTAs use to name the original message in the per-message group.
const ORIGINAL_MESSAGE_ID_FIELDS: &[&str] = &["x-original-message-id", "original-message-id"];

/// What a delivery-status part says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delivery {
    /// One finding per recipient group that names an address.
    pub findings: Vec<Finding>,
    /// What the groups that name no address say (`Unknown` when there are none).
    pub unattributed: Kind,
    /// The original Message-ID, when a per-message field gives it.
    pub message_id: Option<String>,
}

/// Reads the text of a `message/delivery-status` part.
///
/// A group is a recipient's when it has a recipient, an `Action` or a `Status` field; the
/// finding's address is the `Original-Recipient` when given (the address we sent to), else the
/// `Final-Recipient`. A group naming no address is attributed to nobody.
pub(crate) fn read(part: &str) -> Delivery {
    let mut delivery = Delivery {
        findings: Vec::new(),
        unattributed: Kind::Unknown,
        message_id: None,
    };
    for group in fields::groups(part).into_iter().flat_map(per_recipient) {
        if delivery.message_id.is_none() {
            delivery.message_id = ORIGINAL_MESSAGE_ID_FIELDS
                .iter()
                .find_map(|name| fields::value(&group, name).and_then(headers::clean_message_id));
        }
        let final_recipient = fields::value(&group, "final-recipient").and_then(address::bare);
        let original_recipient =
            fields::value(&group, "original-recipient").and_then(address::bare);
        let action_field = fields::value(&group, "action");
        let status_field = fields::value(&group, "status");
        let is_recipient_group = final_recipient.is_some()
            || original_recipient.is_some()
            || action_field.is_some()
            || status_field.is_some();
        if !is_recipient_group {
            continue;
        }

        let action = action_field
            .and_then(|value| value.split_whitespace().next())
            .and_then(|word| text::clip(&word.to_ascii_lowercase(), MAX_NAME));
        let diagnostic = fields::value(&group, "diagnostic-code")
            .and_then(|value| text::clip(value, MAX_DIAGNOSTIC));
        let evidence = diagnostic
            .as_deref()
            .map(Evidence::read)
            .unwrap_or_default();
        let status = status_field
            .and_then(|value| value.split_whitespace().next())
            .and_then(|word| word.parse::<Status>().ok())
            .or_else(|| evidence.status());
        let kind = kind_of(
            action.as_deref().and_then(Action::parse),
            status,
            evidence.reply_code,
            evidence.phrase.map(|phrase| phrase.hint),
        );

        let Some(recipient) = original_recipient.or_else(|| final_recipient.clone()) else {
            delivery.unattributed = delivery.unattributed.worse(kind);
            continue;
        };
        delivery.findings.push(Finding {
            recipient,
            final_recipient,
            kind,
            status: status.map(|status| status.to_string()),
            action,
            diagnostic,
            remote_mta: fields::value(&group, "remote-mta").and_then(remote_mta),
            feedback_type: None,
            reason: Reason::Undefined,
        });
        if delivery.findings.len() >= MAX_FINDINGS {
            break;
        }
    }
    delivery
}

/// Splits a group where a recipient field comes again: some MTAs (AOL's) write the recipient
/// groups without the blank line between them.
fn per_recipient(group: Vec<Field>) -> Vec<Vec<Field>> {
    let mut split: Vec<Vec<Field>> = vec![Vec::new()];
    for field in group {
        let is_recipient = matches!(
            field.name.as_str(),
            "final-recipient" | "original-recipient"
        );
        if let Some(current) = split.last_mut() {
            if is_recipient && current.iter().any(|seen| seen.name == field.name) {
                split.push(vec![field]);
                continue;
            }
            current.push(field);
        }
    }
    split
}

/// Reads the fields of a delivery-status part written into a text, from the first line that
/// starts with `Final-Recipient:` or `Original-Recipient:` on; `None` when no line does.
pub(crate) fn read_inline(text: &str) -> Option<Delivery> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let lower = line.trim_start().to_ascii_lowercase();
        if lower.starts_with("final-recipient:") || lower.starts_with("original-recipient:") {
            return Some(read(&text[at..]));
        }
        at += line.len();
    }
    None
}

/// `dns; mx.example.org` gives `mx.example.org`; a comment after the name (Gmail writes
/// `dns; mx.example.org. (192.0.2.50, the server for the domain example.org.)`) is dropped.
fn remote_mta(value: &str) -> Option<String> {
    let name = value.split_once(';').map_or(value, |(_, name)| name);
    let name = name.split_whitespace().next()?.trim_end_matches('.');
    text::clip(name, MAX_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_FAILED: &str = "Reporting-MTA: dns; mail.itu.example\r\n\
        X-Original-Message-ID: <c36.en.1@itu.example>\r\n\
        \r\n\
        Final-Recipient: rfc822; gone@example.org\r\n\
        Original-Recipient: rfc822;Alias@Example.org\r\n\
        Action: Failed\r\n\
        Status: 5.1.1\r\n\
        Remote-MTA: dns; mx.example.org. (192.0.2.10, the server for example.org.)\r\n\
        Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>:\r\n    Recipient address rejected: User unknown\r\n";

    #[test]
    fn a_recipient_group_gives_a_finding_under_its_original_recipient() {
        let delivery = read(ONE_FAILED);
        assert_eq!(
            delivery.findings,
            [Finding {
                recipient: "Alias@Example.org".into(),
                final_recipient: Some("gone@example.org".into()),
                kind: Kind::Permanent,
                status: Some("5.1.1".into()),
                action: Some("failed".into()),
                diagnostic: Some(
                    "smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown"
                        .into()
                ),
                remote_mta: Some("mx.example.org".into()),
                feedback_type: None,
                reason: Reason::Undefined,
            }]
        );
        assert_eq!(delivery.message_id.as_deref(), Some("c36.en.1@itu.example"));
    }

    #[test]
    fn fields_pasted_into_a_text_are_read_from_the_first_recipient_on() {
        let text = "The following addresses had permanent fatal errors\n<gone@example.org>\n\n\
                    Reporting-MTA: dns; mx.example.org\n\n\
                    Final-Recipient: RFC822; <gone@example.org>\nAction: failed\nStatus: 5.5.0\n";
        let delivery = read_inline(text).unwrap();
        assert_eq!(delivery.findings[0].recipient, "gone@example.org");
        assert_eq!(delivery.findings[0].kind, Kind::Permanent);
        assert_eq!(read_inline("Dear reader,\nfinal recipient: you\n"), None);
    }

    #[test]
    fn recipient_groups_without_a_blank_line_between_them_are_two() {
        let delivery = read(
            "Reporting-MTA: dns; mx\nFinal-Recipient: rfc822; full@example.org\n\
             Original-Recipient: rfc822;full@example.org\nAction: failed\nStatus: 5.2.2\n\
             Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 4.1.1\n",
        );
        let found: Vec<_> = delivery
            .findings
            .iter()
            .map(|f| (f.recipient.as_str(), f.status.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                ("full@example.org", Some("5.2.2")),
                ("gone@example.org", Some("4.1.1"))
            ]
        );
    }

    #[test]
    fn a_group_naming_no_address_is_attributed_to_nobody() {
        let delivery = read("Reporting-MTA: dns; mx\n\nAction: failed\nStatus: 5.0.0\n");
        assert!(delivery.findings.is_empty());
        assert_eq!(delivery.unattributed, Kind::Permanent);
    }

    #[test]
    fn the_status_comes_from_the_diagnostic_when_the_field_is_damaged() {
        let delivery = read("Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1\nDiagnostic-Code: smtp; 452 4.2.2 full\n");
        assert_eq!(delivery.findings[0].status.as_deref(), Some("4.2.2"));
        assert_eq!(delivery.findings[0].kind, Kind::Temporary);
    }
}
