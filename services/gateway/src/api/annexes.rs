//! `POST /api/v1/circulars/{id}/annexes`: one annex file of a circular, for one language or
//! for every language without its own, sent as `multipart/form-data` and stored through the
//! lifecycle's [`circulars_lifecycle::upload_annex`] (the same checks as the console's form):
//! the circular returns to draft.

use super::circulars::circular_id;
use super::error::{ApiError, ErrorBody};
use super::ApiState;
use crate::console::drafting::draft_form::annex_name;
use crate::multipart::{read_form, FormBodyError, SentFile};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use circulars_core::domain::{Actor, CircularId, Language, Role};
use circulars_lifecycle::AnnexUpload;
use serde::Serialize;
use utoipa::ToSchema;

/// The form field of the file.
pub const FILE_FIELD: &str = "file";
/// The form field of the language.
pub const LANGUAGE_FIELD: &str = "language";

/// The upload's form (`multipart/form-data`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct AnnexUploadForm {
    /// The file, named as the circular lists the annex (`annex1.pdf`; `annex1.fr.pdf` with
    /// `language` = `fr` is the same annex); at most `[mail] max_annex_bytes`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The language it is the version of (`ar`, `zh`, `en`, `fr`, `ru`, `es`); none: the file
    /// for every language without its own.
    language: Option<String>,
}

/// One file stored for an annex.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnexFile {
    /// The annex, as the circular lists it (`annex1.pdf`).
    pub annex: String,
    /// The language whose recipients get this file.
    pub language: String,
    /// The file's name (`annex1.fr.pdf` for a language's own version).
    pub file: String,
    /// Its content type.
    pub content_type: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The circular's annex files after an upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnexFiles {
    /// `TSB-36`.
    pub id: String,
    /// Where it is in its life (`draft` after an upload).
    pub state: String,
    /// Bumped by the upload.
    pub revision: i64,
    /// Every file stored, per language.
    pub files: Vec<AnnexFile>,
}

/// Stores one annex file of an unissued circular that lists the annex; it returns to draft.
#[utoipa::path(post, path = "/api/v1/circulars/{id}/annexes", tag = "circulars",
    params(("id" = String, Path, description = "The circular's id, e.g. TSB-36")),
    request_body(content = AnnexUploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = AnnexFiles), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<ApiState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<AnnexFiles>, ApiError> {
    let id = circular_id(&id)?;
    state.policy.allow(&actor, Role::Drafter)?;
    state.ctx.store.existing_circular(&id).await?;
    let limit = state.ctx.config.gateway.max_request_bytes;
    let form = read_form(&headers, body, limit).await.map_err(refused)?;
    let language = match form.text(LANGUAGE_FIELD).trim() {
        "" => None,
        code => Some(code.parse::<Language>().map_err(|e| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
                .at(LANGUAGE_FIELD)
        })?),
    };
    let file = one_file(&form.files)?;
    let max_bytes = state.ctx.config.mail.max_annex_bytes;
    let size = file.content.len() as u64;
    if size > max_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "{} is {size} bytes, over the limit of {max_bytes} bytes (mail.max_annex_bytes)",
                file.file_name
            ),
        )
        .at(FILE_FIELD));
    }
    let upload = AnnexUpload {
        file_name: language.map_or_else(
            || file.file_name.clone(),
            |l| annex_name(&file.file_name, l),
        ),
        language: language.map(|l| l.code().to_owned()),
        content: file.content.clone(),
    };
    circulars_lifecycle::upload_annex(
        &state.ctx.store,
        state.policy,
        &actor,
        &id,
        upload,
        max_bytes,
    )
    .await?;
    Ok(Json(files(&state, &id).await?))
}

/// The one file of the form, sent as `file`.
fn one_file(files: &[SentFile]) -> Result<&SentFile, ApiError> {
    match files {
        [file] if file.field == FILE_FIELD => Ok(file),
        _ => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "send exactly one file, in the form field `file`",
        )
        .at(FILE_FIELD)),
    }
}

/// The API's error for a body that is not a form it can read.
fn refused(e: FormBodyError) -> ApiError {
    match e {
        FormBodyError::NotMultipart => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be a form with the file: Content-Type: multipart/form-data",
        )
        .at("Content-Type"),
        FormBodyError::TooLarge { .. } => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
        }
        other => ApiError::new(StatusCode::BAD_REQUEST, "bad_body", other.to_string()),
    }
}

/// The circular as it stands with its annex files.
async fn files(state: &ApiState, id: &CircularId) -> Result<AnnexFiles, ApiError> {
    let stored = state.ctx.store.existing_circular(id).await?;
    let annexes = circulars_lifecycle::annexes::stored_annexes(&state.ctx.store, id).await?;
    Ok(AnnexFiles {
        id: id.to_string(),
        state: stored.life.state.to_string(),
        revision: stored.life.revision,
        files: annexes
            .into_iter()
            .map(|a| AnnexFile {
                annex: a.file_name,
                language: a.language.code().to_owned(),
                file: a.source,
                content_type: a.content_type,
                bytes: a.content.len() as u64,
            })
            .collect(),
    })
}
