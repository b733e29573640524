//! Rendering one language version of a circular: text/plain and a plain HTML part with the
//! same content, the personal parts left as slots for the dispatcher.

use crate::templates::{TemplateError, Templates};
use circulars_shared::domain::{Circular, Language};
use circulars_shared::store::{escape_html as escape, Rendition, ADDRESSEE_SLOT};

/// Renders `circular` in `language`.
pub fn render(
    templates: &Templates,
    circular: &Circular,
    language: Language,
) -> Result<Rendition, TemplateError> {
    let m = |id: &str| templates.message(language, id, &[]);
    let text = circular
        .text(language)
        .ok_or_else(|| TemplateError::Format {
            file: "circular",
            id: circular.id.to_string(),
            why: format!("has no {language} text"),
        })?;
    // ISO 8601 until ICU4X dates arrive with the composer issue.
    let date = circular.date.format("%Y-%m-%d").to_string();
    let date_line = templates.message(language, "date-line", &[("date", date)])?;
    let designation = templates.message(
        language,
        "circular-designation",
        &[("number", circular.number.to_string())],
    )?;
    let reference = circular.reference_in(language);
    let addressees: Vec<String> = circular
        .categories
        .iter()
        .map(|c| m(&format!("category-{}", c.id())))
        .collect::<Result<_, _>>()?;
    let contact_rows: Vec<(String, &str)> = [
        Some((m("contact-label")?, circular.contact.name.as_str())),
        circular
            .contact
            .tel
            .as_deref()
            .map(|t| (m("tel-label"), t))
            .map(|(l, t)| l.map(|l| (l, t)))
            .transpose()?,
        circular
            .contact
            .fax
            .as_deref()
            .map(|t| (m("fax-label"), t))
            .map(|(l, t)| l.map(|l| (l, t)))
            .transpose()?,
        Some((m("email-label")?, circular.contact.email.as_str())),
    ]
    .into_iter()
    .flatten()
    .collect();
    let footer_reason = templates.message(
        language,
        "footer-reason",
        &[("addressee", ADDRESSEE_SLOT.to_owned())],
    )?;
    let footer_unsubscribe = m("footer-unsubscribe")?;
    let last = addressees.len().saturating_sub(1);

    // text/plain
    let mut t = String::new();
    t.push_str(&format!(
        "{}\n{}\n\n{}\n\n",
        m("organisation")?,
        m("bureau")?,
        date_line
    ));
    t.push_str(&format!(
        "{} {}\n{}\n\n",
        m("reference-label")?,
        designation,
        reference
    ));
    t.push_str(&format!("{}\n", m("addressees-label")?));
    for (i, line) in addressees.iter().enumerate() {
        t.push_str(&format!("- {line}{}\n", if i < last { ";" } else { "" }));
    }
    t.push('\n');
    for (label, value) in &contact_rows {
        t.push_str(&format!("{label} {value}\n"));
    }
    t.push_str(&format!(
        "\n{} {}\n\n{}\n\n",
        m("subject-label")?,
        text.subject,
        m("salutation")?
    ));
    t.push_str(text.body.trim());
    t.push_str(&format!(
        "\n\n{}\n\n{}\n\n-- \n{}\n{}\n",
        m("closing")?,
        m("signature-title")?,
        footer_reason,
        footer_unsubscribe
    ));

    // text/html: the same content, escaped, with the language and direction on the root.
    let dir = if language.is_right_to_left() {
        "rtl"
    } else {
        "ltr"
    };
    let mut h = String::new();
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{language}\" dir=\"{dir}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n",
        escape(&text.subject)
    ));
    h.push_str(&format!(
        "<p><strong>{}</strong><br>{}</p>\n",
        escape(&m("organisation")?),
        escape(&m("bureau")?)
    ));
    h.push_str(&format!("<p>{}</p>\n", escape(&date_line)));
    h.push_str(&format!(
        "<p>{} {}<br>{}</p>\n",
        escape(&m("reference-label")?),
        escape(&designation),
        escape(reference)
    ));
    h.push_str(&format!(
        "<p>{}</p>\n<ul>\n",
        escape(&m("addressees-label")?)
    ));
    for (i, line) in addressees.iter().enumerate() {
        h.push_str(&format!(
            "<li>{}{}</li>\n",
            escape(line),
            if i < last { ";" } else { "" }
        ));
    }
    h.push_str("</ul>\n<table>\n");
    for (label, value) in &contact_rows {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td></tr>\n",
            escape(label),
            escape(value)
        ));
    }
    h.push_str("</table>\n");
    h.push_str(&format!(
        "<p><strong>{}</strong> {}</p>\n",
        escape(&m("subject-label")?),
        escape(&text.subject)
    ));
    h.push_str(&format!("<p>{}</p>\n", escape(&m("salutation")?)));
    h.push_str(&body_html(&text.body));
    h.push_str(&format!(
        "<p>{}</p>\n<p>{}</p>\n",
        escape(&m("closing")?),
        escape(&m("signature-title")?)
    ));
    h.push_str(&format!(
        "<hr>\n<p><small>{}<br>{}</small></p>\n</body>\n</html>\n",
        escape(&footer_reason),
        escape(&footer_unsubscribe)
    ));

    Ok(Rendition {
        circular: circular.id.clone(),
        language,
        subject: format!("{designation}: {}", text.subject),
        sender_name: m("sender-name")?,
        text_body: t,
        html_body: h,
    })
}

/// Paragraphs separated by blank lines; lines starting with "- " become list items.
fn body_html(body: &str) -> String {
    let mut html = String::new();
    for paragraph in body
        .trim()
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let mut in_list = false;
        let mut prose = Vec::new();
        let flush = |prose: &mut Vec<&str>, html: &mut String| {
            if !prose.is_empty() {
                html.push_str(&format!(
                    "<p>{}</p>\n",
                    prose
                        .iter()
                        .map(|l| escape(l))
                        .collect::<Vec<_>>()
                        .join("<br>")
                ));
                prose.clear();
            }
        };
        for line in paragraph.lines().map(str::trim) {
            if let Some(item) = line.strip_prefix("- ") {
                flush(&mut prose, &mut html);
                if !in_list {
                    html.push_str("<ul>\n");
                    in_list = true;
                }
                html.push_str(&format!("<li>{}</li>\n", escape(item)));
            } else {
                if in_list {
                    html.push_str("</ul>\n");
                    in_list = false;
                }
                prose.push(line);
            }
        }
        flush(&mut prose, &mut html);
        if in_list {
            html.push_str("</ul>\n");
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Circular {
        let text = include_str!("../../../samples/circulars/tsb-36.toml");
        Circular::from_toml("samples/circulars/tsb-36.toml", text).unwrap()
    }

    #[test]
    fn every_language_renders_text_and_html_with_the_same_parts() {
        let t = Templates::embedded().unwrap();
        let c = sample();
        for language in Language::ALL {
            let r = render(&t, &c, language).unwrap();
            let subject = &c.text(language).unwrap().subject;
            assert!(
                r.subject.ends_with(subject.as_str()),
                "{language}: {}",
                r.subject
            );
            assert!(r.text_body.contains(subject.as_str()));
            assert!(r.text_body.contains("Fred Werner") && r.html_body.contains("Fred Werner"));
            assert!(
                r.text_body.contains(ADDRESSEE_SLOT)
                    && r.html_body.contains(&escape(ADDRESSEE_SLOT))
            );
            assert!(r.html_body.contains(&format!("<html lang=\"{language}\"")));
        }
        let fr = render(&t, &c, Language::Fr).unwrap();
        assert!(
            fr.text_body
                .contains("Réf.: Circulaire TSB 36\nManifestations du TSB/FW"),
            "{}",
            fr.text_body
        );
        assert!(fr.text_body.contains("- Aux États Membres de l'UIT;\n"));
        assert!(fr
            .html_body
            .contains("<li>Aux États Membres de l&#39;UIT;</li>"));
        let ar = render(&t, &c, Language::Ar).unwrap();
        assert!(ar.html_body.contains("dir=\"rtl\""));
    }

    #[test]
    fn body_lists_and_markup_are_escaped_into_html() {
        let html = body_html("Intro <b>bold</b>\n\nHeading:\n- one & two\n- three\nAfter");
        assert_eq!(
            html,
            "<p>Intro &lt;b&gt;bold&lt;/b&gt;</p>\n<p>Heading:</p>\n<ul>\n<li>one &amp; two</li>\n<li>three</li>\n</ul>\n<p>After</p>\n"
        );
    }
}
