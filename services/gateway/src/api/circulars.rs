//! `/api/v1/circulars`: the list, one circular with its document, drafting and editing, and
//! the circular's history.

use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use super::ApiState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use circulars_core::domain::{Actor, CircularId, CircularState};
use circulars_lifecycle::document::circular_to_json;
use circulars_store::{CircularSummary, DraftOutcome, StoredCircular};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The most circulars one page of the list holds.
pub const MAX_PAGE: u32 = 200;

/// `?state=&limit=&offset=` of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only circulars in this state (`draft`, `submitted`, `approved`, `issued`, `paused`, `cancelled`).
    pub state: Option<String>,
    /// How many at most (default 50, at most 200).
    pub limit: Option<u32>,
    /// How many to skip (default 0).
    pub offset: Option<u32>,
}

/// One page of the list of circulars, most recently changed first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CircularList {
    /// The circulars of this page.
    pub items: Vec<CircularLine>,
    /// The `offset` of the next page, when there is one.
    pub next_offset: Option<u32>,
}

/// A line of the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CircularLine {
    /// `TSB-36`.
    pub id: String,
    /// Where it is in its life.
    pub state: String,
    /// Bumped by every edit.
    pub revision: i64,
    /// Who drafted it.
    pub drafted_by: String,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<CircularSummary> for CircularLine {
    fn from(s: CircularSummary) -> CircularLine {
        CircularLine {
            id: s.id.to_string(),
            state: s.state.to_string(),
            revision: s.revision,
            drafted_by: s.drafted_by,
            updated_at: s.updated_at,
        }
    }
}

/// One circular: where it stands, and its document in the shape of a circular file.
#[derive(Debug, Serialize, ToSchema)]
pub struct CircularView {
    /// `TSB-36`.
    pub id: String,
    /// Where it is in its life.
    pub state: String,
    /// Bumped by every edit; an approval names the revision approved.
    pub revision: i64,
    /// Who drafted it.
    pub drafted_by: String,
    /// Who last edited it.
    pub edited_by: String,
    /// Who approved this revision.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
    /// When it was issued.
    pub issued_at: Option<DateTime<Utc>>,
    /// The circular in the shape of its file (`docs/FORMATS.md`), as JSON.
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

impl From<StoredCircular> for CircularView {
    fn from(stored: StoredCircular) -> CircularView {
        let (approved_by, approved_at) = stored.life.approved.unzip();
        CircularView {
            id: stored.circular.id.to_string(),
            state: stored.life.state.to_string(),
            revision: stored.life.revision,
            drafted_by: stored.life.drafted_by,
            edited_by: stored.life.edited_by,
            approved_by,
            approved_at,
            issued_at: stored.issued_at,
            document: circular_to_json(&stored.circular),
        }
    }
}

/// One step of a circular's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who: an account, or `system:<user>` for the CLI without one.
    pub actor: String,
    /// From where: `page`, `api` or `cli`.
    pub via: String,
    /// What: `drafted`, `edited`, `submitted`, `approved`, `sent-back`, `issued`, …
    pub action: String,
    /// The rest (revision, comment, fields changed).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// Reads the `{id}` of a path (a malformed id names no circular: 404).
pub fn circular_id(id: &str) -> Result<CircularId, ApiError> {
    id.parse()
        .map_err(|_| ApiError::not_found(format!("no circular {id}")))
}

/// The circular as it stands now.
pub async fn view(state: &ApiState, id: &CircularId) -> Result<CircularView, ApiError> {
    Ok(state.ctx.store.existing_circular(id).await?.into())
}

/// The circulars, most recently changed first.
#[utoipa::path(get, path = "/api/v1/circulars", tag = "circulars", params(ListQuery),
    responses((status = 200, body = CircularList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<ApiState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<CircularList>, ApiError> {
    let filter = match query.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(s.parse::<CircularState>().map_err(|e| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()).at("state")
        })?),
    };
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let offset = query.offset.unwrap_or(0);
    let mut rows = state.ctx.store.circulars(filter, limit + 1, offset).await?;
    let next_offset = (rows.len() > limit as usize).then_some(offset + limit);
    rows.truncate(limit as usize);
    Ok(Json(CircularList {
        items: rows.into_iter().map(CircularLine::from).collect(),
        next_offset,
    }))
}

/// Drafts a circular from its document (or replaces its unissued draft): `201` when new.
#[utoipa::path(post, path = "/api/v1/circulars", tag = "circulars",
    request_body(content = Object, description = "The circular in the shape of a circular file (docs/FORMATS.md)"),
    responses((status = 201, body = CircularView), (status = 200, body = CircularView),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    ApiJson(document): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, Json<CircularView>), ApiError> {
    draft(&state, &actor, &document, None).await
}

/// One circular, with its document.
#[utoipa::path(get, path = "/api/v1/circulars/{id}", tag = "circulars",
    params(("id" = String, Path, description = "The circular's id, e.g. TSB-36")),
    responses((status = 200, body = CircularView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<CircularView>, ApiError> {
    Ok(Json(view(&state, &circular_id(&id)?).await?))
}

/// Edits an unissued circular: it returns to draft, its approval cleared.
#[utoipa::path(put, path = "/api/v1/circulars/{id}", tag = "circulars",
    params(("id" = String, Path, description = "The circular's id, e.g. TSB-36")),
    request_body(content = Object, description = "The circular in the shape of a circular file (docs/FORMATS.md)"),
    responses((status = 200, body = CircularView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    ApiJson(document): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, Json<CircularView>), ApiError> {
    let id = circular_id(&id)?;
    state.ctx.store.existing_circular(&id).await?;
    draft(&state, &actor, &document, Some(&id)).await
}

/// Stores the document as a draft through the lifecycle, and answers with the circular.
async fn draft(
    state: &ApiState,
    actor: &Actor,
    document: &serde_json::Value,
    expected: Option<&CircularId>,
) -> Result<(StatusCode, Json<CircularView>), ApiError> {
    let (circular, outcome) = circulars_lifecycle::draft_document(
        &state.ctx.store,
        state.policy,
        actor,
        document,
        expected,
    )
    .await?;
    let status = match outcome {
        DraftOutcome::Created => StatusCode::CREATED,
        DraftOutcome::Updated => StatusCode::OK,
    };
    Ok((status, Json(view(state, &circular.id).await?)))
}

/// Every step of the circular's life: who, when, from where, what.
#[utoipa::path(get, path = "/api/v1/circulars/{id}/history", tag = "circulars",
    params(("id" = String, Path, description = "The circular's id, e.g. TSB-36")),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let id = circular_id(&id)?;
    state.ctx.store.existing_life(&id).await?;
    let entries = state.ctx.store.circular_history(&id).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| HistoryEntry {
                at: e.at,
                actor: e.actor,
                via: e.via,
                action: e.action,
                detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    ))
}
