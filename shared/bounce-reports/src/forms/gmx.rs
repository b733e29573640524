//! The notice of GMX, mail.com and 1&1 (one platform). It opens like Exim's ("This message was created
//! automatically by mail delivery software. ... The following address failed:") but names
//! each address on a line of its own (`"gone@example.org":`, `gone@example.org:` or
//! `<gone@example.org>`), with the reason on the lines below (1&1 labels it "For the following
//! reason:"), and pastes the returned headers after "--- The header of the
//! original message is following. ---".

use super::{indent, Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises GMX's notice and reads its addresses and their reasons.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let start = notice.find("this message was created automatically by mail delivery software")?;
    let failed = (start + 1..notice.lines.len()).find(|&at| {
        let line = notice.lower[at].trim();
        line.ends_with("failed:")
            && (line.contains("address") || notice.lower[at - 1].contains("address"))
    })?;
    // Unlike Exim, which indents its list, the first address starts its line.
    let first = notice
        .lines
        .iter()
        .skip(failed + 1)
        .find(|line| !line.trim().is_empty())?;
    if indent(first) > 0 || address_line(first).is_none() {
        return None;
    }
    let mut named = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in notice.lines.iter().skip(failed + 1) {
        if let Some(recipient) = address_line(line) {
            named.extend(
                current
                    .take()
                    .map(|(recipient, lines)| Named::new(recipient, lines)),
            );
            current = Some((recipient, Vec::new()));
        } else if let Some((_, lines)) = current.as_mut() {
            // 1&1 puts a label above the reason; the reason alone is the diagnostic.
            let label = line
                .trim()
                .eq_ignore_ascii_case("for the following reason:");
            if !line.trim().is_empty() && !label {
                lines.push(line);
            }
        }
    }
    named.extend(current.map(|(recipient, lines)| Named::new(recipient, lines)));
    Some((Form::Gmx, named, Some(Hint::Permanent)))
}

/// A line that is only an address: `"gone@example.org":`, `gone@example.org:` or
/// `<gone@example.org>`.
fn address_line(line: &str) -> Option<String> {
    let line = line.trim();
    let inner = line.strip_suffix(':').unwrap_or(line);
    let inner = inner
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .or_else(|| {
            inner
                .strip_prefix('<')
                .and_then(|rest| rest.strip_suffix('>'))
        })
        .unwrap_or(inner);
    if inner.is_empty() || inner.contains(char::is_whitespace) || inner.contains(['"', '<', '>']) {
        return None;
    }
    address::bare(inner)
}
