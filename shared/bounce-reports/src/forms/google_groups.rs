//! Google Groups' notice, sent by Google's mailer daemon in the poster's language: the group
//! "may not exist, or you may not have permission to post messages to the group", signed
//! "Google Groups" (or "Google Groups小組敬上") with a link to `groups.google.com/support`. The notice names the group by
//! its name only; the address is in the `X-Failed-Recipients` header.

use super::{Clues, Notice, Reading};
use crate::status::Hint;
use crate::Form;

/// Recognises Google Groups' notice; its addresses come from `X-Failed-Recipients`, without
/// which it is some other message of Google Groups (a moderation notice, a digest).
pub(super) fn read(notice: &Notice<'_>, clues: &Clues<'_>) -> Option<Reading> {
    if clues.failed_recipients.is_empty() {
        return None;
    }
    notice.find("groups.google.com/support")?;
    let signed = notice
        .lower
        .iter()
        .any(|line| line.trim_start().starts_with("google groups"));
    signed.then_some((Form::GoogleGroups, Vec::new(), Some(Hint::Permanent)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Bonjour reader@example.org,\n\nIl se peut que le groupe (circulars) n'existe pas.\n\n\
                        consultez https://groups.google.com/support/.\n\nMerci,\n\nGoogle Groups \n";

    fn clues(failed: &[&str]) -> Clues<'static> {
        Clues {
            text: TEXT,
            sender: "mailer-daemon@example.net",
            failed_recipients: failed.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    #[test]
    fn the_support_link_the_signature_and_a_failed_address_make_the_notice() {
        let failed = clues(&["circulars@groups.example.net"]);
        let (form, named, hint) = read(&Notice::new(TEXT), &failed).unwrap();
        assert_eq!(
            (form, named.len(), hint),
            (Form::GoogleGroups, 0, Some(Hint::Permanent))
        );
        // A person quoting the link is not Google Groups.
        let quoted = "See https://groups.google.com/support/ for help.\n";
        assert!(read(&Notice::new(quoted), &failed).is_none());
        // Nor is a message of Google Groups that reports no failed address.
        assert!(read(&Notice::new(TEXT), &clues(&[])).is_none());
    }
}
