//! The smaller sections: `[nats]`, `[database]`, `[mail]`, `[tokens]`, `[dkim]`, `[gateway]`,
//! `[directory]`, `[tracker]`, `[log]`, and `[composer]`, `[dispatcher]`, `[intake]` (where a
//! service run alone serves its probes).

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;

/// `[nats]`
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NatsConfig {
    /// Server URL, e.g. `nats://127.0.0.1:4222`, or several separated by commas (the nodes of a
    /// cluster: the client connects to one and moves to another when it goes away).
    pub url: String,
    /// How many copies JetStream keeps of each stream and bucket: 1 on one server, 3 on a
    /// three-node cluster (at most 5).
    pub replicas: usize,
}

impl NatsConfig {
    /// The URL of one server (`[nats] url = "nats://127.0.0.1:4222"`), with one copy of each
    /// stream: what tests and local runs use.
    pub fn single(url: &str) -> NatsConfig {
        NatsConfig {
            url: url.to_owned(),
            replicas: 1,
        }
    }

    /// The servers `url` lists, trimmed, empty entries dropped.
    pub fn servers(&self) -> Vec<&str> {
        self.url
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// `[database]`
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DATABASE`; when unset,
    /// `sqlite://<data_dir>/circulars.db`.
    pub url: Option<String>,
}

/// `[mail]`
#[cfg_attr(test, derive(serde::Serialize))]
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
#[cfg_attr(test, derive(serde::Serialize))]
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
            let key = SigningKey::from_hex(k.id, k.secret.expose_secret())?;
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
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenKeyConfig {
    /// Its id, carried in every token it signs.
    pub id: u8,
    /// The secret, hex-encoded, at least 32 bytes.
    #[cfg_attr(test, serde(serialize_with = "super::example::redacted"))]
    pub secret: SecretString,
}

/// `[dkim]`: off by default, since many relays sign themselves.
#[cfg_attr(test, derive(serde::Serialize))]
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
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewayConfig {
    /// Where the HTTP API listens.
    pub listen: SocketAddr,
    /// Who may call the staff API, by name: `[gateway.staff_keys] ana = "<32 or more
    /// characters>"`, sent as `Authorization: Bearer <key>`. None: the staff API is off.
    #[cfg_attr(test, serde(serialize_with = "super::example::redacted_map"))]
    pub staff_keys: BTreeMap<String, SecretString>,
    /// The largest staff API request body, in bytes (a directory import of some 50 000
    /// contacts fits in the default 16 MiB).
    pub max_request_bytes: usize,
    /// How long a console session lasts after signing in, in hours (12: a working day).
    pub session_hours: NonZeroU32,
    /// Sign-in attempts allowed per account name, whatever their outcome: this many at once,
    /// then one more every 60/n seconds (5: a mistyped password or two, not a guessing run).
    pub sign_in_per_account_per_minute: NonZeroU32,
    /// Sign-in attempts allowed per client address, counted the same way (30: an office
    /// behind one address signing in together in the morning).
    pub sign_in_per_client_per_minute: NonZeroU32,
    /// Requests a minute one client address may make to the recipients' preferences pages (a
    /// burst of as many, refilled evenly; 60: a person reading and changing their preferences
    /// makes a handful). Over it: 429.
    pub preferences_per_client_per_minute: NonZeroU32,
    /// Requests a minute one client address may make to the public archive and its feeds
    /// (300: a reader opens a list, a few circulars and their annexes). Over it: 429.
    pub archive_per_client_per_minute: NonZeroU32,
}

/// `[directory]`
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DirectoryConfig {
    /// Where `circulars serve directory` serves `/healthz`, `/readyz` and `/metrics`; none
    /// when unset.
    pub listen: Option<SocketAddr>,
    /// After this many hard bounces (deliveries bounced, or refused with a 5xx reply) an
    /// address is suppressed (`bounced`); 0 never suppresses.
    pub suppress_after_hard_bounces: u32,
}

impl DirectoryConfig {
    /// The hard-bounce rule this section sets.
    pub fn hard_bounce_rule(&self) -> crate::domain::HardBounceRule {
        crate::domain::HardBounceRule::new(self.suppress_after_hard_bounces)
    }
}

impl Default for DirectoryConfig {
    fn default() -> Self {
        DirectoryConfig {
            listen: None,
            suppress_after_hard_bounces: 3,
        }
    }
}

/// `[approval]`
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApprovalConfig {
    /// Whether a circular must be approved by a second person (an account with the approver
    /// role that neither drafted nor last edited it) before it can be issued, from the console,
    /// the API and the CLI alike; the CLI then needs `--as NAME` on every step of a circular.
    pub required: bool,
}

impl Default for ApprovalConfig {
    fn default() -> Self {
        ApprovalConfig { required: true }
    }
}

/// `[tracker]`
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackerConfig {
    /// Where `circulars serve tracker` serves `/healthz`, `/readyz` and `/metrics`; none
    /// when unset.
    pub listen: Option<SocketAddr>,
    /// Most events written in one transaction.
    pub batch_size: usize,
    /// Milliseconds to wait for a batch to fill before writing what has arrived.
    pub batch_wait_ms: u64,
}

impl Default for NatsConfig {
    fn default() -> Self {
        NatsConfig {
            url: "nats://127.0.0.1:4222".into(),
            replicas: 1,
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
            session_hours: NonZeroU32::new(12).expect("12 is not zero"),
            sign_in_per_account_per_minute: NonZeroU32::new(5).expect("5 is not zero"),
            sign_in_per_client_per_minute: NonZeroU32::new(30).expect("30 is not zero"),
            preferences_per_client_per_minute: NonZeroU32::new(60).expect("60 is not zero"),
            archive_per_client_per_minute: NonZeroU32::new(300).expect("300 is not zero"),
        }
    }
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            listen: None,
            batch_size: 500,
            batch_wait_ms: 50,
        }
    }
}

/// `[log]`: how `circulars serve` writes its log (standard error); `RUST_LOG` still filters it.
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` (the default: one line per event, coloured only on a terminal) or `json` (one
    /// JSON object per line, for a log collector).
    pub format: LogFormat,
}

/// `[telemetry]`: where `circulars serve` sends its spans; none are exported when unset.
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetryConfig {
    /// The base URL of an OpenTelemetry collector's OTLP/HTTP receiver, such as
    /// `http://127.0.0.1:4318` (spans are posted to `/v1/traces` under it, as protobuf).
    /// Plain `http://` only: a collector (or agent) beside the service carries them further.
    pub otlp_endpoint: Option<String>,
    /// Whether each mail attempt of a batch job has a span of its own (the default); off, a
    /// circular of millions sends the collector one span per job of recipients, not per mail.
    pub mail_spans: bool,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        TelemetryConfig {
            otlp_endpoint: None,
            mail_spans: true,
        }
    }
}

impl TelemetryConfig {
    /// What is wrong with `otlp_endpoint`, when something is.
    pub fn endpoint_problem(&self) -> Option<String> {
        let endpoint = self.otlp_endpoint.as_deref()?;
        let Some(rest) = endpoint.strip_prefix("http://") else {
            return Some(format!(
                "'{endpoint}' is not an http:// URL of an OTLP/HTTP collector (such as http://127.0.0.1:4318)"
            ));
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let host_and_port = authority.rsplit_once(':');
        let port_ok = host_and_port.is_some_and(|(host, port)| {
            !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0)
        });
        let clean = !endpoint.contains(['?', '#', ' ', '@']);
        if port_ok && clean {
            None
        } else {
            Some(format!(
                "'{endpoint}' is not http://HOST:PORT of an OTLP/HTTP collector (such as http://127.0.0.1:4318)"
            ))
        }
    }
}

/// The shape of each log line.
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line with `timestamp`, `level`, `target`, `message` and the
    /// event's fields.
    Json,
}

/// `[composer]`, `[dispatcher]`, `[intake]`: what a service without other settings of its own
/// takes when it runs alone.
#[cfg_attr(test, derive(serde::Serialize))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Where `circulars serve <service>` serves `/healthz`, `/readyz` and `/metrics`; none
    /// when unset.
    /// (In `serve all` the gateway's listener serves them.)
    pub listen: Option<SocketAddr>,
}
