//! One-click unsubscribe (RFC 8058): what the `List-Unsubscribe` https link of every mail leads to.
//!
//! - `POST /unsubscribe/{token}` with the body `List-Unsubscribe=One-Click` (form-urlencoded or
//!   multipart/form-data) unsubscribes at once: from the circular's topic when it has one
//!   ([`Scope::Topic`]), else from every circular (a suppression, [`Scope::Everything`]), and
//!   answers 200 with a page saying so. A replay changes nothing and answers 200 too.
//! - `GET /unsubscribe/{token}` (and `HEAD`) changes nothing: a small page says what the POST
//!   would do, with a button that sends it.
//!
//! Both pages are recipients' pages in the language the circular was sent in (words of
//! `locales/<lang>/pages.ftl`, the preferences page's frame and stylesheet), with a link to the
//! preferences page of the same delivery, where the unsubscribing can be undone for a week. The
//! POST's refusals stay plain text, for mail clients.
//!
//! The token is checked before anything is read (`circulars_contacts::unsubscribe::verify_link`): its length, then its
//! signature, then its purpose. The answer never says which check failed ("invalid link"); the
//! log does, with only the token's first characters.
//!
//! Files: this one holds the routes and their handlers; `unsubscribe/body.rs` reads the POST
//! body (form-urlencoded or multipart/form-data); `unsubscribe/page.rs` renders the answers
//! (page, plain text, failure words) and the headers they carry.

mod body;
mod page;

pub use body::{parse_one_click, BodyError, MalformedForm};
pub use page::mask_address;

use crate::preferences::PageWords;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
pub use circulars_contacts::unsubscribe::{
    Applied, InvalidLink, Plan, Scope, UnsubscribeError, Unsubscriber,
};
use page::{confirmation, failure_page, failure_text, outcome, text};
use std::sync::Arc;
use tracing::{error, info, warn};

/// The largest POST body read, in bytes; a longer one is refused with 413 before it is parsed.
pub const MAX_BODY_BYTES: usize = 4 * 1024;
/// The form field RFC 8058 requires in the POST body.
pub const ONE_CLICK_KEY: &str = "List-Unsubscribe";
/// The only value of [`ONE_CLICK_KEY`] accepted.
pub const ONE_CLICK_VALUE: &str = "One-Click";
/// Who the audit trail records as having unsubscribed.
pub const ACTOR: &str = "recipient (one-click)";
/// How the choice was made, in the suppression's detail or the subscription's source.
pub const HOW: &str = circulars_contacts::unsubscribe::ONE_CLICK;
/// How many characters of a token the log shows.
const LOGGED_TOKEN_CHARS: usize = 6;

/// What the unsubscribe routes share: the links followed, and the recipients' pages' words.
#[derive(Clone, Debug)]
pub struct UnsubscribeState {
    /// Follows the links.
    pub unsubscriber: Unsubscriber,
    /// The six languages' words (`locales/<lang>/pages.ftl`).
    pub words: Arc<PageWords>,
}

impl UnsubscribeState {
    /// The path of the preferences page of the plan's delivery.
    fn preferences_path(&self, plan: &Plan) -> String {
        format!("/preferences/{}", self.unsubscriber.preferences_token(plan))
    }
}

/// The unsubscribe routes, with [`MAX_BODY_BYTES`] as their body limit.
pub fn routes(state: UnsubscribeState) -> Router {
    Router::new()
        .route("/unsubscribe/{token}", get(page).post(one_click))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// The first few characters of a token, quoted and escaped, for the log.
fn token_prefix(token: &str) -> String {
    format!(
        "{:?}",
        token.chars().take(LOGGED_TOKEN_CHARS).collect::<String>()
    )
}

/// `GET /unsubscribe/{token}`: a page saying what the POST would do; changes nothing.
async fn page(State(state): State<UnsubscribeState>, Path(token): Path<String>) -> Response {
    let token_prefix = token_prefix(&token);
    let unsubscriber = &state.unsubscriber;
    let plan = match unsubscriber.resolve(&token).await {
        Ok(plan) => plan,
        Err(e) => {
            log_failure(&token_prefix, "page", &e);
            return failure_page(state.words.clone(), &e);
        }
    };
    let done = match unsubscriber.is_done(&plan).await {
        Ok(done) => done,
        Err(e) => {
            log_failure(&token_prefix, "page", &e);
            return failure_page(state.words.clone(), &e);
        }
    };
    info!(token = %token_prefix, circular = %plan.delivery.circular, done, "unsubscribe page shown");
    let preferences = state.preferences_path(&plan);
    confirmation(state.words.clone(), &plan, done, preferences)
}

/// `POST /unsubscribe/{token}`: the one-click unsubscribe itself. The body is checked first,
/// then the token.
async fn one_click(
    State(state): State<UnsubscribeState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token_prefix = token_prefix(&token);
    let unsubscriber = &state.unsubscriber;
    let checked = match headers.get(CONTENT_TYPE).map(|v| v.to_str()) {
        Some(Err(_)) => Err(BodyError::UnsupportedContentType("(not ASCII)".to_owned())),
        Some(Ok(content_type)) => parse_one_click(Some(content_type), body).await,
        None => parse_one_click(None, body).await,
    };
    if let Err(e) = checked {
        info!(token = %token_prefix, why = %e, "one-click unsubscribe refused: not a one-click body");
        return text(StatusCode::BAD_REQUEST, &format!("{e}\n"));
    }
    let result = match unsubscriber.resolve(&token).await {
        Ok(plan) => unsubscriber
            .apply(&plan, HOW, ACTOR)
            .await
            .map(|applied| (plan, applied)),
        Err(e) => Err(e),
    };
    match result {
        Ok((plan, applied)) => {
            info!(
                token = %token_prefix,
                circular = %plan.delivery.circular,
                address = %mask_address(&plan.delivery.address),
                scope = %plan.describe_scope(),
                ?applied,
                "one-click unsubscribe"
            );
            // A page, since the page's button lands here; mail clients read only the status.
            let preferences = state.preferences_path(&plan);
            outcome(state.words.clone(), &plan, applied, preferences)
        }
        Err(e) => {
            log_failure(&token_prefix, "one-click unsubscribe", &e);
            let (status, _, message) = failure_text(&e);
            text(status, &format!("{message}\n"))
        }
    }
}

/// Logs why a link was not followed, naming the check (the answer does not).
fn log_failure(token_prefix: &str, what: &str, e: &UnsubscribeError) {
    match e {
        UnsubscribeError::InvalidLink(why) => {
            warn!(token = %token_prefix, %why, "{what}: invalid link")
        }
        UnsubscribeError::UnknownDelivery(reference) => {
            warn!(token = %token_prefix, %reference, "{what}: link names no delivery")
        }
        UnsubscribeError::Forgotten(reference, _) => {
            warn!(token = %token_prefix, %reference, "{what}: link of a forgotten person")
        }
        UnsubscribeError::Store(why) => error!(token = %token_prefix, %why, "{what}: database"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_token_prefixes_are_short_and_escaped() {
        assert_eq!(token_prefix("abcdefghijklmnop"), "\"abcdef\"");
        assert_eq!(token_prefix("a\nb"), "\"a\\nb\"");
    }
}
