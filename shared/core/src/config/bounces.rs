//! `[bounces]` and `[bounces.mailbox]`: how returned mail comes in.

use secrecy::SecretString;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

/// `[bounces]`: how returned mail (bounces, complaints, mailed unsubscribes) comes in. The
/// intake service runs the listener when `listen` is set and polls the mailbox when
/// `[bounces.mailbox]` is.
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BouncesConfig {
    /// Where the intake SMTP listener listens (the MX of `mail.return_domain` points there);
    /// none: no listener.
    pub listen: Option<SocketAddr>,
    /// The largest message accepted, in bytes; a larger one is refused (552).
    pub max_message_bytes: usize,
    /// Most SMTP sessions open at once; more are answered 421 and closed.
    pub max_connections: usize,
    /// Most SMTP sessions open at once from one client address.
    pub max_connections_per_client: usize,
    /// Most messages accepted per minute from one client address; more are deferred (451).
    pub messages_per_minute_per_client: usize,
    /// Seconds a session may wait for the client's next command or data before it is closed.
    pub idle_timeout_secs: u64,
    /// The listener's certificate chain (PEM, leaf first); with `tls_key_file`, the listener
    /// offers STARTTLS. Both or neither.
    pub tls_cert_file: Option<PathBuf>,
    /// The private key of `tls_cert_file` (PEM: PKCS#8, PKCS#1 or SEC1).
    pub tls_key_file: Option<PathBuf>,
    /// The mailbox to poll over IMAP, for sites whose bounces land in one.
    pub mailbox: Option<MailboxConfig>,
}

impl Default for BouncesConfig {
    fn default() -> Self {
        BouncesConfig {
            listen: None,
            max_message_bytes: 10 * 1024 * 1024,
            max_connections: 100,
            max_connections_per_client: 10,
            messages_per_minute_per_client: 600,
            idle_timeout_secs: 60,
            tls_cert_file: None,
            tls_key_file: None,
            mailbox: None,
        }
    }
}

/// How the connection to the IMAP server is protected.
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailboxTls {
    /// TLS from the first byte (`imaps`, port 993).
    Implicit,
    /// Plain, then STARTTLS before logging in (port 143).
    Starttls,
    /// No TLS at all: only for a server on the same machine.
    None,
}

/// `[bounces.mailbox]`: an IMAP mailbox whose messages are returned mail. Each message is
/// stored and published, then deleted from the mailbox (the database keeps it).
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailboxConfig {
    /// The IMAP server's host name.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is protected.
    pub tls: MailboxTls,
    /// A PEM file of extra CA certificates to trust (a private CA), besides the public roots.
    pub tls_ca_file: Option<PathBuf>,
    /// The user to log in as.
    pub username: String,
    /// Its password.
    #[cfg_attr(test, serde(serialize_with = "super::example::redacted"))]
    pub password: SecretString,
    /// The folder to read.
    pub folder: String,
    /// Seconds between polls.
    pub poll_secs: u64,
}

impl Default for MailboxConfig {
    fn default() -> Self {
        MailboxConfig {
            host: String::new(),
            port: 993,
            tls: MailboxTls::Implicit,
            tls_ca_file: None,
            username: String::new(),
            password: SecretString::from(String::new()),
            folder: "INBOX".into(),
            poll_secs: 60,
        }
    }
}

/// The rules of `[bounces]` that types cannot say.
pub(super) fn check_bounces(
    bounces: &BouncesConfig,
    origin: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    for (key, value) in [
        ("bounces.max_message_bytes", bounces.max_message_bytes),
        ("bounces.max_connections", bounces.max_connections),
        (
            "bounces.max_connections_per_client",
            bounces.max_connections_per_client,
        ),
        (
            "bounces.messages_per_minute_per_client",
            bounces.messages_per_minute_per_client,
        ),
    ] {
        if value == 0 {
            problems.push(format!("{}: {key}: must be at least 1", origin(key)));
        }
    }
    let (cert, key) = (&bounces.tls_cert_file, &bounces.tls_key_file);
    if cert.is_some() != key.is_some() {
        let (set, missing) = match cert {
            Some(_) => ("bounces.tls_cert_file", "bounces.tls_key_file"),
            None => ("bounces.tls_key_file", "bounces.tls_cert_file"),
        };
        problems.push(format!(
            "{}: {set}: set {missing} too (both or neither)",
            origin(set)
        ));
    }
    for (name, file) in [
        ("bounces.tls_cert_file", cert),
        ("bounces.tls_key_file", key),
    ] {
        let Some(path) = file else { continue };
        if let Err(e) = std::fs::read(path) {
            let path = path.display();
            problems.push(format!("{}: {name}: cannot read {path}: {e}", origin(name)));
        }
    }
    if let Some(mailbox) = &bounces.mailbox {
        if mailbox.host.is_empty() {
            problems.push(format!(
                "{}: bounces.mailbox.host: name the IMAP server",
                origin("bounces.mailbox.host")
            ));
        }
        if mailbox.username.is_empty() {
            problems.push(format!(
                "{}: bounces.mailbox.username: name the mailbox's user",
                origin("bounces.mailbox.username")
            ));
        }
        if mailbox.poll_secs == 0 {
            problems.push(format!(
                "{}: bounces.mailbox.poll_secs: must be at least 1",
                origin("bounces.mailbox.poll_secs")
            ));
        }
    }
}
