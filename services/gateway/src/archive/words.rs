//! The archive's words: `locales/<lang>/archive.ftl` for the six languages, compiled into the
//! binary and loaded with the circular's own loader, which checks the six files as a set (the
//! same messages with the same variables in each).

use circulars_core::domain::Language;
use circulars_render::templates::{strip_isolation, TemplateError, Templates};
use fluent_bundle::FluentValue;

/// The name of the archive's wording file in each `locales/<lang>/`.
pub const FILE_NAME: &str = "archive.ftl";

/// The FTL sources, by language, as compiled in.
pub const SOURCES: [(Language, &str, &str); 6] = [
    (
        Language::Ar,
        "locales/ar/archive.ftl",
        include_str!("../../../../locales/ar/archive.ftl"),
    ),
    (
        Language::Zh,
        "locales/zh/archive.ftl",
        include_str!("../../../../locales/zh/archive.ftl"),
    ),
    (
        Language::En,
        "locales/en/archive.ftl",
        include_str!("../../../../locales/en/archive.ftl"),
    ),
    (
        Language::Fr,
        "locales/fr/archive.ftl",
        include_str!("../../../../locales/fr/archive.ftl"),
    ),
    (
        Language::Ru,
        "locales/ru/archive.ftl",
        include_str!("../../../../locales/ru/archive.ftl"),
    ),
    (
        Language::Es,
        "locales/es/archive.ftl",
        include_str!("../../../../locales/es/archive.ftl"),
    ),
];

/// The archive's Fluent bundles, one per language, built once at start and shared.
#[derive(Debug)]
pub struct ArchiveWords {
    templates: Templates,
}

impl ArchiveWords {
    /// The bundles of the compiled-in files; every problem of any file at once.
    pub fn embedded() -> Result<ArchiveWords, TemplateError> {
        ArchiveWords::from_sources(&SOURCES)
    }

    /// The bundles of `(language, file name, FTL text)` for the six languages.
    pub fn from_sources(
        sources: &[(Language, &'static str, &str)],
    ) -> Result<ArchiveWords, TemplateError> {
        let templates = Templates::load(&Language::ALL, FILE_NAME, &[], sources)?;
        Ok(ArchiveWords { templates })
    }

    /// Message `id` in `language` with `args`, for a page: Fluent's isolation marks kept in
    /// Arabic (they keep Latin names and numbers in place in right-to-left text), dropped in
    /// the others. A message that is missing or cannot be formatted (which the tests of this
    /// module rule out for the ids used) shows as its id and is logged.
    pub fn text(
        &self,
        language: Language,
        id: &str,
        args: &[(&str, FluentValue<'static>)],
    ) -> String {
        match self.templates.message(language, id, args) {
            Ok(text) if language.is_right_to_left() => text,
            Ok(text) => strip_isolation(&text),
            Err(e) => {
                tracing::error!(%e, "archive wording");
                id.to_owned()
            }
        }
    }

    /// Message `id` in `language` as plain text (no isolation marks), for a feed.
    pub fn plain(&self, language: Language, id: &str) -> String {
        strip_isolation(&self.text(language, id, &[]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    #[test]
    fn the_six_files_load_and_agree() {
        let words = ArchiveWords::embedded().unwrap();
        assert_eq!(words.plain(Language::En, "archive-title"), "Circulars");
        assert_eq!(words.plain(Language::Fr, "archive-title"), "Circulaires");
        let dated = words.text(
            Language::Fr,
            "circular-dated",
            &[("date", FluentValue::from("2025-03-12"))],
        );
        assert_eq!(dated, "12 mars 2025");
        let arabic = words.text(
            Language::Ar,
            "page-number",
            &[("number", FluentValue::from(2))],
        );
        assert!(
            arabic.contains('\u{2068}'),
            "isolated in Arabic: {arabic:?}"
        );
    }

    #[test]
    fn a_message_missing_in_one_language_is_refused_naming_it() {
        let russian = SOURCES[4].2.replace("next-page = Следующая страница\n", "");
        let mut sources = SOURCES;
        sources[4] = (Language::Ru, SOURCES[4].1, russian.as_str());
        let err = ArchiveWords::from_sources(&sources)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("locales/ru/archive.ftl: message next-page is missing"),
            "{err}"
        );
    }

    #[test]
    fn every_id_the_archive_uses_is_defined() {
        let ids: BTreeSet<String> = circulars_render::wording::read(SOURCES[2].1, SOURCES[2].2)
            .unwrap()
            .into_iter()
            .map(|w| w.id)
            .collect();
        let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for folder in ["templates/archive", "src/archive"] {
            for entry in std::fs::read_dir(crate_dir.join(folder)).unwrap() {
                let path = entry.unwrap().path();
                texts.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
        let mut used = 0;
        for (file, text) in &texts {
            for call in [
                ".t(\"",
                ".t_arg(\"",
                "text(language, \"",
                ".plain(language, \"",
            ] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let id = &rest[..rest.find('"').unwrap()];
                    assert!(ids.contains(id), "{file}: {id} is in no archive.ftl");
                    used += 1;
                }
            }
        }
        assert!(used > 15, "the calls are found: {used}");
    }
}
