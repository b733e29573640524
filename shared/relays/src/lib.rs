//! `circulars-relays`: the SMTP relays mail leaves through, as `[smtp.relays.*]` describes
//! them. The dispatcher sends every circular's mail through them, and staff's test copies
//! (the CLI's `preview --send-to`, the gateway's "send me a test copy") go the same way.
//!
//! # Layout
//! - [`relays`]: the relays, with TLS, authentication, rate limits and failover
//! - [`activity`]: each relay's limits in force and mails of the last minute, for the
//!   dispatcher's `relay-activity.<relay>` reports
//! - [`pool`]: the connections to one relay (`TCP_NODELAY`, a deadline per attempt)

pub mod activity;
pub mod pool;
pub mod relays;

pub use activity::RelayCounts;
pub use pool::SendError;
pub use relays::{RelayError, Relays, Sent};
