//! Microsoft Exchange and Outlook (Office 365, Outlook.com) notices: "Delivery has failed to
//! these recipients or groups:" (or "Delivery is delayed to ..."), the addresses, then under
//! "Diagnostic information for administrators:" each address again with the remote server's
//! reply. Exchange 2003's "The following recipient(s) cannot be reached:" puts the reply
//! (`<mx.example.org #5.1.1 smtp;550 ...>`) under each address; its "Your message ... did not
//! reach the following recipient(s):" puts `gone@example.org on <date>` and the reason in
//! words below.

use super::{host_after, leading_address, Named, Notice, Reading};
use crate::status::{Evidence, Hint};
use crate::{address, Form};
use std::collections::HashMap;

/// How the notices begin, lowercase, and what each says as a whole.
const OPENINGS: &[(&str, Hint)] = &[
    (
        "delivery has failed to these recipients or groups",
        Hint::Permanent,
    ),
    (
        "delivery is delayed to these recipients or groups",
        Hint::Temporary,
    ),
    (
        "the following recipient(s) cannot be reached",
        Hint::Permanent,
    ),
    (
        "the following recipient(s) could not be reached",
        Hint::Permanent,
    ),
    (
        "your message did not reach some or all of the intended recipients",
        Hint::Permanent,
    ),
    ("did not reach the following recipient", Hint::Permanent),
];

/// The most lines under an address read as its reason when none carries a code.
const MAX_REASON_LINES: usize = 4;

/// Recognises an Exchange or Outlook notice and reads its addresses and their replies.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let (start, hint) = OPENINGS
        .iter()
        .filter_map(|&(opening, hint)| Some((notice.find(opening)?, hint)))
        .max_by_key(|&(start, _)| start)?;
    let admin = notice
        .find_from("diagnostic information for administrators", start + 1)
        .unwrap_or(notice.lines.len());
    let recipients_section = notice.lines.get(start + 1..admin).unwrap_or_default();
    let admin_section = notice.lines.get(admin + 1..).unwrap_or(&[]);

    // Each address with the lines below it, up to the next address.
    let mut entries: Vec<(String, Vec<&str>)> = Vec::new();
    // "Did not reach the following recipient: gone@example.org" names it on the same line.
    let on_opening_line = notice.lines[start]
        .split_once(':')
        .and_then(|(_, rest)| leading_address(rest));
    entries.extend(on_opening_line.map(|recipient| (recipient, Vec::new())));
    for line in recipients_section {
        match recipient_line(line) {
            Some(recipient) => entries.push((recipient, Vec::new())),
            None => {
                if let Some((_, lines)) = entries.last_mut() {
                    lines.push(line);
                }
            }
        }
    }
    // Where each address first appears among the administrators' lines.
    let mut in_admin_section: HashMap<String, usize> = HashMap::new();
    for (at, line) in admin_section.iter().enumerate() {
        for address in address::find_all(line) {
            in_admin_section.entry(address.to_lowercase()).or_insert(at);
        }
    }
    let single = entries.len() == 1;
    let named = entries
        .into_iter()
        .map(|(recipient, below)| {
            let reply_below_admin_line = || {
                let at = *in_admin_section.get(&recipient.to_lowercase())?;
                first_reply(admin_section.get(at..(at + 5).min(admin_section.len()))?)
            };
            let reply = first_reply(&below)
                .or_else(reply_below_admin_line)
                .or_else(|| single.then(|| first_reply(admin_section)).flatten());
            // Exchange 2003 may give no code, only words (`The recipient name is not
            // recognized`) under the address.
            let mut named = match reply {
                Some(reply) => Named::new(recipient, [reply]),
                None => Named::new(
                    recipient,
                    below
                        .iter()
                        .copied()
                        .skip_while(|line| line.trim().is_empty())
                        .take_while(|line| !line.trim().is_empty())
                        .take(MAX_REASON_LINES),
                ),
            };
            named.remote_mta = named.diagnostic.as_deref().and_then(remote_mta);
            named
        })
        .collect();
    Some((Form::Exchange, named, Some(hint)))
}

/// A line naming a recipient: it starts with the address, or is a short `Name (address)` line
/// that carries no reply (Exchange 2003's `<mx.example.org #5.1.1 smtp;550 ... <address>>`
/// ends like one).
fn recipient_line(line: &str) -> Option<String> {
    if let Some(recipient) = leading_address(line) {
        return Some(recipient);
    }
    if first_reply(&[line]).is_some() {
        return None;
    }
    let trimmed = line.trim();
    let found = address::find_all(trimmed);
    let short_name_line = trimmed.len() < 120
        && (trimmed.ends_with(')') || trimmed.ends_with('>'))
        && found.len() == 1;
    short_name_line.then(|| found.into_iter().next()).flatten()
}

/// The first line carrying an SMTP reply or status code.
fn first_reply<'a>(lines: &[&'a str]) -> Option<&'a str> {
    lines.iter().copied().find(|line| {
        let evidence = Evidence::read(line);
        evidence.reply_code.is_some() || evidence.status.is_some()
    })
}

/// `Remote Server at mx.example.org (192.0.2.40) returned ...` or Exchange 2003's
/// `<mx.example.org #5.1.1 smtp;...>` give `mx.example.org`.
fn remote_mta(diagnostic: &str) -> Option<String> {
    host_after(diagnostic, "remote server at ").or_else(|| {
        let rest = diagnostic.strip_prefix('<')?;
        let (host, _) = rest.split_once(" #")?;
        host_after(host, "")
    })
}
