//! `/api/v1/directory/addresses/{address}`, `/forget` and `/audit`, for admins: everything held
//! about one address (`circulars_contacts::personal::report`, recorded as a report made over
//! the API), its erasure (`personal::forget`, refused in the store's words while circulars to
//! it are in flight), and the directory's audit trail of one subject, a page at a time.

use super::callers::{next_offset, page_bounds, Admin};
use super::directory_search::address_of;
use super::error::{ApiError, ErrorBody};
use super::json::{ApiJson, ApiQuery};
use super::ApiState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use circulars_contacts::personal::{self, AddressReport};
use circulars_store::{ForgetSummary, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The most audit entries one page holds.
pub const MAX_PAGE: u32 = 500;

/// Who the directory's audit trail records for an API call: `api (by ana)`.
fn api_actor(admin: &Admin) -> String {
    format!("api (by {})", admin.0.name())
}

/// Everything held about one address, as `circulars directory report` writes it; recorded in
/// the audit trail.
#[utoipa::path(get, path = "/api/v1/directory/addresses/{address}", tag = "directory",
    params(("address" = String, Path, description = "The e-mail address")),
    responses((status = 200, body = Object, description = "The report: contacts, subscriptions, suppression, circulars, audit"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    admin: Admin,
    State(state): State<ApiState>,
    Path(address): Path<String>,
) -> Result<Json<AddressReport>, ApiError> {
    let address = address_of(&address, "address")?;
    let report = personal::report(&state.ctx.store, &address, &api_actor(&admin)).await?;
    Ok(Json(report))
}

/// The body of `POST /api/v1/directory/forget`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgetRequest {
    /// The e-mail address of the person to forget.
    pub address: String,
}

/// What forgetting a person did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Forgotten {
    /// What now stands for the address where records must stay.
    pub pseudonym: String,
    /// Whether anything was held about the address.
    pub found: bool,
    /// What changed, table by table.
    #[schema(value_type = Object)]
    pub changed: ForgetSummary,
}

/// Forgets a person: contacts and topic choices deleted, a keyed pseudonym in their place
/// elsewhere. Refused (409 `in_flight`) while a circular to the address is being delivered.
#[utoipa::path(post, path = "/api/v1/directory/forget", tag = "directory", request_body = ForgetRequest,
    responses((status = 200, body = Forgotten), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn forget(
    admin: Admin,
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<ForgetRequest>,
) -> Result<Json<Forgotten>, ApiError> {
    let address = address_of(&request.address, "address")?;
    let keyring = state
        .ctx
        .config
        .tokens
        .keyring()
        .map_err(|e| ApiError::internal(&e))?;
    let (pseudonym, changed) =
        match personal::forget(&state.ctx.store, &keyring, &address, &api_actor(&admin)).await {
            Ok(done) => done,
            Err(e @ StoreError::InFlight { .. }) => {
                return Err(
                    ApiError::new(StatusCode::CONFLICT, "in_flight", e.to_string()).at("address"),
                )
            }
            Err(e) => return Err(e.into()),
        };
    tracing::info!(staff = %admin.0.name(), %pseudonym, ?changed, "a person forgotten over the API");
    Ok(Json(Forgotten {
        pseudonym: pseudonym.as_str().to_owned(),
        found: changed.found(),
        changed,
    }))
}

/// `?subject=&limit=&offset=` of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// What the entries are about: an addressee's key, or a normalised address.
    pub subject: String,
    /// How many at most (default 50, at most 500).
    pub limit: Option<u32>,
    /// How many to skip (default 0).
    pub offset: Option<u32>,
}

/// One page of the audit trail, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// The entries of this page.
    pub items: Vec<AuditItem>,
    /// The `offset` of the next page, when there is one.
    pub next_offset: Option<u32>,
}

/// One change to the directory.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditItem {
    /// When.
    pub at: DateTime<Utc>,
    /// Who or which import (`import d.csv (by ana)`, `recipient (one-click)`).
    pub actor: String,
    /// What kind of change (`contact.created`, `suppression.added`, …).
    pub action: String,
    /// What it is about.
    pub subject: String,
    /// What changed.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// The directory's audit trail of one subject.
#[utoipa::path(get, path = "/api/v1/directory/audit", tag = "directory", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn audit(
    _admin: Admin,
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let (limit, offset) = page_bounds(query.limit, query.offset, MAX_PAGE);
    let mut rows = state
        .ctx
        .store
        .audit_trail_page(query.subject.trim(), limit + 1, offset)
        .await?;
    let next_offset = next_offset(&mut rows, limit, offset);
    Ok(Json(AuditPage {
        items: rows
            .into_iter()
            .map(|e| AuditItem {
                detail: serde_json::from_str(&e.detail)
                    .unwrap_or(serde_json::Value::String(e.detail)),
                at: e.at,
                actor: e.actor,
                action: e.action,
                subject: e.subject,
            })
            .collect(),
        next_offset,
    }))
}
