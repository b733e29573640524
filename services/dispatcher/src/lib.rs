//! `circulars-dispatcher`: one mail per job, sent through the configured relays, each delivery
//! key claimed before SMTP so that nothing is ever sent twice except the mail in flight at a
//! crash; deferred mail parked outside the live queue; circulars paused, resumed or cancelled
//! by operators while in flight.
//!
//! # Layout
//! - [`outcome`]: the one function that classifies an SMTP attempt, and what follows from it
//!   (sent, failed, or deferred until when)
//! - [`claims`]: the claim record kept per delivery key in the `delivery-claims` bucket
//! - `send`: one job: claim, send, record, park or publish, then acknowledge
//! - `pull`: one consumer per circular with jobs waiting (`mail.outbound.<circular>`), so
//!   a paused circular's jobs simply stay queued
//! - `retries`: the scheduler that queues parked mail again when it is due
//! - `control`: the watcher of the `dispatch-control` bucket (pause, resume, cancel, limits)
//! - `activity`: each relay's limits and mails of the last minute, reported every two seconds
//!   on core NATS `relay-activity.<relay>` for the operations dashboard
//! - [`run`]: the service, all of the above until shutdown
//!
//! The relays themselves (pooled connections, TLS, authentication, rate limits, failover) are
//! the `circulars-relays` library, which staff's test copies send through too.
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

mod activity;
pub mod claims;
mod control;
pub mod outcome;
mod pull;
mod retries;
mod send;

use async_nats::jetstream::kv;
use circulars_core::domain::{CircularId, Language};
use circulars_core::nats::control::DispatchState;
use circulars_core::nats::BusError;
use circulars_core::tokens::Keyring;
use circulars_relays::{RelayError, Relays};
use circulars_render::dkim::{self, DkimSigner};
use circulars_runtime::ServiceContext;
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
    Tokens(#[from] circulars_core::tokens::TokenError),
    /// The relays.
    #[error(transparent)]
    Relays(#[from] RelayError),
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
        dkim: circulars_render::dkim_signer(&ctx.config)?,
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
        tokio::spawn(activity::report(dispatcher.clone(), shutdown.clone())),
    ];
    for task in tasks {
        if let Err(e) = task.await {
            warn!(error = %e, "a dispatcher task ended abnormally");
        }
    }
    info!("dispatcher stopped");
    Ok(())
}
