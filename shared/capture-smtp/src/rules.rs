//! Per-recipient rules: replies at `RCPT TO` time (possibly only a few times) and injected
//! connection faults around `DATA`.

use std::collections::HashMap;
use std::time::Duration;

use crate::CaptureError;

/// A reply chosen for one recipient, with how many more times it is used (`None`: always).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Reply {
    code: u16,
    text: String,
    remaining: Option<u32>,
}

/// Everything configured for one recipient.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Rule {
    reply: Option<Reply>,
    drop_during_data: u32,
    drop_after_store: u32,
    final_reply_delay: Option<Duration>,
    message_refusal: Option<(u16, String)>,
}

/// A fault injected into a transaction that includes a recipient with a matching rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Close the connection after part of the message data, storing nothing.
    DuringData,
    /// Store the message, then close the connection without the final reply.
    AfterStore,
}

/// Per-recipient behaviour; recipients without a rule get `250 2.1.5 Ok` and normal delivery.
///
/// Addresses are compared exactly on the local part and case-insensitively on the domain.
/// A reply with a 2xx code accepts the recipient (with that reply); any other code rejects it.
///
/// Rules that run out ([`RecipientRules::reply_times`], [`RecipientRules::drop_during_data`],
/// [`RecipientRules::drop_after_store`]) count down in the server that uses them, shared by all
/// of its connections and kept across [`crate::CaptureServer::stop_listening`]. The value given
/// to [`crate::CaptureServer::set_rules`] replaces the rules together with their counts, so
/// every rule installed that way starts with its full count again.
#[derive(Clone, Debug, Default)]
pub struct RecipientRules {
    rules: HashMap<String, Rule>,
}

impl RecipientRules {
    /// No rules: every recipient is accepted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers every RCPT TO for `address` with `code` and `text` (e.g. 550, "5.1.1 User unknown").
    ///
    /// The reply line sent is `"{code} {text}"`; line breaks in `text` become spaces. `code`
    /// is used as given (use [`parse_reply_rule`] to validate user input). Replaces an earlier
    /// reply for the same address.
    pub fn reply(self, address: &str, code: u16, text: &str) -> Self {
        self.set_reply(address, code, text, None)
    }

    /// Answers the first `times` RCPT TO for `address` with the reply, then accepts it normally.
    ///
    /// For example `reply_times(a, 451, "4.7.1 Greylisted", 2)` models greylisting: 451 twice,
    /// then `250`. The count is per server, across all connections (see the type's docs).
    pub fn reply_times(self, address: &str, code: u16, text: &str, times: u32) -> Self {
        self.set_reply(address, code, text, Some(times))
    }

    /// Drops the connection in the middle of DATA for the first `times` transactions that
    /// include `address` as an accepted recipient.
    ///
    /// The server answers `354`, reads the first line of the message, then resets the TCP
    /// connection (no reply, nothing stored).
    pub fn drop_during_data(mut self, address: &str, times: u32) -> Self {
        self.rule(address).drop_during_data = times;
        self
    }

    /// Loses the final reply for the first `times` transactions that include `address` as an
    /// accepted recipient: the whole message is read and stored as usual, then the TCP
    /// connection is reset instead of answering `250`.
    pub fn drop_after_store(mut self, address: &str, times: u32) -> Self {
        self.rule(address).drop_after_store = times;
        self
    }

    /// Holds back the final reply of every transaction that includes `address` as an
    /// accepted recipient: the message is stored as usual, then `250` is sent after `delay`
    /// (a relay that scans content before it answers).
    pub fn delay_final_reply(mut self, address: &str, delay: Duration) -> Self {
        self.rule(address).final_reply_delay = Some(delay);
        self
    }

    /// Refuses every message that includes `address` as an accepted recipient at its final
    /// dot, with `code` and `text` (e.g. 554, "5.7.1 Rejected as spam"): the whole message is
    /// read, nothing is stored.
    pub fn refuse_message(mut self, address: &str, code: u16, text: &str) -> Self {
        self.rule(address).message_refusal = Some((code, text.replace(['\r', '\n'], " ")));
        self
    }

    /// The configured reply for `address`, if any, as `(code, text)` (whatever its count).
    pub fn get(&self, address: &str) -> Option<(u16, &str)> {
        self.rules
            .get(&normalize_address(address))
            .and_then(|rule| rule.reply.as_ref())
            .map(|r| (r.code, r.text.as_str()))
    }

    fn rule(&mut self, address: &str) -> &mut Rule {
        self.rules.entry(normalize_address(address)).or_default()
    }

    fn set_reply(mut self, address: &str, code: u16, text: &str, remaining: Option<u32>) -> Self {
        let text = text.replace(['\r', '\n'], " ");
        self.rule(address).reply = Some(Reply {
            code,
            text,
            remaining,
        });
        self
    }

    /// The reply to send for `address` now, counting it down; `None` when none applies.
    pub(crate) fn take_reply(&mut self, address: &str) -> Option<(u16, String)> {
        let reply = self
            .rules
            .get_mut(&normalize_address(address))?
            .reply
            .as_mut()?;
        match &mut reply.remaining {
            Some(0) => return None,
            Some(n) => *n -= 1,
            None => {}
        }
        Some((reply.code, reply.text.clone()))
    }

    /// The refusal of a message with these accepted recipients, if one of them has one.
    pub(crate) fn message_refusal(&self, rcpts: &[String]) -> Option<String> {
        rcpts.iter().find_map(|r| {
            let (code, text) = self
                .rules
                .get(&normalize_address(r))?
                .message_refusal
                .as_ref()?;
            Some(format!("{code} {text}"))
        })
    }

    /// How long to hold back the final reply to a transaction with these accepted
    /// recipients (the longest of their delays).
    pub(crate) fn final_reply_delay(&self, rcpts: &[String]) -> Option<Duration> {
        rcpts
            .iter()
            .filter_map(|r| self.rules.get(&normalize_address(r))?.final_reply_delay)
            .max()
    }

    /// Whether `fault` applies to a transaction with these accepted recipients.
    ///
    /// Counts down the rule of every recipient that still has some of this fault left.
    pub(crate) fn take_fault(&mut self, rcpts: &[String], fault: Fault) -> bool {
        let mut hit = false;
        for rcpt in rcpts {
            let Some(rule) = self.rules.get_mut(&normalize_address(rcpt)) else {
                continue;
            };
            let left = match fault {
                Fault::DuringData => &mut rule.drop_during_data,
                Fault::AfterStore => &mut rule.drop_after_store,
            };
            if *left > 0 {
                *left -= 1;
                hit = true;
            }
        }
        hit
    }
}

/// Strips spaces and angle brackets and lower-cases the domain (the part after the last `@`).
fn normalize_address(address: &str) -> String {
    let a = address.trim();
    let a = a
        .strip_prefix('<')
        .and_then(|a| a.strip_suffix('>'))
        .unwrap_or(a);
    match a.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => a.to_string(),
    }
}

/// Parses a command-line rule `ADDRESS=CODE TEXT`, e.g. `bad@example.org=550 5.1.1 User unknown`.
///
/// The address ends at the first `=` after its `@` (so the text may contain `=`). The code must
/// be three digits in 200..=599; the text may be empty. Returns `(address, code, text)`.
pub fn parse_reply_rule(s: &str) -> Result<(String, u16, String), CaptureError> {
    let err = |reason: &str| CaptureError::Rule {
        rule: s.to_string(),
        reason: reason.to_string(),
    };
    let from = s.find('@').unwrap_or(0);
    let eq = s[from..]
        .find('=')
        .map(|i| from + i)
        .ok_or_else(|| err("expected ADDRESS=CODE TEXT, found no '='"))?;
    let address = s[..eq].trim();
    if address.is_empty() {
        return Err(err("the address is empty"));
    }
    let rest = s[eq + 1..].trim_start();
    let (code, text) = rest.split_once(' ').unwrap_or((rest, ""));
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("the reply code must be three digits"));
    }
    let code: u16 = code
        .parse()
        .map_err(|_| err("the reply code must be three digits"))?;
    if !(200..=599).contains(&code) {
        return Err(err("the reply code must be between 200 and 599"));
    }
    Ok((address.to_string(), code, text.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_times_counts_down_then_stops() {
        let mut rules = RecipientRules::new().reply_times("a@Example.org", 451, "4.7.1 Later", 2);
        assert_eq!(rules.get("a@example.ORG"), Some((451, "4.7.1 Later")));
        for _ in 0..2 {
            assert_eq!(
                rules.take_reply("<a@example.org>"),
                Some((451, "4.7.1 Later".to_string()))
            );
        }
        assert_eq!(rules.take_reply("a@example.org"), None);
        // `get` still shows the configured reply.
        assert_eq!(rules.get("a@example.org"), Some((451, "4.7.1 Later")));
    }

    #[test]
    fn faults_count_down_per_recipient() {
        let mut rules = RecipientRules::new()
            .drop_during_data("a@example.org", 1)
            .drop_after_store("b@example.org", 2);
        let a = ["a@example.org".to_string(), "c@example.org".to_string()];
        assert!(!rules.take_fault(&a, Fault::AfterStore));
        assert!(rules.take_fault(&a, Fault::DuringData));
        assert!(!rules.take_fault(&a, Fault::DuringData));
        let b = ["b@EXAMPLE.org".to_string()];
        assert!(rules.take_fault(&b, Fault::AfterStore));
        assert!(rules.take_fault(&b, Fault::AfterStore));
        assert!(!rules.take_fault(&b, Fault::AfterStore));
    }
}
