//! Bare addresses: out of report fields (`rfc822; <gone@example.org>`), header values and free
//! text. Nothing here checks that an address exists; it only keeps what can be one.

/// The longest address kept (RFC 5321 limits a path to 256 octets, brackets included).
const MAX_ADDRESS: usize = 254;

/// Reads the address out of a report field or header value: drops an address type
/// (`rfc822;`, `utf-8;`), a display name and angle brackets.
///
/// `rfc822; <Gone@Example.org>` gives `Gone@Example.org`; a value without an `@` gives `None`.
pub(crate) fn bare(value: &str) -> Option<String> {
    let mut value = value.trim();
    if let Some((address_type, rest)) = value.split_once(';') {
        if is_address_type(address_type.trim()) {
            value = rest.trim();
        }
    }
    if let Some(start) = value.find('<') {
        let inside = &value[start + 1..];
        value = inside.find('>').map_or(inside, |end| &inside[..end]);
    }
    let value = value.trim();
    usable(value).then(|| value.to_owned())
}

/// Every address-like word in free text, in order of appearance, repeats included.
///
/// Stricter than [`bare`]: the domain must have a dot, so that words such as `user@localhost`
/// or `UTF-8''name` in prose are not taken for recipients.
pub(crate) fn find_all(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "<>()[],;:\"".contains(c))
        .filter(|word| word.contains('@'))
        .map(|word| word.trim_matches(|c: char| c == '.' || c == '\'' || c == '`' || c == '*'))
        .filter(|word| usable(word) && has_plausible_domain(word))
        .map(str::to_owned)
        .collect()
}

/// The first address in free text (see [`find_all`]).
pub(crate) fn find_first(text: &str) -> Option<String> {
    find_all(text).into_iter().next()
}

/// An RFC 3464 address type such as `rfc822`, `utf-8` or `x400` (Mimecast writes `rfc/822`).
fn is_address_type(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 32
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

/// One `@` with something on each side, no spaces, no control characters, no brackets; the
/// local part may be quoted (`"two..dots"@example.org`, RFC 5321 section 4.1.2).
fn usable(word: &str) -> bool {
    let Some((local, domain)) = word.rsplit_once('@') else {
        return false;
    };
    let local = local
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(local);
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c);
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && word.len() <= MAX_ADDRESS
        && !local.chars().any(forbidden)
        && !domain.chars().any(forbidden)
}

/// Dot-separated labels of letters, digits and hyphens (or non-ASCII letters), at least two.
fn has_plausible_domain(word: &str) -> bool {
    let Some((_, domain)) = word.rsplit_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || !c.is_ascii())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_type_and_brackets_are_stripped() {
        for value in [
            "rfc822;gone@example.org",
            "rfc822; gone@example.org",
            "RFC822; <gone@example.org>",
            "  rfc822 ;  <gone@example.org>  ",
            "<gone@example.org>",
            "gone@example.org",
            "Gone User <gone@example.org>",
            "rfc/822;gone@example.org",
        ] {
            assert_eq!(
                bare(value).as_deref(),
                Some("gone@example.org"),
                "{value:?}"
            );
        }
    }

    #[test]
    fn a_quoted_local_part_is_kept_with_its_quotes() {
        assert_eq!(
            bare("rfc822; \"two..dots\"@example.org").as_deref(),
            Some("\"two..dots\"@example.org")
        );
        assert_eq!(bare("\"unclosed@example.org"), None);
    }

    #[test]
    fn the_global_address_type_keeps_a_non_ascii_address() {
        assert_eq!(
            bare("utf-8; jörg@bücher.example").as_deref(),
            Some("jörg@bücher.example")
        );
    }

    #[test]
    fn a_field_naming_no_address_gives_none() {
        for value in [
            "",
            "rfc822;",
            "rfc822; <>",
            "x400; c=fr;a=example",
            "gone",
            "@",
            "a@",
            "@b",
        ] {
            assert_eq!(bare(value), None, "{value:?}");
        }
    }

    #[test]
    fn addresses_are_found_in_prose() {
        let text = "Your message wasn't delivered to gone@example.org because the address \
                    couldn't be found. RCPT TO:<other@example.net>: 550 (see mailto:help@itu.example).";
        assert_eq!(
            find_all(text),
            ["gone@example.org", "other@example.net", "help@itu.example"]
        );
        assert_eq!(
            find_all("mail to user@localhost or UTF-8''x@y"),
            Vec::<String>::new()
        );
    }
}
