//! One-click unsubscribe (RFC 8058): what the `List-Unsubscribe` https link of every mail leads to.
//!
//! - `POST /unsubscribe/{token}` with the body `List-Unsubscribe=One-Click` (form-urlencoded or
//!   multipart/form-data) unsubscribes at once: from the circular's topic when it has one
//!   ([`Scope::Topic`]), else from every circular (a suppression, [`Scope::Everything`]). A replay
//!   changes nothing and answers the same 200.
//! - `GET /unsubscribe/{token}` (and `HEAD`) changes nothing: a small page says what the POST
//!   would do, with a button that sends it.
//!
//! The token is checked before anything is read (`circulars_contacts::unsubscribe::verify_link`): its length, then its
//! signature, then its purpose. The answer never says which check failed ("invalid link"); the
//! log does, with only the token's first characters.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
pub use circulars_contacts::unsubscribe::{
    Applied, InvalidLink, Plan, Scope, UnsubscribeError, Unsubscriber,
};
use circulars_core::domain::RecipientAddress;
use circulars_store::{escape_html, StoreError};
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
pub const HOW: &str = "one-click unsubscribe";
/// How many characters of a token the log shows.
const LOGGED_TOKEN_CHARS: usize = 6;

/// Why a POST body is not an RFC 8058 one-click request (answered 400 with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Neither form-urlencoded nor multipart/form-data.
    #[error(
        "content type {0:?} is not accepted: send application/x-www-form-urlencoded or multipart/form-data"
    )]
    UnsupportedContentType(String),
    /// The body cannot be read as the form it claims to be.
    #[error("the body is not a well-formed form: {0}")]
    Malformed(&'static str),
    /// The form lacks `List-Unsubscribe=One-Click`, or gives the field another value.
    #[error("the body must be List-Unsubscribe=One-Click")]
    NotOneClick,
}

/// Checks that a POST body is RFC 8058's one-click request: a form, form-urlencoded (also when
/// `content_type` is missing) or multipart/form-data, whose `List-Unsubscribe` field is present
/// and every occurrence of it is exactly `One-Click`. Other fields are ignored.
pub fn parse_one_click(content_type: Option<&str>, body: &[u8]) -> Result<(), BodyError> {
    let media_type = content_type
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let fields = match media_type.as_str() {
        "" | "application/x-www-form-urlencoded" => urlencoded_fields(body)?,
        "multipart/form-data" => multipart_fields(body, &boundary(content_type.unwrap_or(""))?)?,
        _ => {
            return Err(BodyError::UnsupportedContentType(
                content_type.unwrap_or_default().to_owned(),
            ))
        }
    };
    let mut values = fields
        .iter()
        .filter(|(key, _)| key == ONE_CLICK_KEY)
        .map(|(_, value)| value)
        .peekable();
    if values.peek().is_none() || values.any(|v| v != ONE_CLICK_VALUE) {
        return Err(BodyError::NotOneClick);
    }
    Ok(())
}

/// The fields of an `application/x-www-form-urlencoded` body; white space around it is ignored.
fn urlencoded_fields(body: &[u8]) -> Result<Vec<(String, String)>, BodyError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| BodyError::Malformed("not UTF-8"))?
        .trim();
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(key)?, percent_decode(value)?))
        })
        .collect()
}

/// Decodes `+` and `%XX` of a form-urlencoded key or value.
fn percent_decode(text: &str) -> Result<String, BodyError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or(BodyError::Malformed("a '%' not followed by two hex digits"))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| BodyError::Malformed("an escape that is not UTF-8"))
}

/// The `boundary` parameter of a multipart content type, unquoted.
fn boundary(content_type: &str) -> Result<String, BodyError> {
    let value = content_type
        .split(';')
        .skip(1)
        .filter_map(|param| param.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, value)| value.trim())
        .ok_or(BodyError::Malformed(
            "multipart/form-data without a boundary",
        ))?;
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    // RFC 2046: 1 to 70 characters.
    if value.is_empty() || value.len() > 70 {
        return Err(BodyError::Malformed(
            "a multipart boundary of 1 to 70 characters",
        ));
    }
    Ok(value.to_owned())
}

/// The named fields of a `multipart/form-data` body (RFC 7578), values as UTF-8 text.
fn multipart_fields(body: &[u8], boundary: &str) -> Result<Vec<(String, String)>, BodyError> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let start = find(body, delimiter).ok_or(BodyError::Malformed("no multipart boundary"))?;
    let mut rest = &body[start + delimiter.len()..];
    let mut fields = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(fields);
        }
        // Transport padding, then the line break ending the delimiter line.
        let padding = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        rest = strip_line_break(&rest[padding..]).ok_or(BodyError::Malformed(
            "a multipart boundary not on a line of its own",
        ))?;
        let end =
            find(rest, delimiter).ok_or(BodyError::Malformed("no closing multipart boundary"))?;
        // The line break before the next delimiter belongs to the delimiter.
        let part = rest[..end]
            .strip_suffix(b"\r\n")
            .or_else(|| rest[..end].strip_suffix(b"\n"))
            .ok_or(BodyError::Malformed(
                "a multipart boundary not on a line of its own",
            ))?;
        fields.push(multipart_field(part)?);
        rest = &rest[end + delimiter.len()..];
    }
}

/// One multipart part's field name (from `Content-Disposition: form-data; name=…`) and value.
fn multipart_field(part: &[u8]) -> Result<(String, String), BodyError> {
    let (headers, content) = if let Some(content) = strip_line_break(part) {
        (&[][..], content)
    } else {
        let crlf = find(part, b"\r\n\r\n").map(|i| (i, 4));
        let lf = find(part, b"\n\n").map(|i| (i, 2));
        let (at, len) = match (crlf, lf) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).ok_or(BodyError::Malformed(
                "a multipart part without a blank line",
            ))?,
        };
        (&part[..at], &part[at + len..])
    };
    let headers = std::str::from_utf8(headers)
        .map_err(|_| BodyError::Malformed("multipart headers not UTF-8"))?;
    let name = headers
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(header, _)| header.trim().eq_ignore_ascii_case("content-disposition"))
        .and_then(|(_, value)| disposition_name(value))
        .ok_or(BodyError::Malformed(
            "a multipart part without a form-data name",
        ))?;
    let value = String::from_utf8(content.to_vec())
        .map_err(|_| BodyError::Malformed("a multipart value not UTF-8"))?;
    Ok((name, value))
}

/// The `name` parameter of a `form-data` Content-Disposition value, unquoted.
fn disposition_name(value: &str) -> Option<String> {
    let mut params = value.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("form-data") {
        return None;
    }
    params
        .filter_map(|param| param.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("name"))
        .map(|(_, value)| {
            let value = value.trim();
            value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value)
                .to_owned()
        })
}

/// `bytes` after a leading CRLF or LF, if it starts with one.
fn strip_line_break(bytes: &[u8]) -> Option<&[u8]> {
    bytes
        .strip_prefix(b"\r\n")
        .or_else(|| bytes.strip_prefix(b"\n"))
}

/// Where `needle` first occurs in `haystack` (bodies are at most [`MAX_BODY_BYTES`]).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The address as a page may show it (`a***@example.org`), so that a forwarded link does not
/// reveal whole addresses.
pub fn mask_address(address: &RecipientAddress) -> String {
    address.masked()
}

/// The unsubscribe routes, with [`MAX_BODY_BYTES`] as their body limit.
pub fn routes(unsubscriber: Unsubscriber) -> Router {
    Router::new()
        .route("/unsubscribe/{token}", get(page).post(one_click))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(unsubscriber)
}

/// The first few characters of a token, quoted and escaped, for the log.
fn token_prefix(token: &str) -> String {
    format!(
        "{:?}",
        token.chars().take(LOGGED_TOKEN_CHARS).collect::<String>()
    )
}

/// `GET /unsubscribe/{token}`: a page saying what the POST would do; changes nothing.
async fn page(State(unsubscriber): State<Unsubscriber>, Path(token): Path<String>) -> Response {
    let token_prefix = token_prefix(&token);
    let plan = match unsubscriber.resolve(&token).await {
        Ok(plan) => plan,
        Err(e) => {
            log_failure(&token_prefix, "page", &e);
            let (status, title, text) = failure_text(&e);
            return html(status, title, &format!("<p>{}</p>", escape_html(text)));
        }
    };
    let done = match unsubscriber.is_done(&plan).await {
        Ok(done) => done,
        Err(e) => {
            log_failure(&token_prefix, "page", &e);
            let (status, title, text) = failure_text(&e);
            return html(status, title, &format!("<p>{}</p>", escape_html(text)));
        }
    };
    info!(token = %token_prefix, circular = %plan.delivery.circular, done, "unsubscribe page shown");
    html(StatusCode::OK, "Unsubscribe", &page_body(&plan, done))
}

/// The body of the confirmation page: what the button does, or that nothing is left to do.
fn page_body(plan: &Plan, done: bool) -> String {
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

/// `POST /unsubscribe/{token}`: the one-click unsubscribe itself.
async fn one_click(
    State(unsubscriber): State<Unsubscriber>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token_prefix = token_prefix(&token);
    let content_type = headers.get(CONTENT_TYPE).map(|v| v.to_str());
    let checked = match content_type {
        Some(Err(_)) => Err(BodyError::UnsupportedContentType("(not ASCII)".to_owned())),
        Some(Ok(c)) => parse_one_click(Some(c), &body),
        None => parse_one_click(None, &body),
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
            let address = mask_address(&plan.delivery.address);
            let scope = plan.describe_scope();
            info!(
                token = %token_prefix,
                circular = %plan.delivery.circular,
                address = %address,
                scope = %plan.describe_scope(),
                ?applied,
                "one-click unsubscribe"
            );
            let message = match applied {
                Applied::Done => format!("Unsubscribed: {address} {scope}.\n"),
                Applied::AlreadyDone => {
                    format!("{address} was already unsubscribed {scope}; nothing changed.\n")
                }
            };
            text(StatusCode::OK, &message)
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
        UnsubscribeError::Store(why) => error!(token = %token_prefix, %why, "{what}: database"),
    }
}

/// The status, page title and sentence that answer a failure, revealing no more than needed.
fn failure_text(e: &UnsubscribeError) -> (StatusCode, &'static str, &'static str) {
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
fn text(status: StatusCode, body: &str) -> Response {
    (
        status,
        COMMON_HEADERS,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.to_owned(),
    )
        .into_response()
}

/// A small HTML page: English, no script, no external resource, not framable.
fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;line-height:1.5}}\
         button{{font-size:1em;padding:.4em 1.2em}}</style>\n\
         </head>\n<body>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n",
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
    use super::*;
    use circulars_core::domain::{DeliveryKey, TopicId};

    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

    fn address(text: &str) -> RecipientAddress {
        RecipientAddress::parse(text).unwrap()
    }

    fn delivery() -> DeliveryKey {
        DeliveryKey::new("TSB-36".parse().unwrap(), address("alice@example.org"))
    }

    fn multipart(boundary: &str, parts: &[(&str, &str)]) -> Vec<u8> {
        let mut body = String::new();
        for (name, value) in parts {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        body.into_bytes()
    }

    #[test]
    fn the_rfc_8058_urlencoded_body_is_accepted() {
        assert_eq!(parse_one_click(FORM, b"List-Unsubscribe=One-Click"), Ok(()));
        assert_eq!(
            parse_one_click(
                Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
                b"List-Unsubscribe=One-Click\r\n"
            ),
            Ok(())
        );
        assert_eq!(
            parse_one_click(FORM, b"List%2DUnsubscribe=One%2dClick"),
            Ok(())
        );
        assert_eq!(
            parse_one_click(FORM, b"other=1&List-Unsubscribe=One-Click"),
            Ok(()),
            "other fields are ignored"
        );
        assert_eq!(
            parse_one_click(None, b"List-Unsubscribe=One-Click"),
            Ok(()),
            "no content type is read as a form"
        );
    }

    #[test]
    fn any_other_urlencoded_body_is_refused() {
        for body in [
            &b""[..],
            b"List-Unsubscribe",
            b"List-Unsubscribe=",
            b"List-Unsubscribe=One-click",
            b"list-unsubscribe=One-Click",
            b"List-Unsubscribe=One-Click+",
            b"List-Unsubscribe=One-Click&List-Unsubscribe=Other",
            b"List-Unsubscribe=One-Click-Please",
            b"unsubscribe=yes",
        ] {
            assert_eq!(
                parse_one_click(FORM, body),
                Err(BodyError::NotOneClick),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(matches!(
            parse_one_click(FORM, b"List-Unsubscribe=One-Click%zz"),
            Err(BodyError::Malformed(_))
        ));
        assert!(matches!(
            parse_one_click(FORM, b"List-Unsubscribe=One-Click%+1"),
            Err(BodyError::Malformed(_))
        ));
        assert!(matches!(
            parse_one_click(FORM, b"List-Unsubscribe=One-Click%"),
            Err(BodyError::Malformed(_))
        ));
        assert!(matches!(
            parse_one_click(FORM, b"List-Unsubscribe=\xff"),
            Err(BodyError::Malformed(_))
        ));
        assert!(matches!(
            parse_one_click(FORM, b"List-Unsubscribe=%ff"),
            Err(BodyError::Malformed(_))
        ));
    }

    #[test]
    fn other_content_types_are_refused() {
        for content_type in [
            "text/plain",
            "application/json",
            "multipart/mixed; boundary=x",
        ] {
            assert!(matches!(
                parse_one_click(Some(content_type), b"List-Unsubscribe=One-Click"),
                Err(BodyError::UnsupportedContentType(_))
            ));
        }
    }

    #[test]
    fn the_rfc_8058_multipart_body_is_accepted() {
        let body = multipart("abc123", &[(ONE_CLICK_KEY, ONE_CLICK_VALUE)]);
        assert_eq!(
            parse_one_click(Some("multipart/form-data; boundary=abc123"), &body),
            Ok(())
        );
        let body = multipart("a b'c", &[("x", "1"), (ONE_CLICK_KEY, ONE_CLICK_VALUE)]);
        assert_eq!(
            parse_one_click(Some("multipart/form-data; boundary=\"a b'c\""), &body),
            Ok(())
        );
        // A preamble, LF-only line breaks and an unquoted name are tolerated.
        let body = b"preamble\n--b\ncontent-disposition: form-data; name=List-Unsubscribe\n\nOne-Click\n--b--";
        assert_eq!(
            parse_one_click(Some("multipart/form-data;boundary=b"), body),
            Ok(())
        );
    }

    #[test]
    fn wrong_or_broken_multipart_bodies_are_refused() {
        let ct = Some("multipart/form-data; boundary=b");
        assert_eq!(
            parse_one_click(ct, &multipart("b", &[(ONE_CLICK_KEY, "yes")])),
            Err(BodyError::NotOneClick)
        );
        assert_eq!(
            parse_one_click(ct, &multipart("b", &[])),
            Err(BodyError::NotOneClick)
        );
        let good = multipart("b", &[(ONE_CLICK_KEY, ONE_CLICK_VALUE)]);
        assert!(matches!(
            parse_one_click(Some("multipart/form-data"), &good),
            Err(BodyError::Malformed(_))
        ));
        let unclosed = &good[..good.len() - "--b--\r\n".len()];
        assert!(matches!(
            parse_one_click(ct, unclosed),
            Err(BodyError::Malformed(_))
        ));
        assert!(matches!(
            parse_one_click(ct, b"List-Unsubscribe=One-Click"),
            Err(BodyError::Malformed(_))
        ));
        let nameless = b"--b\r\nContent-Type: text/plain\r\n\r\nOne-Click\r\n--b--\r\n";
        assert!(matches!(
            parse_one_click(ct, nameless),
            Err(BodyError::Malformed(_))
        ));
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
        assert_eq!(official.source(HOW), "one-click unsubscribe from TSB-36");
    }

    #[test]
    fn logged_token_prefixes_are_short_and_escaped() {
        assert_eq!(token_prefix("abcdefghijklmnop"), "\"abcdef\"");
        assert_eq!(token_prefix("a\nb"), "\"a\\nb\"");
    }
}
