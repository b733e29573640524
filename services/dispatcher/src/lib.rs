//! `circulars-dispatcher`: one mail per job, sent over a pooled SMTP connection, each delivery
//! key claimed before SMTP so that nothing is ever sent twice except the mail in flight at a crash.
//!
//! # Layout
//! - [`dkim`]: DKIM signatures (RSA-2048 or Ed25519) over the headers RFC 8058 needs signed
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
pub mod dkim;
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
use circulars_shared::tokens::Keyring;
use claims::{Claim, ClaimRecord};
use dkim::DkimSigner;
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
    keyring: Keyring,
    dkim: Option<DkimSigner>,
    versions: Mutex<HashMap<(CircularId, Language), Arc<LanguageVersion>>>,
}

/// One stored language version of a circular with its annexes encoded, read once per process.
struct LanguageVersion {
    rendition: Rendition,
    annexes: Vec<mail::PreparedAnnex>,
}

/// Why the dispatcher could not start.
#[derive(Debug, thiserror::Error)]
pub enum DispatcherError {
    /// NATS.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The DKIM key.
    #[error(transparent)]
    Dkim(#[from] dkim::DkimError),
    /// The token keys.
    #[error("tokens: {0}")]
    Tokens(#[from] circulars_shared::tokens::TokenError),
}

/// The DKIM signer the configuration asks for, if any.
pub fn dkim_signer(config: &Config) -> Result<Option<DkimSigner>, dkim::DkimError> {
    let d = &config.dkim;
    match (&d.private_key_file, d.enabled) {
        (Some(path), true) => Ok(Some(DkimSigner::from_file(
            &d.domain,
            &d.selector,
            d.algorithm.parse()?,
            path,
        )?)),
        _ => Ok(None),
    }
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
pub async fn run(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), DispatcherError> {
    let concurrency = ctx.config.smtp.concurrency;
    let keyring = ctx.config.tokens.keyring()?;
    if keyring.is_development() {
        warn!("no [tokens] keys configured: signing with the public development key, fit only for tests and previews");
    }
    let dispatcher = Arc::new(Dispatcher {
        transport: transport(&ctx.config),
        claims: ctx.bus.claims().await?,
        keyring,
        dkim: dkim_signer(&ctx.config)?,
        versions: Mutex::new(HashMap::new()),
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
                let version = self.version(&job.circular, job.recipient.language).await?;
                let settings = mail::MailSettings {
                    config: &self.ctx.config.mail,
                    keyring: &self.keyring,
                    dkim: self.dkim.as_ref(),
                };
                let verdict = match mail::build(
                    &version.rendition,
                    &version.annexes,
                    &job.recipient,
                    settings,
                ) {
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

    /// The stored language version and its annexes, read once per circular and language.
    async fn version(
        &self,
        circular: &CircularId,
        language: Language,
    ) -> Result<Arc<LanguageVersion>, Failure> {
        let key = (circular.clone(), language);
        if let Some(v) = self.versions.lock().await.get(&key) {
            return Ok(v.clone());
        }
        let rendition = self
            .ctx
            .store
            .rendition(circular, language)
            .await?
            .ok_or_else(|| {
                Failure::Retry(format!("no stored {language} version of {circular} yet"))
            })?;
        let stored = self.ctx.store.annexes(circular, language).await?;
        let annexes = mail::prepare_annexes(&stored).map_err(|e| Failure::Poison(e.to_string()))?;
        let version = Arc::new(LanguageVersion { rendition, annexes });
        self.versions.lock().await.insert(key, version.clone());
        Ok(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Config {
        Config::from_sources(Some(("c.toml", extra)), Vec::new()).unwrap()
    }

    #[test]
    fn dkim_signs_only_when_enabled_with_a_readable_key() {
        assert!(
            dkim_signer(&config("")).unwrap().is_none(),
            "off by default"
        );
        let key = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/dkim/ed25519.pkcs8.pem"
        );
        let on = config(&format!(
            "[dkim]\nenabled = true\nalgorithm = \"ed25519\"\ndomain = \"itu.example\"\nprivate_key_file = \"{key}\"\n"
        ));
        let signer = dkim_signer(&on).unwrap().unwrap();
        assert_eq!(
            (signer.domain(), signer.selector()),
            ("itu.example", "circulars")
        );
        let missing =
            config("[dkim]\nenabled = true\nprivate_key_file = \"/nonexistent/dkim.pem\"\n");
        let err = dkim_signer(&missing).unwrap_err().to_string();
        assert!(
            err.contains("/nonexistent/dkim.pem"),
            "the error names the file: {err}"
        );
    }
}
