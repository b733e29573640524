//! What the draft form holds: the values typed (kept as typed, to show again), read from the
//! form sent or from a stored circular, and turned into the document and annex uploads the
//! lifecycle checks ([`circulars_lifecycle::draft_document_with_uploads`]).

use super::names::{names, ANNEX_ALL};
use crate::multipart::{SentFile, SentForm};
use circulars_core::domain::{Circular, Language};
use circulars_lifecycle::uploads::localised_name;
use circulars_lifecycle::AnnexUpload;
use serde_json::{json, Map, Value};

/// One language's text as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextFields {
    /// The reference line, when it differs from the circular's.
    pub reference: String,
    /// The subject.
    pub subject: String,
    /// The Markdown body.
    pub body: String,
    /// The signatory's name as the language writes it (empty: the common form).
    pub signatory: String,
    /// The contact's name as the language writes it (empty: the common form).
    pub contact_name: String,
}

/// The draft form's values, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftForm {
    /// `TSB`.
    pub series: String,
    /// `36`, as typed.
    pub number: String,
    /// The default reference line.
    pub reference: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The contact's name.
    pub contact_name: String,
    /// The contact's e-mail address.
    pub contact_email: String,
    /// The contact's telephone.
    pub contact_tel: String,
    /// The contact's fax.
    pub contact_fax: String,
    /// Who signs.
    pub signatory: String,
    /// The addressee categories ticked.
    pub categories: Vec<String>,
    /// The categories ticked for a copy.
    pub copy: Vec<String>,
    /// The topic (`""`: an official circular).
    pub topic: String,
    /// The language of recipients whose contact names none.
    pub fallback_language: String,
    /// `yes` (published in the public archive once issued, the default) or `no` (withheld).
    pub archive: String,
    /// The annexes listed so far and kept ticked.
    pub annexes: Vec<String>,
    /// The six texts, in the order of [`Language::ALL`].
    pub texts: [TextFields; 6],
}

/// The `archive` choice that publishes the circular in the public archive once issued.
pub const ARCHIVE_YES: &str = "yes";
/// The `archive` choice that withholds it.
pub const ARCHIVE_NO: &str = "no";

impl DraftForm {
    /// The empty form of a new circular, dated `today`.
    pub fn new_circular(today: chrono::NaiveDate) -> DraftForm {
        DraftForm {
            date: today.format("%Y-%m-%d").to_string(),
            fallback_language: Language::En.code().to_owned(),
            archive: ARCHIVE_YES.to_owned(),
            ..DraftForm::default()
        }
    }

    /// The form of a stored circular.
    pub fn of_circular(c: &Circular) -> DraftForm {
        let text = |language: Language| {
            c.text(language)
                .map(|t| TextFields {
                    reference: t.reference.clone().unwrap_or_default(),
                    subject: t.subject.clone(),
                    body: t.body.clone(),
                    signatory: t.signatory.clone().unwrap_or_default(),
                    contact_name: t.contact_name.clone().unwrap_or_default(),
                })
                .unwrap_or_default()
        };
        DraftForm {
            series: c.series.clone(),
            number: c.number.to_string(),
            reference: c.reference.clone(),
            date: c.date.format("%Y-%m-%d").to_string(),
            contact_name: c.contact.name.clone(),
            contact_email: c.contact.email.clone(),
            contact_tel: c.contact.tel.clone().unwrap_or_default(),
            contact_fax: c.contact.fax.clone().unwrap_or_default(),
            signatory: c.signatory.clone().unwrap_or_default(),
            categories: c.categories.iter().map(|c| c.id().to_owned()).collect(),
            copy: c.copy.iter().map(|c| c.id().to_owned()).collect(),
            topic: c
                .topic
                .as_ref()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            fallback_language: c.fallback_language.code().to_owned(),
            archive: if c.archive { ARCHIVE_YES } else { ARCHIVE_NO }.to_owned(),
            annexes: c.annexes.clone(),
            texts: Language::ALL.map(text),
        }
    }

    /// The form as sent (one-line fields trimmed; bodies as typed).
    pub fn of_sent(sent: &SentForm) -> DraftForm {
        let line = |name: &str| sent.text(name).trim().to_owned();
        let text = |language: Language| {
            let n = names(language);
            TextFields {
                reference: line(n.reference),
                subject: line(n.subject),
                body: sent.text(n.body).replace("\r\n", "\n"),
                signatory: line(n.signatory),
                contact_name: line(n.contact_name),
            }
        };
        DraftForm {
            series: line("series"),
            number: line("number"),
            reference: line("reference"),
            date: line("date"),
            contact_name: line("contact-name"),
            contact_email: line("contact-email"),
            contact_tel: line("contact-tel"),
            contact_fax: line("contact-fax"),
            signatory: line("signatory"),
            categories: sent.all("categories"),
            copy: sent.all("copy"),
            topic: line("topic"),
            fallback_language: line("fallback-language"),
            archive: line("archive"),
            annexes: sent.all("annexes"),
            texts: Language::ALL.map(text),
        }
    }

    /// The text in `language`.
    pub fn text(&self, language: Language) -> &TextFields {
        let index = Language::ALL
            .iter()
            .position(|l| *l == language)
            .unwrap_or_default();
        &self.texts[index]
    }

    /// The annex files sent (each of a language's own field for that language, named as the
    /// annex: `annex1.fr.pdf` sent for French is `annex1.pdf`), and the form's annexes with the
    /// new ones added in the order sent.
    pub fn add_uploads(&mut self, files: &[SentFile]) -> Vec<AnnexUpload> {
        let mut uploads = Vec::new();
        for file in files {
            let language = Language::ALL
                .into_iter()
                .find(|l| names(*l).annexes == file.field);
            if language.is_none() && file.field != ANNEX_ALL {
                continue;
            }
            let file_name = match language {
                Some(language) => annex_name(&file.file_name, language),
                None => file.file_name.clone(),
            };
            if !self.annexes.contains(&file_name) {
                self.annexes.push(file_name.clone());
            }
            uploads.push(AnnexUpload {
                file_name,
                language: language.map(|l| l.code().to_owned()),
                content: file.content.clone(),
            });
        }
        uploads
    }

    /// The circular as a document in the shape of its file: every field sent, so that the
    /// file's checks name whatever is missing or wrong.
    pub fn document(&self) -> Value {
        let optional = |s: &str| (!s.is_empty()).then(|| json!(s));
        let mut texts = Map::new();
        for (language, text) in Language::ALL.iter().zip(&self.texts) {
            let mut fields = json!({ "subject": text.subject, "body": text.body });
            for (key, value) in [
                ("reference", &text.reference),
                ("signatory", &text.signatory),
                ("contact_name", &text.contact_name),
            ] {
                if let Some(value) = optional(value) {
                    fields[key] = value;
                }
            }
            texts.insert(language.code().to_owned(), fields);
        }
        let number = self
            .number
            .parse::<u32>()
            .map_or_else(|_| json!(self.number), |n| json!(n));
        json!({
            "series": self.series,
            "number": number,
            "reference": self.reference,
            "date": self.date,
            "categories": self.categories,
            "copy": self.copy,
            "signatory": optional(&self.signatory),
            "topic": optional(&self.topic),
            "fallback_language": optional(&self.fallback_language),
            "archive": match self.archive.as_str() {
                "" => serde_json::Value::Null,
                ARCHIVE_YES => json!(true),
                ARCHIVE_NO => json!(false),
                // Refused by the loader, naming the field.
                other => json!(other),
            },
            "annexes": self.annexes,
            "contact": {
                "name": self.contact_name,
                "email": self.contact_email,
                "tel": optional(&self.contact_tel),
                "fax": optional(&self.contact_fax),
            },
            "text": texts,
        })
    }
}

/// The annex a file sent for `language` is a version of: `annex1.fr.pdf` → `annex1.pdf`.
pub fn annex_name(sent: &str, language: Language) -> String {
    let marked = format!(".{}", language.code());
    let plain = match sent.rsplit_once('.') {
        Some((stem, extension)) => stem
            .strip_suffix(&marked)
            .map(|stem| format!("{stem}.{extension}")),
        None => None,
    };
    match plain {
        Some(plain) if localised_name(&plain, language) == sent => plain,
        _ => sent.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Circular {
        let text = include_str!("../../../../../samples/circulars/tsb-36.toml");
        Circular::from_toml("tsb-36.toml", text).unwrap()
    }

    #[test]
    fn a_stored_circular_goes_through_the_form_unchanged() {
        let circular = sample();
        let form = DraftForm::of_circular(&circular);
        assert_eq!(
            form.text(Language::Fr).subject,
            circular.texts[&Language::Fr].subject
        );
        let back = circulars_lifecycle::document::circular_from_json(
            "page",
            &form.document(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(back, circular);
    }

    #[test]
    fn a_circular_withheld_from_the_archive_stays_withheld_through_the_form() {
        let mut circular = sample();
        circular.archive = false;
        let form = DraftForm::of_circular(&circular);
        assert_eq!(form.archive, ARCHIVE_NO);
        let back = |form: &DraftForm| {
            circulars_lifecycle::document::circular_from_json(
                "page",
                &form.document(),
                &Default::default(),
            )
        };
        assert_eq!(back(&form).unwrap(), circular);
        let mut other = form.clone();
        other.archive = "maybe".into();
        let report = back(&other).unwrap_err().to_string();
        assert!(report.contains("archive"), "{report}");
        other.archive = String::new();
        assert!(back(&other).unwrap().archive, "not said: published");
    }

    #[test]
    fn files_sent_per_language_name_their_annex() {
        let mut form = DraftForm::of_circular(&sample());
        let file = |field: &str, name: &str| SentFile {
            field: field.into(),
            file_name: name.into(),
            content: b"x".to_vec(),
        };
        let uploads = form.add_uploads(&[
            file("annex-fr", "annexe.fr.pdf"),
            file("annex-all", "annexe.pdf"),
            file("annex-ar", "<script>.pdf"),
            file("elsewhere", "x.pdf"),
        ]);
        let sent: Vec<(&str, Option<&str>)> = uploads
            .iter()
            .map(|u| (u.file_name.as_str(), u.language.as_deref()))
            .collect();
        assert_eq!(
            sent,
            [
                ("annexe.pdf", Some("fr")),
                ("annexe.pdf", None),
                ("<script>.pdf", Some("ar"))
            ]
        );
        assert_eq!(form.annexes, ["annexe.pdf", "<script>.pdf"]);
    }
}
