//! `circulars-returned-mail`: what becomes of returned mail (bounces, complaints, mailed
//! unsubscribes), one function per step, shared by the intake service, the tracker and
//! `circulars bounces import`.
//!
//! # Layout
//! - [`intake`]: returned mail taken in: parsed, stored whole, announced on `report.received`
//! - [`reports`]: a stored report matched to its delivery (VERP token, Message-ID) and applied
//!   in one transaction, or kept as `unmatched` or `ignored` with the reason

pub mod intake;
pub mod reports;
