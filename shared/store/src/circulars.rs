//! Drafts and the lifecycle marks of a circular.

use super::{timestamp, timestamp_column, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{Circular, CircularId};
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
}

impl Store {
    /// Stores a draft with its annexes, or replaces the draft with the same id (annexes
    /// included), in one transaction; refuses once issued.
    pub async fn save_draft(
        &self,
        circular: &Circular,
        source: &str,
        annexes: &[super::Annex],
    ) -> Result<DraftOutcome, StoreError> {
        let document = serde_json::to_string(circular).map_err(|e| StoreError::Corrupt {
            table: "circulars",
            why: e.to_string(),
        })?;
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let existing: Option<Option<String>> =
            sqlx::query_scalar("SELECT issued_at FROM circulars WHERE id = $1")
                .bind(circular.id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let outcome = match existing {
            Some(Some(_)) => return Err(StoreError::AlreadyIssued(circular.id.clone())),
            Some(None) => {
                sqlx::query(
                    "UPDATE circulars SET document = $1, source = $2, updated_at = $3 WHERE id = $4",
                )
                .bind(&document)
                .bind(source)
                .bind(timestamp(now))
                .bind(circular.id.as_str())
                .execute(&mut *tx)
                .await?;
                DraftOutcome::Updated
            }
            None => {
                sqlx::query(
                    "INSERT INTO circulars (id, document, source, drafted_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(circular.id.as_str())
                .bind(&document)
                .bind(source)
                .bind(timestamp(now))
                .bind(timestamp(now))
                .execute(&mut *tx)
                .await?;
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
        }))
    }

    /// The circular with this id, or [`StoreError::UnknownCircular`].
    pub async fn existing_circular(&self, id: &CircularId) -> Result<StoredCircular, StoreError> {
        self.circular(id)
            .await?
            .ok_or_else(|| StoreError::UnknownCircular(id.clone()))
    }

    /// Marks the circular issued at `at`, once; says whether it was issued before.
    pub async fn mark_issued(
        &self,
        id: &CircularId,
        at: DateTime<Utc>,
    ) -> Result<IssueMark, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT issued_at, announced_at FROM circulars WHERE id = $1")
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
        sqlx::query("UPDATE circulars SET issued_at = $1 WHERE id = $2")
            .bind(timestamp(at))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
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
