//! Trend Micro InterScan Messaging Security Suite's notice: either the exchange with the
//! remote server (`Sent <<< RCPT TO:<gone@example.org>` then `Received >>> 550 5.1.1 ...`), or
//! "Unable to deliver message to <gone@example.org> (and other recipients in the same
//! domain)." under "Message from InterScan Messaging Security Suite".

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises InterScan's notice and reads its addresses and replies.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let mut named = Vec::new();
    for (at, lower) in notice.lower.iter().enumerate() {
        let Some(rcpt) = lower.trim_start().strip_prefix("sent <<< rcpt to:") else {
            continue;
        };
        let reply = notice.lines.get(at + 1).filter(|_| {
            notice.lower[at + 1]
                .trim_start()
                .starts_with("received >>> ")
        });
        if let (Some(recipient), Some(reply)) = (address::bare(rcpt), reply) {
            let reply = reply
                .trim_start()
                .get("received >>> ".len()..)
                .unwrap_or(reply);
            named.push(Named::new(recipient, [reply]));
        }
    }
    if named.is_empty() {
        let suite = notice.find("message from interscan messaging security suite")?;
        let unable = notice.find_from("unable to deliver message to <", suite + 1)?;
        let recipient = address::find_first(notice.lines[unable])?;
        named.push(Named::new(recipient, [notice.lines[unable]]));
    }
    Some((Form::Interscan, named, Some(Hint::Permanent)))
}
