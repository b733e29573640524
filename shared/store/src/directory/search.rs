//! The directory searched by staff: contacts whose address, name, addressee key or addressee
//! name contains some text, a page at a time.

use super::contacts::parse_address;
use crate::{parse_column, Store, StoreError};
use circulars_core::domain::{AddresseeKey, RecipientAddress};
use sqlx::Row;

/// One contact a search found, with its addressee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryMatch {
    /// The contact's id.
    pub contact_id: i64,
    /// The normalised address (what the address's page is found by).
    pub address: RecipientAddress,
    /// The address as written.
    pub address_written: String,
    /// The contact's name.
    pub name: String,
    /// The contact's role in its addressee, may be empty.
    pub role: String,
    /// Whether the contact receives its addressee's circulars (`false`: inactive).
    pub active: bool,
    /// The addressee's key.
    pub addressee: AddresseeKey,
    /// The addressee's name.
    pub addressee_name: String,
}

/// The `LIKE` pattern of "contains `text`", lower-cased, with `%`, `_` and `\` taken literally
/// (the statements say `ESCAPE '\'`). Empty text matches everything.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl Store {
    /// The contacts whose address (as written or normalised), name, addressee key or addressee
    /// name contains `text`, ignoring case (ASCII letters only on SQLite, whose `LOWER` knows
    /// no other), ordered by address then addressee: `limit` of them after skipping `offset`.
    /// Empty text lists the whole directory in the same order.
    pub async fn search_directory(
        &self,
        text: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<DirectoryMatch>, StoreError> {
        let pattern = contains_pattern(text);
        let rows = sqlx::query(
            "SELECT c.id, c.address, c.address_key, c.name, c.role, c.active, \
             a.key AS addressee_key, a.name AS addressee_name \
             FROM contacts c JOIN addressees a ON a.id = c.addressee_id \
             WHERE LOWER(c.address_key) LIKE $1 ESCAPE '\\' OR LOWER(c.address) LIKE $2 ESCAPE '\\' \
             OR LOWER(c.name) LIKE $3 ESCAPE '\\' OR LOWER(a.key) LIKE $4 ESCAPE '\\' \
             OR LOWER(a.name) LIKE $5 ESCAPE '\\' \
             ORDER BY c.address_key, a.key, c.id LIMIT $6 OFFSET $7",
        )
        .bind(&pattern)
        .bind(&pattern)
        .bind(&pattern)
        .bind(&pattern)
        .bind(&pattern)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DirectoryMatch {
                    contact_id: row.try_get("id")?,
                    address: parse_address(&row.try_get::<String, _>("address_key")?)?,
                    address_written: row.try_get("address")?,
                    name: row.try_get("name")?,
                    role: row.try_get("role")?,
                    active: row.try_get::<i64, _>("active")? != 0,
                    addressee: parse_column(
                        "addressees",
                        &row.try_get::<String, _>("addressee_key")?,
                    )?,
                    addressee_name: row.try_get("addressee_name")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_pattern_takes_wildcards_literally_and_ignores_case() {
        assert_eq!(contains_pattern(" Amina "), "%amina%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern(""), "%%");
        assert_eq!(contains_pattern("ÉCOLE"), "%école%");
    }
}
