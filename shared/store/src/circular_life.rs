//! A circular's steps through its life (submitted, approved, sent back, issued, paused,
//! resumed, cancelled) as conditional updates, each written with its entry in the circular's
//! audit trail in one transaction; the trail read back.
//!
//! Which step is allowed when, and for whom, is decided in `circulars-lifecycle`; here a step
//! only lands when the row is still as the caller saw it (state, revision, who drafted it), so
//! two people racing leave one consistent state: the second finds nothing to change.

use super::{parse_timestamp, timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{CircularId, CircularState, Via};
use sqlx::{AnyConnection, Row};

/// One step to take, if the circular is still as its taker saw it.
#[derive(Debug, Clone)]
pub struct StateChange<'a> {
    /// The states the step may start from.
    pub from: &'a [CircularState],
    /// The revision the taker saw (an approval is of one revision); `None`: any.
    pub revision: Option<i64>,
    /// The state it leads to.
    pub to: CircularState,
    /// The audit trail's word for it (`submitted`, `approved`, `sent-back`, …).
    pub action: &'a str,
    /// Who takes it: an account's name, or `system:<user>`.
    pub by: &'a str,
    /// From where.
    pub via: Via,
    /// What the audit trail keeps besides (a comment, the revision).
    pub detail: serde_json::Value,
    /// What becomes of the approval.
    pub approval: ApprovalMark,
}

/// What a step does to the circular's approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalMark {
    /// Leaves it as it is.
    Keep,
    /// Records the taker as the approver, now; the step lands only if the taker neither
    /// drafted nor last edited the circular.
    Set,
    /// Clears it.
    Clear,
}

/// One entry of a circular's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircularAuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who: an account's name, or `system:<user>`.
    pub actor: String,
    /// From where.
    pub via: String,
    /// What: `drafted`, `edited`, `submitted`, `approved`, `sent-back`, `issued`, …
    pub action: String,
    /// The rest, as JSON (revision, comment, fields changed).
    pub detail: String,
}

/// Where a circular stands: its state, revision, and who drafted, edited and approved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifeMarks {
    /// Where it is in its life.
    pub state: CircularState,
    /// The revision (bumped by every edit).
    pub revision: i64,
    /// Who drafted it.
    pub drafted_by: String,
    /// Who last edited it.
    pub edited_by: String,
    /// Who approved this revision, and when.
    pub approved: Option<(String, DateTime<Utc>)>,
}

impl Store {
    /// Takes `change` if the circular is still in one of `change.from` (and at
    /// `change.revision`, and, for an approval, neither drafted nor last edited by its taker);
    /// says whether it landed. An unknown circular is an error.
    pub async fn change_state(
        &self,
        id: &CircularId,
        change: &StateChange<'_>,
    ) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut sql = String::from("UPDATE circulars SET state = $1, updated_at = $2");
        match change.approval {
            ApprovalMark::Keep => {}
            ApprovalMark::Set => sql.push_str(", approved_by = $3, approved_at = $2"),
            ApprovalMark::Clear => sql.push_str(", approved_by = NULL, approved_at = NULL"),
        }
        // An approval lands only if its taker neither drafted nor last edited the circular.
        sql.push_str(
            " WHERE id = $4 AND revision = COALESCE($5, revision) \
             AND ($6 = 0 OR (drafted_by <> $3 AND edited_by <> $3))",
        );
        let states: Vec<String> = change.from.iter().map(|s| format!("'{s}'")).collect();
        sql.push_str(&format!(" AND state IN ({})", states.join(", ")));
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(&sql)
            .bind(change.to.as_str())
            .bind(&now)
            .bind(change.by)
            .bind(id.as_str())
            .bind(change.revision)
            .bind(i64::from(change.approval == ApprovalMark::Set))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            self.existing_life(id).await?;
            return Ok(false);
        }
        audit(
            &mut tx,
            id,
            &now,
            change.by,
            change.via,
            change.action,
            &change.detail,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Where the circular stands, or [`StoreError::UnknownCircular`].
    pub async fn existing_life(&self, id: &CircularId) -> Result<LifeMarks, StoreError> {
        let row = sqlx::query(
            "SELECT state, revision, drafted_by, edited_by, approved_by, approved_at FROM circulars WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::UnknownCircular(id.clone()))?;
        let approved_by: Option<String> = row.try_get("approved_by")?;
        let approved_at = super::timestamp_column(&row, "circulars", "approved_at")?;
        Ok(LifeMarks {
            state: state_column(&row)?,
            revision: row.try_get("revision")?,
            drafted_by: row.try_get("drafted_by")?,
            edited_by: row.try_get("edited_by")?,
            approved: approved_by.zip(approved_at),
        })
    }

    /// The circular's audit trail, oldest first.
    pub async fn circular_history(
        &self,
        id: &CircularId,
    ) -> Result<Vec<CircularAuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, via, action, detail FROM circular_audit WHERE circular_id = $1 ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CircularAuditEntry {
                    at: parse_timestamp("circular_audit", &row.try_get::<String, _>("at")?)?,
                    actor: row.try_get("actor")?,
                    via: row.try_get("via")?,
                    action: row.try_get("action")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }
}

/// Reads the `state` column.
pub(crate) fn state_column(row: &sqlx::any::AnyRow) -> Result<CircularState, StoreError> {
    row.try_get::<String, _>("state")?.parse().map_err(
        |e: circulars_core::domain::UnknownCircularState| StoreError::Corrupt {
            table: "circulars",
            why: e.to_string(),
        },
    )
}

/// Appends one entry to the circular's audit trail.
pub(crate) async fn audit(
    conn: &mut AnyConnection,
    id: &CircularId,
    now: &str,
    by: &str,
    via: Via,
    action: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO circular_audit (circular_id, at, actor, via, action, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.as_str())
    .bind(now)
    .bind(by)
    .bind(via.as_str())
    .bind(action)
    .bind(detail.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
