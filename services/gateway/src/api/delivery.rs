//! `/api/v1/circulars/{id}/audience` and `/status`: the audience as it would freeze now (the
//! directory's dry run) and, once issued, the delivery counts per state, language and category.

use super::circulars::circular_id;
use super::error::{ApiError, ErrorBody};
use super::ApiState;
use axum::extract::{Path, State};
use axum::Json;

/// The audience the circular would have if issued now: recipients per category and
/// language, and the addresses left out per reason.
#[utoipa::path(get, path = "/api/v1/circulars/{id}/audience", tag = "delivery",
    params(("id" = String, Path, description = "The circular's id")),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn audience(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = circular_id(&id)?;
    state.ctx.store.existing_life(&id).await?;
    let counts = circulars_contacts::audience::dry_run(&state.ctx.store, &id).await?;
    Ok(Json(serde_json::json!({
        "recipients": counts.recipients,
        "by_category": counts.by_category.iter().map(|(c, n)| (c.id().to_owned(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
        "by_language": counts.by_language.iter().map(|(l, n)| (l.code().to_owned(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
        "excluded": counts.excluded,
    })))
}

/// Delivery counts per state, language and category.
#[utoipa::path(get, path = "/api/v1/circulars/{id}/status", tag = "delivery",
    params(("id" = String, Path, description = "The circular's id")),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = circular_id(&id)?;
    state.ctx.store.existing_life(&id).await?;
    let status = state.ctx.store.circular_status(&id).await?;
    serde_json::to_value(&status)
        .map(Json)
        .map_err(|e| ApiError::internal(&e))
}
