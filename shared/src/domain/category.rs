//! Addressee categories: the lines of a circular's "To" list ("Member States of the ITU", …).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The standard categories of TSB circulars, in the order a circular lists them
/// (see `../shared/reference/wording.md` §6); each has a `category-<id>` message in `locales/`.
pub const STANDARD_CATEGORIES: [&str; 14] = [
    "member-states",
    "palestine",
    "sector-members",
    "associates",
    "academia",
    "permanent-missions",
    "international-organizations",
    "satellite-organizations",
    "united-nations",
    "specialized-agencies",
    "study-group-chairs",
    "director-bdt",
    "director-br",
    "secretary-general",
];

/// One addressee category, by its stable id (`member-states`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Category(String);

/// The id names no known category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category '{0}' (known: {known})", known = STANDARD_CATEGORIES.join(", "))]
pub struct UnknownCategory(pub String);

impl Category {
    /// Accepts one of the standard category ids.
    pub fn parse(id: &str) -> Result<Self, UnknownCategory> {
        if STANDARD_CATEGORIES.contains(&id) {
            Ok(Category(id.to_owned()))
        } else {
            Err(UnknownCategory(id.to_owned()))
        }
    }

    /// The stable id, as in files and on the wire.
    pub fn id(&self) -> &str {
        &self.0
    }

    /// The position in the standard "To" list, for ordering addressee lines.
    pub fn rank(&self) -> usize {
        STANDARD_CATEGORIES
            .iter()
            .position(|c| *c == self.0)
            .unwrap_or(STANDARD_CATEGORIES.len())
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::parse(s)
    }
}

impl TryFrom<String> for Category {
    type Error = UnknownCategory;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Category::parse(&value)
    }
}

impl From<Category> for String {
    fn from(value: Category) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_ids_parse_and_keep_their_order() {
        let ranks: Vec<usize> = STANDARD_CATEGORIES
            .iter()
            .map(|id| Category::parse(id).unwrap().rank())
            .collect();
        assert_eq!(ranks, (0..STANDARD_CATEGORIES.len()).collect::<Vec<_>>());
    }

    #[test]
    fn unknown_ids_are_refused_by_name() {
        let err = Category::parse("member-state").unwrap_err().to_string();
        assert!(err.starts_with("unknown category 'member-state'"), "{err}");
    }
}
