//! KDDI's au notices. EZweb writes a paragraph in Japanese, then in English "Each of the
//! following recipients was rejected by a remote mail server." (the addresses as
//! `Recipient: <gone@ezweb.example>` with the `>>>`/`<<<` exchange below, or above the
//! sentence), "The user(s) account is disabled." (or "temporarily over quota"), "Your message
//! was not delivered within ..." or "The following recipients did not receive this message:",
//! each address in angle brackets at the start of a line. au one net writes
//! "Could not be delivered to: <gone@example.org>" and the reason on the next line ("As their
//! mailbox is full.").

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// EZweb's English sentences, lowercase: any of them makes the notice.
const EZWEB: &[&str] = &[
    "each of the following recipients was rejected by a remote",
    // "... is disabled.", "... is temporarily over quota.", "... is temporarily limited."
    "the user(s) account is ",
    "your message was not delivered within ",
    "the following recipients did not receive this message",
];

/// au one net's line naming the address, lowercase.
const AU_ONE_NET: &str = "could not be delivered to:";

/// Recognises an EZweb or au one net notice and reads its addresses.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    if let Some(at) = notice.find(AU_ONE_NET) {
        return Some((Form::Kddi, au_one_net(notice, at), Some(Hint::Permanent)));
    }
    EZWEB.iter().find_map(|sentence| notice.find(sentence))?;
    let mut named: Vec<Named> = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in &notice.lines {
        let trimmed = line.trim();
        if let Some(recipient) = recipient_line(trimmed) {
            named.extend(current.take().map(|(r, lines)| Named::new(r, lines)));
            current = Some((recipient, vec![trimmed]));
        } else if trimmed.is_empty() {
            named.extend(current.take().map(|(r, lines)| Named::new(r, lines)));
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(trimmed);
        }
    }
    named.extend(current.take().map(|(r, lines)| Named::new(r, lines)));
    // A line naming only the address says nothing of it: the sentences above it do.
    let reason = EZWEB
        .iter()
        .filter_map(|sentence| notice.find(sentence))
        .map(|at| notice.lines[at])
        .collect::<Vec<_>>();
    for entry in &mut named {
        let only_the_address = entry
            .diagnostic
            .as_deref()
            .is_none_or(|diagnostic| diagnostic.trim_matches(['<', '>']) == entry.recipient);
        if only_the_address {
            entry.diagnostic = super::diagnostic(reason.iter().copied());
        }
    }
    Some((Form::Kddi, named, Some(Hint::Permanent)))
}

/// `<gone@example.org>`, `<gone@example.org>: 550 ...` or `Recipient: <gone@example.org>`.
fn recipient_line(trimmed: &str) -> Option<String> {
    let rest = trimmed
        .strip_prefix("Recipient:")
        .map_or(trimmed, str::trim_start);
    let inside = rest.strip_prefix('<')?;
    let (recipient, after) = inside.split_once('>')?;
    (after.is_empty() || after.starts_with(':'))
        .then(|| address::bare(recipient))
        .flatten()
}

/// Each address after "Could not be delivered to:", with the lines below it up to the next
/// address or blank line.
fn au_one_net(notice: &Notice<'_>, first: usize) -> Vec<Named> {
    let mut named = Vec::new();
    let mut at = first;
    while at < notice.lines.len() {
        let line = notice.lines[at];
        let after = notice.lower[at]
            .find(AU_ONE_NET)
            .and_then(|start| line.get(start + AU_ONE_NET.len()..));
        at += 1;
        let Some(recipient) = after.and_then(address::find_first) else {
            continue;
        };
        let reason: Vec<&str> = (at..notice.lines.len())
            .take_while(|&below| {
                !notice.lines[below].trim().is_empty() && !notice.lower[below].contains(AU_ONE_NET)
            })
            .map(|below| notice.lines[below])
            .collect();
        named.push(Named::new(recipient, reason));
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kind;

    #[test]
    fn ezweb_names_each_address_in_brackets_with_the_exchange_below() {
        let text =
            "Each of the following recipients was rejected by a remote\nmail server.\n\n    \
                    Recipient: <gone@ezweb.example>\n    >>> RCPT TO:<gone@ezweb.example>\n    \
                    <<< 550 <gone@ezweb.example>: User unknown\n";
        let (form, named, hint) = read(&Notice::new(text)).unwrap();
        assert_eq!(form, Form::Kddi);
        assert_eq!(named.len(), 1);
        let finding = named.into_iter().next().unwrap().into_finding(hint);
        assert_eq!(finding.recipient, "gone@ezweb.example");
        assert_eq!(finding.kind, Kind::Permanent);
        assert_eq!(finding.status.as_deref(), Some("5.1.1"));
    }

    #[test]
    fn a_bare_address_takes_the_sentence_as_its_reason() {
        let text = "The user(s) account is disabled.\n\n<gone@ezweb.example>\n";
        let (_, named, _) = read(&Notice::new(text)).unwrap();
        assert_eq!(
            named[0].diagnostic.as_deref(),
            Some("The user(s) account is disabled.")
        );
    }

    #[test]
    fn a_full_mailbox_is_temporary() {
        let text = "The user(s) account is temporarily over quota.\n\n<full@ezweb.example>\n";
        let (_, named, hint) = read(&Notice::new(text)).unwrap();
        let finding = named.into_iter().next().unwrap().into_finding(hint);
        assert_eq!(finding.kind, Kind::Temporary);
    }

    #[test]
    fn au_one_net_may_name_several_addresses() {
        let text = "Your mail sent on: Thu, 5 Jun 2025 09:00:00 +0900\n     \
                    Could not be delivered to: <full@au.example>\n     As their mailbox is full.\n     \
                    Could not be delivered to: <gone@au.example>\n     As the remote domain doesnt exist.\n";
        let (_, named, _) = read(&Notice::new(text)).unwrap();
        let found: Vec<(&str, Option<&str>)> = named
            .iter()
            .map(|n| (n.recipient.as_str(), n.diagnostic.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                ("full@au.example", Some("As their mailbox is full.")),
                (
                    "gone@au.example",
                    Some("As the remote domain doesnt exist.")
                ),
            ]
        );
    }

    #[test]
    fn au_one_net_gives_the_reason_below_the_address() {
        let text = "Your mail sent on: Thu, 5 Jun 2025 09:00:00 +0900\n     \
                    Could not be delivered to: <full@au.example>\n     As their mailbox is full.\n";
        let (_, named, _) = read(&Notice::new(text)).unwrap();
        assert_eq!(named[0].recipient, "full@au.example");
        assert_eq!(
            named[0].diagnostic.as_deref(),
            Some("As their mailbox is full.")
        );
    }
}
