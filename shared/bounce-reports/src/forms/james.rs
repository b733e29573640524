//! Apache James's notice (also sent by Verizon's vtext.com gateway): "Error: Invalid user
//! address", the remote reply under "Error message below:", then under "Message details:" the
//! envelope, whose `RCPT TO: gone@example.org` names the address.

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises James's notice and reads its address and reason.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let below = notice.find("error message below:")?;
    let details = notice.find_from("message details:", below + 1)?;
    let error = (0..below).find(|&at| notice.lower[at].trim_start().starts_with("error:"));
    let mut reason: Vec<&str> = error.map(|at| notice.lines[at]).into_iter().collect();
    reason.extend(notice.paragraph_after(below));
    let named = notice
        .paragraph_after(details)
        .into_iter()
        .filter_map(|line| {
            let rcpt = line.trim_start();
            rcpt.get(..8)
                .filter(|head| head.eq_ignore_ascii_case("rcpt to:"))
                .and_then(|_| address::bare(&rcpt[8..]))
        })
        .map(|recipient| Named::new(recipient, reason.iter().copied()))
        .collect();
    Some((Form::James, named, Some(Hint::Permanent)))
}
