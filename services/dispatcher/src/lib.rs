//! `circulars-dispatcher`: one mail per job, sent through the configured relays, each delivery
//! key claimed before SMTP so that nothing is ever sent twice except the mail in flight at a
//! crash; deferred mail parked outside the live queue; circulars paused, resumed or cancelled
//! by operators while in flight.
//!
//! # Layout
//! - [`dkim`]: DKIM signatures (RSA-2048 or Ed25519) over the headers RFC 8058 needs signed
//! - [`mail`]: the mail built from the stored language version and the personal fields
//! - [`outcome`]: the one function that classifies an SMTP attempt, and what follows from it
//!   (sent, failed, or deferred until when)
//! - [`claims`]: the claim record kept per delivery key in the `delivery-claims` bucket
//! - [`relays`]: the relays, with TLS, authentication, rate limits and failover
//! - [`pool`]: the connections to one relay (`TCP_NODELAY`, a deadline per attempt)
//! - `send`: one job: claim, send, record, park or publish, then acknowledge
//! - `pull`: one consumer per circular with jobs waiting (`mail.outbound.<circular>`), so
//!   a paused circular's jobs simply stay queued
//! - `retries`: the scheduler that queues parked mail again when it is due
//! - `control`: the watcher of the `dispatch-control` bucket (pause, resume, cancel, limits)
//! - [`run`]: the service, all of the above until shutdown
//!
//! # The order that bounds duplicates
//! 1. claim the key (`sending`): a first attempt creates the claim, which fails if any claim
//!    exists; otherwise, or then, the claim is read: a key already final only has its outcome
//!    published again, else it is taken over by compare-and-set on the bucket revision;
//! 2. send over SMTP;
//! 3. write the final or deferred claim with the reply;
//! 4. for deferred mail, park the next attempt in the database;
//! 5. publish the outcome and wait for JetStream's ack;
//! 6. acknowledge the job.
//!
//! A death between the relay's "250" and step 3 leaves the claim at `sending`; the job is
//! handed over again and that one mail is sent again. That is the only window, so a crash
//! duplicates at most the mails in flight (`smtp.concurrency`).

pub mod claims;
mod control;
pub mod dkim;
pub mod mail;
pub mod outcome;
pub mod pool;
mod pull;
pub mod relays;
mod retries;
mod send;

use async_nats::jetstream::kv;
use circulars_shared::config::Config;
use circulars_shared::domain::{CircularId, Language};
use circulars_shared::nats::control::DispatchState;
use circulars_shared::nats::BusError;
use circulars_shared::service::ServiceContext;
use circulars_shared::tokens::Keyring;
use dkim::DkimSigner;
use relays::Relays;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use tokio::sync::{Mutex, Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// What the dispatcher's tasks share.
struct Dispatcher {
    ctx: ServiceContext,
    relays: Relays,
    claims: kv::Store,
    keyring: Keyring,
    dkim: Option<DkimSigner>,
    versions: Mutex<HashMap<(CircularId, Language), Arc<send::LanguageVersion>>>,
    /// The circulars operators paused or cancelled (the others run).
    states: RwLock<HashMap<CircularId, DispatchState>>,
    /// Woken when a circular's state changes.
    changed: Notify,
    /// One permit per mail in flight (`smtp.concurrency`), shared by all circulars.
    in_flight: Arc<Semaphore>,
}

impl Dispatcher {
    /// What operators want done with `circular`'s mail.
    fn state(&self, circular: &CircularId) -> DispatchState {
        self.states
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(circular)
            .copied()
            .unwrap_or(DispatchState::Running)
    }
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
    /// The relays.
    #[error(transparent)]
    Relays(#[from] relays::RelayError),
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

/// Sends jobs until `shutdown`, then finishes the mails in flight and returns.
pub async fn run(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), DispatcherError> {
    let concurrency = ctx.config.smtp.concurrency;
    let keyring = ctx.config.tokens.keyring()?;
    if keyring.is_development() {
        warn!("no [tokens] keys configured: signing with the public development key, fit only for tests and previews");
    }
    let relays = Relays::from_config(&ctx.config.smtp)?;
    let dispatcher = Arc::new(Dispatcher {
        relays,
        claims: ctx.bus.claims().await?,
        keyring,
        dkim: dkim_signer(&ctx.config)?,
        versions: Mutex::new(HashMap::new()),
        states: RwLock::new(HashMap::new()),
        changed: Notify::new(),
        in_flight: Arc::new(Semaphore::new(concurrency)),
        ctx,
    });
    // The operators' word first, so a paused circular is never pulled at start-up.
    let watcher = control::Watcher::start(dispatcher.clone()).await?;
    info!(concurrency, relays = ?dispatcher.relays.names(), "dispatcher ready");
    let tasks = [
        tokio::spawn(watcher.run(shutdown.clone())),
        tokio::spawn(retries::schedule(dispatcher.clone(), shutdown.clone())),
        tokio::spawn(pull::discover(dispatcher.clone(), shutdown.clone())),
    ];
    for task in tasks {
        if let Err(e) = task.await {
            warn!(error = %e, "a dispatcher task ended abnormally");
        }
    }
    info!("dispatcher stopped");
    Ok(())
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
