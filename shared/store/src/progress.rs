//! A circular's progress while it is sent, as the operations dashboard shows it: the mails
//! that reached a final state minute by minute, the retry queue, the newest failures with the
//! remote server's words, and the complaints.
//!
//! Every query here reads one circular through an index (`delivery_history (circular_id, at)`,
//! `deliveries (circular_id, state, updated_at)`, the primary keys), so a dashboard asking every
//! second does not read a large circular's whole history.

use super::deliveries::delivery_record;
use super::{parse_timestamp, placeholders, timestamp, timestamp_column, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{CircularId, Delivery, DeliveryState};
use sqlx::Row;

/// The parked retries of one circular: how many, and when the first is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParkedRetries {
    /// Deliveries parked until their next attempt.
    pub parked: u64,
    /// When the earliest of them is due (it may be past: due, being queued again).
    pub next_due: Option<DateTime<Utc>>,
}

/// The wire names of the final delivery states (the domain's [`DeliveryState::is_final`]).
fn final_states() -> Vec<&'static str> {
    DeliveryState::ALL
        .into_iter()
        .filter(|s| s.is_final())
        .map(DeliveryState::wire_name)
        .collect()
}

impl Store {
    /// How many of `circular`'s deliveries first reached a final state in each minute from
    /// `since` on, oldest first: `(the minute's start, mails)`, minutes without any left out.
    /// A delivery counts once, in the minute of its first final state (a mail sent, then
    /// bounced, is finished when it was sent).
    pub async fn finished_per_minute(
        &self,
        circular: &CircularId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, u64)>, StoreError> {
        let finals = final_states();
        let list = |first| placeholders(first, finals.len());
        // Stored timestamps are RFC 3339 text in UTC ("2026-12-05T09:41:07.123456Z"): its first
        // sixteen characters name the minute, on both databases.
        let sql = format!(
            "SELECT SUBSTR(h.at, 1, 16) AS minute, COUNT(*) AS n FROM delivery_history h \
             WHERE h.circular_id = $1 AND h.at >= $2 AND h.state IN ({}) \
             AND NOT EXISTS (SELECT 1 FROM delivery_history e \
               WHERE e.circular_id = h.circular_id AND e.address_key = h.address_key \
               AND e.state IN ({}) AND (e.at < h.at OR (e.at = h.at AND e.id < h.id))) \
             GROUP BY SUBSTR(h.at, 1, 16) ORDER BY SUBSTR(h.at, 1, 16)",
            list(3),
            list(3 + finals.len()),
        );
        let mut query = sqlx::query(&sql)
            .bind(circular.as_str())
            .bind(timestamp(since));
        for state in finals.iter().chain(finals.iter()) {
            query = query.bind(*state);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let minute: String = row.try_get("minute")?;
                let n: i64 = row.try_get("n")?;
                let start = parse_timestamp("delivery_history", &format!("{minute}:00Z"))?;
                Ok((start, n.max(0) as u64))
            })
            .collect()
    }

    /// How many of `circular`'s deliveries wait in the retry queue, and when the next is due.
    pub async fn parked_retry_queue(
        &self,
        circular: &CircularId,
    ) -> Result<ParkedRetries, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(due_at) AS next_due FROM delivery_retries \
             WHERE circular_id = $1",
        )
        .bind(circular.as_str())
        .fetch_one(&self.pool)
        .await?;
        let n: i64 = row.try_get("n")?;
        Ok(ParkedRetries {
            parked: n.max(0) as u64,
            next_due: timestamp_column(&row, "delivery_retries", "next_due")?,
        })
    }

    /// The newest `limit` deliveries of `circular` that failed or bounced, newest first, each
    /// with the remote server's reply as recorded.
    pub async fn failed_deliveries(
        &self,
        circular: &CircularId,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT address_key, state, attempt, smtp_code, smtp_enhanced, smtp_text, detail, updated_at, unconfirmed, bounce_reason \
             FROM deliveries WHERE circular_id = $1 AND state IN ($2, $3) \
             ORDER BY updated_at DESC, address_key LIMIT $4",
        )
        .bind(circular.as_str())
        .bind(DeliveryState::Failed.wire_name())
        .bind(DeliveryState::Bounced.wire_name())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(delivery_record).collect()
    }

    /// How many recipients of `circular` complained about it (abuse or spam reports matched
    /// to one of its deliveries; a recipient who complained twice counts once).
    pub async fn complaints(&self, circular: &CircularId) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT address_key) FROM delivery_reports \
             WHERE circular_id = $1 AND kind = 'complaint'",
        )
        .bind(circular.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(n.max(0) as u64)
    }
}
