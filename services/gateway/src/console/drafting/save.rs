//! `GET/POST /staff/circulars/new` and `GET/POST /staff/circulars/{id}/edit`: the draft form,
//! and its save through the lifecycle (the same function as the API's, checked as a circular
//! file is); on success `303` to the circular's page, else the form again as typed with every
//! problem beside its field.

use super::draft_form::DraftForm;
use super::page::{Choices, DraftPage, Problems};
use super::{circular_path, edit_path, not_found};
use crate::console::csrf::{RefusedPage, CSRF_FIELD};
use crate::console::form::Choice;
use crate::console::sign_in::see_other;
use crate::console::staff::{render_failure, NEW_CIRCULAR_PATH};
use crate::console::{render, Denied, Staff, StaffState};
use crate::multipart::{read_form, FormBodyError};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use circulars_core::domain::{CircularId, Role};
use circulars_lifecycle::{AnnexFiles, LifecycleError, Uploaded};
use tracing::error;

/// `GET /staff/circulars/new`: the empty form.
pub async fn new_form(State(state): State<StaffState>, staff: Staff) -> Result<Response, Denied> {
    staff.require(Role::Drafter)?;
    let form = DraftForm::new_circular(chrono::Utc::now().date_naive());
    let choices = choices(&state, None, &staff).await?;
    let page = DraftPage::new(
        &staff,
        staff.layout("draft-new-title"),
        NEW_CIRCULAR_PATH.to_owned(),
        &form,
        &choices,
        &Problems::default(),
    );
    Ok(render(StatusCode::OK, &page))
}

/// `GET /staff/circulars/{id}/edit`: the form of the stored circular.
pub async fn edit_form(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, Denied> {
    staff.require(Role::Drafter)?;
    let id = existing(&state, &staff, &id).await?;
    let stored = state
        .ctx
        .store
        .existing_circular(&id)
        .await
        .map_err(|e| failed(&staff, &e))?;
    let form = DraftForm::of_circular(&stored.circular);
    let choices = choices(&state, Some(&id), &staff).await?;
    let page = DraftPage::new(
        &staff,
        edit_layout(&staff, &id),
        edit_path(&id),
        &form,
        &choices,
        &Problems::default(),
    );
    Ok(render(StatusCode::OK, &page))
}

/// `POST /staff/circulars/new`.
pub async fn save_new(
    State(state): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Denied> {
    save(&state, &staff, None, &headers, body).await
}

/// `POST /staff/circulars/{id}/edit`: a submitted or approved circular returns to draft.
pub async fn save_edit(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Denied> {
    staff.require(Role::Drafter)?;
    let id = existing(&state, &staff, &id).await?;
    save(&state, &staff, Some(&id), &headers, body).await
}

/// Reads the form, checks the role and the CSRF token, and saves it through the lifecycle.
async fn save(
    state: &StaffState,
    staff: &Staff,
    id: Option<&CircularId>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Denied> {
    staff.require(Role::Drafter)?;
    let limit = state.ctx.config.gateway.max_request_bytes;
    let sent = match read_form(headers, body, limit).await {
        Ok(sent) => sent,
        Err(e) => return Err(unreadable(staff, &e).into()),
    };
    staff.check_csrf(Some(sent.text(CSRF_FIELD)))?;
    let mut form = DraftForm::of_sent(&sent);
    let uploads = form.add_uploads(&sent.files);
    let uploaded = Uploaded {
        files: &uploads,
        required: AnnexFiles::AllNow,
        max_bytes: state.ctx.config.mail.max_annex_bytes,
    };
    let taken = match id {
        None => already_drafted(state, staff, &form).await?,
        Some(_) => None,
    };
    let (status, problems) = if let Some(problems) = taken {
        (StatusCode::CONFLICT, problems)
    } else {
        let saved = circulars_lifecycle::draft_document_with_uploads(
            &state.ctx.store,
            state.policy,
            &staff.actor,
            &form.document(),
            id,
            uploaded,
        )
        .await;
        match saved {
            Ok((circular, _)) => return Ok(see_other(&circular_path(&circular.id))),
            Err(LifecycleError::Invalid(report)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Problems::of(&report.problems),
            ),
            Err(e @ (LifecycleError::NotAllowed { .. } | LifecycleError::AccountNeeded)) => {
                return Err(staff.forbidden(&e.to_string()).into())
            }
            Err(e @ LifecycleError::Store(circulars_store::StoreError::AlreadyIssued(_))) => {
                (StatusCode::CONFLICT, Problems::general(e.to_string()))
            }
            Err(e) => return Err(failed(staff, &e)),
        }
    };
    let (layout, action) = match id {
        Some(id) => (edit_layout(staff, id), edit_path(id)),
        None => (
            staff.layout("draft-new-title"),
            NEW_CIRCULAR_PATH.to_owned(),
        ),
    };
    let choices = choices(state, id, staff).await?;
    let mut page = DraftPage::new(staff, layout, action, &form, &choices, &problems);
    page.files_again = !uploads.is_empty();
    Ok(render(status, &page))
}

/// The problem of a new circular whose series and number name one already stored (the form
/// of a new circular never replaces another: that is its edit form's work), if they do.
async fn already_drafted(
    state: &StaffState,
    staff: &Staff,
    form: &DraftForm,
) -> Result<Option<Problems>, Denied> {
    let Some(id) = form
        .number
        .parse::<u32>()
        .ok()
        .and_then(|n| CircularId::new(&form.series, n).ok())
    else {
        return Ok(None);
    };
    match state.ctx.store.circular(&id).await {
        Ok(Some(_)) => {
            let message = staff.page.t_arg("draft-exists", "id", id.as_str());
            Ok(Some(Problems::at_field("number", message)))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(failed(staff, &e)),
    }
}

/// The circular named by the path, or the 404 page.
async fn existing(state: &StaffState, staff: &Staff, id: &str) -> Result<CircularId, Denied> {
    let parsed = id.parse::<CircularId>().map_err(|_| not_found(staff, id))?;
    match state.ctx.store.circular(&parsed).await {
        Ok(Some(_)) => Ok(parsed),
        Ok(None) => Err(not_found(staff, id)),
        Err(e) => Err(failed(staff, &e)),
    }
}

/// The edit page's frame, titled with the circular's id.
fn edit_layout(staff: &Staff, id: &CircularId) -> crate::console::Layout {
    let mut layout = staff.layout("draft-new-title");
    layout.title = staff.page.t_arg("draft-edit-title", "id", id.as_str());
    layout
}

/// The form's choices: the directory's categories and topics, and the annexes stored for
/// circular `id` with their files.
async fn choices(
    state: &StaffState,
    id: Option<&CircularId>,
    staff: &Staff,
) -> Result<Choices, Denied> {
    let store = &state.ctx.store;
    let categories = store
        .named_categories()
        .await
        .map_err(|e| failed(staff, &e))?;
    let topics = store.all_topics().await.map_err(|e| failed(staff, &e))?;
    let stored = match id {
        Some(id) => circulars_lifecycle::annexes::stored_annexes(store, id)
            .await
            .map_err(|e| failed(staff, &e))?,
        None => Vec::new(),
    };
    let mut files: Vec<(String, Vec<String>)> = Vec::new();
    for annex in &stored {
        match files.iter_mut().find(|(name, _)| *name == annex.file_name) {
            Some((_, sources)) if !sources.contains(&annex.source) => {
                sources.push(annex.source.clone())
            }
            Some(_) => {}
            None => files.push((annex.file_name.clone(), vec![annex.source.clone()])),
        }
    }
    let stored_annexes = files
        .into_iter()
        .map(|(name, sources)| Choice {
            label: staff
                .page
                .t_arg("draft-annex-stored", "files", &sources.join(", ")),
            value: name,
        })
        .collect();
    Ok(Choices {
        categories: categories
            .into_iter()
            .map(|c| Choice {
                label: format!("{} ({})", c.name, c.id.id()),
                value: c.id.id().to_owned(),
            })
            .collect(),
        topics: topics
            .into_iter()
            .map(|t| Choice {
                label: format!("{} ({})", t.name, t.id.as_str()),
                value: t.id.as_str().to_owned(),
            })
            .collect(),
        stored_annexes,
    })
}

/// The page for a body that cannot be read as the form: 413 naming the limit, else 400.
fn unreadable(staff: &Staff, e: &FormBodyError) -> Response {
    let (status, reason) = match e {
        FormBodyError::TooLarge { limit } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            staff
                .page
                .t_arg("draft-too-large", "limit", &limit.to_string()),
        ),
        other => (StatusCode::BAD_REQUEST, other.to_string()),
    };
    render(
        status,
        &RefusedPage::new(staff.layout("refused-title"), reason),
    )
}

/// The 500 page, the cause logged.
fn failed(staff: &Staff, e: &dyn std::fmt::Display) -> Denied {
    error!(error = %e, "the draft form failed");
    render_failure(&staff.page).into()
}
