//! Lotus (HCL) Domino's notice: "Your message ... was not delivered to: gone@example.org
//! because: User gone (gone@example.org) not listed in Domino Directory".

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises Domino's notice and reads its addresses and reason.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let not_delivered = notice.find("was not delivered to:")?;
    let because = notice.find_from("because:", not_delivered + 1)?;
    let reason = notice.paragraph_after(because);
    let named = notice
        .lines
        .get(not_delivered + 1..because)
        .unwrap_or_default()
        .iter()
        .flat_map(|line| address::find_all(line))
        .map(|recipient| Named::new(recipient, reason.iter().copied()))
        .collect();
    Some((Form::Domino, named, Some(Hint::Permanent)))
}
