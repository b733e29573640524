//! Postfix's notice ("This is the mail system at host ..."): one paragraph per address,
//! `<gone@example.org>: host mx.example.org[192.0.2.10] said: 550 5.1.1 ...`, continued on
//! indented lines. "THIS IS A WARNING ONLY" marks a delay warning.

use super::{host_after, Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises Postfix's notice and reads each address's paragraph.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    notice
        .find("this is the mail system at host")
        .or_else(|| notice.find("this is the postfix program at host"))?;
    let hint = if notice.contains("this is a warning only") {
        Hint::Temporary
    } else {
        Hint::Permanent
    };
    let lines = joined(&notice.lines);
    let mut named = Vec::new();
    let mut current: Option<(String, Option<String>, Vec<&str>)> = None;
    for line in &lines {
        if let Some((recipient, alias, rest)) = recipient_line(line) {
            named.extend(current.take().map(finish));
            current = Some((recipient, alias, vec![rest]));
        } else if line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            if let Some((_, _, lines)) = current.as_mut() {
                lines.push(line);
            }
        } else {
            named.extend(current.take().map(finish));
        }
    }
    named.extend(current.take().map(finish));
    Some((Form::Postfix, named, Some(hint)))
}

/// The lines, with an address line that breaks after "(expanded from" joined to the next
/// (`<final@example.org> (expanded from` / `    <alias@example.org>): rest`).
fn joined(lines: &[&str]) -> Vec<String> {
    let mut joined: Vec<String> = Vec::with_capacity(lines.len());
    let mut lines = lines.iter();
    while let Some(line) = lines.next() {
        let mut line = (*line).to_owned();
        if line.starts_with('<') && line.trim_end().ends_with("(expanded from") {
            if let Some(next) = lines.next() {
                line = format!("{} {}", line.trim_end(), next.trim_start());
            }
        }
        joined.push(line);
    }
    joined
}

/// `<final@example.org> (expanded from <alias@example.org>): rest`: the address, the alias it
/// was expanded from, and the rest of the line.
fn recipient_line(line: &str) -> Option<(String, Option<String>, &str)> {
    let rest = line.strip_prefix('<')?;
    let (recipient, after) = rest.split_once('>')?;
    let recipient = address::bare(recipient)?;
    if let Some(rest) = after.strip_prefix(':') {
        return Some((recipient, None, rest));
    }
    let expansion = after.trim_start().strip_prefix("(expanded from ")?;
    let (alias, rest) = expansion.split_once("):")?;
    Some((recipient, address::bare(alias), rest))
}

fn finish((recipient, alias, lines): (String, Option<String>, Vec<&str>)) -> Named {
    let mut named = Named::expanded(recipient, alias, lines);
    named.remote_mta = named.diagnostic.as_deref().and_then(|diagnostic| {
        host_after(diagnostic, "host ").or_else(|| host_after(diagnostic, "connect to "))
    });
    named
}
