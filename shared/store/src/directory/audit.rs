//! The directory's audit trail: one entry for every change, with who made it, read back by
//! subject.

use crate::{parse_timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

/// One entry of the directory's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who or what (`import d.csv (by ana)`, `recipient (one-click)`).
    pub actor: String,
    /// What kind of change (`contact.created`, `suppression.added`, …).
    pub action: String,
    /// The addressee key or normalised address it concerns.
    pub subject: String,
    /// What changed, as JSON.
    pub detail: String,
}

impl Store {
    /// The audit entries about one subject (addressee key or normalised address), oldest first.
    pub async fn audit_trail(&self, subject: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, subject, detail FROM directory_audit WHERE subject = $1 ORDER BY id",
        )
        .bind(subject)
        .fetch_all(&self.pool)
        .await?;
        entries(&rows)
    }

    /// One page of the audit entries about one subject, oldest first: `limit` of them after
    /// skipping `offset`.
    pub async fn audit_trail_page(
        &self,
        subject: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, subject, detail FROM directory_audit WHERE subject = $1 \
             ORDER BY id LIMIT $2 OFFSET $3",
        )
        .bind(subject)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await?;
        entries(&rows)
    }
}

/// Audit entries read back from rows of `at, actor, action, subject, detail`.
fn entries(rows: &[sqlx::any::AnyRow]) -> Result<Vec<AuditEntry>, StoreError> {
    rows.iter()
        .map(|row| {
            Ok(AuditEntry {
                at: parse_timestamp("directory_audit", &row.try_get::<String, _>("at")?)?,
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                subject: row.try_get("subject")?,
                detail: row.try_get("detail")?,
            })
        })
        .collect()
}

/// Appends one entry to the audit trail.
pub(crate) async fn audit(
    conn: &mut AnyConnection,
    now: &str,
    actor: &str,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO directory_audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now)
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(detail.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
