//! What the unsubscribe routes answer: the confirmation page, the page saying it is done, the
//! plain-text refusals of the RFC 8058 POST, and the headers every answer carries. Pages are
//! the recipients' pages' own (`preferences::Frame`, `templates/unsubscribe/page.html`): in the
//! language the circular was sent in (Arabic right to left), words from `locales/<lang>/pages.ftl`
//! with the masked address, topic and circular isolated, never cached, no referrer leaving the
//! site, a Content-Security-Policy that loads only the pages' stylesheet and runs no script. They
//! link to the recipient's preferences page, where an unsubscribe can be undone. They pass
//! axe-core's WCAG 2.x A and AA checks in a real browser (`tests/tests/unsubscribe_in_a_browser.rs`).

use super::{Applied, Plan, Scope, UnsubscribeError, ONE_CLICK_KEY, ONE_CLICK_VALUE};
use crate::preferences::{answer, Frame, PageWords};
use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use circulars_core::domain::{Language, RecipientAddress};
use circulars_store::StoreError;
use fluent_bundle::FluentValue;
use std::sync::Arc;

/// The address as a page may show it (`a***@example.org`), so that a forwarded link does not
/// reveal whole addresses.
pub fn mask_address(address: &RecipientAddress) -> String {
    address.masked()
}

/// The unsubscribe page: a few sentences, the one-click form when there is something to do,
/// and the link to the preferences page.
#[derive(Template)]
#[template(path = "unsubscribe/page.html")]
pub struct UnsubscribePage {
    /// The frame (language, title).
    pub frame: Frame,
    /// The sentences, as plain text (escaped by the template).
    pub paragraphs: Vec<String>,
    /// Whether the page offers the one-click button.
    pub form: bool,
    /// `List-Unsubscribe`.
    pub key: &'static str,
    /// `One-Click`.
    pub value: &'static str,
    /// The preferences page of the same delivery (`/preferences/<token>`).
    pub preferences: Option<String>,
}

/// What a page says, in the plan's language.
struct Words<'a> {
    words: Arc<PageWords>,
    plan: &'a Plan,
}

impl Words<'_> {
    /// Message `id` with the plan's masked address, topic and circular, isolation marks kept
    /// so that an address or a Latin name reads right in a right-to-left sentence.
    fn say(&self, id: &str) -> String {
        let topic = match &self.plan.scope {
            Scope::Topic { name, .. } => name.clone(),
            Scope::Everything => String::new(),
        };
        let args = [
            (
                "address",
                FluentValue::from(mask_address(&self.plan.delivery.address)),
            ),
            ("topic", FluentValue::from(topic)),
            (
                "circular",
                FluentValue::from(self.plan.delivery.circular.as_str().to_owned()),
            ),
        ];
        self.words.isolated(self.plan.language, id, &args)
    }

    /// `<prefix>-topic` or `<prefix>-all`, as the plan's scope says.
    fn scoped(&self, prefix: &str) -> String {
        match self.plan.scope {
            Scope::Topic { .. } => self.say(&format!("{prefix}-topic")),
            Scope::Everything => self.say(&format!("{prefix}-all")),
        }
    }
}

/// The confirmation page of a GET: what the button does, or that nothing is left to do.
pub(super) fn confirmation(
    words: Arc<PageWords>,
    plan: &Plan,
    done: bool,
    preferences: String,
) -> Response {
    let title = if done {
        "already-unsubscribed-title"
    } else {
        "unsubscribe-title"
    };
    let frame = Frame::new(words.clone(), plan.language, title);
    let say = Words { words, plan };
    let first = if done {
        say.scoped("already-unsubscribed")
    } else {
        say.scoped("unsubscribe-ask")
    };
    page(
        frame,
        vec![first, say.say("unsubscribe-came-with")],
        !done,
        preferences,
    )
}

/// The page answering a one-click POST: done, or done before.
pub(super) fn outcome(
    words: Arc<PageWords>,
    plan: &Plan,
    applied: Applied,
    preferences: String,
) -> Response {
    let (title, prefix) = match applied {
        Applied::Done => ("unsubscribed-title", "unsubscribed"),
        Applied::AlreadyDone => ("already-unsubscribed-title", "already-unsubscribed"),
    };
    let frame = Frame::new(words.clone(), plan.language, title);
    let say = Words { words, plan };
    page(frame, vec![say.scoped(prefix)], false, preferences)
}

/// The page with its parts, 200.
fn page(frame: Frame, paragraphs: Vec<String>, form: bool, preferences: String) -> Response {
    answer(
        StatusCode::OK,
        &UnsubscribePage {
            frame,
            paragraphs,
            form,
            key: ONE_CLICK_KEY,
            value: ONE_CLICK_VALUE,
            preferences: Some(preferences),
        },
    )
}

/// A page answering a failure of a GET, in English (a refused token names no language) or,
/// for a forgotten person's link, the circular's language: its status, what happened, and
/// that nothing changed.
pub(super) fn failure_page(words: Arc<PageWords>, e: &UnsubscribeError) -> Response {
    let (status, _, _) = failure_text(e);
    let language = match e {
        UnsubscribeError::Forgotten(_, language) => *language,
        _ => Language::En,
    };
    let (title, text) = match e {
        UnsubscribeError::InvalidLink(_) => ("failure-invalid-title", "failure-invalid"),
        UnsubscribeError::UnknownDelivery(_) | UnsubscribeError::Forgotten(..) => {
            ("failure-unknown-title", "failure-unknown")
        }
        UnsubscribeError::Store(_) => ("failure-unavailable-title", "failure-unavailable"),
    };
    let frame = Frame::new(words.clone(), language, title);
    let text = words.text(language, text, &[]);
    answer(
        status,
        &UnsubscribePage {
            frame,
            paragraphs: vec![text],
            form: false,
            key: ONE_CLICK_KEY,
            value: ONE_CLICK_VALUE,
            preferences: None,
        },
    )
}

/// The status, title and sentence that answer a failure of the RFC 8058 POST (plain text, for
/// mail clients), revealing no more than needed.
pub(super) fn failure_text(e: &UnsubscribeError) -> (StatusCode, &'static str, &'static str) {
    match e {
        UnsubscribeError::InvalidLink(_) => (
            StatusCode::BAD_REQUEST,
            "Invalid link",
            "invalid link: check that the whole address from the mail was used",
        ),
        UnsubscribeError::UnknownDelivery(_) => (
            StatusCode::NOT_FOUND,
            "Unknown link",
            "unknown link: it names no circular sent to anyone",
        ),
        UnsubscribeError::Forgotten(..) => (
            StatusCode::GONE,
            "Link no longer valid",
            "this link is no longer valid: it names no one in the directory; nothing has been changed",
        ),
        UnsubscribeError::Store(StoreError::Query(_)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again later",
            "the service cannot record this now; please try again later",
        ),
        UnsubscribeError::Store(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Error",
            "the service cannot record this; please write to the contact named in the circular",
        ),
    }
}

/// Headers every plain-text answer carries: never cached, never sniffed, no referrer.
const COMMON_HEADERS: [(HeaderName, &str); 3] = [
    (CACHE_CONTROL, "no-store"),
    (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (REFERRER_POLICY, "no-referrer"),
];

/// A plain-text answer.
pub(super) fn text(status: StatusCode, body: &str) -> Response {
    (
        status,
        COMMON_HEADERS,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.to_owned(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use circulars_core::domain::{DeliveryKey, TopicId};

    fn plan(language: Language, scope: Scope) -> Plan {
        let address = RecipientAddress::parse("alice@example.org").unwrap();
        Plan {
            delivery: DeliveryKey::new("TSB-36".parse().unwrap(), address),
            scope,
            language,
        }
    }

    async fn body(response: Response) -> String {
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn addresses_are_masked_to_their_first_character_and_domain() {
        let address = |text| RecipientAddress::parse(text).unwrap();
        assert_eq!(
            mask_address(&address("alice@example.org")),
            "a***@example.org"
        );
        assert_eq!(
            mask_address(&address("o'brien+tsb@Example.ORG")),
            "o***@example.org"
        );
    }

    #[tokio::test]
    async fn the_page_speaks_the_recipients_language_offers_the_form_and_escapes_the_topic() {
        let words = Arc::new(PageWords::embedded().unwrap());
        let topic = Scope::Topic {
            id: TopicId::parse("tsb-events").unwrap(),
            name: "TSB <events>".to_owned(),
        };
        let html = body(confirmation(
            words.clone(),
            &plan(Language::Ar, topic),
            false,
            "/preferences/x".to_owned(),
        ))
        .await;
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
        assert!(html.contains("\u{2068}a***@example.org\u{2069}"), "{html}");
        assert!(!html.contains("alice"), "{html}");
        assert!(html.contains("TSB &#60;events&#62;"), "{html}");
        assert!(
            html.contains("name=\"List-Unsubscribe\" value=\"One-Click\""),
            "{html}"
        );
        assert!(html.contains("<a href=\"/preferences/x\">"), "{html}");
        let done = body(outcome(
            words,
            &plan(Language::En, Scope::Everything),
            Applied::Done,
            "/preferences/x".to_owned(),
        ))
        .await
        .replace(['\u{2068}', '\u{2069}'], "");
        assert!(
            done.contains("Done: a***@example.org is unsubscribed from all circulars."),
            "{done}"
        );
        assert!(!done.contains("<form"), "{done}");
    }
}
