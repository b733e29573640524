//! What the preferences routes draw: the frame every recipients' page shares ([`Frame`]: the
//! language and its direction, the title, the language switch), the preferences page, the page
//! saying why a link was refused, and the headers they carry: never cached, no referrer
//! leaving the site with the token, a Content-Security-Policy that loads only the pages' stylesheet and
//! runs no script, not framable.

use super::words::PageWords;
use askama::Template;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use circulars_contacts::preferences::{PreferencesDesk, RecipientPreferences};
use circulars_core::domain::Language;
use fluent_bundle::FluentValue;
use std::sync::Arc;

/// Where the pages' stylesheet is served.
pub const STYLESHEET_PATH: &str = "/preferences/static/pages.css";
/// The stylesheet, as compiled in.
pub const STYLESHEET: &str = include_str!("../../static/pages.css");

/// The recipients' pages' policy: their own stylesheet, no script at all, forms posted only to
/// themselves, never inside a frame, no `<base>`.
pub const POLICY: &str = "default-src 'none'; style-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Headers every page carries. The referrer (which holds the token) never leaves the site:
/// `same-origin`, not `no-referrer`, under which browsers send `Origin: null` with the page's
/// own forms, which the cross-site check must then refuse.
const HEADERS: [(HeaderName, &str); 6] = [
    (CONTENT_TYPE, "text/html; charset=utf-8"),
    (CACHE_CONTROL, "no-store"),
    (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (REFERRER_POLICY, "same-origin"),
    (CONTENT_SECURITY_POLICY, POLICY),
    (X_FRAME_OPTIONS, "DENY"),
];

/// One link of the language switch.
#[derive(Debug, Clone)]
pub struct SwitchLink {
    /// The language it shows the page in.
    pub language: Language,
    /// Its name in itself.
    pub name: &'static str,
    /// `?lang=<code>`.
    pub href: String,
    /// Whether the page is in it.
    pub current: bool,
}

/// What every recipients' page draws around its content (`templates/preferences/base.html`).
#[derive(Debug, Clone)]
pub struct Frame {
    words: Arc<PageWords>,
    /// The page's language.
    pub language: Language,
    /// The page's `<h1>`.
    pub title: String,
    /// The language switch; empty on a page that has no recipient to show.
    pub languages: Vec<SwitchLink>,
    /// A notice above the content (an unknown `?lang=`), when there is one.
    pub notice: Option<String>,
}

impl Frame {
    /// The frame of a page in `language` titled with message `title_id`, without a switch.
    pub fn new(words: Arc<PageWords>, language: Language, title_id: &str) -> Frame {
        let title = words.text(language, title_id, &[]);
        Frame {
            words,
            language,
            title,
            languages: Vec::new(),
            notice: None,
        }
    }

    /// The same frame with a switch to each of the six languages.
    pub fn with_switch(mut self) -> Frame {
        self.languages = Language::ALL
            .into_iter()
            .map(|language| SwitchLink {
                language,
                name: language.native_name(),
                href: format!("?lang={}", language.code()),
                current: language == self.language,
            })
            .collect();
        self
    }

    /// Message `id` in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.words.text(self.language, id, &[])
    }

    /// Message `id` in the page's language, with the one variable `name` set to `value`.
    pub fn t_arg(&self, id: &str, name: &str, value: &str) -> String {
        let args = [(name, FluentValue::from(value.to_owned()))];
        self.words.text(self.language, id, &args)
    }

    /// `rtl` or `ltr`, for the `dir` attribute.
    pub fn dir(&self) -> &'static str {
        if self.language.is_right_to_left() {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The document's `<title>`: the page's title and the site's name.
    pub fn document_title(&self) -> String {
        self.t_arg("page-title", "page", &self.title)
    }

    /// The name of `language` in itself.
    pub fn language_name(&self, language: &Language) -> &'static str {
        language.native_name()
    }
}

/// The preferences page.
#[derive(Template)]
#[template(path = "preferences/page.html")]
pub struct PreferencesPage<'a> {
    /// The frame.
    pub frame: Frame,
    /// What the page shows: the recipient only.
    pub preferences: &'a RecipientPreferences,
    /// The hidden token of the page's forms.
    pub form: String,
}

impl PreferencesPage<'_> {
    /// The language of the recipient's next circulars (their choice, else this circular's).
    pub fn circulars_language(&self) -> Language {
        self.preferences.circulars_language()
    }

    /// Whether `language` is that of the recipient's next circulars (the form's checked one).
    pub fn is_circulars_language(&self, language: &Language) -> bool {
        *language == self.circulars_language()
    }

    /// The six languages of circulars, for the language form.
    pub fn languages(&self) -> [Language; 6] {
        Language::ALL
    }

    /// Since when the address is suppressed, when it is (`2026-12-05`).
    pub fn suppressed_since(&self) -> Option<String> {
        self.preferences
            .suppression
            .as_ref()
            .map(|s| s.since.format("%Y-%m-%d").to_string())
    }

    /// Until when (`2026-12-12 02:30 UTC`) the unsubscribing can be undone here, when it can.
    pub fn undo_until(&self) -> Option<String> {
        PreferencesDesk::undo_until(self.preferences)
            .map(|until| until.format("%Y-%m-%d %H:%M UTC").to_string())
    }
}

/// The page saying why a link was refused and what to do.
#[derive(Template)]
#[template(path = "preferences/failure.html")]
pub struct FailurePage {
    /// The frame (titled with what happened).
    pub frame: Frame,
    /// What to do.
    pub text: String,
}

/// A page as an answer with `status` and the pages' headers.
pub fn answer<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, HEADERS, html).into_response(),
        Err(e) => {
            tracing::error!(%e, "recipients' page template");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                "internal error\n",
            )
                .into_response()
        }
    }
}

/// `GET /preferences/static/pages.css`. Cached for an hour: it changes only with the binary.
pub async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}
