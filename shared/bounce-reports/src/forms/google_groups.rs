//! Google Groups' notice, sent by Google's mailer daemon in the poster's language: the group
//! "may not exist, or you may not have permission to post messages to the group", signed
//! "Google Groups" (or "Google Groups小組敬上") with a link to `groups.google.com/support`. The notice names the group by
//! its name only; the address is in the `X-Failed-Recipients` header.

use super::{Notice, Reading};
use crate::status::Hint;
use crate::Form;

/// Recognises Google Groups' notice; its addresses come from `X-Failed-Recipients`.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
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

    #[test]
    fn the_support_link_and_the_signature_make_the_notice() {
        let text =
            "Bonjour reader@example.org,\n\nIl se peut que le groupe (circulars) n'existe pas.\n\n\
                    consultez https://groups.google.com/support/.\n\nMerci,\n\nGoogle Groups \n";
        let (form, named, hint) = read(&Notice::new(text)).unwrap();
        assert_eq!(
            (form, named.len(), hint),
            (Form::GoogleGroups, 0, Some(Hint::Permanent))
        );
        // A person quoting the link is not Google Groups.
        assert!(read(&Notice::new(
            "See https://groups.google.com/support/ for help.\n"
        ))
        .is_none());
    }
}
