//! `GET /staff/accounts`: every account (name, roles, enabled, created) and the form that adds
//! one; `POST`: `circulars_staff::add_account`, then its one-time password, shown once.

use super::{account_path, failed, roles_group, ticked_roles, ShownOncePage, ACCOUNT_PATH};
use crate::console::checkboxes::Checkboxes;
use crate::console::directory::when;
use crate::console::form::{ErrorSummary, Field};
use crate::console::page::{render, Layout};
use crate::console::posted::Posted;
use crate::console::staff::{Denied, Staff, StaffState, ACCOUNTS_PATH};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use circulars_core::domain::{AccountName, Role};
use circulars_staff::{StaffAccount, StaffError};

/// The accounts page's template.
#[derive(Template)]
#[template(path = "accounts/list.html")]
pub struct ListPage {
    /// The frame around the page.
    pub layout: Layout,
    /// Where the add form posts.
    pub action: &'static str,
    /// The session's CSRF token.
    pub csrf: String,
    /// One row per account.
    pub rows: Vec<AccountRow>,
    /// The new account's name.
    pub name: Field,
    /// Its roles.
    pub roles: Checkboxes,
}

/// An account as the table shows it.
pub struct AccountRow {
    /// Its page.
    pub href: String,
    /// Its name.
    pub name: String,
    /// Its roles, comma-separated.
    pub roles: String,
    /// Enabled, or disabled since when.
    pub state: String,
    /// When it was created.
    pub created: String,
}

impl AccountRow {
    /// `account` in the page's words.
    pub fn of(staff: &Staff, account: &StaffAccount) -> AccountRow {
        let state = match &account.disabled_at {
            None => staff.page.t("accounts-enabled"),
            Some(at) => staff
                .page
                .t_arg("accounts-disabled-since", "when", &when(at)),
        };
        AccountRow {
            href: account_path(ACCOUNT_PATH, &account.name),
            name: account.name.to_string(),
            roles: account
                .roles
                .iter()
                .map(Role::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            state,
            created: when(&account.created_at),
        }
    }
}

/// What the add form sent and what was wrong with it.
#[derive(Default)]
struct Attempt<'f> {
    name: &'f str,
    roles: Vec<&'f str>,
    name_error: Option<String>,
    roles_error: Option<String>,
}

/// The page with the add form as `attempt` left it.
async fn list_page(
    state: &StaffState,
    staff: &Staff,
    attempt: &Attempt<'_>,
) -> Result<ListPage, Denied> {
    let accounts = circulars_staff::accounts(&state.ctx.store, &staff.actor)
        .await
        .map_err(|e| failed(&staff.page, &e))?;
    let name = Field::text("name", staff.page.t("accounts-name"))
        .with_hint(staff.page.t("sign-in-name-hint"))
        .with_autocomplete("off")
        .with_value(attempt.name)
        .with_error(attempt.name_error.clone())
        .required();
    let roles = roles_group(&staff.page, &attempt.roles, attempt.roles_error.clone());
    let mut errors = ErrorSummary::of_fields([&name]);
    if let Some(error) = &roles.error {
        errors.push(&roles.first_id(), error.clone());
    }
    Ok(ListPage {
        layout: staff.layout("accounts-title").with_errors(errors),
        action: ACCOUNTS_PATH,
        csrf: staff.csrf.clone(),
        rows: accounts.iter().map(|a| AccountRow::of(staff, a)).collect(),
        name,
        roles,
    })
}

/// `GET /staff/accounts`.
pub async fn page(State(state): State<StaffState>, staff: Staff) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    let page = list_page(&state, &staff, &Attempt::default()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /staff/accounts`: the account added and its one-time password shown once; the form
/// again with what is wrong (422), in the library's words.
pub async fn add(
    State(state): State<StaffState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    let form = Posted::parse(&body);
    staff.check_csrf(form.get("csrf"))?;
    let mut attempt = Attempt {
        name: form.get("name").unwrap_or_default().trim(),
        roles: form.all("roles"),
        ..Attempt::default()
    };
    let name = if attempt.name.is_empty() {
        attempt.name_error = Some(staff.page.t("accounts-name-missing"));
        None
    } else {
        AccountName::parse(attempt.name)
            .map_err(|e| attempt.name_error = Some(e.to_string()))
            .ok()
    };
    let roles = ticked_roles(&attempt.roles)
        .map_err(|e| attempt.roles_error = Some(e))
        .ok();
    // The library says so in its words once the name is right; until then, the page does, so
    // that every mistake is named at once.
    if name.is_none() && roles.as_ref().is_some_and(|r| r.is_empty()) {
        attempt.roles_error = Some(staff.page.t("accounts-roles-missing"));
    }
    if let (Some(name), Some(roles)) = (name, roles) {
        match circulars_staff::add_account(&state.ctx.store, &staff.actor, &name, &roles).await {
            Ok((account, password)) => {
                tracing::info!(staff = %staff.actor.name(), account = %account.name, "staff account added from a page");
                return Ok(ShownOncePage::answer(
                    &staff,
                    "accounts-added-title",
                    staff
                        .page
                        .t_arg("accounts-added-intro", "name", account.name.as_str()),
                    password.expose_secret(),
                    account_path(ACCOUNT_PATH, &account.name),
                ));
            }
            Err(e @ StaffError::NameTaken(_)) => attempt.name_error = Some(e.to_string()),
            Err(e @ StaffError::NoRoles(_)) => attempt.roles_error = Some(e.to_string()),
            Err(e) => return Err(super::refused(&staff, e)),
        }
    }
    let page = list_page(&state, &staff, &attempt).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
