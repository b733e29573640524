//! What the unsubscribe routes answer: the confirmation page, the page saying it is done, the
//! plain-text refusals, the words for each failure, and the headers every answer carries (no
//! cache, no sniffing, no referrer, and for pages a Content-Security-Policy that loads nothing
//! and runs no script). Pages have a language, a title, a main landmark and a heading, and pass
//! axe-core's WCAG 2.x A and AA checks in a real browser (`tests/tests/unsubscribe_in_a_browser.rs`).

use super::{Applied, Plan, Scope, UnsubscribeError, ONE_CLICK_KEY, ONE_CLICK_VALUE};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use circulars_core::domain::RecipientAddress;
use circulars_store::{escape_html, StoreError};

/// The address as a page may show it (`a***@example.org`), so that a forwarded link does not
/// reveal whole addresses.
pub fn mask_address(address: &RecipientAddress) -> String {
    address.masked()
}

/// The body of the confirmation page: what the button does, or that nothing is left to do.
pub(super) fn page_body(plan: &Plan, done: bool) -> String {
    let address = escape_html(&mask_address(&plan.delivery.address));
    let scope = escape_html(&plan.describe_scope());
    let circular = escape_html(plan.delivery.circular.as_str());
    if done {
        return format!(
            "<p>{address} is already unsubscribed {scope}. Nothing more to do.</p>\n\
             <p>(This link came with circular {circular}.)</p>"
        );
    }
    let effect = match plan.scope {
        Scope::Topic { .. } => {
            "Official circulars will still be sent; circulars of this topic will not."
        }
        Scope::Everything => "No circular of any kind will be sent to this address any more.",
    };
    format!(
        "<p>Unsubscribe {address} {scope}?</p>\n\
         <p>{effect} (This link came with circular {circular}.)</p>\n\
         <form method=\"post\">\
         <input type=\"hidden\" name=\"{ONE_CLICK_KEY}\" value=\"{ONE_CLICK_VALUE}\">\
         <button type=\"submit\">Unsubscribe</button></form>"
    )
}

/// The title and body of the page answering a one-click POST: done, or done before.
pub(super) fn outcome_body(plan: &Plan, applied: Applied) -> (&'static str, String) {
    let address = escape_html(&mask_address(&plan.delivery.address));
    let scope = escape_html(&plan.describe_scope());
    match applied {
        Applied::Done => (
            "Unsubscribed",
            format!("<p>Unsubscribed: {address} {scope}.</p>"),
        ),
        Applied::AlreadyDone => (
            "Already unsubscribed",
            format!("<p>{address} was already unsubscribed {scope}; nothing changed.</p>"),
        ),
    }
}

/// A page answering a failure: its status, title and sentence.
pub(super) fn failure_page(e: &UnsubscribeError) -> Response {
    let (status, title, text) = failure_text(e);
    html(status, title, &format!("<p>{}</p>", escape_html(text)))
}

/// The status, page title and sentence that answer a failure, revealing no more than needed.
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
        UnsubscribeError::Forgotten(_) => (
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

/// Headers every answer carries: never cached, never sniffed, no referrer leaving with the token.
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

/// A small HTML page: English, no script, no external resource, not framable.
pub(super) fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;line-height:1.5}}\
         button{{font-size:1em;padding:.4em 1.2em}}</style>\n\
         </head>\n<body>\n<main>\n<h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape_html(title),
    );
    (
        status,
        COMMON_HEADERS,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
                 frame-ancestors 'none'; base-uri 'none'",
            ),
            (X_FRAME_OPTIONS, "DENY"),
        ],
        page,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::super::HOW;
    use super::*;
    use circulars_core::domain::{DeliveryKey, TopicId};

    fn address(text: &str) -> RecipientAddress {
        RecipientAddress::parse(text).unwrap()
    }

    fn delivery() -> DeliveryKey {
        DeliveryKey::new("TSB-36".parse().unwrap(), address("alice@example.org"))
    }

    #[test]
    fn addresses_are_masked_to_their_first_character_and_domain() {
        assert_eq!(
            mask_address(&address("alice@example.org")),
            "a***@example.org"
        );
        assert_eq!(
            mask_address(&address("o'brien+tsb@Example.ORG")),
            "o***@example.org"
        );
        assert_eq!(mask_address(&address("x@ex.org")), "x***@ex.org");
    }

    #[test]
    fn the_page_offers_a_one_click_form_and_escapes_what_it_shows() {
        let plan = Plan {
            delivery: delivery(),
            scope: Scope::Topic {
                id: TopicId::parse("tsb-events").unwrap(),
                name: "TSB <events>".to_owned(),
            },
        };
        let body = page_body(&plan, false);
        assert!(body.contains("a***@example.org"), "{body}");
        assert!(!body.contains("alice"), "{body}");
        assert!(body.contains("TSB &lt;events&gt;"), "{body}");
        assert!(body.contains("<form method=\"post\">"), "{body}");
        assert!(
            body.contains("name=\"List-Unsubscribe\" value=\"One-Click\""),
            "{body}"
        );
        let done = page_body(&plan, true);
        assert!(done.contains("already unsubscribed"), "{done}");
        assert!(!done.contains("<form"), "{done}");
        let official = Plan {
            delivery: delivery(),
            scope: Scope::Everything,
        };
        assert!(page_body(&official, false).contains("from all circulars"));
        let (title, done) = outcome_body(&official, Applied::Done);
        assert_eq!(title, "Unsubscribed");
        assert_eq!(
            done,
            "<p>Unsubscribed: a***@example.org from all circulars.</p>"
        );
        let (title, again) = outcome_body(&plan, Applied::AlreadyDone);
        assert_eq!(title, "Already unsubscribed");
        assert!(
            again.contains("already unsubscribed from the topic"),
            "{again}"
        );
        assert!(again.contains("TSB &lt;events&gt;"), "{again}");
        assert_eq!(official.source(HOW), "one-click unsubscribe from TSB-36");
    }
}
