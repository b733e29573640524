//! Taking returned mail in, whatever brought it (the intake listener, the mailbox poller,
//! `circulars bounces import`): parse it, store it whole, then publish that it was stored.
//! Only after both may the caller say "accepted" (an SMTP 250, a deleted mailbox message):
//! a crash before leaves the sender to deliver it again, a crash after loses nothing, and the
//! same message twice is one report.

use crate::reports::Matcher;
use chrono::Utc;
use circulars_bounce_reports::{parse, Report};
use circulars_core::domain::HardBounceRule;
use circulars_core::events::ReportReceived;
use circulars_core::nats::{Bus, BusError};
use circulars_store::{
    report_id, short_id, InboundReport, ReportDecision, ReportSource, ReportState, Store,
    StoreError,
};
use tracing::info;

/// Why a returned mail could not be taken in (the sender should try again later).
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The database could not store or apply it.
    #[error("cannot store the returned mail: {0}")]
    Store(#[from] StoreError),
    /// NATS did not take the event.
    #[error("cannot publish the returned mail: {0}")]
    Bus(#[from] BusError),
    /// The parser's thread could not be joined (it panicked or was cancelled).
    #[error("cannot parse the returned mail: {0}")]
    Parse(#[from] tokio::task::JoinError),
}

/// A returned mail taken in.
#[derive(Debug, Clone)]
pub struct Received {
    /// False when the same message was stored before (and is taken in again).
    pub new: bool,
    /// The stored report's id and where it came from.
    pub event: ReportReceived,
    /// What the parser found.
    pub parsed: Report,
}

/// Parses `raw`, stores it (unless stored already) and publishes `report.received`.
pub async fn receive(
    store: &Store,
    bus: &Bus,
    raw: Vec<u8>,
    source: ReportSource,
    envelope_to: Vec<String>,
) -> Result<Received, IntakeError> {
    let received = parse_and_store(store, raw, source, envelope_to).await?;
    bus.publish(&received.event).await?;
    Ok(received)
}

/// Parses `raw`, stores it (unless stored already) and applies it at once, without NATS:
/// `circulars bounces import`. What became of it is in the returned decision (`None` when it
/// was applied before).
pub async fn import(
    matcher: &Matcher,
    raw: Vec<u8>,
    rule: HardBounceRule,
) -> Result<(Received, Option<ReportDecision>), IntakeError> {
    let received = parse_and_store(&matcher.store, raw, ReportSource::File, Vec::new()).await?;
    let decision =
        crate::reports::apply_event(matcher, &received.event, &received.parsed, rule).await?;
    Ok((received, decision))
}

/// Parses and stores `raw`, logging one line.
async fn parse_and_store(
    store: &Store,
    raw: Vec<u8>,
    source: ReportSource,
    envelope_to: Vec<String>,
) -> Result<Received, IntakeError> {
    let (raw, parsed) = tokio::task::spawn_blocking(move || {
        let parsed = parse(&raw);
        (raw, parsed)
    })
    .await?;
    let id = report_id(&raw);
    let new = store
        .store_inbound_report(&InboundReport {
            id: id.clone(),
            received_at: Utc::now(),
            source,
            envelope_to: envelope_to.clone(),
            raw,
            form: parsed.form.as_str().to_owned(),
            kind: parsed.kind.as_str().to_owned(),
        })
        .await?;
    info!(
        report = short_id(&id),
        %source,
        new,
        form = parsed.form.as_str(),
        kind = parsed.kind.as_str(),
        findings = parsed.findings.len(),
        "returned mail received"
    );
    Ok(Received {
        new,
        event: ReportReceived {
            report: id,
            source,
            envelope_to,
        },
        parsed,
    })
}

/// The most stored reports published again at one start (the rest at the next).
const REPUBLISH_LIMIT: usize = 10_000;

/// Publishes again every stored report not applied yet (the publish after storing failed, or
/// its event expired): run when the tracker starts. Returns how many.
pub async fn republish_received(store: &Store, bus: &Bus) -> Result<usize, IntakeError> {
    let waiting = store
        .inbound_reports(ReportState::Received, REPUBLISH_LIMIT)
        .await?;
    for stored in &waiting {
        let envelope_to = stored
            .envelope_to
            .split(',')
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect();
        let event = ReportReceived {
            report: stored.id.clone(),
            source: stored.source,
            envelope_to,
        };
        bus.publish(&event).await?;
    }
    if !waiting.is_empty() {
        info!(
            reports = waiting.len(),
            "returned mail not yet applied published again"
        );
    }
    Ok(waiting.len())
}

/// Reads a stored report back and parses it, on a thread of its own: `None` when the report
/// is gone or its message was erased (`forget` empties the message of the reports about a
/// forgotten address).
pub async fn parse_stored(store: &Store, report: &str) -> Result<Option<Report>, IntakeError> {
    let stored = store.inbound_report_raw(report).await?;
    let Some(raw) = stored.filter(|raw| !raw.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(
        tokio::task::spawn_blocking(move || parse(&raw)).await?,
    ))
}
