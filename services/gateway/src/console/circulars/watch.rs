//! The delivery page, live: `GET /staff/circulars/{id}/delivery` draws the board as it stands
//! (so the page is right on a reload, and without script), and
//! `GET /staff/circulars/{id}/delivery/events` streams the board again as server-sent events
//! each time the hub reads it anew: `static/live.js` puts each one in place. An operator pauses,
//! resumes or cancels from the page; cancelling asks first
//! (`GET /staff/circulars/{id}/cancel`).

use super::actions::{step, Step};
use super::delivery::{board, DeliveryBoard};
use super::offers::{offers, Offer};
use super::{circular_path, failure, say, step_path, stored_circular};
use crate::console::security::set_own_policy;
use crate::console::staff::{Denied, Staff, StaffState};
use crate::console::{render, Layout};
use crate::live::{sse, Snapshot};
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fluent_bundle::FluentValue;
use std::net::SocketAddr;

/// `429` for a client holding its bound of live streams already.
pub fn too_many_streams(staff: &Staff, client: SocketAddr) -> Response {
    tracing::info!(client = %client.ip(), "live stream refused: too many open");
    let mut answer = (StatusCode::TOO_MANY_REQUESTS, staff.page.t("live-too-many")).into_response();
    answer
        .headers_mut()
        .insert("retry-after", HeaderValue::from_static("10"));
    answer
}

/// The policy of pages that watch live: the console's, with its own script and its own
/// event stream allowed.
pub const LIVE_PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The delivery page.
#[derive(Template)]
#[template(path = "circulars/delivery.html")]
pub struct DeliveryPage {
    /// The frame.
    pub layout: Layout,
    /// The circular's page.
    pub back: String,
    /// This page (to count again without script).
    pub reload: String,
    /// The live stream of the board.
    pub events: String,
    /// The board as it stands.
    pub board: DeliveryBoard,
    /// Pause, resume or cancel, as the account may.
    pub steps: Vec<Step>,
    /// The session's CSRF token.
    pub csrf: String,
}

/// The cancel confirmation.
#[derive(Template)]
#[template(path = "circulars/cancel.html")]
pub struct CancelPage {
    /// The frame.
    pub layout: Layout,
    /// What cancelling does to this circular, with its numbers.
    pub lead: String,
    /// Where the form posts.
    pub action: String,
    /// Where to go back to without cancelling.
    pub back: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// The layout of the delivery page of `id`.
fn delivery_layout(staff: &Staff, id: &str) -> Layout {
    let mut layout = staff.layout("delivery-title");
    layout.title = staff.page.t_arg("delivery-title", "id", id);
    layout
}

/// `GET /staff/circulars/{id}/delivery` (any signed-in account).
pub async fn page(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, Denied> {
    let stored = stored_circular(&state, &staff, &id).await?;
    let id = &stored.circular.id;
    let live = state
        .live
        .reading(id)
        .await
        .map_err(|e| failure(&staff, &e))?;
    let page = &staff.page;
    let words = &state.console.words;
    let layout = delivery_layout(&staff, id.as_str());
    let steps = offers(state.policy, &staff.actor, &stored.life)
        .into_iter()
        .filter(|o| matches!(o, Offer::Pause | Offer::Resume | Offer::Cancel))
        .map(|o| step(page, &stored.circular, o))
        .collect();
    let delivery = DeliveryPage {
        board: board(words, page, layout.clone(), &live),
        layout,
        back: circular_path(id),
        reload: step_path(id, "delivery"),
        events: step_path(id, "delivery/events"),
        steps,
        csrf: staff.csrf.clone(),
    };
    let mut answer = render(StatusCode::OK, &delivery);
    set_own_policy(answer.headers_mut(), LIVE_PAGE_POLICY, "DENY");
    Ok(answer)
}

/// `GET /staff/circulars/{id}/delivery/events` (any signed-in account): the board as
/// server-sent events named `board`, the first at once, then one per new reading; a browser
/// reconnecting with the id of the reading it has is sent nothing until the next; the stream
/// ends when the gateway stops (the browser reconnects to the next one). A client
/// address holding [`crate::live::streams::STREAMS_PER_CLIENT`] streams already gets `429`.
pub async fn events(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, Denied> {
    let stored = stored_circular(&state, &staff, &id).await?;
    let id = stored.circular.id;
    let Some(permit) = state.streams.take(client.ip()) else {
        return Ok(too_many_streams(&staff, client));
    };
    let receiver = state.live.watch(&id);
    let words = state.console.words.clone();
    let layout = delivery_layout(&staff, id.as_str());
    Ok(sse::stream(
        receiver,
        permit,
        sse::last_seen(&headers),
        state.live.closing(),
        "board",
        move |snapshot: &Snapshot| {
            let board = board(&words, &staff.page, layout.clone(), &snapshot.live);
            board.render().unwrap_or_else(|e| {
                tracing::error!(%e, "the live board cannot render");
                String::new()
            })
        },
    ))
}

/// `GET /staff/circulars/{id}/cancel` (operator): what cancelling would do, and the button.
pub async fn confirm_cancel(
    State(state): State<StaffState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, Denied> {
    let stored = stored_circular(&state, &staff, &id).await?;
    let id = &stored.circular.id;
    if !offers(state.policy, &staff.actor, &stored.life).contains(&Offer::Cancel) {
        return Ok(crate::console::sign_in::see_other(&circular_path(id)));
    }
    let status = state
        .ctx
        .store
        .circular_status(id)
        .await
        .map_err(|e| failure(&staff, &e))?;
    let waiting = status
        .audience
        .map(|n| n.saturating_sub(status.total.finished()));
    let lead = match waiting {
        Some(waiting) => say(
            &state.console.words,
            &staff.page,
            "cancel-lead",
            &[
                ("id", FluentValue::from(id.to_string())),
                ("waiting", FluentValue::from(waiting)),
            ],
        ),
        None => staff.page.t_arg("cancel-lead-unfrozen", "id", id.as_str()),
    };
    let mut layout = staff.layout("cancel-title");
    layout.title = staff.page.t_arg("cancel-title", "id", id.as_str());
    Ok(render(
        StatusCode::OK,
        &CancelPage {
            layout,
            lead,
            action: step_path(id, "cancel"),
            back: step_path(id, "delivery"),
            csrf: staff.csrf.clone(),
        },
    ))
}
