//! One retry job (one delivery, a later attempt), in the order the crate docs give: read the
//! claim, claim, send, record, park or publish, and only then acknowledge. An attempt 1 (a
//! job queued by an earlier version) skips the read: creating the claim fails when any claim
//! exists, and only then is it read. Also the steps batch jobs share: one mail attempted
//! ([`Dispatcher::attempt`]), outcomes published, language versions read once.

use crate::claims::{self, ClaimRecord, Found};
use crate::outcome::{self, Verdict};
use crate::Dispatcher;
use async_nats::jetstream::{AckKind, Message};
use chrono::{DateTime, Utc};
use circulars_core::domain::{CircularId, DeliveryKey, DeliveryState, Language, Recipient};
use circulars_core::events::{Contract, RetryJob};
use circulars_core::nats::control::DispatchState;
use circulars_core::nats::BusError;
use circulars_render::mail::MailTemplate;
use circulars_runtime::{settle, Failure};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OwnedSemaphorePermit;
use tracing::{error, info, warn};

/// What to tell JetStream about a job after handling it.
pub(crate) enum Settlement {
    /// Done: sent, failed, parked for later, cancelled, or done before.
    Ack,
    /// Another dispatcher holds the claim: deliver it again after this delay.
    RetryAfter(Duration),
}

/// What claiming a key that already had a claim came to.
enum Claimed {
    /// Taken as `sending` at this revision; the first attempt began then.
    Taken(u64, DateTime<Utc>),
    /// Nothing to send: settle the job so.
    Settled(Settlement),
}

/// The claim of an attempt under way.
fn sending(job: &RetryJob, now: DateTime<Utc>, first_at: DateTime<Utc>) -> ClaimRecord {
    ClaimRecord {
        state: DeliveryState::Sending,
        attempt: job.attempt,
        reply: None,
        detail: None,
        at: now,
        first_at: Some(first_at),
        next_at: None,
        relay: None,
        unconfirmed: job.unconfirmed,
    }
}

/// How long a job waits when another dispatcher holds its claim.
pub(crate) const BUSY_DELAY: Duration = Duration::from_secs(5);

/// Handles one retry job and settles its message; `permit` is its slot among the mails in
/// flight.
pub(crate) async fn handle(
    d: Arc<Dispatcher>,
    message: Message,
    job: RetryJob,
    permit: OwnedSemaphorePermit,
) {
    match d.deliver(job).await {
        Ok(Settlement::Ack) => settle("dispatcher", &message, Ok(())).await,
        Ok(Settlement::RetryAfter(delay)) => {
            if let Err(e) = message.ack_with(AckKind::Nak(Some(delay))).await {
                warn!(error = %e, "nak not sent; JetStream will redeliver after ack_wait");
            }
        }
        Err(failure) => settle("dispatcher", &message, Err(failure)).await,
    }
    drop(permit);
}

impl Dispatcher {
    /// Handles one retry job, following the order in the crate docs (in the `dispatch_retry`
    /// span, which names the delivery by reference, not by address).
    async fn deliver(&self, job: RetryJob) -> Result<Settlement, Failure> {
        let key = job.key();
        let now = Utc::now();

        // Most jobs are a first attempt nobody has claimed: claim outright (one round trip);
        // a key that exists is read and handled below, as on every later attempt.
        let fresh = if job.attempt == 1 && self.state(&job.circular) != DispatchState::Cancelled {
            claims::take(&self.claims, &key, None, &sending(&job, now, now)).await?
        } else {
            None
        };
        let (revision, first_at) = match fresh {
            Some(revision) => (revision, now),
            None => match self.claim_known_key(&job, &key, now).await? {
                Claimed::Taken(revision, first_at) => (revision, first_at),
                Claimed::Settled(settlement) => return Ok(settlement),
            },
        };
        let (verdict, relay) = self.attempt(&job.circular, &job.recipient).await?;
        let jitter = rand::thread_rng().gen_range(-1.0..=1.0);
        let attempt = outcome::Attempt {
            number: job.attempt,
            first_at,
            unconfirmed_before: job.unconfirmed,
        };
        let decision = outcome::decide(verdict, attempt, Utc::now(), &self.ctx.config.smtp, jitter);
        outcome::count(decision.state, relay.as_deref());
        let record = ClaimRecord {
            state: decision.state,
            attempt: job.attempt,
            reply: decision.reply,
            detail: decision.detail,
            at: Utc::now(),
            first_at: Some(first_at),
            next_at: decision.next_at,
            relay,
            unconfirmed: decision.unconfirmed,
        };
        claims::record(&self.claims, &key, revision, &record).await?;
        info!(state = %record.state, relay = ?record.relay, reply = ?record.reply.as_ref().map(ToString::to_string), next_at = ?record.next_at, "attempt finished");
        if let Some(next_at) = record.next_at {
            let next = RetryJob {
                attempt: job.attempt + 1,
                first_at: Some(first_at),
                unconfirmed: record.unconfirmed,
                ..job
            };
            self.ctx.store.park_retry(&next, next_at).await?;
        }
        self.publish_new(&record.outcome(&key)).await?;
        Ok(Settlement::Ack)
    }

    /// Claims a key that may already hold a claim (a later attempt, a redelivery, a cancel):
    /// reads it, settles the job when the claim says it is done or not this job's to send,
    /// else takes it over as `sending`.
    async fn claim_known_key(
        &self,
        job: &RetryJob,
        key: &DeliveryKey,
        now: DateTime<Utc>,
    ) -> Result<Claimed, Failure> {
        let found = claims::read(&self.claims, key).await?;
        if let Some(f) = &found {
            if f.record.state.is_final() {
                // Done before a crash or redelivery: make sure the outcome is recorded, send nothing.
                self.publish_again(&f.record.outcome(key)).await?;
                return Ok(Claimed::Settled(Settlement::Ack));
            }
            if f.record.attempt > job.attempt {
                info!(
                    claimed = f.record.attempt,
                    "a later attempt holds the claim; this job is stale"
                );
                return Ok(Claimed::Settled(Settlement::Ack));
            }
        }
        let first_at = found
            .as_ref()
            .and_then(|f| f.record.first_at)
            .or(job.first_at)
            .unwrap_or(now);
        if self.state(&job.circular) == DispatchState::Cancelled {
            return Ok(Claimed::Settled(
                self.cancel(job, found.as_ref(), first_at).await?,
            ));
        }
        if let Some(f) = found.as_ref().filter(|f| {
            f.record.state == DeliveryState::Deferred && f.record.attempt >= job.attempt
        }) {
            // Deferred before a crash: make sure the next attempt is parked and the outcome
            // recorded, without trying again now.
            let next = RetryJob {
                attempt: f.record.attempt + 1,
                first_at: Some(first_at),
                unconfirmed: f.record.unconfirmed,
                ..job.clone()
            };
            self.ctx
                .store
                .park_retry(&next, f.record.next_at.unwrap_or(now))
                .await?;
            self.publish_again(&f.record.outcome(key)).await?;
            return Ok(Claimed::Settled(Settlement::Ack));
        }

        let sending = sending(job, now, first_at);
        Ok(
            match claims::take(&self.claims, key, found.as_ref(), &sending).await? {
                Some(revision) => Claimed::Taken(revision, first_at),
                None => Claimed::Settled(Settlement::RetryAfter(BUSY_DELAY)),
            },
        )
    }

    /// Settles a job of a cancelled circular: claimed as `cancelled`, nothing sent.
    async fn cancel(
        &self,
        job: &RetryJob,
        found: Option<&Found>,
        first_at: chrono::DateTime<Utc>,
    ) -> Result<Settlement, Failure> {
        let key = job.key();
        let record = ClaimRecord {
            state: DeliveryState::Cancelled,
            attempt: found.map_or(job.attempt, |f| f.record.attempt.max(job.attempt)),
            reply: None,
            detail: Some("the circular was cancelled before this mail was sent".into()),
            at: Utc::now(),
            first_at: Some(first_at),
            next_at: None,
            relay: None,
            unconfirmed: 0,
        };
        if claims::take(&self.claims, &key, found, &record)
            .await?
            .is_none()
        {
            return Ok(Settlement::RetryAfter(BUSY_DELAY));
        }
        self.publish_new(&record.outcome(&key)).await?;
        Ok(Settlement::Ack)
    }

    /// Sends the circular to `recipient` once: the mail spliced from the language's template
    /// (signed on a blocking thread when the signature is slow, RSA) and handed to the relays;
    /// what the attempt means, and the relay it went to.
    pub(crate) async fn attempt(
        &self,
        circular: &CircularId,
        recipient: &Recipient,
    ) -> Result<(Verdict, Option<String>), Failure> {
        let template = self.template(circular, recipient.language).await?;
        let built = match &self.dkim {
            Some(signer) if signer.signs_slowly() => {
                let (keyring, signer, recipient) =
                    (self.keyring.clone(), signer.clone(), recipient.clone());
                tokio::task::spawn_blocking(move || {
                    template.mail_for(&recipient, &keyring, Some(&signer), Utc::now())
                })
                .await
                .map_err(|e| Failure::Retry(format!("signing thread: {e}").into()))?
            }
            dkim => template.mail_for(recipient, &self.keyring, dkim.as_deref(), Utc::now()),
        };
        Ok(match built {
            Ok(mail) => {
                let started = std::time::Instant::now();
                let sent = self.relays.send(&mail).await;
                metrics::histogram!("circulars_smtp_send_seconds", "relay" => sent.relay.clone())
                    .record(started.elapsed().as_secs_f64());
                (outcome::classify(&sent.result), Some(sent.relay))
            }
            Err(e) => (
                Verdict::Failed {
                    reply: None,
                    detail: Some(e.to_string()),
                },
                None,
            ),
        })
    }

    /// Publishes an outcome that must be new. A duplicate would mean JetStream dropped it,
    /// which is an error: the job is handed over again, finds its claim and publishes again.
    pub(crate) async fn publish_new<C: Contract>(&self, outcome: &C) -> Result<(), Failure> {
        match self.ctx.bus.publish_new(outcome).await {
            Err(e @ BusError::Duplicate { .. }) => {
                error!(error = %e, "unexpected duplicate outcome");
                Err(Failure::Retry(e.into()))
            }
            other => other.map_err(Failure::from),
        }
    }

    /// Publishes an outcome recorded before (a crash or a redelivery): JetStream may have it.
    pub(crate) async fn publish_again<C: Contract>(&self, outcome: &C) -> Result<(), Failure> {
        let published = self.ctx.bus.publish(outcome).await?;
        if published.duplicate {
            info!(msg_id = %outcome.msg_id(), "outcome was already published");
        }
        Ok(())
    }

    /// The mail template of a circular's language, made once per process from the stored
    /// language version and its annexes.
    pub(crate) async fn template(
        &self,
        circular: &CircularId,
        language: Language,
    ) -> Result<Arc<MailTemplate>, Failure> {
        let key = (circular.clone(), language);
        if let Some(t) = self.templates.lock().await.get(&key) {
            return Ok(t.clone());
        }
        let rendition = self
            .ctx
            .store
            .rendition(circular, language)
            .await?
            .ok_or_else(|| {
                Failure::Retry(format!("no stored {language} version of {circular} yet").into())
            })?;
        let annexes = self.ctx.store.annexes(circular, language).await?;
        let template = MailTemplate::new(&rendition, &annexes, &self.ctx.config.mail)
            .map_err(|e| Failure::Poison(e.into()))?;
        let template = Arc::new(template);
        self.templates.lock().await.insert(key, template.clone());
        Ok(template)
    }
}
