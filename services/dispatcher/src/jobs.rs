//! A job message read and handed to its kind: a batch job goes to `batch` (its mails take
//! in-flight permits one by one), a retry job waits for a permit and goes to `send`.

use crate::{batch, send, Dispatcher};
use async_nats::jetstream::Message;
use circulars_core::events::{Contract, MailJob};
use circulars_runtime::{settle, Failure};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Handles one job message until it is settled (or left to another dispatcher).
pub(crate) async fn handle(d: Arc<Dispatcher>, message: Message, shutdown: CancellationToken) {
    match MailJob::decode(&message.subject, &message.payload) {
        Ok(MailJob::Batch(job)) => batch::handle(d, message, job, shutdown).await,
        Ok(MailJob::Retry(job)) => {
            let permit = tokio::select! {
                _ = shutdown.cancelled() => return,
                permit = d.in_flight.acquire() => match permit {
                    Ok(p) => p,
                    Err(_) => return,
                },
            };
            send::handle(d, message, job, permit).await
        }
        Err(e) => settle("dispatcher", &message, Err(Failure::from(e))).await,
    }
}
