//! `circulars-runtime`: what every service's `run(ctx, shutdown)` receives, built once per
//! process ([`ServiceContext`]: configuration, NATS, database), and how a service takes each
//! JetStream message and settles it ([`next_message`], [`settle`], [`Failure`]).

use circulars_core::config::Config;
use circulars_core::nats::Bus;
use circulars_core::BoxError;
use circulars_store::Store;
use std::sync::Arc;

/// The shared handles of a running service: configuration, NATS and the database.
#[derive(Clone, Debug)]
pub struct ServiceContext {
    /// The configuration, loaded once.
    pub config: Arc<Config>,
    /// The NATS connection, topology declared.
    pub bus: Bus,
    /// The database, migrated.
    pub store: Store,
}

impl ServiceContext {
    /// Connects to NATS and opens the database named by `config`; `name` labels the connection.
    pub async fn connect(config: Config, name: &str) -> Result<ServiceContext, ConnectError> {
        let bus = Bus::connect(&config.nats, name).await?;
        let store = Store::open(config.database_url()).await?;
        Ok(ServiceContext {
            config: Arc::new(config),
            bus,
            store,
        })
    }
}

/// Why a service could not reach what it needs.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// NATS.
    #[error(transparent)]
    Bus(#[from] circulars_core::nats::BusError),
    /// The database.
    #[error(transparent)]
    Store(#[from] circulars_store::StoreError),
}

/// How handling one message went wrong, which decides what JetStream is told.
#[derive(Debug)]
pub enum Failure {
    /// The message can never be handled (malformed, unknown circular): logged and terminated.
    Poison(BoxError),
    /// Something it needs is not available now (database busy, NATS down): redelivered later.
    Retry(BoxError),
}

impl From<circulars_store::StoreError> for Failure {
    fn from(e: circulars_store::StoreError) -> Self {
        match e {
            circulars_store::StoreError::UnknownCircular(_)
            | circulars_store::StoreError::UnknownReport(_)
            | circulars_store::StoreError::Corrupt { .. } => Failure::Poison(e.into()),
            other => Failure::Retry(other.into()),
        }
    }
}

impl From<circulars_core::nats::BusError> for Failure {
    fn from(e: circulars_core::nats::BusError) -> Self {
        Failure::Retry(e.into())
    }
}

impl From<circulars_core::events::EventError> for Failure {
    fn from(e: circulars_core::events::EventError) -> Self {
        Failure::Poison(e.into())
    }
}

/// How long a message that failed for now waits before JetStream redelivers it.
pub const RETRY_DELAY: std::time::Duration = std::time::Duration::from_secs(2);

/// Tells JetStream the outcome of handling `message`: ack on success, `Term` for poison,
/// `Nak` with [`RETRY_DELAY`] for a failure that may pass.
pub async fn settle(
    service: &str,
    message: &async_nats::jetstream::Message,
    result: Result<(), Failure>,
) {
    use async_nats::jetstream::AckKind;
    let reply = match result {
        Ok(()) => message.ack().await,
        Err(Failure::Poison(why)) => {
            tracing::error!(service, subject = %message.subject, %why, "message cannot be handled; terminated");
            message.ack_with(AckKind::Term).await
        }
        Err(Failure::Retry(why)) => {
            tracing::warn!(service, subject = %message.subject, %why, "message will be redelivered");
            message.ack_with(AckKind::Nak(Some(RETRY_DELAY))).await
        }
    };
    if let Err(e) = reply {
        tracing::warn!(service, subject = %message.subject, error = %e, "acknowledgement not sent; JetStream will redeliver");
    }
}

/// The next message of a consumer's stream, or `None` once `shutdown` fires or the stream ends.
pub async fn next_message(
    service: &str,
    messages: &mut async_nats::jetstream::consumer::pull::Stream,
    shutdown: &tokio_util::sync::CancellationToken,
) -> Option<async_nats::jetstream::Message> {
    use futures::StreamExt;
    loop {
        let next = tokio::select! {
            _ = shutdown.cancelled() => return None,
            next = messages.next() => next,
        };
        match next {
            None => return None,
            Some(Ok(message)) => return Some(message),
            Some(Err(e)) => {
                tracing::warn!(service, error = %e, "pull failed; pulling again");
            }
        }
    }
}
