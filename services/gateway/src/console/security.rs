//! The headers every staff answer carries: a strict Content-Security-Policy (nothing inline,
//! nothing from elsewhere, not framable), no sniffing, no referrer beyond the console, and pages
//! never cached.
//!
//! Two answers set a policy of their own, which the layer keeps: the preview page, which frames
//! the console's own rendered versions ([`PREVIEW_PAGE_POLICY`]), and each rendered version,
//! which only the console may frame and which holds the mail's inline styles and nothing that
//! runs ([`RENDERED_MAIL_POLICY`]).

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

/// The preview page's policy: the console's, with frames of the console's own pages (the
/// rendered versions) allowed.
pub const PREVIEW_PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A rendered version's policy (a recipient's mail shown in the preview's `<iframe sandbox>`):
/// the mail's inline `style` attributes and nothing else, no script, no form, framed only by
/// the console, and sandboxed even when opened on its own.
pub const RENDERED_MAIL_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     form-action 'none'; frame-ancestors 'self'; base-uri 'none'; sandbox";

/// `Cache-Control` of pages: they hold what one account may see, so nothing keeps a copy.
pub const NO_STORE: &str = "no-store";

/// Sets the console's security headers on an answer: `X-Content-Type-Options: nosniff`,
/// `Referrer-Policy: same-origin` and, unless the answer chose its own (the preview and its
/// rendered versions choose their policy and framing, the stylesheet its caching), the
/// Content-Security-Policy, `X-Frame-Options: DENY` (for browsers older than
/// `frame-ancestors`) and `Cache-Control: no-store`.
pub fn add_security_headers(headers: &mut HeaderMap) {
    let defaults = [
        (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE),
        (X_FRAME_OPTIONS, "DENY"),
        (CACHE_CONTROL, NO_STORE),
    ];
    for (name, value) in defaults {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
}

/// Sets the policy `policy` and `X-Frame-Options` `frame_options` on an answer, in place of
/// the console's (which [`add_security_headers`] then keeps).
pub fn set_own_policy(headers: &mut HeaderMap, policy: &'static str, frame_options: &'static str) {
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static(frame_options));
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

    #[test]
    fn only_the_preview_frames_and_only_the_console_frames_a_rendered_version() {
        let mut mail = HeaderMap::new();
        set_own_policy(&mut mail, RENDERED_MAIL_POLICY, "SAMEORIGIN");
        add_security_headers(&mut mail);
        assert_eq!(mail[CONTENT_SECURITY_POLICY], RENDERED_MAIL_POLICY);
        assert_eq!(mail[X_FRAME_OPTIONS], "SAMEORIGIN");
        assert_eq!(mail[CACHE_CONTROL], NO_STORE);
        for policy in [RENDERED_MAIL_POLICY, PREVIEW_PAGE_POLICY] {
            assert!(!policy.contains("script"), "{policy}");
            assert!(policy.contains("default-src 'none'"), "{policy}");
        }
        assert!(RENDERED_MAIL_POLICY.ends_with("; sandbox"));
        assert!(RENDERED_MAIL_POLICY.contains("frame-ancestors 'self'"));
        assert!(PREVIEW_PAGE_POLICY.contains("frame-src 'self'"));
        assert!(!CONTENT_SECURITY_POLICY_VALUE.contains("frame-src"));
    }
}
