//! The accounts' pages, for admins: the list of accounts and adding one (its one-time password
//! shown once), an account's roles, its password reset (shown once), disabling it, and its API
//! tokens (created and shown once, revoked). Every change is a `circulars_staff` function with
//! the signed-in admin as its actor, so the rules and the audit trail are the CLI's.
//!
//! - [`list`]: `GET /staff/accounts` (the table and the form to add one), `POST` (add)
//! - [`account`]: `GET /staff/accounts/{name}`; `POST …/roles`, `…/password`; `GET`/`POST
//!   …/disable` (a confirmation first: an account is never enabled again)
//! - [`tokens`]: `POST /staff/accounts/{name}/tokens` (create), `POST
//!   …/tokens/{id}/revoke`
//!
//! Templates: `templates/accounts/{list,account,disable,shown_once}.html`.

pub mod account;
pub mod list;
pub mod tokens;

use super::checkboxes::Checkboxes;
use super::staff::{render_failure, Denied, PageRoute, Staff, ACCOUNTS_PATH};
use super::{render, Layout, PageContext};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use circulars_core::domain::{AccountName, Role, Roles};
use circulars_staff::StaffError;

/// An account's page.
pub const ACCOUNT_PATH: &str = "/staff/accounts/{name}";
/// Where an account's roles are changed.
pub const ROLES_PATH: &str = "/staff/accounts/{name}/roles";
/// Where an account's password is reset.
pub const PASSWORD_PATH: &str = "/staff/accounts/{name}/password";
/// Where an account is disabled.
pub const DISABLE_PATH: &str = "/staff/accounts/{name}/disable";
/// Where an account's API tokens are created.
pub const TOKENS_PATH: &str = "/staff/accounts/{name}/tokens";
/// Where one of them is revoked.
pub const REVOKE_PATH: &str = "/staff/accounts/{name}/tokens/{id}/revoke";

/// The accounts' pages, every one an admin's.
pub fn routes() -> Vec<PageRoute> {
    let admin = Some(Role::Admin);
    vec![
        PageRoute::get(ACCOUNTS_PATH, admin, list::page),
        PageRoute::post(ACCOUNTS_PATH, admin, list::add),
        PageRoute::get(ACCOUNT_PATH, admin, account::page),
        PageRoute::post(ROLES_PATH, admin, account::roles),
        PageRoute::post(PASSWORD_PATH, admin, account::reset_password),
        PageRoute::get(DISABLE_PATH, admin, account::confirm_disable),
        PageRoute::post(DISABLE_PATH, admin, account::disable),
        PageRoute::post(TOKENS_PATH, admin, tokens::create),
        PageRoute::post(REVOKE_PATH, admin, tokens::revoke),
    ]
}

/// `path` (one of the paths above) for the account `name`.
pub fn account_path(path: &str, name: &AccountName) -> String {
    path.replace("{name}", name.as_str())
}

/// The roles group of a form: every role, those of `checked` ticked.
pub fn roles_group(page: &PageContext, checked: &[&str], error: Option<String>) -> Checkboxes {
    let options = Role::ALL
        .into_iter()
        .map(|role| (role.as_str().to_owned(), role_label(page, role)))
        .collect();
    Checkboxes::new("roles", page.t("accounts-roles"), options)
        .with_hint(page.t("accounts-roles-hint"))
        .with_checked(checked.iter().copied())
        .with_error(error)
}

/// A role's name in the page's language, with what it may do.
pub fn role_label(page: &PageContext, role: Role) -> String {
    page.t(match role {
        Role::Drafter => "role-drafter",
        Role::Approver => "role-approver",
        Role::Operator => "role-operator",
        Role::Admin => "role-admin",
    })
}

/// The roles ticked in a form, or what is wrong with one of them (in the CLI's words).
pub fn ticked_roles(values: &[&str]) -> Result<Roles, String> {
    values
        .iter()
        .map(|v| v.parse::<Role>().map_err(|e| e.to_string()))
        .collect()
}

/// The account named in a path, or the 404 page.
pub fn named_account(staff: &Staff, name: &str) -> Result<AccountName, Denied> {
    AccountName::parse(name).map_err(|e| not_found(staff, &e.to_string()))
}

/// The 404 page saying `why`.
pub fn not_found(staff: &Staff, why: &str) -> Denied {
    let page = MessagePage {
        layout: staff.layout("accounts-not-found"),
        message: why.to_owned(),
    };
    Denied::from(render(StatusCode::NOT_FOUND, &page))
}

/// What a refused or failed staff operation answers when no form shows it: 404 for an unknown
/// account or token, 403 when not allowed, 409 otherwise (in the library's words), 500 for a
/// failure.
pub fn refused(staff: &Staff, e: StaffError) -> Denied {
    match e {
        StaffError::UnknownAccount(_) | StaffError::UnknownToken(_) | StaffError::BadName(_) => {
            not_found(staff, &e.to_string())
        }
        StaffError::NotAllowed { .. } => Denied::from(staff.forbidden(&e.to_string())),
        StaffError::Disabled(_) | StaffError::NoLabel | StaffError::NoRoles(_) => {
            let page = MessagePage {
                layout: staff.layout("accounts-refused"),
                message: e.to_string(),
            };
            Denied::from(render(StatusCode::CONFLICT, &page))
        }
        other => failed(&staff.page, &other),
    }
}

/// The 500 page, the cause logged.
pub fn failed(page: &PageContext, cause: &dyn std::fmt::Display) -> Denied {
    tracing::error!(%cause, "a staff account operation failed");
    Denied::from(render_failure(page))
}

/// A page that says one thing (an account not found, an operation refused), with a way back
/// to the accounts.
#[derive(Template)]
#[template(path = "accounts/message.html")]
pub struct MessagePage {
    /// The frame around the page.
    pub layout: Layout,
    /// What it says.
    pub message: String,
}

/// A secret shown once (a password, a token), never stored in the clear and never shown again:
/// the page of the `POST` that made it, not a redirect (only its hash is kept).
#[derive(Template)]
#[template(path = "accounts/shown_once.html")]
pub struct ShownOncePage {
    /// The frame around the page.
    pub layout: Layout,
    /// What the secret is and what to do with it.
    pub intro: String,
    /// The secret.
    pub secret: String,
    /// Where to go on.
    pub next: String,
}

impl ShownOncePage {
    /// The page titled `title_id` showing `secret` after `intro`, leading to `next`.
    pub fn answer(
        staff: &Staff,
        title_id: &str,
        intro: String,
        secret: &str,
        next: String,
    ) -> Response {
        let page = ShownOncePage {
            layout: staff.layout(title_id),
            intro,
            secret: secret.to_owned(),
            next,
        };
        render(StatusCode::OK, &page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticked_roles_are_read_in_the_cli_s_words() {
        assert_eq!(
            ticked_roles(&["approver", "drafter"]).unwrap().to_string(),
            "drafter,approver"
        );
        assert!(ticked_roles(&[]).unwrap().is_empty());
        assert_eq!(
            ticked_roles(&["approver", "boss"]).unwrap_err(),
            "'boss' is not a role (drafter, approver, operator, admin)"
        );
    }

    #[test]
    fn an_account_s_paths_name_it() {
        let bob = AccountName::parse("bob").unwrap();
        assert_eq!(
            account_path(REVOKE_PATH, &bob),
            "/staff/accounts/bob/tokens/{id}/revoke"
        );
        assert_eq!(account_path(ACCOUNT_PATH, &bob), "/staff/accounts/bob");
    }
}
