//! `circulars-operations`: what operations watch while circulars go out, built once for the
//! CLI's `status` and the gateway's live dashboard, so that both show the same numbers.
//!
//! # Layout
//! - [`error`]: why a board could not be built

pub mod error;

pub use error::OperationsError;
