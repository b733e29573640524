//! The words mail systems write when they give no code: used by [`crate::status::kind_of`]
//! only when neither an enhanced status nor an SMTP reply code decides.

use crate::status::Hint;

/// An RFC 3463 subject and detail, such as `(1, 1)` for "bad destination mailbox address".
pub(crate) type SubjectDetail = (u16, u16);

/// What a recognised phrase says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Phrase {
    /// Permanent or temporary.
    pub hint: Hint,
    /// The RFC 3463 subject and detail the phrase names (`user unknown`: 1.1), if one.
    pub subject_detail: Option<SubjectDetail>,
}

use Hint::{Permanent, Temporary};

/// The phrases, lowercase, most specific first: the first one found in a text decides.
const PHRASES: &[(&str, Hint, Option<SubjectDetail>)] = &[
    // The mailbox does not exist (x.1.1).
    ("user unknown", Permanent, Some((1, 1))),
    ("unknown user", Permanent, Some((1, 1))),
    ("no such user", Permanent, Some((1, 1))),
    ("no such recipient", Permanent, Some((1, 1))),
    ("unknown recipient", Permanent, Some((1, 1))),
    ("invalid recipient", Permanent, Some((1, 1))),
    ("recipient not found", Permanent, Some((1, 1))),
    ("recipientnotfound", Permanent, Some((1, 1))),
    ("recipnotfound", Permanent, Some((1, 1))),
    ("no mailbox here by that name", Permanent, Some((1, 1))),
    ("mailbox not found", Permanent, Some((1, 1))),
    ("address not found", Permanent, Some((1, 1))),
    ("couldn't be found", Permanent, Some((1, 1))),
    ("could not be found", Permanent, Some((1, 1))),
    ("does not exist", Permanent, Some((1, 1))),
    ("doesn't exist", Permanent, Some((1, 1))),
    ("this user doesn't have a", Permanent, Some((1, 1))),
    ("not listed in domino directory", Permanent, Some((1, 1))),
    (
        "not listed in the domino directory",
        Permanent,
        Some((1, 1)),
    ),
    // The domain does not exist (x.1.2).
    ("host or domain name not found", Permanent, Some((1, 2))),
    ("domain not found", Permanent, Some((1, 2))),
    ("no such domain", Permanent, Some((1, 2))),
    ("unrouteable address", Permanent, Some((1, 2))),
    ("unroutable address", Permanent, Some((1, 2))),
    // The mailbox is disabled (x.2.1).
    ("account has been disabled", Permanent, Some((2, 1))),
    ("account is disabled", Permanent, Some((2, 1))),
    ("mailbox disabled", Permanent, Some((2, 1))),
    // The mailbox is full (x.2.2).
    ("mailbox full", Temporary, Some((2, 2))),
    ("mailbox is full", Temporary, Some((2, 2))),
    ("over quota", Temporary, Some((2, 2))),
    ("quota exceeded", Temporary, Some((2, 2))),
    ("exceeded storage", Temporary, Some((2, 2))),
    // No mail server for the domain (x.4.4).
    ("no mx record found", Permanent, Some((4, 4))),
    // Given up after retrying: the notice is final, whatever failed on the way (x.4.7).
    ("giving up", Permanent, Some((4, 7))),
    ("not going to try again", Permanent, Some((4, 7))),
    // The network or the remote system, for now (x.4.x).
    ("connection timed out", Temporary, Some((4, 1))),
    ("timed out", Temporary, Some((4, 1))),
    ("connection refused", Temporary, Some((4, 1))),
    ("greylist", Temporary, Some((7, 1))),
    // Every host of the domain unreachable for long, still being tried (Exim).
    ("have been failing for a long time", Temporary, Some((4, 1))),
    // Said outright.
    ("failed permanently", Permanent, None),
    ("permanent error", Permanent, None),
    ("permanent failure", Permanent, None),
    ("permanent fatal", Permanent, None),
    ("try again later", Temporary, None),
    ("temporarily", Temporary, None),
    ("temporary failure", Temporary, None),
    ("temporary problem", Temporary, None),
    ("transient", Temporary, None),
    ("deferred", Temporary, None),
    ("delayed", Temporary, None),
    ("will be retried", Temporary, None),
    ("will retry", Temporary, None),
    ("still being retried", Temporary, None),
    ("not yet been delivered", Temporary, None),
    ("warning message only", Temporary, None),
    ("warning only", Temporary, None),
];

/// The first phrase of the table that `text` contains, ignoring ASCII case.
pub(crate) fn recognise(text: &str) -> Option<Phrase> {
    let lower = text.to_ascii_lowercase();
    PHRASES
        .iter()
        .find(|(needle, _, _)| lower.contains(needle))
        .map(|&(_, hint, subject_detail)| Phrase {
            hint,
            subject_detail,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_phrase_wins() {
        let phrase = recognise("Mailbox full; also: User Unknown").unwrap();
        assert_eq!(
            (phrase.hint, phrase.subject_detail),
            (Permanent, Some((1, 1)))
        );
        let phrase = recognise("Connection timed out, will retry").unwrap();
        assert_eq!(
            (phrase.hint, phrase.subject_detail),
            (Temporary, Some((4, 1)))
        );
        // A notice that gives up is final, whatever failed on the way.
        let phrase = recognise("Connection timed out. I'm not going to try again.").unwrap();
        assert_eq!(phrase.hint, Permanent);
        let phrase = recognise("all hosts have been failing for a long time").unwrap();
        assert_eq!(phrase.hint, Temporary);
        assert_eq!(recognise("Thank you for the circular"), None);
    }
}
