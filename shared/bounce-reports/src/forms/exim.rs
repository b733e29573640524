//! Exim's notice ("This message was created automatically by mail delivery software."): after
//! "The following address(es) failed:" (or, in a delay warning, "The address to which the
//! message has not yet been delivered is:"), each address indented two spaces, its reasons
//! indented four; "(generated from alias@...)" names the address we sent to.

use super::{host_after, indent, leading_address, Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises Exim's notice and reads its list of addresses.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let start = notice.find("this message was created automatically by mail delivery software")?;
    let hint = if notice.contains("has not yet been delivered") {
        Hint::Temporary
    } else {
        Hint::Permanent
    };
    let list = (start..notice.lines.len()).find(|&index| {
        let line = notice.lower[index].trim_end();
        line.ends_with(':') && line.contains("address")
    });
    let mut named = Vec::new();
    let mut current: Option<(String, Option<String>, Vec<&str>)> = None;
    for line in list.map_or(&[][..], |list| &notice.lines[list + 1..]) {
        if line.trim().is_empty() {
            continue;
        }
        match indent(line) {
            0 => break,
            1..=3 => {
                named.extend(current.take().map(finish));
                current = leading_address(line).map(|recipient| (recipient, None, Vec::new()));
            }
            _ => {
                if let Some((_, alias, lines)) = current.as_mut() {
                    match line.trim().strip_prefix("(generated from ") {
                        Some(from) => *alias = address::bare(from.trim_end_matches(')')),
                        None => lines.push(line),
                    }
                }
            }
        }
    }
    named.extend(current.take().map(finish));
    Some((Form::Exim, named, Some(hint)))
}

fn finish((recipient, alias, lines): (String, Option<String>, Vec<&str>)) -> Named {
    let mut named = Named::expanded(recipient, alias, lines);
    named.remote_mta = named
        .diagnostic
        .as_deref()
        .and_then(|diagnostic| host_after(diagnostic, "host "));
    named
}
