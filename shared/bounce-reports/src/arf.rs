//! Feedback reports (ARF, RFC 5965): a recipient marked our mail as spam, abuse or fraud.

use crate::report::MAX_NAME;
use crate::returned::Returned;
use crate::{address, fields, text, Finding, Kind, Reason};

/// What a feedback report says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Feedback {
    /// One complaint per address.
    pub findings: Vec<Finding>,
    /// What the report means, with or without an address.
    pub kind: Kind,
}

/// Reads the text of a `message/feedback-report` part.
///
/// The complainer is the `Original-Rcpt-To` of the report, else the `To` of the returned
/// message: the recipient of our mail. The feedback type is kept as the reason.
pub(crate) fn read(part: &str, returned: &Returned) -> Feedback {
    let fields: Vec<fields::Field> = fields::groups(part).into_iter().flatten().collect();
    let feedback_type = fields::value(&fields, "feedback-type")
        .and_then(|value| value.split_whitespace().next())
        .and_then(|word| text::clip(&word.to_ascii_lowercase(), MAX_NAME));
    let kind = kind_of_feedback(feedback_type.as_deref());
    let mut recipients: Vec<String> = fields::values(&fields, "original-rcpt-to")
        .filter_map(address::bare)
        .collect();
    if recipients.is_empty() {
        recipients = returned.to.clone();
    }
    let findings = recipients
        .into_iter()
        .map(|recipient| Finding {
            recipient,
            final_recipient: None,
            kind,
            status: None,
            action: None,
            diagnostic: None,
            remote_mta: None,
            feedback_type: feedback_type.clone(),
            reason: Reason::Undefined,
        })
        .collect();
    Feedback { findings, kind }
}

/// Reads Microsoft's feedback loop (JMRP): no feedback-report part, the returned message
/// forwarded with an `X-HmXmrOriginalRecipient` header naming the recipient who complained.
pub(crate) fn read_forwarded(returned: &Returned) -> Option<Feedback> {
    let complainer = returned.complainer.clone()?;
    Some(Feedback {
        findings: vec![Finding {
            recipient: complainer,
            final_recipient: None,
            kind: Kind::Complaint,
            status: None,
            action: None,
            diagnostic: None,
            remote_mta: None,
            feedback_type: Some("abuse".to_owned()),
            reason: Reason::Undefined,
        }],
        kind: Kind::Complaint,
    })
}

/// `not-spam` (the recipient took our mail out of the spam folder) and `auth-failure` (a
/// report on SPF or DKIM, RFC 6591) are no complaints; every other type (abuse, fraud, virus,
/// other, or none given) is.
fn kind_of_feedback(feedback_type: Option<&str>) -> Kind {
    match feedback_type {
        Some("not-spam" | "auth-failure") => Kind::NotBounce,
        _ => Kind::Complaint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_original_rcpt_to_is_the_complainer() {
        let returned = Returned {
            to: vec!["someone-else@example.org".into()],
            ..Returned::default()
        };
        let feedback = read(
            "Feedback-Type: Abuse\r\nUser-Agent: Example-FBL/1.0\r\nVersion: 1\r\nOriginal-Rcpt-To: <reader@example.org>\r\n",
            &returned,
        );
        assert_eq!(feedback.kind, Kind::Complaint);
        assert_eq!(feedback.findings.len(), 1);
        assert_eq!(feedback.findings[0].recipient, "reader@example.org");
        assert_eq!(feedback.findings[0].feedback_type.as_deref(), Some("abuse"));
    }

    #[test]
    fn without_original_rcpt_to_the_returned_to_is_the_complainer() {
        let returned = Returned {
            to: vec!["reader@example.org".into()],
            ..Returned::default()
        };
        let feedback = read("Feedback-Type: fraud\nVersion: 1\n", &returned);
        assert_eq!(feedback.findings[0].recipient, "reader@example.org");
        assert_eq!(feedback.findings[0].kind, Kind::Complaint);
    }

    #[test]
    fn a_forwarded_message_naming_its_recipient_is_a_complaint() {
        let returned = Returned {
            to: vec!["list@example.org".into()],
            complainer: Some("reader@example.org".into()),
            ..Returned::default()
        };
        let feedback = read_forwarded(&returned).unwrap();
        assert_eq!(feedback.findings[0].recipient, "reader@example.org");
        assert_eq!(feedback.kind, Kind::Complaint);
        assert!(read_forwarded(&Returned::default()).is_none());
    }

    #[test]
    fn not_spam_is_no_complaint() {
        let feedback = read("Feedback-Type: not-spam\n", &Returned::default());
        assert!(feedback.findings.is_empty());
        assert_eq!(feedback.kind, Kind::NotBounce);
    }
}
