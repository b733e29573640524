//! Drafts and the lifecycle marks of a circular.

use super::circular_life::{audit, LifeMarks};
use super::{timestamp, timestamp_column, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{Circular, CircularId, CircularState, Via};
use serde_json::json;
use sqlx::Row;

/// What `save_draft` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftOutcome {
    /// A new draft.
    Created,
    /// An existing draft was replaced.
    Updated,
}

/// What `mark_issued` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueMark {
    /// Issued now.
    NewlyIssued,
    /// Not issued: the circular is in a state the issue may not start from.
    NotReady(CircularState),
    /// Issued before; `announced` says whether `circular.issued` was already acknowledged.
    AlreadyIssued {
        /// Whether the issue event reached JetStream.
        announced: bool,
    },
}

/// A circular with its lifecycle marks.
#[derive(Debug, Clone)]
pub struct StoredCircular {
    /// The circular as drafted.
    pub circular: Circular,
    /// When it was issued.
    pub issued_at: Option<DateTime<Utc>>,
    /// When its audience was frozen, and how many recipients it holds.
    pub audience: Option<(DateTime<Utc>, u64)>,
    /// Where it stands in its life.
    pub life: LifeMarks,
}

impl Store {
    /// Stores a draft with its annexes, or replaces the unissued circular with the same id
    /// (annexes included), in one transaction; refuses once issued. An edit returns the
    /// circular to `draft`, bumps its revision and clears its approval; the audit trail records
    /// who drafted or edited it, from where, and which fields changed.
    pub async fn save_draft(
        &self,
        circular: &Circular,
        source: &str,
        annexes: &[super::Annex],
        by: &str,
        via: Via,
    ) -> Result<DraftOutcome, StoreError> {
        let document = serde_json::to_value(circular).map_err(|e| StoreError::Corrupt {
            table: "circulars",
            why: e.to_string(),
        })?;
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let existing =
            sqlx::query("SELECT document, state, revision, issued_at FROM circulars WHERE id = $1")
                .bind(circular.id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let outcome = match existing {
            Some(row) => {
                if row.try_get::<Option<String>, _>("issued_at")?.is_some() {
                    return Err(StoreError::AlreadyIssued(circular.id.clone()));
                }
                let before: serde_json::Value =
                    serde_json::from_str(&row.try_get::<String, _>("document")?)
                        .unwrap_or_default();
                let revision: i64 = row.try_get::<i64, _>("revision")? + 1;
                sqlx::query(
                    "UPDATE circulars SET document = $1, source = $2, updated_at = $3, edited_by = $4, \
                     revision = $5, state = 'draft', approved_by = NULL, approved_at = NULL, archive = $7 \
                     WHERE id = $6",
                )
                .bind(document.to_string())
                .bind(source)
                .bind(&now)
                .bind(by)
                .bind(revision)
                .bind(circular.id.as_str())
                .bind(i64::from(circular.archive))
                .execute(&mut *tx)
                .await?;
                let was = super::circular_life::state_column(&row)?;
                let detail = json!({
                    "revision": revision,
                    "was": was.as_str(),
                    "changed": changed_fields(&before, &document),
                    "source": source,
                });
                audit(&mut tx, &circular.id, &now, by, via, "edited", &detail).await?;
                DraftOutcome::Updated
            }
            None => {
                sqlx::query(
                    "INSERT INTO circulars (id, document, source, drafted_at, updated_at, drafted_by, edited_by, archive) \
                     VALUES ($1, $2, $3, $4, $4, $5, $5, $6)",
                )
                .bind(circular.id.as_str())
                .bind(document.to_string())
                .bind(source)
                .bind(&now)
                .bind(by)
                .bind(i64::from(circular.archive))
                .execute(&mut *tx)
                .await?;
                let detail = json!({ "revision": 1, "source": source });
                audit(&mut tx, &circular.id, &now, by, via, "drafted", &detail).await?;
                DraftOutcome::Created
            }
        };
        super::annexes::replace(&mut tx, &circular.id, annexes).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The circular with this id, when there is one.
    pub async fn circular(&self, id: &CircularId) -> Result<Option<StoredCircular>, StoreError> {
        let row = sqlx::query(
            "SELECT document, issued_at, audience_frozen_at, audience_size FROM circulars WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let document: String = row.try_get("document")?;
        let circular = serde_json::from_str(&document).map_err(|e| StoreError::Corrupt {
            table: "circulars",
            why: format!("{id}: {e}"),
        })?;
        let frozen = timestamp_column(&row, "circulars", "audience_frozen_at")?;
        let size: Option<i64> = row.try_get("audience_size")?;
        Ok(Some(StoredCircular {
            circular,
            issued_at: timestamp_column(&row, "circulars", "issued_at")?,
            audience: frozen.map(|at| (at, size.unwrap_or(0).max(0) as u64)),
            life: self.existing_life(id).await?,
        }))
    }

    /// The circular with this id, or [`StoreError::UnknownCircular`].
    pub async fn existing_circular(&self, id: &CircularId) -> Result<StoredCircular, StoreError> {
        self.circular(id)
            .await?
            .ok_or_else(|| StoreError::UnknownCircular(id.clone()))
    }

    /// Marks the circular issued at `at`, once, if it is in one of the states `from`; records
    /// who issued it, from where. Says whether it was issued before, or why it is not now.
    pub async fn mark_issued(
        &self,
        id: &CircularId,
        at: DateTime<Utc>,
        from: &[CircularState],
        by: &str,
        via: Via,
    ) -> Result<IssueMark, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT issued_at, announced_at, state, revision FROM circulars WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::UnknownCircular(id.clone()))?;
        let issued = timestamp_column(&row, "circulars", "issued_at")?;
        let announced = timestamp_column(&row, "circulars", "announced_at")?;
        if issued.is_some() {
            return Ok(IssueMark::AlreadyIssued {
                announced: announced.is_some(),
            });
        }
        let state = super::circular_life::state_column(&row)?;
        if !from.contains(&state) {
            return Ok(IssueMark::NotReady(state));
        }
        let now = timestamp(at);
        sqlx::query(
            "UPDATE circulars SET issued_at = $1, updated_at = $1, state = 'issued' WHERE id = $2",
        )
        .bind(&now)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        let detail =
            json!({ "revision": row.try_get::<i64, _>("revision")?, "was": state.as_str() });
        audit(&mut tx, id, &now, by, via, "issued", &detail).await?;
        tx.commit().await?;
        Ok(IssueMark::NewlyIssued)
    }

    /// Records that `circular.issued` was acknowledged by JetStream.
    pub async fn mark_announced(
        &self,
        id: &CircularId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write_one(
            sqlx::query(
                "UPDATE circulars SET announced_at = COALESCE(announced_at, $1) WHERE id = $2",
            )
            .bind(timestamp(at))
            .bind(id.as_str()),
        )
        .await?;
        Ok(())
    }

    /// When the circular was issued, read from its row.
    pub async fn issued_at(&self, id: &CircularId) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query("SELECT issued_at FROM circulars WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => timestamp_column(&row, "circulars", "issued_at"),
            None => Err(StoreError::UnknownCircular(id.clone())),
        }
    }
}

/// The top-level fields of a circular's document that differ between two versions.
fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut fields: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|key| before.get(*key) != after.get(*key))
        .cloned()
        .collect();
    fields.sort();
    fields.dedup();
    fields
}
