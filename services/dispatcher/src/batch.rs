//! One batch job: the first attempt to each of its recipients, held under one claim.
//!
//! 1. Take the batch's claim: create it (owner: this process, a lease of `job_ack_wait_secs`);
//!    when it exists, read it: complete → only finish again (step 5); held by another
//!    dispatcher whose lease runs → deliver the job again once the lease ends; else take it
//!    over by compare-and-set (owner: this process).
//! 2. Send each recipient without a result, concurrently, each mail waiting for one of the
//!    dispatcher's in-flight permits (shared by all circulars); for a cancelled circular
//!    record `cancelled` instead, sending nothing. A paused circular's batch starts no more
//!    mails: its results are written, its lease let go and its job handed back (`Nak`), to be
//!    taken again on resume.
//! 3. Group commit: each finished mail hands its result, and its permit, to the batch's
//!    writer, which writes every result gathered since its last write in one compare-and-set
//!    of the claim (extending the lease), and only then lets the permits go. So the mails sent
//!    and not yet recorded are at most the permits, `smtp.concurrency`: the crash bound.
//!    A write refused on its revision means another dispatcher took the batch over: stop
//!    sending, let the permits go, leave the job to the new owner.
//! 4. While the batch is in hand, tell JetStream it is in progress every third of `ack_wait`,
//!    and write the claim (extending the lease) when no result did for a third of it.
//! 5. Once every recipient has a result: park the deferred ones' next attempts, publish the
//!    batch's outcomes as one event (`delivery.batch`) and await its ack, ack the job.

use crate::batch_claims::{self, BatchClaim, MailResult};
use crate::outcome;
use crate::send::{Settlement, BUSY_DELAY};
use crate::Dispatcher;
use async_nats::jetstream::{AckKind, Message};
use chrono::{DateTime, TimeDelta, Utc};
use circulars_core::domain::{DeliveryKey, DeliveryState};
use circulars_core::events::{BatchJob, RetryJob};
use circulars_core::nats::control::DispatchState;
use circulars_core::tokens::DeliveryRef;
use circulars_runtime::{settle, Failure};
use rand::Rng;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, debug_span, info, warn, Instrument, Span};

/// How long the writer lingers after a first result for more of the batch's mails in flight,
/// so that one write records several (each lingering result keeps its permit meanwhile). It
/// stops lingering sooner once as many results as permits are gathered, or none of the
/// batch's mails is still out.
const LINGER: Duration = Duration::from_millis(5);
/// How often, at most, a batch in hand reports the outcomes its claim holds so far, so the
/// records and the dashboard move while a slow relay takes its time (a batch of 50 at 5 mails a
/// second takes 10 s); at full speed a batch is done before its first early report is due.
const EARLY_REPORT: Duration = Duration::from_secs(1);
/// How long a failed claim write waits before it is tried again.
const WRITE_RETRY: Duration = Duration::from_millis(500);
/// How soon a job whose batch this process let go (shutdown) is handed out again.
const RELEASED_DELAY: Duration = Duration::from_secs(1);

/// One finished recipient: its place in the job, its result, and the permit its mail held.
struct Finished {
    index: usize,
    result: MailResult,
    permit: Option<OwnedSemaphorePermit>,
}

/// The claim as this process holds it.
struct Held {
    claim: BatchClaim,
    revision: u64,
    /// Whether this process completes it (its outcome event is then new).
    fresh: bool,
    /// Keeps the batch in `Dispatcher::in_hand` while held.
    _in_hand: InHand,
}

/// A batch noted in `Dispatcher::in_hand`, removed when this is dropped.
struct InHand {
    d: Arc<Dispatcher>,
    key: String,
}

impl Drop for InHand {
    fn drop(&mut self) {
        self.d
            .in_hand
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
    }
}

/// What taking the claim came to.
enum Taken {
    /// Held: send what is missing.
    Held(Held),
    /// Nothing to send now: settle the job so.
    Settled(Settlement),
}

/// What happened to a batch in hand.
enum Ended {
    /// Every recipient has a result, written.
    Complete,
    /// Another dispatcher took the batch over: leave the job alone.
    Lost,
    /// The dispatcher is stopping: results written, the lease let go.
    Released,
}

/// Handles one batch job and settles its message.
pub(crate) async fn handle(
    d: Arc<Dispatcher>,
    message: Message,
    job: BatchJob,
    shutdown: CancellationToken,
) {
    let key = job.claim_key();
    let result = d.batch(&message, &job, &key, &shutdown).await;
    match result {
        Ok(Some(Settlement::Ack)) => settle("dispatcher", &message, Ok(())).await,
        Ok(Some(Settlement::RetryAfter(delay))) => {
            if let Err(e) = message.ack_with(AckKind::Nak(Some(delay))).await {
                warn!(error = %e, "nak not sent; JetStream will redeliver after ack_wait");
            }
        }
        Ok(None) => {}
        Err(failure) => settle("dispatcher", &message, Err(failure)).await,
    }
}

impl Dispatcher {
    /// The batch job's steps (see the module's docs), in the `dispatch_batch` span; `None`:
    /// leave the message unsettled.
    async fn batch(
        self: &Arc<Self>,
        message: &Message,
        job: &BatchJob,
        key: &str,
        shutdown: &CancellationToken,
    ) -> Result<Option<Settlement>, Failure> {
        let now = Utc::now();
        let held = match self.take_batch(job, key, now).await? {
            Taken::Held(held) => held,
            Taken::Settled(settlement) => return Ok(Some(settlement)),
        };
        // Every language version first, so a missing one sends nothing.
        let languages: BTreeSet<_> = job.recipients.iter().map(|r| r.language).collect();
        for language in languages {
            self.template(&job.circular, language).await?;
        }
        let fresh = held.fresh;
        let (ended, claim) = self.send_batch(message, job, key, held, shutdown).await?;
        match ended {
            Ended::Complete => Ok(Some(self.finish(job, &claim, fresh).await?)),
            Ended::Lost => {
                warn!("another dispatcher took the batch over; its remaining mails are theirs");
                Ok(None)
            }
            Ended::Released => Ok(Some(Settlement::RetryAfter(RELEASED_DELAY))),
        }
    }

    /// Step 1: creates the claim, or reads it and decides.
    async fn take_batch(
        self: &Arc<Self>,
        job: &BatchJob,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Taken, Failure> {
        let lease_until = now + self.lease();
        let new = BatchClaim::new(&self.owner, now, lease_until, job.recipients.len());
        if let Some(revision) = batch_claims::create(&self.claims, key, &new).await? {
            return Ok(Taken::Held(Held {
                claim: new,
                revision,
                fresh: true,
                _in_hand: self.hold(key),
            }));
        }
        let Some((mut claim, revision)) = batch_claims::read(&self.claims, key).await? else {
            return Err(Failure::Retry(
                format!("claim {key} exists but cannot be read").into(),
            ));
        };
        if claim.results.len() != job.recipients.len() {
            return Err(Failure::Poison(
                format!(
                    "claim {key} holds {} results for a job of {} recipients",
                    claim.results.len(),
                    job.recipients.len()
                )
                .into(),
            ));
        }
        if claim.is_complete() {
            // Done before a crash or redelivery: make sure the outcomes are recorded.
            return Ok(Taken::Settled(self.finish(job, &claim, false).await?));
        }
        let mine_in_hand = claim.owner == self.owner
            && self
                .in_hand
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(key);
        if claim.lease_until > now && (claim.owner != self.owner || mine_in_hand) {
            let left = (claim.lease_until - now).to_std().unwrap_or_default();
            info!(owner = %claim.owner, "the batch is held by its owner; handed out again when its lease ends");
            return Ok(Taken::Settled(Settlement::RetryAfter(
                left.max(BUSY_DELAY / 5) + Duration::from_millis(200),
            )));
        }
        let before = claim.owner.clone();
        claim.owner = self.owner.clone();
        claim.lease_until = lease_until;
        match batch_claims::update(&self.claims, key, &claim, revision).await? {
            Some(revision) => {
                let sent = claim.results.iter().filter(|r| r.is_some()).count();
                info!(
                    from = %before,
                    recorded = sent,
                    "batch taken over: its mails without a result are sent"
                );
                Ok(Taken::Held(Held {
                    claim,
                    revision,
                    fresh: true,
                    _in_hand: self.hold(key),
                }))
            }
            None => Ok(Taken::Settled(Settlement::RetryAfter(BUSY_DELAY))),
        }
    }

    /// Steps 2 to 4: sends what is missing and writes the results as they come.
    async fn send_batch(
        self: &Arc<Self>,
        message: &Message,
        job: &BatchJob,
        key: &str,
        held: Held,
        shutdown: &CancellationToken,
    ) -> Result<(Ended, BatchClaim), Failure> {
        let Held {
            mut claim,
            mut revision,
            fresh: _,
            _in_hand,
        } = held;
        let stop = shutdown.child_token();
        let (done, mut results) = mpsc::unbounded_channel::<Finished>();
        let missing: Vec<usize> = (0..job.recipients.len())
            .filter(|i| claim.results[*i].is_none())
            .collect();
        let first_at = claim.first_at;
        let missing_count = missing.len();
        let running = Arc::new(AtomicUsize::new(0));
        let sender = sender(
            self.clone(),
            job.clone(),
            missing,
            first_at,
            Mailing {
                done,
                running: running.clone(),
                stop: stop.clone(),
            },
        );
        let sender = tokio::spawn(sender.in_current_span());

        let group = self.ctx.config.smtp.concurrency.max(1);
        let lease = self.lease();
        let third = lease.to_std().unwrap_or(Duration::from_secs(1)) / 3;
        let mut progress = tokio::time::interval_at(Instant::now() + third, third);
        let mut renew_at = Instant::now() + third;
        let mut report_at = Instant::now() + EARLY_REPORT;
        let mut reported = job.recipients.len() - missing_count;
        let mut ended = None;
        loop {
            let mut gathered: Vec<Finished> = Vec::new();
            tokio::select! {
                next = results.recv() => match next {
                    Some(first) => gathered.push(first),
                    None => break,
                },
                _ = progress.tick() => {
                    if let Err(e) = message.ack_with(AckKind::Progress).await {
                        debug!(error = %e, "progress not told; the lease in the claim still holds");
                    }
                    continue;
                }
                _ = tokio::time::sleep_until(renew_at) => {}
            }
            if !gathered.is_empty() {
                let linger = tokio::time::sleep(LINGER);
                tokio::pin!(linger);
                loop {
                    while let Ok(more) = results.try_recv() {
                        gathered.push(more);
                    }
                    if running.load(Ordering::Relaxed) == 0 || gathered.len() >= group {
                        break;
                    }
                    tokio::select! {
                        _ = &mut linger => break,
                        more = results.recv() => match more {
                            Some(m) => gathered.push(m),
                            None => break,
                        },
                    }
                }
                self.failpoint(gathered.len()).await;
            }
            for f in &gathered {
                claim.results[f.index] = Some(f.result.clone());
            }
            claim.lease_until = Utc::now() + lease;
            match self.write(key, &claim, revision, shutdown).await {
                Some(Ok(r)) => revision = r,
                Some(Err(())) => {
                    ended = Some(Ended::Lost);
                    stop.cancel();
                    break;
                }
                None => {
                    // Stopping while NATS refuses the write: the results stay unwritten and
                    // their mails are the ones a new owner sends again.
                    stop.cancel();
                    ended = Some(Ended::Released);
                    break;
                }
            }
            self.recorded.fetch_add(gathered.len(), Ordering::Relaxed);
            for f in &gathered {
                debug!(
                    recipient = %job.recipients[f.index].address,
                    state = %f.result.state,
                    relay = ?f.result.relay,
                    "attempt recorded"
                );
            }
            // Written: these mails are no longer in doubt, their permits go to the next ones.
            for f in gathered {
                drop(f.permit);
            }
            renew_at = Instant::now() + third;
            if Instant::now() >= report_at && !claim.is_complete() {
                reported = self.report_early(job, &claim, reported).await;
                report_at = Instant::now() + EARLY_REPORT;
            }
        }
        // The sender has ended (every mail started has finished): its results were written,
        // unless the batch was lost.
        let _ = sender.await;
        while let Ok(late) = results.try_recv() {
            drop(late.permit);
        }
        let ended = match ended {
            Some(e) => e,
            None if claim.is_complete() => Ended::Complete,
            None => {
                // Stopped before every mail went: let the lease go so another dispatcher need
                // not wait for it.
                claim.lease_until = Utc::now();
                if let Some(Ok(_)) = self.write(key, &claim, revision, shutdown).await {
                    debug!("batch let go");
                }
                Ended::Released
            }
        };
        Ok((ended, claim))
    }

    /// Writes the claim at `revision`, trying again while NATS refuses, since the results'
    /// mails keep their permits until then. A try whose answer was lost may have landed, so
    /// the next one counts a claim holding exactly this write as written (not as taken over,
    /// which would leave the batch and send its mails in flight again). `Some(Err(()))`:
    /// another dispatcher holds it now; `None`: the dispatcher stops before the write could
    /// be made.
    async fn write(
        &self,
        key: &str,
        claim: &BatchClaim,
        revision: u64,
        shutdown: &CancellationToken,
    ) -> Option<Result<u64, ()>> {
        let mut in_doubt = false;
        loop {
            let written = if in_doubt {
                batch_claims::update_again(&self.claims, key, claim, revision).await
            } else {
                batch_claims::update(&self.claims, key, claim, revision).await
            };
            match written {
                Ok(Some(r)) => return Some(Ok(r)),
                Ok(None) => return Some(Err(())),
                Err(Failure::Retry(why)) | Err(Failure::Poison(why)) => {
                    warn!(%why, "claim not written, or its answer lost; trying again");
                    in_doubt = true;
                }
            }
            if shutdown.is_cancelled() {
                return None;
            }
            tokio::time::sleep(WRITE_RETRY).await;
        }
    }

    /// The first attempt to recipient `index` of `job`, as its result.
    async fn first_attempt(
        &self,
        job: &BatchJob,
        index: usize,
        first_at: DateTime<Utc>,
    ) -> MailResult {
        let recipient = &job.recipients[index];
        let (verdict, relay) = match self.attempt(&job.circular, recipient).await {
            Ok(attempted) => attempted,
            // Versions were read before the first mail, so this does not happen; if it does,
            // the mail is tried again later like any other deferred one.
            Err(Failure::Retry(why) | Failure::Poison(why)) => (
                outcome::Verdict::Deferred {
                    reply: None,
                    detail: Some(why.to_string()),
                },
                None,
            ),
        };
        let jitter = rand::thread_rng().gen_range(-1.0..=1.0);
        let first = outcome::Attempt {
            number: 1,
            first_at,
            unconfirmed_before: 0,
        };
        let decision = outcome::decide(verdict, first, Utc::now(), &self.ctx.config.smtp, jitter);
        outcome::count(decision.state, relay.as_deref());
        MailResult {
            state: decision.state,
            reply: decision.reply,
            detail: decision.detail,
            at: Utc::now(),
            relay,
            next_at: decision.next_at,
            unconfirmed: decision.unconfirmed,
        }
    }

    /// Step 5: parks the deferred recipients' next attempts (idempotent: an older attempt
    /// never replaces a newer one), publishes the batch's outcomes and awaits their ack.
    async fn finish(
        &self,
        job: &BatchJob,
        claim: &BatchClaim,
        fresh: bool,
    ) -> Result<Settlement, Failure> {
        for (recipient, result) in job.recipients.iter().zip(&claim.results) {
            let Some(result) = result
                .as_ref()
                .filter(|r| r.state == DeliveryState::Deferred)
            else {
                continue;
            };
            let next = RetryJob {
                circular: job.circular.clone(),
                recipient: recipient.clone(),
                attempt: 2,
                first_at: Some(claim.first_at),
                unconfirmed: result.unconfirmed,
            };
            self.ctx
                .store
                .park_retry(&next, result.next_at.unwrap_or_else(Utc::now))
                .await?;
        }
        let Some(outcomes) = claim.outcomes(job) else {
            return Err(Failure::Retry("the batch's claim is not complete".into()));
        };
        if fresh {
            self.publish_new(&outcomes).await?;
        } else {
            self.publish_again(&outcomes).await?;
        }
        let count = |state| {
            outcomes
                .outcomes
                .iter()
                .filter(|o| o.state == state)
                .count()
        };
        info!(
            sent = count(DeliveryState::Sent),
            failed = count(DeliveryState::Failed),
            deferred = count(DeliveryState::Deferred),
            cancelled = count(DeliveryState::Cancelled),
            again = !fresh,
            "batch finished"
        );
        Ok(Settlement::Ack)
    }

    /// Publishes the outcomes `claim` holds, when more than the `reported` of the last early
    /// report; returns how many are reported now. A report not published is only late: the
    /// complete report carries every outcome.
    async fn report_early(&self, job: &BatchJob, claim: &BatchClaim, reported: usize) -> usize {
        let report = claim.early_outcomes(job);
        if report.outcomes.len() <= reported {
            return reported;
        }
        match self.ctx.bus.publish(&report).await {
            Ok(_) => report.outcomes.len(),
            Err(e) => {
                debug!(error = %e, "early report not published; the complete one will be");
                reported
            }
        }
    }

    /// How long a claim write keeps the batch this process's: `job_ack_wait_secs`.
    fn lease(&self) -> TimeDelta {
        TimeDelta::seconds(self.ctx.config.smtp.job_ack_wait_secs.max(1) as i64)
    }

    /// Notes that this process has the batch under `key` in hand, until the guard drops.
    fn hold(self: &Arc<Self>, key: &str) -> InHand {
        self.in_hand
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned());
        InHand {
            d: self.clone(),
            key: key.to_owned(),
        }
    }

    /// The tests' failpoint (see `Dispatcher::hold_writes_after`): once this process has
    /// recorded that many results, the next write holding results never happens, as if the
    /// process died between the relay's replies and the group write.
    async fn failpoint(&self, results: usize) {
        let Some(after) = self.hold_writes_after else {
            return;
        };
        if self.recorded.load(Ordering::Relaxed) >= after {
            warn!(
                results,
                "failpoint: holding a claim write whose mails were sent (CIRCULARS_TEST_HOLD_CLAIM_WRITES_AFTER)"
            );
            std::future::pending::<()>().await;
        }
    }
}

/// Where the batch's mails report: the writer's channel, the count of mails running, and the
/// word to stop starting new ones.
struct Mailing {
    done: mpsc::UnboundedSender<Finished>,
    running: Arc<AtomicUsize>,
    stop: CancellationToken,
}

/// Step 2: starts the batch's mails one by one as permits free up, each in a task of its own,
/// and ends once every mail it started has finished.
async fn sender(
    d: Arc<Dispatcher>,
    job: BatchJob,
    missing: Vec<usize>,
    first_at: DateTime<Utc>,
    mailing: Mailing,
) {
    let Mailing {
        done,
        running,
        stop,
    } = mailing;
    let job = Arc::new(job);
    let mut mails = JoinSet::new();
    // One batch at a time starts its mails, so its results come close together and its writer
    // records many per write; the next batch takes the permits as this one's last mails end.
    let mut turn = None;
    for index in missing {
        if stop.is_cancelled() {
            break;
        }
        if d.state(&job.circular) == DispatchState::Paused {
            // The batch's other mails wait for resume: its job is handed out again then.
            info!("paused: the batch's remaining mails wait for resume");
            break;
        }
        if d.state(&job.circular) == DispatchState::Cancelled {
            let _ = done.send(Finished {
                index,
                result: cancelled(),
                permit: None,
            });
            continue;
        }
        if turn.is_none() {
            turn = tokio::select! {
                _ = stop.cancelled() => break,
                turn = d.starting.lock() => Some(turn),
            };
        }
        let permit = tokio::select! {
            _ = stop.cancelled() => break,
            permit = d.in_flight.acquire() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        running.fetch_add(1, Ordering::Relaxed);
        let (d, job, done, running) = (d.clone(), job.clone(), done.clone(), running.clone());
        let span = mail_span(&job, index);
        mails.spawn(
            async move {
                let result = d.first_attempt(&job, index, first_at).await;
                running.fetch_sub(1, Ordering::Relaxed);
                let _ = done.send(Finished {
                    index,
                    result,
                    permit: Some(permit),
                });
            }
            .instrument(span),
        );
    }
    drop(turn);
    while mails.join_next().await.is_some() {}
}

/// The span of one mail attempt, a child of its batch's: the circular, the delivery by its
/// [`DeliveryRef`] (never the address) and the language. A `debug` span, which only an
/// exporter takes (see `circulars_core::telemetry`): the reference is worked out only then.
fn mail_span(job: &BatchJob, index: usize) -> Span {
    let recipient = &job.recipients[index];
    let span = debug_span!(
        "mail_attempt",
        circular = %job.circular,
        delivery = tracing::field::Empty,
        language = recipient.language.code(),
    );
    if !span.is_disabled() {
        let key = DeliveryKey::new(job.circular.clone(), recipient.address.clone());
        span.record("delivery", tracing::field::display(DeliveryRef::of(&key)));
    }
    span
}

/// The result of a recipient of a cancelled circular: nothing sent.
fn cancelled() -> MailResult {
    MailResult {
        state: DeliveryState::Cancelled,
        reply: None,
        detail: Some("the circular was cancelled before this mail was sent".into()),
        at: Utc::now(),
        relay: None,
        next_at: None,
        unconfirmed: 0,
    }
}
