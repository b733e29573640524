//! Suppressed addresses, which receive nothing: since when and why, added by staff, imports,
//! bounces or the recipient, and lifted by staff only when the mailbox bounced.

use super::audit::audit;
use crate::{parse_column, parse_timestamp, timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::RecipientAddress;
use serde_json::json;
use sqlx::{AnyConnection, Row};
use std::str::FromStr;

/// Why an address receives nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionReason {
    /// The person unsubscribed from everything.
    Unsubscribed,
    /// The person marked a circular as spam.
    Complained,
    /// The address bounced permanently too often.
    Bounced,
}

impl SuppressionReason {
    /// The name in the database and in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionReason::Unsubscribed => "unsubscribed",
            SuppressionReason::Complained => "complained",
            SuppressionReason::Bounced => "bounced",
        }
    }
}

impl FromStr for SuppressionReason {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "unsubscribed" => Ok(SuppressionReason::Unsubscribed),
            "complained" => Ok(SuppressionReason::Complained),
            "bounced" => Ok(SuppressionReason::Bounced),
            other => Err(format!("'{other}' is not a suppression reason")),
        }
    }
}

/// An address that receives nothing, since when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Why.
    pub reason: SuppressionReason,
    /// What said so (`one-click unsubscribe from TSB-36`, `import d.csv:4`, …).
    pub detail: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

impl Store {
    /// Why an address receives nothing, when it is suppressed.
    pub async fn suppression(
        &self,
        address: &RecipientAddress,
    ) -> Result<Option<Suppression>, StoreError> {
        suppression_on(&mut *self.pool.acquire().await?, address).await
    }

    /// Suppresses an address (unless it already is), with an audit entry; true when new.
    pub async fn suppress(
        &self,
        address: &RecipientAddress,
        reason: SuppressionReason,
        detail: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let added = insert_suppression(&mut tx, address, reason, detail, actor, &now).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Lifts a `bounced` suppression (the mailbox works again), with an audit entry; returns
    /// the suppression lifted, `None` when the address was not suppressed. One the recipient
    /// asked for (`unsubscribed`, `complained`) is refused, changing nothing: only the
    /// recipient can undo it.
    pub async fn lift_bounce_suppression(
        &self,
        address: &RecipientAddress,
        actor: &str,
    ) -> Result<Option<Suppression>, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let Some(suppression) = suppression_on(&mut tx, address).await? else {
            return Ok(None);
        };
        if suppression.reason != SuppressionReason::Bounced {
            return Err(StoreError::RecipientsChoice {
                address: address.clone(),
                reason: suppression.reason.as_str(),
                since: suppression.since,
            });
        }
        sqlx::query("DELETE FROM suppressions WHERE address_key = $1")
            .bind(address.as_str())
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &now,
            actor,
            "suppression.lifted",
            address.as_str(),
            json!({"reason": suppression.reason.as_str(), "detail": suppression.detail}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(suppression))
    }
    /// Undoes the recipient's own unsubscribing made with `detail` since `not_before`, with an
    /// audit entry; returns the suppression lifted, `None` (changing nothing) when the address
    /// is not suppressed so: another reason, another source, or too long ago.
    pub async fn undo_unsubscribe(
        &self,
        address: &RecipientAddress,
        detail: &str,
        not_before: DateTime<Utc>,
        actor: &str,
    ) -> Result<Option<Suppression>, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let Some(suppression) = suppression_on(&mut tx, address).await? else {
            return Ok(None);
        };
        if suppression.reason != SuppressionReason::Unsubscribed
            || suppression.detail != detail
            || suppression.since < not_before
        {
            return Ok(None);
        }
        sqlx::query("DELETE FROM suppressions WHERE address_key = $1")
            .bind(address.as_str())
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &now,
            actor,
            "suppression.undone",
            address.as_str(),
            json!({"reason": suppression.reason.as_str(), "detail": suppression.detail}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(suppression))
    }
}

/// Suppresses an address unless it already is, with an audit entry; true when new.
pub(crate) async fn insert_suppression(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
    reason: SuppressionReason,
    detail: &str,
    actor: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let added = sqlx::query(
        "INSERT INTO suppressions (address_key, reason, detail, since) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (address_key) DO NOTHING",
    )
    .bind(address.as_str())
    .bind(reason.as_str())
    .bind(detail)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if added {
        audit(
            conn,
            now,
            actor,
            "suppression.added",
            address.as_str(),
            json!({"reason": reason.as_str(), "detail": detail}),
        )
        .await?;
    }
    Ok(added)
}

/// Suppresses an address at the recipient's own word (`unsubscribed`, `complained`): added
/// when it is not suppressed, and put in place of a `bounced` suppression, which staff may lift
/// when the mailbox works again while the recipient's choice must stay. False when the address
/// already was suppressed by a choice of the recipient.
pub(crate) async fn recipients_suppression(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
    reason: SuppressionReason,
    detail: &str,
    actor: &str,
    now: &str,
) -> Result<bool, StoreError> {
    match suppression_on(conn, address).await? {
        None => insert_suppression(conn, address, reason, detail, actor, now).await,
        Some(existing) if existing.reason == SuppressionReason::Bounced => {
            sqlx::query(
                "UPDATE suppressions SET reason = $2, detail = $3, since = $4 WHERE address_key = $1",
            )
            .bind(address.as_str())
            .bind(reason.as_str())
            .bind(detail)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            audit(
                conn,
                now,
                actor,
                "suppression.changed",
                address.as_str(),
                json!({"from": existing.reason.as_str(), "reason": reason.as_str(), "detail": detail}),
            )
            .await?;
            Ok(true)
        }
        Some(_) => Ok(false),
    }
}

/// Why an address receives nothing, when it is suppressed, on an open connection.
pub(crate) async fn suppression_on(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
) -> Result<Option<Suppression>, StoreError> {
    let row = sqlx::query("SELECT reason, detail, since FROM suppressions WHERE address_key = $1")
        .bind(address.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(Suppression {
            reason: parse_column("suppressions", &row.try_get::<String, _>("reason")?)?,
            detail: row.try_get("detail")?,
            since: parse_timestamp("suppressions", &row.try_get::<String, _>("since")?)?,
        })
    })
    .transpose()
}
