//! The staff console: server-rendered pages under `/staff`, in English and French, with no
//! script but the live pages' one (the delivery page follows the sending as it happens). This
//! module holds what every page stands on and the sign-in page; the pages that need an account
//! are added to [`routes`] by the accounts and lifecycle wiring.
//!
//! # Layout
//! - [`page`]: [`PageContext`] (what a handler extracts: language, words), [`Layout`] (what
//!   `templates/base.html` draws: title, account and sign-out, navigation, language switch,
//!   error summary) and [`render`] (a template to an HTML answer)
//! - [`form`]: [`Field`] (label, hint, error, value, control) and [`ErrorSummary`], drawn by
//!   `templates/fields.html` and `templates/error_summary.html`
//! - [`checkboxes`]: [`Checkboxes`], a group of boxes sharing one name (the `checkboxes` macro)
//! - [`posted`]: [`Posted`], a form's fields read from the body once the role is checked
//! - [`words`]: the Fluent bundles of `locales/{en,fr}/staff.ftl`, checked as a set
//! - [`language`]: which language a page speaks (`?lang=`, the `lang` cookie,
//!   `Accept-Language`, English) and the layer that remembers the switch's choice
//! - [`security`]: the Content-Security-Policy and the other headers of every answer
//! - [`csrf`]: the cross-site layer (`Origin`, `Sec-Fetch-Site`), the constant-time token
//!   check, and the 403 page that says why a request was refused
//! - [`cookies`]: `Set-Cookie` values (`HttpOnly; SameSite=Strict; Path=/`, `Secure` by
//!   [`CookiePolicy`]) and reading a cookie back
//! - [`assets`]: the stylesheet and the live pages' script, compiled in, under `/staff/static/`
//! - [`sign_in`]: `GET /staff` and `/staff/sign-in` (the form, or on to the circulars when
//!   signed in), `POST /staff/sign-in` (a session, rate limited) and `POST /staff/sign-out`
//! - [`session`]: the session cookie's name, read back
//! - [`drafting`]: the draft form (new, edit) with annex files per language, the preview of
//!   the six versions in sandboxed frames, and test copies
//! - [`staff`]: signed-in pages: [`StaffState`], the [`Staff`] extractor (401 and the sign-in
//!   form without a session), the role and CSRF checks, the navigation
//! - [`circulars`]: the list of circulars, a circular's page with its steps and history, the
//!   confirmation before issuing, the delivery page (templates in `templates/circulars/`)
//! - [`dashboard`]: the operations overview, live: the circulars in delivery, the relays with
//!   their limits and rate (and the form that changes them), unmatched returned mail, the
//!   intake's refusals (templates in `templates/dashboard/`)
//! - [`directory`]: the directory's pages (search, an address's report and explanation, CSV
//!   import with a dry run, forgetting a person)
//! - [`accounts`]: the accounts' pages (roles, passwords and API tokens shown once, disabling)
//!
//! Templates are in `services/gateway/templates/` (askama, compiled into the binary, HTML
//! escaped by default): `base.html`, `error_summary.html`, `fields.html` (macros `field` and
//! `csrf`), `sign_in.html`, `refused.html`, and `drafting/` (`form.html`, `controls.html`,
//! `preview.html`, `test_copies.html`).

pub mod accounts;
pub mod assets;
pub mod checkboxes;
pub mod circulars;
pub mod cookies;
pub mod csrf;
pub mod dashboard;
pub mod directory;
pub mod drafting;
pub mod form;
pub mod language;
pub mod page;
pub mod posted;
pub mod security;
pub mod session;
pub mod sign_in;
pub mod staff;
pub mod words;

pub use checkboxes::{CheckOption, Checkboxes};
pub use cookies::CookiePolicy;
pub use csrf::{csrf_token_matches, refused, Refusal, SameOrigin, CSRF_FIELD};
pub use form::{Choice, Control, ErrorSummary, Field, InputKind};
pub use language::ConsoleLanguage;
pub use page::{render, Layout, NavLink, PageContext};
pub use posted::Posted;
pub use staff::{page_routes, Denied, PageRoute, Staff, StaffState};
pub use words::Words;

use axum::extract::FromRef;
use axum::middleware::{from_fn_with_state, map_response};
use axum::routing::{get, post};
use axum::Router;
use circulars_core::config::Config;
use circulars_render::templates::TemplateError;
use std::sync::Arc;

/// What the console's layers and pages share: the words, how cookies are built, and which
/// origins are the console's own.
#[derive(Clone, Debug)]
pub struct ConsoleState {
    /// The console's words, built once.
    pub words: Arc<Words>,
    /// How cookies are built.
    pub cookies: CookiePolicy,
    /// The console's own origins, for the cross-site check.
    pub origins: SameOrigin,
}

impl ConsoleState {
    /// The state a configuration gives, with the compiled-in words.
    pub fn new(config: &Config) -> Result<ConsoleState, TemplateError> {
        Ok(ConsoleState {
            words: Arc::new(Words::embedded()?),
            cookies: CookiePolicy::from_config(config),
            origins: SameOrigin::from_config(config),
        })
    }
}

impl FromRef<ConsoleState> for CookiePolicy {
    fn from_ref(state: &ConsoleState) -> CookiePolicy {
        state.cookies
    }
}

/// The pages that need no database (the sign-in form, the stylesheet) behind [`protect`]'s
/// layers: what the unit tests exercise without a store.
pub fn public_routes(state: ConsoleState) -> Router {
    let pages = Router::new()
        .route(page::HOME_PATH, get(sign_in::page))
        .route(page::SIGN_IN_PATH, get(sign_in::page))
        .route(assets::STYLESHEET_PATH, get(assets::stylesheet));
    protect(pages, state)
}

/// Every console route behind [`protect`]'s layers: signing in and out, the stylesheet, and
/// the signed-in pages.
pub fn routes(state: StaffState) -> Router {
    let pages = Router::new()
        .route(page::HOME_PATH, get(sign_in::home))
        .route(page::SIGN_IN_PATH, get(sign_in::home).post(sign_in::submit))
        .route(page::SIGN_OUT_PATH, post(sign_in::sign_out))
        .route(assets::STYLESHEET_PATH, get(assets::stylesheet))
        .route(assets::LIVE_SCRIPT_PATH, get(assets::live_script));
    let pages = staff::page_routes()
        .into_iter()
        .fold(pages, |pages, route| {
            let path = route.path;
            pages.route(path, route.mount(&state))
        });
    protect(pages, state)
}

/// `router` behind the layers every staff route needs, outermost first: the security headers
/// on every answer, the `lang` cookie remembered from the switch's `?lang=`, and cross-site
/// POSTs refused before any handler runs.
pub fn protect<S>(router: Router<S>, state: S) -> Router
where
    ConsoleState: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    let console = ConsoleState::from_ref(&state);
    router
        .layer(from_fn_with_state(console.clone(), csrf::refuse_cross_site))
        .layer(from_fn_with_state(
            console.cookies,
            language::remember_language,
        ))
        .layer(map_response(security::security_headers))
        .with_state(state)
}

#[cfg(test)]
mod tests;
