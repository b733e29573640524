//! What the live dashboard stands on: one NATS subscription per gateway process to the
//! tracker's progress subjects, fanned out to every browser watching.
//!
//! # Layout
//! - [`feed`]: a circular's delivery as the dashboard shows it ([`CircularLive`]), read again
//!   when the tracker says it moved (at most once a second) and every few seconds while watched,
//!   and handed to its watchers through a `watch` channel: a browser that falls behind gets the
//!   latest counts, never a backlog
//! - [`streams`]: at most [`streams::STREAMS_PER_CLIENT`] live streams open per client address
//!
//! A circular is read only while someone watches it: the first watcher starts its feed, and
//! the feed stops reading once the last one has gone (keeping its last reading).

pub mod feed;
pub mod streams;

pub use feed::{CircularLive, Hub, Snapshot};
pub use streams::{StreamPermit, StreamPermits};
