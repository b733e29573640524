//! `circulars-operations`: what operations watch while circulars go out, built once for the
//! CLI's `status` and the gateway's live dashboard, so that both show the same numbers.
//!
//! # Layout
//! - [`status`]: a circular's status as JSON (`circulars status --json`, the board's `status`),
//!   its returned mail as JSON, and its dispatch state asked of nats-server
//! - [`error`]: why a board could not be built

pub mod error;
pub mod status;

pub use error::OperationsError;
pub use status::{dispatch_of, returned_json, status_json, Dispatch};
