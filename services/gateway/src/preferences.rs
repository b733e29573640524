//! The recipient's preferences page, reached from the link every mail carries:
//! `GET /preferences/{token}` shows, in the recipient's language (the language the circular
//! was sent in; `?lang=` switches to any of the six), the recipient's own address and
//! organisation, the language of their circulars, each optional topic with whether it reaches
//! them, and what official circulars are. It reads only.
//!
//! `POST /preferences/{token}` (form-urlencoded, at most 4 KiB) makes one change the page's
//! forms offer: `action=language&language=<code>` (the language of future circulars, one of
//! the six), `action=topic&topic=<id>&receive=yes|no` (a topic chosen or refused),
//! `action=unsubscribe` (the address unsubscribed from everything) or `action=undo` (that
//! undone, for a week); the page is shown again with the change confirmed (or "nothing changed"
//! when it already was so). The request must come from the page: a browser saying another site
//! sent it (`Origin`, `Sec-Fetch-Site`, the console's check) gets 403, and so does a form whose
//! hidden `form` token is not the page's (the page's delivery signed for its own purpose); a
//! topic the directory does not hold, or a language that is not one of the six, gets 400
//! naming it. Each change goes through `circulars_contacts::preferences`, audited with the
//! source "preferences page".
//!
//! The token is checked before anything is read (its length, its signature, then its purpose:
//! a preferences token only), through `circulars_contacts::preferences`, the same directory
//! operations as the CLI and the staff API. A refused link gets a page saying what happened and
//! what to do, in the `?lang=` language, else the language the link's circular was sent in when
//! the token is valid (an expired link, a forgotten person's), else English, with a 4xx status
//! (400 a bad token, 404 one naming no delivery, 410 one of a forgotten person or of a circular
//! issued more than 180 days ago, `LINK_LIFETIME`); the log says which check failed, with only
//! the token's first characters. An
//! unknown `?lang=` shows the page in the recipient's language with a notice saying so.
//!
//! Every answer is rate limited per client address (`public_limit.rs`, `[gateway]
//! preferences_per_client_per_minute`: 429 with a page and `Retry-After`, logged; other
//! addresses are not slowed).
//!
//! Files: this one holds the routes, the page's handler and the failure pages;
//! `preferences/change.rs` the forms' handler; `preferences/words.rs` the six
//! languages' words (`locales/<lang>/pages.ftl`); `preferences/page.rs` the frame, the pages
//! and their headers (templates in `templates/preferences/`).

mod change;
mod page;
mod words;

pub use change::PageForm;

pub use page::{answer, Frame, POLICY, STYLESHEET_PATH};
pub use words::{PageWords, SOURCES};

use crate::console::SameOrigin;
use crate::public_limit::{self, PagesLimiter};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use circulars_contacts::preferences::{PreferencesDesk, PreferencesError, LINK_LIFETIME};
use circulars_core::domain::Language;
use page::{stylesheet, FailurePage, PreferencesPage};
use serde::Deserialize;
use std::num::NonZeroU32;
use std::sync::Arc;
use tracing::{error, info, warn};

/// How many characters of a token the log shows.
const LOGGED_TOKEN_CHARS: usize = 6;
/// The largest POST body read, in bytes.
pub const MAX_BODY_BYTES: usize = 4 * 1024;

/// What the preferences routes share: the directory operations and the words.
#[derive(Clone, Debug)]
pub struct PreferencesState {
    /// The directory operations of the page.
    pub desk: PreferencesDesk,
    /// The six languages' words.
    pub words: Arc<PageWords>,
    /// The site's own origins, which forms must come from.
    pub same_origin: SameOrigin,
}

/// The query of a page: the language the switch asked for.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// `?lang=<code>`.
    pub lang: Option<String>,
}

/// The preferences routes, each client address limited to `per_minute` requests a minute.
pub fn routes(state: PreferencesState, per_minute: NonZeroU32) -> Router {
    Router::new()
        .route(STYLESHEET_PATH, get(stylesheet))
        .route("/preferences/{token}", get(show).post(change::change))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(PagesLimiter::new(per_minute)),
            public_limit::limit,
        ))
}

/// The first few characters of a token, quoted and escaped, for the log.
fn token_prefix(token: &str) -> String {
    format!(
        "{:?}",
        token.chars().take(LOGGED_TOKEN_CHARS).collect::<String>()
    )
}

/// The language `?lang=` names among the six (case ignored); `Err` with what it said when it
/// names none; `Ok(None)` when there is no `?lang=`.
fn asked_language(query: &PageQuery) -> Result<Option<Language>, String> {
    match query.lang.as_deref() {
        None => Ok(None),
        Some(code) => Language::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
            .map(Some)
            .ok_or_else(|| code.to_owned()),
    }
}

/// `GET /preferences/{token}`: the page; changes nothing.
async fn show(
    State(state): State<PreferencesState>,
    Path(token): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    let token_prefix = token_prefix(&token);
    let asked = asked_language(&query);
    let preferences = match state.desk.resolve(&token).await {
        Ok(preferences) => preferences,
        Err(e) => {
            log_failure(&token_prefix, &e);
            let language = asked
                .ok()
                .flatten()
                .or(e.language())
                .unwrap_or(Language::En);
            return failure(&state, language, &e);
        }
    };
    let (language, notice) = match asked {
        Ok(Some(language)) => (language, None),
        Ok(None) => (preferences.recipient.language, None),
        Err(code) => {
            info!(token = %token_prefix, lang = %code.escape_default(), "preferences page: unknown language asked");
            (
                preferences.recipient.language,
                Some("unknown-page-language"),
            )
        }
    };
    let mut frame = Frame::new(state.words.clone(), language, "preferences-title").with_switch();
    frame.notice = notice.map(|id| frame.t(id));
    info!(
        token = %token_prefix,
        circular = %preferences.delivery.circular,
        %language,
        "preferences page shown"
    );
    let form = state.desk.form_token(&preferences);
    answer(
        StatusCode::OK,
        &PreferencesPage {
            frame,
            preferences: &preferences,
            form,
        },
    )
}

/// The page answering a refused link: what happened and what to do, with its status.
fn failure(state: &PreferencesState, language: Language, e: &PreferencesError) -> Response {
    let (status, title, text) = match e {
        PreferencesError::InvalidLink(_)
        | PreferencesError::UnknownTopic(_)
        | PreferencesError::UnknownLanguage(_)
        | PreferencesError::FormToken => (
            StatusCode::BAD_REQUEST,
            "failure-invalid-title",
            "failure-invalid",
        ),
        PreferencesError::UnknownDelivery(_) => (
            StatusCode::NOT_FOUND,
            "failure-unknown-title",
            "failure-unknown",
        ),
        PreferencesError::Forgotten { .. } => {
            (StatusCode::GONE, "failure-unknown-title", "failure-unknown")
        }
        PreferencesError::Expired { .. } => {
            (StatusCode::GONE, "failure-expired-title", "failure-expired")
        }
        PreferencesError::Store(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "failure-unavailable-title",
            "failure-unavailable",
        ),
    };
    let frame = Frame::new(state.words.clone(), language, title);
    let days = LINK_LIFETIME.num_days().to_string();
    let text = frame.t_arg(text, "days", &days);
    answer(status, &FailurePage { frame, text })
}

/// Logs why a link was not followed, naming the check (the page does not).
fn log_failure(token_prefix: &str, e: &PreferencesError) {
    match e {
        PreferencesError::InvalidLink(why) => {
            warn!(token = %token_prefix, %why, "preferences page: invalid link")
        }
        PreferencesError::UnknownDelivery(reference) => {
            warn!(token = %token_prefix, %reference, "preferences page: link names no delivery")
        }
        PreferencesError::Forgotten { reference, .. } => {
            warn!(token = %token_prefix, %reference, "preferences page: link of a forgotten person")
        }
        PreferencesError::Expired {
            reference, sent, ..
        } => {
            info!(token = %token_prefix, %reference, %sent, "preferences page: expired link")
        }
        PreferencesError::FormToken => {
            warn!(token = %token_prefix, "preferences form refused: not the page's form token")
        }
        PreferencesError::UnknownTopic(topic) => {
            warn!(token = %token_prefix, topic = %topic.escape_default(), "preferences page: unknown topic")
        }
        PreferencesError::UnknownLanguage(code) => {
            warn!(token = %token_prefix, language = %code.escape_default(), "preferences page: unknown language of circulars")
        }
        PreferencesError::Store(why) => {
            error!(token = %token_prefix, %why, "preferences page: database")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_asked_is_one_of_the_six_or_named_back() {
        let ask = |lang: Option<&str>| {
            asked_language(&PageQuery {
                lang: lang.map(str::to_owned),
            })
        };
        assert_eq!(ask(None), Ok(None));
        assert_eq!(ask(Some("AR")), Ok(Some(Language::Ar)));
        assert_eq!(ask(Some("zh")), Ok(Some(Language::Zh)));
        assert_eq!(ask(Some("de")), Err("de".to_owned()));
        assert_eq!(ask(Some("<x>")), Err("<x>".to_owned()));
    }
}
