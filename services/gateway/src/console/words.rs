//! The console's words: `locales/en/staff.ftl` and `locales/fr/staff.ftl`, compiled into the
//! binary and loaded with the circular's own loader (`circulars_render::templates`), which
//! checks the two files as a set: the same messages with the same variables in both.

use super::language::ConsoleLanguage;
use circulars_core::domain::Language;
use circulars_render::templates::{strip_isolation, TemplateError, Templates};
use fluent_bundle::FluentValue;

/// The name of the console's wording file in each `locales/<lang>/`.
pub const FILE_NAME: &str = "staff.ftl";

/// The FTL sources, by language, as compiled in.
pub const SOURCES: [(Language, &str, &str); 2] = [
    (
        Language::En,
        "locales/en/staff.ftl",
        include_str!("../../../../locales/en/staff.ftl"),
    ),
    (
        Language::Fr,
        "locales/fr/staff.ftl",
        include_str!("../../../../locales/fr/staff.ftl"),
    ),
];

/// The console's Fluent bundles, one per [`ConsoleLanguage`], built once at start and shared.
#[derive(Debug)]
pub struct Words {
    templates: Templates,
}

impl Words {
    /// The bundles of the compiled-in files; every problem of either file at once.
    pub fn embedded() -> Result<Words, TemplateError> {
        Words::from_sources(&SOURCES)
    }

    /// The bundles of `(language, file name, FTL text)` for English and French.
    pub fn from_sources(
        sources: &[(Language, &'static str, &str)],
    ) -> Result<Words, TemplateError> {
        let languages = ConsoleLanguage::ALL.map(ConsoleLanguage::language);
        let templates = Templates::load(&languages, FILE_NAME, &[], sources)?;
        Ok(Words { templates })
    }

    /// Message `id` in `language`, without arguments.
    pub fn text(&self, language: ConsoleLanguage, id: &str) -> String {
        self.text_with(language, id, &[])
    }

    /// Message `id` in `language` with `args`. A message that is missing or cannot be formatted
    /// (which the tests of this module rule out for the ids pages use) shows as its id and is
    /// logged, rather than failing the page.
    pub fn text_with(
        &self,
        language: ConsoleLanguage,
        id: &str,
        args: &[(&str, FluentValue<'static>)],
    ) -> String {
        match self.templates.message(language.language(), id, args) {
            // Both languages are written left to right: the isolation marks only get in the way.
            Ok(text) => strip_isolation(&text),
            Err(e) => {
                tracing::error!(%e, "staff console wording");
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

    /// Every message id of the English file.
    fn english_ids() -> BTreeSet<String> {
        circulars_render::wording::read(SOURCES[0].1, SOURCES[0].2)
            .unwrap()
            .into_iter()
            .map(|w| w.id)
            .collect()
    }

    /// The message ids that `text` names in calls of `t` or `t_arg` on a layout or a page
    /// context (a dot, the name, a parenthesis, the id in double quotes), with the file and
    /// line of each.
    fn ids_used(file: &str, text: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for (number, line) in text.lines().enumerate() {
            for call in [".t(\"", ".t_arg(\""] {
                for (at, _) in line.match_indices(call) {
                    let rest = &line[at + call.len()..];
                    if let Some(end) = rest.find('"') {
                        found.push((format!("{file}:{}", number + 1), rest[..end].to_owned()));
                    }
                }
            }
        }
        found
    }

    /// Each file of `folder` with extension `ext`, with its text.
    fn files(folder: &Path, ext: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(files(&path, ext));
            } else if path.extension().is_some_and(|e| e == ext) {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
        out
    }

    #[test]
    fn the_english_and_french_files_load_and_agree() {
        let words = Words::embedded().unwrap();
        assert_eq!(words.text(ConsoleLanguage::En, "sign-in-title"), "Sign in");
        assert_eq!(
            words.text(ConsoleLanguage::Fr, "sign-in-title"),
            "Se connecter"
        );
        assert_eq!(
            words.text_with(
                ConsoleLanguage::Fr,
                "page-title",
                &[("page", FluentValue::from("Se connecter"))]
            ),
            "Se connecter – Console des circulaires",
            "message references resolve and isolation marks are gone"
        );
    }

    #[test]
    fn a_message_in_one_file_only_is_refused_naming_it() {
        let french = SOURCES[1].2.replace("sign-out = Se déconnecter\n", "");
        let sources = [SOURCES[0], (Language::Fr, SOURCES[1].1, french.as_str())];
        let err = Words::from_sources(&sources).unwrap_err().to_string();
        assert!(
            err.contains("locales/fr/staff.ftl: message sign-out is missing (it is defined at locales/en/staff.ftl:"),
            "{err}"
        );
        let english = format!("{}extra = Only in English\n", SOURCES[0].2);
        let sources = [(Language::En, SOURCES[0].1, english.as_str()), SOURCES[1]];
        let err = Words::from_sources(&sources).unwrap_err().to_string();
        assert!(
            err.contains("locales/fr/staff.ftl: message extra is missing"),
            "{err}"
        );
        let sources = [SOURCES[0]];
        let err = Words::from_sources(&sources).unwrap_err().to_string();
        assert!(err.contains("locales/fr/staff.ftl: missing"), "{err}");
    }

    #[test]
    fn every_id_the_templates_and_pages_use_is_defined() {
        let ids = english_ids();
        let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = files(&crate_dir.join("templates"), "html");
        // The public archive's and the recipients' pages (preferences, unsubscribe) speak words
        // of their own (`archive.ftl` and `pages.ftl`, checked by their own modules).
        sources.retain(|(file, _)| {
            ![
                "/templates/archive/",
                "/templates/preferences/",
                "/templates/unsubscribe/",
            ]
            .iter()
            .any(|folder| file.contains(folder))
        });
        assert!(
            sources.iter().any(|(f, _)| f.ends_with("base.html")),
            "the templates are read"
        );
        sources.extend(files(&crate_dir.join("src/console"), "rs"));
        let used: Vec<(String, String)> = sources
            .iter()
            .flat_map(|(file, text)| ids_used(file, text))
            .collect();
        assert!(used.len() > 10, "the calls are found: {used:?}");
        let unknown: Vec<String> = used
            .into_iter()
            .filter(|(_, id)| !ids.contains(id))
            .map(|(at, id)| format!("{at}: {id}"))
            .collect();
        assert!(unknown.is_empty(), "ids in no staff.ftl: {unknown:#?}");
    }

    #[test]
    fn the_scan_finds_ids_in_every_call_form() {
        let template = "{{ layout.t(\"a-b\") }} x {{ layout.t_arg(\"c\", \"name\", n) }}";
        let found: Vec<String> = ids_used("f", template)
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        assert_eq!(found, ["a-b", "c"]);
    }
}
