//! Amazon WorkMail's notice: "An error occurred while trying to deliver the mail to the
//! following recipients:", the addresses one a line, then "Technical report:" with the fields
//! of a delivery-status part written into the text (`Diagnostic-Code: smtp; 550 5.1.1 ...`,
//! `Status: 5.1.1`), which decide the kind.

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises WorkMail's notice and reads its addresses and technical report.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let list =
        notice.find("an error occurred while trying to deliver the mail to the following")?;
    let report = notice.find_from("technical report:", list + 1)?;
    let fields: Vec<&str> = (report + 1..notice.lines.len())
        .filter(|&at| {
            let lower = notice.lower[at].trim_start();
            lower.starts_with("diagnostic-code:") || lower.starts_with("status:")
        })
        .map(|at| notice.lines[at])
        .collect();
    let named = notice.lines[list + 1..report]
        .iter()
        .filter_map(|line| address::bare(line))
        .filter(|recipient| !recipient.contains(' '))
        .map(|recipient| Named::new(recipient, fields.iter().copied()))
        .collect();
    Some((Form::AmazonWorkmail, named, Some(Hint::Permanent)))
}
