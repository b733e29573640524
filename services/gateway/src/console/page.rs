//! What every staff page is made of: the [`PageContext`] a handler receives (the language
//! chosen and the words), the [`Layout`] that `templates/base.html` draws around the page
//! (title, account and sign-out, navigation, language switch, error summary), and [`render`],
//! which turns a page's template into the answer.

use super::form::ErrorSummary;
use super::language::{ConsoleLanguage, LANG_QUERY};
use super::security::add_security_headers;
use super::words::Words;
use super::ConsoleState;
use askama::Template;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use circulars_core::domain::AccountName;
use fluent_bundle::FluentValue;
use std::convert::Infallible;
use std::sync::Arc;

/// Where the console's home page (today the sign-in page) is.
pub const HOME_PATH: &str = "/staff";
/// Where the sign-in page is.
pub const SIGN_IN_PATH: &str = "/staff/sign-in";
/// Where the layout's sign-out button posts to.
pub const SIGN_OUT_PATH: &str = "/staff/sign-out";

/// What a staff page handler takes as an argument: the page's language (see
/// [`ConsoleLanguage::of_request`]), the words, and the address of the page (for the
/// language switch). Extracted from any state that holds a [`ConsoleState`].
#[derive(Clone, Debug)]
pub struct PageContext {
    language: ConsoleLanguage,
    words: Arc<Words>,
    uri: Uri,
}

impl<S> FromRequestParts<S> for PageContext
where
    ConsoleState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let console = ConsoleState::from_ref(state);
        Ok(PageContext::new(console.words, &parts.uri, &parts.headers))
    }
}

impl PageContext {
    /// The context of a request to `uri` with `headers`.
    pub fn new(words: Arc<Words>, uri: &Uri, headers: &HeaderMap) -> PageContext {
        PageContext {
            language: ConsoleLanguage::of_request(uri.query(), headers),
            words,
            uri: uri.clone(),
        }
    }

    /// The path of the page asked for (`/staff/circulars`).
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// The page's language.
    pub fn language(&self) -> ConsoleLanguage {
        self.language
    }

    /// Message `id` in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.words.text(self.language, id)
    }

    /// Message `id` in the page's language, with the one variable `name` set to `value`.
    pub fn t_arg(&self, id: &str, name: &str, value: &str) -> String {
        self.words.text_with(
            self.language,
            id,
            &[(name, FluentValue::from(value.to_owned()))],
        )
    }

    /// Message `id` in the page's language, with each variable of `args` set.
    pub fn t_args(&self, id: &str, args: &[(&str, &str)]) -> String {
        let args: Vec<(&str, FluentValue<'static>)> = args
            .iter()
            .map(|(name, value)| (*name, FluentValue::from((*value).to_owned())))
            .collect();
        self.words.text_with(self.language, id, &args)
    }

    /// The layout of a page titled with message `title_id`: signed out, no navigation beyond
    /// the sign-in link, no errors (see the `with_…` methods of [`Layout`]).
    pub fn layout(&self, title_id: &str) -> Layout {
        Layout {
            words: self.words.clone(),
            language: self.language,
            title: self.t(title_id),
            account: None,
            nav: vec![NavLink {
                href: SIGN_IN_PATH.to_owned(),
                label: self.t("sign-in-title"),
                current: self.uri.path() == SIGN_IN_PATH || self.uri.path() == HOME_PATH,
            }],
            errors: ErrorSummary::default(),
            languages: self.language_links(),
        }
    }

    /// The language switch: this page in each language (its query kept, `lang` replaced).
    fn language_links(&self) -> Vec<LanguageLink> {
        ConsoleLanguage::ALL
            .into_iter()
            .map(|language| {
                let mut query = form_urlencoded::Serializer::new(String::new());
                for (k, v) in form_urlencoded::parse(self.uri.query().unwrap_or("").as_bytes()) {
                    if k != LANG_QUERY {
                        query.append_pair(&k, &v);
                    }
                }
                query.append_pair(LANG_QUERY, language.code());
                LanguageLink {
                    language,
                    href: format!("{}?{}", self.uri.path(), query.finish()),
                    current: language == self.language,
                }
            })
            .collect()
    }
}

/// The signed-in account the layout names, with its session's CSRF token for the sign-out form.
#[derive(Clone)]
pub struct SignedIn {
    /// The account.
    pub name: AccountName,
    /// The session's CSRF token, put in every form's hidden `csrf` field.
    pub csrf: String,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("name", &self.name)
            .field("csrf", &"[hidden]")
            .finish()
    }
}

/// A link of the console's navigation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavLink {
    /// Where it leads.
    pub href: String,
    /// What it says, in the page's language.
    pub label: String,
    /// Whether it is the page shown (`aria-current="page"`).
    pub current: bool,
}

/// A link of the language switch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanguageLink {
    /// The language it switches to.
    pub language: ConsoleLanguage,
    /// This page with `?lang=<code>`.
    pub href: String,
    /// Whether it is the page's language.
    pub current: bool,
}

/// What `templates/base.html` draws around every page; a page template's struct holds it in a
/// field named `layout`.
#[derive(Clone, Debug)]
pub struct Layout {
    words: Arc<Words>,
    /// The page's language (`lang`, `dir`).
    pub language: ConsoleLanguage,
    /// The page's title (its `<h1>`, and the document's title with the console's name).
    pub title: String,
    /// The account signed in, if any: named in the header with a sign-out button.
    pub account: Option<SignedIn>,
    /// The navigation's links.
    pub nav: Vec<NavLink>,
    /// The errors of the page's form, listed at the top of `<main>`.
    pub errors: ErrorSummary,
    /// The language switch.
    pub languages: Vec<LanguageLink>,
}

impl Layout {
    /// Message `id` in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.words.text(self.language, id)
    }

    /// Message `id` in the page's language, with the one variable `name` set to `value`.
    pub fn t_arg(&self, id: &str, name: &str, value: &str) -> String {
        self.words.text_with(
            self.language,
            id,
            &[(name, FluentValue::from(value.to_owned()))],
        )
    }

    /// The document's `<title>`: the page's title and the console's name, after "Error:" when
    /// the form has errors (as GOV.UK does, so that a screen reader says it first).
    pub fn document_title(&self) -> String {
        let id = if self.errors.is_empty() {
            "page-title"
        } else {
            "page-title-with-errors"
        };
        self.t_arg(id, "page", &self.title)
    }

    /// The same, signed in as `name` with the session's `csrf` token (and no sign-in link).
    pub fn signed_in(mut self, name: AccountName, csrf: String) -> Layout {
        self.account = Some(SignedIn { name, csrf });
        self.nav.retain(|link| link.href != SIGN_IN_PATH);
        self
    }

    /// The same with the navigation `nav`.
    pub fn with_nav(mut self, nav: Vec<NavLink>) -> Layout {
        self.nav = nav;
        self
    }

    /// The same with the form's errors.
    pub fn with_errors(mut self, errors: ErrorSummary) -> Layout {
        self.errors = errors;
        self
    }
}

/// A page's template rendered as an HTML answer with `status` and the console's security
/// headers; a template that cannot render (which askama's compile-time checks leave unlikely)
/// is a plain 500, logged.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    let mut response = match page.render() {
        Ok(html) => (
            status,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(%e, "a staff page cannot render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    };
    add_security_headers(response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(uri: &str, headers: &[(&'static str, &'static str)]) -> PageContext {
        let mut map = HeaderMap::new();
        for (n, v) in headers {
            map.append(*n, HeaderValue::from_static(v));
        }
        PageContext::new(
            Arc::new(Words::embedded().unwrap()),
            &uri.parse().unwrap(),
            &map,
        )
    }

    #[test]
    fn the_switch_links_this_page_in_each_language_keeping_its_query() {
        let page = context("/staff/circulars?state=draft&lang=fr&q=a%26b", &[]);
        assert_eq!(page.language(), ConsoleLanguage::Fr);
        let links = page.layout("sign-in-title").languages;
        assert_eq!(
            links
                .iter()
                .map(|l| (l.href.as_str(), l.current))
                .collect::<Vec<_>>(),
            [
                ("/staff/circulars?state=draft&q=a%26b&lang=en", false),
                ("/staff/circulars?state=draft&q=a%26b&lang=fr", true),
            ]
        );
    }

    #[test]
    fn the_document_title_names_the_page_and_says_error_first_when_there_is_one() {
        let page = context("/staff", &[("accept-language", "fr")]);
        let layout = page.layout("sign-in-title");
        assert_eq!(layout.title, "Se connecter");
        assert_eq!(
            layout.document_title(),
            "Se connecter – Console des circulaires"
        );
        let mut errors = ErrorSummary::default();
        errors.push("name", "x".into());
        assert_eq!(
            layout.with_errors(errors).document_title(),
            "Erreur\u{a0}: Se connecter – Console des circulaires"
        );
    }

    #[test]
    fn the_csrf_token_never_prints() {
        let layout = context("/staff", &[])
            .layout("sign-in-title")
            .signed_in(AccountName::parse("ana").unwrap(), "token-value".into());
        let shown = format!("{layout:?}");
        assert!(
            shown.contains("ana") && !shown.contains("token-value"),
            "{shown}"
        );
    }
}
