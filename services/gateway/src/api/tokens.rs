//! `/api/v1/accounts/{name}/tokens` and `/api/v1/tokens/{id}/revoke`, for admins: an
//! account's API tokens listed (a page at a time), created (the secret in the answer, once) and
//! revoked, each by the `circulars_staff` function the CLI and the console call, with the
//! caller as the actor.

use super::accounts::account_name;
use super::callers::{Admin, PageQuery};
use super::error::{ApiError, ErrorBody};
use super::json::{ApiJson, ApiQuery};
use super::ApiState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use circulars_staff::StaffToken;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An API token (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// Its id, by which it is revoked.
    pub id: i64,
    /// The account it acts as.
    pub account: String,
    /// What it is for.
    pub label: String,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was last accepted (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<StaffToken> for TokenView {
    fn from(t: StaffToken) -> TokenView {
        TokenView {
            id: t.id,
            account: t.account.to_string(),
            label: t.label,
            created_by: t.created_by,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// One page of an account's tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    /// Oldest first, revoked ones included.
    pub items: Vec<TokenView>,
    /// The `offset` of the next page, when there is one.
    pub next_offset: Option<u32>,
}

/// The body of `POST /api/v1/accounts/{name}/tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for.
    pub label: String,
}

/// A token just created, with its secret (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    /// The token.
    pub token: TokenView,
    /// `Authorization: Bearer <secret>`; only its hash is kept.
    pub secret: String,
}

/// An account's API tokens, revoked ones included.
#[utoipa::path(get, path = "/api/v1/accounts/{name}/tokens", tag = "accounts",
    params(("name" = String, Path, description = "The account's name"), PageQuery),
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn tokens(
    admin: Admin,
    State(state): State<ApiState>,
    Path(name): Path<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<TokenList>, ApiError> {
    let actor = admin.0;
    let name = account_name(&name)?;
    let tokens = circulars_staff::tokens(&state.ctx.store, &actor, &name).await?;
    let (tokens, next_offset) = page.of(tokens);
    Ok(Json(TokenList {
        items: tokens.into_iter().map(TokenView::from).collect(),
        next_offset,
    }))
}

/// Creates an API token for an account; its secret is in the answer, this once.
#[utoipa::path(post, path = "/api/v1/accounts/{name}/tokens", tag = "accounts", request_body = NewToken,
    params(("name" = String, Path, description = "The account's name")),
    responses((status = 201, body = TokenCreated), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_token(
    admin: Admin,
    State(state): State<ApiState>,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<TokenCreated>), ApiError> {
    let actor = admin.0;
    let name = account_name(&name)?;
    let new =
        circulars_staff::create_token(&state.ctx.store, &actor, &name, &request.label).await?;
    tracing::info!(staff = %actor.name(), account = %name, token = new.token.id, "API token created over the API");
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            secret: new.secret.expose_secret().to_owned(),
            token: new.token.into(),
        }),
    ))
}

/// Revokes an API token: it is refused from now on.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "accounts",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 200, body = TokenView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    admin: Admin,
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<TokenView>, ApiError> {
    let actor = admin.0;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found(format!("there is no API token {id}")))?;
    let token = circulars_staff::revoke_token(&state.ctx.store, &actor, id).await?;
    Ok(Json(token.into()))
}
