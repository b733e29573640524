//! fml's refusal of a post by a non-member: "You are not a member of this mailing list
//! <list@example.org>." The list is the address that will not take our mail.

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// The sentence that names the list, lowercase.
const NOT_A_MEMBER: &str = "you are not a member of this mailing list";

/// Recognises fml's refusal and reads the list's address.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let at = notice.find(NOT_A_MEMBER)?;
    let line = notice.lines[at];
    let rest = notice.lower[at]
        .find(NOT_A_MEMBER)
        .and_then(|start| line.get(start + NOT_A_MEMBER.len()..))
        .unwrap_or_default();
    let named = address::find_first(rest)
        .map(|list| Named::new(list, [line]))
        .into_iter()
        .collect();
    Some((Form::Fml, named, Some(Hint::Permanent)))
}
