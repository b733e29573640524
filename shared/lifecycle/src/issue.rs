//! A circular issued: marked issued once, then announced on `circular.issued` for the directory
//! to freeze its audience.

use crate::LifecycleError;
use chrono::Utc;
use circulars_core::domain::CircularId;
use circulars_core::events::CircularIssued;
use circulars_core::nats::Bus;
use circulars_store::{IssueMark, Store};
use tracing::info;

/// What `issue` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issued {
    /// Issued now: the directory will freeze its audience.
    Now,
    /// Issued before; nothing new is sent.
    Already,
}

/// Issues a circular: marks it issued (once), then publishes `circular.issued` and waits for
/// JetStream's ack. When an earlier issue stopped between the two, issuing again finishes it.
pub async fn issue(store: &Store, bus: &Bus, id: &CircularId) -> Result<Issued, LifecycleError> {
    let now = Utc::now();
    let mark = store.mark_issued(id, now).await?;
    if mark == (IssueMark::AlreadyIssued { announced: true }) {
        return Ok(Issued::Already);
    }
    let issued_at = store.issued_at(id).await?.unwrap_or(now);
    bus.publish(&CircularIssued {
        circular: id.clone(),
        issued_at,
    })
    .await?;
    store.mark_announced(id, Utc::now()).await?;
    info!(circular = %id, "issued");
    Ok(match mark {
        IssueMark::NewlyIssued => Issued::Now,
        IssueMark::AlreadyIssued { .. } => Issued::Already,
    })
}
