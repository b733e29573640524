//! `relay limit`, and a circular's dispatch state read for `status`: operators' words to every
//! dispatcher, written to the `dispatch-control` bucket they watch.

use anyhow::{bail, Result};
use circulars_core::config::Config;
use circulars_core::nats::control::RelayLimits;
use circulars_core::nats::{Bus, BusError};
use circulars_operations::status::{dispatch_of, Dispatch};
use circulars_store::CircularStatus;
use clap::Subcommand;
use std::time::Duration;

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
    },
}

/// The dispatch state of the circular of `status` for `status`: none for a draft, else asked
/// of nats-server ([`dispatch_of`]), or why it could not be (nats-server not reached or not
/// answering within [`STATUS_WAIT`], connection included).
pub async fn state_of(config: &Config, status: &CircularStatus) -> Dispatch {
    let ask = async {
        let bus = match status.issued_at {
            Some(_) => Some(Bus::connect(&config.nats.url, "circulars status").await?),
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
pub async fn relay(config: &Config, command: RelayCommand) -> Result<()> {
    match command {
        RelayCommand::Limit {
            relay,
            rate,
            connections,
        } => {
            let Some(configured) = config.smtp.relays.get(&relay) else {
                let names: Vec<&String> = config.smtp.relays.keys().collect();
                bail!("no relay named {relay} in the configuration (relays: {names:?})");
            };
            if rate.is_none() && connections.is_none() {
                bail!("give --rate, --connections or both");
            }
            if connections == Some(0) {
                bail!("--connections must be at least 1");
            }
            let limits = RelayLimits {
                rate_per_second: rate.unwrap_or(configured.rate_per_second),
                connections: connections
                    .unwrap_or(configured.connections)
                    .min(configured.connections),
            };
            let bus = Bus::connect(&config.nats.url, "circulars relay limit").await?;
            bus.set_relay_limits(&relay, limits).await?;
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
