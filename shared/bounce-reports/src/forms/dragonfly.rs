//! The DragonFly Mail Agent's notice (dma, the small MTA of DragonFly BSD and others): "This is
//! the DragonFly Mail Agent v0.13 at mail.example.org.", then "There was an error delivering
//! your mail to <gone@example.org>.", then the reason in a paragraph of its own
//! (`mx.example.org [192.0.2.10] did not like our RCPT TO:` and the server's reply, or "Could
//! not deliver for the last 432000 seconds. Giving up."). dma sends it only once it gives up.

use super::{Named, Notice, Reading};
use crate::report::MAX_NAME;
use crate::status::Hint;
use crate::{address, text, Form};

/// The sentence that names the address.
const ERROR_DELIVERING: &str = "there was an error delivering your mail to";

/// Recognises dma's notice and reads its address and reason.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let agent = notice.find("this is the dragonfly mail agent")?;
    let mut named = Vec::new();
    let mut from = agent;
    while let Some(error) = notice.find_from(ERROR_DELIVERING, from) {
        from = error + 1;
        let reason = notice.paragraph_after(error);
        if let Some(recipient) = address::find_first(notice.lines[error]) {
            let mut one = Named::new(recipient, reason.iter().copied());
            one.remote_mta = reason
                .first()
                .filter(|line| line.contains("did not like our"))
                .and_then(|line| line.split_whitespace().next())
                .filter(|host| host.contains('.'))
                .and_then(|host| text::clip(host, MAX_NAME));
            named.push(one);
        }
    }
    Some((Form::Dragonfly, named, Some(Hint::Permanent)))
}
