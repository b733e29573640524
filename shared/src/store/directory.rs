//! The directory: contacts of addressees, each in one or more categories.

use super::{parse_column, placeholders, timestamp, Store, StoreError};
use crate::domain::{Addressee, Category, Language, RecipientAddress};
use chrono::Utc;
use sqlx::Row;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Whether a contact receives circulars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStatus {
    /// Receives the circulars of its categories.
    Active,
    /// Asked to receive nothing.
    Unsubscribed,
}

impl EntryStatus {
    /// The name in files and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Active => "active",
            EntryStatus::Unsubscribed => "unsubscribed",
        }
    }
}

impl fmt::Display for EntryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntryStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(EntryStatus::Active),
            "unsubscribed" => Ok(EntryStatus::Unsubscribed),
            other => Err(format!("'{other}' is not a status (active, unsubscribed)")),
        }
    }
}

/// One contact of one addressee, as imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// The organisation or office.
    pub addressee: Addressee,
    /// The address exactly as written in the file.
    pub address_written: String,
    /// The address, normalised.
    pub address: RecipientAddress,
    /// The contact's name.
    pub name: String,
    /// The contact's preferred language.
    pub language: Language,
    /// Whether the contact receives circulars.
    pub status: EntryStatus,
    /// The categories the addressee is in.
    pub categories: Vec<Category>,
    /// `file:line` it came from.
    pub source: String,
}

/// A directory entry as stored, with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Stable id of the entry.
    pub id: i64,
    /// The entry.
    pub entry: DirectoryEntry,
}

/// What one import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Entries that were new.
    pub created: u64,
    /// Entries that existed and were replaced.
    pub updated: u64,
}

impl Store {
    /// Upserts entries by (addressee, normalised address) in one transaction: all or nothing.
    pub async fn import_entries(
        &self,
        entries: &[DirectoryEntry],
    ) -> Result<ImportSummary, StoreError> {
        let now = Utc::now();
        let mut summary = ImportSummary::default();
        let mut tx = self.pool.begin().await?;
        for e in entries {
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM directory_entries WHERE addressee = $1 AND address_key = $2",
            )
            .bind(e.addressee.name())
            .bind(e.address.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let id = match existing {
                Some(id) => {
                    sqlx::query(
                        "UPDATE directory_entries SET address = $1, name = $2, language = $3, status = $4, source = $5, updated_at = $6 WHERE id = $7",
                    )
                    .bind(&e.address_written)
                    .bind(&e.name)
                    .bind(e.language.code())
                    .bind(e.status.as_str())
                    .bind(&e.source)
                    .bind(timestamp(now))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM entry_categories WHERE entry_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    summary.updated += 1;
                    id
                }
                None => {
                    summary.created += 1;
                    sqlx::query_scalar(
                        "INSERT INTO directory_entries (addressee, address, address_key, name, language, status, source, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(e.addressee.name())
                    .bind(&e.address_written)
                    .bind(e.address.as_str())
                    .bind(&e.name)
                    .bind(e.language.code())
                    .bind(e.status.as_str())
                    .bind(&e.source)
                    .bind(timestamp(now))
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            for category in &e.categories {
                sqlx::query(
                    "INSERT OR IGNORE INTO entry_categories (entry_id, category) VALUES ($1, $2)",
                )
                .bind(id)
                .bind(category.id())
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Every entry in at least one of `categories`, with all its categories, ordered by
    /// normalised address then entry id.
    pub async fn entries_in_categories(
        &self,
        categories: &[Category],
    ) -> Result<Vec<StoredEntry>, StoreError> {
        let sql = format!(
            "SELECT e.id, e.addressee, e.address, e.address_key, e.name, e.language, e.status, e.source, c.category \
             FROM directory_entries e JOIN entry_categories c ON c.entry_id = e.id \
             WHERE e.id IN (SELECT entry_id FROM entry_categories WHERE category IN ({})) \
             ORDER BY e.address_key, e.id, c.category",
            placeholders(1, categories.len())
        );
        let mut query = sqlx::query(&sql);
        for c in categories {
            query = query.bind(c.id());
        }
        let rows = query.fetch_all(&self.pool).await?;
        collect_entries(rows)
    }

    /// Every entry for one normalised address, with its categories.
    pub async fn entries_for_address(
        &self,
        address: &RecipientAddress,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.id, e.addressee, e.address, e.address_key, e.name, e.language, e.status, e.source, c.category \
             FROM directory_entries e LEFT JOIN entry_categories c ON c.entry_id = e.id \
             WHERE e.address_key = $1 ORDER BY e.id, c.category",
        )
        .bind(address.as_str())
        .fetch_all(&self.pool)
        .await?;
        collect_entries(rows)
    }

    /// How many entries the directory holds.
    pub async fn directory_size(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM directory_entries")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }
}

/// Folds one row per (entry, category) into entries, keeping the rows' order.
fn collect_entries(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<StoredEntry>, StoreError> {
    let mut order = Vec::new();
    let mut by_id: BTreeMap<i64, StoredEntry> = BTreeMap::new();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let category: Option<String> = row.try_get("category")?;
        if let std::collections::btree_map::Entry::Vacant(slot) = by_id.entry(id) {
            let language: String = row.try_get("language")?;
            let status: String = row.try_get("status")?;
            let key: String = row.try_get("address_key")?;
            slot.insert(StoredEntry {
                id,
                entry: DirectoryEntry {
                    addressee: parse_column(
                        "directory_entries",
                        &row.try_get::<String, _>("addressee")?,
                    )?,
                    address_written: row.try_get("address")?,
                    address: parse_address(&key)?,
                    name: row.try_get("name")?,
                    language: parse_column("directory_entries", &language)?,
                    status: parse_column("directory_entries", &status)?,
                    categories: Vec::new(),
                    source: row.try_get("source")?,
                },
            });
            order.push(id);
        }
        if let (Some(c), Some(stored)) = (category, by_id.get_mut(&id)) {
            stored
                .entry
                .categories
                .push(Category::try_from(c).map_err(|e| StoreError::Corrupt {
                    table: "entry_categories",
                    why: e.to_string(),
                })?);
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .collect())
}

/// Reads a stored normalised address.
pub(super) fn parse_address(key: &str) -> Result<RecipientAddress, StoreError> {
    RecipientAddress::parse(key).map_err(|e| StoreError::Corrupt {
        table: "address_key",
        why: e.to_string(),
    })
}
