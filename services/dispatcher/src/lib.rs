//! `circulars-dispatcher`: one mail per job, sent over a pooled SMTP connection, each delivery
//! key claimed before SMTP so that nothing is ever sent twice except the mail in flight at a crash.
//!
//! # Layout
//! - [`mail`]: the mail built from the stored language version and the personal fields
//! - [`outcome`]: the one function that classifies an SMTP attempt
//! - [`claims`]: the claim record kept per delivery key in the `delivery-claims` bucket
//! - [`run`]: the service: pull `mail.outbound.>`, claim, send, record, publish
//!   `delivery.<state>`, and only then acknowledge the job
//!
//! # The order that bounds duplicates
//! 1. claim the key (`sending`), or find it already final and only re-publish its outcome;
//! 2. send over SMTP;
//! 3. write the final claim (`sent`/`failed`) with the reply;
//! 4. publish the outcome and wait for JetStream's ack;
//! 5. acknowledge the job.
//!
//! A death between the relay's "250" and step 3 leaves the claim at `sending`; the job is
//! redelivered and that one mail is sent again. That is the only window, so a crash duplicates
//! at most the mails in flight (`smtp.concurrency`).

pub mod claims;
pub mod mail;
pub mod outcome;

use async_nats::jetstream::{kv, AckKind, Message};
use chrono::Utc;
use circulars_shared::config::Config;
use circulars_shared::domain::{CircularId, DeliveryState, Language};
use circulars_shared::events::{Contract, DeliveryOutcome, MailJob};
use circulars_shared::nats::{BusError, DISPATCHER_CONSUMER};
use circulars_shared::service::{next_message, settle, Failure, ServiceContext};
use circulars_shared::store::Rendition;
use claims::{Claim, ClaimRecord};
use futures::StreamExt;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use outcome::Verdict;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use tracing::{info, instrument, warn, Span};

/// What the dispatcher shares between its concurrent sends.
struct Dispatcher {
    ctx: ServiceContext,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    claims: kv::Store,
    renditions: Mutex<HashMap<(CircularId, Language), Arc<Rendition>>>,
}

/// What to tell JetStream about a job after handling it.
enum Settlement {
    /// Done (sent, failed, or already done before).
    Ack,
    /// Refused for now: deliver it again after this delay.
    RetryAfter(Duration),
}

/// The SMTP transport the configuration describes: plain SMTP to the relay, pooled.
pub fn transport(config: &Config) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.smtp.host)
        .port(config.smtp.port)
        .timeout(Some(Duration::from_secs(config.smtp.timeout_secs)))
        .pool_config(PoolConfig::new().max_size(config.smtp.concurrency as u32))
        .build()
}

/// Sends jobs until `shutdown`, then finishes the mails in flight and returns.
pub async fn run(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), BusError> {
    let concurrency = ctx.config.smtp.concurrency;
    let dispatcher = Arc::new(Dispatcher {
        transport: transport(&ctx.config),
        claims: ctx.bus.claims().await?,
        renditions: Mutex::new(HashMap::new()),
        ctx,
    });
    let consumer = dispatcher.ctx.bus.consumer(DISPATCHER_CONSUMER).await?;
    let messages = consumer
        .messages()
        .await
        .map_err(|e| BusError::JetStream(e.to_string()))?;
    info!(concurrency, relay = %dispatcher.ctx.config.smtp.host, port = dispatcher.ctx.config.smtp.port, "dispatcher ready");
    let jobs = futures::stream::unfold(
        (messages, shutdown),
        |(mut messages, shutdown)| async move {
            let next = next_message("dispatcher", &mut messages, &shutdown).await?;
            Some((next, (messages, shutdown)))
        },
    );
    jobs.for_each_concurrent(concurrency, |message| {
        let dispatcher = dispatcher.clone();
        async move {
            match dispatcher.deliver(&message).await {
                Ok(Settlement::Ack) => settle("dispatcher", &message, Ok(())).await,
                Ok(Settlement::RetryAfter(delay)) => {
                    if let Err(e) = message.ack_with(AckKind::Nak(Some(delay))).await {
                        warn!(error = %e, "nak not sent; JetStream will redeliver after ack_wait");
                    }
                }
                Err(failure) => settle("dispatcher", &message, Err(failure)).await,
            }
        }
    })
    .await;
    info!("dispatcher stopped");
    Ok(())
}

impl Dispatcher {
    /// Handles one job message, following the order in the crate docs.
    #[instrument(skip_all, fields(circular, recipient, language, attempt))]
    async fn deliver(&self, message: &Message) -> Result<Settlement, Failure> {
        let job = MailJob::decode(&message.subject, &message.payload)?;
        let attempt = message
            .info()
            .map(|i| i.delivered.max(1) as u32)
            .unwrap_or(1)
            .max(job.attempt);
        let span = Span::current();
        span.record("circular", job.circular.as_str());
        span.record("recipient", job.recipient.address.as_str());
        span.record("language", job.recipient.language.code());
        span.record("attempt", attempt);
        let key = job.key();

        match claims::claim(&self.claims, &key, attempt).await? {
            Claim::AlreadyFinal(record) => {
                // Done before a crash or redelivery: make sure the outcome is recorded, send nothing.
                self.publish(record.outcome(&key)).await?;
                return Ok(Settlement::Ack);
            }
            Claim::Busy => return Ok(Settlement::RetryAfter(Duration::from_secs(5))),
            Claim::Claimed(revision) => {
                let rendition = self
                    .rendition(&job.circular, job.recipient.language)
                    .await?;
                let verdict = match mail::build(&rendition, &job.recipient, &self.ctx.config.mail) {
                    Ok(mail) => outcome::classify(&self.transport.send(mail).await),
                    Err(e) => Verdict::Failed {
                        reply: None,
                        detail: Some(e.to_string()),
                    },
                };
                let max_attempts = self.ctx.config.smtp.max_attempts;
                let (state, reply, detail) = match verdict {
                    Verdict::Sent(reply) => (DeliveryState::Sent, Some(reply), None),
                    Verdict::Failed { reply, detail } => (DeliveryState::Failed, reply, detail),
                    Verdict::Deferred { reply, detail } if attempt >= max_attempts => {
                        let detail = Some(format!(
                            "{} attempts, none accepted{}",
                            attempt,
                            detail.map(|d| format!(": {d}")).unwrap_or_default()
                        ));
                        (DeliveryState::Failed, reply, detail)
                    }
                    Verdict::Deferred { reply, detail } => (DeliveryState::Deferred, reply, detail),
                };
                let record = ClaimRecord {
                    state,
                    attempt,
                    reply,
                    detail,
                    at: Utc::now(),
                };
                claims::record(&self.claims, &key, revision, &record).await?;
                info!(state = %state, reply = ?record.reply.as_ref().map(ToString::to_string), "attempt finished");
                self.publish(record.outcome(&key)).await?;
                if state == DeliveryState::Deferred {
                    return Ok(Settlement::RetryAfter(Duration::from_secs(
                        self.ctx.config.smtp.retry_delay_secs,
                    )));
                }
                Ok(Settlement::Ack)
            }
        }
    }

    /// Publishes an outcome and waits for JetStream's ack; a duplicate is expected only when
    /// the same outcome was published before a crash, which the message id recognises.
    async fn publish(&self, outcome: DeliveryOutcome) -> Result<(), Failure> {
        let published = self.ctx.bus.publish(&outcome).await?;
        if published.duplicate {
            info!(msg_id = %outcome.msg_id(), "outcome was already published");
        }
        Ok(())
    }

    /// The stored language version, read once per circular and language.
    async fn rendition(
        &self,
        circular: &CircularId,
        language: Language,
    ) -> Result<Arc<Rendition>, Failure> {
        let key = (circular.clone(), language);
        if let Some(r) = self.renditions.lock().await.get(&key) {
            return Ok(r.clone());
        }
        let rendition = self
            .ctx
            .store
            .rendition(circular, language)
            .await?
            .ok_or_else(|| {
                Failure::Retry(format!("no stored {language} version of {circular} yet"))
            })?;
        let rendition = Arc::new(rendition);
        self.renditions.lock().await.insert(key, rendition.clone());
        Ok(rendition)
    }
}
