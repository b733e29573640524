//! `GET /staff/accounts/{name}`: one account, its roles (changed with `POST …/roles`), its
//! API tokens (see [`super::tokens`]), its password (reset with `POST …/password`, the new one
//! shown once) and disabling it (`GET …/disable` asks, `POST` does).

use super::{
    account_path, named_account, not_found, refused, roles_group, ticked_roles, ShownOncePage,
    ACCOUNT_PATH, DISABLE_PATH, PASSWORD_PATH, REVOKE_PATH, ROLES_PATH, TOKENS_PATH,
};
use crate::console::checkboxes::Checkboxes;
use crate::console::directory::when;
use crate::console::form::{ErrorSummary, Field};
use crate::console::page::{render, Layout};
use crate::console::posted::Posted;
use crate::console::sign_in::see_other;
use crate::console::staff::{Denied, Staff, StaffState};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use circulars_core::domain::{AccountName, Role};
use circulars_staff::{StaffAccount, StaffError, StaffToken};

/// An account's page.
#[derive(Template)]
#[template(path = "accounts/account.html")]
pub struct AccountPage {
    /// The frame around the page.
    pub layout: Layout,
    /// The session's CSRF token.
    pub csrf: String,
    /// The account's name.
    pub name: String,
    /// Enabled, or disabled since when.
    pub state: String,
    /// When it was created.
    pub created: String,
    /// Whether it may still sign in (the forms that change it are shown only then).
    pub enabled: bool,
    /// Its roles, as a form.
    pub roles: Checkboxes,
    /// Where the roles form posts.
    pub roles_action: String,
    /// Where the password reset posts.
    pub password_action: String,
    /// The confirmation of disabling it.
    pub disable_href: String,
    /// Its tokens, oldest first.
    pub tokens: Vec<TokenRow>,
    /// The new token's label.
    pub label: Field,
    /// Where the token form posts.
    pub tokens_action: String,
}

/// A token as the table shows it.
pub struct TokenRow {
    /// What it is for.
    pub label: String,
    /// When it was created, and by whom.
    pub created: String,
    /// When it was last used, if ever.
    pub last_used: String,
    /// Active, or revoked since when.
    pub state: String,
    /// Where its revoke button posts, while it is active.
    pub revoke_action: Option<String>,
}

impl TokenRow {
    /// `token` in the page's words.
    fn of(staff: &Staff, token: &StaffToken) -> TokenRow {
        let page = &staff.page;
        TokenRow {
            label: token.label.clone(),
            created: format!("{} ({})", when(&token.created_at), token.created_by),
            last_used: token
                .last_used_at
                .as_ref()
                .map(when)
                .unwrap_or_else(|| page.t("tokens-never-used")),
            state: match &token.revoked_at {
                None => page.t("tokens-active"),
                Some(at) => page.t_arg("tokens-revoked-since", "when", &when(at)),
            },
            revoke_action: token.revoked_at.is_none().then(|| {
                account_path(REVOKE_PATH, &token.account).replace("{id}", &token.id.to_string())
            }),
        }
    }
}

/// What a refused form on the account page sent and what was wrong with it.
#[derive(Default)]
pub struct Attempt<'f> {
    /// The roles ticked, when the roles form was refused.
    pub roles: Option<Vec<&'f str>>,
    /// Why.
    pub roles_error: Option<String>,
    /// The label typed, when the token form was refused.
    pub label: &'f str,
    /// Why.
    pub label_error: Option<String>,
}

/// The account `name`, or the 404 page.
async fn existing(
    state: &StaffState,
    staff: &Staff,
    name: &AccountName,
) -> Result<StaffAccount, Denied> {
    let accounts = circulars_staff::accounts(&state.ctx.store, &staff.actor)
        .await
        .map_err(|e| refused(staff, e))?;
    accounts
        .into_iter()
        .find(|a| &a.name == name)
        .ok_or_else(|| not_found(staff, &StaffError::UnknownAccount(name.clone()).to_string()))
}

/// The page of the account `name`, its forms as `attempt` left them.
pub async fn account_page(
    state: &StaffState,
    staff: &Staff,
    name: &AccountName,
    attempt: &Attempt<'_>,
) -> Result<AccountPage, Denied> {
    let page = &staff.page;
    let account = existing(state, staff, name).await?;
    let tokens = circulars_staff::tokens(&state.ctx.store, &staff.actor, name)
        .await
        .map_err(|e| refused(staff, e))?;
    let held: Vec<&str> = account.roles.iter().map(Role::as_str).collect();
    let roles = roles_group(
        page,
        attempt.roles.as_deref().unwrap_or(&held),
        attempt.roles_error.clone(),
    );
    let label = Field::text("label", page.t("tokens-label"))
        .with_hint(page.t("tokens-label-hint"))
        .with_autocomplete("off")
        .with_value(attempt.label)
        .with_error(attempt.label_error.clone())
        .required();
    let mut errors = ErrorSummary::default();
    if let Some(error) = &roles.error {
        errors.push(&roles.first_id(), error.clone());
    }
    if let Some(error) = &label.error {
        errors.push(label.id(), error.clone());
    }
    let mut layout = staff.layout("accounts-title").with_errors(errors);
    layout.title = page.t_arg("account-title", "name", name.as_str());
    Ok(AccountPage {
        layout,
        csrf: staff.csrf.clone(),
        name: name.to_string(),
        state: match &account.disabled_at {
            None => page.t("accounts-enabled"),
            Some(at) => page.t_arg("accounts-disabled-since", "when", &when(at)),
        },
        created: when(&account.created_at),
        enabled: account.is_enabled(),
        roles,
        roles_action: account_path(ROLES_PATH, name),
        password_action: account_path(PASSWORD_PATH, name),
        disable_href: account_path(DISABLE_PATH, name),
        tokens: tokens.iter().map(|t| TokenRow::of(staff, t)).collect(),
        label,
        tokens_action: account_path(TOKENS_PATH, name),
    })
}

/// `GET /staff/accounts/{name}`.
pub async fn page(
    State(state): State<StaffState>,
    staff: Staff,
    Path(name): Path<String>,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    let name = named_account(&staff, &name)?;
    let page = account_page(&state, &staff, &name, &Attempt::default()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /staff/accounts/{name}/roles`: the roles replaced by those ticked, then the account's
/// page; the page again with what is wrong (422).
pub async fn roles(
    State(state): State<StaffState>,
    staff: Staff,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    let form = Posted::parse(&body);
    staff.check_csrf(form.get("csrf"))?;
    let name = named_account(&staff, &name)?;
    let ticked = form.all("roles");
    let error = match ticked_roles(&ticked) {
        Err(e) => e,
        Ok(roles) => {
            match circulars_staff::set_roles(&state.ctx.store, &staff.actor, &name, &roles).await {
                Ok(_) => return Ok(see_other(&account_path(ACCOUNT_PATH, &name))),
                Err(e @ StaffError::NoRoles(_)) => e.to_string(),
                Err(e) => return Err(refused(&staff, e)),
            }
        }
    };
    let attempt = Attempt {
        roles: Some(ticked),
        roles_error: Some(error),
        ..Attempt::default()
    };
    let page = account_page(&state, &staff, &name, &attempt).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `POST /staff/accounts/{name}/password`: a new generated password, shown once; the
/// account's sessions end.
pub async fn reset_password(
    State(state): State<StaffState>,
    staff: Staff,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    staff.check_csrf(Posted::parse(&body).get("csrf"))?;
    let name = named_account(&staff, &name)?;
    let password = circulars_staff::reset_password(&state.ctx.store, &staff.actor, &name)
        .await
        .map_err(|e| refused(&staff, e))?;
    tracing::info!(staff = %staff.actor.name(), account = %name, "staff password reset from a page");
    Ok(ShownOncePage::answer(
        &staff,
        "accounts-password-title",
        staff
            .page
            .t_arg("accounts-password-intro", "name", name.as_str()),
        password.expose_secret(),
        account_path(ACCOUNT_PATH, &name),
    ))
}

/// The confirmation of disabling an account.
#[derive(Template)]
#[template(path = "accounts/disable.html")]
pub struct DisablePage {
    /// The frame around the page.
    pub layout: Layout,
    /// The session's CSRF token.
    pub csrf: String,
    /// What disabling does.
    pub question: String,
    /// Where the form posts.
    pub action: String,
    /// Back to the account's page.
    pub back: String,
}

/// `GET /staff/accounts/{name}/disable`: what disabling does, and a button.
pub async fn confirm_disable(
    State(state): State<StaffState>,
    staff: Staff,
    Path(name): Path<String>,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    let name = named_account(&staff, &name)?;
    existing(&state, &staff, &name).await?;
    let page = DisablePage {
        layout: staff.layout("accounts-disable-title"),
        csrf: staff.csrf.clone(),
        question: staff
            .page
            .t_arg("accounts-disable-question", "name", name.as_str()),
        action: account_path(DISABLE_PATH, &name),
        back: account_path(ACCOUNT_PATH, &name),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /staff/accounts/{name}/disable`: the account disabled (its sessions and tokens stop
/// working), then its page.
pub async fn disable(
    State(state): State<StaffState>,
    staff: Staff,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    staff.check_csrf(Posted::parse(&body).get("csrf"))?;
    let name = named_account(&staff, &name)?;
    circulars_staff::disable_account(&state.ctx.store, &staff.actor, &name)
        .await
        .map_err(|e| refused(&staff, e))?;
    tracing::info!(staff = %staff.actor.name(), account = %name, "staff account disabled from a page");
    Ok(see_other(&account_path(ACCOUNT_PATH, &name)))
}
