//! The relays mail is sent through (the dispatcher's mail, staff's test copies): a pool of
//! sessions each (TLS and authentication as configured, see [`crate::pool`] and
//! [`crate::session`]), a rate limit (governor) and a cap on connections that operators can
//! change while mail is flowing, and failover by priority.
//!
//! The limits are the whole cluster's: dispatchers running side by side each take an equal
//! share of them ([`Relays::set_share`]), so two dispatchers together keep a relay's
//! `rate_per_second` and `connections`.
//!
//! Failover is a circuit breaker, not a resend: a relay that gives no SMTP reply at all
//! (refused connection, TLS failure, timeout, lost connection or reply) is set aside for
//! [`SET_ASIDE`] and the following mails go to the next relay by priority; the mail that met
//! the failure is deferred like any other, so a failover never sends one mail twice at once.

use crate::activity::{LastMinute, RelayCounts};
use crate::cap::Cap;
use crate::error::SendError;
use crate::pool::Pool;
use crate::session::{Credentials, Endpoint, Security, Timeouts};
use circulars_core::config::{RelayConfig, RelayTls, SecretString, SmtpConfig};
use circulars_core::domain::{OutgoingMail, SmtpReply};
use circulars_core::nats::control::RelayLimits;
use circulars_core::BoxError;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tracing::{info, warn};

/// How long a relay that gave no reply is passed over.
pub const SET_ASIDE: Duration = Duration::from_secs(30);

/// Why the relays could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// A file named in the configuration could not be read.
    #[error("smtp.relays.{relay}: cannot read {what} {path}: {source}")]
    File {
        /// The relay.
        relay: String,
        /// password file or CA file.
        what: &'static str,
        /// The path.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
    /// No relay is configured.
    #[error("smtp.relays: no relay configured")]
    None,
    /// The TLS settings were refused.
    #[error("smtp.relays.{relay}: TLS: {what}: {source}")]
    Tls {
        /// The relay.
        relay: String,
        /// What was refused: the CA file (named) or the host name.
        what: String,
        /// What rustls said.
        source: BoxError,
    },
}

/// One relay with its limits.
struct Relay {
    name: String,
    pool: Pool,
    /// The configured limits, restored when operators clear theirs.
    configured: RelayLimits,
    /// The limits in force for the whole cluster (connections within the configured pool).
    in_force: Mutex<RelayLimits>,
    /// Mails accepted and failed in the last minute.
    last_minute: LastMinute,
    /// This process's rate limiter in force (`None`: no limit).
    limiter: Mutex<Option<Arc<DefaultDirectRateLimiter>>>,
    /// This process's connections: its share of the cap in force.
    connections: Cap,
    /// Passed over until then, after giving no reply.
    set_aside_until: Mutex<Option<Instant>>,
}

/// The relays of a dispatcher, in failover order.
pub struct Relays {
    relays: Vec<Relay>,
    /// How many dispatchers share the limits (this one included), at least one.
    share: AtomicU32,
}

/// What one send through the relays gave.
#[derive(Debug)]
pub struct Sent {
    /// The relay that was used.
    pub relay: String,
    /// Its reply accepting the mail (2xx), or why it was not accepted.
    pub result: Result<SmtpReply, SendError>,
}

impl Relays {
    /// The relays `[smtp]` describes, each with its pool, TLS, credentials and limits.
    pub fn from_config(smtp: &SmtpConfig) -> Result<Relays, RelayError> {
        let timeouts = timeouts(smtp);
        let relays: Vec<Relay> = smtp
            .relays_in_order()
            .into_iter()
            .map(|(name, config)| {
                let configured = RelayLimits {
                    rate_per_second: config.rate_per_second,
                    connections: config.connections,
                };
                let relay = Relay {
                    name: name.to_owned(),
                    pool: Pool::new(endpoint(name, config, timeouts)?),
                    configured,
                    in_force: Mutex::new(configured),
                    last_minute: LastMinute::new(Instant::now()),
                    limiter: Mutex::new(None),
                    connections: Cap::new(
                        format!("relay {name} connections"),
                        config.connections as usize,
                    ),
                    set_aside_until: Mutex::new(None),
                };
                relay.apply(configured, 1);
                Ok(relay)
            })
            .collect::<Result<Vec<_>, RelayError>>()?;
        if relays.is_empty() {
            return Err(RelayError::None);
        }
        Ok(Relays {
            relays,
            share: AtomicU32::new(1),
        })
    }

    /// Shares every relay's limits between `dispatchers` (this one included; at least one):
    /// this process keeps `1/dispatchers` of the rate and of the connections (at least one
    /// connection, so no dispatcher is left without). Must be called within a Tokio runtime.
    pub fn set_share(&self, dispatchers: u32) {
        let dispatchers = dispatchers.max(1);
        if self.share.swap(dispatchers, Ordering::SeqCst) == dispatchers {
            return;
        }
        for relay in &self.relays {
            let limits = *relay
                .in_force
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            relay.apply(limits, dispatchers);
        }
    }

    /// How many dispatchers share the limits.
    pub fn share(&self) -> u32 {
        self.share.load(Ordering::SeqCst)
    }

    /// The relays' names, in failover order.
    pub fn names(&self) -> Vec<&str> {
        self.relays.iter().map(|r| r.name.as_str()).collect()
    }

    /// Each relay's limits in force and mails of the minute before `now`, in failover order.
    pub fn activity(&self, now: Instant) -> Vec<RelayCounts> {
        self.relays
            .iter()
            .map(|relay| {
                let limits = *relay
                    .in_force
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let (sent, failed) = relay.last_minute.totals(now);
                RelayCounts {
                    relay: relay.name.clone(),
                    rate_per_second: limits.rate_per_second,
                    connections: limits.connections,
                    sent_last_minute: sent,
                    failed_last_minute: failed,
                }
            })
            .collect()
    }

    /// Applies limits set by operators (`None`: back to the configuration); a relay this
    /// dispatcher does not have is reported and ignored.
    pub fn set_limits(&self, name: &str, limits: Option<RelayLimits>) {
        match self.relays.iter().find(|r| r.name == name) {
            Some(relay) => {
                let limits = limits.unwrap_or(relay.configured);
                relay.apply(limits, self.share());
                info!(
                    relay = name,
                    rate_per_second = limits.rate_per_second,
                    connections = limits.connections.min(relay.configured.connections),
                    "relay limits applied"
                );
            }
            None => warn!(
                relay = name,
                "limits set for a relay this dispatcher does not have"
            ),
        }
    }

    /// Sends `mail` through the first relay by priority that is not set aside (the first of
    /// all when every one is), waiting for its rate limit and a free connection.
    pub async fn send(&self, mail: &OutgoingMail) -> Sent {
        let now = Instant::now();
        let relay = self
            .relays
            .iter()
            .find(|r| !r.is_set_aside(now))
            .unwrap_or(&self.relays[0]);
        let limiter = relay
            .limiter
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(limiter) = limiter {
            limiter.until_ready().await;
        }
        let permit = relay.connections.acquire().await;
        let result = relay.pool.send(mail).await;
        drop(permit);
        relay.last_minute.count(Instant::now(), result.is_ok());
        if let Err(e) = &result {
            if e.is_no_reply() {
                relay.set_aside(Instant::now());
                if self.relays.len() > 1 {
                    warn!(relay = %relay.name, error = %e, "relay gave no reply: passed over for {} s", SET_ASIDE.as_secs());
                }
            }
        }
        Sent {
            relay: relay.name.clone(),
            result,
        }
    }
}

impl Relay {
    fn is_set_aside(&self, now: Instant) -> bool {
        self.set_aside_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|until| now < until)
    }

    fn set_aside(&self, now: Instant) {
        *self
            .set_aside_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(now + SET_ASIDE);
    }

    /// Puts `limits` in force for the whole cluster, of which this process takes its part
    /// when `dispatchers` share them: a new rate limiter, and connections closed or allowed
    /// (a lower cap waits for sends in flight to finish; nothing is interrupted).
    fn apply(&self, limits: RelayLimits, dispatchers: u32) {
        let allowed = limits.connections.clamp(1, self.configured.connections);
        *self.in_force.lock().unwrap_or_else(PoisonError::into_inner) = RelayLimits {
            rate_per_second: limits.rate_per_second,
            connections: allowed,
        };
        *self.limiter.lock().unwrap_or_else(PoisonError::into_inner) =
            share_of_rate(limits.rate_per_second, dispatchers)
                .map(|quota| Arc::new(RateLimiter::direct(quota)));
        let mine = (allowed / dispatchers).max(1) as usize;
        self.connections.set(mine);
        self.pool.set_keep(mine);
    }
}

/// One dispatcher's part of a rate of `rate_per_second` shared by `dispatchers` (`None`: no
/// limit): one mail every `dispatchers / rate` seconds, with a burst of its part of a second.
fn share_of_rate(rate_per_second: u32, dispatchers: u32) -> Option<Quota> {
    let rate = NonZeroU32::new(rate_per_second)?;
    let dispatchers = dispatchers.max(1);
    let period = Duration::from_secs_f64(f64::from(dispatchers) / f64::from(rate.get()));
    let burst = NonZeroU32::new((rate.get() / dispatchers).max(1))?;
    Some(Quota::with_period(period)?.allow_burst(burst))
}

/// Each step's timeout as `[smtp]` sets them.
fn timeouts(smtp: &SmtpConfig) -> Timeouts {
    let secs = Duration::from_secs;
    Timeouts {
        setup: secs(smtp.timeout_secs),
        mail: secs(smtp.mail_timeout_secs),
        rcpt: secs(smtp.rcpt_timeout_secs),
        data_start: secs(smtp.data_start_timeout_secs),
        data_block: secs(smtp.data_block_timeout_secs),
        final_reply: secs(smtp.final_reply_timeout_secs),
    }
}

/// Where and how to reach one relay.
fn endpoint(name: &str, config: &RelayConfig, timeouts: Timeouts) -> Result<Endpoint, RelayError> {
    let ca = match &config.tls_ca_file {
        Some(path) => Some(std::fs::read(path).map_err(|e| RelayError::File {
            relay: name.to_owned(),
            what: "CA file",
            path: path.display().to_string(),
            source: e,
        })?),
        None => None,
    };
    let ca_words = match &config.tls_ca_file {
        Some(path) => format!("CA file {}", path.display()),
        None => "the public roots".to_owned(),
    };
    let tls_error = |what: &str, source: BoxError| RelayError::Tls {
        relay: name.to_owned(),
        what: what.to_owned(),
        source,
    };
    let tls = || {
        let connector = circulars_core::tls::client(ca.as_deref())
            .map_err(|e| tls_error(&ca_words, e.into()))?;
        let server = rustls_pki_types::ServerName::try_from(config.host.clone())
            .map_err(|e| tls_error(&format!("host {}", config.host), e.into()))?;
        Ok::<_, RelayError>((connector, server))
    };
    let security = match config.tls {
        RelayTls::None => Security::None,
        RelayTls::Starttls => {
            let (connector, server) = tls()?;
            Security::StartTls(connector, server)
        }
        RelayTls::Tls => {
            let (connector, server) = tls()?;
            Security::Implicit(connector, server)
        }
    };
    let credentials = match &config.username {
        Some(username) => {
            let password = match (&config.password, &config.password_file) {
                (Some(p), _) => p.clone(),
                (None, Some(path)) => SecretString::from(
                    std::fs::read_to_string(path)
                        .map_err(|e| RelayError::File {
                            relay: name.to_owned(),
                            what: "password file",
                            path: path.display().to_string(),
                            source: e,
                        })?
                        .lines()
                        .next()
                        .unwrap_or_default(),
                ),
                (None, None) => SecretString::from(""),
            };
            Some(Credentials {
                username: username.clone(),
                password,
            })
        }
        None => None,
    };
    Ok(Endpoint {
        host: config.host.clone(),
        port: config.port,
        security,
        credentials,
        timeouts,
        keep: config.connections as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::config::Config;

    fn relays(file: &str) -> Relays {
        let config = Config::from_sources(Some(("c.toml", file)), Vec::new()).unwrap();
        Relays::from_config(&config.smtp).unwrap()
    }

    async fn free_connections(relays: &Relays, name: &str, expected: usize) -> usize {
        let relay = relays.relays.iter().find(|r| r.name == name).unwrap();
        for _ in 0..100 {
            if relay.connections.available() == expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        relay.connections.available()
    }

    #[tokio::test]
    async fn limits_set_while_running_lower_and_restore_the_connection_cap() {
        let relays = relays("[smtp.relays.main]\nconnections = 6\nrate_per_second = 100\n");
        assert_eq!(free_connections(&relays, "main", 6).await, 6);
        relays.set_limits(
            "main",
            Some(RelayLimits {
                rate_per_second: 0,
                connections: 2,
            }),
        );
        assert_eq!(free_connections(&relays, "main", 2).await, 2);
        let in_force = &relays.activity(Instant::now())[0];
        assert_eq!((in_force.rate_per_second, in_force.connections), (0, 2));
        let main = &relays.relays[0];
        assert!(
            main.limiter.lock().unwrap().is_none(),
            "rate 0 lifts the limit"
        );
        // Above the configured pool is capped at the pool's size.
        relays.set_limits(
            "main",
            Some(RelayLimits {
                rate_per_second: 5,
                connections: 50,
            }),
        );
        assert_eq!(free_connections(&relays, "main", 6).await, 6);
        assert!(main.limiter.lock().unwrap().is_some());
        let in_force = &relays.activity(Instant::now())[0];
        assert_eq!((in_force.rate_per_second, in_force.connections), (5, 6));
        // Cleared: back to the configuration.
        relays.set_limits("main", None);
        assert_eq!(free_connections(&relays, "main", 6).await, 6);
    }

    #[tokio::test]
    async fn dispatchers_side_by_side_each_take_their_share_of_the_limits() {
        let relays = relays("[smtp.relays.main]\nconnections = 6\nrate_per_second = 20\n");
        relays.set_share(2);
        assert_eq!(free_connections(&relays, "main", 3).await, 3);
        let in_force = &relays.activity(Instant::now())[0];
        assert_eq!(
            (in_force.rate_per_second, in_force.connections),
            (20, 6),
            "the activity report gives the cluster's limits"
        );
        // Operators' limits are shared too, and never leave a dispatcher without a connection.
        relays.set_limits(
            "main",
            Some(RelayLimits {
                rate_per_second: 20,
                connections: 2,
            }),
        );
        relays.set_share(4);
        assert_eq!(free_connections(&relays, "main", 1).await, 1);
        // Alone again: the whole of it.
        relays.set_limits("main", None);
        relays.set_share(1);
        assert_eq!(free_connections(&relays, "main", 6).await, 6);
    }

    #[test]
    fn a_shared_rate_is_split_with_its_burst() {
        let quota = |rate, dispatchers| {
            let quota: Quota = share_of_rate(rate, dispatchers).unwrap();
            (quota.replenish_interval(), quota.burst_size().get())
        };
        assert_eq!(quota(20, 1), (Duration::from_millis(50), 20));
        assert_eq!(quota(20, 2), (Duration::from_millis(100), 10));
        assert_eq!(quota(3, 4), (Duration::from_secs_f64(4.0 / 3.0), 1));
        assert!(share_of_rate(0, 2).is_none(), "no rate, no limit");
    }

    #[tokio::test]
    async fn relays_are_tried_in_priority_order_and_a_silent_one_is_set_aside() {
        let relays =
            relays("[smtp.relays.backup]\npriority = 5\n[smtp.relays.main]\npriority = 1\n");
        assert_eq!(relays.names(), ["main", "backup"]);
        let now = Instant::now();
        relays.relays[0].set_aside(now);
        assert!(relays.relays[0].is_set_aside(now + Duration::from_secs(1)));
        assert!(!relays.relays[0].is_set_aside(now + SET_ASIDE));
    }
}
