//! Rendering one language version of a circular in the official layout: letterhead, place and
//! date, reference and addressee block, contact table, subject, body, closing, signature,
//! annexes and footer; as HTML (inline styles only, `lang` and `dir` on the root) and as plain
//! text with the same content. The personal parts are left as slots for the dispatcher.

use crate::markdown::{render_body, BodyError};
use crate::templates::{strip_isolation, TemplateError, Templates};
use circulars_core::domain::{escape_html as escape, Rendition, ADDRESSEE_SLOT, UNSUBSCRIBE_SLOT};
use circulars_core::domain::{Circular, Language};
use fluent_bundle::FluentValue;
use std::fmt::Write;

/// Why a language version could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The wording.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The body of one language.
    #[error("text.{language}.body: {error}")]
    Body {
        /// The language.
        language: Language,
        /// What is wrong, with the body's line.
        error: BodyError,
    },
    /// The circular has no text in this language.
    #[error("text.{0}: missing")]
    MissingText(Language),
}

impl RenderError {
    /// The circular file's field the error is about (`text.fr.body`, `text.ar`), and what is
    /// wrong with it, for a report that names both.
    pub fn field_and_problem(&self) -> (String, String) {
        match self {
            RenderError::Template(e) => ("wording".to_owned(), e.to_string()),
            RenderError::Body { language, error } => {
                (format!("text.{language}.body"), error.to_string())
            }
            RenderError::MissingText(language) => {
                (format!("text.{language}"), "missing".to_owned())
            }
        }
    }
}

/// The colours and fonts of the layout (CSS properties limited to `markdown::ALLOWED_CSS`).
const PAGE: &str = "width:100%;border-collapse:collapse;background-color:#f3f4f6";
const SHEET: &str = "width:100%;border-collapse:collapse;background-color:#ffffff;font-family:Arial, Helvetica, sans-serif;font-size:14px;line-height:1.5;color:#1f2933";
const ORGANISATION: &str = "margin:0;font-size:17px;font-weight:bold;color:#00558c";
const BUREAU: &str = "margin:0 0 16px 0;font-size:14px;color:#00558c";
const LABEL: &str = "width:30%;vertical-align:top;padding:2px 12px 2px 0;color:#52606d";
const VALUE: &str = "vertical-align:top;padding:2px 0";
const LIST: &str = "margin:0;padding:0";
const FOOTER: &str =
    "margin-top:24px;padding:12px 0 0 0;font-size:12px;line-height:1.4;color:#616e7c";

/// Renders `circular` in `language`.
pub fn render(
    templates: &Templates,
    circular: &Circular,
    language: Language,
) -> Result<Rendition, RenderError> {
    let text = circular
        .text(language)
        .ok_or(RenderError::MissingText(language))?;
    let body = render_body(&text.body).map_err(|error| RenderError::Body { language, error })?;
    let rtl = language.is_right_to_left();
    // Raw wording keeps Fluent's isolation marks; `plain` drops them (text, headers, LTR HTML).
    let raw =
        |id: &str, args: &[(&str, FluentValue<'static>)]| templates.message(language, id, args);
    let plain = |id: &str| raw(id, &[]).map(|s| strip_isolation(&s));
    let html = |s: &str| {
        if rtl {
            escape(s)
        } else {
            escape(&strip_isolation(s))
        }
    };

    let date_line = raw(
        "date-line",
        &[("date", circular.date.format("%Y-%m-%d").to_string().into())],
    )?;
    let designation = raw(
        "circular-designation",
        &[("number", FluentValue::from(circular.number))],
    )?;
    let reference = circular.reference_in(language);
    let line_of = |c: &circulars_core::domain::Category| raw(&format!("category-{}", c.id()), &[]);
    let addressees: Vec<String> = circular
        .categories
        .iter()
        .map(line_of)
        .collect::<Result<_, _>>()?;
    let copies: Vec<String> = circular
        .copy
        .iter()
        .map(line_of)
        .collect::<Result<_, _>>()?;
    let mut contact: Vec<(String, &str)> =
        vec![(raw("contact-label", &[])?, circular.contact.name.as_str())];
    if let Some(tel) = &circular.contact.tel {
        contact.push((raw("tel-label", &[])?, tel));
    }
    if let Some(fax) = &circular.contact.fax {
        contact.push((raw("fax-label", &[])?, fax));
    }
    contact.push((raw("email-label", &[])?, circular.contact.email.as_str()));
    let annexes = match circular.annexes.len() {
        0 => None,
        n => Some(raw("annexes", &[("count", FluentValue::from(n))])?),
    };
    let footer_reason = raw("footer-reason", &[("addressee", ADDRESSEE_SLOT.into())])?;
    let footer_unsubscribe = raw(
        "footer-unsubscribe",
        &[("unsubscribe", UNSUBSCRIBE_SLOT.into())],
    )?;
    let footer_language = raw("footer-language", &[])?;
    let subject = strip_isolation(&raw(
        "mail-subject",
        &[
            ("designation", designation.clone().into()),
            ("subject", text.subject.clone().into()),
        ],
    )?);

    // text/plain
    let mut t = String::new();
    let separator = plain("list-separator")?;
    let list = |t: &mut String, lines: &[String]| {
        for (i, line) in lines.iter().enumerate() {
            let end = if i + 1 < lines.len() {
                separator.as_str()
            } else {
                ""
            };
            let _ = writeln!(t, "- {}{end}", strip_isolation(line));
        }
    };
    let _ = write!(
        t,
        "{}\n{}\n\n{}\n\n",
        plain("organisation")?,
        plain("bureau")?,
        strip_isolation(&date_line)
    );
    let _ = write!(
        t,
        "{} {}\n{}\n\n",
        plain("reference-label")?,
        strip_isolation(&designation),
        reference
    );
    let _ = writeln!(t, "{}", plain("addressees-label")?);
    list(&mut t, &addressees);
    if !copies.is_empty() {
        let _ = writeln!(t, "\n{}", plain("copy-label")?);
        list(&mut t, &copies);
    }
    t.push('\n');
    for (label, value) in &contact {
        let _ = writeln!(t, "{} {value}", strip_isolation(label));
    }
    let _ = write!(
        t,
        "\n{} {}\n\n{}\n\n",
        plain("subject-label")?,
        text.subject,
        plain("salutation")?
    );
    t.push_str(body.text.trim_end());
    let _ = writeln!(t, "\n\n{}\n\n{}", plain("closing")?, plain("signed")?);
    if let Some(name) = &circular.signatory {
        let _ = writeln!(t, "{name}");
    }
    let _ = writeln!(t, "{}", plain("signature-title")?);
    if let Some(a) = &annexes {
        let _ = writeln!(t, "\n{}", strip_isolation(a));
    }
    let _ = writeln!(
        t,
        "\n-- \n{}\n{}\n{}",
        strip_isolation(&footer_reason),
        strip_isolation(&footer_unsubscribe),
        strip_isolation(&footer_language)
    );

    // text/html
    let dir = if rtl { "rtl" } else { "ltr" };
    let (start, end) = if rtl {
        ("right", "left")
    } else {
        ("left", "right")
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{language}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n</head>\n\
         <body style=\"margin:0;padding:0;background-color:#f3f4f6\">\n\
         <table role=\"presentation\" style=\"{PAGE}\"><tr><td style=\"padding:16px\">\n\
         <table role=\"presentation\" style=\"{SHEET}\"><tr><td style=\"padding:28px 32px;text-align:{start}\">\n",
        escape(&subject)
    );
    let _ = writeln!(
        h,
        "<p style=\"{ORGANISATION}\">{}</p>\n<p style=\"{BUREAU}\">{}</p>\n<p style=\"margin:0 0 16px 0;text-align:{end}\">{}</p>",
        html(&plain("organisation")?),
        html(&plain("bureau")?),
        html(&date_line)
    );
    let items = |lines: &[String]| {
        let mut s = String::new();
        for (i, line) in lines.iter().enumerate() {
            let end = if i + 1 < lines.len() {
                separator.as_str()
            } else {
                ""
            };
            let _ = writeln!(s, "<p style=\"{LIST}\">– {}{end}</p>", html(line));
        }
        s
    };
    h.push_str("<table role=\"presentation\" style=\"width:100%;border-collapse:collapse;margin:0 0 16px 0\">\n");
    let _ = writeln!(
        h,
        "<tr><td style=\"{LABEL}\">{}</td><td style=\"{VALUE}\">{}<br>{}</td></tr>",
        html(&plain("reference-label")?),
        html(&designation),
        escape(reference)
    );
    let _ = writeln!(
        h,
        "<tr><td style=\"{LABEL}\">{}</td><td style=\"{VALUE}\">\n{}</td></tr>",
        html(&plain("addressees-label")?),
        items(&addressees)
    );
    if !copies.is_empty() {
        let _ = writeln!(
            h,
            "<tr><td style=\"{LABEL}\">{}</td><td style=\"{VALUE}\">\n{}</td></tr>",
            html(&plain("copy-label")?),
            items(&copies)
        );
    }
    for (label, value) in &contact {
        let _ = writeln!(
            h,
            "<tr><td style=\"{LABEL}\">{}</td><td style=\"{VALUE}\">{}</td></tr>",
            html(label),
            escape(value)
        );
    }
    let _ = writeln!(
        h,
        "<tr><td style=\"{LABEL}\">{}</td><td style=\"{VALUE}\"><strong>{}</strong></td></tr>\n</table>",
        html(&plain("subject-label")?),
        escape(&text.subject)
    );
    let _ = writeln!(
        h,
        "<p style=\"margin:0 0 12px 0\">{}</p>",
        html(&plain("salutation")?)
    );
    h.push_str(&body.html);
    let _ = writeln!(
        h,
        "\n<p style=\"margin:16px 0 0 0\">{}</p>",
        html(&plain("closing")?)
    );
    let _ = write!(
        h,
        "<p style=\"margin:16px 0 0 0\">{}<br>",
        html(&plain("signed")?)
    );
    if let Some(name) = &circular.signatory {
        let _ = write!(h, "<strong>{}</strong><br>", escape(name));
    }
    let _ = writeln!(h, "{}</p>", html(&plain("signature-title")?));
    if let Some(a) = &annexes {
        let _ = writeln!(h, "<p style=\"margin:16px 0 0 0\">{}</p>", html(a));
    }
    let link = format!("<a href=\"{UNSUBSCRIBE_SLOT}\">{UNSUBSCRIBE_SLOT}</a>");
    let _ = writeln!(
        h,
        "<p style=\"{FOOTER}\">{}<br>{}<br>{}</p>\n</td></tr></table>\n</td></tr></table>\n</body>\n</html>",
        html(&footer_reason),
        html(&footer_unsubscribe).replace(UNSUBSCRIBE_SLOT, &link),
        html(&footer_language)
    );

    Ok(Rendition {
        circular: circular.id.clone(),
        language,
        subject,
        sender_name: plain("sender-name")?,
        reply_to: circular.contact.email.clone(),
        text_body: t,
        html_body: h,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::ALLOWED_CSS;

    fn sample() -> Circular {
        let text = include_str!("../../../samples/circulars/tsb-36.toml");
        Circular::from_toml("samples/circulars/tsb-36.toml", text).unwrap()
    }

    fn all() -> Vec<Rendition> {
        let t = Templates::embedded().unwrap();
        let c = sample();
        Language::ALL
            .into_iter()
            .map(|l| render(&t, &c, l).unwrap())
            .collect()
    }

    #[test]
    fn every_language_has_the_same_parts_in_text_and_html() {
        let c = sample();
        for r in all() {
            let language = r.language;
            let subject = &c.text(language).unwrap().subject;
            assert!(
                r.subject.ends_with(subject.as_str()),
                "{language}: {}",
                r.subject
            );
            for part in [&r.text_body, &r.html_body] {
                assert!(
                    part.contains("Fred Werner") && part.contains("Seizo Onoe"),
                    "{language}"
                );
                assert!(
                    part.contains(ADDRESSEE_SLOT) && part.contains(UNSUBSCRIBE_SLOT),
                    "{language}"
                );
            }
            assert!(r.html_body.contains(&format!(
                "<html lang=\"{language}\" dir=\"{}\">",
                if language == Language::Ar {
                    "rtl"
                } else {
                    "ltr"
                }
            )));
            assert!(
                !r.text_body.contains(['\u{2068}', '\u{2069}']),
                "{language}: no isolation marks in text"
            );
            assert!(
                !r.subject.contains(['\u{2068}', '\u{2069}']),
                "{language}: no isolation marks in the subject"
            );
        }
    }

    #[test]
    fn the_french_version_reads_like_the_original() {
        let fr = all()
            .into_iter()
            .find(|r| r.language == Language::Fr)
            .unwrap();
        let t = &fr.text_body;
        assert!(t.starts_with("UNION INTERNATIONALE DES TÉLÉCOMMUNICATIONS\nBUREAU DE LA NORMALISATION DES TÉLÉCOMMUNICATIONS\n\nGenève, le 12 mars 2025\n\nRéf.: Circulaire TSB 36\nManifestations du TSB/FW\n"), "{t}");
        assert!(t.contains("- Aux États Membres de l'UIT;\n"), "{t}");
        assert!(t.contains("- Aux institutions spécialisées des Nations Unies et à l'Agence internationale de l'énergie atomique\n"), "the last line has no ';': {t}");
        assert!(t.contains("Objet: Invitation à participer"), "{t}");
        assert!(t.contains("\nMadame, Monsieur,\n"), "{t}");
        assert!(
            t.contains(
                "Veuillez agréer, Madame, Monsieur, l'assurance de ma considération distinguée."
            ),
            "{t}"
        );
        assert_eq!(fr.subject, "Circulaire TSB 36: Invitation à participer aux travaux du Groupe d'experts de l'UIT sur l'amélioration du cadre de préparation à l'intelligence artificielle");
    }

    #[test]
    fn the_html_uses_only_inline_allow_listed_styles() {
        for r in all() {
            let h = &r.html_body;
            assert!(
                !h.contains("<style") && !h.contains("<script") && !h.contains("class="),
                "{}",
                r.language
            );
            let mut rest = h.as_str();
            let mut styles = 0;
            while let Some(at) = rest.find("style=\"") {
                let after = &rest[at + 7..];
                let end = after.find('"').unwrap();
                for declaration in after[..end].split(';').filter(|d| !d.trim().is_empty()) {
                    let property = declaration.split(':').next().unwrap().trim();
                    assert!(
                        ALLOWED_CSS.contains(&property),
                        "{}: CSS property {property} is not allowed",
                        r.language
                    );
                }
                styles += 1;
                rest = &after[end..];
            }
            assert!(styles > 10, "the layout is styled inline");
        }
    }

    #[test]
    fn arabic_html_keeps_isolation_marks_and_left_to_right_html_drops_them() {
        let all = all();
        let ar = all.iter().find(|r| r.language == Language::Ar).unwrap();
        assert!(
            ar.html_body.contains('\u{2068}'),
            "placeables stay isolated in RTL HTML"
        );
        let en = all.iter().find(|r| r.language == Language::En).unwrap();
        assert!(!en.html_body.contains('\u{2068}'));
        assert!(en.text_body.contains("Geneva, 12 March 2025"));
    }

    #[test]
    fn a_body_with_raw_html_is_refused_naming_language_and_line() {
        let t = Templates::embedded().unwrap();
        let mut c = sample();
        if let Some(fr) = c.texts.get_mut(&Language::Fr) {
            fr.body = "Premier paragraphe.\n\n<script>alert(1)</script>\n".into();
        }
        let err = render(&t, &c, Language::Fr).unwrap_err().to_string();
        assert!(
            err.starts_with("text.fr.body: line 3: raw HTML is not allowed"),
            "{err}"
        );
    }
}
