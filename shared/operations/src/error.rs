//! Why a board could not be built or an operator's action not taken.

use circulars_core::nats::BusError;
use circulars_store::StoreError;

/// Why a board could not be built or an operator's action not taken.
#[derive(Debug, thiserror::Error)]
pub enum OperationsError {
    /// The database could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// nats-server could not be asked or told.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// A relay's limits were not changed: the request was refused.
    #[error(transparent)]
    RelayLimit(#[from] crate::relays::RelayLimitError),
}
