//! The draft form's page: the metadata, the contact, the categories and copy list, the
//! annexes, and a section per language (subject, reference line, Markdown body, annex files)
//! reached by a list of in-page links; every problem beside its field and in the summary.

use super::controls::FileInput;
use super::draft_form::{DraftForm, ARCHIVE_NO, ARCHIVE_YES};
use super::names::{form_field, names, ANNEX_ALL};
use crate::console::checkboxes::Checkboxes;
use crate::console::form::{Choice, ErrorSummary, Field, InputKind};
use crate::console::{Layout, Staff};
use askama::Template;
use circulars_core::domain::Language;
use circulars_core::input::Problem;
use std::collections::BTreeMap;

/// What the form offers to choose from: the directory's categories and topics, and the
/// annexes stored so far with the names of their files.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// Every category, its id and its name for staff.
    pub categories: Vec<Choice>,
    /// Every topic.
    pub topics: Vec<Choice>,
    /// The annexes stored, each with the files it has (`annex1.pdf, annex1.fr.pdf`).
    pub stored_annexes: Vec<Choice>,
}

/// The problems of a refused save, by form field (each in the CLI's words,
/// `text.en.subject: is empty`), and those that concern no field.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    by_field: BTreeMap<&'static str, Vec<String>>,
    general: Vec<String>,
}

impl Problems {
    /// The problems of a refused document, each placed at its form field.
    pub fn of(problems: &[Problem]) -> Problems {
        let mut placed = Problems::default();
        for p in problems {
            let message = format!("{}: {}", p.field, p.message);
            match form_field(&p.field) {
                Some(field) => placed.by_field.entry(field).or_default().push(message),
                None => placed.general.push(message),
            }
        }
        placed
    }

    /// A problem of the whole form (the circular was issued meanwhile, say).
    pub fn general(message: String) -> Problems {
        Problems {
            general: vec![message],
            ..Problems::default()
        }
    }

    /// One problem at form field `field`.
    pub fn at_field(field: &'static str, message: String) -> Problems {
        Problems {
            by_field: BTreeMap::from([(field, vec![message])]),
            ..Problems::default()
        }
    }

    /// What is wrong with form field `name`, if anything.
    fn at(&self, name: &str) -> Option<String> {
        self.by_field.get(name).map(|m| m.join(" "))
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_empty()
    }
}

/// One language's section of the form.
pub struct LanguageSection {
    /// `fr`: the section's texts are in this language.
    pub code: &'static str,
    /// `rtl` for Arabic, else `ltr`.
    pub dir: &'static str,
    /// The section's `id`.
    pub id: &'static str,
    /// The language's name in the page's language (the in-page link).
    pub name: String,
    /// The section's legend.
    pub legend: String,
    /// The subject.
    pub subject: Field,
    /// The reference line in this language.
    pub reference: Field,
    /// The signatory's name as this language writes it.
    pub signatory: Field,
    /// The contact's name as this language writes it.
    pub contact_name: Field,
    /// The Markdown body.
    pub body: Field,
    /// The annex files of this language.
    pub annexes: FileInput,
}

/// The draft form's template.
#[derive(Template)]
#[template(path = "drafting/form.html")]
pub struct DraftPage {
    /// The frame, with the error summary.
    pub layout: Layout,
    /// Where the form posts.
    pub action: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// Series, number, reference, date, signatory, topic, fallback language.
    pub metadata: Vec<Field>,
    /// The contact's name, e-mail, telephone, fax.
    pub contact: Vec<Field>,
    /// The addressee categories.
    pub categories: Checkboxes,
    /// The copy list.
    pub copy: Checkboxes,
    /// The annexes listed, kept while ticked.
    pub annexes: Checkboxes,
    /// Files for every language.
    pub annex_all: FileInput,
    /// The six languages' sections.
    pub languages: Vec<LanguageSection>,
    /// Whether files were sent with a refused form (a browser cannot keep them).
    pub files_again: bool,
}

impl DraftPage {
    /// The page for `form` as typed, titled `layout`, posting to `action`, with `problems`
    /// beside their fields and in the summary (in the page's order).
    pub fn new(
        staff: &Staff,
        layout: Layout,
        action: String,
        form: &DraftForm,
        choices: &Choices,
        problems: &Problems,
    ) -> DraftPage {
        let t = |id: &str| staff.page.t(id);
        let field = |name: &'static str, kind: InputKind, value: &str| {
            Field::input(name, t(&format!("draft-{name}")), kind)
                .with_value(value)
                .with_error(problems.at(name))
        };
        let mut topics = vec![Choice {
            value: String::new(),
            label: t("draft-topic-none"),
        }];
        topics.extend(choices.topics.iter().cloned());
        let fallback: Vec<Choice> = Language::ALL
            .iter()
            .map(|l| Choice {
                value: l.code().to_owned(),
                label: t(&format!("language-{}", l.code())),
            })
            .collect();
        let metadata = vec![
            field("series", InputKind::Text, &form.series)
                .with_hint(t("draft-series-hint"))
                .required(),
            field("number", InputKind::Text, &form.number).required(),
            field("reference", InputKind::Text, &form.reference)
                .with_hint(t("draft-reference-hint"))
                .required(),
            field("date", InputKind::Date, &form.date)
                .with_hint(t("draft-date-hint"))
                .required(),
            field("signatory", InputKind::Text, &form.signatory),
            Field::select("topic", t("draft-topic"), topics)
                .with_hint(t("draft-topic-hint"))
                .with_value(form.topic.as_str())
                .with_error(problems.at("topic")),
            Field::select("fallback-language", t("draft-fallback-language"), fallback)
                .with_hint(t("draft-fallback-language-hint"))
                .with_value(form.fallback_language.as_str())
                .with_error(problems.at("fallback-language")),
            Field::select(
                "archive",
                t("draft-archive"),
                vec![
                    Choice {
                        value: ARCHIVE_YES.to_owned(),
                        label: t("draft-archive-yes"),
                    },
                    Choice {
                        value: ARCHIVE_NO.to_owned(),
                        label: t("draft-archive-no"),
                    },
                ],
            )
            .with_hint(t("draft-archive-hint"))
            .with_value(form.archive.as_str())
            .with_error(problems.at("archive")),
        ];
        let contact = vec![
            field("contact-name", InputKind::Text, &form.contact_name).required(),
            field("contact-email", InputKind::Email, &form.contact_email).required(),
            field("contact-tel", InputKind::Text, &form.contact_tel),
            field("contact-fax", InputKind::Text, &form.contact_fax),
        ];
        let group = |name: &'static str, choices: &[Choice], ticked: &[String]| {
            let options = choices
                .iter()
                .map(|c| (c.value.clone(), c.label.clone()))
                .collect();
            Checkboxes::new(name, t(&format!("draft-{name}")), options)
                .with_kept(ticked.iter().map(String::as_str))
                .with_hint(t(&format!("draft-{name}-hint")))
                .with_error(problems.at(name))
        };
        let categories = group("categories", &choices.categories, &form.categories);
        let copy = group("copy", &choices.categories, &form.copy);
        let annexes = group("annexes", &choices.stored_annexes, &form.annexes);
        let file = |name: &'static str, label: String, hint: String| FileInput {
            name,
            label,
            hint: Some(hint),
            error: problems.at(name),
        };
        let annex_all = file(ANNEX_ALL, t("draft-annex-all"), t("draft-annex-all-hint"));
        let languages: Vec<LanguageSection> = Language::ALL
            .iter()
            .map(|language| {
                let n = names(*language);
                let code = language.code();
                let name = t(&format!("language-{code}"));
                let text = form.text(*language);
                let in_language = |id: &str| staff.page.t_arg(id, "language", &name);
                LanguageSection {
                    code,
                    dir: if language.is_right_to_left() {
                        "rtl"
                    } else {
                        "ltr"
                    },
                    id: n.section,
                    legend: in_language("draft-text-legend"),
                    subject: Field::text(n.subject, in_language("draft-subject"))
                        .with_value(text.subject.as_str())
                        .with_error(problems.at(n.subject))
                        .required(),
                    reference: Field::text(n.reference, in_language("draft-text-reference"))
                        .with_hint(t("draft-text-reference-hint"))
                        .with_value(text.reference.as_str())
                        .with_error(problems.at(n.reference)),
                    signatory: Field::text(n.signatory, in_language("draft-text-signatory"))
                        .with_hint(t("draft-text-name-hint"))
                        .with_value(text.signatory.as_str())
                        .with_error(problems.at(n.signatory)),
                    contact_name: Field::text(
                        n.contact_name,
                        in_language("draft-text-contact-name"),
                    )
                    .with_hint(t("draft-text-name-hint"))
                    .with_value(text.contact_name.as_str())
                    .with_error(problems.at(n.contact_name)),
                    body: Field::textarea(n.body, in_language("draft-body"), 14)
                        .with_hint(t("draft-body-hint"))
                        .with_value(text.body.as_str())
                        .with_error(problems.at(n.body))
                        .required(),
                    annexes: file(
                        n.annexes,
                        in_language("draft-annex-language"),
                        t("draft-annex-language-hint"),
                    ),
                    name,
                }
            })
            .collect();
        let mut summary = ErrorSummary::of_fields(metadata.iter().chain(&contact));
        for (target, error) in [&categories, &copy, &annexes]
            .iter()
            .map(|g| (g.name, &g.error))
            .chain([(annex_all.name, &annex_all.error)])
        {
            if let Some(message) = error {
                summary.push(target, message.clone());
            }
        }
        for section in &languages {
            for f in [
                &section.subject,
                &section.reference,
                &section.signatory,
                &section.contact_name,
                &section.body,
            ] {
                if let Some(message) = &f.error {
                    summary.push(f.name, message.clone());
                }
            }
            if let Some(message) = &section.annexes.error {
                summary.push(section.annexes.name, message.clone());
            }
        }
        for message in &problems.general {
            summary.push("series", message.clone());
        }
        DraftPage {
            layout: layout.with_errors(summary),
            action,
            csrf: staff.csrf.clone(),
            metadata,
            contact,
            categories,
            copy,
            annexes,
            annex_all,
            languages,
            files_again: false,
        }
    }
}
