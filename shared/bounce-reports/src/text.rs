//! Bounded pieces of text (nothing in this crate reads more of a report than these limits
//! allow), and Japanese text that came without its charset.

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

/// Decodes ISO-2022-JP text that came without its charset: old Japanese notices often send
/// it as plain 7-bit text, which mail-parser leaves as escape sequences (`ESC $ B ...`).
/// Text without such an escape is returned as it is.
pub(crate) fn undeclared_iso_2022_jp(text: &str) -> std::borrow::Cow<'_, str> {
    let escaped = text.contains("\u{1b}$B") || text.contains("\u{1b}$@");
    match mail_parser::decoders::charsets::map::charset_decoder(b"iso-2022-jp") {
        Some(decode) if escaped && text.is_ascii() => decode(text.as_bytes()).into(),
        _ => text.into(),
    }
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
    fn undeclared_iso_2022_jp_is_decoded_and_other_text_left_alone() {
        // "宛先不明" (unknown address) in ISO-2022-JP, between ASCII words.
        let jis = "Error: \u{1b}$B08@hITL@\u{1b}(B gone@example.org";
        assert_eq!(
            undeclared_iso_2022_jp(jis),
            "Error: 宛先不明 gone@example.org"
        );
        assert_eq!(undeclared_iso_2022_jp("plain $B text"), "plain $B text");
        assert_eq!(undeclared_iso_2022_jp("déjà \u{1b}$B"), "déjà \u{1b}$B");
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
