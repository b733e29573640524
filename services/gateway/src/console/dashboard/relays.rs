//! `POST /staff/dashboard/relay-limits` (operator): a relay's rate and connections changed
//! for every dispatcher, through `circulars_operations::relays::set_relay_limits` (checked,
//! written to the `dispatch-control` bucket, recorded in the staff audit trail: the CLI's
//! `relay limit` does the same). A refusal shows the overview again with the form as sent and
//! the reason beside the field it concerns.

use super::overview::show;
use crate::console::sign_in::see_other;
use crate::console::staff::{Denied, Staff, StaffState, DASHBOARD_PATH};
use crate::console::{Choice, ErrorSummary, Field, InputKind, PageContext, Posted, CSRF_FIELD};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use circulars_core::config::RelayConfig;
use circulars_operations::relays::{set_relay_limits, RelayLimitError};
use circulars_operations::OperationsError;
use std::collections::BTreeMap;

/// The relay limits form's fields.
#[derive(Clone, Debug)]
pub struct LimitsForm {
    /// The relay, chosen among the configured ones.
    pub relay: Field,
    /// Mails per second at most (0: no limit; empty: unchanged).
    pub rate: Field,
    /// Connections at most (empty: unchanged).
    pub connections: Field,
}

impl LimitsForm {
    /// The form as first shown.
    pub fn empty(page: &PageContext, relays: &BTreeMap<String, RelayConfig>) -> LimitsForm {
        let choices = relays
            .keys()
            .map(|name| Choice {
                value: name.clone(),
                label: name.clone(),
            })
            .collect();
        LimitsForm {
            relay: Field::select("relay", page.t("limits-relay"), choices),
            rate: Field::input("rate", page.t("limits-rate"), InputKind::Number)
                .with_hint(page.t("limits-rate-hint")),
            connections: Field::input(
                "connections",
                page.t("limits-connections"),
                InputKind::Number,
            )
            .with_hint(page.t("limits-connections-hint")),
        }
    }

    /// The fields' errors, for the page's summary.
    pub fn errors(&self) -> ErrorSummary {
        ErrorSummary::of_fields([&self.relay, &self.rate, &self.connections])
    }
}

/// A number field's value: empty is `None`, a whole number is it, anything else the error.
fn number(page: &PageContext, field: &Field) -> Result<Option<u32>, String> {
    let value = field.value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<u32>()
        .map(Some)
        .map_err(|_| page.t_arg("limits-not-a-number", "value", value))
}

/// `POST /staff/dashboard/relay-limits` (operator).
pub async fn set(
    State(state): State<StaffState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, Denied> {
    let posted = Posted::parse(&body);
    staff.check_csrf(posted.get(CSRF_FIELD))?;
    let page = &staff.page;
    let relays = state.site.relays();
    let mut form = LimitsForm::empty(page, relays);
    form.relay = form
        .relay
        .with_value(posted.get("relay").unwrap_or_default());
    form.rate = form.rate.with_value(posted.get("rate").unwrap_or_default());
    form.connections = form
        .connections
        .with_value(posted.get("connections").unwrap_or_default());
    let rate = number(page, &form.rate);
    let connections = number(page, &form.connections);
    let (rate, connections) = match (rate, connections) {
        (Ok(rate), Ok(connections)) => (rate, connections),
        (rate, connections) => {
            form.rate = form.rate.with_error(rate.err());
            form.connections = form.connections.with_error(connections.err());
            return show(&state, &staff, form, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let relay = form.relay.value.clone();
    let done = set_relay_limits(
        &state.ctx.store,
        &state.ctx.bus,
        relays,
        &staff.actor,
        &relay,
        rate,
        connections,
    )
    .await;
    match done {
        Ok(_) => Ok(see_other(DASHBOARD_PATH)),
        Err(OperationsError::RelayLimit(refused)) => {
            let status = match refused {
                RelayLimitError::NotAllowed { .. } => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let said = Some(refused.to_string());
            match refused {
                RelayLimitError::UnknownRelay { .. } => form.relay = form.relay.with_error(said),
                RelayLimitError::NoConnections => {
                    form.connections = form.connections.with_error(said)
                }
                _ => form.rate = form.rate.with_error(said),
            }
            show(&state, &staff, form, status).await
        }
        Err(e) => {
            tracing::error!(error = %e, "relay limits not set");
            Err(Denied::from(crate::console::staff::render_failure(page)))
        }
    }
}
