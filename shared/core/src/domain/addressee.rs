//! Addressees: the organisations and offices a circular is addressed to (the administration of a
//! Member State, a Sector Member, a permanent mission, …); their contacts are the recipients.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An addressee, by its name as the directory writes it ("Administration of Freedonia").
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Addressee(String);

/// The text cannot name an addressee.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadAddressee {
    /// Nothing but spaces.
    #[error("is empty")]
    Empty,
    /// Line breaks or other control characters, which would break headers and tables.
    #[error("'{0}' holds a line break or another control character")]
    ControlCharacter(String),
}

impl Addressee {
    /// Accepts a name, trimmed; refuses empty names and control characters.
    pub fn parse(name: &str) -> Result<Self, BadAddressee> {
        let name = name.trim();
        if name.is_empty() {
            Err(BadAddressee::Empty)
        } else if name.chars().any(char::is_control) {
            Err(BadAddressee::ControlCharacter(name.to_owned()))
        } else {
            Ok(Addressee(name.to_owned()))
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Addressee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Addressee {
    type Err = BadAddressee;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Addressee::parse(s)
    }
}

impl TryFrom<String> for Addressee {
    type Error = BadAddressee;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Addressee::parse(&value)
    }
}

impl From<Addressee> for String {
    fn from(value: Addressee) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_must_be_printable() {
        assert_eq!(
            Addressee::parse("  Administration of Freedonia ")
                .unwrap()
                .name(),
            "Administration of Freedonia"
        );
        assert_eq!(Addressee::parse("   "), Err(BadAddressee::Empty));
        assert!(matches!(
            Addressee::parse("A\nB"),
            Err(BadAddressee::ControlCharacter(_))
        ));
    }
}
