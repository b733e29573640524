//! The loader of the circular files staff write (TOML, format in `docs/FORMATS.md`): the file's
//! shape read with serde, then each field group checked, every problem collected with its line.

use super::{
    Category, Circular, CircularId, Contact, DirectoryIds, Language, LanguageText, TopicId,
};
use crate::input::{line_of, FileProblems};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

impl Circular {
    /// Reads a circular file naming only standard categories and no topic; see
    /// [`Circular::from_toml_with`].
    pub fn from_toml(file: &str, text: &str) -> Result<Circular, FileProblems> {
        Circular::from_toml_with(file, text, &DirectoryIds::default())
    }

    /// Reads a circular file (TOML, format in `docs/FORMATS.md`) whose categories and topic
    /// must be standard or in `known`; `file` names it in errors.
    pub fn from_toml_with(
        file: &str,
        text: &str,
        known: &DirectoryIds,
    ) -> Result<Circular, FileProblems> {
        let mut problems = FileProblems::new(file);
        let raw: RawCircular = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                push_syntax_error(&mut problems, text, &e);
                return Err(problems);
            }
        };
        let mut check = Checker {
            text,
            known,
            problems,
        };
        let series_span = raw.series.span();
        let series = check.series(raw.series);
        let id = CircularId::new(&series, raw.number);
        let categories = check.categories(raw.categories);
        let copy = check.copies(raw.copy, &categories);
        let topic = raw.topic.and_then(|t| check.topic(t));
        let fallback_language = raw
            .fallback_language
            .map_or(Language::En, |l| check.fallback_language(l));
        let annexes = check.annexes(raw.annexes);
        check.contact_email(&raw.contact.email);
        let texts = check.texts(&raw.text);

        let mut problems = check.problems;
        let id = match id {
            Ok(id) => id,
            Err(e) => {
                problems.push(
                    Some(line_of(text, series_span.start)),
                    "series",
                    e.to_string(),
                );
                return Err(problems);
            }
        };
        let contact = Contact {
            name: raw.contact.name,
            tel: raw.contact.tel,
            fax: raw.contact.fax,
            email: raw.contact.email.into_inner(),
        };
        problems.into_result(Circular {
            id,
            series,
            number: raw.number,
            reference: raw.reference,
            date: raw.date.into(),
            contact,
            categories,
            copy,
            signatory: raw
                .signatory
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            annexes,
            topic,
            fallback_language,
            archive: raw.archive.unwrap_or(true),
            texts,
        })
    }
}

/// Records the error of a file that is not a circular's TOML shape, at its line and under the
/// key written on that line (`file` when there is none).
fn push_syntax_error(problems: &mut FileProblems, text: &str, e: &toml::de::Error) {
    let line = e.span().map(|s| line_of(text, s.start));
    // The key written on the faulty line, when there is one.
    let field = line
        .and_then(|l| text.lines().nth(l - 1))
        .and_then(|l| l.split_once('='))
        .map(|(key, _)| key.trim().to_owned())
        .filter(|k| !k.is_empty() && !k.starts_with('['))
        .unwrap_or_else(|| "file".to_owned());
    problems.push(line, field, e.message().trim().to_owned());
}

/// The checks of a circular file that parsed: each field group in file order, every problem
/// recorded with its line.
struct Checker<'a> {
    /// The file's text, to turn spans into lines.
    text: &'a str,
    /// The categories and topics the directory adds to the standard ones.
    known: &'a DirectoryIds,
    /// What is wrong so far.
    problems: FileProblems,
}

impl Checker<'_> {
    /// The 1-based line where `span` starts.
    fn at(&self, span: Range<usize>) -> Option<usize> {
        Some(line_of(self.text, span.start))
    }

    /// Records a problem at the line of `span`.
    fn push(&mut self, span: Range<usize>, field: impl Into<String>, message: impl Into<String>) {
        let line = self.at(span);
        self.problems.push(line, field, message);
    }

    /// The series, which must be capital letters or digits.
    fn series(&mut self, series: Spanned<String>) -> String {
        let span = series.span();
        let series = series.into_inner();
        if series.is_empty()
            || !series
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            self.push(
                span,
                "series",
                "must be capital letters or digits, e.g. TSB",
            );
        }
        series
    }

    /// The addressee categories: at least one, each known and listed once; in list order.
    fn categories(&mut self, raw: Spanned<Vec<Spanned<String>>>) -> Vec<Category> {
        if raw.get_ref().is_empty() {
            self.push(
                raw.span(),
                "categories",
                "name at least one addressee category",
            );
        }
        self.category_list("categories", raw.into_inner(), &[])
    }

    /// The categories receiving a copy: each known, listed once and not an addressee category;
    /// in list order.
    fn copies(&mut self, raw: Vec<Spanned<String>>, categories: &[Category]) -> Vec<Category> {
        self.category_list("copy", raw, categories)
    }

    /// The categories of the list `field`: each known, listed once and none among `addressees`;
    /// sorted in the order of the standard list.
    fn category_list(
        &mut self,
        field: &str,
        raw: Vec<Spanned<String>>,
        addressees: &[Category],
    ) -> Vec<Category> {
        let mut list = Vec::new();
        for c in raw {
            let span = c.span();
            match Category::known(c.get_ref(), &self.known.custom_categories) {
                Ok(cat) if addressees.contains(&cat) => self.push(
                    span,
                    field,
                    format!("'{cat}' is already an addressee category"),
                ),
                Ok(cat) if list.contains(&cat) => {
                    self.push(span, field, format!("'{cat}' is listed twice"))
                }
                Ok(cat) => list.push(cat),
                Err(e) => self.push(span, field, e.to_string()),
            }
        }
        list.sort_by_key(Category::rank);
        list
    }

    /// The topic of an optional circular, which the directory must know.
    fn topic(&mut self, raw: Spanned<String>) -> Option<TopicId> {
        let span = raw.span();
        match TopicId::parse(raw.get_ref()) {
            Ok(topic) if self.known.topics.contains(&topic) => Some(topic),
            Ok(topic) => {
                let known_topics: Vec<&str> =
                    self.known.topics.iter().map(TopicId::as_str).collect();
                let known_topics = if known_topics.is_empty() {
                    "none".to_owned()
                } else {
                    known_topics.join(", ")
                };
                self.push(
                    span,
                    "topic",
                    format!(
                        "unknown topic '{topic}' (known: {known_topics}); add it with `circulars directory topic add`"
                    ),
                );
                None
            }
            Err(e) => {
                self.push(span, "topic", e.to_string());
                None
            }
        }
    }

    /// The fallback language, English when it is not one of the six.
    fn fallback_language(&mut self, raw: Spanned<String>) -> Language {
        let span = raw.span();
        raw.get_ref().parse::<Language>().unwrap_or_else(|e| {
            self.push(span, "fallback_language", e.to_string());
            Language::En
        })
    }

    /// The annexes: plain file names with an extension, each listed once.
    fn annexes(&mut self, raw: Vec<Spanned<String>>) -> Vec<String> {
        let mut annexes: Vec<String> = Vec::new();
        for a in raw {
            let span = a.span();
            let name = a.into_inner();
            let plain = !name.is_empty()
                && !name.starts_with('.')
                && !name.contains(['/', '\\'])
                && name.contains('.')
                && !name.chars().any(char::is_control);
            if !plain {
                self.push(
                    span,
                    "annexes",
                    format!("'{name}' must be a file name beside the circular file (no folders), with an extension"),
                );
            } else if annexes.contains(&name) {
                self.push(span, "annexes", format!("'{name}' is listed twice"));
            } else {
                annexes.push(name);
            }
        }
        annexes
    }

    /// The contact's e-mail address, which must look like one.
    fn contact_email(&mut self, email: &Spanned<String>) {
        if email.get_ref().trim().is_empty() || !email.get_ref().contains('@') {
            self.push(email.span(), "contact.email", "must be an e-mail address");
        }
    }

    /// The texts: no language beyond the six, then each of the six with its subject and body.
    fn texts(
        &mut self,
        raw: &BTreeMap<String, Spanned<RawText>>,
    ) -> BTreeMap<Language, LanguageText> {
        for (code, raw_text) in raw {
            if code.parse::<Language>().is_err() {
                self.push(
                    raw_text.span(),
                    format!("text.{code}"),
                    format!("'{code}' is not one of the six languages (ar, zh, en, fr, ru, es)"),
                );
            }
        }
        let mut texts = BTreeMap::new();
        for language in Language::ALL {
            let Some(raw_text) = raw.get(language.code()) else {
                self.problems.push(
                    None,
                    format!("text.{language}"),
                    "missing: every circular needs a subject and body in all six languages",
                );
                continue;
            };
            if let Some(text) = self.language_text(language, raw_text) {
                texts.insert(language, text);
            }
        }
        texts
    }

    /// The text in `language`: a one-line subject and a body, neither empty.
    fn language_text(
        &mut self,
        language: Language,
        raw_text: &Spanned<RawText>,
    ) -> Option<LanguageText> {
        let line = self.at(raw_text.span());
        let raw_text = raw_text.get_ref();
        let subject = self.required(language, "subject", &raw_text.subject, line);
        let body = self.required(language, "body", &raw_text.body, line);
        if let Some(s) = &subject {
            if s.contains('\n') {
                self.problems
                    .push(line, format!("text.{language}.subject"), "must be one line");
            }
        }
        let signatory = self.name_in(language, "signatory", &raw_text.signatory, line);
        let contact_name = self.name_in(language, "contact_name", &raw_text.contact_name, line);
        Some(LanguageText {
            reference: raw_text.reference.clone(),
            subject: subject?,
            body: body?,
            signatory,
            contact_name,
        })
    }

    /// A person's name as `language` writes it, when the text gives one: trimmed, one line
    /// (an empty one is no name: the common form applies).
    fn name_in(
        &mut self,
        language: Language,
        name: &str,
        value: &Option<String>,
        line: Option<usize>,
    ) -> Option<String> {
        let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        if value.contains('\n') {
            self.problems
                .push(line, format!("text.{language}.{name}"), "must be one line");
            return None;
        }
        Some(value.to_owned())
    }

    /// The trimmed value of the field `name` of the text in `language`, recorded as missing
    /// (at `line`, the text's table) or empty when it is.
    fn required(
        &mut self,
        language: Language,
        name: &str,
        value: &Option<Spanned<String>>,
        line: Option<usize>,
    ) -> Option<String> {
        match value {
            Some(v) if !v.get_ref().trim().is_empty() => Some(v.get_ref().trim().to_owned()),
            Some(v) => {
                self.push(v.span(), format!("text.{language}.{name}"), "is empty");
                None
            }
            None => {
                self.problems
                    .push(line, format!("text.{language}.{name}"), "missing");
                None
            }
        }
    }
}

/// A TOML local date (`date = 2025-03-12`), checked by the TOML parser itself.
#[derive(Deserialize)]
#[serde(try_from = "toml::value::Datetime")]
struct TomlDate(NaiveDate);

impl TryFrom<toml::value::Datetime> for TomlDate {
    type Error = String;

    fn try_from(value: toml::value::Datetime) -> Result<Self, Self::Error> {
        match (value.date, value.time, value.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .map(TomlDate)
                    .ok_or_else(|| format!("{value} is not a calendar date"))
            }
            _ => Err(format!("expected a date such as 2025-03-12, found {value}")),
        }
    }
}

impl From<TomlDate> for NaiveDate {
    fn from(value: TomlDate) -> Self {
        value.0
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCircular {
    series: Spanned<String>,
    number: u32,
    reference: String,
    date: TomlDate,
    categories: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    copy: Vec<Spanned<String>>,
    signatory: Option<String>,
    #[serde(default)]
    annexes: Vec<Spanned<String>>,
    contact: RawContact,
    topic: Option<Spanned<String>>,
    fallback_language: Option<Spanned<String>>,
    archive: Option<bool>,
    #[serde(default)]
    text: BTreeMap<String, Spanned<RawText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContact {
    name: String,
    tel: Option<String>,
    fax: Option<String>,
    email: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    reference: Option<String>,
    signatory: Option<String>,
    contact_name: Option<String>,
    subject: Option<Spanned<String>>,
    body: Option<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> String {
        let mut s = String::from(
            "series = \"TSB\"\nnumber = 36\nreference = \"TSB Events/FW\"\ndate = 2025-03-12\n\
             categories = [\"sector-members\", \"member-states\"]\n\
             [contact]\nname = \"Fred Werner\"\ntel = \"+41 22 730 5572\"\nemail = \"ai-calls@itu.example\"\n",
        );
        for l in Language::ALL {
            s.push_str(&format!(
                "[text.{l}]\nsubject = \"Subject {l}\"\nbody = \"\"\"\nBody {l}.\n\"\"\"\n"
            ));
        }
        s
    }

    #[test]
    fn a_complete_file_loads_with_categories_in_list_order() {
        let c = Circular::from_toml("tsb-36.toml", &sample()).unwrap();
        assert_eq!(c.id.as_str(), "TSB-36");
        assert_eq!(c.date, NaiveDate::from_ymd_opt(2025, 3, 12).unwrap());
        let ids: Vec<_> = c.categories.iter().map(|c| c.id()).collect();
        assert_eq!(ids, ["member-states", "sector-members"]);
        assert_eq!(c.texts.len(), 6);
        assert_eq!(c.text(Language::Fr).unwrap().body, "Body fr.");
        assert_eq!(c.reference_in(Language::Ar), "TSB Events/FW");
    }

    #[test]
    fn a_missing_subject_and_body_are_named_by_language_and_line() {
        let text = sample()
            .replace("subject = \"Subject ar\"\n", "")
            .replace("body = \"\"\"\nBody ru.\n\"\"\"\n", "");
        let err = Circular::from_toml("tsb-36.toml", &text).unwrap_err();
        let report = err.to_string();
        assert_eq!(err.problems.len(), 2, "{report}");
        assert!(
            report.contains("tsb-36.toml:10: text.ar.subject: missing"),
            "{report}"
        );
        assert!(report.contains(": text.ru.body: missing"), "{report}");
    }

    #[test]
    fn a_missing_language_is_refused() {
        let text = sample().replace(
            "[text.zh]\nsubject = \"Subject zh\"\nbody = \"\"\"\nBody zh.\n\"\"\"\n",
            "",
        );
        let report = Circular::from_toml("c.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(report.contains("c.toml: text.zh: missing"), "{report}");
    }

    #[test]
    fn an_unknown_category_is_named_with_its_line() {
        let text = sample().replace("\"sector-members\"", "\"sector-member\"");
        let report = Circular::from_toml("c.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(
            report.contains("c.toml:5: categories: unknown category 'sector-member'"),
            "{report}"
        );
    }

    #[test]
    fn syntax_errors_and_unknown_keys_name_the_line() {
        let report = Circular::from_toml(
            "c.toml",
            &sample().replace("number = 36", "number = \"36\""),
        )
        .unwrap_err()
        .to_string();
        assert!(report.contains("c.toml:2: number:"), "{report}");
        let report = Circular::from_toml(
            "c.toml",
            &sample().replace("[contact]", "colour = 1\n[contact]"),
        )
        .unwrap_err()
        .to_string();
        assert!(report.contains("unknown field `colour`"), "{report}");
    }

    #[test]
    fn copies_signatory_and_annexes_are_read_and_checked() {
        let text = sample().replace(
            "[contact]",
            "copy = [\"director-br\", \"study-group-chairs\"]\nsignatory = \"Seizo Onoe\"\nannexes = [\"annex1.pdf\"]\n[contact]",
        );
        let c = Circular::from_toml("c.toml", &text).unwrap();
        let copy: Vec<_> = c.copy.iter().map(|c| c.id()).collect();
        assert_eq!(copy, ["study-group-chairs", "director-br"]);
        assert_eq!(c.audience_categories().len(), 4);
        assert_eq!(c.signatory.as_deref(), Some("Seizo Onoe"));
        assert_eq!(c.annexes, ["annex1.pdf"]);

        let text = sample().replace(
            "[contact]",
            "copy = [\"member-states\"]\nannexes = [\"../etc/passwd\"]\n[contact]",
        );
        let report = Circular::from_toml("c.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(
            report.contains("c.toml:6: copy: 'member-states' is already an addressee category"),
            "{report}"
        );
        assert!(
            report.contains("c.toml:7: annexes: '../etc/passwd' must be a file name"),
            "{report}"
        );
    }

    #[test]
    fn a_language_may_write_the_signatory_and_contact_names_its_own_way() {
        let text = sample()
            .replace("[contact]", "signatory = \"Seizo Onoe\"\n[contact]")
            .replace(
                "[text.zh]\n",
                "[text.zh]\nsignatory = \" 尾上诚藏 \"\ncontact_name = \"弗雷德·维尔纳\"\n",
            )
            .replace("[text.ar]\n", "[text.ar]\nsignatory = \"\"\n");
        let c = Circular::from_toml("c.toml", &text).unwrap();
        assert_eq!(c.signatory_in(Language::Zh), Some("尾上诚藏"));
        assert_eq!(c.contact_name_in(Language::Zh), "弗雷德·维尔纳");
        assert_eq!(
            c.signatory_in(Language::Ar),
            Some("Seizo Onoe"),
            "empty: common form"
        );
        assert_eq!(c.signatory_in(Language::Fr), Some("Seizo Onoe"));
        assert_eq!(c.contact_name_in(Language::Fr), "Fred Werner");

        let text = sample().replace(
            "[text.ru]\n",
            "[text.ru]\ncontact_name = \"\"\"\nФред\nВернер\"\"\"\n",
        );
        let report = Circular::from_toml("c.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(
            report.contains("text.ru.contact_name: must be one line"),
            "{report}"
        );
    }

    #[test]
    fn a_circular_is_in_the_public_archive_unless_its_file_withholds_it() {
        let shown = Circular::from_toml("c.toml", &sample()).unwrap();
        assert!(shown.archive, "archive defaults to true");
        let text = sample().replace("[contact]", "archive = false\n[contact]");
        let withheld = Circular::from_toml("c.toml", &text).unwrap();
        assert!(!withheld.archive);
        let text = sample().replace("[contact]", "archive = \"no\"\n[contact]");
        let report = Circular::from_toml("c.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(report.contains("c.toml:6: archive:"), "{report}");
        let stored: Circular =
            serde_json::from_str(&serde_json::to_string(&withheld).unwrap()).unwrap();
        assert!(!stored.archive, "the flag is kept in the stored document");
    }
}
