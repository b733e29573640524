//! Operators' commands to the dispatchers, kept in the `dispatch-control` key-value bucket so
//! every dispatcher (now or started later) sees the current word, without a restart:
//!
//! - `circular.<id>`: `running`, `paused` or `cancelled` (no key: running);
//! - `relay.<name>`: a relay's limits as JSON, replacing the configured ones.
//!
//! The values are written by `circulars pause|resume|cancel` and `circulars relay limit`, and
//! watched by the dispatchers.

use super::{Bus, BusError};
use crate::domain::CircularId;
use crate::BoxError;
use async_nats::jetstream::kv;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What the dispatchers do with a circular's mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DispatchState {
    /// Send (the state of every circular no one paused or cancelled).
    Running,
    /// Send nothing more until resumed; jobs wait in the queue.
    Paused,
    /// Send nothing more, ever: every mail not yet sent is recorded `cancelled`.
    Cancelled,
}

impl DispatchState {
    /// The stored word.
    pub fn wire_name(self) -> &'static str {
        match self {
            DispatchState::Running => "running",
            DispatchState::Paused => "paused",
            DispatchState::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for DispatchState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

impl FromStr for DispatchState {
    type Err = BusError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "running" => Ok(DispatchState::Running),
            "paused" => Ok(DispatchState::Paused),
            "cancelled" => Ok(DispatchState::Cancelled),
            other => Err(BusError::Control(format!(
                "'{other}' is not a dispatch state (running, paused, cancelled)"
            ))),
        }
    }
}

/// A relay's limits set while running, replacing `[smtp.relays.NAME]`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayLimits {
    /// Mails per second at most (0: no limit).
    pub rate_per_second: u32,
    /// Connections at once at most (never above the configured pool size).
    pub connections: u32,
}

/// A change read from the bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlChange {
    /// A circular's dispatch state.
    Circular(CircularId, DispatchState),
    /// A relay's limits (`None`: back to the configuration).
    Relay(String, Option<RelayLimits>),
}

/// The key of a circular's state.
pub fn circular_key(circular: &CircularId) -> String {
    format!("circular.{circular}")
}

/// The key of a relay's limits.
pub fn relay_key(relay: &str) -> String {
    format!("relay.{relay}")
}

/// Reads one bucket entry; an unknown key or a value that is not ours is an error naming it.
pub fn parse_entry(entry: &kv::Entry) -> Result<ControlChange, BusError> {
    let bad = |why: String| BusError::Control(format!("{CONTROL}: {}: {why}", entry.key));
    let deleted = entry.operation != kv::Operation::Put;
    if let Some(id) = entry.key.strip_prefix("circular.") {
        let circular: CircularId = id.parse().map_err(|e| bad(format!("{e}")))?;
        let state = if deleted {
            DispatchState::Running
        } else {
            std::str::from_utf8(&entry.value)
                .map_err(|e| bad(e.to_string()))?
                .parse()
                .map_err(|e: BusError| bad(e.to_string()))?
        };
        return Ok(ControlChange::Circular(circular, state));
    }
    if let Some(relay) = entry.key.strip_prefix("relay.") {
        let limits = if deleted {
            None
        } else {
            Some(serde_json::from_slice(&entry.value).map_err(|e| bad(e.to_string()))?)
        };
        return Ok(ControlChange::Relay(relay.to_owned(), limits));
    }
    Err(bad("not a key of this bucket".into()))
}

const CONTROL: &str = super::CONTROL_BUCKET;

impl Bus {
    /// Sets the dispatch state of `circular`. Cancelling is for good: a cancelled circular can
    /// neither be paused nor resumed (the error says so).
    pub async fn set_dispatch_state(
        &self,
        circular: &CircularId,
        state: DispatchState,
    ) -> Result<(), BusError> {
        let bucket = self.control().await?;
        let key = circular_key(circular);
        let current = bucket
            .entry(&key)
            .await
            .map_err(BusError::jetstream(CONTROL))?;
        let revision = match &current {
            Some(entry) => {
                if let ControlChange::Circular(_, DispatchState::Cancelled) = parse_entry(entry)? {
                    if state != DispatchState::Cancelled {
                        return Err(BusError::Control(format!(
                            "{circular} was cancelled; a cancelled circular cannot be {}",
                            if state == DispatchState::Paused {
                                "paused"
                            } else {
                                "resumed"
                            }
                        )));
                    }
                }
                Some(entry.revision)
            }
            None => None,
        };
        let value = state.wire_name().as_bytes().to_vec().into();
        let written = match revision {
            Some(r) => bucket
                .update(&key, value, r)
                .await
                .map(|_| ())
                .map_err(BoxError::from),
            None => bucket
                .create(&key, value)
                .await
                .map(|_| ())
                .map_err(BoxError::from),
        };
        written.map_err(BusError::jetstream(format!(
            "{CONTROL}: {key}: changed by someone else meanwhile, try again"
        )))
    }

    /// The dispatch state operators set for `circular` (`Running` when none was set).
    pub async fn dispatch_state(&self, circular: &CircularId) -> Result<DispatchState, BusError> {
        let bucket = self.control().await?;
        let entry = bucket
            .entry(circular_key(circular))
            .await
            .map_err(BusError::jetstream(CONTROL))?;
        match entry.as_ref().map(parse_entry).transpose()? {
            Some(ControlChange::Circular(_, state)) => Ok(state),
            _ => Ok(DispatchState::Running),
        }
    }

    /// The limits operators set for `relay` (`None`: none set, the configured ones apply).
    pub async fn relay_limits(&self, relay: &str) -> Result<Option<RelayLimits>, BusError> {
        let bucket = self.control().await?;
        let entry = bucket
            .entry(relay_key(relay))
            .await
            .map_err(BusError::jetstream(CONTROL))?;
        match entry.as_ref().map(parse_entry).transpose()? {
            Some(ControlChange::Relay(_, limits)) => Ok(limits),
            _ => Ok(None),
        }
    }

    /// Sets a relay's limits for every dispatcher, replacing the configured ones.
    pub async fn set_relay_limits(&self, relay: &str, limits: RelayLimits) -> Result<(), BusError> {
        let bucket = self.control().await?;
        let value = serde_json::to_vec(&limits)
            .map_err(BusError::jetstream("cannot encode relay limits"))?;
        bucket
            .put(relay_key(relay), value.into())
            .await
            .map(|_| ())
            .map_err(BusError::jetstream(CONTROL))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_as_written() {
        for state in [
            DispatchState::Running,
            DispatchState::Paused,
            DispatchState::Cancelled,
        ] {
            assert_eq!(state.wire_name().parse::<DispatchState>().unwrap(), state);
        }
        assert!("stopped".parse::<DispatchState>().is_err());
        assert_eq!(circular_key(&"TSB-36".parse().unwrap()), "circular.TSB-36");
    }
}
