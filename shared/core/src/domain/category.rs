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

/// One addressee category, by its stable id (`member-states`): a standard one, or one staff
/// added to the directory (its wording then lives in `locales/<lang>/*.ftl` as `category-<id>`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Category(String);

/// The text cannot be a category id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a category id (lower-case letters, digits and '-', at most 64)")]
pub struct BadCategoryId(pub String);

/// The id names no category the directory knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category '{id}' (known: {known})")]
pub struct UnknownCategory {
    /// The id as written.
    pub id: String,
    /// The known ids, comma-separated.
    pub known: String,
}

impl Category {
    /// Accepts any well-formed category id; whether the directory knows it is checked with
    /// [`Category::known`].
    pub fn parse(id: &str) -> Result<Self, BadCategoryId> {
        if super::is_slug(id) {
            Ok(Category(id.to_owned()))
        } else {
            Err(BadCategoryId(id.to_owned()))
        }
    }

    /// Accepts a standard category id or one of `custom` (the categories staff added).
    pub fn known(id: &str, custom: &[Category]) -> Result<Self, UnknownCategory> {
        let unknown = || UnknownCategory {
            id: id.to_owned(),
            known: STANDARD_CATEGORIES
                .iter()
                .copied()
                .chain(custom.iter().map(Category::id))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let category = Category::parse(id).map_err(|_| unknown())?;
        if category.is_standard() || custom.contains(&category) {
            Ok(category)
        } else {
            Err(unknown())
        }
    }

    /// Whether this is one of the fixed wording's categories.
    pub fn is_standard(&self) -> bool {
        STANDARD_CATEGORIES.contains(&self.0.as_str())
    }

    /// The stable id, as in files and on the wire.
    pub fn id(&self) -> &str {
        &self.0
    }

    /// The position in the standard "To" list, for ordering addressee lines (staff's own
    /// categories come after the standard ones).
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
    type Err = BadCategoryId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::parse(s)
    }
}

impl TryFrom<String> for Category {
    type Error = BadCategoryId;

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
        let custom = [Category::parse("regional-offices").unwrap()];
        assert!(Category::known("regional-offices", &custom).is_ok());
        assert!(Category::parse("Member States").is_err());
        let err = Category::known("member-state", &custom)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("unknown category 'member-state'"), "{err}");
    }
}
