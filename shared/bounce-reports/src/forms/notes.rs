//! Lotus Notes' notice: under "------- Failure Reasons --------" the reason (often in the
//! sender's language: "User not listed in public Name & Address Book"), then the address, up
//! to "------- Returned Message --------".

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises Notes' notice and reads each address with the reasons above it.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let start = notice.find("------- failure reasons")?;
    let mut named = Vec::new();
    let mut reasons: Vec<&str> = Vec::new();
    for line in &notice.lines[start + 1..] {
        let trimmed = line.trim();
        if trimmed.starts_with("-------") {
            break;
        }
        match address::find_first(trimmed) {
            Some(recipient) if recipient == trimmed.trim_matches(['<', '>']) => {
                named.push(Named::new(recipient, std::mem::take(&mut reasons)));
            }
            _ if !trimmed.is_empty() => reasons.push(trimmed),
            _ => {}
        }
    }
    Some((Form::Notes, named, Some(Hint::Permanent)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_takes_the_reasons_above_it() {
        let text =
            "------- Failure Reasons  --------\n\nUser not listed in public Name & Address Book\n\
                    gone@example.org\n\n------- Returned Message --------\nTo: other@example.org\n";
        let (_, named, _) = read(&Notice::new(text)).unwrap();
        assert_eq!(named.len(), 1);
        assert_eq!(named[0].recipient, "gone@example.org");
        assert_eq!(
            named[0].diagnostic.as_deref(),
            Some("User not listed in public Name & Address Book")
        );
    }
}
