//! The staff audit trail: every change to an account or token, and every refused sign-in,
//! with who did it and from where, read back per account.

use crate::{parse_timestamp, timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::Actor;
use sqlx::{AnyConnection, Row};

/// Who made a change, as the staff audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAuthor {
    /// The account's name, `system:<user>` for the CLI's operating-system user, or `config`.
    pub name: String,
    /// Where from: `page`, `api`, `cli`, or `config` for `[gateway.staff_keys]`.
    pub via: &'static str,
}

impl StaffAuthor {
    /// The configuration file's `[gateway.staff_keys]`, imported when the gateway starts.
    pub fn configuration() -> StaffAuthor {
        StaffAuthor {
            name: "config [gateway.staff_keys]".to_owned(),
            via: "config",
        }
    }
}

impl From<&Actor> for StaffAuthor {
    fn from(actor: &Actor) -> StaffAuthor {
        StaffAuthor {
            name: actor.name(),
            via: actor.via.as_str(),
        }
    }
}

/// One entry of the staff audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (see [`StaffAuthor::name`]); for a refused sign-in, the client's address.
    pub actor: String,
    /// Where from (see [`StaffAuthor::via`]).
    pub via: String,
    /// What happened: `account.created`, `account.disabled`, `account.roles-changed`,
    /// `account.password-changed`, `token.created`, `token.revoked`, `sign-in.refused`.
    pub action: String,
    /// The account concerned (for a refused sign-in, the name as typed).
    pub subject: String,
    /// The details, as JSON.
    pub detail: String,
}

impl Store {
    /// The staff audit entries about one account (or name tried), oldest first.
    pub async fn staff_audit(&self, subject: &str) -> Result<Vec<StaffAuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, via, action, subject, detail FROM staff_audit \
             WHERE subject = $1 ORDER BY id",
        )
        .bind(subject)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StaffAuditEntry {
                    at: parse_timestamp("staff_audit", &row.try_get::<String, _>("at")?)?,
                    actor: row.try_get("actor")?,
                    via: row.try_get("via")?,
                    action: row.try_get("action")?,
                    subject: row.try_get("subject")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }

    /// Records an event that changes nothing else (a refused sign-in), in its own transaction.
    pub async fn record_staff_event(
        &self,
        by: &StaffAuthor,
        action: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        staff_audit(&mut tx, &timestamp(Utc::now()), by, action, subject, detail).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Appends one entry to the staff audit trail, in the caller's transaction.
pub(crate) async fn staff_audit(
    conn: &mut AnyConnection,
    now: &str,
    by: &StaffAuthor,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO staff_audit (at, actor, via, action, subject, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now)
    .bind(&by.name)
    .bind(by.via)
    .bind(action)
    .bind(subject)
    .bind(detail.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
