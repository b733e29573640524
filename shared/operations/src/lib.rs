//! `circulars-operations`: what operations watch while circulars go out, built once for the
//! CLI's `status` and the gateway's live dashboard, so that both show the same numbers.
//!
//! # Layout
//! - [`status`]: a circular's status as JSON (`circulars status --json`, the board's `status`),
//!   its returned mail as JSON, and its dispatch state asked of nats-server
//! - [`board`]: one circular's delivery board: the status, mails finished per minute over the
//!   last hour, the current rate and the time left, the retry queue, failures, returned mail,
//!   complaints
//! - [`sending`]: the overview: the circulars being sent and those finished in the last day
//! - [`error`]: why a board could not be built

pub mod board;
pub mod error;
pub mod sending;
pub mod status;

pub use board::{circular_board, CircularBoard, FailureRow, MinuteCount, RetryQueue};
pub use error::OperationsError;
pub use sending::{sending_circulars, SendingCircular};
pub use status::{dispatch_of, returned_json, status_json, Dispatch};
