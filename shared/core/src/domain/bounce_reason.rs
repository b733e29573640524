//! Why returned mail says a delivery failed: the reasons the bounce parser decides
//! (`circulars_bounce_reports::Reason`), as the contracts and the records carry them. This
//! crate depends on no parser, so the set is written here too; the returned-mail crate maps one
//! onto the other and a test there keeps the two equal.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why mail to an address failed, as returned mail says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BounceReason {
    /// The mailbox does not exist.
    UserUnknown,
    /// The mailbox is full.
    MailboxFull,
    /// The domain does not exist or accepts no mail.
    HostUnknown,
    /// The mailbox moved, with no forwarding address.
    HasMoved,
    /// Delivery was given up after retrying for too long.
    Expired,
    /// The mailbox is disabled or suspended for now.
    Suspended,
    /// Our server or address was refused (block lists, reputation, rate limits, our sender).
    Blocked,
    /// The content was refused (spam, a virus, a content filter).
    ContentRejected,
    /// A policy refused it (SPF, DKIM, DMARC, TLS, authentication, site rules).
    Policy,
    /// The message was too big.
    MessageTooBig,
    /// A network or system error at the far end.
    SystemError,
    /// The recipient complained.
    Complaint,
    /// Some other reason.
    Other,
    /// The report does not say why.
    Undefined,
}

/// A word that is not a bounce reason's wire name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a bounce reason (user_unknown, mailbox_full, host_unknown, …)")]
pub struct UnknownBounceReason(String);

impl BounceReason {
    /// Every reason, in the order of the type.
    pub const ALL: [BounceReason; 14] = [
        BounceReason::UserUnknown,
        BounceReason::MailboxFull,
        BounceReason::HostUnknown,
        BounceReason::HasMoved,
        BounceReason::Expired,
        BounceReason::Suspended,
        BounceReason::Blocked,
        BounceReason::ContentRejected,
        BounceReason::Policy,
        BounceReason::MessageTooBig,
        BounceReason::SystemError,
        BounceReason::Complaint,
        BounceReason::Other,
        BounceReason::Undefined,
    ];

    /// The wire name (`user_unknown`), as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            BounceReason::UserUnknown => "user_unknown",
            BounceReason::MailboxFull => "mailbox_full",
            BounceReason::HostUnknown => "host_unknown",
            BounceReason::HasMoved => "has_moved",
            BounceReason::Expired => "expired",
            BounceReason::Suspended => "suspended",
            BounceReason::Blocked => "blocked",
            BounceReason::ContentRejected => "content_rejected",
            BounceReason::Policy => "policy",
            BounceReason::MessageTooBig => "message_too_big",
            BounceReason::SystemError => "system_error",
            BounceReason::Complaint => "complaint",
            BounceReason::Other => "other",
            BounceReason::Undefined => "undefined",
        }
    }

    /// Whether the reason says the address itself is dead (unknown user or domain, moved, given
    /// up on after retrying): the only bounces the hard-bounce rule counts.
    pub fn kills_address(self) -> bool {
        matches!(
            self,
            BounceReason::UserUnknown
                | BounceReason::HostUnknown
                | BounceReason::HasMoved
                | BounceReason::Expired
        )
    }
}

impl fmt::Display for BounceReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BounceReason {
    type Err = UnknownBounceReason;

    fn from_str(word: &str) -> Result<Self, Self::Err> {
        BounceReason::ALL
            .into_iter()
            .find(|reason| reason.as_str() == word)
            .ok_or_else(|| UnknownBounceReason(word.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_read_back_and_unknown_words_are_named() {
        for reason in BounceReason::ALL {
            assert_eq!(reason.as_str().parse::<BounceReason>().unwrap(), reason);
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                serde_json::Value::from(reason.as_str())
            );
        }
        let err = "mailboxfull".parse::<BounceReason>().unwrap_err();
        assert!(err.to_string().contains("'mailboxfull'"), "{err}");
    }

    #[test]
    fn only_a_dead_address_is_killed() {
        let killing: Vec<BounceReason> = BounceReason::ALL
            .into_iter()
            .filter(|r| r.kills_address())
            .collect();
        assert_eq!(
            killing,
            [
                BounceReason::UserUnknown,
                BounceReason::HostUnknown,
                BounceReason::HasMoved,
                BounceReason::Expired
            ]
        );
    }
}
