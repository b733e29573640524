//! What staff read when they pick a circular's categories and topic: every category with its
//! name for staff (the standard ones and staff's own), and every topic.

use super::Topic;
use crate::{parse_column, Store, StoreError};
use circulars_core::domain::Category;
use sqlx::Row;

/// A category with the name staff know it by (the circular's wording is in `locales/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedCategory {
    /// Its id.
    pub id: Category,
    /// Its name for staff (`Administrations of Member States`).
    pub name: String,
    /// Whether it is one of the fixed wording's categories (else staff added it).
    pub standard: bool,
}

impl Store {
    /// Every category with its name: the standard ones in the order of the standard "To"
    /// list, then staff's own by id.
    pub async fn named_categories(&self) -> Result<Vec<NamedCategory>, StoreError> {
        let rows = sqlx::query("SELECT id, name, standard FROM categories ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut categories = rows
            .iter()
            .map(|row| {
                Ok(NamedCategory {
                    id: parse_column("categories", &row.try_get::<String, _>("id")?)?,
                    name: row.try_get("name")?,
                    standard: row.try_get::<i64, _>("standard")? != 0,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        categories.sort_by_key(|c| c.id.rank());
        Ok(categories)
    }

    /// Every topic, by id.
    pub async fn all_topics(&self) -> Result<Vec<Topic>, StoreError> {
        let rows = sqlx::query("SELECT id, name, opt_in FROM topics ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Topic {
                    id: parse_column("topics", &row.try_get::<String, _>("id")?)?,
                    name: row.try_get("name")?,
                    opt_in: row.try_get::<i64, _>("opt_in")? != 0,
                })
            })
            .collect()
    }
}
