//! Zoho Mail's notice. Its failure reads like Exim's ("This message was created automatically
//! by mail delivery software. ... This is a permanent error.") but gives one line per address,
//! `gone@example.org Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 ... User unknown`; its
//! delay warning ("THIS IS A WARNING MESSAGE ONLY.") one bracketed line per address,
//! `[Status: Error, Address: <slow@example.org>, ResponseCode 421, , Host not reachable.]`.

use super::{leading_address, Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises Zoho's notice by its address lines, and reads them.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let named: Vec<Named> = notice
        .lines
        .iter()
        .zip(&notice.lower)
        .filter_map(|(line, lower)| {
            let recipient = if lower.contains(", error_code :") {
                leading_address(line)
            } else if lower.trim_start().starts_with("[status: ") && lower.contains("address: ") {
                address::find_first(line)
            } else {
                None
            }?;
            Some(Named::new(recipient, [*line]))
        })
        .collect();
    if named.is_empty() {
        return None;
    }
    let hint = if notice.contains("this is a warning message only") {
        Hint::Temporary
    } else {
        Hint::Permanent
    };
    Some((Form::Zoho, named, Some(hint)))
}
