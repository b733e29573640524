//! Why an address failed: [`Reason`], a small fixed set modelled on Sisimai's reasons, and
//! [`reason_of`], the one place that decides it from a finding's kind, DSN action, RFC 3463
//! status and diagnostic words. An SMTP reply code counts through the status: a finding that
//! gives only a reply code carries the status derived from it (`550` gives `5.0.0`).
//!
//! The order follows Sisimai's: a status that names one cause settles it (`5.2.2`: the mailbox
//! is full); a general one (`5.1.1`, `5.7.1`, `4.4.7`) leaves the words to name a narrower
//! cause first ("550 5.1.1 ... blacklisted" is a block), and decides only when no words do.
//! Words too general to trust before a status ("rejected") come last.

use crate::status::Status;
use crate::Kind;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why mail to an address failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The mailbox does not exist.
    UserUnknown,
    /// The mailbox is full (over quota).
    MailboxFull,
    /// The domain does not exist or accepts no mail (no MX, null MX).
    HostUnknown,
    /// The mailbox moved, with no forwarding address.
    HasMoved,
    /// Delivery was given up after retrying for too long.
    Expired,
    /// The mailbox is disabled or suspended for now.
    Suspended,
    /// Our server or address was refused: block lists, reputation, reverse DNS, relaying
    /// denied, rate limits, a rejected sender.
    Blocked,
    /// The content was refused: spam, a virus, a content filter.
    ContentRejected,
    /// A policy refused it: SPF, DKIM, DMARC, TLS, authentication, or the site's own rules.
    Policy,
    /// The message was too big.
    MessageTooBig,
    /// A network or system error at the far end.
    SystemError,
    /// The recipient complained (a feedback report).
    Complaint,
    /// Some other reason the words name (a protocol error, mail held).
    Other,
    /// The report says nothing that tells why.
    Undefined,
}

/// A text that is not a reason's wire name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a bounce reason (user_unknown, mailbox_full, host_unknown, …)")]
pub struct ReasonError(String);

impl Reason {
    /// Every reason, in the order of the type.
    pub const ALL: [Reason; 14] = [
        Reason::UserUnknown,
        Reason::MailboxFull,
        Reason::HostUnknown,
        Reason::HasMoved,
        Reason::Expired,
        Reason::Suspended,
        Reason::Blocked,
        Reason::ContentRejected,
        Reason::Policy,
        Reason::MessageTooBig,
        Reason::SystemError,
        Reason::Complaint,
        Reason::Other,
        Reason::Undefined,
    ];

    /// The wire name (`user_unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::UserUnknown => "user_unknown",
            Reason::MailboxFull => "mailbox_full",
            Reason::HostUnknown => "host_unknown",
            Reason::HasMoved => "has_moved",
            Reason::Expired => "expired",
            Reason::Suspended => "suspended",
            Reason::Blocked => "blocked",
            Reason::ContentRejected => "content_rejected",
            Reason::Policy => "policy",
            Reason::MessageTooBig => "message_too_big",
            Reason::SystemError => "system_error",
            Reason::Complaint => "complaint",
            Reason::Other => "other",
            Reason::Undefined => "undefined",
        }
    }

    /// Whether the reason says the address itself is dead (unknown user or domain, moved, or
    /// given up on after retrying): the only reasons a hard-bounce rule may count. A full
    /// mailbox, a block or a refused content says nothing against the address.
    pub fn kills_address(self) -> bool {
        matches!(
            self,
            Reason::UserUnknown | Reason::HostUnknown | Reason::HasMoved | Reason::Expired
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Reason {
    type Err = ReasonError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Reason::ALL
            .into_iter()
            .find(|reason| reason.as_str() == text)
            .ok_or_else(|| ReasonError(text.to_owned()))
    }
}

/// What a status says, as (class, subject, detail) with 0 for "any class": the reason, and
/// whether it settles the matter (`true`) or leaves the words to name a narrower cause first
/// (the general ones: a mailbox unknown, a security refusal, a system error).
const STATUSES: &[((u8, u16, u16), Reason, bool)] = &[
    ((0, 1, 0), Reason::UserUnknown, false),
    ((0, 1, 1), Reason::UserUnknown, false),
    ((0, 1, 2), Reason::HostUnknown, false),
    ((0, 1, 3), Reason::UserUnknown, false),
    ((0, 1, 4), Reason::ContentRejected, true),
    ((0, 1, 6), Reason::HasMoved, true),
    ((0, 1, 7), Reason::Blocked, true),
    ((0, 1, 8), Reason::Blocked, true),
    ((0, 1, 9), Reason::SystemError, false),
    // A null MX (RFC 7505), but some providers send it for an unknown mailbox too.
    ((0, 1, 10), Reason::HostUnknown, false),
    // A mailbox refusing mail that its owner's filter or state stops (x.2.0, x.2.1).
    ((5, 2, 0), Reason::ContentRejected, false),
    ((5, 2, 1), Reason::ContentRejected, false),
    ((0, 2, 2), Reason::MailboxFull, true),
    ((0, 2, 3), Reason::MessageTooBig, true),
    ((5, 2, 4), Reason::ContentRejected, true),
    ((0, 3, 0), Reason::SystemError, false),
    ((0, 3, 1), Reason::SystemError, true),
    ((5, 3, 2), Reason::HostUnknown, true),
    ((0, 3, 3), Reason::SystemError, false),
    ((0, 3, 4), Reason::MessageTooBig, true),
    ((0, 3, 5), Reason::SystemError, false),
    ((0, 4, 0), Reason::SystemError, false),
    ((0, 4, 1), Reason::SystemError, false),
    ((0, 4, 2), Reason::SystemError, false),
    ((0, 4, 3), Reason::SystemError, false),
    ((5, 4, 4), Reason::HostUnknown, false),
    ((4, 4, 4), Reason::SystemError, false),
    ((0, 4, 5), Reason::SystemError, true),
    ((0, 4, 6), Reason::SystemError, false),
    ((0, 4, 7), Reason::Expired, false),
    ((0, 5, 3), Reason::Blocked, true),
    ((0, 5, 4), Reason::SystemError, false),
    ((0, 5, 5), Reason::SystemError, false),
    ((0, 6, 0), Reason::ContentRejected, true),
    ((0, 6, 1), Reason::ContentRejected, true),
    ((0, 6, 2), Reason::ContentRejected, true),
    ((0, 6, 3), Reason::ContentRejected, true),
    ((0, 6, 5), Reason::ContentRejected, true),
    ((0, 6, 6), Reason::ContentRejected, true),
    ((5, 7, 0), Reason::Policy, false),
    ((5, 7, 1), Reason::Policy, false),
    ((4, 7, 1), Reason::Blocked, false),
    ((0, 7, 2), Reason::Blocked, false),
    ((0, 7, 13), Reason::Suspended, true),
    ((0, 7, 16), Reason::MessageTooBig, true),
    ((0, 7, 17), Reason::HasMoved, true),
    ((0, 7, 18), Reason::HasMoved, true),
    ((0, 7, 20), Reason::Policy, true),
    ((0, 7, 21), Reason::Policy, true),
    ((0, 7, 22), Reason::Policy, true),
    ((0, 7, 23), Reason::Policy, true),
    ((0, 7, 24), Reason::Policy, true),
    ((0, 7, 25), Reason::Blocked, true),
    ((0, 7, 26), Reason::Policy, true),
    ((0, 7, 27), Reason::HostUnknown, true),
];

/// The reason a status gives, and whether it settles the matter; other statuses of the
/// content subject (x.6.x) are content refusals, of the security subject (x.7.x) policy
/// refusals the words may narrow.
fn by_status(status: Status) -> Option<(Reason, bool)> {
    let key = (status.subject(), status.detail());
    STATUSES
        .iter()
        .find(|((class, subject, detail), _, _)| {
            (*class == 0 || *class == status.class()) && (*subject, *detail) == key
        })
        .map(|&(_, reason, settles)| (reason, settles))
        .or_else(|| match status.subject() {
            6 => Some((Reason::ContentRejected, true)),
            7 => Some((Reason::Policy, false)),
            _ => None,
        })
}

/// The words that decide when no status settles it, lowercase, in order: the first found
/// decides, so narrower causes come before the broad words that often accompany them.
const WORDS: &[(&str, Reason)] = &[
    // The local delivery program failed (a mailer error), whatever it printed.
    ("x-unix;", Reason::SystemError),
    // The mailbox is full.
    ("mailbox full", Reason::MailboxFull),
    ("mailbox is full", Reason::MailboxFull),
    ("over quota", Reason::MailboxFull),
    ("quota exceeded", Reason::MailboxFull),
    ("exceeded storage", Reason::MailboxFull),
    ("insufficient storage", Reason::MailboxFull),
    ("mailbox size limit", Reason::MailboxFull),
    // Too big.
    ("message too large", Reason::MessageTooBig),
    ("message too big", Reason::MessageTooBig),
    ("message size exceeds", Reason::MessageTooBig),
    ("exceeds size limit", Reason::MessageTooBig),
    ("line limit exceeded", Reason::MessageTooBig),
    // The mailbox is disabled or locked.
    ("suspended", Reason::Suspended),
    ("account is disabled", Reason::Suspended),
    ("account has been disabled", Reason::Suspended),
    ("is disabled", Reason::Suspended),
    ("mailbox disabled", Reason::Suspended),
    ("disabled recipient", Reason::Suspended),
    ("account is locked", Reason::Suspended),
    ("temporary locked", Reason::Suspended),
    ("mailbox is frozen", Reason::Suspended),
    ("account is blocked", Reason::Suspended),
    ("inactive", Reason::Suspended),
    // Our sender refused.
    ("sender address rejected", Reason::Blocked),
    ("domain of sender address", Reason::Blocked),
    ("unroutable sender", Reason::Blocked),
    ("sender rejected", Reason::Blocked),
    ("after mail from", Reason::Blocked),
    ("sender was rejected", Reason::Blocked),
    ("my name was rejected", Reason::Blocked),
    ("purported responsible address", Reason::Blocked),
    // The mailbox.
    ("user unknown", Reason::UserUnknown),
    ("unknown user", Reason::UserUnknown),
    ("no such user", Reason::UserUnknown),
    ("user not found", Reason::UserUnknown),
    ("user not exist", Reason::UserUnknown),
    ("no such recipient", Reason::UserUnknown),
    ("no such mailbox", Reason::UserUnknown),
    ("unknown recipient", Reason::UserUnknown),
    ("invalid recipient", Reason::UserUnknown),
    ("invalid mailbox", Reason::UserUnknown),
    ("recipient not found", Reason::UserUnknown),
    ("recipientnotfound", Reason::UserUnknown),
    ("recipnotfound", Reason::UserUnknown),
    ("recipient address rejected", Reason::UserUnknown),
    ("address rejected", Reason::UserUnknown),
    ("no mailbox here by that name", Reason::UserUnknown),
    ("mailbox not found", Reason::UserUnknown),
    ("mailbox unavailable", Reason::UserUnknown),
    ("mailbox does not exist", Reason::UserUnknown),
    ("address not found", Reason::UserUnknown),
    (
        "account that you tried to reach does not exist",
        Reason::UserUnknown,
    ),
    ("not listed in domino directory", Reason::UserUnknown),
    ("not listed in the domino directory", Reason::UserUnknown),
    ("this user doesn't have a", Reason::UserUnknown),
    // Filtered by the recipient's side.
    ("message filtered", Reason::ContentRejected),
    (
        "refused due to recipient preferences",
        Reason::ContentRejected,
    ),
    // The domain.
    ("doesn't receive email", Reason::HostUnknown),
    ("no mx record", Reason::HostUnknown),
    ("dns error", Reason::SystemError),
    ("host or domain name not found", Reason::HostUnknown),
    ("domain not found", Reason::HostUnknown),
    ("no such domain", Reason::HostUnknown),
    ("invalid domain", Reason::HostUnknown),
    ("unrouteable address", Reason::HostUnknown),
    ("unroutable address", Reason::HostUnknown),
    ("host unknown", Reason::HostUnknown),
    ("unknown host", Reason::HostUnknown),
    ("domain is not reachable", Reason::HostUnknown),
    ("couldn't find a mail exchanger", Reason::HostUnknown),
    ("no smtp service", Reason::HostUnknown),
    ("does not accept mail", Reason::HostUnknown),
    // Our server refused, by name: block lists and reputation, whatever else the text says.
    ("spamhaus", Reason::Blocked),
    ("blocked using", Reason::Blocked),
    ("dnsbl", Reason::Blocked),
    ("client host blocked", Reason::Blocked),
    ("reputation", Reason::Blocked),
    ("dns ptr", Reason::Blocked),
    ("ptr record", Reason::Blocked),
    ("ip name lookup failed", Reason::Blocked),
    ("unexpected volume", Reason::Blocked),
    ("spam classification", Reason::ContentRejected),
    // Authentication and site policy.
    ("spf", Reason::Policy),
    ("dkim", Reason::Policy),
    ("dmarc", Reason::Policy),
    ("unauthenticated", Reason::Policy),
    ("authentication", Reason::Policy),
    ("starttls", Reason::Policy),
    ("tls required", Reason::Policy),
    ("header error", Reason::Policy),
    ("multiple addresses in from", Reason::Policy),
    ("protocol violation", Reason::Policy),
    ("policy", Reason::Policy),
    // Content.
    ("virus", Reason::ContentRejected),
    ("malware", Reason::ContentRejected),
    ("spam", Reason::ContentRejected),
    ("content filter", Reason::ContentRejected),
    ("message content", Reason::ContentRejected),
    ("rejected by filter", Reason::ContentRejected),
    ("duplicate header", Reason::ContentRejected),
    // Our server refused.
    ("too many recipients", Reason::Blocked),
    ("too many connections", Reason::Blocked),
    ("rate limit", Reason::Blocked),
    ("receiving mail at a rate", Reason::Blocked),
    ("relay quota", Reason::Blocked),
    ("blacklist", Reason::Blocked),
    ("blocklist", Reason::Blocked),
    ("block list", Reason::Blocked),
    ("banned sending ip", Reason::Blocked),
    ("rdns", Reason::Blocked),
    ("reverse dns", Reason::Blocked),
    ("unverifyable sending ip", Reason::Blocked),
    ("mismatches client ip", Reason::Blocked),
    ("may not be mail exchanger", Reason::Blocked),
    ("not configured to relay", Reason::Blocked),
    ("relay access denied", Reason::Blocked),
    ("relaying denied", Reason::Blocked),
    ("relay not permitted", Reason::Blocked),
    ("not permitted to relay", Reason::Blocked),
    ("address is not verified", Reason::Blocked),
    ("my name was rejected", Reason::Blocked),
    ("not accepting connections", Reason::Blocked),
    // The far end.
    ("message expired", Reason::Expired),
    ("timed out", Reason::Expired),
    ("name service error", Reason::SystemError),
    ("dns query failed", Reason::SystemError),
    ("unable to contact", Reason::SystemError),
    ("able to establish an smtp connection", Reason::SystemError),
    ("connection refused", Reason::SystemError),
    ("no route to host", Reason::SystemError),
    ("insufficient disk space", Reason::SystemError),
    ("loop", Reason::SystemError),
    ("too many hops", Reason::SystemError),
    ("system error", Reason::SystemError),
    ("internal error", Reason::SystemError),
    ("local error", Reason::SystemError),
    ("transaction failed", Reason::SystemError),
    ("service currently unavailable", Reason::SystemError),
    ("service unavailable", Reason::SystemError),
    ("procmail", Reason::SystemError),
    ("x-unix", Reason::SystemError),
    // Given up after retrying.
    ("retry timeout exceeded", Reason::Expired),
    ("delivery time expired", Reason::Expired),
    ("has expired", Reason::Expired),
    ("in the queue too long", Reason::Expired),
    ("failing for a long time", Reason::Expired),
    ("could not be delivered for", Reason::Expired),
    ("after multiple retries", Reason::Expired),
];

/// Words too general to decide before a status does (`rejected`, "does not exist"): read only
/// when the status names nothing.
const GENERAL_WORDS: &[(&str, Reason)] = &[
    ("does not exist", Reason::UserUnknown),
    ("doesn't exist", Reason::UserUnknown),
    ("couldn't be found", Reason::UserUnknown),
    ("could not be found", Reason::UserUnknown),
    ("access denied", Reason::Blocked),
    ("blocked", Reason::Blocked),
    ("rejected", Reason::Blocked),
];

/// Words saying the refusal came after the message's content was sent (`after end of data`):
/// a recipient accepted at `RCPT TO` and refused then was stopped by a filter, whatever the
/// words say of the mailbox.
const AFTER_DATA: &[&str] = &["end of data", "after data", "data command"];

/// Decides why a finding failed, from its kind, DSN action, status (given, or derived from
/// the SMTP reply code) and diagnostic words:
///
/// 1. a complaint is [`Reason::Complaint`]; no bounce is [`Reason::Undefined`];
/// 2. a status that names one cause (`x.2.2`, `x.1.6`, `x.7.26`, …) decides;
/// 3. else the first phrase of the word table found in the diagnostic (an unknown mailbox
///    refused after the content was sent is a filter's refusal);
/// 4. else what a general status says (`x.1.1` unknown user, `x.4.7` given up, `5.7.x`
///    policy, …);
/// 5. else the general words ("rejected", "does not exist");
/// 6. else a delay, or a temporary failure given up, is [`Reason::Expired`], and nothing else
///    is [`Reason::Undefined`].
pub(crate) fn reason_of(
    kind: Kind,
    action: Option<&str>,
    status: Option<Status>,
    diagnostic: Option<&str>,
) -> Reason {
    match kind {
        Kind::Complaint => return Reason::Complaint,
        Kind::NotBounce => return Reason::Undefined,
        Kind::Permanent | Kind::Temporary | Kind::Unknown => {}
    }
    let said = status
        .filter(|s| matches!(s.class(), 4 | 5))
        .and_then(by_status);
    if let Some((reason, true)) = said {
        return reason;
    }
    let lower = diagnostic.unwrap_or_default().to_ascii_lowercase();
    let named = |table: &[(&str, Reason)]| {
        let &(_, reason) = table.iter().find(|(words, _)| lower.contains(words))?;
        let after_data = AFTER_DATA.iter().any(|words| lower.contains(words));
        Some(if reason == Reason::UserUnknown && after_data {
            Reason::ContentRejected
        } else {
            reason
        })
    };
    if let Some(reason) = named(WORDS) {
        return reason;
    }
    if let Some((reason, _)) = said {
        return reason;
    }
    if let Some(reason) = named(GENERAL_WORDS) {
        return reason;
    }
    match (kind, action) {
        (Kind::Temporary, Some("failed" | "delayed")) => Reason::Expired,
        _ => Reason::Undefined,
    }
}

/// Why a relay refused a mail at the SMTP dialogue, from its reply: the same decision as for
/// a returned mail's finding, with the reply's class as the kind (5xx permanent, 4xx
/// temporary) and its enhanced status, or the first one its text holds. A temporary refusal
/// is never [`Reason::Expired`] here: that is for mail given up on, which the caller knows.
pub fn reason_of_reply(code: u16, enhanced: Option<&str>, text: &str) -> Reason {
    let kind = match code / 100 {
        5 => Kind::Permanent,
        4 => Kind::Temporary,
        _ => return Reason::Undefined,
    };
    let status = enhanced
        .and_then(|e| e.parse::<Status>().ok())
        .or_else(|| Status::find_in(text));
    reason_of(kind, None, status, Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(kind: Kind, status: &str, diagnostic: &str) -> Reason {
        let status = (!status.is_empty()).then(|| status.parse().unwrap());
        reason_of(kind, Some("failed"), status, Some(diagnostic))
    }

    #[test]
    fn wire_names_read_back_and_are_snake_case() {
        for reason in Reason::ALL {
            assert_eq!(reason.as_str().parse::<Reason>().unwrap(), reason);
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                serde_json::Value::from(reason.as_str())
            );
        }
        let err = "userunknown".parse::<Reason>().unwrap_err();
        assert!(err.to_string().contains("\"userunknown\""), "{err}");
    }

    #[test]
    fn only_a_dead_address_is_killed() {
        let killing: Vec<Reason> = Reason::ALL
            .into_iter()
            .filter(|r| r.kills_address())
            .collect();
        assert_eq!(
            killing,
            [
                Reason::UserUnknown,
                Reason::HostUnknown,
                Reason::HasMoved,
                Reason::Expired
            ]
        );
    }

    #[test]
    fn complaints_and_non_bounces_are_decided_by_their_kind() {
        assert_eq!(
            decide(Kind::Complaint, "5.1.1", "user unknown"),
            Reason::Complaint
        );
        assert_eq!(
            decide(Kind::NotBounce, "2.0.0", "delivered"),
            Reason::Undefined
        );
    }

    #[test]
    fn a_specific_status_decides_before_the_words() {
        let p = Kind::Permanent;
        assert_eq!(decide(p, "5.2.2", "user unknown"), Reason::MailboxFull);
        assert_eq!(decide(p, "5.1.8", "user unknown"), Reason::Blocked);
        assert_eq!(decide(p, "5.1.10", ""), Reason::HostUnknown);
        assert_eq!(decide(p, "5.1.6", ""), Reason::HasMoved);
        assert_eq!(decide(p, "5.3.4", ""), Reason::MessageTooBig);
        assert_eq!(decide(p, "5.7.26", "unauthenticated"), Reason::Policy);
        assert_eq!(decide(p, "5.7.13", "user unknown"), Reason::Suspended);
    }

    #[test]
    fn the_words_narrow_a_general_status() {
        let p = Kind::Permanent;
        assert_eq!(
            decide(p, "5.1.1", "550 5.7.1 IP address blacklisted by recipient"),
            Reason::Blocked
        );
        assert_eq!(
            decide(p, "5.7.1", "Client host rejected: listed at Spamhaus"),
            Reason::Blocked
        );
        assert_eq!(
            decide(p, "5.7.1", "Message rejected as spam"),
            Reason::ContentRejected
        );
        assert_eq!(
            decide(p, "5.7.1", "Email rejected per DMARC policy"),
            Reason::Policy
        );
        assert_eq!(decide(p, "5.0.0", "550 user unknown"), Reason::UserUnknown);
        assert_eq!(
            decide(p, "5.2.1", "The email account is disabled"),
            Reason::Suspended
        );
        assert_eq!(
            decide(p, "5.1.1", "Sender address rejected: user unknown"),
            Reason::Blocked
        );
        assert_eq!(
            decide(
                Kind::Temporary,
                "4.4.1",
                "connect to mx: Connection timed out"
            ),
            Reason::Expired
        );
        assert_eq!(
            decide(Kind::Unknown, "", "Your account has been suspended"),
            Reason::Suspended
        );
    }

    #[test]
    fn a_block_list_or_our_reputation_is_a_block_whatever_else_the_text_says() {
        let p = Kind::Permanent;
        assert_eq!(
            decide(p, "5.7.1", "Client host blocked for spamming issues"),
            Reason::Blocked
        );
        assert_eq!(
            decide(
                p,
                "5.7.1",
                "very low reputation of the sending IP; to protect our users from spam"
            ),
            Reason::Blocked
        );
        assert_eq!(
            decide(
                p,
                "5.7.1",
                "blocked using dnsbl.example.org; see our policy"
            ),
            Reason::Blocked
        );
        assert_eq!(
            decide(
                p,
                "5.7.1",
                "Connected but sender was rejected: 550 5.7.1 Access denied"
            ),
            Reason::Blocked
        );
    }

    #[test]
    fn a_general_status_of_a_subject_says_what_the_subject_does() {
        let p = Kind::Permanent;
        assert_eq!(
            decide(p, "5.6.9", "improper use of 8-bit data"),
            Reason::ContentRejected
        );
        assert_eq!(
            decide(
                p,
                "5.1.10",
                "RESOLVER.ADR.RecipientNotFound; Recipient not found"
            ),
            Reason::UserUnknown
        );
        assert_eq!(decide(p, "5.1.10", ""), Reason::HostUnknown);
        assert_eq!(
            decide(p, "5.1.1", "x-unix; procmail: No such user"),
            Reason::SystemError
        );
    }

    #[test]
    fn an_unknown_mailbox_refused_after_the_content_is_a_filter() {
        assert_eq!(
            decide(
                Kind::Permanent,
                "5.0.0",
                "SMTP error from remote mail server after end of data: 550 User unknown"
            ),
            Reason::ContentRejected
        );
        assert_eq!(
            decide(
                Kind::Permanent,
                "5.0.0",
                "SMTP error from remote mail server after RCPT TO: 550 User unknown"
            ),
            Reason::UserUnknown
        );
    }

    #[test]
    fn a_general_status_decides_when_no_words_do_then_the_general_words() {
        assert_eq!(decide(Kind::Temporary, "4.4.7", ""), Reason::Expired);
        assert_eq!(decide(Kind::Permanent, "5.7.1", "go away"), Reason::Policy);
        assert_eq!(
            decide(Kind::Permanent, "5.2.0", "go away"),
            Reason::ContentRejected
        );
        assert_eq!(
            decide(Kind::Temporary, "4.4.1", "no answer"),
            Reason::SystemError
        );
        assert_eq!(decide(Kind::Permanent, "5.7.9", "Rejected"), Reason::Policy);
        assert_eq!(
            decide(Kind::Permanent, "5.0.0", "Rejected"),
            Reason::Blocked
        );
        assert_eq!(
            decide(Kind::Permanent, "", "the mailbox does not exist"),
            Reason::UserUnknown
        );
    }

    #[test]
    fn a_temporary_failure_given_up_is_expired_and_nothing_is_undefined() {
        assert_eq!(decide(Kind::Temporary, "", ""), Reason::Expired);
        assert_eq!(
            reason_of(Kind::Temporary, Some("delayed"), None, None),
            Reason::Expired
        );
        assert_eq!(
            reason_of(Kind::Temporary, None, None, None),
            Reason::Undefined
        );
        assert_eq!(
            reason_of(Kind::Permanent, None, None, Some("no reason given")),
            Reason::Undefined
        );
    }

    #[test]
    fn an_smtp_reply_is_read_like_a_finding() {
        assert_eq!(
            reason_of_reply(
                550,
                Some("5.1.1"),
                "<a@example.org>: Recipient address rejected"
            ),
            Reason::UserUnknown
        );
        assert_eq!(
            reason_of_reply(552, Some("5.2.2"), "Mailbox full"),
            Reason::MailboxFull
        );
        assert_eq!(
            reason_of_reply(
                554,
                None,
                "5.7.1 Service unavailable; client host [192.0.2.1] blocked using zen.spamhaus.org"
            ),
            Reason::Blocked
        );
        assert_eq!(
            reason_of_reply(452, Some("4.2.2"), "Over quota, try later"),
            Reason::MailboxFull
        );
        assert_eq!(
            reason_of_reply(451, None, "Try again later"),
            Reason::Undefined
        );
        assert_eq!(reason_of_reply(250, None, "OK"), Reason::Undefined);
    }
}
