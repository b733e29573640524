//! `circulars-relays`: the SMTP relays mail leaves through, as `[smtp.relays.*]` describes
//! them. The dispatcher sends every circular's mail through them, and staff's test copies
//! (the CLI's `preview --send-to`, the gateway's "send me a test copy") go the same way.
//!
//! # Layout
//! - [`relays`]: the relays, with TLS, authentication, rate limits and failover
//! - [`pool`]: the connections to one relay (`TCP_NODELAY`, a deadline per attempt)

pub mod pool;
pub mod relays;

pub use pool::SendError;
pub use relays::{RelayError, Relays, Sent};
