//! One puller per circular with jobs waiting: each reads `mail.outbound.<circular>` through
//! the circular's own durable consumer, a few jobs at a time, so pausing a circular only means
//! its puller stops asking; its jobs stay in the work queue, in order, until it resumes.
//!
//! A puller keeps [`JOBS_IN_HAND`] jobs of its circular in hand (a batch job is up to 50
//! mails), so the in-flight permits do not idle while one batch waits for its last replies;
//! the circular's consumer lets [`MAX_ACK_PENDING`] jobs out at once across all dispatchers.
//!
//! Circulars are found by asking the stream which of its subjects hold messages, every
//! [`DISCOVERY_INTERVAL`] and at once when operators resume one. A puller whose consumer has
//! nothing left removes it and ends; new jobs (a late batch, a retry) bring a new one.

use crate::{jobs, Dispatcher};
use circulars_core::domain::CircularId;
use circulars_core::nats::control::DispatchState;
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn, Instrument};

/// How often the stream is asked which circulars have jobs.
const DISCOVERY_INTERVAL: Duration = Duration::from_millis(200);
/// How long one pull request waits for jobs before the puller looks around again.
const PULL_EXPIRES: Duration = Duration::from_millis(500);
/// How long after [`PULL_EXPIRES`] a pull that the server never answered is given up. On a
/// cluster a pull reaching a consumer that has no leader yet (just created, or its leader's
/// node lost) is dropped without a word, and the client would wait 5 s more for it: the
/// dispatcher that created a circular's consumer sat idle that long while the others sent.
const PULL_GRACE: Duration = Duration::from_millis(500);
/// Jobs of one circular one dispatcher holds at once: 4 batch jobs are up to 200 mails, enough
/// to keep the default 8 permits busy while a batch finishes.
pub const JOBS_IN_HAND: usize = 4;
/// Jobs of one circular delivered and not yet acknowledged, across every dispatcher (the
/// consumer's `max_ack_pending`): four dispatchers with [`JOBS_IN_HAND`] each, 800 mails.
pub const MAX_ACK_PENDING: i64 = 16;

/// Keeps a puller running for every circular that has jobs and is not paused, until
/// `shutdown`; then waits for the pullers to finish their mails in flight.
pub(crate) async fn discover(d: Arc<Dispatcher>, shutdown: CancellationToken) {
    let mut pullers: HashMap<CircularId, JoinHandle<()>> = HashMap::new();
    loop {
        pullers.retain(|_, puller| !puller.is_finished());
        match d.ctx.bus.circulars_with_jobs().await {
            Ok(found) => {
                for (circular, _) in found {
                    if pullers.contains_key(&circular)
                        || d.state(&circular) == DispatchState::Paused
                    {
                        continue;
                    }
                    let span = tracing::info_span!("puller", circular = %circular);
                    let puller = tokio::spawn(
                        pull(d.clone(), circular.clone(), shutdown.clone()).instrument(span),
                    );
                    pullers.insert(circular, puller);
                }
            }
            Err(e) => warn!(error = %e, "cannot list the circulars with jobs; trying again"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(DISCOVERY_INTERVAL) => {}
            _ = d.changed.notified() => {}
        }
    }
    for (_, puller) in pullers {
        let _ = puller.await;
    }
}

/// Pulls one circular's jobs while it runs, [`JOBS_IN_HAND`] at most in hand; each mail
/// waits for a slot among the mails in flight, so circulars share `smtp.concurrency`.
async fn pull(d: Arc<Dispatcher>, circular: CircularId, shutdown: CancellationToken) {
    let ack_wait = Duration::from_secs(d.ctx.config.smtp.job_ack_wait_secs);
    let mut consumer = match d
        .ctx
        .bus
        .dispatch_consumer(&circular, MAX_ACK_PENDING, ack_wait)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            warn!(error = %e, "cannot open the circular's consumer; trying again soon");
            return;
        }
    };
    info!("pulling jobs");
    let mut sends = JoinSet::new();
    loop {
        while sends.try_join_next().is_some() {}
        if shutdown.is_cancelled() {
            break;
        }
        if sends.len() >= JOBS_IN_HAND {
            tokio::select! {
                _ = sends.join_next() => {}
                _ = shutdown.cancelled() => {}
            }
            continue;
        }
        if d.state(&circular) == DispatchState::Paused {
            info!("paused: no more jobs pulled");
            break;
        }
        let batch = consumer
            .batch()
            .max_messages(JOBS_IN_HAND - sends.len())
            .expires(PULL_EXPIRES)
            .messages()
            .await;
        let mut batch = match batch {
            Ok(b) => b,
            Err(e) => {
                warn!(error = %e, "pull failed; the puller ends and is found again");
                break;
            }
        };
        let mut received = 0;
        let unanswered = tokio::time::Instant::now() + PULL_EXPIRES + PULL_GRACE;
        loop {
            let next = tokio::select! {
                biased;
                next = batch.next() => next,
                _ = tokio::time::sleep_until(unanswered) => {
                    debug!("pull unanswered; asking again");
                    break;
                }
            };
            let Some(next) = next else { break };
            match next {
                Ok(message) => {
                    received += 1;
                    sends.spawn(
                        jobs::handle(d.clone(), message, shutdown.clone()).in_current_span(),
                    );
                }
                Err(e) => {
                    debug!(error = %e, "pull ended early");
                    break;
                }
            }
        }
        if received == 0 && sends.is_empty() {
            match consumer.info().await {
                Ok(info) if info.num_pending == 0 && info.num_ack_pending == 0 => {
                    if let Err(e) = d.ctx.bus.drop_dispatch_consumer(&circular).await {
                        debug!(error = %e, "consumer not removed");
                    }
                    info!("no jobs left");
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    warn!(error = %e, "consumer gone; the puller ends and is found again");
                    break;
                }
            }
        }
    }
    while sends.join_next().await.is_some() {}
}
