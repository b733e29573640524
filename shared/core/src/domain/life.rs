//! Where a circular is in its life, and which steps lead where.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A circular's state: `draft → submitted → approved → issued`, then `paused` and back to
/// `issued`, or `cancelled`; `submitted → draft` when sent back, and any edit before the issue
/// returns it to `draft`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CircularState {
    /// Being written; may be edited.
    Draft,
    /// Waiting for an approver.
    Submitted,
    /// Approved as it stands; an operator may issue it.
    Approved,
    /// Issued: its audience is frozen and its mails go out.
    Issued,
    /// Issued, and paused by an operator.
    Paused,
    /// Issued, then cancelled: nothing more is sent.
    Cancelled,
}

impl CircularState {
    /// Every state, in the order of a circular's life.
    pub const ALL: [CircularState; 6] = [
        CircularState::Draft,
        CircularState::Submitted,
        CircularState::Approved,
        CircularState::Issued,
        CircularState::Paused,
        CircularState::Cancelled,
    ];

    /// The state's name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            CircularState::Draft => "draft",
            CircularState::Submitted => "submitted",
            CircularState::Approved => "approved",
            CircularState::Issued => "issued",
            CircularState::Paused => "paused",
            CircularState::Cancelled => "cancelled",
        }
    }

    /// Whether the circular has been issued (its content can no longer change).
    pub fn is_issued(self) -> bool {
        matches!(
            self,
            CircularState::Issued | CircularState::Paused | CircularState::Cancelled
        )
    }
}

impl fmt::Display for CircularState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text names no state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a circular state (draft, submitted, approved, issued, paused, cancelled)")]
pub struct UnknownCircularState(pub String);

impl FromStr for CircularState {
    type Err = UnknownCircularState;

    fn from_str(s: &str) -> Result<CircularState, UnknownCircularState> {
        CircularState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownCircularState(s.to_owned()))
    }
}
