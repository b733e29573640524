//! The operations overview at `/staff/dashboard` (operators), live: every circular in delivery
//! with how far along it is (each linking to its live delivery page), the relays with their
//! limits and the mails of the last minute, returned mail that matched no delivery, and the
//! bounce intake's refusals; and the form that changes a relay's limits, audited.
//!
//! # Layout
//! - [`overview`]: the page, its board ([`overview::OverviewBoard`], drawn by
//!   `templates/dashboard/board.html`, sent again by `GET /staff/dashboard/events`)
//! - [`relays`]: `POST /staff/dashboard/relay-limits`, through
//!   `circulars_operations::relays::set_relay_limits` (the CLI's `relay limit` too)

pub mod overview;
pub mod relays;

use super::staff::DASHBOARD_PATH;
use super::PageRoute;
use circulars_core::domain::Role;

/// Where the overview's live stream is.
pub const EVENTS_PATH: &str = "/staff/dashboard/events";

/// Where the relay limits form posts.
pub const RELAY_LIMITS_PATH: &str = "/staff/dashboard/relay-limits";

/// The overview's routes (operators).
pub fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get(DASHBOARD_PATH, Some(Role::Operator), overview::page),
        PageRoute::get(EVENTS_PATH, Some(Role::Operator), overview::events),
        PageRoute::post(RELAY_LIMITS_PATH, Some(Role::Operator), relays::set),
    ]
}
