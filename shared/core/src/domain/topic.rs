//! Directory ids: topics of optional circulars, and the stable keys of addressees.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The text cannot be an id of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{id}' is not {what} ({rule})")]
pub struct BadId {
    /// The text as written.
    pub id: String,
    /// What it should have been, e.g. "a topic id".
    pub what: &'static str,
    /// The rule it breaks.
    pub rule: &'static str,
}

/// A stream of optional circulars recipients may opt out of or into (`tsb-events`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TopicId(String);

impl TopicId {
    /// Accepts a well-formed topic id: lower-case letters, digits and `-`.
    pub fn parse(id: &str) -> Result<TopicId, BadId> {
        if super::is_slug(id) {
            Ok(TopicId(id.to_owned()))
        } else {
            Err(BadId {
                id: id.to_owned(),
                what: "a topic id",
                rule: "lower-case letters, digits and '-', at most 64",
            })
        }
    }

    /// The id, as in files and in the database.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The stable key staff give an addressee (`adm-aldoria`), by which imports update it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AddresseeKey(String);

impl AddresseeKey {
    /// Accepts a well-formed key: ASCII letters, digits, `-`, `_` and `.`, at most 64.
    pub fn parse(key: &str) -> Result<AddresseeKey, BadId> {
        let ok = (1..=64).contains(&key.len())
            && key.starts_with(|c: char| c.is_ascii_alphanumeric())
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if ok {
            Ok(AddresseeKey(key.to_owned()))
        } else {
            Err(BadId {
                id: key.to_owned(),
                what: "an addressee key",
                rule: "ASCII letters, digits, '-', '_' and '.', at most 64",
            })
        }
    }

    /// The key, as in files and in the database.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_id {
    ($type:ident) => {
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $type {
            type Err = BadId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $type::parse(s)
            }
        }

        impl TryFrom<String> for $type {
            type Error = BadId;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                $type::parse(&value)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> Self {
                value.0
            }
        }
    };
}

text_id!(TopicId);
text_id!(AddresseeKey);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_their_rules() {
        assert!(TopicId::parse("study-group-17").is_ok());
        assert!(TopicId::parse("Study Group 17").is_err());
        assert!(AddresseeKey::parse("ADM.aldoria_2").is_ok());
        let err = AddresseeKey::parse("adm aldoria").unwrap_err().to_string();
        assert_eq!(
            err,
            "'adm aldoria' is not an addressee key (ASCII letters, digits, '-', '_' and '.', at most 64)"
        );
    }
}
