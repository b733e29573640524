//! Header fields written by hand, CRLF-terminated and folded: display names and unstructured
//! text as RFC 2047 encoded words when they are not plain ASCII (`encoded_words` says where
//! they split), mailboxes (RFC 5322 §3.4), and an annex's file name (RFC 2183, RFC 2231 when it
//! is not plain ASCII).
//!
//! Lines stay within 78 characters wherever there is a place to fold (RFC 5322 §2.1.1).

use super::encoded_words;

/// The line length folding aims for (RFC 5322 §2.1.1).
pub(super) const LINE: usize = 78;

/// The longest line a header field may have (RFC 5322 §2.1.1).
const MAX_LINE: usize = 998;

/// Room kept for ` <address>` after a display name (an address has at most 254 characters).
const MAX_ADDRESS: usize = 257;

/// Characters of `atext` (RFC 5322 §3.2.3) besides letters and digits.
const ATEXT_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";

/// Appends `Name: value\r\n` with `value` written as is (an ASCII value the caller built).
pub(super) fn raw(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends an unstructured field (`Subject`): printable ASCII as it is, folded before a space
/// where a line would pass 78 characters; any other text as encoded words, one per line.
pub(super) fn unstructured(out: &mut Vec<u8>, name: &str, text: &str) {
    let printable = text.bytes().all(|b| (b' '..=b'~').contains(&b)) && !text.contains("=?");
    if printable {
        let mut field = Vec::with_capacity(name.len() + text.len() + 8);
        field.extend_from_slice(name.as_bytes());
        field.push(b':');
        let mut column = name.len() + 1;
        for (i, word) in text.split(' ').enumerate() {
            // Fold only before a word: a folded line of spaces alone is not allowed.
            if i > 0 && !word.is_empty() && column + 1 + word.len() > LINE {
                field.extend_from_slice(b"\r\n");
                column = 0;
            }
            field.push(b' ');
            field.extend_from_slice(word.as_bytes());
            column += 1 + word.len();
        }
        if field
            .split(|&b| b == b'\n')
            .all(|line| line.len() <= MAX_LINE)
        {
            out.extend_from_slice(&field);
            out.extend_from_slice(b"\r\n");
            return;
        }
    }
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    encoded_words::write(out, text, name.len() + 1);
    out.extend_from_slice(b"\r\n");
}

/// Appends an address field holding one mailbox: `Name: phrase <address>\r\n`, or the bare
/// address when there is no display name.
pub(super) fn mailbox(out: &mut Vec<u8>, name: &str, display: &str, address: &str) {
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    let mut column = name.len() + 1;
    let display = display.trim();
    if !display.is_empty() {
        column = phrase(out, display, column);
    }
    if column + address.len() + 3 > LINE && column > name.len() + 1 {
        out.extend_from_slice(b"\r\n");
    }
    out.push(b' ');
    if display.is_empty() {
        out.extend_from_slice(address.as_bytes());
    } else {
        out.push(b'<');
        out.extend_from_slice(address.as_bytes());
        out.push(b'>');
    }
    out.extend_from_slice(b"\r\n");
}

/// Appends a display name after a space: atoms as they are, other printable ASCII as a quoted
/// string, anything else, or a name too long for one line, as encoded words (which fold).
/// Returns the column the line ends at.
fn phrase(out: &mut Vec<u8>, display: &str, column: usize) -> usize {
    let atoms = display
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b' ' || ATEXT_SPECIALS.contains(b as char));
    let printable = display.bytes().all(|b| (b' '..=b'~').contains(&b))
        && column + 3 + 2 * display.len() + MAX_ADDRESS <= MAX_LINE;
    if atoms && printable && !display.contains("=?") && !display.contains("  ") {
        out.push(b' ');
        out.extend_from_slice(display.as_bytes());
        column + 1 + display.len()
    } else if printable && !display.contains("=?") {
        out.extend_from_slice(b" \"");
        for b in display.bytes() {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
        column + 3 + display.len() + display.matches(['"', '\\']).count()
    } else {
        encoded_words::write(out, display, column)
    }
}

/// The `Content-Disposition` value of an annex: `attachment; filename="…"`, or the RFC 2231
/// form `filename*=utf-8''…` (percent-encoded) for a name that is not plain printable ASCII.
pub(super) fn attachment_disposition(file_name: &str) -> String {
    let plain = file_name
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\');
    if plain {
        return format!("attachment; filename=\"{file_name}\"");
    }
    let mut value = String::from("attachment; filename*=utf-8''");
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            value.push(char::from(b));
        } else {
            value.push_str(&format!("%{b:02X}"));
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use data_encoding::BASE64;

    fn written(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn display_names_are_atoms_quoted_strings_or_encoded_words() {
        let to = |name: &str| written(|o| mailbox(o, "To", name, "a@example.org"));
        assert_eq!(to("Amina Diallo"), "To: Amina Diallo <a@example.org>\r\n");
        assert_eq!(
            to("Diallo, Amina \"A\""),
            "To: \"Diallo, Amina \\\"A\\\"\" <a@example.org>\r\n"
        );
        assert_eq!(to(""), "To: a@example.org\r\n");
        assert_eq!(to("Zoë"), "To: =?utf-8?b?Wm/Dqw==?= <a@example.org>\r\n");
        let long = to(&"Amina Diallo ".repeat(80));
        assert!(long.split("\r\n").all(|line| line.len() <= LINE), "{long}");
        assert!(long.starts_with("To: =?utf-8?b?"), "{long}");
    }

    #[test]
    fn long_text_is_split_into_words_of_whole_characters_on_short_lines() {
        let subject = "Циркуляр БСЭ 36: приглашение к участию в семинаре «Стандарты и общество»";
        let field = written(|o| unstructured(o, "Subject", subject));
        for line in field.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= LINE, "{line}");
        }
        let decoded: String = field
            .split("=?utf-8?b?")
            .skip(1)
            .map(|w| {
                let b64 = w.split("?=").next().unwrap();
                String::from_utf8(BASE64.decode(b64.as_bytes()).unwrap()).unwrap()
            })
            .collect();
        assert_eq!(decoded, subject);
    }

    #[test]
    fn a_printable_ascii_subject_is_folded_before_spaces_not_encoded() {
        let subject = "TSB Circular 36: Invitation to participate in the work of the ITU Expert \
                       Group on Enhancing the Artificial Intelligence Readiness Framework";
        let field = written(|o| unstructured(o, "Subject", subject));
        assert!(!field.contains("=?"), "{field}");
        assert!(
            field.split("\r\n").all(|line| line.len() <= LINE),
            "{field}"
        );
        assert_eq!(field.matches("\r\n ").count(), 1, "{field}");
        assert_eq!(
            field.replace("\r\n ", " "),
            format!("Subject: {subject}\r\n")
        );
        assert_eq!(written(|o| unstructured(o, "Subject", "")), "Subject: \r\n");
        // Runs of spaces stay on the line before: no folded line is spaces alone.
        let spaced = format!("{}{}x", "a".repeat(60), " ".repeat(30));
        let field = written(|o| unstructured(o, "Subject", &spaced));
        assert_eq!(
            field,
            format!("Subject: {}{}\r\n x\r\n", "a".repeat(60), " ".repeat(29))
        );
        // A word that would make a line longer than 998 characters goes encoded.
        let long = "a".repeat(1000);
        assert!(written(|o| unstructured(o, "Subject", &long)).starts_with("Subject: =?utf-8?b?"));
    }

    #[test]
    fn a_file_name_outside_printable_ascii_takes_the_rfc_2231_form() {
        assert_eq!(
            attachment_disposition("annex 1.pdf"),
            "attachment; filename=\"annex 1.pdf\""
        );
        assert_eq!(
            attachment_disposition("приложение.pdf"),
            "attachment; filename*=utf-8''%D0%BF%D1%80%D0%B8%D0%BB%D0%BE%D0%B6%D0%B5%D0%BD%D0%B8%D0%B5.pdf"
        );
    }
}
