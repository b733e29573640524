//! Deliveries: one circular to one recipient address, its key, its state and the SMTP server's reply.

use super::{BounceReason, CircularId, RecipientAddress};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The state of one delivery, with the wire names used in events, the database and status output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// In the frozen audience, job queued, not yet tried.
    Queued,
    /// Claimed by a dispatcher and handed to SMTP.
    Sending,
    /// Accepted by the relay ("250"); the reply carries its queue id.
    Sent,
    /// Refused for now (4xx, connection lost, timeout); will be tried again.
    Deferred,
    /// Refused for good (5xx, or retries exhausted).
    Failed,
    /// Not sent because the circular was cancelled.
    Cancelled,
    /// Accepted, then returned by a delivery status notification.
    Bounced,
    /// Delivered, then reported as spam by the recipient.
    Complained,
}

impl DeliveryState {
    /// All eight, in lifecycle order.
    pub const ALL: [DeliveryState; 8] = [
        DeliveryState::Queued,
        DeliveryState::Sending,
        DeliveryState::Sent,
        DeliveryState::Deferred,
        DeliveryState::Failed,
        DeliveryState::Cancelled,
        DeliveryState::Bounced,
        DeliveryState::Complained,
    ];

    /// The wire name (`queued`, `sent`, …).
    pub fn wire_name(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Deferred => "deferred",
            DeliveryState::Failed => "failed",
            DeliveryState::Cancelled => "cancelled",
            DeliveryState::Bounced => "bounced",
            DeliveryState::Complained => "complained",
        }
    }

    /// Whether nothing more will be tried for this delivery (a later bounce may still arrive).
    pub fn is_final(self) -> bool {
        !matches!(
            self,
            DeliveryState::Queued | DeliveryState::Sending | DeliveryState::Deferred
        )
    }

    /// Whether a delivery in this state with `reply` and bounce `reason` counts as a hard
    /// bounce (towards the directory's suppression rule): returned by a bounce report whose
    /// reason says the address is dead (unknown user or domain, moved, expired; a bounce
    /// recorded without a reason, from before reasons were kept, counts too), or refused for
    /// good by the relay with a 5xx reply whose reason says the same. A full mailbox, a block
    /// or refused content is not, whether it came back in a report or in the relay's reply,
    /// nor a delivery failed after running out of retries: its failures were temporary.
    pub fn is_hard_bounce(self, reply: Option<&SmtpReply>, reason: Option<BounceReason>) -> bool {
        match self {
            DeliveryState::Bounced => {}
            DeliveryState::Failed if reply.is_some_and(|r| (500..600).contains(&r.code)) => {}
            _ => return false,
        }
        reason.is_none_or(BounceReason::kills_address)
    }

    /// How far along the lifecycle the state is: a record never moves to a lower rank, so a
    /// late or replayed event cannot undo a later one.
    pub fn rank(self) -> u8 {
        match self {
            DeliveryState::Queued => 0,
            DeliveryState::Sending => 1,
            DeliveryState::Deferred => 2,
            DeliveryState::Sent | DeliveryState::Failed | DeliveryState::Cancelled => 3,
            DeliveryState::Bounced | DeliveryState::Complained => 4,
        }
    }
}

impl fmt::Display for DeliveryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

/// The text is not a delivery state's wire name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a delivery state")]
pub struct UnknownState(pub String);

impl FromStr for DeliveryState {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeliveryState::ALL
            .into_iter()
            .find(|st| st.wire_name() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

/// One entry of a delivery's history: a state reached, or a delay the recipient's server
/// reported after the relay had accepted the mail (the state stays `sent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryEvent {
    /// The delivery reached this state.
    Reached(DeliveryState),
    /// A delay warning (a temporary delivery status notification) came back.
    Delayed,
}

impl DeliveryEvent {
    /// The wire name: the state's, or `delayed`.
    pub fn wire_name(self) -> &'static str {
        match self {
            DeliveryEvent::Reached(state) => state.wire_name(),
            DeliveryEvent::Delayed => "delayed",
        }
    }
}

impl fmt::Display for DeliveryEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

impl FromStr for DeliveryEvent {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "delayed" {
            return Ok(DeliveryEvent::Delayed);
        }
        s.parse().map(DeliveryEvent::Reached)
    }
}

impl Serialize for DeliveryEvent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.wire_name())
    }
}

/// What an SMTP server answered, kept word for word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpReply {
    /// The three-digit reply code (250, 451, 550, …).
    pub code: u16,
    /// The RFC 3463 enhanced status code when the reply starts with one (`5.1.1`).
    pub enhanced: Option<String>,
    /// The reply text after the code (and after the enhanced code, when there is one).
    pub text: String,
}

impl SmtpReply {
    /// Builds a reply from its code and full text, splitting off an enhanced status code.
    pub fn new(code: u16, text: &str) -> SmtpReply {
        let text = text.trim();
        let (first, rest) = text.split_once(' ').unwrap_or((text, ""));
        let is_enhanced = {
            let parts: Vec<&str> = first.split('.').collect();
            parts.len() == 3
                && matches!(parts[0], "2" | "4" | "5")
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()))
        };
        if is_enhanced {
            SmtpReply {
                code,
                enhanced: Some(first.to_owned()),
                text: rest.trim().to_owned(),
            }
        } else {
            SmtpReply {
                code,
                enhanced: None,
                text: text.to_owned(),
            }
        }
    }
}

impl fmt::Display for SmtpReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.enhanced {
            Some(e) => write!(f, "{} {} {}", self.code, e, self.text),
            None => write!(f, "{} {}", self.code, self.text),
        }
    }
}

/// Where one delivery stands: its latest state, the attempt that reached it, and the server's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The recipient.
    pub address: RecipientAddress,
    /// The current state.
    pub state: DeliveryState,
    /// The attempt that reached it.
    pub attempt: u32,
    /// The SMTP reply, when there was one.
    pub reply: Option<SmtpReply>,
    /// What went wrong when no server replied.
    pub detail: Option<String>,
    /// When the state was reached.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Attempts whose reply was lost after the whole message was sent: a `sent` delivery with
    /// a count here is unconfirmed (the relay may have stored the mail that many times).
    pub unconfirmed: u32,
    /// On a `bounced` delivery: why the returned mail says it failed.
    pub bounce_reason: Option<BounceReason>,
}

/// What makes a delivery unique: one circular to one normalised address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeliveryKey {
    /// The circular.
    pub circular: CircularId,
    /// The recipient, normalised.
    pub address: RecipientAddress,
}

impl DeliveryKey {
    /// The key of `circular` to `address`.
    pub fn new(circular: CircularId, address: RecipientAddress) -> Self {
        DeliveryKey { circular, address }
    }

    /// `<circular>:<address>`: the `Nats-Msg-Id` of the job's first attempt.
    pub fn job_msg_id(&self) -> String {
        format!("{}:{}", self.circular, self.address)
    }

    /// `<circular>:<address>:<n>`: the `Nats-Msg-Id` of the job queued again for attempt `n`.
    pub fn retry_msg_id(&self, attempt: u32) -> String {
        format!("{}:{}:{attempt}", self.circular, self.address)
    }

    /// `<circular>:<address>:<state>:<attempt>`: the `Nats-Msg-Id` of an outcome event.
    pub fn outcome_msg_id(&self, state: DeliveryState, attempt: u32) -> String {
        format!("{}:{}:{state}:{attempt}", self.circular, self.address)
    }

    /// The key in the claims bucket: `<circular>.<hex of the address>`, since key-value keys
    /// allow only `[-/_=.A-Za-z0-9]` and addresses may hold other characters. Two lower-case
    /// hex digits per byte, written without a `format!` per byte.
    pub fn claim_key(&self) -> String {
        let mut key = String::with_capacity(
            self.circular.as_str().len() + 1 + 2 * self.address.as_str().len(),
        );
        key.push_str(self.circular.as_str());
        key.push('.');
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for b in self.address.as_str().bytes() {
            key.push(char::from(HEX[usize::from(b >> 4)]));
            key.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        key
    }
}

impl fmt::Display for DeliveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.circular, self.address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DeliveryKey {
        DeliveryKey::new(
            "TSB-36".parse().unwrap(),
            RecipientAddress::parse("o'brien+tsb@Example.org").unwrap(),
        )
    }

    #[test]
    fn wire_names_are_the_eight_of_the_design() {
        let names: Vec<_> = DeliveryState::ALL.iter().map(|s| s.wire_name()).collect();
        assert_eq!(
            names,
            [
                "queued",
                "sending",
                "sent",
                "deferred",
                "failed",
                "cancelled",
                "bounced",
                "complained"
            ]
        );
        for s in DeliveryState::ALL {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
            assert_eq!(s.wire_name().parse::<DeliveryState>(), Ok(s));
        }
    }

    #[test]
    fn message_ids_follow_the_design() {
        let k = key();
        assert_eq!(k.job_msg_id(), "TSB-36:o'brien+tsb@example.org");
        assert_eq!(k.retry_msg_id(2), "TSB-36:o'brien+tsb@example.org:2");
        assert_eq!(
            k.outcome_msg_id(DeliveryState::Sent, 1),
            "TSB-36:o'brien+tsb@example.org:sent:1"
        );
    }

    #[test]
    fn claim_keys_use_only_characters_key_value_buckets_allow() {
        let claim = key().claim_key();
        assert!(claim.starts_with("TSB-36."));
        assert!(
            claim
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-/_=.".contains(c)),
            "{claim}"
        );
        let hex: String = key()
            .address
            .as_str()
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(claim, format!("TSB-36.{hex}"), "two hex digits a byte");
    }

    #[test]
    fn replies_keep_code_enhanced_code_and_text() {
        let r = SmtpReply::new(
            550,
            "5.1.1 <x@example.org>: Recipient address rejected: User unknown",
        );
        assert_eq!(r.enhanced.as_deref(), Some("5.1.1"));
        assert_eq!(
            r.text,
            "<x@example.org>: Recipient address rejected: User unknown"
        );
        assert_eq!(
            r.to_string(),
            "550 5.1.1 <x@example.org>: Recipient address rejected: User unknown"
        );
        let plain = SmtpReply::new(250, "Ok: queued as ABC");
        assert_eq!(plain.enhanced, None);
        assert_eq!(plain.text, "Ok: queued as ABC");
    }

    #[test]
    fn later_states_outrank_earlier_ones() {
        assert!(DeliveryState::Sent.rank() > DeliveryState::Deferred.rank());
        assert!(DeliveryState::Bounced.rank() > DeliveryState::Sent.rank());
        assert!(!DeliveryState::Deferred.is_final());
        assert!(DeliveryState::Failed.is_final());
    }

    #[test]
    fn hard_bounces_are_bounces_and_permanent_refusals() {
        let refused = SmtpReply::new(550, "5.1.1 no such user");
        let greylisted = SmtpReply::new(451, "4.7.1 try later");
        assert!(DeliveryState::Bounced.is_hard_bounce(None, None));
        assert!(DeliveryState::Bounced.is_hard_bounce(None, Some(BounceReason::UserUnknown)));
        assert!(DeliveryState::Bounced.is_hard_bounce(None, Some(BounceReason::Expired)));
        assert!(!DeliveryState::Bounced.is_hard_bounce(None, Some(BounceReason::MailboxFull)));
        assert!(!DeliveryState::Bounced.is_hard_bounce(None, Some(BounceReason::Blocked)));
        assert!(DeliveryState::Failed.is_hard_bounce(Some(&refused), None));
        let unknown = Some(BounceReason::UserUnknown);
        assert!(DeliveryState::Failed.is_hard_bounce(Some(&refused), unknown));
        let full = SmtpReply::new(552, "5.2.2 mailbox full");
        let full_reason = Some(BounceReason::MailboxFull);
        assert!(!DeliveryState::Failed.is_hard_bounce(Some(&full), full_reason));
        assert!(!DeliveryState::Failed.is_hard_bounce(Some(&greylisted), None));
        assert!(!DeliveryState::Failed.is_hard_bounce(None, None));
        assert!(!DeliveryState::Deferred.is_hard_bounce(Some(&refused), None));
        assert!(!DeliveryState::Sent.is_hard_bounce(None, None));
    }
}
