//! Signed-in pages: the state they share ([`StaffState`]: the services, the approval policy,
//! the sign-in limiter), the extractor that finds the session of a request ([`Staff`]), and
//! what every signed-in page checks (its role, its form's CSRF token).
//!
//! A request without a valid session (none, expired, signed out, or of a disabled account)
//! gets `401` with the sign-in form, which returns to the page asked for once signed in.
//! [`PageRoute::mount`] puts [`gate`] in front of each signed-in route: the session and the
//! role the route declares are checked before its handler reads a path, query or form, so what
//! a route declares is what it enforces.

use super::csrf::{csrf_token_matches, refused, Refusal};
use super::page::{render, Layout, NavLink, PageContext};
use super::session::session_cookie;
use super::sign_in::{Attempt, SignInPage};
use super::ConsoleState;
use axum::extract::{FromRef, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use circulars_core::domain::{Actor, Role, Via};
use circulars_lifecycle::Policy;
use circulars_runtime::ServiceContext;
use circulars_staff::SignInLimiter;
use std::sync::Arc;
use tracing::error;

/// Where the list of circulars is: the home page once signed in.
pub const CIRCULARS_PATH: &str = "/staff/circulars";
/// Where a new circular is drafted.
pub const NEW_CIRCULAR_PATH: &str = "/staff/circulars/new";
/// Where admins search the directory.
pub const DIRECTORY_PATH: &str = "/staff/directory";
/// Where operators watch every circular in delivery, the relays and the returned mail.
pub const DASHBOARD_PATH: &str = "/staff/dashboard";
/// Where admins manage accounts and their API tokens.
pub const ACCOUNTS_PATH: &str = "/staff/accounts";

/// What signed-in pages share.
#[derive(Clone)]
pub struct StaffState {
    /// The words, cookies and origins of every page.
    pub console: ConsoleState,
    /// Store, bus and configuration.
    pub ctx: ServiceContext,
    /// `[approval]`.
    pub policy: Policy,
    /// Sign-in attempts per account and per client address.
    pub limiter: Arc<SignInLimiter>,
    /// The circulars' deliveries as the dashboard watches them, fed by the tracker.
    pub live: crate::live::Hub,
    /// The operations overview, fed by the dispatchers' relay reports.
    pub site: crate::live::SiteHub,
    /// The live streams each client address holds open.
    pub streams: crate::live::StreamPermits,
}

impl FromRef<StaffState> for ConsoleState {
    fn from_ref(state: &StaffState) -> ConsoleState {
        state.console.clone()
    }
}

/// A request of a signed-in account: the page's context, who is acting (from a page), and
/// the session's CSRF token for the page's forms.
#[derive(Clone)]
pub struct Staff {
    /// The page's language and words.
    pub page: PageContext,
    /// The account, with its roles as they are now.
    pub actor: Actor,
    /// The session's CSRF token (every form's hidden `csrf` field).
    pub csrf: String,
}

impl FromRequestParts<StaffState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &StaffState) -> Result<Staff, Response> {
        if let Some(staff) = parts.extensions.get::<Staff>() {
            return Ok(staff.clone());
        }
        let page = PageContext::new(state.console.words.clone(), &parts.uri, &parts.headers);
        let signed_in = match session_cookie(&parts.headers) {
            Some(cookie) => circulars_staff::session(&state.ctx.store, cookie).await,
            None => Ok(None),
        };
        match signed_in {
            Ok(Some(signed_in)) => Ok(Staff {
                actor: signed_in.actor(Via::Page),
                csrf: signed_in.csrf_token.as_str().to_owned(),
                page,
            }),
            Ok(None) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                let mut form = SignInPage::new(&page, &Attempt::default());
                form.action = sign_in_action(&next);
                Err(render(StatusCode::UNAUTHORIZED, &form))
            }
            Err(e) => {
                error!(error = %e, "reading a staff session failed");
                Err(render_failure(&page))
            }
        }
    }
}

impl Staff {
    /// The frame of a signed-in page titled with message `title_id`: the account named with
    /// its sign-out button, and the navigation its roles open.
    pub fn layout(&self, title_id: &str) -> Layout {
        let current = self.page.path().to_owned();
        let link = |href: &str, label: &str| NavLink {
            href: href.to_owned(),
            label: self.page.t(label),
            current: current == href,
        };
        let mut nav = vec![link(CIRCULARS_PATH, "nav-circulars")];
        if self.actor.has(Role::Drafter) {
            nav.push(link(NEW_CIRCULAR_PATH, "nav-new-circular"));
        }
        if self.actor.has(Role::Operator) {
            nav.push(link(DASHBOARD_PATH, "nav-dashboard"));
        }
        if self.actor.has(Role::Admin) || self.actor.has(Role::Operator) {
            nav.push(link(DIRECTORY_PATH, "nav-directory"));
        }
        if self.actor.has(Role::Admin) {
            nav.push(link(ACCOUNTS_PATH, "nav-accounts"));
        }
        let name = self
            .actor
            .account
            .clone()
            .expect("a page's actor is a signed-in account");
        self.page
            .layout(title_id)
            .signed_in(name, self.csrf.clone())
            .with_nav(nav)
    }

    /// `Ok` when the account holds `role`, else the 403 page naming the role needed.
    pub fn require(&self, role: Role) -> Result<(), Denied> {
        self.require_either(role, None)
    }

    /// `Ok` when the account holds `role` or `or`, else the 403 page naming the role (or
    /// roles) needed.
    pub fn require_either(&self, role: Role, or: Option<Role>) -> Result<(), Denied> {
        if self.actor.has(role) || or.is_some_and(|or| self.actor.has(or)) {
            return Ok(());
        }
        let reason = match or {
            None => self.page.t_arg("forbidden-role", "role", role.as_str()),
            Some(or) => self.page.t_args(
                "forbidden-either-role",
                &[("role", role.as_str()), ("other", or.as_str())],
            ),
        };
        Err(Denied::from(self.forbidden(&reason)))
    }

    /// `Ok` when a form's hidden `csrf` field is the session's token, else the 403 page.
    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<(), Denied> {
        match submitted {
            Some(sent) if csrf_token_matches(sent, &self.csrf) => Ok(()),
            _ => Err(Denied::from(refused(&self.page, Refusal::FormExpired))),
        }
    }

    /// The 403 page saying `reason`.
    pub fn forbidden(&self, reason: &str) -> Response {
        render(
            StatusCode::FORBIDDEN,
            &super::csrf::RefusedPage::new(self.layout("forbidden-title"), reason.to_owned()),
        )
    }
}

/// One signed-in route of the console: how it is reached, the role it needs, its handler.
/// Every signed-in page is declared this way, so that [`super::routes`] mounts it and the
/// security tests find it (each is asked for without a session, with an expired one and, when
/// it needs a role, by an account without it): a new page cannot be forgotten.
pub struct PageRoute {
    /// `GET` or `POST`.
    pub method: axum::http::Method,
    /// The path, with `{name}` for its parameters (`/staff/circulars/{id}`).
    pub path: &'static str,
    /// The role the handler requires (`None`: any signed-in account).
    pub role: Option<Role>,
    /// Another role that is enough instead (the directory's search and explanations: an
    /// admin's, or an operator's), set with [`PageRoute::or_role`].
    pub or: Option<Role>,
    /// The handler, as a method router (`get(h)` or `post(h)`).
    pub handler: axum::routing::MethodRouter<StaffState>,
}

impl PageRoute {
    /// A `GET` page.
    pub fn get<H, T>(path: &'static str, role: Option<Role>, handler: H) -> PageRoute
    where
        H: axum::handler::Handler<T, StaffState>,
        T: 'static,
    {
        PageRoute {
            method: axum::http::Method::GET,
            path,
            role,
            or: None,
            handler: axum::routing::get(handler),
        }
    }

    /// A `POST` form.
    pub fn post<H, T>(path: &'static str, role: Option<Role>, handler: H) -> PageRoute
    where
        H: axum::handler::Handler<T, StaffState>,
        T: 'static,
    {
        PageRoute {
            method: axum::http::Method::POST,
            path,
            role,
            or: None,
            handler: axum::routing::post(handler),
        }
    }

    /// The same route, open also to holders of `role`.
    pub fn or_role(mut self, role: Role) -> PageRoute {
        self.or = Some(role);
        self
    }

    /// Whether an account holding `roles` may open the route (what its handler checks).
    pub fn allows(&self, roles: &circulars_core::domain::Roles) -> bool {
        match self.role {
            None => true,
            Some(role) => roles.has(role) || self.or.is_some_and(|or| roles.has(or)),
        }
    }
}

impl PageRoute {
    /// The route's handler behind [`gate`] for its role.
    pub fn mount(self, state: &StaffState) -> axum::routing::MethodRouter<StaffState> {
        let (role, or) = (self.role, self.or);
        self.handler
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                move |State(state): State<StaffState>, request: Request, next: Next| {
                    gate(state, role, or, request, next)
                },
            ))
    }
}

/// Lets a request through to a signed-in handler only with a valid session (else `401` and
/// the sign-in form) and, when `role` is given, an account holding it or `or` (else `403`);
/// the [`Staff`] found is kept in the request for the handler's extractor.
pub async fn gate(
    state: StaffState,
    role: Option<Role>,
    or: Option<Role>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let staff = match Staff::from_request_parts(&mut parts, &state).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(role) = role {
        if let Err(denied) = staff.require_either(role, or) {
            return denied.into_response();
        }
    }
    parts.extensions.insert(staff);
    next.run(Request::from_parts(parts, body)).await
}

/// Every signed-in route of the console, from each page module.
pub fn page_routes() -> Vec<PageRoute> {
    let mut routes = Vec::new();
    routes.extend(super::circulars::routes());
    routes.extend(super::drafting::routes());
    routes.extend(super::directory::routes());
    routes.extend(super::accounts::routes());
    routes.extend(super::dashboard::routes());
    routes
}

/// A page answered instead of the one asked for (forbidden, refused, failed): what a
/// signed-in handler returns early with `?`.
pub struct Denied(Box<Response>);

impl From<Response> for Denied {
    fn from(answer: Response) -> Denied {
        Denied(Box::new(answer))
    }
}

impl axum::response::IntoResponse for Denied {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// The sign-in form's action, returning to `next` (a console page) once signed in.
pub fn sign_in_action(next: &str) -> String {
    if is_console_page(next) {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", next)
            .finish();
        format!("{}?{query}", super::page::SIGN_IN_PATH)
    } else {
        super::page::SIGN_IN_PATH.to_owned()
    }
}

/// Whether `path` is a page of this console (and nowhere else: no scheme, no `//host`), so
/// that a sign-in may return to it.
pub fn is_console_page(path: &str) -> bool {
    path.starts_with("/staff/") && !path.starts_with("/staff//") && !path.contains('\\')
}

/// The 500 page: the server failed and nothing was changed.
pub fn render_failure(page: &PageContext) -> Response {
    render(
        StatusCode::INTERNAL_SERVER_ERROR,
        &super::csrf::RefusedPage::new(page.layout("failure-title"), page.t("failure-text")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_is_open_to_its_role_or_its_alternative() {
        async fn page() {}
        let roles = |list: &str| circulars_core::domain::Roles::parse_list(list).unwrap();
        let route = PageRoute::get("/staff/x", Some(Role::Admin), page).or_role(Role::Operator);
        assert!(route.allows(&roles("admin")));
        assert!(route.allows(&roles("drafter,operator")));
        assert!(!route.allows(&roles("drafter,approver")));
        let anyone = PageRoute::post("/staff/y", None, page);
        assert!(anyone.allows(&roles("")));
    }

    #[test]
    fn a_sign_in_returns_only_to_a_console_page() {
        assert_eq!(
            sign_in_action("/staff/circulars/TSB-36?tab=fr"),
            "/staff/sign-in?next=%2Fstaff%2Fcirculars%2FTSB-36%3Ftab%3Dfr"
        );
        for elsewhere in [
            "https://evil.example/",
            "//evil.example/staff/",
            "/staff//evil",
            "/api/v1/x",
            "/staff/\\evil",
        ] {
            assert_eq!(sign_in_action(elsewhere), "/staff/sign-in", "{elsewhere}");
        }
    }
}
