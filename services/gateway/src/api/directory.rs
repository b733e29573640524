//! `/api/v1/directory/…`: the directory for admins' own systems. `import` takes the records of
//! a directory file as JSON, checks them exactly as `circulars directory import` checks a file,
//! and stores them whole or not at all (or, with `"dry_run": true`, says what storing would
//! change); the audit trail records `api (by <account>)`.

use super::callers::Admin;
use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use super::ApiState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use circulars_contacts::import::check_json_records;
use circulars_core::domain::{Actor, Role};
use circulars_store::ImportReport;
use serde::{Deserialize, Serialize};
use tracing::info;
use utoipa::ToSchema;

/// The body of `POST /api/v1/directory/import`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// Report what would change, and store nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// The records, each as a row of a directory file (`circulars_contacts::import::JsonRecord`).
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<serde_json::Value>,
}

/// What an import answers: the report of what changed (or would).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAnswer {
    /// Whether nothing was stored.
    pub dry_run: bool,
    /// Whether anything changed (or would).
    pub changed: bool,
    /// The counts and changes.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub report: ImportReport,
}

/// Checks that `actor` is an admin: the directory's staff operations are theirs.
pub fn require_admin(actor: &Actor) -> Result<(), ApiError> {
    if actor.has(Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_allowed",
            format!("{} may not do this: it needs the admin role", actor.name()),
        ))
    }
}

/// Imports directory records, whole or not at all.
#[utoipa::path(post, path = "/api/v1/directory/import", tag = "directory", request_body = ImportRequest,
    responses((status = 200, body = ImportAnswer), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    Admin(actor): Admin,
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<ImportRequest>,
) -> Result<Json<ImportAnswer>, ApiError> {
    let source = format!("api (by {})", actor.name());
    let store = &state.ctx.store;
    let known = store.directory_ids().await?;
    let records = check_json_records(&source, &request.records, &known)?;
    let report = store
        .import_directory(&records, &source, request.dry_run)
        .await?;
    info!(
        staff = %actor.name(),
        dry_run = request.dry_run,
        records = request.records.len(),
        changed = report.changed(),
        "directory imported over the API"
    );
    Ok(Json(ImportAnswer {
        dry_run: request.dry_run,
        changed: report.changed(),
        report,
    }))
}
