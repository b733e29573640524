//! The fixed wording of circulars: one Fluent bundle per language, built once from
//! `locales/<lang>/circular.ftl` (compiled into the binary), checked as a set before the service
//! starts, with the ICU4X `DATE` function registered. Other wording files (the staff console's)
//! load the same way with [`Templates::load`].

use circulars_core::domain::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::BTreeMap;

/// The messages every `locales/<lang>/circular.ftl` must define (with `category-<id>` for each
/// standard category).
pub const REQUIRED_MESSAGES: [&str; 24] = [
    "list-separator",
    "organisation",
    "bureau",
    "sender-name",
    "date-line",
    "reference-label",
    "circular-designation",
    "addressees-label",
    "copy-label",
    "contact-label",
    "tel-label",
    "fax-label",
    "email-label",
    "subject-label",
    "mail-subject",
    "salutation",
    "closing",
    "signed",
    "signature-title",
    "annexes",
    "footer-reason",
    "footer-unsubscribe",
    "footer-preferences",
    "footer-language",
];

/// The FTL sources, by language, as compiled in.
pub const SOURCES: [(Language, &str, &str); 6] = [
    (
        Language::Ar,
        "locales/ar/circular.ftl",
        include_str!("../../../locales/ar/circular.ftl"),
    ),
    (
        Language::Zh,
        "locales/zh/circular.ftl",
        include_str!("../../../locales/zh/circular.ftl"),
    ),
    (
        Language::En,
        "locales/en/circular.ftl",
        include_str!("../../../locales/en/circular.ftl"),
    ),
    (
        Language::Fr,
        "locales/fr/circular.ftl",
        include_str!("../../../locales/fr/circular.ftl"),
    ),
    (
        Language::Ru,
        "locales/ru/circular.ftl",
        include_str!("../../../locales/ru/circular.ftl"),
    ),
    (
        Language::Es,
        "locales/es/circular.ftl",
        include_str!("../../../locales/es/circular.ftl"),
    ),
];

/// Why the wording could not be loaded or a message formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The FTL files have syntax errors, missing messages or differing variables.
    #[error("bad wording files:\n  {}", .0.join("\n  "))]
    Invalid(Vec<String>),
    /// The message is not in the FTL file.
    #[error("{file}: message {id}: no such message")]
    Missing {
        /// The FTL file.
        file: &'static str,
        /// The message id.
        id: String,
    },
    /// A message could not be formatted (a variable missing, a reference broken).
    #[error("{file}: message {id}: {source}")]
    Format {
        /// The FTL file.
        file: &'static str,
        /// The message id.
        id: String,
        /// What Fluent said.
        source: fluent_bundle::FluentError,
    },
}

/// The six bundles (or those of the set [`Templates::load`] was given).
pub struct Templates {
    bundles: BTreeMap<Language, (&'static str, FluentBundle<FluentResource>)>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("languages", &self.bundles.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Templates {
    /// Builds the bundles from the compiled-in FTL files.
    pub fn embedded() -> Result<Templates, TemplateError> {
        Templates::from_sources(&SOURCES)
    }

    /// Builds the bundles from `(language, file name, FTL text)`; reports every problem at once.
    pub fn from_sources(
        sources: &[(Language, &'static str, &str)],
    ) -> Result<Templates, TemplateError> {
        let required: Vec<String> = REQUIRED_MESSAGES
            .iter()
            .map(|id| id.to_string())
            .chain(
                circulars_core::domain::STANDARD_CATEGORIES
                    .iter()
                    .map(|c| format!("category-{c}")),
            )
            .collect();
        Templates::load(&Language::ALL, "circular.ftl", &required, sources)
    }

    /// Builds the bundles of another set of wording files, `locales/<lang>/<file_name>` for each
    /// of `languages` (the staff console's `staff.ftl` in English and French, say): checked as a
    /// set with [`crate::wording::check_set`], each holding the `required` messages, with the
    /// `DATE` function; reports every problem at once.
    pub fn load(
        languages: &[Language],
        file_name: &str,
        required: &[String],
        sources: &[(Language, &'static str, &str)],
    ) -> Result<Templates, TemplateError> {
        crate::wording::check_set(languages, file_name, sources).map_err(TemplateError::Invalid)?;
        let mut problems = Vec::new();
        let mut bundles = BTreeMap::new();
        for &(language, file, text) in sources.iter().filter(|s| languages.contains(&s.0)) {
            let resource = match FluentResource::try_new(text.to_owned()) {
                Ok(r) => r,
                Err((_, errors)) => {
                    problems.extend(errors.iter().map(|e| format!("{file}: {}", e.kind)));
                    continue;
                }
            };
            let locale = match language.code().parse() {
                Ok(l) => l,
                Err(e) => {
                    problems.push(format!("{file}: locale {language}: {e}"));
                    continue;
                }
            };
            let mut bundle = FluentBundle::new_concurrent(vec![locale]);
            // Fluent isolates every placeable with FSI/PDI marks: they keep "(TSB)" or a date in
            // place inside Arabic text. They are kept where they help (right-to-left HTML) and
            // removed elsewhere with `strip_isolation`.
            bundle.set_use_isolating(true);
            if let Err(e) = bundle.add_function("DATE", crate::dates::date_function(language)) {
                problems.push(format!("{file}: cannot register DATE: {e}"));
            }
            if let Err(errors) = bundle.add_resource(resource) {
                problems.extend(errors.iter().map(|e| format!("{file}: {e}")));
            }
            for id in required {
                if !bundle.has_message(id) {
                    problems.push(format!("{file}: message {id} is missing"));
                }
            }
            bundles.insert(language, (file, bundle));
        }
        if problems.is_empty() {
            Ok(Templates { bundles })
        } else {
            Err(TemplateError::Invalid(problems))
        }
    }

    /// Formats message `id` in `language` with `args`, isolation marks included.
    pub fn message(
        &self,
        language: Language,
        id: &str,
        args: &[(&str, FluentValue<'static>)],
    ) -> Result<String, TemplateError> {
        let Some((file, bundle)) = self.bundles.get(&language) else {
            return Err(TemplateError::Invalid(vec![format!(
                "no bundle for {language}"
            )]));
        };
        let pattern = bundle
            .get_message(id)
            .and_then(|m| m.value())
            .ok_or_else(|| TemplateError::Missing {
                file,
                id: id.to_owned(),
            })?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if let Some(source) = errors.into_iter().next() {
            return Err(TemplateError::Format {
                file,
                id: id.to_owned(),
                source,
            });
        }
        Ok(text.into_owned())
    }
}

/// Removes Unicode isolation and direction marks (FSI, PDI, LRI, RLI, LRM, RLM, ALM): for plain
/// text, headers, and left-to-right HTML, where they only get in the way.
pub fn strip_isolation(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(
        t: &Templates,
        language: Language,
        id: &str,
        args: &[(&str, FluentValue<'static>)],
    ) -> String {
        strip_isolation(&t.message(language, id, args).unwrap())
    }

    #[test]
    fn the_six_wording_files_load_with_every_message() {
        let t = Templates::embedded().unwrap();
        let n = [("number", FluentValue::from(36))];
        assert_eq!(
            text(&t, Language::Fr, "circular-designation", &n),
            "Circulaire TSB 36"
        );
        assert_eq!(
            text(&t, Language::En, "circular-designation", &n),
            "TSB Circular 36"
        );
    }

    #[test]
    fn dates_come_from_icu_through_the_date_function() {
        let t = Templates::embedded().unwrap();
        let d = [("date", FluentValue::from("2025-03-12"))];
        for (language, expected) in [
            (Language::En, "Geneva, 12 March 2025"),
            (Language::Fr, "Genève, le 12 mars 2025"),
            (Language::Es, "Ginebra, 12 de marzo de 2025"),
            (Language::Ru, "Женева, 12 марта 2025 года"),
            (Language::Zh, "2025年3月12日，日内瓦"),
            (Language::Ar, "جنيف، 12 مارس 2025"),
        ] {
            assert_eq!(text(&t, language, "date-line", &d), expected);
        }
        assert_eq!(
            text(
                &t,
                Language::Fr,
                "date-line",
                &[("date", FluentValue::from("2025-01-01"))]
            ),
            "Genève, le 1er janvier 2025"
        );
        let raw = t.message(Language::Ar, "date-line", &d).unwrap();
        assert!(
            raw.contains('\u{2068}') && raw.contains('\u{2069}'),
            "the placeable is isolated: {raw:?}"
        );
    }

    #[test]
    fn annexes_take_the_plural_of_the_language() {
        let t = Templates::embedded().unwrap();
        let count = |n: i64| [("count", FluentValue::from(n))];
        assert_eq!(text(&t, Language::En, "annexes", &count(1)), "Annex: 1");
        assert_eq!(text(&t, Language::En, "annexes", &count(2)), "Annexes: 2");
        assert_eq!(text(&t, Language::Fr, "annexes", &count(1)), "Annexe: 1");
        // CLDR: Russian one (1, 21, …), few (2–4, …), many (0, 5–20, …); Arabic zero, one, two,
        // few (3–10, …), many (11–99, …), other (100, …).
        let forms = |language: Language| {
            [1, 2, 3, 5, 11, 21, 100]
                .map(|n| text(&t, language, "annexes", &count(n)))
                .to_vec()
        };
        assert_eq!(
            forms(Language::Ru),
            [
                "1 приложение",
                "2 приложения",
                "3 приложения",
                "5 приложений",
                "11 приложений",
                "21 приложение",
                "100 приложений"
            ]
        );
        assert_eq!(
            forms(Language::Ar),
            [
                "ملحق واحد",
                "ملحقان",
                "3 ملحقات",
                "5 ملحقات",
                "11 ملحقًا",
                "21 ملحقًا",
                "100 ملحق"
            ]
        );
    }

    #[test]
    fn the_addressee_label_is_empty_where_letters_have_none() {
        let t = Templates::embedded().unwrap();
        for (language, label) in [
            (Language::En, ""),
            (Language::Fr, ""),
            (Language::Ru, ""),
            (Language::Zh, "致："),
            (Language::Ar, "إلى:"),
            (Language::Es, "A:"),
        ] {
            assert_eq!(
                t.message(language, "addressees-label", &[]).unwrap(),
                label,
                "{language}"
            );
        }
    }

    #[test]
    fn a_broken_file_is_refused_naming_file_line_and_message() {
        let mut sources: Vec<(Language, &'static str, &str)> = SOURCES.to_vec();
        sources[2] = (
            Language::En,
            "locales/en/circular.ftl",
            "organisation = X\nbureau = {\n",
        );
        let err = Templates::from_sources(&sources).unwrap_err().to_string();
        assert!(err.contains("locales/en/circular.ftl:2:"), "{err}");
    }

    #[test]
    fn a_missing_variable_is_an_error_not_a_silent_gap() {
        let t = Templates::embedded().unwrap();
        let err = t
            .message(Language::En, "circular-designation", &[])
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("locales/en/circular.ftl: message circular-designation:"),
            "{err}"
        );
    }

    #[test]
    fn isolation_marks_are_stripped_for_plain_text() {
        assert_eq!(strip_isolation("\u{2068}36\u{2069} \u{200F}x"), "36 x");
    }
}
