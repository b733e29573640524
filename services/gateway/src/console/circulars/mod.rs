//! The circulars' pages: the list, a circular's page with the steps its state and the
//! account's roles allow and its history, the confirmation before issuing (the audience as it
//! would freeze now), and the delivery page. Every step is the lifecycle's own function; a
//! refusal shows the circular's page again with the lifecycle's words.
//!
//! # Layout
//! - [`list`]: `GET /staff/circulars`, filtered by state and words, a page at a time
//! - [`filter`]: what the list is asked for (`?state=&q=&page=`), its form's fields
//! - [`view`]: `GET /staff/circulars/{id}`: metadata, where it stands, links, the offered
//!   steps' forms, the history; [`view::CircularPage`] is also the page a refusal shows
//! - [`actions`]: the offered steps as the page draws them (forms, or the link to issue)
//! - [`offers`]: which steps a page offers an account, from the circular's state (pure)
//! - [`history`]: the audit trail's entries as table rows, their details in words (pure)
//! - [`steps`]: the `POST`s of submit, approve, send back, pause, resume and cancel
//! - [`issue`]: `GET` and `POST /staff/circulars/{id}/issue`: the audience, then the issue
//! - [`delivery`]: what the delivery page shows (the board): counts and returned mail
//! - [`pace`]: the rate, time left, retry queue, complaints, the last hour's chart and the
//!   failures, from the operations board (pure)
//! - [`watch`]: `GET /staff/circulars/{id}/delivery`, the board live as server-sent events at
//!   `…/delivery/events`, pause, resume and (after `GET …/cancel` asks) cancel from it
//! - [`tables`]: the count tables the issue and delivery pages draw (pure)
//! - [`names`]: states, languages, steps and reasons in the page's language
//!
//! Templates: `templates/circulars/{list,circular,issue,delivery,board,cancel}.html`, with the count
//! table's macro in `templates/circulars/tables.html`.

pub mod actions;
pub mod delivery;
pub mod filter;
pub mod history;
pub mod issue;
pub mod list;
pub mod names;
pub mod offers;
pub mod pace;
pub mod steps;
pub mod tables;
pub mod view;
pub mod watch;

use super::staff::{render_failure, Denied, PageRoute, Staff, StaffState, CIRCULARS_PATH};
use super::{csrf::RefusedPage, render, PageContext, Words};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use circulars_core::domain::{CircularId, Role};
use circulars_store::{StoreError, StoredCircular};
use fluent_bundle::FluentValue;
use std::collections::HashMap;
use std::fmt::Display;

/// Every route of the circulars' pages, with the role each handler requires.
pub fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get(CIRCULARS_PATH, None, list::page),
        PageRoute::get("/staff/circulars/{id}", None, view::page),
        PageRoute::post(
            "/staff/circulars/{id}/submit",
            Some(Role::Drafter),
            steps::submit,
        ),
        PageRoute::post(
            "/staff/circulars/{id}/approve",
            Some(Role::Approver),
            steps::approve,
        ),
        PageRoute::post(
            "/staff/circulars/{id}/send-back",
            Some(Role::Approver),
            steps::send_back,
        ),
        PageRoute::get(
            "/staff/circulars/{id}/issue",
            Some(Role::Operator),
            issue::confirm,
        ),
        PageRoute::post(
            "/staff/circulars/{id}/issue",
            Some(Role::Operator),
            issue::issue,
        ),
        PageRoute::post(
            "/staff/circulars/{id}/pause",
            Some(Role::Operator),
            steps::pause,
        ),
        PageRoute::post(
            "/staff/circulars/{id}/resume",
            Some(Role::Operator),
            steps::resume,
        ),
        PageRoute::post(
            "/staff/circulars/{id}/cancel",
            Some(Role::Operator),
            steps::cancel,
        ),
        PageRoute::get(
            "/staff/circulars/{id}/cancel",
            Some(Role::Operator),
            watch::confirm_cancel,
        ),
        PageRoute::get("/staff/circulars/{id}/delivery", None, watch::page),
        PageRoute::get("/staff/circulars/{id}/delivery/events", None, watch::events),
    ]
}

/// Where the page of circular `id` is.
pub fn circular_path(id: &CircularId) -> String {
    format!("{CIRCULARS_PATH}/{id}")
}

/// Where step `step` (`approve`, `issue`, …) of circular `id` posts to.
pub fn step_path(id: &CircularId, step: &str) -> String {
    format!("{CIRCULARS_PATH}/{id}/{step}")
}

/// A form as sent (`application/x-www-form-urlencoded`), read from the body after the session
/// and before anything else, whatever its content type says: a field sent twice keeps its
/// last value.
#[derive(Debug, Default)]
pub struct FormFields(HashMap<String, String>);

impl FormFields {
    /// The fields of `body`.
    pub fn parse(body: &[u8]) -> FormFields {
        FormFields(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The value of field `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// A moment as a page shows it: `2025-03-12 09:30 UTC`, with its RFC 3339 form for `<time>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moment {
    /// For the `datetime` attribute.
    pub machine: String,
    /// For people.
    pub shown: String,
}

impl Moment {
    /// The moment `at`.
    pub fn of(at: DateTime<Utc>) -> Moment {
        Moment {
            machine: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            shown: at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

/// Message `id` in the page's language with `args`: numbers among them choose the plural form
/// ("1 recipient", "258 recipients"), which [`PageContext::t_arg`]'s text cannot.
pub fn say(
    words: &Words,
    page: &PageContext,
    id: &str,
    args: &[(&str, FluentValue<'static>)],
) -> String {
    words.text_with(page.language(), id, args)
}

/// The circular a path names, or the page to answer instead: 404 when the id is malformed or
/// names no circular, 500 (logged) when the store fails.
pub async fn stored_circular(
    state: &StaffState,
    staff: &Staff,
    id: &str,
) -> Result<StoredCircular, Denied> {
    let Ok(parsed) = id.parse::<CircularId>() else {
        return Err(not_found(staff, id));
    };
    match state.ctx.store.existing_circular(&parsed).await {
        Ok(stored) => Ok(stored),
        Err(StoreError::UnknownCircular(_)) => Err(not_found(staff, id)),
        Err(e) => Err(failure(staff, &e)),
    }
}

/// The 404 page: no circular `id`.
pub fn not_found(staff: &Staff, id: &str) -> Denied {
    let reason = staff.page.t_arg("circular-not-found", "id", id);
    Denied::from(render(
        StatusCode::NOT_FOUND,
        &RefusedPage::new(staff.layout("circular-not-found-title"), reason),
    ))
}

/// The 500 page for an error of the store or the bus, logged.
pub fn failure(staff: &Staff, error: &dyn Display) -> Denied {
    tracing::error!(%error, "a circulars page failed");
    Denied::from(render_failure(&staff.page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_read_whatever_its_order_and_escapes() {
        let form = FormFields::parse(b"csrf=a%2Bb&comment=Fix+the+date%2C+please&revision=3");
        assert_eq!(form.get("csrf"), Some("a+b"));
        assert_eq!(form.get("comment"), Some("Fix the date, please"));
        assert_eq!(form.get("revision"), Some("3"));
        assert_eq!(form.get("missing"), None);
        assert_eq!(FormFields::parse(b"").get("csrf"), None);
    }

    #[test]
    fn a_moment_reads_the_same_for_people_and_machines() {
        let at = DateTime::parse_from_rfc3339("2025-03-12T09:30:15Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            Moment::of(at),
            Moment {
                machine: "2025-03-12T09:30:15Z".into(),
                shown: "2025-03-12 09:30 UTC".into()
            }
        );
    }

    #[test]
    fn every_route_is_a_circulars_page_and_each_step_needs_its_role() {
        let routes = routes();
        assert!(routes.iter().all(|r| r.path.starts_with(CIRCULARS_PATH)));
        let role = |method: &str, path: &str| {
            routes
                .iter()
                .find(|r| r.method.as_str() == method && r.path == path)
                .map(|r| r.role)
                .unwrap_or_else(|| panic!("no {method} {path}"))
        };
        assert_eq!(role("GET", "/staff/circulars"), None);
        assert_eq!(role("GET", "/staff/circulars/{id}"), None);
        assert_eq!(role("GET", "/staff/circulars/{id}/delivery"), None);
        assert_eq!(
            role("POST", "/staff/circulars/{id}/submit"),
            Some(Role::Drafter)
        );
        for step in ["approve", "send-back"] {
            assert_eq!(
                role("POST", &format!("/staff/circulars/{{id}}/{step}")),
                Some(Role::Approver)
            );
        }
        assert_eq!(
            role("GET", "/staff/circulars/{id}/issue"),
            Some(Role::Operator)
        );
        for step in ["issue", "pause", "resume", "cancel"] {
            assert_eq!(
                role("POST", &format!("/staff/circulars/{{id}}/{step}")),
                Some(Role::Operator)
            );
        }
    }
}
