//! A circular in flight paused, resumed or cancelled: the operators' word written to the
//! `dispatch-control` bucket that every dispatcher watches.

use crate::LifecycleError;
use circulars_core::domain::CircularId;
use circulars_core::nats::control::DispatchState;
use circulars_core::nats::Bus;
use circulars_store::Store;
use tracing::info;

/// Sets the dispatch state of an issued circular (a draft has nothing in flight: refused with
/// [`LifecycleError::NotIssued`]; a cancelled circular stays cancelled: refused by the bucket).
pub async fn set_dispatch_state(
    store: &Store,
    bus: &Bus,
    id: &CircularId,
    state: DispatchState,
) -> Result<(), LifecycleError> {
    let stored = store.existing_circular(id).await?;
    if stored.issued_at.is_none() {
        return Err(LifecycleError::NotIssued(id.clone()));
    }
    bus.set_dispatch_state(id, state).await?;
    info!(circular = %id, %state, "dispatch state set");
    Ok(())
}
