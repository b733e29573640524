//! The fixed wording of circulars: one Fluent bundle per language, built once from
//! `locales/<lang>/circular.ftl` (compiled into the binary), every message checked to exist in
//! all six languages before the service starts.

use circulars_shared::domain::Language;
use circulars_shared::input::line_of;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::collections::BTreeMap;

/// The messages every `locales/<lang>/circular.ftl` must define.
pub const REQUIRED_MESSAGES: [&str; 17] = [
    "organisation",
    "bureau",
    "sender-name",
    "date-line",
    "reference-label",
    "circular-designation",
    "addressees-label",
    "contact-label",
    "tel-label",
    "fax-label",
    "email-label",
    "subject-label",
    "salutation",
    "closing",
    "signature-title",
    "footer-reason",
    "footer-unsubscribe",
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
    /// An FTL file has syntax errors or is missing messages.
    #[error("bad wording files:\n  {}", .0.join("\n  "))]
    Invalid(Vec<String>),
    /// A message could not be formatted (a variable missing, a reference broken).
    #[error("{file}: message {id}: {why}")]
    Format {
        /// The FTL file.
        file: &'static str,
        /// The message id.
        id: String,
        /// What Fluent said.
        why: String,
    },
}

/// The six bundles.
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
        let mut problems = Vec::new();
        let mut bundles = BTreeMap::new();
        for language in Language::ALL {
            let Some((_, file, text)) = sources.iter().find(|(l, _, _)| *l == language) else {
                problems.push(format!("locales/{language}/circular.ftl: missing"));
                continue;
            };
            let resource = match FluentResource::try_new((*text).to_owned()) {
                Ok(r) => r,
                Err((r, errors)) => {
                    for e in errors {
                        let at = e.slice.as_ref().map_or(e.pos.start, |s| s.start);
                        problems.push(format!("{file}:{}: {}", line_of(text, at), e.kind));
                    }
                    r
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
            // Bidi isolation marks would end up in plain text and headers; the HTML part sets
            // `dir` itself. (The official layout's handling comes with the composer issue.)
            bundle.set_use_isolating(false);
            if let Err(errors) = bundle.add_resource(resource) {
                for e in errors {
                    problems.push(format!("{file}: {e}"));
                }
            }
            let required = REQUIRED_MESSAGES
                .iter()
                .copied()
                .chain(
                    circulars_shared::domain::STANDARD_CATEGORIES
                        .iter()
                        .map(|c| c.to_owned()),
                )
                .map(|id| {
                    if REQUIRED_MESSAGES.contains(&id) {
                        id.to_owned()
                    } else {
                        format!("category-{id}")
                    }
                });
            for id in required {
                if !bundle.has_message(&id) {
                    problems.push(format!("{file}: message {id} is missing"));
                }
            }
            bundles.insert(language, (*file, bundle));
        }
        if problems.is_empty() {
            Ok(Templates { bundles })
        } else {
            Err(TemplateError::Invalid(problems))
        }
    }

    /// Formats message `id` in `language` with `args`.
    pub fn message(
        &self,
        language: Language,
        id: &str,
        args: &[(&str, String)],
    ) -> Result<String, TemplateError> {
        let Some((file, bundle)) = self.bundles.get(&language) else {
            return Err(TemplateError::Invalid(vec![format!(
                "no bundle for {language}"
            )]));
        };
        let format_err = |why: String| TemplateError::Format {
            file,
            id: id.to_owned(),
            why,
        };
        let pattern = bundle
            .get_message(id)
            .and_then(|m| m.value())
            .ok_or_else(|| format_err("no such message".into()))?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if let Some(e) = errors.first() {
            return Err(format_err(e.to_string()));
        }
        Ok(text.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_six_wording_files_load_with_every_message() {
        let t = Templates::embedded().unwrap();
        assert_eq!(
            t.message(
                Language::Fr,
                "circular-designation",
                &[("number", "36".into())]
            )
            .unwrap(),
            "Circulaire TSB 36"
        );
        assert_eq!(
            t.message(
                Language::En,
                "circular-designation",
                &[("number", "36".into())]
            )
            .unwrap(),
            "TSB Circular 36"
        );
    }

    #[test]
    fn a_syntax_error_or_a_missing_message_names_file_and_line() {
        let mut sources: Vec<(Language, &'static str, &str)> = SOURCES.to_vec();
        let broken = "organisation = X\nbureau = {\n";
        sources[2] = (Language::En, "locales/en/circular.ftl", broken);
        let err = Templates::from_sources(&sources).unwrap_err().to_string();
        assert!(err.contains("locales/en/circular.ftl:2:"), "{err}");
        assert!(
            err.contains("locales/en/circular.ftl: message salutation is missing"),
            "{err}"
        );
        assert!(
            !err.contains("locales/fr/"),
            "only the broken file is named: {err}"
        );
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
}
