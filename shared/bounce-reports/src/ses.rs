//! Amazon SES notifications mailed by SNS: a JSON object, alone
//! (`{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[...]}}`)
//! or inside an SNS envelope's `"Message"` string, saying `Bounce`, `Complaint` or `Delivery`.

use crate::report::{MAX_DIAGNOSTIC, MAX_FINDINGS, MAX_NAME};
use crate::status::{kind_of, Action, Evidence, Hint, Status};
use crate::{address, headers, text, Finding, Kind, Reason};
use serde_json::Value;

/// What a notification says.
pub(crate) struct Notification {
    /// One finding per bounced or complaining recipient.
    pub findings: Vec<Finding>,
    /// What it says as a whole: a delivery is no bounce.
    pub kind: Kind,
    /// The Message-ID of our message, from the notification's `mail.commonHeaders`.
    pub message_id: Option<String>,
}

/// Reads the SES notification in `text`, if the text is one.
pub(crate) fn read(text: &str) -> Option<Notification> {
    if !text.contains("notificationType") {
        return None;
    }
    // Mail folds long lines with a line break and a space; the JSON had neither.
    let unfolded = text.replace("\r\n ", "").replace("\n ", "");
    let start = unfolded.find('{')?;
    let mut values = serde_json::Deserializer::from_str(&unfolded[start..]).into_iter::<Value>();
    let mut value = values.next()?.ok()?;
    if let Some(message) = value.get("Message").and_then(Value::as_str) {
        value = serde_json::from_str(message).ok()?;
    }
    let message_id = value
        .pointer("/mail/commonHeaders/messageId")
        .and_then(Value::as_str)
        .and_then(headers::clean_message_id);
    let findings = match value.get("notificationType")?.as_str()? {
        "Bounce" => bounces(value.get("bounce")?),
        "Complaint" => complaints(value.get("complaint")?),
        "Delivery" => {
            return Some(Notification {
                findings: Vec::new(),
                kind: Kind::NotBounce,
                message_id,
            })
        }
        _ => return None,
    };
    let kind = findings
        .iter()
        .fold(Kind::Unknown, |kind, finding| kind.worse(finding.kind));
    Some(Notification {
        findings,
        kind,
        message_id,
    })
}

/// The recipients of a `bounce` object, decided by their status, else by its `bounceType`.
fn bounces(bounce: &Value) -> Vec<Finding> {
    let hint = match bounce.get("bounceType").and_then(Value::as_str) {
        Some("Permanent") => Some(Hint::Permanent),
        Some("Transient") => Some(Hint::Temporary),
        _ => None,
    };
    recipients(bounce, "bouncedRecipients")
        .filter_map(|recipient| {
            let address = address::bare(recipient.get("emailAddress")?.as_str()?)?;
            let field = |name: &str| recipient.get(name).and_then(Value::as_str);
            let diagnostic = field("diagnosticCode").and_then(|d| text::clip(d, MAX_DIAGNOSTIC));
            let evidence = diagnostic
                .as_deref()
                .map(Evidence::read)
                .unwrap_or_default();
            let status = field("status")
                .and_then(|status| status.parse::<Status>().ok())
                .or_else(|| evidence.status());
            let action = field("action").and_then(|action| text::clip(action, MAX_NAME));
            let hint = hint.or(evidence.phrase.map(|phrase| phrase.hint));
            Some(Finding {
                recipient: address,
                final_recipient: None,
                kind: kind_of(
                    action.as_deref().and_then(Action::parse),
                    status,
                    evidence.reply_code,
                    hint,
                ),
                status: status.map(|status| status.to_string()),
                action,
                diagnostic,
                remote_mta: None,
                feedback_type: None,
                reason: Reason::Undefined,
            })
        })
        .collect()
}

/// The recipients of a `complaint` object, with its feedback type.
fn complaints(complaint: &Value) -> Vec<Finding> {
    let feedback_type = complaint
        .get("complaintFeedbackType")
        .and_then(Value::as_str)
        .and_then(|kind| text::clip(&kind.to_ascii_lowercase(), MAX_NAME));
    recipients(complaint, "complainedRecipients")
        .filter_map(|recipient| {
            Some(Finding {
                recipient: address::bare(recipient.get("emailAddress")?.as_str()?)?,
                final_recipient: None,
                kind: Kind::Complaint,
                status: None,
                action: None,
                diagnostic: None,
                remote_mta: None,
                feedback_type: feedback_type.clone(),
                reason: Reason::Undefined,
            })
        })
        .collect()
}

/// The objects of the array `name` of `object`, at most [`MAX_FINDINGS`].
fn recipients<'a>(object: &'a Value, name: &str) -> impl Iterator<Item = &'a Value> {
    object
        .get(name)
        .and_then(Value::as_array)
        .map(|array| array.iter().take(MAX_FINDINGS))
        .into_iter()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounce_folded_by_mail_gives_its_recipients() {
        let text = "{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\",\"bouncedRe\n cipients\":[{\"emailAddress\":\"gone@example.org\",\"action\":\"failed\",\"status\":\"5.1.1\",\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"}]}}\n\n--\nIf you wish to stop receiving notifications ...\n";
        let notification = read(text).unwrap();
        assert_eq!(notification.kind, Kind::Permanent);
        assert_eq!(notification.findings[0].recipient, "gone@example.org");
        assert_eq!(notification.findings[0].status.as_deref(), Some("5.1.1"));
    }

    #[test]
    fn an_sns_envelope_carries_a_complaint_or_a_delivery() {
        let complaint = r#"{ "Type" : "Notification", "Message" : "{\"notificationType\":\"Complaint\",\"complaint\":{\"complainedRecipients\":[{\"emailAddress\":\"reader@example.org\"}],\"complaintFeedbackType\":\"abuse\"}}" }"#;
        let notification = read(complaint).unwrap();
        assert_eq!(notification.findings[0].kind, Kind::Complaint);
        assert_eq!(
            notification.findings[0].feedback_type.as_deref(),
            Some("abuse")
        );
        let delivery = read(r#"{"notificationType":"Delivery","delivery":{}}"#).unwrap();
        assert_eq!(
            (delivery.kind, delivery.findings.len()),
            (Kind::NotBounce, 0)
        );
        assert!(read("Thank you {for} the circular").is_none());
    }
}
