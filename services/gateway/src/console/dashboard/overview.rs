//! The operations overview and its live board.

use super::relays::LimitsForm;
use super::EVENTS_PATH;
use crate::console::circulars::watch::{too_many_streams, LIVE_PAGE_POLICY};
use crate::console::circulars::{names, say, step_path, Moment};
use crate::console::security::set_own_policy;
use crate::console::staff::{render_failure, Denied, Staff, StaffState};
use crate::console::{render, Layout, PageContext, Words};
use crate::live::{sse, SiteLive, SiteSnapshot};
use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use circulars_core::domain::{CircularId, CircularState};
use fluent_bundle::FluentValue;
use std::net::SocketAddr;

/// A circular in delivery, as the overview lists it.
#[derive(Clone, Debug)]
pub struct SendingRow {
    /// Its id.
    pub id: String,
    /// Its delivery page.
    pub href: String,
    /// Its subject.
    pub subject: String,
    /// Issued, paused, cancelled, in words.
    pub state: String,
    /// Recipients with a final state.
    pub finished: u64,
    /// The audience (0 while it is frozen).
    pub audience: u64,
    /// How far along, in words.
    pub progress: String,
}

/// A relay, as the overview lists it.
#[derive(Clone, Debug)]
pub struct RelayShown {
    /// Its name.
    pub name: String,
    /// Its rate limit in words.
    pub rate: String,
    /// Connections at most.
    pub connections: u32,
    /// Accepted in the last minute.
    pub sent: u64,
    /// Failed in the last minute.
    pub failed: u64,
    /// Dispatchers reporting on it now.
    pub dispatchers: u32,
}

/// Returned mail that matched no delivery, as listed.
#[derive(Clone, Debug)]
pub struct UnmatchedShown {
    /// When it came in.
    pub at: Moment,
    /// Whom it was addressed to.
    pub to: String,
    /// What the parser made of it.
    pub kind: String,
    /// Why it matched nothing.
    pub why: String,
}

/// The refusals of one reason.
#[derive(Clone, Debug)]
pub struct RefusalShown {
    /// The reason in words.
    pub reason: String,
    /// In this clock hour.
    pub hour: u64,
    /// In the last 24 clock hours.
    pub day: u64,
}

/// The moving part of the overview, drawn by `templates/dashboard/board.html`.
#[derive(Template)]
#[template(path = "dashboard/board.html")]
pub struct OverviewBoard {
    /// The page's words.
    pub layout: Layout,
    /// The circulars in delivery and finished lately.
    pub sending: Vec<SendingRow>,
    /// The relays.
    pub relays: Vec<RelayShown>,
    /// How many returned mails matched no delivery, in words.
    pub unmatched_count: String,
    /// The newest of them.
    pub unmatched: Vec<UnmatchedShown>,
    /// The intake's refusals per reason.
    pub refusals: Vec<RefusalShown>,
}

/// The overview page.
#[derive(Template)]
#[template(path = "dashboard/page.html")]
pub struct OverviewPage {
    /// The frame.
    pub layout: Layout,
    /// The live stream.
    pub events: String,
    /// The board as it stands.
    pub board: OverviewBoard,
    /// The relay limits form.
    pub limits: LimitsForm,
    /// The session's CSRF token.
    pub csrf: String,
}

/// The board of `live` in the language of `page`.
pub fn board(words: &Words, page: &PageContext, layout: Layout, live: &SiteLive) -> OverviewBoard {
    let sending = live
        .sending
        .iter()
        .map(|c| {
            let id = c.circular.parse::<CircularId>().ok();
            let state = c
                .state
                .parse::<CircularState>()
                .map(|s| names::circular_state(page, s))
                .unwrap_or_else(|_| c.state.clone());
            SendingRow {
                href: id.map(|id| step_path(&id, "delivery")).unwrap_or_default(),
                id: c.circular.clone(),
                subject: c.subject.clone(),
                state,
                finished: c.finished,
                audience: c.audience.unwrap_or(0),
                progress: match c.audience {
                    Some(total) => say(
                        words,
                        page,
                        "overview-progress",
                        &[
                            ("finished", FluentValue::from(c.finished)),
                            ("total", FluentValue::from(total)),
                        ],
                    ),
                    None => page.t("delivery-freezing"),
                },
            }
        })
        .collect();
    let site = &live.site;
    OverviewBoard {
        sending,
        relays: site
            .relays
            .iter()
            .map(|r| RelayShown {
                name: r.relay.clone(),
                rate: match r.rate_per_second {
                    0 => page.t("overview-rate-none"),
                    n => say(
                        words,
                        page,
                        "overview-rate",
                        &[("rate", FluentValue::from(n))],
                    ),
                },
                connections: r.connections,
                sent: r.sent_last_minute,
                failed: r.failed_last_minute,
                dispatchers: r.dispatchers,
            })
            .collect(),
        unmatched_count: say(
            words,
            page,
            "overview-unmatched-count",
            &[("count", FluentValue::from(site.unmatched.count))],
        ),
        unmatched: site
            .unmatched
            .newest
            .iter()
            .map(|u| UnmatchedShown {
                at: Moment::of(u.received_at),
                to: u.envelope_to.clone(),
                kind: u.kind.clone(),
                why: u.detail.clone().unwrap_or_default(),
            })
            .collect(),
        refusals: site
            .refusals
            .iter()
            .map(|r| RefusalShown {
                reason: page.t(&format!("refusal-{}", r.reason)),
                hour: r.last_hour,
                day: r.last_day,
            })
            .collect(),
        layout,
    }
}

/// `GET /staff/dashboard` (operator).
pub async fn page(State(state): State<StaffState>, staff: Staff) -> Result<Response, Denied> {
    show(
        &state,
        &staff,
        LimitsForm::empty(&staff.page, state.site.relays()),
        StatusCode::OK,
    )
    .await
}

/// The overview with the limits form as given (empty, or sent back with its errors).
pub async fn show(
    state: &StaffState,
    staff: &Staff,
    limits: LimitsForm,
    status: StatusCode,
) -> Result<Response, Denied> {
    let live = state.site.reading().await.map_err(|e| {
        tracing::error!(error = %e, "the operations overview cannot be read");
        Denied::from(render_failure(&staff.page))
    })?;
    let layout = staff.layout("overview-title").with_errors(limits.errors());
    let page = OverviewPage {
        board: board(&state.console.words, &staff.page, layout.clone(), &live),
        layout,
        events: EVENTS_PATH.to_owned(),
        limits,
        csrf: staff.csrf.clone(),
    };
    let mut answer = render(status, &page);
    set_own_policy(answer.headers_mut(), LIVE_PAGE_POLICY, "DENY");
    Ok(answer)
}

/// `GET /staff/dashboard/events` (operator): the overview's board as server-sent events named
/// `board`, as the delivery page's are.
pub async fn events(
    State(state): State<StaffState>,
    staff: Staff,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, Denied> {
    let Some(permit) = state.streams.take(client.ip()) else {
        return Ok(too_many_streams(&staff, client));
    };
    let words = state.console.words.clone();
    let layout = staff.layout("overview-title");
    Ok(sse::stream(
        state.site.watch(),
        permit,
        sse::last_seen(&headers),
        state.live.closing(),
        "board",
        move |snapshot: &SiteSnapshot| {
            board(&words, &staff.page, layout.clone(), &snapshot.live)
                .render()
                .unwrap_or_else(|e| {
                    tracing::error!(%e, "the live overview cannot render");
                    String::new()
                })
        },
    ))
}
