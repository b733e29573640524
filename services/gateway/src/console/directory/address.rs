//! `GET /staff/directory/address?address=&circular=`: one address. For admins, everything held
//! about it (`circulars_contacts::personal::report`, as `circulars directory report` gives it,
//! recorded in the audit trail as a report made from a page) with its audit trail; for admins
//! and operators, why it is or is not on a circular's list (`circulars_contacts::explain`, in
//! the words of `circulars explain`).

use super::search::{forget_href, Search, SearchPage};
use super::{failed, page_actor, require_reader, when};
use crate::console::form::{ErrorSummary, Field};
use crate::console::page::{render, Layout};
use crate::console::posted::Posted;
use crate::console::staff::{Denied, Staff, StaffState};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use circulars_contacts::personal::{self, AddressReport, CircularReport};
use circulars_core::domain::{CircularId, RecipientAddress, Role};
use circulars_store::StoreError;

/// The address page's template.
#[derive(Template)]
#[template(path = "directory/address.html")]
pub struct AddressPage {
    /// The frame around the page.
    pub layout: Layout,
    /// The address, normalised.
    pub address: String,
    /// What is held about it (admins only).
    pub report: Option<ReportView>,
    /// The circular to explain the address for.
    pub circular: Field,
    /// Why the address is or is not on that circular's list, when one was asked for.
    pub explanation: Option<String>,
    /// The confirmation page of forgetting it (admins only).
    pub forget_href: Option<String>,
    /// The same report as JSON, from the API (admins only).
    pub json_href: Option<String>,
}

/// The personal report as the page's tables show it.
pub struct ReportView {
    /// One row per contact.
    pub contacts: Vec<[String; 8]>,
    /// One row per topic choice: topic, choice, set by, since.
    pub subscriptions: Vec<[String; 4]>,
    /// Why it receives nothing, when it is suppressed.
    pub suppression: Option<String>,
    /// One row per circular that named it: circular, on the list or why not, delivery.
    pub circulars: Vec<[String; 3]>,
    /// One row per audit entry: when, who, what, detail.
    pub audit: Vec<[String; 4]>,
}

impl ReportView {
    /// The report in the page's words.
    fn of(staff: &Staff, report: &AddressReport) -> ReportView {
        let page = &staff.page;
        ReportView {
            contacts: report
                .contacts
                .iter()
                .map(|c| {
                    [
                        c.address.clone(),
                        c.name.clone(),
                        c.role.clone(),
                        format!("{} ({})", c.addressee_name, c.addressee),
                        c.categories.join(", "),
                        c.language.clone().unwrap_or_default(),
                        c.status.clone(),
                        c.source.clone(),
                    ]
                })
                .collect(),
            subscriptions: report
                .subscriptions
                .iter()
                .map(|s| {
                    [
                        s.topic.clone(),
                        page.t(if s.subscribed {
                            "address-subscribed"
                        } else {
                            "address-opted-out"
                        }),
                        format!("{} ({})", s.set_by, s.source),
                        when(&s.since),
                    ]
                })
                .collect(),
            suppression: report.suppression.as_ref().map(|s| {
                let detail = format!("{} – {}: {}", when(&s.since), s.reason, s.detail);
                page.t_arg("address-suppressed", "detail", &detail)
            }),
            circulars: report
                .circulars
                .iter()
                .map(|c| circular_row(staff, c))
                .collect(),
            audit: report
                .audit
                .iter()
                .map(|e| {
                    [
                        when(&e.at),
                        e.actor.clone(),
                        e.action.clone(),
                        e.detail.to_string(),
                    ]
                })
                .collect(),
        }
    }
}

/// A circular that named the address: whether it was on the list (and why), and its delivery.
fn circular_row(staff: &Staff, c: &CircularReport) -> [String; 3] {
    let page = &staff.page;
    let listed = match (&c.recipient, &c.excluded) {
        (Some(r), _) => page.t_arg("address-listed", "reasons", &r.reasons.join("; ")),
        (None, Some(x)) => page.t_arg(
            "address-excluded",
            "reason",
            &format!("{}: {}", x.reason, x.detail),
        ),
        (None, None) => String::new(),
    };
    let delivery = c
        .delivery
        .as_ref()
        .map(|d| match &d.reply {
            Some(reply) => format!("{} – {reply}", d.state),
            None => d.state.to_string(),
        })
        .unwrap_or_default();
    [c.circular.to_string(), listed, delivery]
}

/// `GET /staff/directory/address?address=…[&circular=…]`: the address's page; an address
/// that is not one gets the search page with the reason beside the search box (400).
pub async fn page(
    State(state): State<StaffState>,
    staff: Staff,
    RawQuery(query): RawQuery,
) -> Result<Response, Denied> {
    require_reader(&staff)?;
    let query = Posted::parse(query.unwrap_or_default().as_bytes());
    let written = query.get("address").unwrap_or_default().trim().to_owned();
    let address = match RecipientAddress::parse(&written) {
        Ok(address) => address,
        Err(e) => {
            let search = Search {
                text: written,
                offset: 0,
            };
            let page = SearchPage::build(&state, &staff, &search, Some(e.to_string())).await?;
            return Ok(render(StatusCode::BAD_REQUEST, &page));
        }
    };
    let store = &state.ctx.store;
    let admin = staff.actor.has(Role::Admin);
    let report = if admin {
        let report = personal::report(store, &address, &page_actor(&staff))
            .await
            .map_err(|e| failed(&staff.page, "the personal report", &e))?;
        Some(ReportView::of(&staff, &report))
    } else {
        None
    };

    let asked = query.get("circular").unwrap_or_default().trim().to_owned();
    let (explanation, error) = if asked.is_empty() {
        (None, None)
    } else {
        match asked.parse::<CircularId>() {
            Err(e) => (None, Some(e.to_string())),
            Ok(circular) => {
                match circulars_contacts::explain::explain(store, &circular, &address).await {
                    Ok(explained) => (Some(explained.to_string()), None),
                    Err(e @ StoreError::UnknownCircular(_)) => (None, Some(e.to_string())),
                    Err(e) => return Err(failed(&staff.page, "explaining an address", &e)),
                }
            }
        }
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let circular = Field::text("circular", staff.page.t("address-explain-circular"))
        .with_hint(staff.page.t("address-explain-hint"))
        .with_value(asked)
        .with_error(error);
    let mut layout = staff
        .layout("directory-title")
        .with_errors(ErrorSummary::of_fields([&circular]));
    layout.title = staff
        .page
        .t_arg("address-title", "address", address.as_str());
    let page = AddressPage {
        layout,
        address: address.as_str().to_owned(),
        report,
        circular,
        explanation,
        forget_href: admin.then(|| forget_href(&address)),
        json_href: admin.then(|| {
            let path: String =
                percent_encoding::utf8_percent_encode(address.as_str(), PATH_SEGMENT).collect();
            format!("/api/v1/directory/addresses/{path}")
        }),
    };
    Ok(render(status, &page))
}

/// What a path segment must escape: everything but letters, digits and `-._~@+`.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@')
    .remove(b'+');
