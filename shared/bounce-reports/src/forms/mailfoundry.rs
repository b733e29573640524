//! MailFoundry's notice: "Unable to deliver message to: <gone@example.org>", then under
//! "Delivery failed for the following reason:" the remote server's reply, and "This has been a
//! permanent failure."

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises MailFoundry's notice and reads its address and reason.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let to = (0..notice.lines.len()).find(|&at| {
        notice.lower[at]
            .trim_start()
            .starts_with("unable to deliver message to:")
    })?;
    let reason = notice.find_from("delivery failed for the following reason:", to + 1)?;
    let recipient = address::find_first(notice.lines[to])?;
    let named = Named::new(recipient, notice.paragraph_after(reason));
    Some((Form::Mailfoundry, vec![named], Some(Hint::Permanent)))
}
