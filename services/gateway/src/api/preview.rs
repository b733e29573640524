//! `GET /api/v1/circulars/{id}/preview` (the six versions exactly as recipients get them:
//! subject, HTML and text) and `POST /api/v1/circulars/{id}/test-copies` (the six sent to an
//! address, subjects marked as test copies), through the lifecycle's preview functions.

use super::circulars::circular_id;
use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use super::ApiState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use circulars_core::domain::{Actor, Annex, Circular, CircularId, RecipientAddress, Role};
use circulars_lifecycle::PreviewError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One version as its recipients get it (addressed to a sample recipient).
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    /// `fr`.
    pub language: String,
    /// The subject.
    pub subject: String,
    /// The HTML body.
    pub html: String,
    /// The plain-text body.
    pub text: String,
}

/// The six versions of a circular.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewView {
    /// `TSB-36`.
    pub id: String,
    /// One per language, in the order ar, zh, en, fr, ru, es.
    pub versions: Vec<VersionView>,
}

/// Where test copies go.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCopiesRequest {
    /// The address that receives all six.
    pub to: String,
}

/// What one language's test copy gave.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestCopyView {
    /// `fr`.
    pub language: String,
    /// The relay it went through (or was refused by).
    pub relay: String,
    /// Whether the relay accepted it.
    pub sent: bool,
    /// The relay's reply code, when it replied.
    pub code: Option<u16>,
    /// What happened, in the CLI's words.
    pub message: String,
}

/// The six test copies.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestCopiesView {
    /// The address.
    pub to: String,
    /// One per language.
    pub copies: Vec<TestCopyView>,
}

/// The six versions of a stored circular, exactly as recipients get them.
#[utoipa::path(get, path = "/api/v1/circulars/{id}/preview", tag = "circulars",
    params(("id" = String, Path, description = "The circular's id, e.g. TSB-36")),
    responses((status = 200, body = PreviewView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<PreviewView>, ApiError> {
    let id = circular_id(&id)?;
    let (circular, annexes) = stored(&state, &id).await?;
    let versions = circulars_lifecycle::versions(&state.ctx.config, &circular, &annexes, None)
        .map_err(preview_error)?;
    Ok(Json(PreviewView {
        id: id.to_string(),
        versions: versions
            .into_iter()
            .map(|v| VersionView {
                language: v.language.code().to_owned(),
                subject: v.rendition.subject,
                html: v.html,
                text: v.text,
            })
            .collect(),
    }))
}

/// Sends the six versions to an address, each subject marked `[TEST COPY]` (a drafter's step).
#[utoipa::path(post, path = "/api/v1/circulars/{id}/test-copies", tag = "circulars",
    params(("id" = String, Path, description = "The circular's id, e.g. TSB-36")), request_body = TestCopiesRequest,
    responses((status = 200, body = TestCopiesView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn test_copies(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<TestCopiesRequest>,
) -> Result<Json<TestCopiesView>, ApiError> {
    let id = circular_id(&id)?;
    state.policy.allow(&actor, Role::Drafter)?;
    let (circular, annexes) = stored(&state, &id).await?;
    let to = RecipientAddress::parse(request.to.trim()).map_err(|e| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()).at("to")
    })?;
    let config = &state.ctx.config;
    let relays =
        circulars_relays::Relays::from_config(&config.smtp).map_err(|e| ApiError::internal(&e))?;
    let sent = circulars_lifecycle::send_test_copies(config, &relays, &circular, &annexes, &to)
        .await
        .map_err(preview_error)?;
    let copies = sent
        .iter()
        .map(|s| TestCopyView {
            language: s.language.code().to_owned(),
            relay: s.relay.clone(),
            sent: s.reply.is_ok(),
            code: s.code(),
            message: match &s.reply {
                Ok(_) => format!("sent to {to} through {}", s.relay),
                Err(e) => format!("not sent to {to} through {}: {e}", s.relay),
            },
        })
        .collect();
    Ok(Json(TestCopiesView {
        to: to.to_string(),
        copies,
    }))
}

/// The stored circular and its annexes in every language.
async fn stored(state: &ApiState, id: &CircularId) -> Result<(Circular, Vec<Annex>), ApiError> {
    let stored = state.ctx.store.existing_circular(id).await?;
    let annexes = circulars_lifecycle::annexes::stored_annexes(&state.ctx.store, id).await?;
    Ok((stored.circular, annexes))
}

/// A preview that cannot be made: the circular's fault (422, the renderer's words) or the
/// server's (500).
fn preview_error(e: PreviewError) -> ApiError {
    if e.code() == "invalid" {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
    } else {
        ApiError::internal(&e)
    }
}
