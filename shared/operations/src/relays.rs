//! An operator changes a relay's limits while mail flows: checked against the configuration,
//! written to the `dispatch-control` bucket every dispatcher watches, and recorded in the staff
//! audit trail. One function for the CLI's `circulars relay limit` and the dashboard.

use crate::OperationsError;
use circulars_core::config::RelayConfig;
use circulars_core::domain::{Actor, Role};
use circulars_core::nats::control::RelayLimits;
use circulars_core::nats::Bus;
use circulars_store::{StaffAuthor, Store};
use serde_json::json;
use std::collections::BTreeMap;
use tracing::info;

/// The staff audit trail's word for a change of a relay's limits.
pub const LIMITS_SET: &str = "relay.limits-set";

/// Why a relay's limits were not changed (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayLimitError {
    /// No `[smtp.relays.NAME]` has that name.
    #[error("no relay named {relay} in the configuration (relays: {})", .configured.join(", "))]
    UnknownRelay {
        /// The name given.
        relay: String,
        /// The relays configured.
        configured: Vec<String>,
    },
    /// Neither a rate nor a number of connections was given.
    #[error("give a rate, a number of connections or both")]
    NothingGiven,
    /// Zero connections would stop the relay; pause circulars instead.
    #[error("connections must be at least 1 (to stop sending, pause the circulars)")]
    NoConnections,
    /// The actor may not set relay limits.
    #[error("{actor} may not change relay limits: it needs the {needs} role")]
    NotAllowed {
        /// Who tried.
        actor: String,
        /// The role it needs.
        needs: Role,
    },
}

/// The limits in force for `relay`: those operators set, else the configured ones.
fn in_force(config: &RelayConfig, set: Option<RelayLimits>) -> RelayLimits {
    let configured = configured(config);
    match set {
        Some(limits) => RelayLimits {
            rate_per_second: limits.rate_per_second,
            connections: limits.connections.clamp(1, configured.connections),
        },
        None => configured,
    }
}

/// The limits `[smtp.relays.NAME]` gives.
fn configured(config: &RelayConfig) -> RelayLimits {
    RelayLimits {
        rate_per_second: config.rate_per_second,
        connections: config.connections,
    }
}

/// The limits to write for a request, checked: `rate` and `connections` replace those in
/// force (`before`), connections capped at the configured pool.
pub fn checked_limits(
    relays: &BTreeMap<String, RelayConfig>,
    relay: &str,
    before: Option<RelayLimits>,
    rate: Option<u32>,
    connections: Option<u32>,
) -> Result<RelayLimits, RelayLimitError> {
    let Some(config) = relays.get(relay) else {
        return Err(RelayLimitError::UnknownRelay {
            relay: relay.to_owned(),
            configured: relays.keys().cloned().collect(),
        });
    };
    if rate.is_none() && connections.is_none() {
        return Err(RelayLimitError::NothingGiven);
    }
    if connections == Some(0) {
        return Err(RelayLimitError::NoConnections);
    }
    let current = in_force(config, before);
    Ok(RelayLimits {
        rate_per_second: rate.unwrap_or(current.rate_per_second),
        connections: connections
            .unwrap_or(current.connections)
            .min(config.connections),
    })
}

/// Sets `relay`'s limits for every dispatcher: `rate` (mails per second, 0 for none) and
/// `connections` (capped at the configured pool); what is not given stays as in force. Needs
/// the operator role; recorded in the staff audit trail as [`LIMITS_SET`] on `relay:<name>`
/// with the limits before and after. Returns the limits now in force.
pub async fn set_relay_limits(
    store: &Store,
    bus: &Bus,
    relays: &BTreeMap<String, RelayConfig>,
    actor: &Actor,
    relay: &str,
    rate: Option<u32>,
    connections: Option<u32>,
) -> Result<RelayLimits, OperationsError> {
    if !actor.has(Role::Operator) {
        return Err(RelayLimitError::NotAllowed {
            actor: actor.name(),
            needs: Role::Operator,
        }
        .into());
    }
    // Checked before asking nats-server, so a typing mistake is named even when it is down.
    checked_limits(relays, relay, None, rate, connections)?;
    let set = bus.relay_limits(relay).await?;
    let after = checked_limits(relays, relay, set, rate, connections)?;
    let config = relays.get(relay).map(configured);
    let before = relays.get(relay).map(|c| in_force(c, set));
    bus.set_relay_limits(relay, after).await?;
    let detail = json!({
        "before": before,
        "after": after,
        "configured": config,
    });
    store
        .record_staff_event(
            &StaffAuthor::from(actor),
            LIMITS_SET,
            &format!("relay:{relay}"),
            detail,
        )
        .await?;
    info!(
        relay,
        rate_per_second = after.rate_per_second,
        connections = after.connections,
        by = %actor.name(),
        "relay limits set"
    );
    Ok(after)
}

/// The limits in force for every configured relay, by name: those operators set, else the
/// configured ones (what the dashboard shows before any dispatcher reports).
pub async fn relay_limits_in_force(
    bus: &Bus,
    relays: &BTreeMap<String, RelayConfig>,
) -> Result<Vec<(String, RelayLimits)>, OperationsError> {
    let mut limits = Vec::with_capacity(relays.len());
    for (name, config) in relays {
        limits.push((
            name.clone(),
            in_force(config, bus.relay_limits(name).await?),
        ));
    }
    Ok(limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relays() -> BTreeMap<String, RelayConfig> {
        let mut relays = BTreeMap::new();
        for (name, connections, rate) in [("main", 6, 40), ("backup", 2, 0)] {
            relays.insert(
                name.to_owned(),
                RelayConfig {
                    connections,
                    rate_per_second: rate,
                    ..RelayConfig::default()
                },
            );
        }
        relays
    }

    fn limits(rate_per_second: u32, connections: u32) -> RelayLimits {
        RelayLimits {
            rate_per_second,
            connections,
        }
    }

    #[test]
    fn a_relay_that_is_not_configured_is_named_with_those_that_are() {
        let err = checked_limits(&relays(), "mian", None, Some(5), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no relay named mian in the configuration (relays: backup, main)"
        );
    }

    #[test]
    fn a_change_must_say_something_and_keep_a_connection() {
        assert_eq!(
            checked_limits(&relays(), "main", None, None, None),
            Err(RelayLimitError::NothingGiven)
        );
        assert_eq!(
            checked_limits(&relays(), "main", None, Some(5), Some(0)),
            Err(RelayLimitError::NoConnections)
        );
    }

    #[test]
    fn what_is_not_given_stays_as_in_force_and_connections_stay_within_the_pool() {
        let r = relays();
        assert_eq!(
            checked_limits(&r, "main", None, Some(0), None),
            Ok(limits(0, 6)),
            "rate 0 lifts the limit; connections as configured"
        );
        assert_eq!(
            checked_limits(&r, "main", Some(limits(10, 3)), None, Some(50)),
            Ok(limits(10, 6)),
            "the rate set before stays; 50 connections is the pool's 6"
        );
        assert_eq!(
            checked_limits(&r, "main", Some(limits(10, 3)), Some(20), None),
            Ok(limits(20, 3))
        );
    }
}
