//! A circular in flight paused, resumed or cancelled: the operators' word written to the
//! `dispatch-control` bucket that every dispatcher watches.

use crate::rules::{Policy, CANCEL, PAUSE, RESUME};
use crate::LifecycleError;
use circulars_core::domain::{Actor, CircularId, Role};
use circulars_core::nats::control::DispatchState;
use circulars_core::nats::Bus;
use circulars_store::{ApprovalMark, StateChange, Store};
use tracing::info;

/// Sets the dispatch state of an issued circular, by `actor` (an operator): a draft has
/// nothing in flight (refused with [`LifecycleError::NotIssued`]); a cancelled circular stays
/// cancelled (refused by the bucket). The circular's state and audit trail follow the bucket.
pub async fn set_dispatch_state(
    store: &Store,
    bus: &Bus,
    policy: Policy,
    actor: &Actor,
    id: &CircularId,
    state: DispatchState,
) -> Result<(), LifecycleError> {
    policy.allow(actor, Role::Operator)?;
    let stored = store.existing_circular(id).await?;
    if stored.issued_at.is_none() {
        return Err(LifecycleError::NotIssued(id.clone()));
    }
    bus.set_dispatch_state(id, state).await?;
    let step = match state {
        DispatchState::Paused => &PAUSE,
        DispatchState::Running => &RESUME,
        DispatchState::Cancelled => &CANCEL,
    };
    let by = actor.name();
    // Pausing what is paused changes nothing, and records nothing.
    store
        .change_state(
            id,
            &StateChange {
                from: step.from,
                revision: None,
                to: step.to,
                action: step.action,
                by: &by,
                via: actor.via,
                detail: serde_json::json!({}),
                approval: ApprovalMark::Keep,
            },
        )
        .await?;
    info!(circular = %id, %state, by = %by, "dispatch state set");
    Ok(())
}
