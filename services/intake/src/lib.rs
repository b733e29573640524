//! `circulars-intake`: the service that takes returned mail in, by SMTP or from a mailbox, and
//! hands each message to `circulars_returned_mail::intake` (parsed, stored whole, announced on
//! `report.received` for the tracker to apply).
//!
//! # Layout
//! - [`listener`]: the SMTP listener for VERP and unsubscribe addresses (`[bounces] listen`)
//! - [`mailbox`]: the IMAP mailbox poller (`[bounces.mailbox]`)
//! - [`refusals`]: the listener's refusals, counted by the hour for the operations dashboard
//! - [`run`]: the service: both of them, as configured, until shutdown

pub mod listener;
pub mod mailbox;
pub mod refusals;

use circulars_core::domain::ReportSource;
use circulars_core::tokens::TokenError;
use circulars_returned_mail::intake;
use circulars_returned_mail::reports::Matcher;
use circulars_runtime::ServiceContext;
use tokio_util::sync::CancellationToken;
use tracing::info;

/// Why the intake could not start.
#[derive(Debug, thiserror::Error)]
pub enum IntakeServiceError {
    /// The token keys in the configuration.
    #[error("tokens: {0}")]
    Keys(#[from] TokenError),
    /// The listener could not listen.
    #[error(transparent)]
    Listener(#[from] listener::ListenerError),
}

/// Runs the listener and the mailbox poller that `[bounces]` configures until `shutdown`; with
/// neither configured it waits for `shutdown`, so that one process can always run every service.
pub async fn run(
    ctx: ServiceContext,
    shutdown: CancellationToken,
) -> Result<(), IntakeServiceError> {
    let mut tasks = tokio::task::JoinSet::new();
    if let Some(address) = ctx.config.bounces.listen {
        let matcher = Matcher {
            store: ctx.store.clone(),
            keyring: ctx.config.tokens.keyring()?,
            return_domain: ctx.config.mail.return_domain.clone(),
            message_id_domain: ctx.config.mail.message_id_domain.clone(),
        };
        let listener = listener::Listener::bind(
            address,
            listener::Settings::of(&ctx.config),
            matcher,
            ctx.bus.clone(),
        )
        .await?;
        tasks.spawn(listener.serve(shutdown.clone()));
    }
    if let Some(mailbox) = ctx.config.bounces.mailbox.clone() {
        let (store, bus) = (ctx.store.clone(), ctx.bus.clone());
        let take_in = move |raw: Vec<u8>| {
            let (store, bus) = (store.clone(), bus.clone());
            async move {
                intake::receive(&store, &bus, raw, ReportSource::Imap, Vec::new())
                    .await
                    .map(|_| ())
            }
        };
        tasks.spawn(mailbox::run(
            mailbox,
            ctx.config.bounces.max_message_bytes,
            take_in,
            shutdown.clone(),
        ));
    }
    if tasks.is_empty() {
        info!("intake ready, with nothing to take in: [bounces] configures neither listen nor a mailbox");
    } else {
        info!("intake ready");
    }
    shutdown.cancelled().await;
    while tasks.join_next().await.is_some() {}
    Ok(())
}
