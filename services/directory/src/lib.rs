//! `circulars-directory`: who receives a circular, and why.
//!
//! # Layout
//! - [`import`]: directory CSV files, checked row by row and stored atomically
//! - [`export`]: the directory written back in the import format
//! - [`resolve`]: one address's contacts, suppression and topic choice to a decision: a
//!   recipient with its reasons and language, or the reason it is left out
//! - [`audience`]: counts per category and language of the audience a circular would have today
//! - [`explain`]: why an address is or is not on a circular's list
//! - [`personal`]: everything held about one address (`report`), and its erasure (`forget`)
//! - [`run`]: the service: on `circular.issued`, freeze the audience and publish it in batches
//!   on `circular.recipients.<circular>`

pub mod audience;
pub mod explain;
pub mod export;
pub mod import;
pub mod personal;
pub mod resolve;

use circulars_shared::domain::{Circular, CircularId, RecipientAddress};
use circulars_shared::events::{CircularIssued, Contract, RecipientBatch, BATCH_SIZE};
use circulars_shared::nats::{confirm, BusError, DIRECTORY_CONSUMER};
use circulars_shared::service::{next_message, settle, Failure, ServiceContext};
use circulars_shared::store::{AudienceQuery, FreezeStep, Store, StoreError};
use tokio_util::sync::CancellationToken;
use tracing::{info, instrument};

/// Consumes `circular.issued` until `shutdown`; returns an error only when it cannot start.
pub async fn run(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), BusError> {
    let consumer = ctx.bus.consumer(DIRECTORY_CONSUMER).await?;
    let mut messages = consumer
        .messages()
        .await
        .map_err(|e| BusError::JetStream(e.to_string()))?;
    info!("directory ready");
    while let Some(message) = next_message("directory", &mut messages, &shutdown).await {
        let result = match CircularIssued::decode(&message.subject, &message.payload) {
            Ok(issued) => freeze_and_publish(&ctx, &issued.circular).await,
            Err(e) => Err(e.into()),
        };
        settle("directory", &message, result).await;
    }
    info!("directory stopped");
    Ok(())
}

/// How many addresses the directory reads at once while resolving an audience.
pub const RESOLUTION_PAGE: usize = 1000;

/// The directory query and the resolution rules of a circular.
pub async fn audience_rules(
    store: &Store,
    circular: &Circular,
) -> Result<(AudienceQuery, resolve::Rules), StoreError> {
    let topic = match &circular.topic {
        Some(id) => Some(store.topic(id).await?.ok_or_else(|| StoreError::Corrupt {
            table: "topics",
            why: format!(
                "{} names topic {id}, which the directory does not hold",
                circular.id
            ),
        })?),
        None => None,
    };
    Ok((
        AudienceQuery {
            categories: circular.audience_categories(),
            topic: circular.topic.clone(),
            page_size: RESOLUTION_PAGE,
        },
        resolve::Rules {
            topic,
            fallback_language: circular.fallback_language,
        },
    ))
}

/// Freezes the audience (once) page by page and publishes it in numbered batches as the pages
/// are committed, so the first mails leave while a large audience is still being resolved. A
/// batch is always `BATCH_SIZE` consecutive addresses of the audience (the last one fewer), so
/// a redelivery, or a freeze resumed after a crash, publishes the same batches with the same
/// ids, which JetStream or the later steps recognise.
#[instrument(skip(ctx), fields(circular = %circular))]
async fn freeze_and_publish(ctx: &ServiceContext, circular: &CircularId) -> Result<(), Failure> {
    let stored = ctx.store.existing_circular(circular).await?;
    let mut batches = Batches::new(circular);
    if stored.audience.is_none() {
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
