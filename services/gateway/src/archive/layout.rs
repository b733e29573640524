//! What `templates/archive/base.html` draws around every archive page: the language and its
//! direction, the title, the language switch (this page in each language it exists in), and
//! the feed a browser may discover.

use super::feed_path;
use super::words::ArchiveWords;
use circulars_core::domain::Language;
use fluent_bundle::FluentValue;
use std::sync::Arc;

/// A link of the language switch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanguageLink {
    /// The language's code (`lang`, `hreflang`).
    pub code: &'static str,
    /// The language's name in itself.
    pub name: &'static str,
    /// This page in that language.
    pub href: String,
    /// Whether it is the page's language (`aria-current`).
    pub current: bool,
}

/// The frame of an archive page; a page's struct holds it in a field named `layout`.
#[derive(Clone, Debug)]
pub struct ArchiveLayout {
    words: Arc<ArchiveWords>,
    /// The page's language.
    pub language: Language,
    /// The page's title (its `<h1>`, and the document's title with the archive's name).
    pub title: String,
    /// The language switch.
    pub languages: Vec<LanguageLink>,
    /// The Atom feed of the page's language, for `<link rel="alternate">`; none on errors.
    pub feed: Option<String>,
}

impl ArchiveLayout {
    /// The layout of a page in `language` titled `title`, with the switch's links made by
    /// `href` for each of `languages`.
    pub fn new(
        words: Arc<ArchiveWords>,
        language: Language,
        title: String,
        languages: impl IntoIterator<Item = Language>,
        href: impl Fn(Language) -> String,
    ) -> ArchiveLayout {
        let languages = languages
            .into_iter()
            .map(|l| LanguageLink {
                code: l.code(),
                name: l.native_name(),
                href: href(l),
                current: l == language,
            })
            .collect();
        ArchiveLayout {
            words,
            language,
            title,
            languages,
            feed: Some(feed_path(language)),
        }
    }

    /// The same without the feed's link (error pages).
    pub fn without_feed(mut self) -> ArchiveLayout {
        self.feed = None;
        self
    }

    /// The page's language code, for `lang`.
    pub fn code(&self) -> &'static str {
        self.language.code()
    }

    /// The writing direction, for `dir`.
    pub fn dir(&self) -> &'static str {
        if self.language.is_right_to_left() {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// Message `id` in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.words.text(self.language, id, &[])
    }

    /// Message `id` in the page's language, with the one variable `name` set to `value`.
    pub fn t_arg(&self, id: &str, name: &str, value: &str) -> String {
        self.words.text(
            self.language,
            id,
            &[(name, FluentValue::from(value.to_owned()))],
        )
    }

    /// The document's `<title>`: the page's title and the archive's name.
    pub fn document_title(&self) -> String {
        self.t_arg("page-title", "page", &self.title)
    }

    /// The path of the list in the page's language.
    pub fn home(&self) -> String {
        super::list_path(self.language)
    }
}
