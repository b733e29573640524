//! Issuing, confirmed: `GET /staff/circulars/{id}/issue` shows the audience as it would freeze
//! now (the directory's dry run: recipients per category and language, the addresses left out
//! per reason) and a button naming the number of recipients; `POST` issues through the
//! lifecycle (the bus announces it) and answers `303` to the delivery page.

use super::tables::{self, CountTable};
use super::{circular_path, failure, names, say, step_path, stored_circular, FormFields};
use crate::console::sign_in::see_other;
use crate::console::staff::{Denied, Staff, StaffState};
use crate::console::{render, Layout, Words, CSRF_FIELD};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use circulars_contacts::audience::{dry_run, AudienceCounts};
use circulars_core::domain::Role;
use circulars_lifecycle::Policy;
use circulars_store::StoredCircular;
use fluent_bundle::FluentValue;

/// The confirmation page.
#[derive(Template)]
#[template(path = "circulars/issue.html")]
pub struct IssuePage {
    /// The frame.
    pub layout: Layout,
    /// The session's CSRF token.
    pub csrf: String,
    /// Where the form posts.
    pub action: String,
    /// The circular's page.
    pub back: String,
    /// What issuing now would do, in a sentence.
    pub lead: String,
    /// Recipients per category and language.
    pub audience: CountTable,
    /// The addresses left out, per reason.
    pub excluded: Option<CountTable>,
    /// The button ("Issue to 258 recipients"), when the circular may be issued now.
    pub button: Option<String>,
    /// Why it may not be issued now, when it may not.
    pub not_ready: Option<String>,
}

impl IssuePage {
    /// The confirmation of issuing `stored` to the audience `counts`.
    pub fn new(
        staff: &Staff,
        words: &Words,
        policy: Policy,
        stored: &StoredCircular,
        counts: &AudienceCounts,
    ) -> IssuePage {
        let page = &staff.page;
        let id = &stored.circular.id;
        let count = || [("count", FluentValue::from(counts.recipients))];
        let mut layout = staff.layout("issue-title");
        layout.title = page.t_arg("issue-title", "id", id.as_str());
        let ready = policy.issuable_from().contains(&stored.life.state);
        IssuePage {
            layout,
            csrf: staff.csrf.clone(),
            action: step_path(id, "issue"),
            back: circular_path(id),
            lead: say(words, page, "issue-lead", &count()),
            audience: tables::audience(page, counts),
            excluded: tables::exclusions(page, counts),
            button: ready.then(|| say(words, page, "issue-button", &count())),
            not_ready: (!ready).then(|| {
                page.t_arg(
                    "issue-not-ready",
                    "state",
                    &names::circular_state(page, stored.life.state),
                )
            }),
        }
    }
}

/// `GET /staff/circulars/{id}/issue` (operator): the audience and the button; an issued
/// circular's leads to its delivery page.
pub async fn confirm(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, Denied> {
    staff.require(Role::Operator)?;
    let stored = stored_circular(&state, &staff, &id).await?;
    let id = &stored.circular.id;
    if stored.issued_at.is_some() {
        return Ok(see_other(&step_path(id, "delivery")));
    }
    let counts = dry_run(&state.ctx.store, id)
        .await
        .map_err(|e| failure(&staff, &e))?;
    let confirmation = IssuePage::new(&staff, &state.console.words, state.policy, &stored, &counts);
    Ok(render(StatusCode::OK, &confirmation))
}

/// `POST /staff/circulars/{id}/issue` (operator): issued (or already), then the delivery
/// page; a refusal shows the circular's page with the lifecycle's words.
pub async fn issue(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Denied> {
    let form = FormFields::parse(&body);
    staff.check_csrf(form.get(CSRF_FIELD))?;
    staff.require(Role::Operator)?;
    let id = stored_circular(&state, &staff, &id).await?.circular.id;
    let issued = circulars_lifecycle::issue(
        &state.ctx.store,
        &state.ctx.bus,
        state.policy,
        &staff.actor,
        &id,
    )
    .await;
    match issued {
        Ok(_) => Ok(see_other(&step_path(&id, "delivery"))),
        Err(error) => super::steps::refused(&state, &staff, &id, error, None).await,
    }
}
