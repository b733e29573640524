//! `circulars-relays`: the SMTP relays mail leaves through, as `[smtp.relays.*]` describes
//! them. The dispatcher sends every circular's mail through them, and staff's test copies
//! (the CLI's `preview --send-to`, the gateway's "send me a test copy") go the same way.
//!
//! The SMTP client is written here, not lettre's: lettre's async connection keeps its socket
//! and has no write without a read, so it could not pipeline the envelope (RFC 2920), write a
//! message and its final dot as one vectored write while dot-stuffing it, give each step its
//! own timeout (RFC 5321 §4.5.3.2), or tell a reply lost after the final dot from a
//! connection lost before it. Set-up (greeting, EHLO, STARTTLS, AUTH PLAIN/LOGIN) is written
//! here too, since the data phase needs the socket it opens; TLS is rustls
//! (`circulars_core::tls`), as for every outgoing connection.
//!
//! # Layout
//! - [`relays`]: the relays, with TLS, authentication, rate limits shared by the cluster's
//!   dispatchers, and failover
//! - [`cap`]: a cap on what runs at once that can change while it runs (connections here,
//!   the dispatcher's mails in flight)
//! - [`activity`]: each relay's limits in force and mails of the last minute, for the
//!   dispatcher's `relay-activity.<relay>` reports
//! - [`pool`]: the open sessions to one relay, reused from mail to mail
//! - [`session`]: opening a session (TCP with `TCP_NODELAY`, TLS, greeting, EHLO, AUTH),
//!   within the set-up deadline; where and how to reach a relay ([`Endpoint`]), each step's
//!   timeout ([`Timeouts`])
//! - `transaction.rs`: one mail over an open session (the envelope pipelined when offered,
//!   the message, the final reply)
//! - `stuffing.rs`: dot-stuffing as the message is written, in one pass and no copy
//! - `wire.rs`: the socket, multi-line replies read within a wait, vectored writes
//! - [`error`]: [`SendError`] and the [`Phase`] an attempt stopped in

pub mod activity;
pub mod cap;
pub mod error;
pub mod pool;
pub mod relays;
pub mod session;
mod stuffing;
mod transaction;
mod wire;

pub use activity::RelayCounts;
pub use cap::Cap;
pub use error::{LostReply, Phase, SendError};
pub use relays::{RelayError, Relays, Sent};
pub use session::{Credentials, Endpoint, Security, Timeouts};
