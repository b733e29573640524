//! The scheduler of parked mail: every [`TICK`] it leases the jobs whose time has come and
//! queues each again on `mail.outbound.<circular>` as attempt n, `Nats-Msg-Id`
//! `<circular>:<address>:<n>`, then removes it from the database.
//!
//! A duplicate publish ack is expected only for a job an earlier lease may already have
//! queued (the scheduler died between publishing and removing it). For any other job it means
//! JetStream dropped a job it should have kept: logged as an error, and the job stays parked
//! and is tried again after the de-duplication window instead of being lost.

use crate::Dispatcher;
use chrono::{TimeDelta, Utc};
use circulars_core::events::{Contract, MailJob};
use circulars_core::nats::{confirm, DUPLICATE_WINDOW};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, warn};

/// How often the scheduler looks for due jobs (at once again after a full batch).
const TICK: Duration = Duration::from_millis(250);
/// Most jobs queued again per look.
const BATCH: u32 = 256;
/// How long a lease keeps other schedulers off a job being queued.
const LEASE: TimeDelta = TimeDelta::seconds(60);

/// Queues parked jobs again as they fall due, until `shutdown`.
pub(crate) async fn schedule(d: Arc<Dispatcher>, shutdown: CancellationToken) {
    loop {
        let full = match requeue_due(&d).await {
            Ok(n) => n == BATCH as usize,
            Err(why) => {
                warn!(%why, "parked mail not queued again; trying again");
                false
            }
        };
        if !full {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(TICK) => {}
            }
        } else if shutdown.is_cancelled() {
            return;
        }
    }
}

/// Leases and queues one batch of due jobs; returns how many were leased.
async fn requeue_due(d: &Dispatcher) -> Result<usize, String> {
    let now = Utc::now();
    let due = d
        .ctx
        .store
        .lease_due_retries(now, now + LEASE, BATCH)
        .await
        .map_err(|e| e.to_string())?;
    let leased = due.len();
    let mut pending = Vec::with_capacity(leased);
    for retry in due {
        let job = MailJob::Retry(retry.job.clone());
        let ack = d.ctx.bus.send(&job).await.map_err(|e| e.to_string())?;
        pending.push((retry, job, ack));
    }
    for (retry, job, ack) in pending {
        let key = retry.job.key();
        let attempt = retry.job.attempt;
        let published = confirm(&job.subject(), ack)
            .await
            .map_err(|e| e.to_string())?;
        if published.duplicate && !retry.maybe_published {
            error!(
                msg_id = %job.msg_id(),
                "JetStream dropped a retry as a duplicate of a job it already has; kept parked until the de-duplication window has passed"
            );
            let later = Utc::now()
                + TimeDelta::from_std(DUPLICATE_WINDOW).unwrap_or(TimeDelta::minutes(10));
            d.ctx
                .store
                .postpone_retry(&key, attempt, later)
                .await
                .map_err(|e| e.to_string())?;
            continue;
        }
        d.ctx
            .store
            .unpark_retry(&key, attempt)
            .await
            .map_err(|e| e.to_string())?;
        debug!(circular = %key.circular, attempt, "parked mail queued again");
    }
    Ok(leased)
}
