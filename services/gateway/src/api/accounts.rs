//! `/api/v1/accounts`, for admins: accounts listed (a page at a time), added (the one-time
//! password in the answer, once), disabled, given roles and a new password (in the answer,
//! once). Each is the `circulars_staff` function the CLI and the console call, with the caller
//! as the actor (audited as `api`). Their API tokens are [`super::tokens`]'.

use super::callers::{Admin, PageQuery};
use super::error::{ApiError, ErrorBody};
use super::json::{ApiJson, ApiQuery};
use super::ApiState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use circulars_core::domain::{AccountName, Role, Roles};
use circulars_staff::{StaffAccount, StaffError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

impl From<StaffError> for ApiError {
    fn from(e: StaffError) -> ApiError {
        let (status, code, field) = match &e {
            StaffError::NotAllowed { .. } => (StatusCode::FORBIDDEN, "not_allowed", None),
            StaffError::UnknownAccount(_) | StaffError::UnknownToken(_) => {
                (StatusCode::NOT_FOUND, "not_found", None)
            }
            StaffError::BadName(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("name")),
            StaffError::NoRoles(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("roles")),
            StaffError::NoLabel => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("label")),
            StaffError::NameTaken(_) => (StatusCode::CONFLICT, "name_taken", Some("name")),
            StaffError::Disabled(_) => (StatusCode::CONFLICT, "disabled", None),
            _ => return ApiError::internal(&e),
        };
        let error = ApiError::new(status, code, e.to_string());
        match field {
            Some(field) => error.at(field),
            None => error,
        }
    }
}

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    /// What the person signs in with.
    pub name: String,
    /// `drafter`, `approver`, `operator`, `admin`.
    pub roles: Vec<String>,
    /// Whether it may sign in and act.
    pub enabled: bool,
    /// Since when it may not, if disabled.
    pub disabled_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<StaffAccount> for AccountView {
    fn from(a: StaffAccount) -> AccountView {
        AccountView {
            enabled: a.is_enabled(),
            name: a.name.to_string(),
            roles: a.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            disabled_at: a.disabled_at,
            created_at: a.created_at,
        }
    }
}

/// One page of the accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    /// The accounts, by name.
    pub items: Vec<AccountView>,
    /// The `offset` of the next page, when there is one.
    pub next_offset: Option<u32>,
}

/// The body of `POST /api/v1/accounts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Lower-case letters, digits, `.`, `-` and `_`, starting with a letter.
    pub name: String,
    /// At least one of `drafter`, `approver`, `operator`, `admin`.
    pub roles: Vec<String>,
}

/// An account just added, with its one-time password (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountAdded {
    /// The account.
    pub account: AccountView,
    /// The password to give the person; only its hash is kept.
    pub password: String,
}

/// The body of `PUT /api/v1/accounts/{name}/roles`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesRequest {
    /// The roles the account holds from now on (at least one).
    pub roles: Vec<String>,
}

/// The account named in a path (a name that cannot be one names no account: 404, saying why).
pub fn account_name(name: &str) -> Result<AccountName, ApiError> {
    AccountName::parse(name).map_err(|e| ApiError::not_found(e.to_string()))
}

/// Roles as a request lists them, or the first that is not one (named `roles[i]`).
fn roles_of(listed: &[String]) -> Result<Roles, ApiError> {
    listed
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.parse::<Role>().map_err(|e| {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
                    .at(format!("roles[{i}]"))
            })
        })
        .collect()
}

/// The accounts, by name.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(PageQuery),
    responses((status = 200, body = AccountList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    admin: Admin,
    State(state): State<ApiState>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<AccountList>, ApiError> {
    let actor = admin.0;
    let accounts = circulars_staff::accounts(&state.ctx.store, &actor).await?;
    let (accounts, next_offset) = page.of(accounts);
    Ok(Json(AccountList {
        items: accounts.into_iter().map(AccountView::from).collect(),
        next_offset,
    }))
}

/// Adds an account; its one-time password is in the answer, this once.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccount,
    responses((status = 201, body = AccountAdded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    admin: Admin,
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<AccountAdded>), ApiError> {
    let actor = admin.0;
    let name = AccountName::parse(request.name.trim()).map_err(StaffError::from)?;
    let roles = roles_of(&request.roles)?;
    let (account, password) =
        circulars_staff::add_account(&state.ctx.store, &actor, &name, &roles).await?;
    tracing::info!(staff = %actor.name(), account = %account.name, "staff account added over the API");
    Ok((
        StatusCode::CREATED,
        Json(AccountAdded {
            account: account.into(),
            password: password.expose_secret().to_owned(),
        }),
    ))
}

/// A password just made for an account (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    /// The account.
    pub name: String,
    /// The password to give the person; only its hash is kept.
    pub password: String,
}

/// Gives an account a new generated password, in the answer this once; its sessions end.
#[utoipa::path(post, path = "/api/v1/accounts/{name}/password", tag = "accounts",
    params(("name" = String, Path, description = "The account's name")),
    responses((status = 200, body = PasswordReset), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reset_password(
    admin: Admin,
    State(state): State<ApiState>,
    Path(name): Path<String>,
) -> Result<Json<PasswordReset>, ApiError> {
    let actor = admin.0;
    let name = account_name(&name)?;
    let password = circulars_staff::reset_password(&state.ctx.store, &actor, &name).await?;
    tracing::info!(staff = %actor.name(), account = %name, "staff password reset over the API");
    Ok(Json(PasswordReset {
        name: name.to_string(),
        password: password.expose_secret().to_owned(),
    }))
}

/// Disables an account: it can no longer sign in, its sessions end, its tokens stop working.
#[utoipa::path(post, path = "/api/v1/accounts/{name}/disable", tag = "accounts",
    params(("name" = String, Path, description = "The account's name")),
    responses((status = 200, body = AccountView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn disable(
    admin: Admin,
    State(state): State<ApiState>,
    Path(name): Path<String>,
) -> Result<Json<AccountView>, ApiError> {
    let actor = admin.0;
    let name = account_name(&name)?;
    let account = circulars_staff::disable_account(&state.ctx.store, &actor, &name).await?;
    Ok(Json(account.into()))
}

/// Replaces an account's roles.
#[utoipa::path(put, path = "/api/v1/accounts/{name}/roles", tag = "accounts", request_body = RolesRequest,
    params(("name" = String, Path, description = "The account's name")),
    responses((status = 200, body = AccountView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_roles(
    admin: Admin,
    State(state): State<ApiState>,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<RolesRequest>,
) -> Result<Json<AccountView>, ApiError> {
    let actor = admin.0;
    let name = account_name(&name)?;
    let roles = roles_of(&request.roles)?;
    let account = circulars_staff::set_roles(&state.ctx.store, &actor, &name, &roles).await?;
    Ok(Json(account.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_that_is_not_one_is_named_by_its_place() {
        let roles = roles_of(&["approver".into(), "drafter".into()]).unwrap();
        assert_eq!(roles.to_string(), "drafter,approver");
        let refused = roles_of(&["approver".into(), "boss".into()]).unwrap_err();
        assert_eq!(refused.body.field.as_deref(), Some("roles[1]"));
        assert_eq!(
            refused.body.message,
            "'boss' is not a role (drafter, approver, operator, admin)"
        );
    }

    #[test]
    fn staff_errors_keep_the_library_s_words_with_a_status_and_field() {
        let taken = ApiError::from(StaffError::NameTaken(AccountName::parse("bob").unwrap()));
        assert_eq!(taken.status, StatusCode::CONFLICT);
        assert_eq!(taken.body.field.as_deref(), Some("name"));
        assert_eq!(
            taken.body.message,
            "there is already a staff account named bob: choose another name"
        );
        let missing = account_name("Not A Name").unwrap_err();
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(
            missing
                .body
                .message
                .starts_with("'Not A Name' is not an account name"),
            "{}",
            missing.body.message
        );
    }
}
