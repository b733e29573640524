//! The headers of the archive's answers: the console's security headers on every one
//! (`console::security`), a policy of their own for a circular's page (the letter keeps the
//! inline styles it was rendered with, and nothing runs), and caching: pages, feeds and
//! annexes may be kept a few minutes by anyone, and carry a strong `ETag` (the SHA-256 of the
//! body) that a conditional `GET` with `If-None-Match` turns into `304 Not Modified`.

use crate::console::security::{add_security_headers, set_own_policy};
use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LAST_MODIFIED};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// A circular page's policy: the console's, with the letter's inline `style` attributes
/// allowed (as the renderer made them, allow-listed properties only); still no script at all,
/// no form, never framed.
pub const LETTER_PAGE_POLICY: &str = "default-src 'none'; style-src 'self' 'unsafe-inline'; \
     img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// How long anyone may keep a page or a feed: five minutes.
pub const PUBLIC_CACHE: &str = "public, max-age=300";

/// A layer for the archive's routes: the console's security headers on every answer.
pub async fn public_headers(mut response: Response) -> Response {
    add_security_headers(response.headers_mut());
    response
}

/// A cacheable `200` of `body` as `content_type`, with its `ETag` (and `Last-Modified` when
/// given), or `304` when the request's `If-None-Match` names that tag.
pub fn cacheable(
    request: &HeaderMap,
    content_type: &str,
    body: Vec<u8>,
    last_modified: Option<DateTime<Utc>>,
) -> Response {
    let digest = Sha256::digest(&body);
    let tag = format!(
        "\"{}\"",
        digest[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let matches = request
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == tag
        });
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = Body::from(body).into_response();
        if let Ok(value) = HeaderValue::from_str(content_type) {
            response.headers_mut().insert(CONTENT_TYPE, value);
        }
        response
    };
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC_CACHE));
    if let Ok(value) = HeaderValue::from_str(&tag) {
        headers.insert(ETAG, value);
    }
    if let Some(at) = last_modified {
        let date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        if let Ok(value) = HeaderValue::from_str(&date) {
            headers.insert(LAST_MODIFIED, value);
        }
    }
    response
}

/// A circular's page: [`cacheable`] HTML with [`LETTER_PAGE_POLICY`].
pub fn letter_page(request: &HeaderMap, html: String) -> Response {
    let mut response = cacheable(request, "text/html; charset=utf-8", html.into_bytes(), None);
    set_own_policy(response.headers_mut(), LETTER_PAGE_POLICY, "DENY");
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matching_tag_is_not_modified_and_another_gets_the_body() {
        let first = cacheable(&HeaderMap::new(), "text/plain", b"hello".to_vec(), None);
        assert_eq!(first.status(), StatusCode::OK);
        let tag = first.headers()[ETAG].clone();
        assert_eq!(first.headers()[CACHE_CONTROL], PUBLIC_CACHE);
        let mut asked = HeaderMap::new();
        asked.insert(IF_NONE_MATCH, tag.clone());
        let again = cacheable(&asked, "text/plain", b"hello".to_vec(), None);
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[ETAG], tag);
        let changed = cacheable(&asked, "text/plain", b"hello!".to_vec(), None);
        assert_eq!(changed.status(), StatusCode::OK);
    }

    #[test]
    fn the_letter_page_allows_inline_styles_and_still_no_script() {
        let page = letter_page(&HeaderMap::new(), "<p>x</p>".into());
        let mut headers = page.headers().clone();
        add_security_headers(&mut headers);
        let policy = headers[axum::http::header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert_eq!(policy, LETTER_PAGE_POLICY);
        assert!(!policy.contains("script"), "scripts fall back to 'none'");
        assert_eq!(headers[CACHE_CONTROL], PUBLIC_CACHE);
    }
}
