//! `/api/v1/circulars/{id}/…`: the steps of a circular's life (submit, approve, send back,
//! issue, pause, resume, cancel), each the lifecycle's own function, answering with the
//! circular as it stands after the step.

use super::circulars::{circular_id, view, CircularView};
use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use super::ApiState;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use circulars_core::domain::Actor;
use circulars_core::nats::control::DispatchState;
use serde::Deserialize;
use utoipa::ToSchema;

/// The body of an approval.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// The revision the approver read; refused with `changed` if it was edited since.
    pub revision: i64,
}

/// The body of a send-back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBackRequest {
    /// What the drafter should change.
    pub comment: String,
}

/// Hands a draft to the approvers.
#[utoipa::path(post, path = "/api/v1/circulars/{id}/submit", tag = "steps",
    params(("id" = String, Path, description = "The circular's id")),
    responses((status = 200, body = CircularView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> Result<Json<CircularView>, ApiError> {
    let id = circular_id(&id)?;
    circulars_lifecycle::submit(&state.ctx.store, state.policy, &actor, &id).await?;
    Ok(Json(view(&state, &id).await?))
}

/// Approves the submitted circular at the revision read (not by its drafter or last editor).
#[utoipa::path(post, path = "/api/v1/circulars/{id}/approve", tag = "steps",
    params(("id" = String, Path, description = "The circular's id")), request_body = ApproveRequest,
    responses((status = 200, body = CircularView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ApproveRequest>,
) -> Result<Json<CircularView>, ApiError> {
    let id = circular_id(&id)?;
    circulars_lifecycle::approve(
        &state.ctx.store,
        state.policy,
        &actor,
        &id,
        Some(request.revision),
    )
    .await?;
    Ok(Json(view(&state, &id).await?))
}

/// Returns the submitted circular to draft with a comment for its drafter.
#[utoipa::path(post, path = "/api/v1/circulars/{id}/send-back", tag = "steps",
    params(("id" = String, Path, description = "The circular's id")), request_body = SendBackRequest,
    responses((status = 200, body = CircularView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn send_back(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SendBackRequest>,
) -> Result<Json<CircularView>, ApiError> {
    let id = circular_id(&id)?;
    circulars_lifecycle::send_back(
        &state.ctx.store,
        state.policy,
        &actor,
        &id,
        &request.comment,
    )
    .await?;
    Ok(Json(view(&state, &id).await?))
}

/// Issues the approved circular: its audience is frozen and the mails go out.
#[utoipa::path(post, path = "/api/v1/circulars/{id}/issue", tag = "steps",
    params(("id" = String, Path, description = "The circular's id")),
    responses((status = 200, body = CircularView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn issue(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
) -> Result<Json<CircularView>, ApiError> {
    let id = circular_id(&id)?;
    circulars_lifecycle::issue(&state.ctx.store, &state.ctx.bus, state.policy, &actor, &id).await?;
    Ok(Json(view(&state, &id).await?))
}

/// Pauses an issued circular: mails in flight finish, the others wait.
#[utoipa::path(post, path = "/api/v1/circulars/{id}/pause", tag = "steps",
    params(("id" = String, Path, description = "The circular's id")),
    responses((status = 200, body = CircularView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn pause(
    state: State<ApiState>,
    actor: Extension<Actor>,
    id: Path<String>,
) -> Result<Json<CircularView>, ApiError> {
    dispatch(state, actor, id, DispatchState::Paused).await
}

/// Sends a paused circular again.
#[utoipa::path(post, path = "/api/v1/circulars/{id}/resume", tag = "steps",
    params(("id" = String, Path, description = "The circular's id")),
    responses((status = 200, body = CircularView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resume(
    state: State<ApiState>,
    actor: Extension<Actor>,
    id: Path<String>,
) -> Result<Json<CircularView>, ApiError> {
    dispatch(state, actor, id, DispatchState::Running).await
}

/// Stops an issued circular for good: every mail not yet sent is recorded `cancelled`.
#[utoipa::path(post, path = "/api/v1/circulars/{id}/cancel", tag = "steps",
    params(("id" = String, Path, description = "The circular's id")),
    responses((status = 200, body = CircularView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    state: State<ApiState>,
    actor: Extension<Actor>,
    id: Path<String>,
) -> Result<Json<CircularView>, ApiError> {
    dispatch(state, actor, id, DispatchState::Cancelled).await
}

/// Sets the dispatch state through the lifecycle.
async fn dispatch(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    to: DispatchState,
) -> Result<Json<CircularView>, ApiError> {
    let id = circular_id(&id)?;
    circulars_lifecycle::set_dispatch_state(
        &state.ctx.store,
        &state.ctx.bus,
        state.policy,
        &actor,
        &id,
        to,
    )
    .await?;
    Ok(Json(view(&state, &id).await?))
}
