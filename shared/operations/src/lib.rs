//! `circulars-operations`: what operations watch while circulars go out, built once for the
//! CLI's `status` and the gateway's live dashboard, so that both show the same numbers.
//!
//! # Layout
//! - [`error`]: why a board could not be built
//! - [`relays`]: an operator changes a relay's limits (checked, written for every dispatcher,
//!   audited), and the limits in force
//! - [`site`]: the board across circulars: relays with their activity, unmatched returned
//!   mail, the intake's refusals

pub mod error;
pub mod relays;
pub mod site;

pub use error::OperationsError;
