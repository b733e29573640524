//! Mimecast's notice: "An email that you attempted to send to the following address could not
//! be delivered:" (or "an email you addressed to email address :"), then `-- gone@example.org`;
//! "The problem appears to be :" and "Additional information follows :" each with a `-- ` line.

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises Mimecast's notice and reads its `-- ` lines.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let problem = notice.find("the problem appears to be :")?;
    let information = notice.find("additional information follows :");
    let dashed = |from: usize| {
        notice
            .lines
            .iter()
            .skip(from + 1)
            .filter_map(|line| line.trim().strip_prefix("-- "))
            .next()
    };
    let reasons: Vec<&str> = information
        .and_then(dashed)
        .into_iter()
        .chain(dashed(problem))
        .collect();
    let named = notice.lines[..problem]
        .iter()
        .filter_map(|line| line.trim().strip_prefix("-- "))
        .filter_map(address::bare)
        .map(|recipient| Named::new(recipient, reasons.iter().copied()))
        .collect();
    Some((Form::Mimecast, named, Some(Hint::Permanent)))
}
