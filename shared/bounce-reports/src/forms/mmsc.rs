//! The notice of a mobile carrier's MMS gateway (Verizon's vzwpix.com): "Message could not be
//! delivered to mobile.", the reason on an `Error:` line, then under "Original Message:" the
//! returned message's `To:` lines, which name the addresses.

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises the MMS gateway's notice and reads its addresses and reason.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let start = notice.find("message could not be delivered to mobile")?;
    let original = notice.find_from("original message:", start + 1)?;
    let error: Vec<&str> = (start..original)
        .filter(|&at| notice.lower[at].trim_start().starts_with("error:"))
        .map(|at| notice.lines[at])
        .collect();
    let named = notice.lines[original + 1..]
        .iter()
        .zip(&notice.lower[original + 1..])
        .take_while(|(line, _)| !line.trim().is_empty())
        .filter(|(_, lower)| lower.starts_with("to:"))
        .flat_map(|(line, _)| address::find_all(line))
        .map(|recipient| Named::new(recipient, error.iter().copied()))
        .collect();
    Some((Form::Mmsc, named, Some(Hint::Permanent)))
}
