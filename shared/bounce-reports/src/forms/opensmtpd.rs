//! OpenSMTPD's notice: "This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.", then
//! "An error has occurred while attempting to deliver a message for the following list of
//! recipients:" (or, in a delay warning, "A message is delayed for more than 4 hours for the
//! following list of recipients:"), then one line per address, `gone@example.org: 550 5.1.1
//! ... User unknown`. Newer versions add a delivery-status part, read as a DSN before this.

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises OpenSMTPD's notice and reads its list of recipients.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let daemon = notice.find("this is the mailer-daemon, please do not reply")?;
    let (opening, hint) = [
        (
            "an error has occurred while attempting to deliver",
            Hint::Permanent,
        ),
        ("a message is delayed for more than", Hint::Temporary),
    ]
    .into_iter()
    .find_map(|(opening, hint)| Some((notice.find_from(opening, daemon)?, hint)))?;
    let list = notice.find_from("list of recipients:", opening)?;
    let named = notice
        .paragraph_after(list)
        .into_iter()
        .filter_map(|line| {
            let (recipient, reason) = line.split_once(": ")?;
            let recipient = address::bare(recipient)?;
            Some(Named::new(recipient, [reason]))
        })
        .collect();
    Some((Form::Opensmtpd, named, Some(hint)))
}
