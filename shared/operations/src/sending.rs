//! The circulars being sent, and those finished in the last day: the dashboard's overview.

use crate::OperationsError;
use chrono::{DateTime, TimeDelta, Utc};
use circulars_core::domain::Language;
use circulars_store::{DeliveringCircular, Store};
use serde::Serialize;

/// How long a circular whose delivery is complete stays on the overview.
pub const FINISHED_SHOWN_FOR: TimeDelta = TimeDelta::hours(24);

/// A line of the overview: one issued circular and where its delivery stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendingCircular {
    /// The circular's id (`TSB-36`).
    pub circular: String,
    /// Its English subject, or the subject of the first language it is written in.
    pub subject: String,
    /// Recipients in its frozen audience, once frozen.
    pub audience: Option<u64>,
    /// Recipients in a final delivery state.
    pub finished: u64,
    /// The circular's state (`issued`, `paused`, `cancelled`).
    pub state: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// Whether every recipient is in a final state.
    pub complete: bool,
}

impl From<DeliveringCircular> for SendingCircular {
    fn from(c: DeliveringCircular) -> SendingCircular {
        let complete = c.is_complete();
        let subject = c
            .subjects
            .get(&Language::En)
            .or_else(|| c.subjects.values().next())
            .cloned()
            .unwrap_or_default();
        SendingCircular {
            circular: c.id.as_str().to_owned(),
            subject,
            audience: c.audience,
            finished: c.finished,
            state: c.state.as_str().to_owned(),
            issued_at: c.issued_at,
            complete,
        }
    }
}

/// The issued circulars (issued, paused or cancelled) whose delivery is not complete, and
/// those whose deliveries last changed in the last [`FINISHED_SHOWN_FOR`], newest issued
/// first.
pub async fn sending_circulars(store: &Store) -> Result<Vec<SendingCircular>, OperationsError> {
    sending_circulars_at(store, Utc::now()).await
}

/// [`sending_circulars`] as of `now`.
pub async fn sending_circulars_at(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Vec<SendingCircular>, OperationsError> {
    Ok(store
        .circulars_in_delivery(now - FINISHED_SHOWN_FOR)
        .await?
        .into_iter()
        .map(SendingCircular::from)
        .collect())
}
