//! RFC 3463 enhanced status codes, SMTP reply codes found in diagnostic text, and [`kind_of`]:
//! the one place that decides whether a report means permanent, temporary or no failure.

use crate::phrases::{self, Phrase};
use crate::Kind;
use std::fmt;
use std::str::FromStr;

/// An RFC 3463 enhanced status code, `class.subject.detail`, such as `5.1.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status {
    class: u8,
    subject: u16,
    detail: u16,
}

/// A text that is not an RFC 3463 status code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an RFC 3463 status code (class.subject.detail, class 2, 4 or 5)")]
pub struct StatusError(String);

impl Status {
    /// The class: 2 success, 4 persistent transient failure, 5 permanent failure.
    pub fn class(&self) -> u8 {
        self.class
    }

    /// The subject: 1 addressing, 2 mailbox, 3 mail system, 4 network and routing, 5 protocol,
    /// 6 content, 7 security or policy.
    pub fn subject(&self) -> u16 {
        self.subject
    }

    /// The detail within the subject (`5.1.1`: bad destination mailbox address).
    pub fn detail(&self) -> u16 {
        self.detail
    }

    /// Finds the first failure code (class 4 or 5) in free text, as in `550 5.1.1 <x@y>` or
    /// qmail's `(#5.1.1)`. Dotted numbers that continue (IP addresses, versions) are skipped.
    pub(crate) fn find_in(text: &str) -> Option<Status> {
        let bytes = text.as_bytes();
        (0..bytes.len())
            .filter(|&at| matches!(bytes[at], b'4' | b'5') && starts_a_number(bytes, at))
            .find_map(|at| {
                let (status, end) = dotted_at(bytes, at)?;
                let continues = match bytes.get(end) {
                    Some(b) if b.is_ascii_digit() => true,
                    Some(b'.') => bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
                    _ => false,
                };
                (!continues).then_some(status)
            })
    }

    /// The status nearest to a bare SMTP reply code: its class, with the subject and detail a
    /// recognised phrase names (`550` and "mailbox not found" give `5.1.1`), else `.0.0`.
    fn derived(reply_code: u16, phrase: Option<Phrase>) -> Option<Status> {
        let class = u8::try_from(reply_code / 100).ok()?;
        let (subject, detail) = phrase.and_then(|p| p.subject_detail).unwrap_or((0, 0));
        Some(Status {
            class,
            subject,
            detail,
        })
    }
}

impl FromStr for Status {
    type Err = StatusError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refuse = || StatusError(text.to_owned());
        let bytes = text.trim().as_bytes();
        let (status, end) = dotted_at(bytes, 0).ok_or_else(refuse)?;
        if end != bytes.len() || !matches!(status.class, 2 | 4 | 5) {
            return Err(refuse());
        }
        Ok(status)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// Reads `d.ddd.ddd` (one class digit, one to three digits each for subject and detail) at
/// `at`; returns the status and where it ends.
fn dotted_at(bytes: &[u8], at: usize) -> Option<(Status, usize)> {
    let class = *bytes.get(at)?;
    if !class.is_ascii_digit() || bytes.get(at + 1) != Some(&b'.') {
        return None;
    }
    let (subject, after_subject) = number_at(bytes, at + 2)?;
    if bytes.get(after_subject) != Some(&b'.') {
        return None;
    }
    let (detail, end) = number_at(bytes, after_subject + 1)?;
    let status = Status {
        class: class - b'0',
        subject,
        detail,
    };
    Some((status, end))
}

/// One to three digits at `at`, and where they end.
fn number_at(bytes: &[u8], at: usize) -> Option<(u16, usize)> {
    let digits = bytes
        .iter()
        .skip(at)
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let value = bytes[at..at + digits]
        .iter()
        .fold(0u16, |n, b| n * 10 + u16::from(b - b'0'));
    Some((value, at + digits))
}

/// Whether a number may start at `at`: not in the middle of a word, number or dotted quad.
fn starts_a_number(bytes: &[u8], at: usize) -> bool {
    at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'.')
}

/// Finds the first SMTP failure reply code (4xx or 5xx, RFC 5321) in free text, as in
/// `said: 550 5.1.1` or `#550 5.1.1`; numbers that are part of longer ones, addresses or
/// ports are skipped.
pub(crate) fn find_reply_code(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(2)).find_map(|at| {
        let [first, second, third] = [bytes[at], bytes[at + 1], bytes[at + 2]];
        let opens = at == 0 || {
            let before = bytes[at - 1];
            before.is_ascii_whitespace()
                || b"#;'\"(<[=".contains(&before)
                // Zoho's `ERROR_CODE :550`; not a port (`host:465`).
                || (before == b':' && at >= 2 && bytes[at - 2] == b' ')
        };
        let closes = match bytes.get(at + 3) {
            Some(b) if b.is_ascii_digit() => false,
            Some(b'.') => !bytes.get(at + 4).is_some_and(u8::is_ascii_digit),
            _ => true,
        };
        (matches!(first, b'4' | b'5')
            && matches!(second, b'0'..=b'5')
            && third.is_ascii_digit()
            && opens
            && closes)
            .then(|| {
                u16::from(first - b'0') * 100
                    + u16::from(second - b'0') * 10
                    + u16::from(third - b'0')
            })
    })
}

/// The DSN `Action` of a recipient (RFC 3464 section 2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Could not be delivered and will not be tried again.
    Failed,
    /// Not delivered yet; still being tried.
    Delayed,
    /// Delivered to the recipient's mailbox.
    Delivered,
    /// Handed on to a system that sends no reports.
    Relayed,
    /// Delivered and forwarded to further addresses.
    Expanded,
}

impl Action {
    /// Reads an action word, case-insensitively; anything else is `None`.
    pub(crate) fn parse(word: &str) -> Option<Action> {
        match word.trim().to_ascii_lowercase().as_str() {
            "failed" => Some(Action::Failed),
            "delayed" => Some(Action::Delayed),
            "delivered" => Some(Action::Delivered),
            "relayed" => Some(Action::Relayed),
            "expanded" => Some(Action::Expanded),
            _ => None,
        }
    }
}

/// What the words of a report say, when no code does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    /// The words say the failure is final ("user unknown", "failed permanently").
    Permanent,
    /// The words say it may pass ("mailbox full", "will be retried", "warning only").
    Temporary,
}

/// What a diagnostic text gives as evidence: an enhanced status code, an SMTP reply code and a
/// recognised phrase, each when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Evidence {
    /// The first enhanced status code in the text.
    pub status: Option<Status>,
    /// The first SMTP failure reply code in the text.
    pub reply_code: Option<u16>,
    /// The first recognised phrase (in the order of the phrase table).
    pub phrase: Option<Phrase>,
}

impl Evidence {
    /// Reads the evidence in a diagnostic text.
    pub(crate) fn read(text: &str) -> Evidence {
        Evidence {
            status: Status::find_in(text),
            reply_code: find_reply_code(text),
            phrase: phrases::recognise(text),
        }
    }

    /// The status the text gives, or the nearest derived from its reply code; `None` when it
    /// gives neither.
    pub(crate) fn status(&self) -> Option<Status> {
        self.status.or_else(|| {
            self.reply_code
                .and_then(|code| Status::derived(code, self.phrase))
        })
    }
}

/// Decides what a report says about one address, from the strongest evidence it gives:
///
/// 1. a DSN action: `delayed` is temporary; `delivered`, `relayed` and `expanded` are no bounce;
/// 2. else the status class: 5 permanent, 4 temporary, 2 no bounce;
/// 3. else the SMTP reply class: 5xx permanent, 4xx temporary;
/// 4. else what the recognised phrases say;
/// 5. else a DSN action `failed` alone is permanent, and nothing at all is unknown.
///
/// So a `failed` recipient with status `4.4.7` (given up after retrying) is temporary: the
/// address itself may be fine.
pub(crate) fn kind_of(
    action: Option<Action>,
    status: Option<Status>,
    reply_code: Option<u16>,
    hint: Option<Hint>,
) -> Kind {
    match action {
        Some(Action::Delayed) => return Kind::Temporary,
        Some(Action::Delivered | Action::Relayed | Action::Expanded) => return Kind::NotBounce,
        Some(Action::Failed) | None => {}
    }
    let class = status
        .map(|s| s.class)
        .or_else(|| reply_code.and_then(|code| u8::try_from(code / 100).ok()));
    match (class, hint, action) {
        (Some(5), _, _) => Kind::Permanent,
        (Some(4), _, _) => Kind::Temporary,
        (Some(2), _, _) => Kind::NotBounce,
        (_, Some(Hint::Permanent), _) => Kind::Permanent,
        (_, Some(Hint::Temporary), _) => Kind::Temporary,
        (_, None, Some(Action::Failed)) => Kind::Permanent,
        _ => Kind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(text: &str) -> Status {
        text.parse().unwrap()
    }

    #[test]
    fn status_codes_parse_and_print_back() {
        assert_eq!(status("5.1.1").to_string(), "5.1.1");
        assert_eq!(status(" 4.4.7 ").to_string(), "4.4.7");
        assert_eq!(status("5.1.10").to_string(), "5.1.10");
        assert_eq!(status("2.0.0").class(), 2);
        let s = status("5.7.1");
        assert_eq!((s.class(), s.subject(), s.detail()), (5, 7, 1));
    }

    #[test]
    fn malformed_status_codes_are_refused_with_the_text() {
        for text in [
            "",
            "5",
            "5.1",
            "5.1.",
            "550",
            "3.1.1",
            "5.1.1.1",
            "5.1.1 (user unknown)",
            "5.1234.1",
            "x.1.1",
        ] {
            let err = text.parse::<Status>().unwrap_err();
            assert!(err.to_string().contains(&format!("{text:?}")), "{err}");
        }
    }

    #[test]
    fn status_codes_are_found_in_diagnostics_but_not_in_ip_addresses() {
        let find = |t: &str| Status::find_in(t).map(|s| s.to_string());
        assert_eq!(
            find("smtp; 550 5.1.1 <gone@example.org>: User unknown").as_deref(),
            Some("5.1.1")
        );
        assert_eq!(
            find("Sorry, no mailbox here by that name. (#5.1.1)").as_deref(),
            Some("5.1.1")
        );
        assert_eq!(
            find("'400 4.4.7 Message delayed'").as_deref(),
            Some("4.4.7")
        );
        assert_eq!(
            find("host mx.example.org[192.0.2.5] said: 5.9.10.20 refused"),
            None
        );
        assert_eq!(find("connect to [5.1.1.1]:25: timed out"), None);
        assert_eq!(find("Postfix 2.11.3 here"), None);
        assert_eq!(find("version5.1.1"), None);
    }

    #[test]
    fn reply_codes_are_found_but_not_inside_other_numbers() {
        assert_eq!(find_reply_code("host x said: 550 5.1.1 unknown"), Some(550));
        assert_eq!(
            find_reply_code("#550 5.1.1 RESOLVER.ADR.RecipNotFound"),
            Some(550)
        );
        assert_eq!(
            find_reply_code("returned '451 4.7.1 greylisted'"),
            Some(451)
        );
        assert_eq!(find_reply_code("smtp;554 rejected"), Some(554));
        assert_eq!(find_reply_code("452-4.2.2 over quota"), Some(452));
        assert_eq!(
            find_reply_code("[192.0.2.40]:465 refused 4500 bytes in 2025"),
            None
        );
        assert_eq!(find_reply_code("250 2.0.0 ok"), None);
        assert_eq!(find_reply_code("Error, ERROR_CODE :421, Host"), Some(421));
        assert_eq!(find_reply_code("550.5 x"), None);
        assert_eq!(find_reply_code("55"), None);
    }

    #[test]
    fn a_dsn_action_decides_first() {
        let s5 = Some(status("5.1.1"));
        assert_eq!(
            kind_of(Some(Action::Delayed), s5, Some(550), None),
            Kind::Temporary
        );
        for action in [Action::Delivered, Action::Relayed, Action::Expanded] {
            assert_eq!(kind_of(Some(action), s5, None, None), Kind::NotBounce);
        }
    }

    #[test]
    fn the_status_class_wins_over_the_reply_code_and_the_words() {
        let s = |t| Some(status(t));
        assert_eq!(
            kind_of(
                Some(Action::Failed),
                s("5.2.2"),
                Some(452),
                Some(Hint::Temporary)
            ),
            Kind::Permanent
        );
        assert_eq!(
            kind_of(
                Some(Action::Failed),
                s("4.4.7"),
                Some(550),
                Some(Hint::Permanent)
            ),
            Kind::Temporary
        );
        assert_eq!(
            kind_of(None, s("2.0.0"), None, Some(Hint::Permanent)),
            Kind::NotBounce
        );
    }

    #[test]
    fn the_reply_class_decides_when_there_is_no_status() {
        assert_eq!(
            kind_of(None, None, Some(550), Some(Hint::Temporary)),
            Kind::Permanent
        );
        assert_eq!(
            kind_of(None, None, Some(421), Some(Hint::Permanent)),
            Kind::Temporary
        );
    }

    #[test]
    fn the_words_decide_when_there_is_no_code() {
        assert_eq!(
            kind_of(None, None, None, Some(Hint::Permanent)),
            Kind::Permanent
        );
        assert_eq!(
            kind_of(Some(Action::Failed), None, None, Some(Hint::Temporary)),
            Kind::Temporary
        );
    }

    #[test]
    fn failed_alone_is_permanent_and_nothing_is_unknown() {
        assert_eq!(
            kind_of(Some(Action::Failed), None, None, None),
            Kind::Permanent
        );
        assert_eq!(kind_of(None, None, None, None), Kind::Unknown);
    }

    #[test]
    fn a_bare_reply_code_gives_the_nearest_status() {
        let derived = |t: &str| Evidence::read(t).status().map(|s| s.to_string());
        assert_eq!(derived("550 MAILBOX NOT FOUND").as_deref(), Some("5.1.1"));
        assert_eq!(derived("452 mailbox is full").as_deref(), Some("4.2.2"));
        assert_eq!(
            derived("554 rejected for policy reasons").as_deref(),
            Some("5.0.0")
        );
        assert_eq!(
            derived("550 5.7.1 mailbox not found").as_deref(),
            Some("5.7.1")
        );
        assert_eq!(derived("User unknown in Domino Directory").as_deref(), None);
    }

    #[test]
    fn actions_are_read_case_insensitively() {
        assert_eq!(Action::parse("Failed"), Some(Action::Failed));
        assert_eq!(Action::parse(" DELAYED "), Some(Action::Delayed));
        assert_eq!(Action::parse("bounced"), None);
    }
}
