//! The notices of less common MTAs and gateways, whose product is not named: each recognised
//! by the sentence it always writes, with its own way of listing the addresses.
//!
//! - "---The following addresses had delivery errors---" (or "delivery problems", BIGLOBE):
//!   one address per line, the reason in brackets after it or under
//!   "----- Non-delivered information -----".
//! - "Delevery to the following recipients failed permanently:" (sic) or "was aborted after":
//!   the addresses inside the explanation lines below.
//! - "Your mail message to the following address(es) could not be delivered.": qmail's
//!   `<gone@example.org>:` blocks.
//! - "We had trouble delivering your message. Full details follow:": one line per error that
//!   names the address.
//! - MailMarshal's "Could not be delivered because of", the reason, then "The following
//!   recipients were affected:" and the addresses indented.
//! - "Your delivery to the following address has been failed.": `Delivery failed: address`,
//!   the remote reply on the lines below.
//! - "This message is to inform you that an email you sent was rejected.": "reject reason:"
//!   and "target mail address:" lines.

use super::{leading_address, Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises one of these notices and reads its addresses.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let named = delivery_errors(notice)
        .or_else(|| delevery(notice))
        .or_else(|| mail_message(notice))
        .or_else(|| trouble(notice))
        .or_else(|| mail_marshal(notice))
        .or_else(|| rejected(notice))
        .or_else(|| has_been_failed(notice))?;
    Some((Form::Other, named, Some(Hint::Permanent)))
}

/// "---The following addresses had delivery errors---": `gone@example.org [User unknown]`.
fn delivery_errors(notice: &Notice<'_>) -> Option<Vec<Named>> {
    let start = (0..notice.lines.len()).find(|&at| {
        let line = notice.lower[at].trim();
        line.starts_with("---") && line.contains("the following addresses had delivery")
    })?;
    let information = notice.find_from("----- non-delivered information -----", start);
    let reason = information.map(|at| notice.paragraph_after(at));
    let named = notice
        .lines
        .iter()
        .skip(start + 1)
        .take_while(|line| !line.trim_start().starts_with("---"))
        .filter_map(|line| {
            let recipient = leading_address(line)?;
            let bracketed = line
                .split_once('[')
                .map(|(_, rest)| rest.trim_end().trim_end_matches(']'));
            let lines: Vec<&str> = match (bracketed, &reason) {
                (Some(bracketed), _) => vec![bracketed],
                (None, Some(reason)) => reason.clone(),
                (None, None) => Vec::new(),
            };
            Some(Named::new(recipient, lines))
        })
        .collect();
    Some(named)
}

/// "Delevery to the following recipients ...": the explanation lines between the next two
/// rules of `=` explain the addresses they name.
fn delevery(notice: &Notice<'_>) -> Option<Vec<Named>> {
    let start = notice.find("delevery to the following recipients")?;
    let is_rule = |line: &&str| line.trim_start().starts_with("=====");
    let named = notice.lines[start + 1..]
        .iter()
        .skip_while(|line| !is_rule(line))
        .skip(1)
        .take_while(|line| !is_rule(line))
        .filter_map(|line| Some(Named::new(address::find_first(line)?, [*line])))
        .collect();
    Some(named)
}

/// "Your mail message to the following address(es) could not be delivered.": `<address>:`
/// alone on a line, its reasons below up to a blank line.
fn mail_message(notice: &Notice<'_>) -> Option<Vec<Named>> {
    let start =
        notice.find("your mail message to the following address(es) could not be delivered")?;
    let mut named = Vec::new();
    let mut lines = notice.lines[start + 1..].iter();
    while let Some(line) = lines.next() {
        let block = line.trim().strip_suffix(':').and_then(|rest| {
            let inside = rest.strip_prefix('<')?.strip_suffix('>')?;
            address::bare(inside)
        });
        if let Some(recipient) = block {
            let reasons: Vec<&str> = lines
                .by_ref()
                .take_while(|line| !line.trim().is_empty())
                .copied()
                .collect();
            named.push(Named::new(recipient, reasons));
        }
    }
    Some(named)
}

/// "We had trouble delivering your message.": one line per error naming the address, up to
/// "The attachment contains the original mail headers".
fn trouble(notice: &Notice<'_>) -> Option<Vec<Named>> {
    let start = notice.find("we had trouble delivering your message")?;
    let errors = notice.find_from("error(s):", start)?;
    let named = (errors + 1..notice.lines.len())
        .take_while(|&at| !notice.lower[at].starts_with("the attachment contains"))
        .filter_map(|at| {
            let line = notice.lines[at];
            let (_, after) = notice.lower[at].split_once("recipient")?;
            let after = line.get(line.len() - after.len()..)?;
            Some(Named::new(address::find_first(after)?, [line]))
        })
        .collect();
    Some(named)
}

/// MailMarshal: the reason under "Could not be delivered because of", the addresses under
/// "The following recipients were affected:".
fn mail_marshal(notice: &Notice<'_>) -> Option<Vec<Named>> {
    let because = notice.find("could not be delivered because of")?;
    let affected = notice.find_from("the following recipients were affected:", because)?;
    let reason = notice.paragraph_after(because);
    let named = notice
        .paragraph_after(affected)
        .into_iter()
        .filter_map(leading_address)
        .map(|recipient| Named::new(recipient, reason.iter().copied()))
        .collect();
    Some(named)
}

/// "... an email you sent was rejected.": `reject reason: ...` and `target mail address: ...`.
fn rejected(notice: &Notice<'_>) -> Option<Vec<Named>> {
    notice.find("this message is to inform you that an email you sent was rejected")?;
    let value = |name: &str| {
        let at = notice.find(name)?;
        let line = notice.lines[at];
        line.get(notice.lower[at].find(name)? + name.len()..)
    };
    let named = value("target mail address:")
        .and_then(address::find_first)
        .map(|recipient| Named::new(recipient, value("reject reason:")))
        .into_iter()
        .collect();
    Some(named)
}

/// "Your delivery to the following address has been failed.": `Delivery failed: address`.
fn has_been_failed(notice: &Notice<'_>) -> Option<Vec<Named>> {
    let start = notice.find("your delivery to the following address has been failed")?;
    let named = (start + 1..notice.lines.len())
        .filter_map(|at| {
            let rest = notice.lines[at].trim().strip_prefix("Delivery failed:")?;
            let below = notice.lines[at + 1..]
                .iter()
                .take_while(|line| !line.trim().is_empty())
                .copied();
            Some(Named::new(address::find_first(rest)?, below))
        })
        .collect();
    Some(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipients(text: &str) -> Vec<(String, Option<String>)> {
        super::super::read_named(read, Form::Other, text)
    }

    #[test]
    fn the_reason_in_brackets_or_under_its_heading() {
        assert_eq!(
            recipients("---The following addresses had delivery errors---\n\ngone@example.org [User unknown]\n"),
            [("gone@example.org".to_owned(), Some("User unknown".to_owned()))]
        );
        assert_eq!(
            recipients("   ----- The following addresses had delivery problems -----\nfull@example.org\n\n   ----- Non-delivered information -----\nThe mailbox is full.\n"),
            [("full@example.org".to_owned(), Some("The mailbox is full.".to_owned()))]
        );
    }

    #[test]
    fn the_address_inside_an_explanation_line() {
        let text = "We had trouble delivering your message. Full details follow:\n\n1 error(s):\n\n\
                    SMTP Server <mx.example.org> rejected recipient <gone@example.org> (Error following RCPT command). It responded as follows: [550 5.1.1 User unknown]\n";
        assert_eq!(recipients(text)[0].0, "gone@example.org");
        let text = "We had trouble delivering your message. Full details follow:\n\n2 error(s):\n\n\
                    The following recipients returned permanent errors: gone@example.org. Reason: 550\n\n\
                    SMTP Server <mx.example.net> rejected recipient <other@example.net>. [550 5.1.1]\n\n\
                    The attachment contains the original mail headers. From: tsb@itu.example\n";
        let found: Vec<String> = recipients(text).into_iter().map(|(r, _)| r).collect();
        assert_eq!(found, ["gone@example.org", "other@example.net"]);
        let text = "=====\n\nDelevery to the following recipients failed permanently:\n\n=====\n\n\
                    SMTP:RCPT host 192.0.2.1: 553 5.3.0 <gone@example.org>... No such user here\n\n=====\n\n\
                    From: tsb@itu.example\n";
        // Only the lines between the rules: not the returned headers below them.
        assert_eq!(
            recipients(text),
            [(
                "gone@example.org".to_owned(),
                Some(
                    "SMTP:RCPT host 192.0.2.1: 553 5.3.0 <gone@example.org>... No such user here"
                        .to_owned()
                )
            )]
        );
    }

    #[test]
    fn qmail_blocks_and_named_lines() {
        let text = "Your mail message to the following address(es) could not be delivered. This\n\
                    is a permanent error.\n\n<gone@example.org>:\nThe user's mailfolder is full.\n";
        assert_eq!(
            recipients(text),
            [(
                "gone@example.org".to_owned(),
                Some("The user's mailfolder is full.".to_owned())
            )]
        );
        let text = "Your delivery to the following address has been failed.\n\n\
                    Delivery failed: gone@example.org\nRemote host said: 550 5.1.1 unknown\n";
        assert_eq!(
            recipients(text),
            [(
                "gone@example.org".to_owned(),
                Some("Remote host said: 550 5.1.1 unknown".to_owned())
            )]
        );
        let text = "This message is to inform you that an email you sent was rejected.\n\n\
                    reject reason: Mailbox full\ntarget mail address: full@example.org\n";
        assert_eq!(
            recipients(text),
            [(
                "full@example.org".to_owned(),
                Some("Mailbox full".to_owned())
            )]
        );
        let text = "Your message:\n   Subject: Circular 36\n\nCould not be delivered because of\n\n\
                    550 5.1.1 User unknown\n\nThe following recipients were affected: \n    gone@example.org\n";
        assert_eq!(
            recipients(text),
            [(
                "gone@example.org".to_owned(),
                Some("550 5.1.1 User unknown".to_owned())
            )]
        );
    }
}
