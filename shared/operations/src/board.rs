//! One circular's delivery board, as the live operations dashboard shows it: the status of
//! `circulars status --json`, the mails finished minute by minute over the last hour, the
//! current rate and the time left at that rate, the retry queue, the newest failures with the
//! remote server's words, the newest returned mail and the complaints.

use crate::status::{returned_json, status_json, Dispatch};
use crate::OperationsError;
use chrono::{DateTime, TimeDelta, Utc};
use circulars_core::domain::{CircularId, Delivery};
use circulars_core::nats::control::DispatchState;
use circulars_store::{CircularStatus, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many minutes the throughput covers (the current one and those before it).
pub const MINUTES_SHOWN: usize = 60;
/// How many whole minutes the current rate is the mean of.
pub const RATE_MINUTES: usize = 5;
/// How many failures, and how many returned mails, a board lists (the newest).
pub const NEWEST_SHOWN: usize = 20;

/// A circular's delivery board at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CircularBoard {
    /// What `circulars status ID --json` prints, without its `returned` list
    /// ([`crate::status::status_json`]).
    pub status: serde_json::Value,
    /// Mails that reached a final state in each of the last [`MINUTES_SHOWN`] minutes, oldest
    /// first, the current (unfinished) minute last; a minute without any is there with 0.
    pub throughput: Vec<MinuteCount>,
    /// The current rate, in mails a minute: the mean of the last [`RATE_MINUTES`] whole minutes
    /// (of fewer when the circular was issued less long ago).
    pub per_minute: f64,
    /// The seconds left until every recipient is in a final state at the current rate; `None`
    /// when delivery is complete, the rate is 0, the audience is not frozen yet, or the
    /// circular is paused.
    pub eta_seconds: Option<u64>,
    /// The deliveries waiting for their next attempt.
    pub retries: RetryQueue,
    /// The newest [`NEWEST_SHOWN`] failed or bounced deliveries, newest first.
    pub failures: Vec<FailureRow>,
    /// The newest [`NEWEST_SHOWN`] returned mails ([`crate::status::returned_json`]).
    pub returned: serde_json::Value,
    /// Recipients who complained about the circular (abuse or spam reports).
    pub complaints: u64,
}

/// The mails that reached a final state in one minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MinuteCount {
    /// The minute's start.
    pub minute: DateTime<Utc>,
    /// Mails that reached a final state (sent, failed, cancelled…) in it, each counted once.
    pub mails: u64,
}

/// The retry queue of one circular.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RetryQueue {
    /// Deliveries deferred and parked until their next attempt.
    pub deferred: u64,
    /// When the next of them is due (it may be past: due and being queued again).
    pub next_at: Option<DateTime<Utc>>,
}

/// A delivery that failed or bounced, with what the remote server said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureRow {
    /// The recipient's address.
    pub address: String,
    /// `failed` or `bounced`.
    pub state: String,
    /// When the delivery reached that state.
    pub at: DateTime<Utc>,
    /// The attempt that ended it.
    pub attempt: u32,
    /// The SMTP reply code, when the server gave one.
    pub code: Option<u16>,
    /// The enhanced status code (`5.1.1`), when given.
    pub enhanced: Option<String>,
    /// The server's words.
    pub text: Option<String>,
    /// What else was recorded (why retries ran out, which returned mail said so).
    pub detail: Option<String>,
}

impl From<Delivery> for FailureRow {
    fn from(d: Delivery) -> FailureRow {
        FailureRow {
            address: d.address.as_str().to_owned(),
            state: d.state.wire_name().to_owned(),
            at: d.at,
            attempt: d.attempt,
            code: d.reply.as_ref().map(|r| r.code),
            enhanced: d.reply.as_ref().and_then(|r| r.enhanced.clone()),
            text: d.reply.map(|r| r.text),
            detail: d.detail,
        }
    }
}

/// The board of circular `id` at `now`, its dispatch state being `dispatch`
/// ([`crate::status::dispatch_of`]).
pub async fn circular_board(
    store: &Store,
    id: &CircularId,
    dispatch: &Dispatch,
    now: DateTime<Utc>,
) -> Result<CircularBoard, OperationsError> {
    let status = store.circular_status(id).await?;
    board_of(store, &status, dispatch, now).await
}

/// The board of the circular whose counts are `status` (just read), at `now`: what
/// [`circular_board`] builds, for a caller that holds the counts already (the dashboard's
/// feed, which draws the count tables from them too).
pub async fn board_of(
    store: &Store,
    status: &CircularStatus,
    dispatch: &Dispatch,
    now: DateTime<Utc>,
) -> Result<CircularBoard, OperationsError> {
    let id = &status.circular;
    let first = minute_of(now) - minutes(MINUTES_SHOWN - 1);
    let finished = store.finished_per_minute(id, first).await?;
    let throughput = throughput_of(&finished, now);
    let per_minute = rate_per_minute(&throughput, now, status.issued_at);
    let eta_seconds = match (dispatch, status.audience) {
        (Dispatch::Known(DispatchState::Paused), _) | (_, None) => None,
        (_, Some(audience)) => {
            eta_seconds(audience.saturating_sub(status.total.finished()), per_minute)
        }
    };
    let parked = store.parked_retry_queue(id).await?;
    let failures = store.failed_deliveries(id, NEWEST_SHOWN as u32).await?;
    let returned = store.circular_reports(id, NEWEST_SHOWN).await?;
    Ok(CircularBoard {
        status: status_json(status, dispatch),
        throughput,
        per_minute,
        eta_seconds,
        retries: RetryQueue {
            deferred: parked.parked,
            next_at: parked.next_due,
        },
        failures: failures.into_iter().map(FailureRow::from).collect(),
        returned: returned_json(&returned),
        complaints: store.complaints(id).await?,
    })
}

/// `n` minutes.
fn minutes(n: usize) -> TimeDelta {
    TimeDelta::minutes(n as i64)
}

/// The start of the minute `at` is in.
pub fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp().div_euclid(60) * 60, 0).unwrap_or(at)
}

/// The last [`MINUTES_SHOWN`] minutes up to `now`'s, oldest first, each with the mails of
/// `finished` (`(minute, mails)`, as the store counts them) in it, 0 for a minute not there.
pub fn throughput_of(finished: &[(DateTime<Utc>, u64)], now: DateTime<Utc>) -> Vec<MinuteCount> {
    let counted: BTreeMap<DateTime<Utc>, u64> = finished
        .iter()
        .map(|(minute, n)| (minute_of(*minute), *n))
        .fold(BTreeMap::new(), |mut m, (minute, n)| {
            *m.entry(minute).or_default() += n;
            m
        });
    let last = minute_of(now);
    (0..MINUTES_SHOWN)
        .rev()
        .map(|back| {
            let minute = last - minutes(back);
            MinuteCount {
                minute,
                mails: counted.get(&minute).copied().unwrap_or(0),
            }
        })
        .collect()
}

/// The current rate in mails a minute: the mean of the last [`RATE_MINUTES`] whole minutes
/// before `now`'s, leaving out those before the minute the circular was issued in (so that a
/// circular issued two minutes ago is not slowed down by three empty minutes). Before a whole
/// minute has passed since it was issued, the current minute so far, once it has run for
/// [`PARTIAL_MINUTE_SECONDS`] (a circular sent in under a minute shows its rate while it goes);
/// 0 before that.
pub fn rate_per_minute(
    throughput: &[MinuteCount],
    now: DateTime<Utc>,
    issued_at: Option<DateTime<Utc>>,
) -> f64 {
    let current = minute_of(now);
    let start = issued_at.map(minute_of);
    let whole: Vec<u64> = throughput
        .iter()
        .filter(|m| m.minute < current && start.is_none_or(|s| m.minute >= s))
        .map(|m| m.mails)
        .collect();
    let window = &whole[whole.len().saturating_sub(RATE_MINUTES)..];
    if window.is_empty() {
        let Some(so_far) = throughput.iter().find(|m| m.minute == current) else {
            return 0.0;
        };
        let since = issued_at.map_or(current, |issued| issued.max(current));
        let seconds = (now - since).num_milliseconds() as f64 / 1000.0;
        if seconds < PARTIAL_MINUTE_SECONDS {
            return 0.0;
        }
        return so_far.mails as f64 * 60.0 / seconds;
    }
    window.iter().sum::<u64>() as f64 / window.len() as f64
}

/// How long the current minute must have run before its mails say a rate.
pub const PARTIAL_MINUTE_SECONDS: f64 = 5.0;

/// The seconds needed for `remaining` mails at `per_minute`, rounded up; `None` when nothing
/// remains or nothing is moving.
pub fn eta_seconds(remaining: u64, per_minute: f64) -> Option<u64> {
    if remaining == 0 || per_minute.is_nan() || per_minute <= 0.0 {
        return None;
    }
    Some((remaining as f64 * 60.0 / per_minute).ceil() as u64)
}

#[cfg(test)]
#[path = "board_tests.rs"]
mod tests;
