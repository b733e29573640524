//! The sign-in page: `GET /staff` and `GET /staff/sign-in` show the account-name-and-password
//! form. (Its `POST` belongs to the accounts library's wiring.)

use super::csrf::CSRF_FIELD;
use super::form::{ErrorSummary, Field};
use super::page::{render, Layout, PageContext, SIGN_IN_PATH};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

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
    pub action: &'static str,
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
            action: SIGN_IN_PATH,
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
