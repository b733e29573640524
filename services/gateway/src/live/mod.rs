//! What the live dashboard stands on: one NATS subscription per gateway process to the
//! tracker's progress subjects, fanned out to every browser watching.
//!
//! # Layout
//! - [`feed`]: a circular's delivery as the dashboard shows it ([`CircularLive`]), read again
//!   when the tracker says it moved (at most once a second) and every few seconds while watched,
//!   and handed to its watchers through a `watch` channel: a browser that falls behind gets the
//!   latest counts, never a backlog
//! - [`site`]: the operations overview (circulars in delivery, relays with the dispatchers'
//!   reports from `relay-activity.>`, unmatched returned mail, the intake's refusals), live
//! - [`sse`]: a feed's readings as server-sent events (latest at once, resume by
//!   `Last-Event-ID`, ended when the gateway stops)
//! - [`streams`]: at most [`streams::STREAMS_PER_CLIENT`] live streams open per client address
//!
//! A circular is read only while someone watches it: the first watcher starts its feed, and
//! the feed stops reading once the last one has gone (keeping its last reading).

pub mod feed;
pub mod site;
pub mod sse;
pub mod streams;

pub use feed::{CircularLive, Hub, Snapshot};
pub use site::{SiteHub, SiteLive, SiteSnapshot};
pub use streams::{StreamPermit, StreamPermits};
