//! `circulars-dispatcher`: mail sent in batch jobs (the first attempt of up to
//! [`JOB_SIZE`](circulars_core::events::JOB_SIZE) recipients) and retry jobs (one delivery's
//! later attempt) through the configured relays, each job claimed before SMTP so that nothing
//! is ever sent twice except the mails in flight at a crash; deferred mail parked outside the
//! live queue; circulars paused, resumed or cancelled by operators while in flight.
//!
//! # Layout
//! - [`outcome`]: the one function that classifies an SMTP attempt, and what follows from it
//!   (sent, failed, deferred until when, or, after a reply lost once the message was sent,
//!   tried again as configured and then sent, unconfirmed), and why a refused mail failed
//!   (its reply read as a returned mail's reason would be)
//! - [`batch_claims`]: a batch job's claim (owner, lease, each recipient's result) in the
//!   `delivery-claims` bucket
//! - [`claims`]: the claim record kept per delivery key for retries
//! - `jobs`: a job message read and handed to its kind
//! - `batch`: one batch job: claim, send concurrently, group-commit the results, park,
//!   publish one outcome event, acknowledge
//! - `send`: one retry job: claim, send, record, park or publish, then acknowledge; the
//!   mail attempt and publishing both kinds share
//! - `pull`: one consumer per circular with jobs waiting (`mail.outbound.<circular>`), so
//!   a paused circular's jobs simply stay queued
//! - `retries`: the scheduler that queues parked mail again when it is due
//! - `control`: the watcher of the `dispatch-control` bucket (pause, resume, cancel, limits)
//! - `shares`: the `dispatchers` bucket, through which the dispatchers running side by side
//!   each take an equal share of the relays' limits and of `smtp.concurrency`
//! - `activity`: each relay's limits and mails of the last minute, reported every two seconds
//!   on core NATS `relay-activity.<relay>` for the operations dashboard
//! - [`run`]: the service, all of the above until shutdown
//!
//! The relays themselves (pooled connections, TLS, authentication, rate limits, failover) are
//! the `circulars-relays` library, which staff's test copies send through too.
//!
//! # The order that bounds duplicates
//! A batch job (the `batch` module's docs give every step):
//! 1. take the batch's claim (create it; or read it and take it over by compare-and-set once
//!    its owner's lease has ended; a complete claim only has its outcomes published again);
//! 2. send each recipient without a result, each mail holding an in-flight permit;
//! 3. write the results gathered since the last write in one compare-and-set of the claim,
//!    and only then let those mails' permits go;
//! 4. once all have results: park the deferred ones' next attempts, publish the batch's
//!    outcomes, wait for JetStream's ack, acknowledge the job.
//!
//! A death between a relay's "250" and the write holding it leaves that recipient without a
//! result; whoever takes the batch over sends it again. Those mails hold permits until their
//! write, so a crash duplicates at most the dying dispatcher's share of `smtp.concurrency`
//! (all of it when it runs alone; `shares` splits it between the dispatchers running).
//!
//! A retry job: claim the delivery key (`sending`) by compare-and-set, send, write the final
//! or deferred claim, park the next attempt, publish the outcome, acknowledge: a death between
//! "250" and the claim write sends that one mail again.

mod activity;
mod batch;
pub mod batch_claims;
pub mod claims;
mod control;
mod jobs;
pub mod outcome;
mod pull;
mod retries;
mod send;
mod shares;

use async_nats::jetstream::kv;
use circulars_core::domain::{CircularId, Language};
use circulars_core::nats::control::DispatchState;
use circulars_core::nats::BusError;
use circulars_core::tokens::Keyring;
use circulars_relays::{Cap, RelayError, Relays};
use circulars_render::dkim::{self, DkimSigner};
use circulars_render::mail::MailTemplate;
use circulars_runtime::ServiceContext;
use rand::Rng;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, PoisonError, RwLock};
use tokio::sync::{Mutex, Notify};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// What the dispatcher's tasks share.
struct Dispatcher {
    ctx: ServiceContext,
    relays: Relays,
    claims: kv::Store,
    keyring: Arc<Keyring>,
    dkim: Option<Arc<DkimSigner>>,
    /// Each circular's language versions as mail templates, made once per process.
    templates: Mutex<HashMap<(CircularId, Language), Arc<MailTemplate>>>,
    /// The circulars operators paused or cancelled (the others run).
    states: RwLock<HashMap<CircularId, DispatchState>>,
    /// Woken when a circular's state changes.
    changed: Notify,
    /// One permit per mail in flight (this process's share of `smtp.concurrency`), shared by
    /// all circulars; a mail of a batch keeps its permit until its result is written in the
    /// batch's claim.
    in_flight: Cap,
    /// This process as the owner of the batch claims it holds: `host:pid:<random>`, new at
    /// every start, so a restarted process never mistakes an old lease for its own.
    owner: String,
    /// Held by the batch whose turn it is to start mails (see `batch`).
    starting: Mutex<()>,
    /// The claim keys of the batches this process has in hand.
    in_hand: std::sync::Mutex<HashSet<String>>,
    /// Results written in batch claims by this process (the failpoint counts them).
    recorded: AtomicUsize,
    /// The tests' failpoint: from the environment variable [`HOLD_CLAIM_WRITES_AFTER`].
    hold_writes_after: Option<usize>,
}

/// An environment variable for the crash stories only: once the process has written this
/// many results in batch claims, every later write holding results waits forever, as if the
/// process had died after the relay's replies and before the group write (the story then
/// kills it). Unset in production: the dispatcher reads it once at start and logs a warning
/// when it is set.
pub const HOLD_CLAIM_WRITES_AFTER: &str = "CIRCULARS_TEST_HOLD_CLAIM_WRITES_AFTER";

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
        keyring: Arc::new(keyring),
        dkim: circulars_render::dkim_signer(&ctx.config)?.map(Arc::new),
        templates: Mutex::new(HashMap::new()),
        states: RwLock::new(HashMap::new()),
        changed: Notify::new(),
        in_flight: Cap::new("mails in flight", concurrency),
        owner: format!(
            "{}:{:08x}",
            activity::dispatcher_name(),
            rand::thread_rng().gen::<u32>()
        ),
        starting: Mutex::new(()),
        in_hand: std::sync::Mutex::new(HashSet::new()),
        recorded: AtomicUsize::new(0),
        hold_writes_after: std::env::var(HOLD_CLAIM_WRITES_AFTER)
            .ok()
            .and_then(|n| n.parse().ok()),
        ctx,
    });
    if let Some(n) = dispatcher.hold_writes_after {
        warn!(
            after = n,
            "{HOLD_CLAIM_WRITES_AFTER} is set: claim writes will stop (a test's failpoint)"
        );
    }
    // The operators' word first, so a paused circular is never pulled at start-up.
    let watcher = control::Watcher::start(dispatcher.clone()).await?;
    // Its share of the cluster's limits taken before the first mail.
    let membership = shares::Membership::join(&dispatcher).await?;
    let leaving = CancellationToken::new();
    let heartbeat = {
        let (d, leaving) = (dispatcher.clone(), leaving.clone());
        tokio::spawn(async move {
            membership.keep(d, leaving).await;
            membership
        })
    };
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
    leaving.cancel();
    match heartbeat.await {
        Ok(membership) => membership.leave().await,
        Err(e) => warn!(error = %e, "the dispatcher's heartbeat ended abnormally"),
    }
    info!("dispatcher stopped");
    Ok(())
}
