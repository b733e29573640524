//! The headers every staff answer carries: a strict Content-Security-Policy (nothing inline,
//! nothing from elsewhere, not framable), no sniffing, no referrer beyond the console, and pages
//! never cached.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

/// The console's Content-Security-Policy: only its own stylesheet and images, no script at all
/// (not even inline), no inline style, forms posted only to itself, never inside a frame, no
/// `<base>` to redirect relative links.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `Cache-Control` of pages: they hold what one account may see, so nothing keeps a copy.
pub const NO_STORE: &str = "no-store";

/// Sets the console's security headers on an answer: the Content-Security-Policy,
/// `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`, `X-Frame-Options: DENY`
/// (for browsers older than `frame-ancestors`) and, unless the answer chose its own (the
/// stylesheet does), `Cache-Control: no-store`.
pub fn add_security_headers(headers: &mut HeaderMap) {
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    }
}

/// A layer for every staff route (with `axum::middleware::map_response`): the headers of
/// [`add_security_headers`] on every answer, errors and redirects included.
pub async fn security_headers(mut response: Response) -> Response {
    add_security_headers(response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_no_script_no_inline_style_and_no_framing() {
        let policy = CONTENT_SECURITY_POLICY_VALUE;
        let directives: Vec<&str> = policy.split(';').map(str::trim).collect();
        for expected in [
            "default-src 'none'",
            "style-src 'self'",
            "img-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(directives.contains(&expected), "{expected} in {policy}");
        }
        assert!(!policy.contains("unsafe"), "{policy}");
        assert!(
            !policy.contains("script-src"),
            "scripts fall back to 'none'"
        );
        assert!(!policy.contains("  "), "{policy}");
    }

    #[test]
    fn pages_get_every_header_and_keep_their_own_cache_rule() {
        let mut page = HeaderMap::new();
        add_security_headers(&mut page);
        assert_eq!(page[CONTENT_SECURITY_POLICY], CONTENT_SECURITY_POLICY_VALUE);
        assert_eq!(page[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(page[REFERRER_POLICY], "same-origin");
        assert_eq!(page[X_FRAME_OPTIONS], "DENY");
        assert_eq!(page[CACHE_CONTROL], "no-store");
        let mut stylesheet = HeaderMap::new();
        stylesheet.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=60"));
        add_security_headers(&mut stylesheet);
        assert_eq!(stylesheet[CACHE_CONTROL], "max-age=60");
        assert_eq!(stylesheet[X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
}
