//! Sendmail's notice, also sent by AOL: under "----- The following addresses had permanent
//! fatal errors -----" (or "transient non-fatal errors" for a warning) each address, with
//! `(reason: 550 ...)` below it; then "----- Transcript of session follows -----", whose
//! "... while talking to mx.example.org.:" names the remote server and whose
//! `<gone@example.org>... Deferred: ...` lines explain an address.

use super::{diagnostic, host_after, indent, leading_address, Clues, Named, Notice, Reading};
use crate::status::{find_reply_code, Hint};
use crate::{address, Form};
use std::collections::HashMap;

/// Recognises Sendmail's (or AOL's) notice and reads its addresses and transcript.
pub(super) fn read(notice: &Notice<'_>, clues: &Clues<'_>) -> Option<Reading> {
    let permanent = notice.find("following addresses had permanent fatal errors");
    let transient = notice.find("following addresses had transient non-fatal errors");
    let transcript = notice.find("transcript of session follows");
    let (heading, hint) = match (permanent, transient) {
        (Some(heading), _) => (Some(heading), Some(Hint::Permanent)),
        (None, Some(heading)) => (Some(heading), Some(Hint::Temporary)),
        (None, None) => (None, None),
    };
    if heading.is_none() && transcript.is_none() {
        return None;
    }
    let from_aol = clues
        .sender
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain == "aol.com" || domain.ends_with(".aol.com"));
    let form = if from_aol { Form::Aol } else { Form::Sendmail };

    let mut named: Vec<Named> = Vec::new();
    for line in heading.map_or(&[][..], |heading| &notice.lines[heading + 1..]) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if named.is_empty() {
                continue;
            }
            break;
        }
        if trimmed.starts_with("-----") {
            break;
        }
        if indent(line) == 0 {
            // `<gone@example.org>`, or ActiveHunter's `>>> gone@example.org <gone@example.org>`.
            let recipient = leading_address(trimmed)
                .or_else(|| trimmed.strip_prefix(">>> ").and_then(address::find_first));
            named.extend(recipient.map(|recipient| Named::new(recipient, [])));
        } else if let Some(last) = named.last_mut() {
            if let Some(reason) = trimmed.strip_prefix("(reason:") {
                last.diagnostic = diagnostic([reason.trim_end_matches(')')]);
            } else if let Some(alias) = trimmed.strip_prefix("(expanded from:") {
                if let Some(alias) = address::bare(alias.trim_end_matches(')')) {
                    last.final_recipient = Some(std::mem::replace(&mut last.recipient, alias));
                }
            }
        }
    }

    // Each address (and the alias it was expanded from) to its entry, to find the transcript
    // lines about it without comparing every line with every address.
    let mut entries: HashMap<String, usize> = HashMap::new();
    for (at, entry) in named.iter().enumerate() {
        entries.entry(entry.recipient.to_lowercase()).or_insert(at);
        if let Some(final_recipient) = &entry.final_recipient {
            entries.entry(final_recipient.to_lowercase()).or_insert(at);
        }
    }
    let mut host = None;
    for line in transcript.map_or(&[][..], |transcript| &notice.lines[transcript + 1..]) {
        if let Some(talking_to) = host_after(line, "while talking to ") {
            host = Some(talking_to);
            continue;
        }
        // "<gone@example.org>... User unknown": a line about one address.
        let about = line
            .trim()
            .split_once("...")
            .and_then(|(before, _)| address::bare(before));
        let mut mentioned = address::find_all(line);
        if let Some(about) = &about {
            // Without the heading, these lines are the only list of addresses.
            if heading.is_none() && !entries.contains_key(&about.to_lowercase()) {
                entries.insert(about.to_lowercase(), named.len());
                named.push(Named::new(about.clone(), []));
            }
            mentioned.push(about.clone());
        }
        for mentioned in mentioned {
            let Some(entry) = entries
                .get(&mentioned.to_lowercase())
                .and_then(|&at| named.get_mut(at))
            else {
                continue;
            };
            if entry.remote_mta.is_none() {
                entry.remote_mta = host.clone();
            }
            if entry.diagnostic.is_none() && about.is_some() {
                entry.diagnostic = diagnostic([*line]);
            }
        }
    }
    // One address and a transcript that names nobody: its reply is about that address.
    if let [only] = &mut named[..] {
        if only.diagnostic.is_none() {
            only.diagnostic = transcript
                .and_then(|transcript| notice.lines.get(transcript + 1..))
                .and_then(|lines| lines.iter().find(|line| find_reply_code(line).is_some()))
                .and_then(|line| diagnostic([*line]));
        }
    }
    Some((form, named, hint))
}
