//! Non-standard bounces: the plain-text notices of MTAs and mailbox providers that send no
//! delivery-status part (or whose part was lost). One file per family; each recognises its
//! notice by the sentences it always writes, and reads the addresses and reasons out of it.
//!
//! Every reader works on the notice only: the text before the copy of the returned message
//! that many of them paste below it.

mod domino;
mod dragonfly;
mod exchange;
mod exim;
mod fml;
mod gmail;
mod gmx;
mod google_groups;
mod imail;
mod interscan;
mod james;
mod kddi;
mod m_filter;
mod mailfoundry;
mod mimecast;
mod mmsc;
mod notes;
mod opensmtpd;
mod other;
mod postfix;
mod qmail;
mod sendmail;
mod smail;
mod workmail;
mod zoho;

use crate::report::{distinct, MAX_DIAGNOSTIC, MAX_FINDINGS, MAX_NAME};
use crate::status::{kind_of, Evidence, Hint};
use crate::{address, text, Finding, Form, Reason};

/// What the readers look at besides the text.
pub(crate) struct Clues<'a> {
    /// The notice text (at most 64 KiB).
    pub text: &'a str,
    /// The sender's address, lowercase (`mailer-daemon@aol.com`).
    pub sender: &'a str,
    /// The addresses of Exim's `X-Failed-Recipients` header.
    pub failed_recipients: Vec<String>,
}

/// What a recognised notice says.
pub(crate) struct Recognised {
    /// Which form it is.
    pub form: Form,
    /// One finding per address it names.
    pub findings: Vec<Finding>,
    /// What the notice says as a whole (a warning, a permanent error), if it says.
    pub hint: Option<Hint>,
}

/// What a notice says about one address, before the decision.
struct Named {
    recipient: String,
    final_recipient: Option<String>,
    diagnostic: Option<String>,
    remote_mta: Option<String>,
}

impl Named {
    /// An address, with the lines that explain it.
    fn new<'a>(recipient: String, lines: impl IntoIterator<Item = &'a str>) -> Named {
        Named {
            recipient,
            final_recipient: None,
            diagnostic: diagnostic(lines),
            remote_mta: None,
        }
    }

    /// An address a notice names with the alias it was expanded from, when it says so: the
    /// alias is the address we sent to, the address the one it finally went to.
    fn expanded<'a>(
        recipient: String,
        alias: Option<String>,
        lines: impl IntoIterator<Item = &'a str>,
    ) -> Named {
        match alias {
            Some(alias) => Named {
                final_recipient: Some(recipient),
                ..Named::new(alias, lines)
            },
            None => Named::new(recipient, lines),
        }
    }

    /// The finding, decided by [`kind_of`] from the diagnostic's code or words, else from
    /// what the notice says as a whole.
    fn into_finding(self, hint: Option<Hint>) -> Finding {
        let evidence = self
            .diagnostic
            .as_deref()
            .map(Evidence::read)
            .unwrap_or_default();
        let status = evidence.status();
        let hint = evidence.phrase.map(|phrase| phrase.hint).or(hint);
        Finding {
            recipient: self.recipient,
            final_recipient: self.final_recipient,
            kind: kind_of(None, status, evidence.reply_code, hint),
            status: status.map(|status| status.to_string()),
            action: None,
            diagnostic: self.diagnostic,
            remote_mta: self.remote_mta,
            feedback_type: None,
            reason: Reason::Undefined,
        }
    }
}

/// What one family's reader found: the form, the addresses, what the notice says as a whole.
type Reading = (Form, Vec<Named>, Option<Hint>);

/// For the readers' tests: what `read` finds in `text`, which must be a notice of `form`, as
/// (address, diagnostic) pairs.
#[cfg(test)]
fn read_named(
    read: impl Fn(&Notice<'_>) -> Option<Reading>,
    form: Form,
    text: &str,
) -> Vec<(String, Option<String>)> {
    let (found, named, _) = read(&Notice::new(text)).unwrap_or_else(|| panic!("{text:?}"));
    assert_eq!(found, form);
    named
        .into_iter()
        .map(|named| (named.recipient, named.diagnostic))
        .collect()
}

/// Lines where the copy of the returned message begins (lowercase); the notice ends there.
const RETURNED_COPY_MARKERS: &[&str] = &[
    "this is a copy of the message",
    "this is a copy of your message",
    "below this line is a copy of the message",
    "original message headers:",
    "----- original message -----",
    "----- unsent message below -----",
    "----- original message follows -----",
    "the header of the original message is following",
    "below is a copy of the original message",
];

/// A notice split into lines, with a lowercase copy of each for matching.
struct Notice<'a> {
    lines: Vec<&'a str>,
    lower: Vec<String>,
}

impl<'a> Notice<'a> {
    /// The notice part of `text`: its lines up to the copy of the returned message.
    fn new(text: &'a str) -> Notice<'a> {
        let mut notice = Notice {
            lines: Vec::new(),
            lower: Vec::new(),
        };
        for line in text.lines() {
            let lower = line.to_ascii_lowercase();
            if RETURNED_COPY_MARKERS
                .iter()
                .any(|marker| lower.contains(marker))
            {
                break;
            }
            notice.lines.push(line);
            notice.lower.push(lower);
        }
        notice
    }

    /// The index of the first line containing `needle` (lowercase).
    fn find(&self, needle: &str) -> Option<usize> {
        self.find_from(needle, 0)
    }

    /// The index of the first line at or after `from` containing `needle` (lowercase).
    fn find_from(&self, needle: &str, from: usize) -> Option<usize> {
        (from..self.lower.len()).find(|&index| self.lower[index].contains(needle))
    }

    /// Whether any line contains `needle` (lowercase).
    fn contains(&self, needle: &str) -> bool {
        self.find(needle).is_some()
    }

    /// The lines after `from`, skipping blank ones, up to the next blank line.
    fn paragraph_after(&self, from: usize) -> Vec<&'a str> {
        self.lines
            .iter()
            .skip(from + 1)
            .skip_while(|line| line.trim().is_empty())
            .take_while(|line| !line.trim().is_empty())
            .copied()
            .collect()
    }
}

/// Recognises the notice of a known MTA or provider, and reads it.
pub(crate) fn read(clues: &Clues<'_>) -> Option<Recognised> {
    let notice = Notice::new(clues.text);
    let (form, mut named, hint) = postfix::read(&notice)
        .or_else(|| zoho::read(&notice))
        .or_else(|| gmx::read(&notice))
        .or_else(|| exim::read(&notice))
        .or_else(|| qmail::read(&notice, clues))
        .or_else(|| sendmail::read(&notice, clues))
        .or_else(|| gmail::read(&notice))
        .or_else(|| exchange::read(&notice))
        .or_else(|| domino::read(&notice))
        .or_else(|| dragonfly::read(&notice))
        .or_else(|| opensmtpd::read(&notice))
        .or_else(|| imail::read(&notice))
        .or_else(|| workmail::read(&notice))
        .or_else(|| mailfoundry::read(&notice))
        .or_else(|| interscan::read(&notice))
        .or_else(|| james::read(&notice))
        .or_else(|| mmsc::read(&notice))
        .or_else(|| smail::read(&notice))
        .or_else(|| google_groups::read(&notice, clues))
        .or_else(|| kddi::read(&notice))
        .or_else(|| m_filter::read(&notice))
        .or_else(|| notes::read(&notice))
        .or_else(|| mimecast::read(&notice))
        .or_else(|| fml::read(&notice))
        // The notices of unnamed MTAs, last: their wording is the least specific.
        .or_else(|| other::read(&notice))?;
    if named.is_empty() {
        named = clues
            .failed_recipients
            .iter()
            .map(|recipient| Named::new(recipient.clone(), []))
            .collect();
    }
    let named = distinct(named, MAX_FINDINGS, |named| &named.recipient);
    Some(Recognised {
        form,
        findings: named
            .into_iter()
            .map(|named| named.into_finding(hint))
            .collect(),
        hint,
    })
}

/// The lines that explain an address, unfolded and clipped; `None` when there are none.
fn diagnostic<'a>(lines: impl IntoIterator<Item = &'a str>) -> Option<String> {
    text::clip(&text::unfold(lines), MAX_DIAGNOSTIC)
}

/// How many white-space characters a line starts with.
fn indent(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// The host name that follows `marker` in `text` (ignoring case): `host mx.example.org[...]`
/// gives `mx.example.org`. Must contain a dot.
fn host_after(text: &str, marker: &str) -> Option<String> {
    let at = text.to_ascii_lowercase().find(marker)? + marker.len();
    let host: String = text
        .get(at..)?
        .chars()
        .take_while(|c| !c.is_whitespace() && !"[]()<>'\",;".contains(*c))
        .collect();
    let host = host.trim_end_matches(['.', ':']);
    if host.contains('.') {
        text::clip(host, MAX_NAME)
    } else {
        None
    }
}

/// The address a line starts with (after white space, quotes or an angle bracket).
fn leading_address(line: &str) -> Option<String> {
    let word = line.split_whitespace().next()?;
    let word = word.trim_matches(|c: char| "<>'\":".contains(c));
    address::find_first(word)
}
