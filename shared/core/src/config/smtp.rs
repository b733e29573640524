//! `[smtp]`: how the dispatcher sends, retries and gives up, and the relays it sends through.

use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `[smtp]`: how the dispatcher sends, retries and gives up, and the relays it sends through.
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// How many mails are in flight at once, over all relays, for the whole cluster: the
    /// dispatchers running side by side each take an equal share (at least one).
    pub concurrency: usize,
    /// Seconds opening a session with a relay may take in all (TCP, TLS, the greeting, EHLO,
    /// STARTTLS, AUTH), and a NOOP or RSET on an open one. Nothing is sent yet, so a short wait
    /// costs no copy and lets failover act soon; RFC 5321 §4.5.3.2 would wait 5 minutes for
    /// the greeting alone.
    pub timeout_secs: u64,
    /// Seconds to wait for the reply to `MAIL FROM` (RFC 5321 §4.5.3.2: 5 minutes).
    pub mail_timeout_secs: u64,
    /// Seconds to wait for the reply to `RCPT TO` (RFC 5321: 5 minutes).
    pub rcpt_timeout_secs: u64,
    /// Seconds to wait for the `354` after `DATA` (RFC 5321: 2 minutes).
    pub data_start_timeout_secs: u64,
    /// Seconds each write of the message may take (RFC 5321: 3 minutes per data block).
    pub data_block_timeout_secs: u64,
    /// Seconds to wait for the reply after the message's final dot (RFC 5321: 10 minutes,
    /// since relays scan content first). A reply not come by then is lost, not a refusal:
    /// the relay may have stored the mail (`unconfirmed_retries`).
    pub final_reply_timeout_secs: u64,
    /// Seconds a mail job may stay unacknowledged before JetStream hands it to a dispatcher
    /// again (after a crash). A job being sent keeps its lease with progress acks, so this
    /// need not exceed the SMTP waits, only the set-up's (`timeout_secs`).
    pub job_ack_wait_secs: u64,
    /// Seconds before the next attempt after attempt 1, 2, …; the last value repeats.
    pub retry_delays_secs: Vec<u64>,
    /// Each retry delay varies by up to this fraction either way, so retries spread out.
    pub retry_jitter: f64,
    /// Seconds after the first attempt when a mail still refused for now becomes `failed`.
    pub give_up_after_secs: u64,
    /// How many times a mail whose reply was lost after the whole message was sent (the relay
    /// may have stored it) is tried again before it is recorded `sent`, unconfirmed.
    pub unconfirmed_retries: u32,
    /// The relays by name, tried in `priority` order (lowest first) when one cannot be reached.
    pub relays: BTreeMap<String, RelayConfig>,
}

/// How a relay's connection is protected.
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RelayTls {
    /// Plain SMTP (a relay on the same host or a trusted network).
    None,
    /// STARTTLS required (RFC 3207), usually port 587 or 25.
    Starttls,
    /// TLS from the first byte (RFC 8314), usually port 465.
    Tls,
}

/// `[smtp.relays.NAME]`: one relay.
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RelayConfig {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Failover order: the lowest priority that can be reached is used.
    pub priority: u32,
    /// `none`, `starttls` or `tls`.
    pub tls: RelayTls,
    /// A CA certificate (PEM) to trust besides the public ones, for a relay with a private CA.
    pub tls_ca_file: Option<PathBuf>,
    /// The user name, when the relay wants authentication (AUTH PLAIN or LOGIN).
    pub username: Option<String>,
    /// The password (prefer `password_file` or the environment).
    #[cfg_attr(test, serde(serialize_with = "super::example::redacted"))]
    pub password: Option<SecretString>,
    /// A file holding the password (its first line).
    pub password_file: Option<PathBuf>,
    /// Connections kept open to this relay at most, by all dispatchers together (each takes
    /// an equal share, at least one).
    pub connections: u32,
    /// Mails per second at most, by all dispatchers together (0: no limit); changeable while
    /// running with
    /// `circulars relay limit NAME --rate N`.
    pub rate_per_second: u32,
}

impl Default for RelayConfig {
    fn default() -> Self {
        RelayConfig {
            host: "127.0.0.1".into(),
            port: 25,
            priority: 0,
            tls: RelayTls::None,
            tls_ca_file: None,
            username: None,
            password: None,
            password_file: None,
            connections: 8,
            rate_per_second: 0,
        }
    }
}

impl SmtpConfig {
    /// The relays in failover order (priority, then name).
    pub fn relays_in_order(&self) -> Vec<(&str, &RelayConfig)> {
        let mut relays: Vec<(&str, &RelayConfig)> =
            self.relays.iter().map(|(n, r)| (n.as_str(), r)).collect();
        relays.sort_by_key(|(name, r)| (r.priority, *name));
        relays
    }

    /// The delay before the attempt after `attempt` (1-based), before jitter.
    pub fn retry_delay(&self, attempt: u32) -> std::time::Duration {
        let index =
            (attempt.max(1) as usize - 1).min(self.retry_delays_secs.len().saturating_sub(1));
        std::time::Duration::from_secs(self.retry_delays_secs.get(index).copied().unwrap_or(60))
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            concurrency: 8,
            timeout_secs: 30,
            // RFC 5321 §4.5.3.2.
            mail_timeout_secs: 300,
            rcpt_timeout_secs: 300,
            data_start_timeout_secs: 120,
            data_block_timeout_secs: 180,
            final_reply_timeout_secs: 600,
            job_ack_wait_secs: 120,
            // Postfix-like: quick at first, then hourly; given up after five days
            // (Postfix's maximal_queue_lifetime).
            retry_delays_secs: vec![60, 300, 900, 1800, 3600],
            retry_jitter: 0.2,
            give_up_after_secs: 5 * 24 * 3600,
            unconfirmed_retries: 1,
            relays: BTreeMap::from([("local".to_owned(), RelayConfig::default())]),
        }
    }
}

/// The rules of `[smtp]` that types cannot say.
pub(super) fn check_smtp(
    smtp: &SmtpConfig,
    origin: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    // A job keeps its lease with progress acks while its mail waits for the relay, so
    // `job_ack_wait_secs` need not exceed the SMTP waits (the final reply may take minutes),
    // only the set-up's, between two of those acks.
    if smtp.job_ack_wait_secs <= smtp.timeout_secs {
        problems.push(format!(
            "{}: smtp.job_ack_wait_secs: must be longer than smtp.timeout_secs ({}), or jobs are handed over while still being sent",
            origin("smtp.job_ack_wait_secs"),
            smtp.timeout_secs
        ));
    }
    for (key, secs) in [
        ("timeout_secs", smtp.timeout_secs),
        ("mail_timeout_secs", smtp.mail_timeout_secs),
        ("rcpt_timeout_secs", smtp.rcpt_timeout_secs),
        ("data_start_timeout_secs", smtp.data_start_timeout_secs),
        ("data_block_timeout_secs", smtp.data_block_timeout_secs),
        ("final_reply_timeout_secs", smtp.final_reply_timeout_secs),
    ] {
        if secs == 0 {
            problems.push(format!(
                "{}: smtp.{key}: must be at least 1",
                origin(&format!("smtp.{key}"))
            ));
        }
    }
    if smtp.retry_delays_secs.is_empty() {
        problems.push(format!(
            "{}: smtp.retry_delays_secs: give at least one delay",
            origin("smtp.retry_delays_secs")
        ));
    }
    if !(0.0..1.0).contains(&smtp.retry_jitter) {
        problems.push(format!(
            "{}: smtp.retry_jitter: {} is not a fraction from 0 up to 1",
            origin("smtp.retry_jitter"),
            smtp.retry_jitter
        ));
    }
    if smtp.relays.is_empty() {
        problems.push(format!(
            "{}: smtp.relays: name at least one relay ([smtp.relays.NAME] host = …)",
            origin("smtp.relays")
        ));
    }
    for (name, relay) in &smtp.relays {
        let key = |field: &str| format!("smtp.relays.{name}.{field}");
        let bad_name = name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if bad_name {
            problems.push(format!(
                "{}: smtp.relays.{name}: a relay name is letters, digits, '-' and '_'",
                origin(&format!("smtp.relays.{name}"))
            ));
        }
        if relay.connections == 0 {
            problems.push(format!(
                "{}: {}: must be at least 1",
                origin(&key("connections")),
                key("connections")
            ));
        }
        if relay.password.is_some() && relay.password_file.is_some() {
            problems.push(format!(
                "{}: {}: give password or password_file, not both",
                origin(&key("password")),
                key("password")
            ));
        }
        let has_password = relay.password.is_some() || relay.password_file.is_some();
        if relay.username.is_some() != has_password {
            problems.push(format!(
                "{}: {}: authentication needs both username and password (or password_file)",
                origin(&key("username")),
                key("username")
            ));
        }
        if relay.tls_ca_file.is_some() && relay.tls == RelayTls::None {
            problems.push(format!(
                "{}: {}: set tls = \"starttls\" or \"tls\" to use a CA file",
                origin(&key("tls_ca_file")),
                key("tls_ca_file")
            ));
        }
    }
}
