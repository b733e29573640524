//! Directory records stored: addressees and contacts created or updated (the recipients'
//! choices in `import_choices`), each change in the audit trail, and what changed (or, in a dry
//! run, would change) reported.

use super::audit::audit;
use super::contacts::addressee_categories;
use super::import_choices::{apply_status, apply_topics, keep_chosen_language};
use super::{ContactStatus, DirectoryRecord};
use crate::{timestamp, Backend, Store, StoreError};
use chrono::Utc;
use circulars_core::domain::{Category, Language};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeSet;

/// An import that changes at least this many records is a bulk load, after which PostgreSQL's
/// planner statistics are refreshed at once (see [`Store::refresh_directory_statistics`]).
pub(crate) const BULK_IMPORT: u64 = 1_000;

/// The directory's tables whose statistics the audience queries' plans depend on.
const DIRECTORY_TABLES: &str =
    "contacts, addressees, addressee_categories, subscriptions, suppressions, language_choices";

/// What an import changed (or, in a dry run, would change).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Addressees that were new.
    pub addressees_created: u64,
    /// Addressees whose name, language or categories changed.
    pub addressees_updated: u64,
    /// Contacts that were new.
    pub contacts_created: u64,
    /// Contacts whose address spelling, name, language, role or status changed.
    pub contacts_updated: u64,
    /// Topic choices set or changed.
    pub subscriptions_changed: u64,
    /// Addresses newly suppressed because the file says `unsubscribed`.
    pub suppressions_added: u64,
    /// Rows that changed nothing.
    pub unchanged: u64,
    /// Where the file disagrees with a recipient's own choice (a suppression, a topic, the
    /// language of their circulars), which is kept: one line each, naming the file's line.
    pub kept: Vec<String>,
}

impl ImportReport {
    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        self.changes() > 0
    }

    /// How many changes of any kind.
    fn changes(&self) -> u64 {
        self.addressees_created
            + self.addressees_updated
            + self.contacts_created
            + self.contacts_updated
            + self.subscriptions_changed
            + self.suppressions_added
    }
}

impl Store {
    /// Upserts directory records (addressees by key, contacts by addressee and normalised
    /// address) in one transaction, with an audit entry per change; a dry run reports the same
    /// and stores nothing. Never lifts a suppression nor overrides a recipient's own choice (a
    /// topic's, or the language of their circulars).
    pub async fn import_directory(
        &self,
        records: &[DirectoryRecord],
        actor: &str,
        dry_run: bool,
    ) -> Result<ImportReport, StoreError> {
        let now = timestamp(Utc::now());
        let mut report = ImportReport::default();
        let mut tx = self.begin_write().await?;
        let mut addressees_seen = BTreeSet::new();
        let mut addresses_seen = BTreeSet::new();
        for r in records {
            let changes_before = report.changes();
            let addressee_id = upsert_addressee(
                &mut tx,
                r,
                actor,
                &now,
                addressees_seen.insert(r.addressee.clone()),
                &mut report,
            )
            .await?;
            upsert_contact(&mut tx, addressee_id, r, actor, &now, &mut report).await?;
            let first_of_address = addresses_seen.insert(r.address.clone());
            apply_status(&mut tx, r, actor, &now, first_of_address, &mut report).await?;
            if first_of_address {
                keep_chosen_language(&mut tx, r, &mut report).await?;
            }
            apply_topics(&mut tx, r, actor, &now, first_of_address, &mut report).await?;
            if report.changes() == changes_before {
                report.unchanged += 1;
            }
        }
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
            if report.changes() >= BULK_IMPORT {
                self.refresh_directory_statistics().await;
            }
        }
        Ok(report)
    }

    /// Refreshes PostgreSQL's planner statistics of the directory's tables after a bulk
    /// import. Autovacuum would, within a minute or so; until it does, the planner sizes the
    /// audience queries on the tables as they were, and a circular issued right after a
    /// million-contact import waited 4.5 s for its first mail instead of 0.4 s
    /// (docs/BENCHMARKS.md). SQLite keeps no statistics unless asked, and its audience query is
    /// written for a planner without them, so nothing is done there. The import is committed
    /// before: a failure here is logged, not returned.
    pub async fn refresh_directory_statistics(&self) {
        if self.backend != Backend::Postgres {
            return;
        }
        let analyze = format!("ANALYZE {DIRECTORY_TABLES}");
        if let Err(e) = sqlx::query(&analyze).execute(&self.pool).await {
            tracing::warn!(error = %e, "cannot refresh the directory's planner statistics");
        }
    }
}

/// Inserts or updates the record's addressee (only at its first row in the file) and returns
/// its id.
async fn upsert_addressee(
    conn: &mut AnyConnection,
    r: &DirectoryRecord,
    actor: &str,
    now: &str,
    first_row: bool,
    report: &mut ImportReport,
) -> Result<i64, StoreError> {
    let existing = sqlx::query("SELECT id, name, language FROM addressees WHERE key = $1")
        .bind(r.addressee.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let language = r.addressee_language.map(Language::code);
    let Some(row) = existing else {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO addressees (key, name, language, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(r.addressee.as_str())
        .bind(r.addressee_name.name())
        .bind(language)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        set_categories(conn, id, &r.categories).await?;
        audit(
            conn,
            now,
            actor,
            "addressee.created",
            r.addressee.as_str(),
            json!({"name": r.addressee_name.name(), "language": language,
                   "categories": ids(&r.categories), "source": r.source}),
        )
        .await?;
        report.addressees_created += 1;
        return Ok(id);
    };
    let id: i64 = row.try_get("id")?;
    if !first_row {
        return Ok(id);
    }
    let old_name: String = row.try_get("name")?;
    let old_language: Option<String> = row.try_get("language")?;
    let old_categories = addressee_categories(conn, id).await?;
    let mut new_categories = r.categories.clone();
    new_categories.sort_by(|a, b| a.rank().cmp(&b.rank()).then(a.cmp(b)));
    let mut changes = serde_json::Map::new();
    if old_name != r.addressee_name.name() {
        changes.insert("name".into(), json!([old_name, r.addressee_name.name()]));
    }
    if old_language.as_deref() != language {
        changes.insert("language".into(), json!([old_language, language]));
    }
    if old_categories != new_categories {
        changes.insert(
            "categories".into(),
            json!([ids(&old_categories), ids(&new_categories)]),
        );
    }
    if changes.is_empty() {
        return Ok(id);
    }
    sqlx::query("UPDATE addressees SET name = $1, language = $2, updated_at = $3 WHERE id = $4")
        .bind(r.addressee_name.name())
        .bind(language)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    set_categories(conn, id, &new_categories).await?;
    changes.insert("source".into(), json!(r.source));
    audit(
        conn,
        now,
        actor,
        "addressee.updated",
        r.addressee.as_str(),
        serde_json::Value::Object(changes),
    )
    .await?;
    report.addressees_updated += 1;
    Ok(id)
}

/// Replaces an addressee's categories.
async fn set_categories(
    conn: &mut AnyConnection,
    addressee_id: i64,
    categories: &[Category],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM addressee_categories WHERE addressee_id = $1")
        .bind(addressee_id)
        .execute(&mut *conn)
        .await?;
    for c in categories {
        sqlx::query("INSERT INTO addressee_categories (addressee_id, category) VALUES ($1, $2)")
            .bind(addressee_id)
            .bind(c.id())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Inserts or updates the record's contact (by addressee and normalised address).
async fn upsert_contact(
    conn: &mut AnyConnection,
    addressee_id: i64,
    r: &DirectoryRecord,
    actor: &str,
    now: &str,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let language = r.language.map(Language::code);
    let active = i64::from(r.status != ContactStatus::Inactive);
    let existing = sqlx::query(
        "SELECT id, address, name, language, role, active FROM contacts WHERE addressee_id = $1 AND address_key = $2",
    )
    .bind(addressee_id)
    .bind(r.address.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = existing else {
        insert_contact(conn, addressee_id, r, actor, now).await?;
        report.contacts_created += 1;
        return Ok(());
    };
    let id: i64 = row.try_get("id")?;
    let mut changes = serde_json::Map::new();
    let old: (String, String, Option<String>, String, i64) = (
        row.try_get("address")?,
        row.try_get("name")?,
        row.try_get("language")?,
        row.try_get("role")?,
        row.try_get("active")?,
    );
    if old.0 != r.address_written {
        changes.insert("address".into(), json!([old.0, r.address_written]));
    }
    if old.1 != r.name {
        changes.insert("name".into(), json!([old.1, r.name]));
    }
    if old.2.as_deref() != language {
        changes.insert("language".into(), json!([old.2, language]));
    }
    if old.3 != r.role {
        changes.insert("role".into(), json!([old.3, r.role]));
    }
    if old.4 != active {
        changes.insert("active".into(), json!([old.4 == 1, active == 1]));
    }
    if changes.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE contacts SET address = $1, name = $2, language = $3, role = $4, active = $5, source = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(&r.address_written)
    .bind(&r.name)
    .bind(language)
    .bind(&r.role)
    .bind(active)
    .bind(&r.source)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    changes.insert("addressee".into(), json!(r.addressee.as_str()));
    changes.insert("source".into(), json!(r.source));
    audit(
        conn,
        now,
        actor,
        "contact.updated",
        r.address.as_str(),
        serde_json::Value::Object(changes),
    )
    .await?;
    report.contacts_updated += 1;
    Ok(())
}

/// Inserts the record's contact, new to its addressee, with its audit entry.
async fn insert_contact(
    conn: &mut AnyConnection,
    addressee_id: i64,
    r: &DirectoryRecord,
    actor: &str,
    now: &str,
) -> Result<(), StoreError> {
    let language = r.language.map(Language::code);
    let active = i64::from(r.status != ContactStatus::Inactive);
    sqlx::query(
        "INSERT INTO contacts (addressee_id, address, address_key, name, language, role, active, source, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(addressee_id)
    .bind(&r.address_written)
    .bind(r.address.as_str())
    .bind(&r.name)
    .bind(language)
    .bind(&r.role)
    .bind(active)
    .bind(&r.source)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    audit(
        conn,
        now,
        actor,
        "contact.created",
        r.address.as_str(),
        json!({"addressee": r.addressee.as_str(), "address": r.address_written, "name": r.name,
               "language": language, "role": r.role, "active": active == 1, "source": r.source}),
    )
    .await?;
    Ok(())
}

/// The ids of categories, as the audit trail writes them.
fn ids(categories: &[Category]) -> Vec<&str> {
    categories.iter().map(Category::id).collect()
}
