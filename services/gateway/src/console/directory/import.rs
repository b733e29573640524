//! `GET /staff/directory/import`: the upload form, "dry run" ticked; `POST`: the file checked
//! and stored (or not, in a dry run) by `circulars_contacts::import::import_bytes`, the
//! function `circulars directory import FILE` runs, and the page shows what changed (or would)
//! or every problem with its line and column, as the CLI prints them.
//!
//! A real import after a dry run needs the file again: nothing uploaded is kept on the server
//! (a directory file is personal data, and what is stored is what the person sends last).

use super::{failed, IMPORT_PATH};
use crate::console::checkboxes::Checkboxes;
use crate::console::form::ErrorSummary;
use crate::console::page::{render, Layout};
use crate::console::staff::{Denied, Staff, StaffState};
use crate::multipart::{read_form, FormBodyError, SentFile};
use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use circulars_contacts::import::{import_bytes, ImportError, COLUMNS};
use circulars_core::domain::Role;
use circulars_core::input::FileProblems;
use circulars_store::ImportReport;

/// The upload's file field.
pub const FILE_FIELD: &str = "file";
/// The dry-run checkbox.
pub const DRY_RUN_FIELD: &str = "dry_run";

/// The import page's template: the form, and the outcome of the last upload.
#[derive(Template)]
#[template(path = "directory/import.html")]
pub struct ImportPage {
    /// The frame around the page.
    pub layout: Layout,
    /// Where the form posts.
    pub action: &'static str,
    /// The session's CSRF token.
    pub csrf: String,
    /// The columns a file has, for the hint.
    pub columns: String,
    /// What is wrong with the upload as a whole (beside the file field).
    pub file_error: Option<String>,
    /// The dry-run box.
    pub dry_run: Checkboxes,
    /// The problems of a refused file.
    pub problems: Option<ProblemsView>,
    /// What an accepted file changed, or would.
    pub report: Option<ReportView>,
}

/// A refused file's problems, one row each: line, column, column name, what is wrong.
pub struct ProblemsView {
    /// The table's caption.
    pub caption: String,
    /// The rows.
    pub rows: Vec<[String; 4]>,
}

impl ProblemsView {
    /// The problems of `refused` in the page's words around the CLI's.
    fn of(staff: &Staff, refused: &FileProblems) -> ProblemsView {
        let place = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
        ProblemsView {
            caption: staff
                .page
                .t_arg("import-problems-caption", "file", &refused.file),
            rows: refused
                .problems
                .iter()
                .map(|p| {
                    [
                        place(p.line),
                        place(p.column),
                        p.field.clone(),
                        p.message.clone(),
                    ]
                })
                .collect(),
        }
    }
}

/// What an import changed (or would): one row per kind of change, and the recipients' own
/// choices the file could not override.
pub struct ReportView {
    /// The table's caption.
    pub caption: String,
    /// `(what, how many)`.
    pub rows: Vec<(String, u64)>,
    /// The recipients' choices kept, in the CLI's words.
    pub kept: Vec<String>,
    /// Whether nothing was stored.
    pub dry_run: bool,
}

impl ReportView {
    /// `report` of the file `file`, in the page's words.
    fn of(staff: &Staff, file: &str, report: &ImportReport, dry_run: bool) -> ReportView {
        let t = |id: &str| staff.page.t(id);
        let caption_id = if dry_run {
            "import-report-dry-run"
        } else {
            "import-report-done"
        };
        ReportView {
            caption: staff.page.t_arg(caption_id, "file", file),
            rows: vec![
                (t("import-addressees-created"), report.addressees_created),
                (t("import-addressees-updated"), report.addressees_updated),
                (t("import-contacts-created"), report.contacts_created),
                (t("import-contacts-updated"), report.contacts_updated),
                (
                    t("import-subscriptions-changed"),
                    report.subscriptions_changed,
                ),
                (t("import-suppressions-added"), report.suppressions_added),
                (t("import-unchanged"), report.unchanged),
            ],
            kept: report.kept.clone(),
            dry_run,
        }
    }
}

impl ImportPage {
    /// The empty form of `staff`'s session, "dry run" ticked as `dry_run` says.
    fn new(staff: &Staff, dry_run: bool) -> ImportPage {
        let group = Checkboxes::new(
            DRY_RUN_FIELD,
            staff.page.t("import-dry-run-legend"),
            vec![("on".to_owned(), staff.page.t("import-dry-run"))],
        )
        .with_checked(dry_run.then_some("on"));
        ImportPage {
            layout: staff.layout("import-title"),
            action: IMPORT_PATH,
            csrf: staff.csrf.clone(),
            columns: COLUMNS.join(","),
            file_error: None,
            dry_run: group,
            problems: None,
            report: None,
        }
    }

    /// The same with `error` beside the file field and in the summary.
    fn with_file_error(mut self, error: String) -> ImportPage {
        let mut summary = ErrorSummary::default();
        summary.push(FILE_FIELD, error.clone());
        self.layout = self.layout.with_errors(summary);
        self.file_error = Some(error);
        self
    }
}

/// `GET /staff/directory/import`: the form, "dry run" ticked.
pub async fn form(staff: Staff) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    Ok(render(StatusCode::OK, &ImportPage::new(&staff, true)))
}

/// `POST /staff/directory/import`: the uploaded file checked and, unless "dry run" is
/// ticked, stored whole; the page again with the report, or with every problem (422).
pub async fn submit(
    State(state): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    let limit = state.ctx.config.gateway.max_request_bytes;
    let form = match read_form(&headers, body, limit).await {
        Ok(form) => form,
        Err(e) => {
            let (status, error) = match e {
                FormBodyError::TooLarge { limit } => (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    staff
                        .page
                        .t_arg("import-too-large", "limit", &limit.to_string()),
                ),
                other => (StatusCode::BAD_REQUEST, other.to_string()),
            };
            let page = ImportPage::new(&staff, true).with_file_error(error);
            return Ok(render(status, &page));
        }
    };
    staff.check_csrf(Some(form.text("csrf")))?;
    let dry_run = form.fields.iter().any(|(name, _)| name == DRY_RUN_FIELD);
    let page = ImportPage::new(&staff, dry_run);
    let Some(SentFile {
        file_name: file,
        content: bytes,
        ..
    }) = form.files.into_iter().find(|f| f.field == FILE_FIELD)
    else {
        let page = page.with_file_error(staff.page.t("import-no-file"));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let file = if file.is_empty() {
        "upload.csv".to_owned()
    } else {
        file
    };
    let actor = format!("import {file} (by {}, page)", staff.actor.name());
    match import_bytes(&state.ctx.store, &file, &bytes, &actor, dry_run).await {
        Ok(report) => {
            tracing::info!(staff = %staff.actor.name(), %file, dry_run, changed = report.changed(), "directory imported from a page");
            let mut page = page;
            page.report = Some(ReportView::of(&staff, &file, &report, dry_run));
            Ok(render(StatusCode::OK, &page))
        }
        Err(ImportError::Invalid(refused)) => {
            let mut page = page.with_file_error(staff.page.t_arg(
                "import-refused",
                "count",
                &refused.problems.len().to_string(),
            ));
            page.problems = Some(ProblemsView::of(&staff, &refused));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(failed(&staff.page, "importing a directory file", &e)),
    }
}
