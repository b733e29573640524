//! A circular issued: marked issued once, then announced on `circular.issued` for the directory
//! to freeze its audience.

use crate::rules::Policy;
use crate::LifecycleError;
use chrono::Utc;
use circulars_core::domain::{Actor, CircularId, Role};
use circulars_core::events::CircularIssued;
use circulars_core::nats::Bus;
use circulars_store::{IssueMark, Store};
use tracing::{info, instrument};

/// What `issue` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issued {
    /// Issued now: the directory will freeze its audience.
    Now,
    /// Issued before; nothing new is sent.
    Already,
}

/// Issues a circular, by `actor` (an operator): marks it issued (once, and only once approved
/// when approval is required), then publishes `circular.issued` and waits for JetStream's ack.
/// When an earlier issue stopped between the two, issuing again finishes it. The `issue` span
/// is where a circular's trace begins (the directory's span follows it through NATS).
#[instrument(name = "issue", skip_all, fields(circular = %id))]
pub async fn issue(
    store: &Store,
    bus: &Bus,
    policy: Policy,
    actor: &Actor,
    id: &CircularId,
) -> Result<Issued, LifecycleError> {
    policy.allow(actor, Role::Operator)?;
    let now = Utc::now();
    let by = actor.name();
    let mark = store
        .mark_issued(id, now, policy.issuable_from(), &by, actor.via)
        .await?;
    match mark {
        IssueMark::AlreadyIssued { announced: true } => return Ok(Issued::Already),
        IssueMark::NotReady(state) => {
            return Err(LifecycleError::NeedsApproval {
                id: id.clone(),
                state,
            })
        }
        IssueMark::NewlyIssued | IssueMark::AlreadyIssued { announced: false } => {}
    }
    let issued_at = store.issued_at(id).await?.unwrap_or(now);
    bus.publish(&CircularIssued {
        circular: id.clone(),
        issued_at,
    })
    .await?;
    store.mark_announced(id, Utc::now()).await?;
    info!(circular = %id, by = %by, via = %actor.via, "issued");
    Ok(match mark {
        IssueMark::NewlyIssued => Issued::Now,
        _ => Issued::Already,
    })
}
