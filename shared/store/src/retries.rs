//! Deferred mail parked until its next attempt: one row per delivery, holding the job to queue
//! again, so thousands of greylisted recipients wait here and not in the live work queue.

use super::{timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{CircularId, DeliveryKey};
use circulars_core::events::RetryJob;
use sqlx::Row;

/// A parked job whose time has come, leased to one scheduler for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRetry {
    /// The job to queue again (its `attempt` is the attempt it will be).
    pub job: RetryJob,
    /// Whether an earlier lease may already have queued it: a duplicate publish ack is then
    /// expected, and otherwise an error.
    pub maybe_published: bool,
}

impl Store {
    /// How many mails are parked for a later attempt, and how many of them are due by `now`
    /// (a scheduler that keeps up leaves few due): for the operators' metrics.
    pub async fn retry_counts(&self, now: DateTime<Utc>) -> Result<(u64, u64), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS parked, \
             COALESCE(SUM(CASE WHEN due_at <= $1 THEN 1 ELSE 0 END), 0) AS due \
             FROM delivery_retries",
        )
        .bind(timestamp(now))
        .fetch_one(&self.pool)
        .await?;
        let parked: i64 = row.try_get("parked")?;
        let due: i64 = row.try_get("due")?;
        Ok((parked.max(0) as u64, due.max(0) as u64))
    }

    /// Parks `job` (the next attempt of its delivery) until `due_at`, replacing an earlier
    /// attempt's row of the same delivery; an older attempt never replaces a newer one, so a
    /// redelivered job cannot move the schedule back.
    pub async fn park_retry(
        &self,
        job: &RetryJob,
        due_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(job).map_err(|e| StoreError::Corrupt {
            table: "delivery_retries",
            why: format!("cannot encode the job: {e}"),
        })?;
        self.write_one(
            sqlx::query(
                "INSERT INTO delivery_retries (circular_id, address_key, attempt, due_at, job) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (circular_id, address_key) DO UPDATE SET \
                 attempt = excluded.attempt, due_at = excluded.due_at, job = excluded.job, \
                 leased_until = NULL \
                 WHERE delivery_retries.attempt < excluded.attempt",
            )
            .bind(job.circular.as_str())
            .bind(job.recipient.address.as_str())
            .bind(i64::from(job.attempt))
            .bind(timestamp(due_at))
            .bind(text),
        )
        .await?;
        Ok(())
    }

    /// Leases up to `limit` parked jobs due by `now` (none leased by another scheduler until
    /// `lease_until`), earliest first.
    pub async fn lease_due_retries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueRetry>, StoreError> {
        let now_text = timestamp(now);
        // Read first without the write lock (SQLite has one for the whole database): most
        // looks find nothing due. The compare-and-set below keeps the lease exclusive.
        let rows = sqlx::query(
            "SELECT circular_id, address_key, attempt, job, leased_until FROM delivery_retries \
             WHERE due_at <= $1 AND (leased_until IS NULL OR leased_until <= $1) \
             ORDER BY due_at LIMIT $2",
        )
        .bind(&now_text)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let mut due = Vec::with_capacity(rows.len());
        for row in rows {
            let circular: String = row.try_get("circular_id")?;
            let address: String = row.try_get("address_key")?;
            let attempt: i64 = row.try_get("attempt")?;
            let leased: Option<String> = row.try_get("leased_until")?;
            let text: String = row.try_get("job")?;
            // Compare-and-set, so two schedulers never lease the same row.
            let taken = sqlx::query(
                "UPDATE delivery_retries SET leased_until = $1 \
                 WHERE circular_id = $2 AND address_key = $3 AND attempt = $4 \
                 AND (leased_until IS NULL OR leased_until <= $5)",
            )
            .bind(timestamp(lease_until))
            .bind(&circular)
            .bind(&address)
            .bind(attempt)
            .bind(&now_text)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if taken == 0 {
                continue;
            }
            let job: RetryJob = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                table: "delivery_retries",
                why: format!("the job of {circular} to {address} is not a mail job: {e}"),
            })?;
            due.push(DueRetry {
                job,
                maybe_published: leased.is_some(),
            });
        }
        tx.commit().await?;
        Ok(due)
    }

    /// Removes a parked job once it is queued again (only that attempt's row).
    pub async fn unpark_retry(&self, key: &DeliveryKey, attempt: u32) -> Result<(), StoreError> {
        self.write_one(
            sqlx::query(
                "DELETE FROM delivery_retries \
                 WHERE circular_id = $1 AND address_key = $2 AND attempt = $3",
            )
            .bind(key.circular.as_str())
            .bind(key.address.as_str())
            .bind(i64::from(attempt)),
        )
        .await?;
        Ok(())
    }

    /// Moves a parked job's next try to `due_at` and releases its lease.
    pub async fn postpone_retry(
        &self,
        key: &DeliveryKey,
        attempt: u32,
        due_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write_one(
            sqlx::query(
                "UPDATE delivery_retries SET due_at = $1, leased_until = NULL \
                 WHERE circular_id = $2 AND address_key = $3 AND attempt = $4",
            )
            .bind(timestamp(due_at))
            .bind(key.circular.as_str())
            .bind(key.address.as_str())
            .bind(i64::from(attempt)),
        )
        .await?;
        Ok(())
    }

    /// How many jobs of `circular` are parked, waiting for their next attempt.
    pub async fn parked_retries(&self, circular: &CircularId) -> Result<u64, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM delivery_retries WHERE circular_id = $1")
                .bind(circular.as_str())
                .fetch_one(&self.pool)
                .await?;
        Ok(n as u64)
    }

    /// Makes every parked job of `circular` due at `now` (a cancelled circular settles them
    /// at once); returns how many.
    pub async fn hurry_retries(
        &self,
        circular: &CircularId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.write_one(
            sqlx::query("UPDATE delivery_retries SET due_at = $1 WHERE circular_id = $2")
                .bind(timestamp(now))
                .bind(circular.as_str()),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use circulars_core::domain::{Language, Recipient, RecipientAddress};

    fn job(attempt: u32) -> RetryJob {
        RetryJob {
            circular: "TSB-36".parse().unwrap(),
            recipient: Recipient {
                address: RecipientAddress::parse("li.wei@miit.sylvania.example.com").unwrap(),
                name: "Li Wei".into(),
                language: Language::Zh,
                addressee: "adm-sylvania".parse().unwrap(),
            },
            attempt,
            first_at: None,
            unconfirmed: 0,
        }
    }

    #[tokio::test]
    async fn a_parked_job_is_leased_once_and_never_moved_back_to_an_older_attempt() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("c.db").display()))
            .await
            .unwrap();
        let now = Utc::now();
        let circular = job(2).circular;
        store.park_retry(&job(3), now).await.unwrap();
        // A redelivered older job must not replace the newer attempt, nor its time.
        store
            .park_retry(&job(2), now + TimeDelta::hours(1))
            .await
            .unwrap();
        assert_eq!(store.parked_retries(&circular).await.unwrap(), 1);

        let later = now + TimeDelta::seconds(1);
        let leased = store
            .lease_due_retries(later, later + TimeDelta::seconds(60), 10)
            .await
            .unwrap();
        assert_eq!(leased.len(), 1);
        assert_eq!(leased[0].job.attempt, 3);
        assert!(!leased[0].maybe_published, "never leased before");
        // Leased: a second scheduler finds nothing until the lease runs out.
        let again = store
            .lease_due_retries(later, later + TimeDelta::seconds(60), 10)
            .await
            .unwrap();
        assert!(again.is_empty());
        let after_lease = later + TimeDelta::seconds(61);
        let retaken = store
            .lease_due_retries(after_lease, after_lease + TimeDelta::seconds(60), 10)
            .await
            .unwrap();
        assert_eq!(retaken.len(), 1);
        assert!(
            retaken[0].maybe_published,
            "an earlier lease may have queued it: a duplicate ack is expected"
        );

        store.unpark_retry(&job(3).key(), 3).await.unwrap();
        assert_eq!(store.parked_retries(&circular).await.unwrap(), 0);
        store.close().await;
    }
}
