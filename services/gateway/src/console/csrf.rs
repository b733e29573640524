//! Forms that only this console can send, checked twice:
//! - every POST (any unsafe method) passes [`refuse_cross_site`], a layer that refuses with
//!   403 what a browser says comes from elsewhere: `Sec-Fetch-Site` other than `same-origin` or
//!   `none`, or an `Origin` that is neither the console's public address nor the host asked;
//! - the handler, once it has read the form and found the session, compares the form's hidden
//!   [`CSRF_FIELD`] with the session's token in constant time ([`csrf_token_matches`]) and
//!   answers [`refused`] with [`Refusal::FormExpired`] when they differ.

use super::page::{render, Layout, PageContext, HOME_PATH};
use super::ConsoleState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use circulars_core::config::Config;
use subtle::ConstantTimeEq;
use tracing::warn;

/// The name of the hidden form field that carries the session's CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// Whether the token a form sent is the session's, compared in constant time (an empty
/// session token matches nothing).
pub fn csrf_token_matches(submitted: &str, session: &str) -> bool {
    !session.is_empty() && bool::from(submitted.as_bytes().ct_eq(session.as_bytes()))
}

/// Why a request was refused before anything was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The browser says it comes from another site ([`SameOrigin::check`]).
    CrossSite,
    /// The form's CSRF token is not the session's (stale page, other session, forgery).
    FormExpired,
}

impl Refusal {
    /// The message id of the sentence that says why.
    fn message_id(self) -> &'static str {
        match self {
            Refusal::CrossSite => "refused-cross-site",
            Refusal::FormExpired => "refused-form-expired",
        }
    }
}

/// Where a request comes from, by what the browser said, when that is not this console.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CrossSite {
    /// `Sec-Fetch-Site` says another site (or a sibling one) sent it.
    #[error("Sec-Fetch-Site: {0}")]
    FetchSite(String),
    /// `Origin` names another origin (or `null`, an opaque one).
    #[error("Origin: {0}")]
    Origin(String),
}

/// The console's own origins: its public address (`[mail] public_base_url`) and, per request,
/// the host the request was sent to (the address a browser used on a direct or local run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SameOrigin {
    public: Option<String>,
}

impl SameOrigin {
    /// The origins of a configuration.
    pub fn from_config(config: &Config) -> SameOrigin {
        SameOrigin::new(&config.mail.public_base_url)
    }

    /// The origins with `public_base_url`'s (scheme, host and port; a default port dropped).
    pub fn new(public_base_url: &str) -> SameOrigin {
        let public = public_base_url.split_once("://").map(|(scheme, rest)| {
            let scheme = scheme.to_ascii_lowercase();
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let authority = authority.to_ascii_lowercase();
            let default_port = if scheme == "https" { ":443" } else { ":80" };
            let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
            format!("{scheme}://{authority}")
        });
        SameOrigin { public }
    }

    /// Accepts a request whose browser says it comes from this console, or says nothing (a
    /// client that is not a browser, which the CSRF token still checks); refuses one from
    /// another site.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), CrossSite> {
        if let Some(site) = headers.get("sec-fetch-site") {
            let site = String::from_utf8_lossy(site.as_bytes()).to_ascii_lowercase();
            if site != "same-origin" && site != "none" {
                return Err(CrossSite::FetchSite(site));
            }
        }
        let Some(origin) = headers.get(ORIGIN) else {
            return Ok(());
        };
        let origin = String::from_utf8_lossy(origin.as_bytes()).to_ascii_lowercase();
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        let authority = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        let same_host = authority.is_some() && authority == host.as_deref();
        if same_host || self.public.as_deref() == Some(origin.as_str()) {
            Ok(())
        } else {
            Err(CrossSite::Origin(origin))
        }
    }
}

/// The page that says a request was refused and what to do.
/// A page that says why nothing was done (refused, forbidden, failed), with a way back.
#[derive(Template)]
#[template(path = "refused.html")]
pub struct RefusedPage {
    layout: Layout,
    reason: String,
    home: &'static str,
}

impl RefusedPage {
    /// The page in `layout`, saying `reason`.
    pub fn new(layout: Layout, reason: String) -> RefusedPage {
        RefusedPage {
            layout,
            reason,
            home: HOME_PATH,
        }
    }
}

/// The 403 page for `why`, in the page's language.
pub fn refused(page: &PageContext, why: Refusal) -> Response {
    render(
        StatusCode::FORBIDDEN,
        &RefusedPage {
            layout: page.layout("refused-title"),
            reason: page.t(why.message_id()),
            home: HOME_PATH,
        },
    )
}

/// A layer for every staff route: unsafe methods (POST and the like) from another site are
/// refused with the 403 page before any handler runs.
pub async fn refuse_cross_site(
    State(console): State<ConsoleState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    match console.origins.check(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(why) => {
            warn!(method = %request.method(), path = %request.uri().path(), %why, "cross-site request refused");
            let page = PageContext::new(console.words, request.uri(), request.headers());
            refused(&page, Refusal::CrossSite)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn only_the_session_s_own_token_matches() {
        assert!(csrf_token_matches("Zm9vYmFy", "Zm9vYmFy"));
        assert!(!csrf_token_matches("Zm9vYmFz", "Zm9vYmFy"));
        assert!(!csrf_token_matches("Zm9vYmF", "Zm9vYmFy"), "a prefix");
        assert!(!csrf_token_matches("", "Zm9vYmFy"));
        assert!(!csrf_token_matches("", ""), "no session token, no match");
    }

    #[test]
    fn the_browser_s_word_on_the_origin_decides() {
        let origins = SameOrigin::new("https://Circulars.example:443/base/");
        let ok = |pairs: &[(&'static str, &'static str)]| origins.check(&headers(pairs));
        assert_eq!(ok(&[]), Ok(()), "not a browser: the token decides");
        assert_eq!(ok(&[("sec-fetch-site", "same-origin")]), Ok(()));
        assert_eq!(ok(&[("sec-fetch-site", "none")]), Ok(()));
        assert_eq!(
            ok(&[("sec-fetch-site", "cross-site")]),
            Err(CrossSite::FetchSite("cross-site".into()))
        );
        assert!(ok(&[("sec-fetch-site", "same-site")]).is_err());
        assert_eq!(ok(&[("origin", "https://circulars.example")]), Ok(()));
        assert_eq!(
            ok(&[
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080")
            ]),
            Ok(()),
            "the host asked, on a direct or local run"
        );
        assert_eq!(
            ok(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:8080")
            ]),
            Err(CrossSite::Origin("https://evil.example".into()))
        );
        assert!(ok(&[("origin", "null")]).is_err());
        assert!(ok(&[("origin", "https://circulars.example.evil.example")]).is_err());
        assert!(
            ok(&[
                ("origin", "https://circulars.example"),
                ("sec-fetch-site", "cross-site")
            ])
            .is_err(),
            "either sign of another site refuses"
        );
    }
}
