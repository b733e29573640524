//! `circulars-composer`: the service that renders each language version of a circular once
//! (with `circulars-render`), stores it, then queues the batch's mail: on
//! `circular.recipients.<circular>`, make sure each language in the batch is rendered and
//! stored, then publish the batch as `mail.outbound.<circular>` jobs of at most
//! [`JOB_SIZE`](circulars_core::events::JOB_SIZE) recipients each, numbered by part, so a
//! re-published batch gives the same jobs under the same ids.

use circulars_core::events::{BatchJob, Contract, MailJob, RecipientBatch};
use circulars_core::nats::{confirm, BusError, COMPOSER_CONSUMER};
use circulars_core::telemetry;
use circulars_render::render;
use circulars_render::templates::{TemplateError, Templates};
use circulars_runtime::{next_message, settle, Failure, ServiceContext};
use std::collections::BTreeSet;
use tokio_util::sync::CancellationToken;
use tracing::{info, info_span, Instrument};

/// Why the composer could not start.
#[derive(Debug, thiserror::Error)]
pub enum ComposerError {
    /// The wording files are broken.
    #[error(transparent)]
    Templates(#[from] TemplateError),
    /// NATS.
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// Consumes recipient batches until `shutdown`.
pub async fn run(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), ComposerError> {
    let templates = Templates::embedded()?;
    let mut messages = ctx.bus.messages(COMPOSER_CONSUMER).await?;
    info!("composer ready");
    while let Some(message) = next_message("composer", &mut messages, &shutdown).await {
        let result = match RecipientBatch::decode(&message.subject, &message.payload) {
            Ok(batch) => {
                let first_delivery = message.info().map(|i| i.delivered <= 1).unwrap_or(true);
                let span = info_span!("compose", circular = %batch.circular, batch = batch.batch);
                telemetry::follow(&span, message.headers.as_ref());
                compose(&ctx, &templates, &batch, first_delivery)
                    .instrument(span)
                    .await
            }
            Err(e) => Err(e.into()),
        };
        settle("composer", &message, result).await;
    }
    info!("composer stopped");
    Ok(())
}

/// Renders the languages this batch needs (unless stored already) and queues its jobs.
/// JetStream recognising a job as one it already has is expected when the batch is handed over
/// again (it was queued before a crash); on a batch's first delivery it is logged as an error,
/// naming the jobs, since the same recipient should never be queued twice. Runs in the
/// `compose` span, the child of the directory's when the batch carried its trace context.
async fn compose(
    ctx: &ServiceContext,
    templates: &Templates,
    batch: &RecipientBatch,
    first_delivery: bool,
) -> Result<(), Failure> {
    let needed: BTreeSet<_> = batch.recipients.iter().map(|r| r.language).collect();
    let rendered = ctx.store.rendered_languages(&batch.circular).await?;
    let mut circular = None;
    for &language in needed.difference(&rendered) {
        if circular.is_none() {
            circular = Some(ctx.store.existing_circular(&batch.circular).await?.circular);
        }
        let Some(c) = &circular else { continue };
        let started = std::time::Instant::now();
        let rendition = info_span!("render", circular = %c.id, language = language.code())
            .in_scope(|| render::render(templates, c, language))
            .map_err(|e| Failure::Poison(e.into()))?;
        metrics::histogram!("circulars_render_seconds", "language" => language.to_string())
            .record(started.elapsed().as_secs_f64());
        if ctx.store.store_rendition(&rendition).await? {
            info!(%language, "language version rendered and stored");
        }
    }
    let parts = BatchJob::parts(&batch.circular, batch.batch, &batch.recipients);
    let jobs = parts.len();
    let mut pending = Vec::with_capacity(jobs);
    for part in parts {
        let job = MailJob::Batch(part);
        pending.push((job.subject(), job.msg_id(), ctx.bus.send(&job).await?));
    }
    let mut duplicates = 0;
    for (subject, msg_id, ack) in pending {
        if confirm(&subject, ack).await?.duplicate {
            duplicates += 1;
            if first_delivery {
                tracing::error!(%msg_id, "a new job was dropped by JetStream as a duplicate of one it already has");
            }
        }
    }
    info!(
        recipients = batch.recipients.len(),
        jobs, duplicates, "jobs queued"
    );
    Ok(())
}
