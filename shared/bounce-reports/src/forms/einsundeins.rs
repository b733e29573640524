//! 1&1's notice (also sent for GMX's and web.de's neighbours on kundenserver): Exim's opening,
//! but the addresses flush left under "The following address failed:" (or "address(es)
//! failed:" wrapped), each either followed by its reason on the next lines (`gone@example.org:`)
//! or by "For the following reason:" and a paragraph; the returned headers follow
//! "--- The header of the original message is following. ---".

use super::{leading_address, Named, Notice, Reading};
use crate::status::Hint;
use crate::Form;

/// Recognises 1&1's notice and reads its addresses and reasons.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let start = notice.find("this message was created automatically by mail delivery software")?;
    let end = notice.find_from("--- the header of the original message is following", start)?;
    let list = (start..end).find(|&at| notice.lower[at].trim_end().ends_with("failed:"))?;
    let reason_heading = notice.find_from("for the following reason:", list);
    let mut named = Vec::new();
    for at in list + 1..reason_heading.unwrap_or(end) {
        let line = notice.lines[at];
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some(recipient) = leading_address(line) else {
            continue;
        };
        let reason = match reason_heading {
            Some(heading) => notice.paragraph_after(heading),
            None => notice.paragraph_after(at),
        };
        named.push(Named::new(recipient, reason));
    }
    Some((Form::Exim, named, Some(Hint::Permanent)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_is_below_the_address_or_under_its_heading() {
        let below = "This message was created automatically by mail delivery software.\n\n\
                     This is a permanent error. The following address(es)\nfailed:\n\n\
                     gone@example.org:\nSMTP error from remote server for RCPT TO command, host: mx.example.org reason: 550 5.1.1 unknown\n\n\
                     --- The header of the original message is following. ---\n";
        let (_, named, _) = read(&Notice::new(below)).unwrap();
        assert_eq!(named[0].recipient, "gone@example.org");
        assert!(named[0]
            .diagnostic
            .as_deref()
            .unwrap()
            .contains("550 5.1.1"));
        let heading = "This message was created automatically by mail delivery software.\n\n\
                       The following address failed:\n\ngone@example.org\n\nFor the following reason:\n\n\
                       Mail size limit exceeded.\n\n--- The header of the original message is following. ---\n";
        let (_, named, _) = read(&Notice::new(heading)).unwrap();
        assert_eq!(
            named[0].diagnostic.as_deref(),
            Some("Mail size limit exceeded.")
        );
    }
}
