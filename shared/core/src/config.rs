//! Typed configuration, loaded once at start: defaults, then a TOML file, then environment
//! variables `CIRCULARS__SECTION__KEY`. Every bad key is reported at once, by name and source.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The SQL dialect behind the store, chosen by the database URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://PATH`: the embedded default, one file.
    Sqlite,
    /// `postgres://…` (or `postgresql://…`): for production.
    Postgres,
}

impl Backend {
    /// The backend a database URL names, when it is one of the two.
    pub fn of_url(url: &str) -> Option<Backend> {
        let scheme = url.split_once(':').map(|(s, _)| s)?;
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }
}

/// The prefix of environment variables that override the file (`CIRCULARS__SMTP__PORT=2525`).
pub const ENV_PREFIX: &str = "CIRCULARS__";

/// The whole configuration of every service.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where local state lives (SQLite database, local runs); relative paths are taken from
    /// the working directory.
    pub data_dir: PathBuf,
    /// The NATS server.
    pub nats: NatsConfig,
    /// The database.
    pub database: DatabaseConfig,
    /// The SMTP relay the dispatcher sends through.
    pub smtp: SmtpConfig,
    /// How mails are addressed.
    pub mail: MailConfig,
    /// The HTTP gateway.
    pub gateway: GatewayConfig,
    /// Delivery record writing.
    pub tracker: TrackerConfig,
    /// Rules of the directory.
    pub directory: DirectoryConfig,
    /// Keys of the signed tokens in envelope senders and unsubscribe links.
    pub tokens: TokensConfig,
    /// DKIM signing.
    pub dkim: DkimConfig,
    /// Returned mail: the intake listener and the bounce mailbox.
    pub bounces: BouncesConfig,
}

/// `[nats]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NatsConfig {
    /// Server URL, e.g. `nats://127.0.0.1:4222`.
    pub url: String,
}

/// `[database]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DATABASE`; when unset,
    /// `sqlite://<data_dir>/circulars.db`.
    pub url: Option<String>,
}

/// `[smtp]`: how the dispatcher sends, retries and gives up, and the relays it sends through.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// How many mails one dispatcher has in flight at once, over all relays.
    pub concurrency: usize,
    /// Seconds one attempt may take (connecting, TLS, AUTH and the mail) before it counts as a
    /// temporary failure.
    pub timeout_secs: u64,
    /// Seconds a mail job may stay unacknowledged before JetStream hands it to a dispatcher
    /// again (after a crash): longer than the slowest send and the recording of its outcome.
    pub job_ack_wait_secs: u64,
    /// Seconds before the next attempt after attempt 1, 2, …; the last value repeats.
    pub retry_delays_secs: Vec<u64>,
    /// Each retry delay varies by up to this fraction either way, so retries spread out.
    pub retry_jitter: f64,
    /// Seconds after the first attempt when a mail still refused for now becomes `failed`.
    pub give_up_after_secs: u64,
    /// The relays by name, tried in `priority` order (lowest first) when one cannot be reached.
    pub relays: BTreeMap<String, RelayConfig>,
}

/// How a relay's connection is protected.
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
    pub password: Option<String>,
    /// A file holding the password (its first line).
    pub password_file: Option<PathBuf>,
    /// Connections kept open to this relay at most.
    pub connections: u32,
    /// Mails per second at most (0: no limit); changeable while running with
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

/// `[mail]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// The address in `From:` (the display name comes from the recipient's language).
    pub from: String,
    /// The domain on the right of every `Message-ID`.
    pub message_id_domain: String,
    /// The `List-Id` of circulars (RFC 2919), e.g. `tsb-circulars.itu.example`.
    pub list_id: String,
    /// Where the one-click unsubscribe links point (`<base>/unsubscribe/<token>`); https.
    pub public_base_url: String,
    /// The domain of the envelope sender (`bounce+<token>@…`, VERP) and of the mailto
    /// unsubscribe address (`unsubscribe+<token>@…`).
    pub return_domain: String,
    /// The largest annex accepted, in bytes.
    pub max_annex_bytes: u64,
}

/// `[tokens]`: HMAC keys of the signed tokens; without keys a development key is used (and said).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokensConfig {
    /// The id of the key that signs new tokens; the others only verify (rotation).
    pub current: Option<u8>,
    /// The keys: `[[tokens.keys]] id = 1, secret = "<64+ hex digits>"`.
    pub keys: Vec<TokenKeyConfig>,
}

impl TokensConfig {
    /// The keyring these keys make: `current` signs, the others still verify; the public
    /// development keyring when no key is configured.
    pub fn keyring(&self) -> Result<crate::tokens::Keyring, crate::tokens::TokenError> {
        use crate::tokens::{Keyring, SigningKey, TokenError};
        let Some(current_id) = self.current else {
            return if self.keys.is_empty() {
                Ok(Keyring::development())
            } else {
                Err(TokenError::Malformed("tokens.current names no key".into()))
            };
        };
        let mut current = None;
        let mut older = Vec::new();
        for k in &self.keys {
            let key = SigningKey::from_hex(k.id, &k.secret)?;
            if k.id == current_id {
                current = Some(key);
            } else {
                older.push(key);
            }
        }
        let current = current.ok_or(TokenError::UnknownKey(current_id))?;
        Keyring::new(current, older)
    }
}

/// One token key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenKeyConfig {
    /// Its id, carried in every token it signs.
    pub id: u8,
    /// The secret, hex-encoded, at least 32 bytes.
    pub secret: String,
}

/// `[dkim]`: off by default, since many relays sign themselves.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DkimConfig {
    /// Whether the dispatcher signs.
    pub enabled: bool,
    /// `rsa` (RSA-2048, what receivers verify) or `ed25519`.
    pub algorithm: String,
    /// The signing domain (`d=`).
    pub domain: String,
    /// The selector (`s=`): the key is published at `<selector>._domainkey.<domain>`.
    pub selector: String,
    /// The private key file (PEM).
    pub private_key_file: Option<PathBuf>,
}

impl Default for DkimConfig {
    fn default() -> Self {
        DkimConfig {
            enabled: false,
            algorithm: "rsa".into(),
            domain: "itu.example".into(),
            selector: "circulars".into(),
            private_key_file: None,
        }
    }
}

/// `[gateway]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewayConfig {
    /// Where the HTTP API listens.
    pub listen: SocketAddr,
    /// Who may call the staff API, by name: `[gateway.staff_keys] ana = "<32 or more
    /// characters>"`, sent as `Authorization: Bearer <key>`. None: the staff API is off.
    pub staff_keys: BTreeMap<String, String>,
    /// The largest staff API request body, in bytes (a directory import of some 50 000
    /// contacts fits in the default 16 MiB).
    pub max_request_bytes: usize,
}

/// `[directory]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DirectoryConfig {
    /// After this many hard bounces (deliveries bounced, or refused with a 5xx reply) an
    /// address is suppressed (`bounced`); 0 never suppresses.
    pub suppress_after_hard_bounces: u32,
}

impl Default for DirectoryConfig {
    fn default() -> Self {
        DirectoryConfig {
            suppress_after_hard_bounces: 3,
        }
    }
}

/// `[bounces]`: how returned mail (bounces, complaints, mailed unsubscribes) comes in. The
/// tracker runs the intake listener when `listen` is set and polls the mailbox when
/// `[bounces.mailbox]` is.
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
    pub password: String,
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
            password: String::new(),
            folder: "INBOX".into(),
            poll_secs: 60,
        }
    }
}

/// `[tracker]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackerConfig {
    /// Most events written in one transaction.
    pub batch_size: usize,
    /// Milliseconds to wait for a batch to fill before writing what has arrived.
    pub batch_wait_ms: u64,
}

impl Default for NatsConfig {
    fn default() -> Self {
        NatsConfig {
            url: "nats://127.0.0.1:4222".into(),
        }
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            concurrency: 8,
            timeout_secs: 30,
            job_ack_wait_secs: 120,
            // Postfix-like: quick at first, then hourly; given up after five days
            // (Postfix's maximal_queue_lifetime).
            retry_delays_secs: vec![60, 300, 900, 1800, 3600],
            retry_jitter: 0.2,
            give_up_after_secs: 5 * 24 * 3600,
            relays: BTreeMap::from([("local".to_owned(), RelayConfig::default())]),
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            from: "tsb-circulars@itu.example".into(),
            message_id_domain: "circulars.itu.example".into(),
            list_id: "tsb-circulars.itu.example".into(),
            public_base_url: "https://circulars.itu.example".into(),
            return_domain: "circulars.itu.example".into(),
            max_annex_bytes: 10 * 1024 * 1024,
        }
    }
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            staff_keys: BTreeMap::new(),
            max_request_bytes: 16 << 20,
        }
    }
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            batch_size: 500,
            batch_wait_ms: 50,
        }
    }
}

/// Every problem found in the configuration, each naming its key and where it was set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// One line per bad key.
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad configuration:")?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

impl Config {
    /// Loads the configuration from `file` (when given) and this process's environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let text = match file {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| ConfigError {
                problems: vec![format!("{}: cannot read: {e}", path.display())],
            })?),
            None => None,
        };
        let name = file.map(|p| p.display().to_string());
        Config::from_sources(name.as_deref().zip(text.as_deref()), std::env::vars())
    }

    /// Builds the configuration from a file's `(name, text)` and environment variables.
    pub fn from_sources(
        file: Option<(&str, &str)>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let file_name = file
            .map(|(n, _)| n.to_owned())
            .unwrap_or_else(|| "defaults".into());
        let mut table = match file {
            Some((name, text)) => match text.parse::<toml::Table>() {
                Ok(t) => t,
                Err(e) => {
                    let line = e
                        .span()
                        .map(|s| crate::input::line_of(text, s.start))
                        .unwrap_or(1);
                    return Err(ConfigError {
                        problems: vec![format!("{name}:{line}: {}", e.message())],
                    });
                }
            },
            None => toml::Table::new(),
        };
        // Which keys the environment set, to name the variable in errors.
        let mut from_env: BTreeMap<String, String> = BTreeMap::new();
        for (var, value) in env {
            let Some(rest) = var.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let path: Vec<String> = rest.split("__").map(|s| s.to_ascii_lowercase()).collect();
            if path.iter().any(String::is_empty) {
                problems.push(format!("environment {var}: empty key segment"));
                continue;
            }
            let parsed = format!("v = {value}")
                .parse::<toml::Table>()
                .ok()
                .and_then(|mut t| t.remove("v"))
                .unwrap_or(toml::Value::String(value));
            match insert_path(&mut table, &path, parsed) {
                Ok(()) => {
                    from_env.insert(path.join("."), var);
                }
                Err(why) => problems.push(format!("environment {var}: {why}")),
            }
        }
        let origin = |key: &str| match from_env.get(key) {
            Some(var) => format!("environment {var}"),
            None => file_name.clone(),
        };

        let data_dir = match table.remove("data_dir") {
            None => PathBuf::from("data"),
            Some(toml::Value::String(s)) => PathBuf::from(s),
            Some(other) => {
                problems.push(format!(
                    "{}: data_dir: expected a path, found {}",
                    origin("data_dir"),
                    other.type_str()
                ));
                PathBuf::from("data")
            }
        };
        let mut config = Config {
            data_dir,
            nats: section(&mut table, "nats", &origin, &mut problems),
            database: section(&mut table, "database", &origin, &mut problems),
            smtp: section(&mut table, "smtp", &origin, &mut problems),
            mail: section(&mut table, "mail", &origin, &mut problems),
            gateway: section(&mut table, "gateway", &origin, &mut problems),
            tracker: section(&mut table, "tracker", &origin, &mut problems),
            directory: section(&mut table, "directory", &origin, &mut problems),
            tokens: section(&mut table, "tokens", &origin, &mut problems),
            dkim: section(&mut table, "dkim", &origin, &mut problems),
            bounces: section(&mut table, "bounces", &origin, &mut problems),
        };
        for key in table.keys() {
            problems.push(format!("{}: {key}: unknown key", origin(key)));
        }
        if config.smtp.concurrency == 0 {
            problems.push(format!(
                "{}: smtp.concurrency: must be at least 1",
                origin("smtp.concurrency")
            ));
        }
        check_smtp(&config.smtp, &origin, &mut problems);
        check_bounces(&config.bounces, &origin, &mut problems);
        if config.tracker.batch_size == 0 {
            problems.push(format!(
                "{}: tracker.batch_size: must be at least 1",
                origin("tracker.batch_size")
            ));
        }
        if !config.mail.from.contains('@') {
            problems.push(format!(
                "{}: mail.from: '{}' is not an e-mail address",
                origin("mail.from"),
                config.mail.from
            ));
        }
        if !config.mail.public_base_url.starts_with("https://") {
            problems.push(format!(
                "{}: mail.public_base_url: '{}' must be an https URL (unsubscribe links)",
                origin("mail.public_base_url"),
                config.mail.public_base_url
            ));
        }
        let key_ids: Vec<u8> = config.tokens.keys.iter().map(|k| k.id).collect();
        if let Some(current) = config.tokens.current {
            if !key_ids.contains(&current) {
                problems.push(format!(
                    "{}: tokens.current: no key with id {current} in tokens.keys",
                    origin("tokens.current")
                ));
            }
        } else if !key_ids.is_empty() {
            problems.push(format!(
                "{}: tokens.current: name the key that signs",
                origin("tokens.keys")
            ));
        }
        if !config.tokens.keys.is_empty() && config.tokens.current.is_some() {
            if let Err(e) = config.tokens.keyring() {
                problems.push(format!("{}: tokens.keys: {e}", origin("tokens.keys")));
            }
        }
        if config.dkim.enabled {
            if !matches!(config.dkim.algorithm.as_str(), "rsa" | "ed25519") {
                problems.push(format!(
                    "{}: dkim.algorithm: '{}' is not rsa or ed25519",
                    origin("dkim.algorithm"),
                    config.dkim.algorithm
                ));
            }
            if config.dkim.private_key_file.is_none() {
                problems.push(format!(
                    "{}: dkim.private_key_file: required when dkim.enabled",
                    origin("dkim.enabled")
                ));
            }
        }
        if let Some(url) = &config.database.url {
            if Backend::of_url(url).is_none() {
                problems.push(format!(
                    "{}: database.url: '{url}' is neither sqlite://PATH nor postgres://USER@HOST:PORT/DATABASE",
                    origin("database.url")
                ));
            }
        }
        if config.database.url.is_none() {
            config.database.url = Some(format!(
                "sqlite://{}",
                config.data_dir.join("circulars.db").display()
            ));
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError { problems })
        }
    }

    /// The database URL (always set after loading).
    pub fn database_url(&self) -> &str {
        self.database.url.as_deref().unwrap_or_default()
    }
}

/// The rules of `[bounces]` that types cannot say.
fn check_bounces(
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

/// The rules of `[smtp]` that types cannot say.
fn check_smtp(smtp: &SmtpConfig, origin: &dyn Fn(&str) -> String, problems: &mut Vec<String>) {
    if smtp.job_ack_wait_secs <= smtp.timeout_secs {
        problems.push(format!(
            "{}: smtp.job_ack_wait_secs: must be longer than smtp.timeout_secs ({}), or jobs are handed over while still being sent",
            origin("smtp.job_ack_wait_secs"),
            smtp.timeout_secs
        ));
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

/// Sets `path` (section, …, key) in `table`, creating sections on the way.
fn insert_path(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    match path {
        [] => Err("empty key".into()),
        [key] => {
            table.insert(key.clone(), value);
            Ok(())
        }
        [section, rest @ ..] => match table
            .entry(section.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        {
            toml::Value::Table(inner) => insert_path(inner, rest, value),
            _ => Err(format!("'{section}' is not a section")),
        },
    }
}

/// Deserialises one section, recording every unknown or mistyped key in it.
fn section<T: DeserializeOwned + Default>(
    table: &mut toml::Table,
    name: &str,
    origin: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) -> T {
    let Some(value) = table.remove(name) else {
        return T::default();
    };
    let toml::Value::Table(inner) = value else {
        problems.push(format!("{}: {name}: expected a section", origin(name)));
        return T::default();
    };
    // Every unknown or mistyped key, one at a time, so each is named.
    let mut any_bad = false;
    for (key, value) in &inner {
        let probe: toml::Table = std::iter::once((key.clone(), value.clone())).collect();
        if let Err(e) = serde_path_to_error::deserialize::<_, T>(toml::Value::Table(probe)) {
            // The deepest key serde reached (`smtp.relays.main.tls`), else the section's key.
            let path = e.path().to_string();
            let full = if path.starts_with(key.as_str()) && path != "." {
                format!("{name}.{path}")
            } else {
                format!("{name}.{key}")
            };
            problems.push(format!(
                "{}: {full}: {}",
                origin(&full),
                e.inner().message()
            ));
            any_bad = true;
        }
    }
    if any_bad {
        return T::default();
    }
    T::deserialize(toml::Value::Table(inner)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_then_file_then_environment() {
        let file = "data_dir = \"/srv/circulars\"\n[smtp.relays.main]\nhost = \"relay.example\"\nport = 587\n";
        let c = Config::from_sources(
            Some(("circulars.toml", file)),
            env(&[
                ("CIRCULARS__SMTP__RELAYS__MAIN__PORT", "2525"),
                ("CIRCULARS__NATS__URL", "nats://127.0.0.1:4333"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        let main = &c.smtp.relays["main"];
        assert_eq!(main.host, "relay.example");
        assert_eq!(main.port, 2525, "the environment wins over the file");
        assert_eq!(
            c.smtp.relays.len(),
            1,
            "the file's relays replace the default one"
        );
        assert_eq!(c.nats.url, "nats://127.0.0.1:4333");
        assert_eq!(c.smtp.concurrency, 8, "defaults fill the rest");
        assert_eq!(c.database_url(), "sqlite:///srv/circulars/circulars.db");
    }

    #[test]
    fn every_bad_key_is_named_with_its_source() {
        let file = "[smtp]\nport = \"twenty-five\"\ncolour = \"blue\"\nconcurrency = -1\n[nats]\nurl = 5\n[extra]\nx = 1\n";
        let err = Config::from_sources(
            Some(("c.toml", file)),
            env(&[("CIRCULARS__GATEWAY__LISTEN", "nowhere")]),
        )
        .unwrap_err();
        let text = err.to_string();
        for expected in [
            "c.toml: smtp.port:",
            "c.toml: smtp.colour: unknown field `colour`",
            "c.toml: smtp.concurrency:",
            "c.toml: nats.url:",
            "c.toml: extra: unknown key",
            "environment CIRCULARS__GATEWAY__LISTEN: gateway.listen:",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert_eq!(err.problems.len(), 6, "{text}");
    }

    #[test]
    fn relays_are_checked_and_ordered_for_failover() {
        let file = "[smtp.relays.main]\ntls = \"ssl\"\n";
        let text = Config::from_sources(Some(("c.toml", file)), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("c.toml: smtp.relays.main.tls: unknown variant `ssl`"),
            "{text}"
        );
        let file = "[smtp]\nretry_jitter = 1.5\nretry_delays_secs = []\n";
        let text = Config::from_sources(Some(("c.toml", file)), env(&[]))
            .unwrap_err()
            .to_string();
        for expected in [
            "c.toml: smtp.retry_jitter: 1.5 is not a fraction",
            "c.toml: smtp.retry_delays_secs: give at least one delay",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        let file = "[smtp.relays.backup]\nhost = \"b.example\"\npriority = 10\n\
                    [smtp.relays.main]\nhost = \"a.example\"\nusername = \"circulars\"\ntls_ca_file = \"/ca.pem\"\n\
                    [smtp.relays.\"bad name\"]\nconnections = 0\n";
        let text = Config::from_sources(Some(("c.toml", file)), env(&[]))
            .unwrap_err()
            .to_string();
        for expected in [
            "smtp.relays.bad name: a relay name is letters",
            "smtp.relays.bad name.connections: must be at least 1",
            "smtp.relays.main.username: authentication needs both",
            "smtp.relays.main.tls_ca_file: set tls",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        let file = "[smtp]\nretry_delays_secs = [1, 5]\n\
                    [smtp.relays.backup]\nhost = \"b.example\"\npriority = 10\n\
                    [smtp.relays.main]\nhost = \"a.example\"\n";
        let c = Config::from_sources(Some(("c.toml", file)), env(&[])).unwrap();
        let order: Vec<&str> = c.smtp.relays_in_order().iter().map(|(n, _)| *n).collect();
        assert_eq!(order, ["main", "backup"]);
        let delays: Vec<u64> = (1..=4).map(|n| c.smtp.retry_delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 5, 5, 5], "the last delay repeats");
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let err =
            Config::from_sources(Some(("c.toml", "[smtp]\nport = = 1\n")), env(&[])).unwrap_err();
        assert!(err.to_string().contains("c.toml:2:"), "{err}");
    }
}
