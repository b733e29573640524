//! The sign-in page: `GET /staff` and `GET /staff/sign-in` show the account-name-and-password
//! form. (Its `POST` belongs to the accounts library's wiring.)

use super::csrf::CSRF_FIELD;
use super::form::{ErrorSummary, Field};
use super::page::{render, Layout, PageContext, SIGN_IN_PATH};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The sign-in form's account-name field.
pub const NAME_FIELD: &str = "name";
/// The sign-in form's password field.
pub const PASSWORD_FIELD: &str = "password";

/// The sign-in page's template.
#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    /// The frame around the page.
    pub layout: Layout,
    /// Where the form posts.
    pub action: String,
    /// The account name.
    pub name: Field,
    /// The password.
    pub password: Field,
    /// The hidden CSRF token of a pre-session, if the accounts library gives one.
    pub csrf: Option<String>,
}

/// What a refused sign-in sent and what was wrong with it, for the page shown again; the
/// default is the empty form.
#[derive(Clone, Debug, Default)]
pub struct Attempt {
    /// The account name typed (shown again; the password never is).
    pub name: String,
    /// What is wrong with the name (e.g. empty, or not an account name).
    pub name_error: Option<String>,
    /// What is wrong with the password (e.g. empty).
    pub password_error: Option<String>,
    /// Why the sign-in was refused as a whole (wrong name or password, too many attempts):
    /// listed in the error summary, linked to the name field.
    pub refusal: Option<String>,
}

impl SignInPage {
    /// The page for `attempt`: the name shown again, each error beside its field and all of
    /// them in the error summary.
    pub fn new(page: &PageContext, attempt: &Attempt) -> SignInPage {
        let name = Field::text(NAME_FIELD, page.t("sign-in-name"))
            .with_hint(page.t("sign-in-name-hint"))
            .with_autocomplete("username")
            .with_value(attempt.name.as_str())
            .with_error(attempt.name_error.clone())
            .required();
        let password = Field::password(PASSWORD_FIELD, page.t("sign-in-password"))
            .with_autocomplete("current-password")
            .with_error(attempt.password_error.clone())
            .required();
        let mut errors = ErrorSummary::of_fields([&name, &password]);
        if let Some(refusal) = &attempt.refusal {
            errors.push(name.id(), refusal.clone());
        }
        SignInPage {
            layout: page.layout("sign-in-title").with_errors(errors),
            action: SIGN_IN_PATH.to_owned(),
            name,
            password,
            csrf: None,
        }
    }

    /// The name of the hidden CSRF field (for the template).
    pub fn csrf_field(&self) -> &'static str {
        CSRF_FIELD
    }
}

/// `GET /staff`, `GET /staff/sign-in`: the empty form.
pub async fn page(page: PageContext) -> Response {
    render(StatusCode::OK, &SignInPage::new(&page, &Attempt::default()))
}

/// The sign-in form as sent.
#[derive(Debug, serde::Deserialize)]
pub struct SignInForm {
    /// The account name.
    #[serde(default)]
    pub name: String,
    /// The password.
    #[serde(default)]
    pub password: String,
}

/// `?next=` of the sign-in form: the console page to return to.
#[derive(Debug, serde::Deserialize)]
pub struct Next {
    /// The page.
    pub next: Option<String>,
}

/// `GET /staff`, `GET /staff/sign-in` with a session: on to the circulars (or `next`);
/// without one: the form.
pub async fn home(
    axum::extract::State(state): axum::extract::State<super::staff::StaffState>,
    page: PageContext,
    headers: axum::http::HeaderMap,
    axum::extract::Query(next): axum::extract::Query<Next>,
) -> Response {
    if let Some(cookie) = super::session::session_cookie(&headers) {
        if let Ok(Some(_)) = circulars_staff::session(&state.ctx.store, cookie).await {
            return see_other(&destination(next.next.as_deref()));
        }
    }
    let mut form = SignInPage::new(&page, &Attempt::default());
    form.action = super::staff::sign_in_action(next.next.as_deref().unwrap_or(""));
    render(StatusCode::OK, &form)
}

/// `POST /staff/sign-in`: a session and its cookie, then on to `next` (or the circulars); the
/// form again, with what was wrong, otherwise.
pub async fn submit(
    axum::extract::State(state): axum::extract::State<super::staff::StaffState>,
    page: PageContext,
    axum::extract::ConnectInfo(client): axum::extract::ConnectInfo<std::net::SocketAddr>,
    axum::extract::Query(next): axum::extract::Query<Next>,
    axum::Form(form): axum::Form<SignInForm>,
) -> Response {
    use circulars_staff::SignInError;
    let mut attempt = Attempt {
        name: form.name.trim().to_owned(),
        ..Attempt::default()
    };
    if attempt.name.is_empty() {
        attempt.name_error = Some(page.t("sign-in-name-missing"));
    }
    if form.password.is_empty() {
        attempt.password_error = Some(page.t("sign-in-password-missing"));
    }
    let status = if attempt.name_error.is_some() || attempt.password_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        let password = circulars_core::config::SecretString::from(form.password);
        let lifetime = circulars_staff::session_lifetime(&state.ctx.config.gateway);
        let signed = circulars_staff::sign_in(
            &state.ctx.store,
            &state.limiter,
            &attempt.name,
            &password,
            client.ip(),
            lifetime,
        )
        .await;
        match signed {
            Ok(session) => {
                let age = lifetime.to_std().ok();
                let cookie = state.console.cookies.set(
                    super::session::SESSION_COOKIE,
                    session.cookie.expose_secret(),
                    age,
                );
                let mut answer = see_other(&destination(next.next.as_deref()));
                if let Ok(cookie) = cookie {
                    answer
                        .headers_mut()
                        .insert(axum::http::header::SET_COOKIE, cookie);
                }
                return answer;
            }
            Err(SignInError::TooManyAttempts { .. }) => {
                attempt.refusal = Some(page.t("sign-in-too-many"));
                StatusCode::TOO_MANY_REQUESTS
            }
            Err(SignInError::WrongNameOrPassword) => {
                attempt.refusal = Some(page.t("sign-in-wrong"));
                StatusCode::UNAUTHORIZED
            }
            Err(SignInError::Disabled(_)) => {
                attempt.refusal = Some(page.t("sign-in-disabled"));
                StatusCode::FORBIDDEN
            }
            Err(e) => {
                tracing::error!(error = %e, "sign-in failed");
                return super::staff::render_failure(&page);
            }
        }
    };
    let mut again = SignInPage::new(&page, &attempt);
    again.action = super::staff::sign_in_action(next.next.as_deref().unwrap_or(""));
    render(status, &again)
}

/// `POST /staff/sign-out`: the session ended and its cookie removed, then the sign-in page.
pub async fn sign_out(
    axum::extract::State(state): axum::extract::State<super::staff::StaffState>,
    staff: super::staff::Staff,
    headers: axum::http::HeaderMap,
    axum::Form(form): axum::Form<std::collections::HashMap<String, String>>,
) -> Response {
    if let Err(refused) = staff.check_csrf(form.get(CSRF_FIELD).map(String::as_str)) {
        return refused.into_response();
    }
    if let Some(cookie) = super::session::session_cookie(&headers) {
        if let Err(e) = circulars_staff::sign_out(&state.ctx.store, cookie).await {
            tracing::error!(error = %e, "sign-out failed");
            return super::staff::render_failure(&staff.page);
        }
    }
    let mut answer = see_other(SIGN_IN_PATH);
    if let Ok(clear) = state.console.cookies.clear(super::session::SESSION_COOKIE) {
        answer
            .headers_mut()
            .insert(axum::http::header::SET_COOKIE, clear);
    }
    answer
}

/// Where a sign-in leads: `next` when it is a console page, else the circulars.
fn destination(next: Option<&str>) -> String {
    next.filter(|n| super::staff::is_console_page(n))
        .unwrap_or(super::staff::CIRCULARS_PATH)
        .to_owned()
}

/// `303 See Other` to `location`.
pub fn see_other(location: &str) -> Response {
    let mut answer = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = axum::http::HeaderValue::from_str(location) {
        answer
            .headers_mut()
            .insert(axum::http::header::LOCATION, value);
    }
    answer
}
