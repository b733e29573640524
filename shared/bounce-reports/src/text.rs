//! Bounded pieces of text: nothing in this crate reads more of a report than these limits allow.

/// Returns at most the first `max` bytes of `text`, cut on a character boundary.
pub(crate) fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Returns `text` trimmed, cut to at most `max` bytes, as an owned string; `None` when empty.
pub(crate) fn clip(text: &str, max: usize) -> Option<String> {
    let text = head(text.trim(), max).trim_end();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Joins lines with single spaces, each trimmed: the unfolded form of a folded field or of a
/// paragraph wrapped over several lines.
pub(crate) fn unfold<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let mut joined = String::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(line);
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_cuts_on_a_character_boundary() {
        assert_eq!(head("abc", 10), "abc");
        assert_eq!(head("abc", 2), "ab");
        // "é" is two bytes: cutting inside it steps back before it.
        assert_eq!(head("aé", 2), "a");
        assert_eq!(head("", 0), "");
    }

    #[test]
    fn clip_trims_and_refuses_empty_text() {
        assert_eq!(
            clip("  550 user unknown \r\n", 100).as_deref(),
            Some("550 user unknown")
        );
        assert_eq!(clip("   ", 100), None);
        assert_eq!(clip("abcdef", 3).as_deref(), Some("abc"));
    }

    #[test]
    fn unfold_joins_trimmed_lines_with_one_space() {
        assert_eq!(
            unfold([
                "smtp; 550 5.1.1 <x@example.org>:",
                "    Recipient address",
                "\trejected"
            ]),
            "smtp; 550 5.1.1 <x@example.org>: Recipient address rejected"
        );
    }
}
