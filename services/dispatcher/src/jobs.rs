//! A job message read and handed to its kind: a batch job goes to `batch` (its mails take
//! in-flight permits one by one), a retry job waits for a permit and goes to `send`; each in
//! its span (`dispatch_batch`, `dispatch_retry`), the child of the composer's or the retry
//! scheduler's when the message carried its trace context. A retry names its delivery by its
//! [`DeliveryRef`], never by the address.

use crate::{batch, send, Dispatcher};
use async_nats::jetstream::Message;
use circulars_core::events::{Contract, MailJob};
use circulars_core::telemetry;
use circulars_core::tokens::DeliveryRef;
use circulars_runtime::{settle, Failure};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tracing::{info_span, Instrument};

/// Handles one job message until it is settled (or left to another dispatcher).
pub(crate) async fn handle(d: Arc<Dispatcher>, message: Message, shutdown: CancellationToken) {
    match MailJob::decode(&message.subject, &message.payload) {
        Ok(MailJob::Batch(job)) => {
            let span = info_span!(
                "dispatch_batch",
                circular = %job.circular,
                job = %job.claim_key(),
                batch = job.batch,
                part = job.part,
                recipients = job.recipients.len(),
            );
            telemetry::follow(&span, message.headers.as_ref());
            batch::handle(d, message, job, shutdown)
                .instrument(span)
                .await
        }
        Ok(MailJob::Retry(job)) => {
            let span = info_span!(
                "dispatch_retry",
                circular = %job.circular,
                delivery = %DeliveryRef::of(&job.key()),
                language = job.recipient.language.code(),
                attempt = job.attempt,
            );
            telemetry::follow(&span, message.headers.as_ref());
            let permit = tokio::select! {
                _ = shutdown.cancelled() => return,
                permit = d.in_flight.acquire() => match permit {
                    Ok(p) => p,
                    Err(_) => return,
                },
            };
            send::handle(d, message, job, permit).instrument(span).await
        }
        Err(e) => settle("dispatcher", &message, Err(Failure::from(e))).await,
    }
}
