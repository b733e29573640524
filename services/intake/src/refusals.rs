//! The intake's refusals counted for the operations dashboard: each refusal is counted in
//! memory at once (the SMTP conversation never waits for the database), and the counts are
//! added to `intake_refusals` every [`FLUSH_EVERY`] and when the listener stops. A write that
//! fails is logged and its counts kept for the next one; a flood of refused clients costs one
//! upsert per reason and hour, not one per client.

use chrono::{DateTime, Utc};
use circulars_store::{refusal_hour, IntakeRefusal, Store};
use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::warn;

/// How often the counts are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// Refusals counted and not yet written, by clock hour and reason.
#[derive(Default)]
pub struct Refusals {
    pending: Mutex<BTreeMap<(DateTime<Utc>, IntakeRefusal), u64>>,
}

impl Refusals {
    /// Counts one refusal now.
    pub fn count(&self, reason: IntakeRefusal) {
        self.count_at(Utc::now(), reason, 1);
    }

    fn count_at(&self, at: DateTime<Utc>, reason: IntakeRefusal, n: u64) {
        *self
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((refusal_hour(at), reason))
            .or_default() += n;
    }

    /// Writes the counts so far; those that could not be written are kept for the next time.
    pub async fn flush(&self, store: &Store) {
        let pending =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        for ((hour, reason), n) in pending {
            if let Err(e) = store.count_intake_refusals(hour, reason, n).await {
                warn!(reason = reason.key(), count = n, error = %e, "intake refusals not counted yet; trying again");
                self.count_at(hour, reason, n);
            }
        }
    }

    /// Writes the counts every [`FLUSH_EVERY`] until `shutdown`, then once more.
    pub async fn write_until(&self, store: &Store, shutdown: &CancellationToken) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(FLUSH_EVERY) => self.flush(store).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refusals_are_written_once_added_up_and_kept_when_the_database_fails() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let store = Store::open(&url).await.unwrap();
        let refusals = Refusals::default();
        for _ in 0..3 {
            refusals.count(IntakeRefusal::RecipientRefused);
        }
        refusals.count(IntakeRefusal::TooBig);
        refusals.flush(&store).await;
        refusals.count(IntakeRefusal::TooBig);
        refusals.flush(&store).await;
        let hour_ago = Utc::now() - chrono::TimeDelta::hours(1);
        assert_eq!(
            store.intake_refusals_since(hour_ago).await.unwrap(),
            [
                ("recipient-refused".to_owned(), 3),
                ("too-big".to_owned(), 2)
            ]
        );
        // A closed database: the count waits for the next write.
        store.close().await;
        refusals.count(IntakeRefusal::ClientRefused);
        refusals.flush(&store).await;
        let kept = refusals.pending.lock().unwrap().values().sum::<u64>();
        assert_eq!(kept, 1);
    }
}
