//! What the operations dashboard shows across circulars from the database: the returned-mail
//! intake's refusals counted by the clock hour, and returned mail kept as unmatched, newest
//! first.

use crate::reports::StoredReport;
use crate::{parse_column, parse_timestamp, timestamp, ReportState, Store, StoreError};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sqlx::Row;

/// Why the intake refused a client, a recipient or a message: the stable key counted in
/// `intake_refusals`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntakeRefusal {
    /// A connection turned away: too many sessions, or too many from the client's address.
    ClientRefused,
    /// A message deferred: too many from the client's address this minute.
    RateLimited,
    /// A recipient that is not a return address of ours with a token signed by our keys.
    RecipientRefused,
    /// A message over `bounces.max_message_bytes` (declared or sent).
    TooBig,
    /// More recipients in one message than the intake takes.
    TooManyRecipients,
    /// A message the intake could not store or announce (deferred; the sender retries).
    NotStored,
}

impl IntakeRefusal {
    /// Every reason, in the order the dashboard lists them.
    pub const ALL: [IntakeRefusal; 6] = [
        IntakeRefusal::ClientRefused,
        IntakeRefusal::RateLimited,
        IntakeRefusal::RecipientRefused,
        IntakeRefusal::TooBig,
        IntakeRefusal::TooManyRecipients,
        IntakeRefusal::NotStored,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            IntakeRefusal::ClientRefused => "client-refused",
            IntakeRefusal::RateLimited => "rate-limited",
            IntakeRefusal::RecipientRefused => "recipient-refused",
            IntakeRefusal::TooBig => "too-big",
            IntakeRefusal::TooManyRecipients => "too-many-recipients",
            IntakeRefusal::NotStored => "not-stored",
        }
    }
}

/// The start of the clock hour holding `at`, as `intake_refusals.hour` stores it.
pub fn refusal_hour(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::hours(1)).unwrap_or(at)
}

impl Store {
    /// Adds `count` refusals for `reason` in the clock hour holding `at` (one upsert).
    pub async fn count_intake_refusals(
        &self,
        at: DateTime<Utc>,
        reason: IntakeRefusal,
        count: u64,
    ) -> Result<(), StoreError> {
        if count == 0 {
            return Ok(());
        }
        let upsert = sqlx::query(
            "INSERT INTO intake_refusals (hour, reason, count) VALUES ($1, $2, $3) \
             ON CONFLICT (hour, reason) DO UPDATE SET count = intake_refusals.count + excluded.count",
        )
        .bind(timestamp(refusal_hour(at)))
        .bind(reason.key())
        .bind(i64::try_from(count).unwrap_or(i64::MAX));
        self.write_one(upsert).await?;
        Ok(())
    }

    /// The intake's refusals per reason key in the clock hours from the one holding `since`
    /// (that hour counted whole), sorted by key; reasons without refusals are left out.
    pub async fn intake_refusals_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT reason, CAST(SUM(count) AS BIGINT) AS n FROM intake_refusals \
             WHERE hour >= $1 GROUP BY reason ORDER BY reason",
        )
        .bind(timestamp(refusal_hour(since)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get::<String, _>("reason")?,
                    row.try_get::<i64, _>("n")?.max(0) as u64,
                ))
            })
            .collect()
    }

    /// How many stored reports are in `state`.
    pub async fn inbound_report_count(&self, state: ReportState) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbound_reports WHERE state = $1")
            .bind(state.wire_name())
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }

    /// The stored reports in `state`, newest first, at most `limit`.
    pub async fn newest_inbound_reports(
        &self,
        state: ReportState,
        limit: usize,
    ) -> Result<Vec<StoredReport>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, received_at, source, envelope_to, size, form, kind, state, detail \
             FROM inbound_reports WHERE state = $1 ORDER BY received_at DESC, id LIMIT $2",
        )
        .bind(state.wire_name())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored_report).collect()
    }
}

/// A report without its message, from a row of the listing queries.
pub(crate) fn stored_report(row: &sqlx::any::AnyRow) -> Result<StoredReport, StoreError> {
    Ok(StoredReport {
        id: row.try_get("id")?,
        received_at: parse_timestamp("inbound_reports", &row.try_get::<String, _>("received_at")?)?,
        source: parse_column("inbound_reports", &row.try_get::<String, _>("source")?)?,
        envelope_to: row.try_get("envelope_to")?,
        size: row.try_get::<i64, _>("size")?.max(0) as u64,
        form: row.try_get("form")?,
        kind: row.try_get("kind")?,
        state: parse_column("inbound_reports", &row.try_get::<String, _>("state")?)?,
        detail: row.try_get("detail")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn refusals_are_counted_by_the_clock_hour() {
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 14, 59, 59).unwrap();
        assert_eq!(
            refusal_hour(at),
            Utc.with_ymd_and_hms(2026, 12, 7, 14, 0, 0).unwrap()
        );
        let keys: Vec<&str> = IntakeRefusal::ALL.iter().map(|r| r.key()).collect();
        assert_eq!(
            keys,
            [
                "client-refused",
                "rate-limited",
                "recipient-refused",
                "too-big",
                "too-many-recipients",
                "not-stored"
            ]
        );
    }

    #[tokio::test]
    async fn refusals_add_up_per_reason_from_the_hour_asked() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let store = Store::open(&url).await.unwrap();
        let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0).unwrap();
        store
            .count_intake_refusals(at(9, 5), IntakeRefusal::TooBig, 1)
            .await
            .unwrap();
        store
            .count_intake_refusals(at(10, 5), IntakeRefusal::RecipientRefused, 2)
            .await
            .unwrap();
        store
            .count_intake_refusals(at(10, 55), IntakeRefusal::RecipientRefused, 3)
            .await
            .unwrap();
        store
            .count_intake_refusals(at(10, 56), IntakeRefusal::NotStored, 0)
            .await
            .unwrap();
        assert_eq!(
            store.intake_refusals_since(at(10, 30)).await.unwrap(),
            [("recipient-refused".to_owned(), 5)]
        );
        assert_eq!(
            store.intake_refusals_since(at(0, 0)).await.unwrap(),
            [
                ("recipient-refused".to_owned(), 5),
                ("too-big".to_owned(), 1)
            ]
        );
        assert!(store
            .intake_refusals_since(at(11, 0))
            .await
            .unwrap()
            .is_empty());
    }
}
