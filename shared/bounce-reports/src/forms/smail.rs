//! Smail's notice: a "Message log follows:" rule, then under "|---- Failed addresses follow:
//! ----|" one line per address, ` gone@example.org ... unknown host`, up to "Message text
//! follows:".

use super::{leading_address, Named, Notice, Reading};
use crate::status::Hint;
use crate::Form;

/// Recognises Smail's notice and reads its failed addresses.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let failed = notice.find("failed addresses follow:")?;
    let named = notice.lines[failed + 1..]
        .iter()
        .zip(&notice.lower[failed + 1..])
        .take_while(|(_, lower)| !lower.contains("message text follows:"))
        .filter_map(|(line, _)| {
            let recipient = leading_address(line)?;
            let reason = line.split_once("...").map_or(*line, |(_, reason)| reason);
            Some(Named::new(recipient, [reason]))
        })
        .collect();
    Some((Form::Smail, named, Some(Hint::Permanent)))
}
