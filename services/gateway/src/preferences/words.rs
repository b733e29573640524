//! The recipients' pages' words: `locales/<lang>/pages.ftl` in the six languages of circulars,
//! compiled into the binary and loaded with the circular's own loader
//! (`circulars_render::templates`), which checks the six files as a set: the same messages with
//! the same variables in each.

use circulars_core::domain::Language;
use circulars_render::templates::{strip_isolation, TemplateError, Templates};
use fluent_bundle::FluentValue;

/// The name of the pages' wording file in each `locales/<lang>/`.
pub const FILE_NAME: &str = "pages.ftl";

/// The FTL sources, by language, as compiled in.
pub const SOURCES: [(Language, &str, &str); 6] = [
    (
        Language::Ar,
        "locales/ar/pages.ftl",
        include_str!("../../../../locales/ar/pages.ftl"),
    ),
    (
        Language::Zh,
        "locales/zh/pages.ftl",
        include_str!("../../../../locales/zh/pages.ftl"),
    ),
    (
        Language::En,
        "locales/en/pages.ftl",
        include_str!("../../../../locales/en/pages.ftl"),
    ),
    (
        Language::Fr,
        "locales/fr/pages.ftl",
        include_str!("../../../../locales/fr/pages.ftl"),
    ),
    (
        Language::Ru,
        "locales/ru/pages.ftl",
        include_str!("../../../../locales/ru/pages.ftl"),
    ),
    (
        Language::Es,
        "locales/es/pages.ftl",
        include_str!("../../../../locales/es/pages.ftl"),
    ),
];

/// The pages' Fluent bundles, one per language, built once at start and shared.
#[derive(Debug)]
pub struct PageWords {
    templates: Templates,
}

impl PageWords {
    /// The bundles of the compiled-in files; every problem of every file at once.
    pub fn embedded() -> Result<PageWords, TemplateError> {
        PageWords::from_sources(&SOURCES)
    }

    /// The bundles of `(language, file name, FTL text)` for the six languages.
    pub fn from_sources(
        sources: &[(Language, &'static str, &str)],
    ) -> Result<PageWords, TemplateError> {
        let templates = Templates::load(&Language::ALL, FILE_NAME, &[], sources)?;
        Ok(PageWords { templates })
    }

    /// Message `id` in `language` with `args`, as plain text: Fluent's isolation marks are
    /// dropped, since the templates isolate what needs it with `<bdi>`. A message that is
    /// missing or cannot be formatted (which the tests of this module rule out for the ids
    /// pages use) shows as its id and is logged, rather than failing the page.
    pub fn text(
        &self,
        language: Language,
        id: &str,
        args: &[(&str, FluentValue<'static>)],
    ) -> String {
        match self.templates.message(language, id, args) {
            Ok(text) => strip_isolation(&text),
            Err(e) => {
                tracing::error!(%e, "recipients' pages wording");
                id.to_owned()
            }
        }
    }
}

impl PageWords {
    /// Message `id` in `language` with `args`, Fluent's isolation marks (U+2068, U+2069) kept
    /// around each variable, for a sentence whose variables (an address, a Latin name) must
    /// read right inside right-to-left text; shown as its id and logged when it fails.
    pub fn isolated(
        &self,
        language: Language,
        id: &str,
        args: &[(&str, FluentValue<'static>)],
    ) -> String {
        match self.templates.message(language, id, args) {
            Ok(text) => text,
            Err(e) => {
                tracing::error!(%e, "recipients' pages wording");
                id.to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    #[test]
    fn the_six_files_load_and_agree() {
        let words = PageWords::embedded().unwrap();
        assert_eq!(
            words.text(Language::En, "preferences-title", &[]),
            "Your preferences"
        );
        assert_eq!(
            words.text(
                Language::Fr,
                "page-title",
                &[("page", FluentValue::from("Vos préférences"))]
            ),
            "Vos préférences – Circulaires de l'UIT"
        );
        for language in Language::ALL {
            let title = words.text(language, "preferences-title", &[]);
            assert!(!title.is_empty() && title != "preferences-title");
        }
    }

    #[test]
    fn a_message_missing_from_one_language_is_refused_naming_file_and_message() {
        let russian = SOURCES[4].2.replace("topics-none =", "topics-none-x =");
        let mut sources = SOURCES;
        sources[4] = (Language::Ru, SOURCES[4].1, russian.as_str());
        let err = PageWords::from_sources(&sources).unwrap_err().to_string();
        assert!(
            err.contains("locales/ru/pages.ftl: message topics-none is missing"),
            "{err}"
        );
    }

    #[test]
    fn every_id_the_templates_and_pages_use_is_defined() {
        let ids: BTreeSet<String> = circulars_render::wording::read(SOURCES[2].1, SOURCES[2].2)
            .unwrap()
            .into_iter()
            .map(|w| w.id)
            .collect();
        let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = Vec::new();
        for folder in [
            "templates/preferences",
            "src/preferences",
            "templates/unsubscribe",
            "src/unsubscribe",
        ] {
            for entry in std::fs::read_dir(crate_dir.join(folder)).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices(".t(\"") {
                    let rest = &text[at + 4..];
                    let id = &rest[..rest.find('"').unwrap()];
                    used.push((path.display().to_string(), id.to_owned()));
                }
            }
        }
        assert!(used.len() > 10, "the calls are found: {used:?}");
        let unknown: Vec<_> = used.iter().filter(|(_, id)| !ids.contains(id)).collect();
        assert!(unknown.is_empty(), "ids in no pages.ftl: {unknown:#?}");
    }
}
