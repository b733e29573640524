//! Ipswitch IMail Server's notice ("Undeliverable Mail" from Postmaster): one line per address,
//! the reason before it, `Unknown user: gone@example.org` or `User mailbox exceeds allowed
//! size: full@example.org`, then "Original message follows."; or `undeliverable to
//! gone@example.org` with the remote server's reply under "Body of message generated
//! response:".

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// The reasons IMail writes before an address, lowercase, each followed by `: address`.
const REASONS: &[&str] = &[
    "unknown user",
    "invalid final delivery userid",
    "user mailbox exceeds allowed size",
    "delivery failed",
    "unknown host",
    "host unknown",
    "request failed",
    "requested action not taken: virus detected",
];

/// Recognises IMail's notice and reads its addresses.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    if let Some(at) = notice.find("undeliverable to ") {
        let response = notice.find_from("body of message generated response:", at + 1)?;
        let recipient = address::find_first(notice.lines[at])?;
        let named = Named::new(recipient, notice.paragraph_after(response));
        return Some((Form::Imail, vec![named], Some(Hint::Permanent)));
    }
    let follows = (0..notice.lines.len())
        .find(|&at| notice.lower[at].trim() == "original message follows.")?;
    let named: Vec<Named> = notice.lines[..follows]
        .iter()
        .filter_map(|line| {
            let (reason, rest) = line.rsplit_once(": ")?;
            let reason = reason.trim().to_ascii_lowercase();
            let known = REASONS.iter().any(|known| {
                reason == *known || (reason.starts_with(known) && reason.ends_with(" attempts"))
            });
            known
                .then(|| address::bare(rest))
                .flatten()
                .map(|recipient| Named::new(recipient, [*line]))
        })
        .collect();
    if named.is_empty() {
        return None;
    }
    Some((Form::Imail, named, Some(Hint::Permanent)))
}
