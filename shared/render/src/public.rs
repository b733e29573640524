//! A stored language version as the public archive shows it: the letter exactly as
//! [`crate::render::render`] laid it out, without the document's head and without the footer
//! lines that carry a recipient's data (why they receive it, with their addressee; how to
//! unsubscribe, with their link; any other personal slot a later layout adds). Any slot left
//! elsewhere is removed too, so that no placeholder shows.

use crate::render::FOOTER;
use circulars_core::domain::Rendition;

/// Why a stored version cannot be shown publicly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicError {
    /// The stored HTML is not in the layout the renderer makes.
    #[error("{circular} ({language}): the stored HTML has no {missing}")]
    Layout {
        /// The circular.
        circular: String,
        /// The language of the version.
        language: String,
        /// The part not found.
        missing: &'static str,
    },
}

/// The body of `rendition`'s HTML (the layout's tables, inline styles as rendered) without the
/// recipient's parts, ready to be placed in a page that sets the version's `lang` and `dir`.
pub fn public_html(rendition: &Rendition) -> Result<String, PublicError> {
    let missing = |missing| PublicError::Layout {
        circular: rendition.circular.to_string(),
        language: rendition.language.to_string(),
        missing,
    };
    let html = &rendition.html_body;
    let open = html.find("<body").ok_or_else(|| missing("<body>"))?;
    let start = open + html[open..].find('>').ok_or_else(|| missing("<body>"))? + 1;
    let end = html.rfind("</body>").ok_or_else(|| missing("</body>"))?;
    let body = html.get(start..end).ok_or_else(|| missing("<body>"))?;
    let footer_open = format!("<p style=\"{FOOTER}\">");
    let at = body.find(&footer_open).ok_or_else(|| missing("footer"))?;
    let inner_start = at + footer_open.len();
    let inner_end = inner_start
        + body[inner_start..]
            .find("</p>")
            .ok_or_else(|| missing("footer"))?;
    let kept: Vec<&str> = body[inner_start..inner_end]
        .split("<br>")
        .filter(|line| !has_slot(line))
        .collect();
    let footer = if kept.is_empty() {
        String::new()
    } else {
        format!("{footer_open}{}</p>", kept.join("<br>"))
    };
    let public = format!(
        "{}{footer}{}",
        &body[..at],
        &body[inner_end + "</p>".len()..]
    );
    Ok(without_slots(public.trim()))
}

/// Where the next slot (`{{name}}`, a name of lower-case letters, `-` or `_`) starts and ends.
fn next_slot(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| from + i) {
        let name_start = open + 2;
        let name_len = text[name_start..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-' || *c == '_')
            .count();
        if name_len > 0 && text[name_start + name_len..].starts_with("}}") {
            return Some((open, name_start + name_len + 2));
        }
        from = name_start;
    }
    None
}

/// Whether `text` holds a slot.
fn has_slot(text: &str) -> bool {
    next_slot(text).is_some()
}

/// `text` with every slot removed.
fn without_slots(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, end)) = next_slot(rest) {
        out.push_str(&rest[..start]);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::render;
    use crate::templates::Templates;
    use circulars_core::domain::{Circular, Language, ADDRESSEE_SLOT, UNSUBSCRIBE_SLOT};

    fn sample() -> Circular {
        let text = include_str!("../../../samples/circulars/tsb-36.toml");
        Circular::from_toml("samples/circulars/tsb-36.toml", text).unwrap()
    }

    #[test]
    fn the_public_letter_is_the_rendered_one_without_the_recipient_s_lines() {
        let templates = Templates::embedded().unwrap();
        let circular = sample();
        for language in Language::ALL {
            let rendition = render(&templates, &circular, language).unwrap();
            let public = public_html(&rendition).unwrap();
            assert!(!public.contains("{{"), "{language}: no slot left");
            assert!(
                !public.contains("<html") && !public.contains("<body"),
                "{language}"
            );
            assert!(
                public.starts_with("<table role=\"presentation\""),
                "{language}"
            );
            assert!(
                public.contains("Seizo Onoe"),
                "{language}: the letter is whole"
            );
            let footer = format!("<p style=\"{FOOTER}\">");
            assert!(
                public.contains(&footer),
                "{language}: the languages line stays"
            );
            // What is left is the rendered HTML, line for line, less the personal lines.
            let links = circulars_core::domain::PersonalLinks {
                unsubscribe: "https://x/unsubscribe/TOKEN",
                preferences: "https://x/preferences/PREFERENCES",
            };
            let (_, personal) = rendition.personalise("ADDRESSEE", links);
            assert!(personal.contains("ADDRESSEE") && personal.contains("TOKEN"));
            assert!(
                personal.contains("PREFERENCES"),
                "{language}: the preferences link"
            );
            for line in public.lines().filter(|l| !l.starts_with(&footer)) {
                assert!(rendition.html_body.contains(line), "{language}: {line}");
            }
            let footer_line = public.lines().find(|l| l.starts_with(&footer)).unwrap();
            assert_eq!(
                footer_line.matches("<br>").count(),
                0,
                "{language}: one line kept"
            );
        }
    }

    #[test]
    fn slots_are_found_and_removed_wherever_they_are() {
        let text =
            format!("a{ADDRESSEE_SLOT}b{{{{not a slot}}}}c{UNSUBSCRIBE_SLOT}{{{{pref-erences}}}}");
        assert!(has_slot(&text));
        assert_eq!(without_slots(&text), "ab{{not a slot}}c");
        assert!(!has_slot("{{}} {{A}} {{a"));
    }

    #[test]
    fn a_version_not_in_the_layout_is_refused_naming_it() {
        let templates = Templates::embedded().unwrap();
        let mut rendition = render(&templates, &sample(), Language::Fr).unwrap();
        rendition.html_body = "<p>no layout</p>".into();
        let err = public_html(&rendition).unwrap_err().to_string();
        assert_eq!(err, "TSB-36 (fr): the stored HTML has no <body>");
    }
}
