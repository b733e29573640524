//! Drafting a circular in the console: the draft form (new and edit), its preview in the six
//! versions recipients get, and test copies of them.
//!
//! # Layout
//! - [`draft_form`]: the form's values as typed, to and from the document the lifecycle checks
//! - [`names`]: the form's field names, and which field a problem of the document names
//! - [`controls`]: checkbox groups and file inputs (`templates/drafting/controls.html`)
//! - [`page`]: the form's page (`templates/drafting/form.html`): metadata, contact,
//!   categories, copy list, annexes, and a section per language reached by in-page links
//! - [`save`]: `GET/POST /staff/circulars/new` and `/staff/circulars/{id}/edit`
//! - [`preview`]: `GET /staff/circulars/{id}/preview` (six sandboxed frames),
//!   `GET /staff/circulars/{id}/preview/{lang}` (one version as its recipient gets it, with a
//!   policy of its own) and `POST /staff/circulars/{id}/test-copies`

pub mod controls;
pub mod draft_form;
pub mod names;
pub mod page;
pub mod preview;
pub mod save;

use super::csrf::RefusedPage;
use super::staff::{PageRoute, Staff, CIRCULARS_PATH, NEW_CIRCULAR_PATH};
use super::{render, Denied};
use axum::http::StatusCode;
use circulars_core::domain::{CircularId, Role};

/// Where a circular is edited.
pub const EDIT_PATH: &str = "/staff/circulars/{id}/edit";
/// Where a circular's six versions are shown.
pub const PREVIEW_PATH: &str = "/staff/circulars/{id}/preview";
/// Where one version is served, for the preview's frames.
pub const VERSION_PATH: &str = "/staff/circulars/{id}/preview/{lang}";
/// Where test copies are sent from.
pub const TEST_COPIES_PATH: &str = "/staff/circulars/{id}/test-copies";

/// The drafting pages, each with the role it needs (reading a preview needs none: approvers
/// and operators read what they approve and issue).
pub fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get(NEW_CIRCULAR_PATH, Some(Role::Drafter), save::new_form),
        PageRoute::post(NEW_CIRCULAR_PATH, Some(Role::Drafter), save::save_new),
        PageRoute::get(EDIT_PATH, Some(Role::Drafter), save::edit_form),
        PageRoute::post(EDIT_PATH, Some(Role::Drafter), save::save_edit),
        PageRoute::get(PREVIEW_PATH, None, preview::page),
        PageRoute::get(VERSION_PATH, None, preview::version),
        PageRoute::post(TEST_COPIES_PATH, Some(Role::Drafter), preview::test_copies),
    ]
}

/// The circular's page (built by the circulars pages).
pub fn circular_path(id: &CircularId) -> String {
    format!("{CIRCULARS_PATH}/{id}")
}

/// Where circular `id` is edited.
pub fn edit_path(id: &CircularId) -> String {
    EDIT_PATH.replace("{id}", id.as_str())
}

/// The 404 page: no circular `id`.
pub fn not_found(staff: &Staff, id: &str) -> Denied {
    let reason = staff.page.t_arg("draft-unknown-circular", "id", id);
    render(
        StatusCode::NOT_FOUND,
        &RefusedPage::new(staff.layout("draft-not-found-title"), reason),
    )
    .into()
}

#[cfg(test)]
mod tests;
