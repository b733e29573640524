//! Addressees in categories and their contacts: the categories staff add, and the contacts read
//! back with their addressee, categories, status and topic choices.

use super::audit::audit;
use super::suppressions::suppression_on;
use super::topics::topic_choices;
use super::SuppressionReason;
use crate::{parse_column, timestamp, Store, StoreError};
use chrono::Utc;
use circulars_core::domain::{
    Addressee, AddresseeKey, Category, DirectoryIds, Language, RecipientAddress, TopicId,
};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::fmt;
use std::str::FromStr;

/// A contact's status as written in directory files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactStatus {
    /// Receives the circulars of its addressee's categories.
    Active,
    /// Kept in the directory, receives nothing (left the office, on leave, …).
    Inactive,
    /// The person asked for nothing at all: the address is suppressed.
    Unsubscribed,
}

impl ContactStatus {
    /// The name in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Active => "active",
            ContactStatus::Inactive => "inactive",
            ContactStatus::Unsubscribed => "unsubscribed",
        }
    }
}

impl fmt::Display for ContactStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContactStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(ContactStatus::Active),
            "inactive" => Ok(ContactStatus::Inactive),
            "unsubscribed" => Ok(ContactStatus::Unsubscribed),
            other => Err(format!(
                "'{other}' is not a status (active, inactive, unsubscribed)"
            )),
        }
    }
}

/// One row of a directory file: a contact with its addressee, as staff keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryRecord {
    /// The addressee's stable key.
    pub addressee: AddresseeKey,
    /// The addressee's name, as mail shows it.
    pub addressee_name: Addressee,
    /// The addressee's language, for contacts who name none.
    pub addressee_language: Option<Language>,
    /// The categories the addressee is in.
    pub categories: Vec<Category>,
    /// The address exactly as written.
    pub address_written: String,
    /// The address, normalised.
    pub address: RecipientAddress,
    /// The contact's name.
    pub name: String,
    /// The contact's preferred language.
    pub language: Option<Language>,
    /// The contact's role in the addressee (`Director`, `focal point`, …), may be empty.
    pub role: String,
    /// Active, inactive, or unsubscribed from everything.
    pub status: ContactStatus,
    /// Explicit topic choices: `(topic, subscribed)`.
    pub topics: Vec<(TopicId, bool)>,
    /// `file:line` it came from.
    pub source: String,
}

/// A contact with its addressee, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredContact {
    /// The contact's id.
    pub id: i64,
    /// The record it is (topics empty: subscriptions belong to the address).
    pub record: DirectoryRecord,
}

impl Store {
    /// The categories staff added and every topic, which circular files may name.
    pub async fn directory_ids(&self) -> Result<DirectoryIds, StoreError> {
        let custom: Vec<String> =
            sqlx::query_scalar("SELECT id FROM categories WHERE standard = 0 ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        let topics: Vec<String> = sqlx::query_scalar("SELECT id FROM topics ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        Ok(DirectoryIds {
            custom_categories: custom
                .iter()
                .map(|c| parse_column("categories", c))
                .collect::<Result<_, _>>()?,
            topics: topics
                .iter()
                .map(|t| parse_column("topics", t))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Adds a category of staff's own; false when it exists already.
    pub async fn add_category(
        &self,
        category: &Category,
        name: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let added = sqlx::query(
            "INSERT INTO categories (id, name, standard, created_at) VALUES ($1, $2, 0, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(category.id())
        .bind(name)
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if added {
            audit(
                &mut tx,
                &now,
                actor,
                "category.added",
                category.id(),
                json!({"name": name}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Every contact with this normalised address, with its addressee and categories.
    pub async fn contacts_for_address(
        &self,
        address: &RecipientAddress,
    ) -> Result<Vec<StoredContact>, StoreError> {
        let rows = sqlx::query(&format!(
            "{CONTACT_SELECT} WHERE c.address_key = $1 ORDER BY c.id"
        ))
        .bind(address.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let mut contacts = Vec::new();
        for row in rows {
            contacts.push(stored_contact(&mut conn, &row).await?);
        }
        Ok(contacts)
    }

    /// Every contact, ordered by addressee key then normalised address (the export order).
    pub async fn all_contacts(&self) -> Result<Vec<StoredContact>, StoreError> {
        let rows = sqlx::query(&format!("{CONTACT_SELECT} ORDER BY a.key, c.address_key"))
            .fetch_all(&self.pool)
            .await?;
        let mut conn = self.pool.acquire().await?;
        let mut contacts = Vec::new();
        for row in rows {
            contacts.push(stored_contact(&mut conn, &row).await?);
        }
        Ok(contacts)
    }

    /// How many contacts the directory holds.
    pub async fn directory_size(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }
}

/// The columns of a contact with its addressee.
const CONTACT_SELECT: &str = "SELECT c.id, c.address, c.address_key, c.name, c.language, c.role, c.active, c.source, \
     a.id AS addressee_id, a.key AS addressee_key, a.name AS addressee_name, a.language AS addressee_language \
     FROM contacts c JOIN addressees a ON a.id = c.addressee_id";

/// A contact read back from a row of [`CONTACT_SELECT`], with its categories, status and topics.
async fn stored_contact(
    conn: &mut AnyConnection,
    row: &AnyRow,
) -> Result<StoredContact, StoreError> {
    let addressee_id: i64 = row.try_get("addressee_id")?;
    let address: RecipientAddress = parse_address(&row.try_get::<String, _>("address_key")?)?;
    let active = row.try_get::<i64, _>("active")? != 0;
    let suppressed = suppression_on(&mut *conn, &address).await?;
    let status = match (active, suppressed) {
        (false, _) => ContactStatus::Inactive,
        (true, Some(s)) if s.reason == SuppressionReason::Unsubscribed => {
            ContactStatus::Unsubscribed
        }
        (true, _) => ContactStatus::Active,
    };
    let topics = topic_choices(&mut *conn, &address).await?;
    Ok(StoredContact {
        id: row.try_get("id")?,
        record: DirectoryRecord {
            addressee: parse_column("addressees", &row.try_get::<String, _>("addressee_key")?)?,
            addressee_name: parse_column(
                "addressees",
                &row.try_get::<String, _>("addressee_name")?,
            )?,
            addressee_language: optional_language(row, "addressee_language")?,
            categories: addressee_categories(&mut *conn, addressee_id).await?,
            address_written: row.try_get("address")?,
            address,
            name: row.try_get("name")?,
            language: optional_language(row, "language")?,
            role: row.try_get("role")?,
            status,
            topics,
            source: row.try_get("source")?,
        },
    })
}

/// An optional language column of `row`.
fn optional_language(row: &AnyRow, column: &str) -> Result<Option<Language>, StoreError> {
    row.try_get::<Option<String>, _>(column)?
        .map(|l| parse_column("contacts", &l))
        .transpose()
}

/// An addressee's categories, in the order of a circular's "To" list.
pub(super) async fn addressee_categories(
    conn: &mut AnyConnection,
    addressee_id: i64,
) -> Result<Vec<Category>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT category FROM addressee_categories WHERE addressee_id = $1 ORDER BY category",
    )
    .bind(addressee_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut categories: Vec<Category> = ids
        .iter()
        .map(|c| parse_column("addressee_categories", c))
        .collect::<Result<_, _>>()?;
    categories.sort_by(|a, b| a.rank().cmp(&b.rank()).then(a.cmp(b)));
    Ok(categories)
}

/// Reads a stored normalised address.
pub(crate) fn parse_address(key: &str) -> Result<RecipientAddress, StoreError> {
    RecipientAddress::parse(key).map_err(|e| StoreError::Corrupt {
        table: "address_key",
        why: e.to_string(),
    })
}
