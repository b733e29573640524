//! Gmail's notices: the older "Delivery to the following recipient failed permanently:" (or
//! "has been delayed:") with the addresses indented below, and the newer "Your message wasn't
//! delivered to gone@example.org because ..." ("** Address not found **"). The remote reply
//! follows "The error that the other server returned was:" or "The response from the remote
//! server was:".

use super::{host_after, Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Sentences followed by a list of addresses, lowercase.
const LISTS: &[(&str, Hint)] = &[
    (
        "delivery to the following recipient failed permanently",
        Hint::Permanent,
    ),
    (
        "delivery to the following recipients failed permanently",
        Hint::Permanent,
    ),
    (
        "delivery to the following recipient has been delayed",
        Hint::Temporary,
    ),
    (
        "delivery to the following recipients have been delayed",
        Hint::Temporary,
    ),
];

/// Sentences that name the address themselves, lowercase.
const SENTENCES: &[(&str, Hint)] = &[
    ("your message wasn't delivered to ", Hint::Permanent),
    (
        "there was a temporary problem delivering your message to ",
        Hint::Temporary,
    ),
    // Google Workspace's heading, whose address is only in `X-Failed-Recipients`.
    ("** message not delivered **", Hint::Permanent),
];

/// What introduces the remote server's reply, lowercase.
const REPLY_MARKERS: &[&str] = &[
    "the error that the other server returned was:",
    "the response from the remote server was:",
    "the response was:",
];

/// Recognises one of Gmail's notices and reads its addresses and the remote reply.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let (recipients, hint) = LISTS
        .iter()
        .find_map(|&(sentence, hint)| {
            let at = notice.find(sentence)?;
            let recipients = notice
                .paragraph_after(at)
                .iter()
                .flat_map(|line| address::find_all(line))
                .collect::<Vec<_>>();
            Some((recipients, hint))
        })
        .or_else(|| {
            SENTENCES.iter().find_map(|&(sentence, hint)| {
                let at = notice.find(sentence)?;
                let line = notice.lines[at];
                let after = &line[notice.lower[at].find(sentence)? + sentence.len()..];
                Some((address::find_first(after).into_iter().collect(), hint))
            })
        })?;
    let reply = REPLY_MARKERS
        .iter()
        .find_map(|marker| notice.find(marker))
        .map(|at| notice.paragraph_after(at))
        .unwrap_or_default();
    let remote_mta = notice.find("recipient domain").and_then(|at| {
        let line = notice.lines[at];
        let after_domain = &line[notice.lower[at].find("recipient domain")?..];
        host_after(after_domain, " by ")
    });
    let named = recipients
        .into_iter()
        .map(|recipient| Named {
            remote_mta: remote_mta.clone(),
            ..Named::new(recipient, reply.iter().copied())
        })
        .collect();
    Some((Form::Gmail, named, Some(hint)))
}
