//! Rendering one language version of a circular in the official layout: letterhead, place and
//! date, reference and addressee block, contact table, subject, body, closing, signature,
//! annexes and footer; as HTML (inline styles only, `lang` and `dir` on the root and again on
//! the body's own tables, which webmail keeps when it drops `<html>`) and as plain text with the
//! same content. The personal parts are left as slots for the dispatcher.
//!
//! Right to left (Arabic), every left-to-right run (numbers, addresses, Latin names,
//! references) is isolated ([`crate::bidi`]): in a `dir="ltr"` span in HTML, between LRMs in
//! the text, whose every line also opens with RLM.

use crate::bidi;
use crate::markdown::{render_body, BodyError, RenderedBody};
use crate::templates::{strip_isolation, TemplateError, Templates};
use circulars_core::domain::PREFERENCES_SLOT;
use circulars_core::domain::{escape_html as escape, Rendition, ADDRESSEE_SLOT, UNSUBSCRIBE_SLOT};
use circulars_core::domain::{Category, Circular, Language, LanguageText};
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
/// [`LABEL`] right to left: the gap on the label's left, toward its value.
const LABEL_RTL: &str = "width:30%;vertical-align:top;padding:2px 0 2px 12px;color:#52606d";
const VALUE: &str = "vertical-align:top;padding:2px 0";
const LIST: &str = "margin:0;padding:0";
/// The footer paragraph's style: [`crate::public`] finds the footer by it.
pub(crate) const FOOTER: &str =
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
    let body = render_body(&text.body, language.is_right_to_left())
        .map_err(|error| RenderError::Body { language, error })?;
    let wording = Wording::look_up(templates, circular, language, &text.subject)?;
    let letter = Letter {
        circular,
        language,
        text,
        body: &body,
        wording: &wording,
    };
    let text_body = letter.text_part();
    let html_body = letter.html_part();
    Ok(Rendition {
        circular: circular.id.clone(),
        language,
        subject: wording.subject,
        sender_name: wording.sender_name,
        reply_to: circular.contact.email.clone(),
        text_body,
        html_body,
    })
}

/// The wording of one language version. Messages marked raw keep Fluent's isolation marks (for
/// right-to-left HTML); the others are plain (marks dropped).
struct Wording<'c> {
    /// Raw: the place and date line.
    date_line: String,
    /// Raw: the circular's designation (`Circular TSB 36`).
    designation: String,
    /// Raw: one line per addressee category.
    addressees: Vec<String>,
    /// Raw: one line per category receiving a copy.
    copies: Vec<String>,
    /// Raw labels, with the contact's details they introduce.
    contact: Vec<(String, &'c str)>,
    /// Raw: the annex count line, when there are annexes.
    annexes: Option<String>,
    /// Raw: why the addressee receives the circular (with the addressee slot).
    footer_reason: String,
    /// Raw: how to unsubscribe (with the unsubscribe slot).
    footer_unsubscribe: String,
    /// Raw: where to choose language and topics (with the preferences slot).
    footer_preferences: String,
    /// Raw: the line about the other languages.
    footer_language: String,
    /// The mail's subject.
    subject: String,
    /// What ends every line of an addressee list but the last.
    separator: String,
    organisation: String,
    bureau: String,
    reference_label: String,
    addressees_label: String,
    /// Looked up only when the circular has copies.
    copy_label: Option<String>,
    subject_label: String,
    salutation: String,
    closing: String,
    signed: String,
    signature_title: String,
    sender_name: String,
}

impl<'c> Wording<'c> {
    /// Looks up every message of the layout: the raw parts first, then the plain labels in
    /// letter order, the sender name last; when several fail, the first in this order is reported.
    fn look_up(
        templates: &Templates,
        circular: &'c Circular,
        language: Language,
        subject: &str,
    ) -> Result<Self, TemplateError> {
        let raw =
            |id: &str, args: &[(&str, FluentValue<'static>)]| templates.message(language, id, args);
        let plain = |id: &str| raw(id, &[]).map(|s| strip_isolation(&s));
        let lines = |categories: &[Category]| {
            categories
                .iter()
                .map(|c| raw(&format!("category-{}", c.id()), &[]))
                .collect::<Result<Vec<String>, _>>()
        };
        let date_line = raw(
            "date-line",
            &[("date", circular.date.format("%Y-%m-%d").to_string().into())],
        )?;
        let designation = raw(
            "circular-designation",
            &[("number", FluentValue::from(circular.number))],
        )?;
        let addressees = lines(&circular.categories)?;
        let copies = lines(&circular.copy)?;
        let contact = Self::contact_lines(&raw, circular, language)?;
        let annexes = match circular.annexes.len() {
            0 => None,
            n => Some(raw("annexes", &[("count", FluentValue::from(n))])?),
        };
        let footer_reason = raw("footer-reason", &[("addressee", ADDRESSEE_SLOT.into())])?;
        let footer_unsubscribe = raw(
            "footer-unsubscribe",
            &[("unsubscribe", UNSUBSCRIBE_SLOT.into())],
        )?;
        let footer_preferences = raw(
            "footer-preferences",
            &[("preferences", PREFERENCES_SLOT.into())],
        )?;
        let footer_language = raw("footer-language", &[])?;
        let subject = strip_isolation(&raw(
            "mail-subject",
            &[
                ("designation", designation.clone().into()),
                ("subject", subject.to_owned().into()),
            ],
        )?);
        Ok(Wording {
            date_line,
            designation,
            contact,
            annexes,
            footer_reason,
            footer_unsubscribe,
            footer_preferences,
            footer_language,
            subject,
            separator: plain("list-separator")?,
            organisation: plain("organisation")?,
            bureau: plain("bureau")?,
            reference_label: plain("reference-label")?,
            addressees_label: plain("addressees-label")?,
            copy_label: if copies.is_empty() {
                None
            } else {
                Some(plain("copy-label")?)
            },
            addressees,
            copies,
            subject_label: plain("subject-label")?,
            salutation: plain("salutation")?,
            closing: plain("closing")?,
            signed: plain("signed")?,
            signature_title: plain("signature-title")?,
            sender_name: plain("sender-name")?,
        })
    }

    /// The contact block: name, telephone and fax when given, e-mail; each with its raw label.
    fn contact_lines(
        raw: &impl Fn(&str, &[(&str, FluentValue<'static>)]) -> Result<String, TemplateError>,
        circular: &'c Circular,
        language: Language,
    ) -> Result<Vec<(String, &'c str)>, TemplateError> {
        let contact = &circular.contact;
        let mut lines = vec![(
            raw("contact-label", &[])?,
            circular.contact_name_in(language),
        )];
        if let Some(tel) = &contact.tel {
            lines.push((raw("tel-label", &[])?, tel.as_str()));
        }
        if let Some(fax) = &contact.fax {
            lines.push((raw("fax-label", &[])?, fax.as_str()));
        }
        lines.push((raw("email-label", &[])?, contact.email.as_str()));
        Ok(lines)
    }
}

/// `label` and the `value` it introduces on one line: a space between them, none after a
/// full-width colon (`文号：电信…`), which already holds its space.
fn labelled(label: &str, value: &str) -> String {
    if label.ends_with('\u{FF1A}') {
        format!("{label}{value}")
    } else {
        format!("{label} {value}")
    }
}

/// One language version being laid out: the circular, its text and body in the language, and
/// the wording.
struct Letter<'a> {
    circular: &'a Circular,
    language: Language,
    text: &'a LanguageText,
    body: &'a RenderedBody,
    wording: &'a Wording<'a>,
}

impl Letter<'_> {
    /// The text/plain part. Right to left, each line opens with RLM and isolates its
    /// left-to-right runs (all but the signature delimiter `-- `, which mail readers look for).
    fn text_part(&self) -> String {
        let t = self.text_lines();
        if !self.language.is_right_to_left() {
            return t;
        }
        let mut marked = String::with_capacity(t.len() + t.len() / 8);
        for line in t.lines() {
            if line == "-- " {
                marked.push_str(line);
            } else {
                marked.push_str(&bidi::text_line(line));
            }
            marked.push('\n');
        }
        marked
    }

    /// The text/plain part's lines, before any direction marks.
    fn text_lines(&self) -> String {
        let w = self.wording;
        let mut t = String::new();
        // letterhead, place and date
        let _ = write!(
            t,
            "{}\n{}\n\n{}\n\n",
            w.organisation,
            w.bureau,
            strip_isolation(&w.date_line)
        );
        self.text_references(&mut t);
        // subject, salutation, body
        let _ = write!(
            t,
            "\n{}\n\n{}\n\n",
            labelled(&w.subject_label, &self.text.subject),
            w.salutation
        );
        t.push_str(self.body.text.trim_end());
        // closing, signature, annexes
        let _ = writeln!(t, "\n\n{}\n\n{}", w.closing, w.signed);
        if let Some(name) = self.circular.signatory_in(self.language) {
            let _ = writeln!(t, "{name}");
        }
        let _ = writeln!(t, "{}", w.signature_title);
        if let Some(a) = &w.annexes {
            let _ = writeln!(t, "\n{}", strip_isolation(a));
        }
        // footer
        let _ = writeln!(
            t,
            "\n-- \n{}\n{}\n{}\n{}",
            strip_isolation(&w.footer_reason),
            strip_isolation(&w.footer_unsubscribe),
            strip_isolation(&w.footer_preferences),
            strip_isolation(&w.footer_language)
        );
        t
    }

    /// The text part's reference, addressee, copy and contact blocks. A language whose letters
    /// have no label before the addressees (an empty `addressees-label`) starts the list at once.
    fn text_references(&self, t: &mut String) {
        let w = self.wording;
        let _ = write!(
            t,
            "{}\n{}\n\n",
            labelled(&w.reference_label, &strip_isolation(&w.designation)),
            self.circular.reference_in(self.language)
        );
        if !w.addressees_label.is_empty() {
            let _ = writeln!(t, "{}", w.addressees_label);
        }
        self.text_list(t, &w.addressees);
        if let Some(label) = &w.copy_label {
            let _ = writeln!(t, "\n{label}");
            self.text_list(t, &w.copies);
        }
        t.push('\n');
        for (label, value) in &w.contact {
            let _ = writeln!(t, "{}", labelled(&strip_isolation(label), value));
        }
    }

    /// An addressee list in the text part: `– line` (the dash of the letter), separators but on
    /// the last.
    fn text_list(&self, t: &mut String, lines: &[String]) {
        for (line, end) in with_separators(lines, &self.wording.separator) {
            let _ = writeln!(t, "– {}{end}", strip_isolation(line));
        }
    }

    /// The text/html part: a complete document, inline styles only.
    fn html_part(&self) -> String {
        let mut h = String::new();
        self.html_letterhead(&mut h);
        self.html_references(&mut h);
        self.html_letter(&mut h);
        self.html_footer(&mut h);
        h
    }

    /// `s` as HTML text: escaped; right to left, with Fluent's isolation marks kept and each
    /// left-to-right run set in a `dir="ltr"` span.
    fn html(&self, s: &str) -> String {
        if self.language.is_right_to_left() {
            bidi::html(s)
        } else {
            escape(&strip_isolation(s))
        }
    }

    /// `dir="…"` of the version, for the root and the tables under `<body>`.
    fn dir(&self) -> &'static str {
        if self.language.is_right_to_left() {
            "dir=\"rtl\""
        } else {
            "dir=\"ltr\""
        }
    }

    /// The document's head, the page and sheet tables, and the letterhead with place and date.
    fn html_letterhead(&self, h: &mut String) {
        let w = self.wording;
        let language = self.language;
        let rtl = language.is_right_to_left();
        let dir = self.dir();
        let (start, end) = if rtl {
            ("right", "left")
        } else {
            ("left", "right")
        };
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"{language}\" {dir}>\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n</head>\n\
             <body lang=\"{language}\" {dir} style=\"margin:0;padding:0;background-color:#f3f4f6\">\n\
             <table role=\"presentation\" lang=\"{language}\" {dir} style=\"{PAGE}\"><tr><td style=\"padding:16px\">\n\
             <table role=\"presentation\" {dir} style=\"{SHEET}\"><tr><td {dir} style=\"padding:28px 32px;text-align:{start}\">\n",
            escape(&w.subject)
        );
        let _ = writeln!(
            h,
            "<p style=\"{ORGANISATION}\">{}</p>\n<p style=\"{BUREAU}\">{}</p>\n<p style=\"margin:0 0 16px 0;text-align:{end}\">{}</p>",
            self.html(&w.organisation),
            self.html(&w.bureau),
            self.html(&w.date_line)
        );
    }

    /// The table of reference, addressees, copies, contact and subject.
    fn html_references(&self, h: &mut String) {
        let w = self.wording;
        let _ = writeln!(
            h,
            "<table role=\"presentation\" {} style=\"width:100%;border-collapse:collapse;margin:0 0 16px 0\">",
            self.dir()
        );
        let reference = format!(
            "{}<br>{}",
            self.html(&w.designation),
            self.html(self.circular.reference_in(self.language))
        );
        self.html_row(h, &self.html(&w.reference_label), &reference);
        let addressees = format!("\n{}", self.html_list(&w.addressees));
        self.html_row(h, &self.html(&w.addressees_label), &addressees);
        if let Some(label) = &w.copy_label {
            let copies = format!("\n{}", self.html_list(&w.copies));
            self.html_row(h, &self.html(label), &copies);
        }
        for (label, value) in &w.contact {
            self.html_row(h, &self.html(label), &self.html(value));
        }
        let subject = format!("<strong>{}</strong>", self.html(&self.text.subject));
        self.html_row(h, &self.html(&w.subject_label), &subject);
        h.push_str("</table>\n");
    }

    /// An addressee list in the HTML part: one paragraph per line, separators but on the last.
    fn html_list(&self, lines: &[String]) -> String {
        let mut s = String::new();
        for (line, end) in with_separators(lines, &self.wording.separator) {
            let _ = writeln!(s, "<p style=\"{LIST}\">– {}{end}</p>", self.html(line));
        }
        s
    }

    /// Salutation, body, closing, signature and annexes.
    fn html_letter(&self, h: &mut String) {
        let w = self.wording;
        let _ = writeln!(
            h,
            "<p style=\"margin:0 0 12px 0\">{}</p>",
            self.html(&w.salutation).replace('\n', "<br>")
        );
        h.push_str(&self.body.html);
        let _ = writeln!(
            h,
            "\n<p style=\"margin:16px 0 0 0\">{}</p>",
            self.html(&w.closing).replace('\n', "<br>")
        );
        let _ = write!(
            h,
            "<p style=\"margin:16px 0 0 0\">{}<br>",
            self.html(&w.signed)
        );
        if let Some(name) = self.circular.signatory_in(self.language) {
            let _ = write!(h, "<strong>{}</strong><br>", self.html(name));
        }
        let _ = writeln!(h, "{}</p>", self.html(&w.signature_title));
        if let Some(a) = &w.annexes {
            let _ = writeln!(h, "<p style=\"margin:16px 0 0 0\">{}</p>", self.html(a));
        }
    }

    /// One row of the reference table: a label and its value, both already HTML.
    fn html_row(&self, h: &mut String, label: &str, value: &str) {
        let style = if self.language.is_right_to_left() {
            LABEL_RTL
        } else {
            LABEL
        };
        let _ = writeln!(
            h,
            "<tr><td style=\"{style}\">{label}</td><td style=\"{VALUE}\">{value}</td></tr>"
        );
    }

    /// The footer (with the addressee, unsubscribe and preferences slots) and the end of the
    /// document.
    fn html_footer(&self, h: &mut String) {
        let w = self.wording;
        let link = |slot: &str| format!("<a href=\"{slot}\">{slot}</a>");
        let _ = writeln!(
            h,
            "<p style=\"{FOOTER}\">{}<br>{}<br>{}<br>{}</p>\n</td></tr></table>\n</td></tr></table>\n</body>\n</html>",
            self.html(&w.footer_reason),
            self.html(&w.footer_unsubscribe)
                .replace(UNSUBSCRIBE_SLOT, &link(UNSUBSCRIBE_SLOT)),
            self.html(&w.footer_preferences)
                .replace(PREFERENCES_SLOT, &link(PREFERENCES_SLOT)),
            self.html(&w.footer_language)
        );
    }
}

/// The lines of an addressee list, each with what ends it: `separator`, nothing on the last.
fn with_separators<'l>(
    lines: &'l [String],
    separator: &'l str,
) -> impl Iterator<Item = (&'l String, &'l str)> + 'l {
    lines.iter().enumerate().map(move |(i, line)| {
        let end = if i + 1 < lines.len() { separator } else { "" };
        (line, end)
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
                    part.contains(ADDRESSEE_SLOT)
                        && part.contains(UNSUBSCRIBE_SLOT)
                        && part.contains(PREFERENCES_SLOT),
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
        assert!(t.contains("– Aux États Membres de l'UIT;\n"), "{t}");
        assert!(t.contains("– Aux institutions spécialisées des Nations Unies et à l'Agence internationale de l'énergie atomique\n"), "the last line has no ';': {t}");
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
    fn arabic_reads_right_to_left_without_the_html_element_and_its_numbers_left_to_right() {
        let all = all();
        let ar = all.iter().find(|r| r.language == Language::Ar).unwrap();
        let h = &ar.html_body;
        // The direction is on the body, its tables and the letter's cell, not only on <html>.
        let body = &h[h.find("<body").unwrap()..];
        assert!(body.starts_with("<body lang=\"ar\" dir=\"rtl\""), "{body}");
        assert!(body.matches("dir=\"rtl\"").count() >= 5, "{body}");
        for value in ["+41 22 730 5572", "+41 22 730 5853", "ai-calls@itu.example"] {
            assert!(
                h.contains(&format!("<span dir=\"ltr\">{value}</span></td>")),
                "{value} is isolated in its cell: {h}"
            );
        }
        assert!(
            h.contains("<strong><span dir=\"ltr\">Seizo Onoe</span></strong>"),
            "{h}"
        );
        // Every text line but the signature delimiter opens with RLM; runs are between LRMs.
        for line in ar.text_body.lines().filter(|l| !l.is_empty()) {
            assert!(line.starts_with('\u{200F}') || line == "-- ", "{line:?}");
        }
        assert!(
            ar.text_body.contains("\u{200E}+41 22 730 5572\u{200E}\n"),
            "{}",
            ar.text_body
        );
        // Left to right, nothing changes.
        let en = all.iter().find(|r| r.language == Language::En).unwrap();
        assert!(!en.text_body.contains(['\u{200E}', '\u{200F}']));
        assert!(!en.html_body.contains("dir=\"rtl\"") && !en.html_body.contains("<span"));
    }

    #[test]
    fn a_language_that_writes_the_names_its_own_way_shows_its_own_form() {
        let t = Templates::embedded().unwrap();
        let mut c = sample();
        if let Some(zh) = c.texts.get_mut(&Language::Zh) {
            zh.signatory = Some("尾上诚藏".into());
            zh.contact_name = Some("弗雷德·维尔纳".into());
        }
        let zh = render(&t, &c, Language::Zh).unwrap();
        for part in [&zh.text_body, &zh.html_body] {
            assert!(
                part.contains("尾上诚藏") && part.contains("弗雷德·维尔纳"),
                "{part}"
            );
            assert!(!part.contains("Seizo Onoe") && !part.contains("Fred Werner"));
        }
        let fr = render(&t, &c, Language::Fr).unwrap();
        assert!(fr.text_body.contains("Seizo Onoe") && fr.text_body.contains("Fred Werner"));
    }

    #[test]
    fn a_salutation_on_two_lines_keeps_them_in_html_and_a_missing_to_label_leaves_no_line() {
        let all = all();
        let ru = all.iter().find(|r| r.language == Language::Ru).unwrap();
        assert!(
            ru.html_body
                .contains("Уважаемая госпожа,<br>уважаемый господин,"),
            "{}",
            ru.html_body
        );
        assert!(ru
            .text_body
            .contains("Уважаемая госпожа,\nуважаемый господин,\n"));
        let en = all.iter().find(|r| r.language == Language::En).unwrap();
        assert!(
            en.text_body
                .contains("TSB Events/FW\n\n– To Member States of the Union;"),
            "the list follows the reference with no label: {}",
            en.text_body
        );
    }

    #[test]
    fn no_space_follows_a_full_width_colon() {
        assert_eq!(labelled("文号：", "电信标准化局"), "文号：电信标准化局");
        assert_eq!(labelled("Ref.:", "TSB"), "Ref.: TSB");
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
