//! Smail 3's notice, also as Deutsche Telekom (T-Online) still sends it: under
//! "|---- Failed addresses follow: ----|" each address, either as ` <gone@example.org>` with the
//! remote reply on the lines below, or as ` gone@example.org ... unknown host`;
//! "|---- Message log follows: ----|" above it may say why.

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises Smail's notice and reads its failed addresses.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let named = failed_addresses(notice)?;
    Some((Form::Smail, named, Some(Hint::Permanent)))
}

/// Smail 3's "|---- Failed addresses follow: ----|" up to the next such rule.
fn failed_addresses(notice: &Notice<'_>) -> Option<Vec<Named>> {
    let is_rule = |at: usize| notice.lower[at].trim_start().starts_with("|---");
    let start = (0..notice.lines.len())
        .find(|&at| is_rule(at) && notice.lower[at].contains("failed addresses follow:"))?;
    let log: Vec<&str> = notice
        .find("message log follows:")
        .filter(|&at| at < start)
        .map(|at| {
            notice.lines[at + 1..start]
                .iter()
                .copied()
                .filter(|line| !line.trim().is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut entries: Vec<(String, Vec<&str>)> = Vec::new();
    for at in (start + 1..notice.lines.len()).take_while(|&at| !is_rule(at)) {
        let line = notice.lines[at];
        let trimmed = line.trim();
        let bracketed = trimmed
            .strip_prefix('<')
            .and_then(|rest| rest.strip_suffix('>'))
            .and_then(address::bare);
        // ` gone@example.org ... unknown host`: the reason is the line's own, more precise
        // than the log's.
        let smail = trimmed
            .split_once(" ... ")
            .and_then(|(before, reason)| Some((address::bare(before)?, reason)));
        if let Some(recipient) = bracketed {
            entries.push((recipient, log.clone()));
        } else if let Some((recipient, reason)) = smail {
            entries.push((recipient, vec![reason]));
        } else if let Some((_, lines)) = entries.last_mut() {
            lines.push(line);
        }
    }
    let named = entries
        .into_iter()
        .map(|(recipient, lines)| Named::new(recipient, lines))
        .collect();
    Some(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipients(text: &str) -> Vec<(String, Option<String>)> {
        super::super::read_named(read, Form::Smail, text)
    }

    #[test]
    fn smail_lists_failed_addresses_between_rules() {
        let rule = |name: &str| format!("|------------------------- {name}: ----------|\n");
        let telekom = format!(
            "{} <full@example.net>\n   552 5.2.2 <full@example.net> Quota exceeded\n\n{}To: other@example.net\n",
            rule("Failed addresses follow"),
            rule("Message header follows")
        );
        assert_eq!(
            recipients(&telekom),
            [(
                "full@example.net".to_owned(),
                Some("552 5.2.2 <full@example.net> Quota exceeded".to_owned())
            )]
        );
        let smail = format!(
            "{} no valid recipients were found for this message\n{} gone@nowhere.example.org ... unknown host\n{}",
            rule("Message log follows"),
            rule("Failed addresses follow"),
            rule("Message text follows")
        );
        assert_eq!(
            recipients(&smail),
            [(
                "gone@nowhere.example.org".to_owned(),
                Some("unknown host".to_owned())
            )]
        );
    }
}
