//! `circulars-tracker`: every delivery state change recorded, in batched writes, and the
//! returned mail that the intake stored (bounces, complaints, mailed unsubscribes) applied.
//!
//! # Layout
//! - [`run`]: the service: records outcomes and applies returned mail (below).
//! - outcomes: pull `delivery.>` (single outcomes, `delivery.<state>`, and a batch job's
//!   outcomes in one event, `delivery.batch`), gather up to `tracker.batch_size` outcomes
//!   (counted one per delivery, not per message) or what arrives within
//!   `tracker.batch_wait_ms`, write them in one transaction (current state by delivery key,
//!   plus history), and acknowledge each message only after the commit. Recording is
//!   idempotent (`Store::record_outcomes`: a state moves only forward, each history line
//!   once), so an event published again after JetStream's de-duplication window records
//!   nothing twice. Each message has its span (`record_outcomes` for a job's, naming the job;
//!   `record_outcome` for one delivery's, naming it by its reference), the child of the
//!   dispatcher's span that published it, open until the message is settled after the commit.
//! - returned mail: pull `report.received`, read the stored report back, match it to its
//!   delivery and apply it (`circulars_returned_mail::reports`), in an `apply_report` span
//!   following the intake's, naming the circular and the delivery once it is matched.
//! - `Progress`: each circular a commit touched has its counts (per state, language and
//!   category) published on core NATS `progress.<circular>` for the dashboard, at most once per
//!   [`PROGRESS_INTERVAL`], and less often when counting a large circular is slow; news held
//!   back is published when the tracker is idle, so the last counts always go out.

use async_nats::jetstream::Message;
use circulars_core::domain::CircularId;
use circulars_core::events::{
    Contract, DeliveryOutcome, DeliveryOutcomes, DELIVERY_OUTCOMES_SUBJECT, PROGRESS_PREFIX,
};
use circulars_core::nats::{BusError, TRACKER_CONSUMER, TRACKER_REPORTS_CONSUMER};
use circulars_core::telemetry;
use circulars_core::tokens::DeliveryRef;
use circulars_returned_mail::{intake, reports};
use circulars_runtime::{next_message, settle, Failure, ServiceContext};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, info_span, Instrument, Span};

/// Why the tracker could not start.
#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    /// NATS.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The token keys in the configuration.
    #[error("tokens: {0}")]
    Keys(#[from] circulars_core::tokens::TokenError),
}

/// Records outcomes and applies returned mail until `shutdown`, writing what it has gathered
/// before returning.
pub async fn run(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), TrackerError> {
    let matcher = reports::Matcher {
        store: ctx.store.clone(),
        keyring: ctx.config.tokens.keyring()?,
        return_domain: ctx.config.mail.return_domain.clone(),
        message_id_domain: ctx.config.mail.message_id_domain.clone(),
    };
    let outcomes = record_outcomes(ctx.clone(), shutdown.clone());
    let returned = apply_reports(ctx, matcher, shutdown);
    // Either failing stops the tracker.
    tokio::try_join!(outcomes, returned)?;
    Ok(())
}

/// Applies `report.received` one at a time until `shutdown`, after publishing again the
/// reports a crash left unapplied.
async fn apply_reports(
    ctx: ServiceContext,
    matcher: reports::Matcher,
    shutdown: CancellationToken,
) -> Result<(), BusError> {
    if let Err(e) = intake::republish_received(&ctx.store, &ctx.bus).await {
        tracing::warn!(error = %e, "returned mail not yet applied not published again; next start will");
    }
    let mut messages = ctx.bus.messages(TRACKER_REPORTS_CONSUMER).await?;
    let rule = ctx.config.directory.hard_bounce_rule();
    while let Some(message) = next_message("tracker", &mut messages, &shutdown).await {
        // The circular and the delivery are recorded once the report is matched to one.
        let span = info_span!(
            "apply_report",
            report = tracing::field::Empty,
            circular = tracing::field::Empty,
            delivery = tracing::field::Empty,
            state = tracing::field::Empty,
        );
        telemetry::follow(&span, message.headers.as_ref());
        async {
            let result = reports::apply(&matcher, &message.subject, &message.payload, rule).await;
            settle("tracker", &message, result).await;
        }
        .instrument(span)
        .await;
    }
    Ok(())
}

/// Records outcomes until `shutdown`, writing what it has gathered before returning.
async fn record_outcomes(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), BusError> {
    let mut messages = ctx.bus.messages(TRACKER_CONSUMER).await?;
    let size = ctx.config.tracker.batch_size;
    let wait = Duration::from_millis(ctx.config.tracker.batch_wait_ms);
    info!(batch_size = size, "tracker ready");
    let mut progress = Progress::default();
    loop {
        // Between batches, publish the progress held back by the once-a-second rule.
        let first = tokio::select! {
            next = next_message("tracker", &mut messages, &shutdown) => match next {
                Some(m) => m,
                None => break,
            },
            _ = tokio::time::sleep(PROGRESS_INTERVAL), if progress.has_pending() => {
                progress.publish_due(&ctx).await;
                continue;
            }
        };
        let mut batch = Gathered::default();
        batch.take(first).await;
        let deadline = Instant::now() + wait;
        while batch.outcomes.len() < size {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                next = next_message("tracker", &mut messages, &shutdown) => match next {
                    Some(m) => batch.take(m).await,
                    None => break,
                },
            }
        }
        progress.touched(write(&ctx, batch).await);
        progress.publish_due(&ctx).await;
    }
    progress.publish_due(&ctx).await;
    info!("tracker stopped");
    Ok(())
}

/// How often, at most, the progress of one circular is published.
pub const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// A count that took `t` is not made again for `t` times this: counting for progress takes
/// at most a twentieth of the tracker's time, however large the circular (counting 100 000
/// deliveries every second would otherwise take most of it).
const PROGRESS_COST_FACTOR: u32 = 20;

/// Which circulars have news, and when each one's progress may next be published.
#[derive(Default)]
struct Progress {
    pending: BTreeSet<CircularId>,
    next: HashMap<CircularId, Instant>,
}

impl Progress {
    /// Notes the circulars a committed batch changed.
    fn touched(&mut self, circulars: BTreeSet<CircularId>) {
        self.pending.extend(circulars);
    }

    /// Whether some circular's news is not published yet.
    fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Publishes the counts of each pending circular that is due; the others wait for a later
    /// call (the service calls again when it is idle), so the counts are read at most once a
    /// second per circular however fast outcomes arrive, and less often when counting takes
    /// long. Progress is a view, not a record: a lost message is replaced by the next one.
    async fn publish_due(&mut self, ctx: &ServiceContext) {
        let now = Instant::now();
        let due: Vec<CircularId> = self
            .pending
            .iter()
            .filter(|c| self.next.get(*c).is_none_or(|at| now >= *at))
            .cloned()
            .collect();
        for circular in due {
            self.pending.remove(&circular);
            let started = Instant::now();
            let counted = ctx.store.circular_status(&circular).await;
            let pause = (started.elapsed() * PROGRESS_COST_FACTOR).max(PROGRESS_INTERVAL);
            self.next.insert(circular.clone(), started + pause);
            let status = match counted {
                Ok(s) => s,
                Err(e) => {
                    debug!(%circular, error = %e, "no progress published");
                    continue;
                }
            };
            let payload = match serde_json::to_vec(&status) {
                Ok(p) => p,
                Err(e) => {
                    debug!(%circular, error = %e, "no progress published");
                    continue;
                }
            };
            let subject = format!("{PROGRESS_PREFIX}{circular}");
            if let Err(e) = ctx.bus.client.publish(subject, payload.into()).await {
                debug!(%circular, error = %e, "no progress published");
            }
        }
    }
}

/// Outcomes gathered for one transaction, with the messages that carried them and each
/// message's span (open until the message is settled, so that it covers the commit).
#[derive(Default)]
struct Gathered {
    outcomes: Vec<DeliveryOutcome>,
    messages: Vec<Message>,
    spans: Vec<Span>,
}

impl Gathered {
    /// Decodes `message` (one outcome, or a batch job's outcomes) and keeps it; a message
    /// that is neither is terminated at once.
    async fn take(&mut self, message: Message) {
        let decoded = if message.subject.as_str() == DELIVERY_OUTCOMES_SUBJECT {
            DeliveryOutcomes::decode(&message.subject, &message.payload).map(|b| {
                // The job is named as its claim is (`BatchJob::claim_key`).
                let span = info_span!(
                    "record_outcomes",
                    circular = %b.circular,
                    job = %format_args!("{}.job.{}.{}", b.circular, b.batch, b.part),
                    outcomes = b.outcomes.len(),
                    early = b.early.is_some(),
                );
                (b.outcomes, span)
            })
        } else {
            DeliveryOutcome::decode(&message.subject, &message.payload).map(|o| {
                let span = info_span!(
                    "record_outcome",
                    circular = %o.circular,
                    delivery = %DeliveryRef::of(&o.key()),
                    state = %o.state,
                    attempt = o.attempt,
                );
                (vec![o], span)
            })
        };
        match decoded {
            Ok((outcomes, span)) => {
                telemetry::follow(&span, message.headers.as_ref());
                self.outcomes.extend(outcomes);
                self.messages.push(message);
                self.spans.push(span);
            }
            Err(e) => settle("tracker", &message, Err(e.into())).await,
        }
    }
}

/// Writes one batch and settles each message: the messages are acked after the commit, or
/// all redelivered when the write fails. Returns the circulars written.
async fn write(ctx: &ServiceContext, batch: Gathered) -> BTreeSet<CircularId> {
    let Gathered {
        outcomes,
        messages,
        spans,
    } = batch;
    if messages.is_empty() {
        return BTreeSet::new();
    }
    let result = ctx
        .store
        .record_outcomes(&outcomes, ctx.config.directory.hard_bounce_rule())
        .await;
    match &result {
        Ok(()) => debug!(
            outcomes = outcomes.len(),
            events = messages.len(),
            "outcomes recorded"
        ),
        Err(e) => {
            tracing::warn!(error = %e, outcomes = outcomes.len(), "batch not recorded; it will be redelivered")
        }
    }
    for (message, span) in messages.iter().zip(&spans) {
        let settled = match &result {
            Ok(()) => Ok(()),
            Err(e) => Err(Failure::Retry(e.to_string().into())),
        };
        settle("tracker", message, settled)
            .instrument(span.clone())
            .await;
    }
    drop(spans);
    match result {
        Ok(()) => outcomes.into_iter().map(|o| o.circular).collect(),
        Err(_) => BTreeSet::new(),
    }
}
