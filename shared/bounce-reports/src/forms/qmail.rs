//! qmail's notice ("Hi. This is the qmail-send program at ...") and Yahoo's, which has the same
//! shape ("Sorry, we were unable to deliver your message to the following address."): each
//! address alone on a line as `<gone@example.org>:`, then its reasons up to a blank line.

use super::{host_after, Clues, Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises qmail's or Yahoo's notice and reads each `<address>:` block.
pub(super) fn read(notice: &Notice<'_>, clues: &Clues<'_>) -> Option<Reading> {
    let qmail = notice.find("this is the qmail-send program at");
    let yahoo = notice
        .find("we were unable to deliver your message to the following address")
        .or_else(|| notice.find("unable to deliver message to the following address"));
    let start = qmail.or(yahoo)?;
    let from_yahoo = clues
        .sender
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.contains("yahoo"));
    let form = if yahoo.is_some() || from_yahoo {
        Form::Yahoo
    } else {
        Form::Qmail
    };
    let hint = notice
        .contains("this is a permanent error")
        .then_some(Hint::Permanent);
    let mut named = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in &notice.lines[start..] {
        let trimmed = line.trim();
        let recipient = trimmed
            .strip_prefix('<')
            .and_then(|rest| rest.strip_suffix(">:"))
            .and_then(address::bare);
        if let Some(recipient) = recipient {
            named.extend(current.take().map(finish));
            current = Some((recipient, Vec::new()));
        } else if trimmed.is_empty() {
            named.extend(current.take().map(finish));
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    named.extend(current.take().map(finish));
    Some((form, named, hint))
}

fn finish((recipient, lines): (String, Vec<&str>)) -> Named {
    let mut named = Named::new(recipient, lines);
    named.remote_mta = named.diagnostic.as_deref().and_then(|diagnostic| {
        host_after(diagnostic, "giving up on ").or_else(|| {
            let lower = diagnostic.to_ascii_lowercase();
            let before = &diagnostic[..lower.find(" does not like recipient")?];
            host_after(before.rsplit(' ').next()?, "")
        })
    });
    named
}
