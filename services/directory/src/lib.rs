//! `circulars-directory`: the service that freezes a circular's audience. On `circular.issued`
//! it resolves the circular's categories to recipients page by page with the rules of
//! `circulars_contacts::resolve`, stores them as the frozen audience, and publishes them in
//! batches on `circular.recipients.<circular>`.

use circulars_contacts::resolve::{self, audience_rules};
use circulars_core::domain::{CircularId, RecipientAddress};
use circulars_core::events::{CircularIssued, Contract, RecipientBatch, BATCH_SIZE};
use circulars_core::nats::{confirm, BusError, DIRECTORY_CONSUMER};
use circulars_core::telemetry;
use circulars_runtime::{next_message, settle, Failure, ServiceContext};
use circulars_store::FreezeStep;
use tokio_util::sync::CancellationToken;
use tracing::{info, info_span, Instrument};

/// Consumes `circular.issued` until `shutdown`; returns an error only when it cannot start.
pub async fn run(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), BusError> {
    let mut messages = ctx.bus.messages(DIRECTORY_CONSUMER).await?;
    info!("directory ready");
    while let Some(message) = next_message("directory", &mut messages, &shutdown).await {
        let result = match CircularIssued::decode(&message.subject, &message.payload) {
            Ok(issued) => {
                let span = info_span!("freeze_audience", circular = %issued.circular);
                telemetry::follow(&span, message.headers.as_ref());
                freeze_and_publish(&ctx, &issued.circular)
                    .instrument(span)
                    .await
            }
            Err(e) => Err(e.into()),
        };
        settle("directory", &message, result).await;
    }
    info!("directory stopped");
    Ok(())
}

/// Freezes the audience (once) page by page and publishes it in numbered batches as the pages
/// are committed, so the first mails leave while a large audience is still being resolved. A
/// batch is always `BATCH_SIZE` consecutive addresses of the audience (the last one fewer), so
/// a redelivery, or a freeze resumed after a crash, publishes the same batches with the same
/// ids, which JetStream or the later steps recognise. Runs in the `freeze_audience` span,
/// the child of the issuing span when `circular.issued` carried one.
async fn freeze_and_publish(ctx: &ServiceContext, circular: &CircularId) -> Result<(), Failure> {
    let stored = ctx.store.existing_circular(circular).await?;
    let mut batches = Batches::new(circular);
    if stored.audience.is_none() {
        let started = std::time::Instant::now();
        let (query, rules) = audience_rules(&ctx.store, &stored.circular).await?;
        let (mut members, mut excluded) = (0, 0);
        loop {
            let step = ctx
                .store
                .freeze_audience_page(circular, &query, |candidate| {
                    resolve::decide(&rules, candidate)
                })
                .await?;
            match step {
                FreezeStep::AlreadyFrozen => break,
                FreezeStep::Page {
                    members: m,
                    excluded: e,
                    frozen,
                } => {
                    (members, excluded) = (members + m, excluded + e);
                    if frozen {
                        info!(members, excluded, "audience frozen");
                        metrics::histogram!("circulars_audience_freeze_seconds")
                            .record(started.elapsed().as_secs_f64());
                        break;
                    }
                    batches.publish(ctx, false).await?;
                }
            }
        }
    }
    batches.publish(ctx, true).await?;
    info!(batches = batches.published, "audience published");
    Ok(())
}

/// The audience's batches published so far.
struct Batches<'a> {
    circular: &'a CircularId,
    after: Option<RecipientAddress>,
    published: u32,
}

impl<'a> Batches<'a> {
    fn new(circular: &'a CircularId) -> Batches<'a> {
        Batches {
            circular,
            after: None,
            published: 0,
        }
    }

    /// Publishes every full batch stored after the last one published, and the last short
    /// one when the audience is `complete`; waits for JetStream's acks.
    async fn publish(&mut self, ctx: &ServiceContext, complete: bool) -> Result<(), Failure> {
        let mut pending = Vec::new();
        loop {
            let recipients = ctx
                .store
                .audience_page(self.circular, self.after.as_ref(), BATCH_SIZE)
                .await?;
            let Some(last) = recipients.last() else { break };
            if recipients.len() < BATCH_SIZE && !complete {
                break;
            }
            self.after = Some(last.address.clone());
            self.published += 1;
            let event = RecipientBatch {
                circular: self.circular.clone(),
                batch: self.published,
                recipients,
            };
            pending.push((event.subject(), ctx.bus.send(&event).await?));
        }
        for (subject, ack) in pending {
            confirm(&subject, ack).await?;
        }
        Ok(())
    }
}
