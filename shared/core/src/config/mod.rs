//! Typed configuration, loaded once at start: defaults, then a TOML file, then environment
//! variables `CIRCULARS__SECTION__KEY`. Every bad key is reported at once, by name and source.
//! Passwords and keys are [`SecretString`]s: they never print in `Debug` or logs, and code
//! reads them only through `expose_secret`.
//!
//! - `sections`: `[nats]`, `[database]`, `[mail]`, `[tokens]`, `[dkim]`, `[gateway]`,
//!   `[directory]`, `[tracker]`, `[approval]`, `[log]`, `[telemetry]`, `[composer]`,
//!   `[dispatcher]`, `[intake]`
//! - `smtp`: `[smtp]` and its relays
//! - `bounces`: `[bounces]` and `[bounces.mailbox]`
//! - `sources`: the file and the environment laid over each other, sections read key by key
//! - `example` (tests only): `deploy/circulars.example.toml` names every key, with its default

mod bounces;
#[cfg(test)]
mod example;
mod sections;
mod smtp;
mod sources;

pub use bounces::{BouncesConfig, MailboxConfig, MailboxTls};
pub use secrecy::{ExposeSecret, SecretString};
pub use sections::{
    ApprovalConfig, DatabaseConfig, DirectoryConfig, DkimConfig, GatewayConfig, LogConfig,
    LogFormat, MailConfig, NatsConfig, ServiceConfig, TelemetryConfig, TokenKeyConfig,
    TokensConfig, TrackerConfig,
};
pub use smtp::{RelayConfig, RelayTls, SmtpConfig};

use bounces::check_bounces;
use smtp::check_smtp;
use sources::{lay_environment, parse_file, section};
use std::fmt;
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
#[cfg_attr(test, derive(serde::Serialize))]
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
    /// Four-eyes approval before a circular is issued.
    pub approval: ApprovalConfig,
    /// How the services' log is written.
    pub log: LogConfig,
    /// Where the services' spans are exported.
    pub telemetry: TelemetryConfig,
    /// The composer run alone.
    pub composer: ServiceConfig,
    /// The dispatcher run alone.
    pub dispatcher: ServiceConfig,
    /// The returned-mail intake run alone.
    pub intake: ServiceConfig,
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
            Some((name, text)) => parse_file(name, text)?,
            None => toml::Table::new(),
        };
        // Which keys the environment set, to name the variable in errors.
        let from_env = lay_environment(&mut table, env, &mut problems);
        let origin = |key: &str| match from_env.get(key) {
            Some(var) => format!("environment {var}"),
            None => file_name.clone(),
        };

        let mut config = read_sections(&mut table, &origin, &mut problems);
        for key in table.keys() {
            problems.push(format!("{}: {key}: unknown key", origin(key)));
        }
        check_smtp(&config.smtp, &origin, &mut problems);
        check_bounces(&config.bounces, &origin, &mut problems);
        check_rest(&config, &origin, &mut problems);
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

/// Takes `data_dir` and every section out of `table` into a configuration, recording each
/// unknown or mistyped key; what is left in `table` is unknown.
fn read_sections(
    table: &mut toml::Table,
    origin: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) -> Config {
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
    Config {
        data_dir,
        nats: section(table, "nats", origin, problems),
        database: section(table, "database", origin, problems),
        smtp: section(table, "smtp", origin, problems),
        mail: section(table, "mail", origin, problems),
        gateway: section(table, "gateway", origin, problems),
        tracker: section(table, "tracker", origin, problems),
        directory: section(table, "directory", origin, problems),
        tokens: section(table, "tokens", origin, problems),
        dkim: section(table, "dkim", origin, problems),
        bounces: section(table, "bounces", origin, problems),
        approval: section(table, "approval", origin, problems),
        log: section(table, "log", origin, problems),
        telemetry: section(table, "telemetry", origin, problems),
        composer: section(table, "composer", origin, problems),
        dispatcher: section(table, "dispatcher", origin, problems),
        intake: section(table, "intake", origin, problems),
    }
}

/// `[nats]`: at least one server, each a NATS URL; 1 to 5 replicas (JetStream's range).
fn check_nats(nats: &NatsConfig, origin: &dyn Fn(&str) -> String, problems: &mut Vec<String>) {
    let servers = nats.servers();
    if servers.is_empty() {
        problems.push(format!("{}: nats.url: names no server", origin("nats.url")));
    }
    for server in servers {
        if let Err(e) = server.parse::<async_nats::ServerAddr>() {
            problems.push(format!(
                "{}: nats.url: '{server}' is not a NATS URL: {e}",
                origin("nats.url")
            ));
        }
    }
    if !(1..=5).contains(&nats.replicas) {
        problems.push(format!(
            "{}: nats.replicas: {} is not from 1 to 5",
            origin("nats.replicas"),
            nats.replicas
        ));
    }
}

/// The rules of the other sections that types cannot say.
fn check_rest(config: &Config, origin: &dyn Fn(&str) -> String, problems: &mut Vec<String>) {
    check_nats(&config.nats, origin, problems);
    if let Some(problem) = config.telemetry.endpoint_problem() {
        problems.push(format!(
            "{}: telemetry.otlp_endpoint: {problem}",
            origin("telemetry.otlp_endpoint")
        ));
    }
    if config.smtp.concurrency == 0 {
        problems.push(format!(
            "{}: smtp.concurrency: must be at least 1",
            origin("smtp.concurrency")
        ));
    }
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
    fn passwords_and_keys_never_print() {
        let secrets = [
            "relay-password-1234",
            "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "staff-key-of-ana-with-enough-characters",
            "mailbox-password-5678",
        ];
        let file = format!(
            "[smtp.relays.local]\nusername = \"u\"\npassword = \"{}\"\n\
             [tokens]\ncurrent = 1\nkeys = [{{ id = 1, secret = \"{}\" }}]\n\
             [gateway.staff_keys]\nana = \"{}\"\n\
             [bounces.mailbox]\nhost = \"imap.itu.example\"\nusername = \"b\"\npassword = \"{}\"\n",
            secrets[0], secrets[1], secrets[2], secrets[3]
        );
        let config = Config::from_sources(Some(("c.toml", &file)), Vec::new()).unwrap();
        let printed = format!("{config:?}");
        for secret in secrets {
            assert!(!printed.contains(secret), "{secret} printed in {printed}");
        }
        assert_eq!(
            config.gateway.staff_keys["ana"].expose_secret(),
            secrets[2],
            "read as given"
        );
        assert!(config.tokens.keyring().is_ok());
    }

    #[test]
    fn nats_may_list_a_clusters_servers_and_its_replicas() {
        let c = Config::from_sources(
            None,
            env(&[
                (
                    "CIRCULARS__NATS__URL",
                    "nats://10.0.0.1:4222, nats://10.0.0.2:4222,,nats://10.0.0.3:4222",
                ),
                ("CIRCULARS__NATS__REPLICAS", "3"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.nats.servers(),
            [
                "nats://10.0.0.1:4222",
                "nats://10.0.0.2:4222",
                "nats://10.0.0.3:4222"
            ]
        );
        assert_eq!(c.nats.replicas, 3);
        assert_eq!(
            Config::from_sources(None, Vec::new())
                .unwrap()
                .nats
                .replicas,
            1
        );

        let file = "[nats]\nurl = \"nats://a:4222, http://b:x\"\nreplicas = 7\n";
        let err = Config::from_sources(Some(("c.toml", file)), Vec::new()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("c.toml: nats.url: 'http://b:x' is not a NATS URL"),
            "{text}"
        );
        assert!(
            text.contains("c.toml: nats.replicas: 7 is not from 1 to 5"),
            "{text}"
        );
        let err = Config::from_sources(Some(("c.toml", "[nats]\nurl = \" , \"\n")), Vec::new())
            .unwrap_err();
        assert!(
            err.to_string().contains("nats.url: names no server"),
            "{err}"
        );
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
    fn each_smtp_step_waits_as_rfc_5321_says_and_a_zero_wait_is_refused() {
        let smtp = Config::from_sources(None, env(&[])).unwrap().smtp;
        assert_eq!(
            (
                smtp.timeout_secs,
                smtp.mail_timeout_secs,
                smtp.rcpt_timeout_secs,
                smtp.data_start_timeout_secs,
                smtp.data_block_timeout_secs,
                smtp.final_reply_timeout_secs,
            ),
            (30, 300, 300, 120, 180, 600)
        );
        assert!(
            smtp.final_reply_timeout_secs > smtp.job_ack_wait_secs,
            "a job keeps its lease while it waits"
        );
        let file = "[smtp]\nfinal_reply_timeout_secs = 0\ndata_block_timeout_secs = 0\n";
        let text = Config::from_sources(Some(("c.toml", file)), env(&[]))
            .unwrap_err()
            .to_string();
        for key in ["final_reply_timeout_secs", "data_block_timeout_secs"] {
            let expected = format!("c.toml: smtp.{key}: must be at least 1");
            assert!(text.contains(&expected), "missing {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn sessions_last_twelve_hours_and_a_zero_lifetime_or_limit_is_refused() {
        let config = Config::from_sources(None, env(&[])).unwrap();
        assert_eq!(config.gateway.session_hours.get(), 12);
        assert_eq!(config.gateway.sign_in_per_account_per_minute.get(), 5);
        let file = "[gateway]\nsession_hours = 0\nsign_in_per_client_per_minute = 0\n";
        let text = Config::from_sources(Some(("c.toml", file)), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(text.contains("c.toml: gateway.session_hours: "), "{text}");
        assert!(text.contains("nonzero"), "{text}");
    }

    #[test]
    fn public_pages_are_limited_to_60_and_300_a_minute_and_a_zero_limit_is_refused() {
        let config = Config::from_sources(None, env(&[])).unwrap();
        assert_eq!(config.gateway.preferences_per_client_per_minute.get(), 60);
        assert_eq!(config.gateway.archive_per_client_per_minute.get(), 300);
        let file = "[gateway]\npreferences_per_client_per_minute = 10\n";
        let config = Config::from_sources(Some(("c.toml", file)), env(&[])).unwrap();
        assert_eq!(config.gateway.preferences_per_client_per_minute.get(), 10);
        let file = "[gateway]\npreferences_per_client_per_minute = 0\n";
        let text = Config::from_sources(
            Some(("c.toml", file)),
            env(&[("CIRCULARS__GATEWAY__ARCHIVE_PER_CLIENT_PER_MINUTE", "0")]),
        )
        .unwrap_err()
        .to_string();
        for key in [
            "c.toml: gateway.preferences_per_client_per_minute: ",
            "environment CIRCULARS__GATEWAY__ARCHIVE_PER_CLIENT_PER_MINUTE: gateway.archive_per_client_per_minute: ",
        ] {
            assert!(text.contains(key), "missing {key:?} in:\n{text}");
        }
        assert!(text.contains("nonzero"), "{text}");
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
    fn spans_go_to_an_http_collector_and_a_bad_endpoint_is_named() {
        let config = Config::from_sources(None, env(&[])).unwrap();
        assert_eq!(config.telemetry.otlp_endpoint, None);
        assert!(
            config.telemetry.mail_spans,
            "a span per mail unless turned off"
        );
        let file = "[telemetry]\notlp_endpoint = \"http://127.0.0.1:4318\"\n";
        let config = Config::from_sources(Some(("c.toml", file)), env(&[])).unwrap();
        assert_eq!(
            config.telemetry.otlp_endpoint.as_deref(),
            Some("http://127.0.0.1:4318")
        );
        for bad in [
            "127.0.0.1:4318",
            "https://collector:4318",
            "http://collector",
            "http://:4318",
        ] {
            let text =
                Config::from_sources(None, env(&[("CIRCULARS__TELEMETRY__OTLP_ENDPOINT", bad)]))
                    .unwrap_err()
                    .to_string();
            assert!(
                text.contains(&format!(
                    "environment CIRCULARS__TELEMETRY__OTLP_ENDPOINT: telemetry.otlp_endpoint: '{bad}'"
                )),
                "{text}"
            );
        }
    }

    #[test]
    fn logs_are_text_unless_json_is_asked_for_and_another_format_is_named() {
        let config = Config::from_sources(None, env(&[])).unwrap();
        assert_eq!(config.log.format, LogFormat::Text);
        let config =
            Config::from_sources(None, env(&[("CIRCULARS__LOG__FORMAT", "json")])).unwrap();
        assert_eq!(config.log.format, LogFormat::Json);
        let file = "[log]\nformat = \"json\"\n";
        let config = Config::from_sources(Some(("c.toml", file)), env(&[])).unwrap();
        assert_eq!(config.log.format, LogFormat::Json);
        let text = Config::from_sources(None, env(&[("CIRCULARS__LOG__FORMAT", "xml")]))
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("environment CIRCULARS__LOG__FORMAT: log.format: unknown variant `xml`"),
            "{text}"
        );
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let err =
            Config::from_sources(Some(("c.toml", "[smtp]\nport = = 1\n")), env(&[])).unwrap_err();
        assert!(err.to_string().contains("c.toml:2:"), "{err}");
    }
}
