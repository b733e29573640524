//! `circulars-tracker`: every delivery state change recorded, in batched writes.
//!
//! # Layout
//! - [`run`]: the service: pull `delivery.>`, gather up to `tracker.batch_size` outcomes or
//!   what arrives within `tracker.batch_wait_ms`, write them in one transaction (current state
//!   by delivery key, plus history), and acknowledge each only after the commit.

use async_nats::jetstream::Message;
use circulars_shared::events::{Contract, DeliveryOutcome};
use circulars_shared::nats::{BusError, TRACKER_CONSUMER};
use circulars_shared::service::{next_message, settle, Failure, ServiceContext};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info};

/// Records outcomes until `shutdown`, writing what it has gathered before returning.
pub async fn run(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), BusError> {
    let consumer = ctx.bus.consumer(TRACKER_CONSUMER).await?;
    let mut messages = consumer
        .messages()
        .await
        .map_err(|e| BusError::JetStream(e.to_string()))?;
    let size = ctx.config.tracker.batch_size;
    let wait = Duration::from_millis(ctx.config.tracker.batch_wait_ms);
    info!(batch_size = size, "tracker ready");
    while let Some(first) = next_message("tracker", &mut messages, &shutdown).await {
        let mut batch = vec![first];
        let deadline = Instant::now() + wait;
        while batch.len() < size {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                next = next_message("tracker", &mut messages, &shutdown) => match next {
                    Some(m) => batch.push(m),
                    None => break,
                },
            }
        }
        write(&ctx, batch).await;
    }
    info!("tracker stopped");
    Ok(())
}

/// Writes one batch and settles each message: malformed ones are terminated, the rest acked
/// after the commit, or all redelivered when the write fails.
async fn write(ctx: &ServiceContext, batch: Vec<Message>) {
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut decoded = Vec::with_capacity(batch.len());
    for message in batch {
        match DeliveryOutcome::decode(&message.subject, &message.payload) {
            Ok(outcome) => {
                outcomes.push(outcome);
                decoded.push(message);
            }
            Err(e) => settle("tracker", &message, Err(e.into())).await,
        }
    }
    if outcomes.is_empty() {
        return;
    }
    let result = ctx
        .store
        .record_outcomes(&outcomes, ctx.config.directory.suppress_after_hard_bounces)
        .await;
    match &result {
        Ok(()) => debug!(events = outcomes.len(), "outcomes recorded"),
        Err(e) => {
            tracing::warn!(error = %e, events = outcomes.len(), "batch not recorded; it will be redelivered")
        }
    }
    for message in &decoded {
        let settled = match &result {
            Ok(()) => Ok(()),
            Err(e) => Err(Failure::Retry(e.to_string())),
        };
        settle("tracker", message, settled).await;
    }
}
