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
//! - [`relays`]: an operator changes a relay's limits (checked, written for every dispatcher,
//!   audited), and the limits in force
//! - [`site`]: the board across circulars: relays with their activity, unmatched returned
//!   mail, the intake's refusals

pub mod board;
pub mod error;
pub mod relays;
pub mod sending;
pub mod site;
pub mod status;

pub use board::{board_of, circular_board, CircularBoard, FailureRow, MinuteCount, RetryQueue};
pub use error::OperationsError;
pub use sending::{sending_circulars, SendingCircular};
pub use status::{dispatch_of, returned_json, status_json, Dispatch};
