//! `relay limit`, and a circular's dispatch state read for `status`: operators' words to every
//! dispatcher, written to the `dispatch-control` bucket they watch (the checks and the audit
//! are `circulars_operations::relays`', shared with the dashboard).

use anyhow::Result;
use circulars_core::config::Config;
use circulars_core::nats::{Bus, BusError};
use circulars_operations::status::{dispatch_of, Dispatch};
use circulars_store::{CircularStatus, Store};
use clap::Subcommand;
use std::time::Duration;

use crate::circular::Acting;

/// `circulars relay …`
#[derive(Subcommand)]
pub enum RelayCommand {
    /// Change a relay's limits while mail is flowing (every dispatcher, no restart).
    Limit {
        /// The relay's name (`[smtp.relays.NAME]`).
        relay: String,
        /// Mails per second at most (0: no limit).
        #[arg(long)]
        rate: Option<u32>,
        /// Connections at once at most (up to the configured pool size).
        #[arg(long)]
        connections: Option<u32>,
        #[command(flatten)]
        acting: Acting,
    },
}

/// The dispatch state of the circular of `status` for `status`: none for a draft, else asked
/// of nats-server ([`dispatch_of`]), or why it could not be (nats-server not reached or not
/// answering within [`STATUS_WAIT`], connection included).
pub async fn state_of(config: &Config, status: &CircularStatus) -> Dispatch {
    let ask = async {
        let bus = match status.issued_at {
            Some(_) => Some(Bus::connect(&config.nats, "circulars status").await?),
            None => None,
        };
        Ok::<_, BusError>(dispatch_of(bus.as_ref(), status).await)
    };
    match tokio::time::timeout(STATUS_WAIT, ask).await {
        Ok(Ok(dispatch)) => dispatch,
        Ok(Err(e)) => Dispatch::Unknown(e.to_string()),
        Err(_) => Dispatch::Unknown(format!(
            "nats-server at {} did not answer within {} s",
            config.nats.url,
            STATUS_WAIT.as_secs()
        )),
    }
}

/// How long `status` waits for nats-server before printing the counts without it.
const STATUS_WAIT: Duration = Duration::from_secs(2);

/// Runs a `relay` command.
pub async fn relay(config: &Config, store: &Store, command: RelayCommand) -> Result<()> {
    match command {
        RelayCommand::Limit {
            relay,
            rate,
            connections,
            acting,
        } => {
            let actor = crate::circular::actor(store, &acting).await?;
            let relays = &config.smtp.relays;
            // The request checked before connecting, so a mistake is named even without NATS.
            circulars_operations::relays::checked_limits(relays, &relay, None, rate, connections)?;
            let bus = Bus::connect(&config.nats, "circulars relay limit").await?;
            let limits = circulars_operations::relays::set_relay_limits(
                store,
                &bus,
                relays,
                &actor,
                &relay,
                rate,
                connections,
            )
            .await?;
            let rate = match limits.rate_per_second {
                0 => "no rate limit".to_owned(),
                n => format!("{n} mails/s"),
            };
            println!(
                "relay {relay}: {rate}, {} connections at most",
                limits.connections
            );
            Ok(())
        }
    }
}
