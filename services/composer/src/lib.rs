//! `circulars-composer`: each language version of a circular rendered once, then one small
//! job per recipient.
//!
//! # Layout
//! - [`dates`]: circular dates formatted with ICU4X, and the Fluent `DATE` function
//! - [`markdown`]: bodies (Markdown) to HTML with inline styles and to plain text
//! - [`templates`]: the Fluent bundles of `locales/<lang>/circular.ftl`, checked at start
//! - [`wording`]: the six wording files checked as a set; the list of wording to review
//! - [`render`]: one language version as text/plain and HTML, personal parts left as slots
//! - [`run`]: the service: on `circular.recipients.<circular>`, make sure each language in the
//!   batch is rendered and stored, then publish one `mail.outbound.<circular>` job per recipient

pub mod dates;
pub mod markdown;
pub mod render;
pub mod templates;
pub mod wording;

use circulars_shared::events::{Contract, MailJob, RecipientBatch};
use circulars_shared::nats::{confirm, BusError, COMPOSER_CONSUMER};
use circulars_shared::service::{next_message, settle, Failure, ServiceContext};
use std::collections::BTreeSet;
use templates::{TemplateError, Templates};
use tokio_util::sync::CancellationToken;
use tracing::{info, instrument};

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
    let consumer = ctx.bus.consumer(COMPOSER_CONSUMER).await?;
    let mut messages = consumer
        .messages()
        .await
        .map_err(|e| BusError::JetStream(e.to_string()))?;
    info!("composer ready");
    while let Some(message) = next_message("composer", &mut messages, &shutdown).await {
        let result = match RecipientBatch::decode(&message.subject, &message.payload) {
            Ok(batch) => {
                let first_delivery = message.info().map(|i| i.delivered <= 1).unwrap_or(true);
                compose(&ctx, &templates, &batch, first_delivery).await
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
/// naming the jobs, since the same recipient should never be queued twice.
#[instrument(skip_all, fields(circular = %batch.circular, batch = batch.batch))]
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
        let rendition =
            render::render(templates, c, language).map_err(|e| Failure::Poison(e.to_string()))?;
        if ctx.store.store_rendition(&rendition).await? {
            info!(%language, "language version rendered and stored");
        }
    }
    let mut pending = Vec::with_capacity(batch.recipients.len());
    for recipient in &batch.recipients {
        let job = MailJob {
            circular: batch.circular.clone(),
            recipient: recipient.clone(),
            attempt: 1,
        };
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
    info!(jobs = batch.recipients.len(), duplicates, "jobs queued");
    Ok(())
}
