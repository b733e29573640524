//! The `Name: value` blocks of report parts (`message/delivery-status`,
//! `message/feedback-report`): fields unfolded, grouped by the blank lines between them.

/// One field of a report part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    /// The field name, lowercase (`final-recipient`).
    pub name: String,
    /// The value, unfolded: each line break and the white space after it become one space.
    pub value: String,
}

/// Reads a report part into groups of fields, one group per block between blank lines (RFC
/// 3464: the per-message fields, then one group per recipient).
///
/// Lines that are neither a field nor a continuation are skipped, so a damaged part still
/// yields the fields that are whole.
pub(crate) fn groups(text: &str) -> Vec<Vec<Field>> {
    let mut groups = Vec::new();
    let mut group: Vec<Field> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !group.is_empty() {
                groups.push(std::mem::take(&mut group));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some(field) = group.last_mut() {
                let more = line.trim();
                if field.value.is_empty() {
                    field.value = more.to_owned();
                } else {
                    field.value.push(' ');
                    field.value.push_str(more);
                }
            }
        } else if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if !name.is_empty() && !name.contains(' ') {
                group.push(Field {
                    name: name.to_ascii_lowercase(),
                    value: value.trim().to_owned(),
                });
            }
        }
    }
    if !group.is_empty() {
        groups.push(group);
    }
    groups
}

/// The value of the first field called `name` (lowercase) in `group`.
pub(crate) fn value<'a>(group: &'a [Field], name: &str) -> Option<&'a str> {
    group
        .iter()
        .find(|field| field.name == name)
        .map(|field| field.value.as_str())
}

/// The values of every field called `name` (lowercase) in `group`, in order.
pub(crate) fn values<'a>(group: &'a [Field], name: &'a str) -> impl Iterator<Item = &'a str> {
    group
        .iter()
        .filter(move |field| field.name == name)
        .map(|field| field.value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_values_are_unfolded_into_single_spaces() {
        let text = "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>:\r\n    Recipient address rejected:\r\n\tUser unknown\r\n";
        let groups = groups(text);
        assert_eq!(
            value(&groups[0], "diagnostic-code"),
            Some("smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown")
        );
    }

    #[test]
    fn blank_lines_separate_the_groups_and_names_are_lowercased() {
        let text = "Reporting-MTA: dns; mail.itu.example\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\n\n\n\nFinal-Recipient: rfc822; b@example.org\nACTION: delayed\n";
        let groups = groups(text);
        assert_eq!(groups.len(), 3);
        assert_eq!(
            value(&groups[0], "reporting-mta"),
            Some("dns; mail.itu.example")
        );
        assert_eq!(value(&groups[2], "action"), Some("delayed"));
    }

    #[test]
    fn damaged_lines_are_skipped() {
        let text = "   orphan continuation\nnot a field\nStatus: 5.1.1\nBad Name: x\n";
        let groups = groups(text);
        assert_eq!(
            groups,
            vec![vec![Field {
                name: "status".into(),
                value: "5.1.1".into()
            }]]
        );
    }

    #[test]
    fn repeated_fields_are_all_kept() {
        let groups = groups("Original-Rcpt-To: a@example.org\nOriginal-Rcpt-To: b@example.org\n");
        assert_eq!(
            values(&groups[0], "original-rcpt-to").collect::<Vec<_>>(),
            ["a@example.org", "b@example.org"]
        );
    }
}
