//! The bounce-intake listener: a small SMTP server (RFC 5321) that the MX of the return domain
//! points at. It accepts mail only for the addresses our mails carry, `bounce+<token>@` (VERP
//! envelope senders, where bounces and feedback reports come back) and `unsubscribe+<token>@`
//! (the mailto of `List-Unsubscribe`), each with a token signed by our keys; every other
//! recipient is answered 550.
//!
//! It cannot be flooded: at most `bounces.max_connections` sessions at once and
//! `bounces.max_connections_per_client` from one client address (more are answered 421 and
//! closed), at most `bounces.messages_per_minute_per_client` messages a minute from one client
//! (more are deferred with 451), messages of at most `bounces.max_message_bytes` (larger ones
//! are read to their end and answered 552; a client going on far beyond is disconnected), a
//! command line of at most [`MAX_LINE`] bytes, [`MAX_RECIPIENTS`] recipients per message, and
//! `bounces.idle_timeout_secs` to wait for anything.
//!
//! Returned mail quotes our circulars, personal data included: with `bounces.tls_cert_file`
//! and `bounces.tls_key_file` set, EHLO offers STARTTLS (RFC 3207), and after the upgrade the
//! session starts over. Without them, STARTTLS is not offered.
//!
//! A message is answered 250 only after it is stored whole and its report published
//! ([`intake::receive`]); when either fails the answer is 451 and the sender tries again.
//!
//! Every refusal (a client turned away, a message deferred for the rate, a recipient refused,
//! a message too big or not stored) is logged with the client's address and counted, without
//! it, in `intake_refusals` for the operations dashboard (see [`crate::refusals`]).
//!
//! The SMTP session itself (commands, DATA, the limits on lines, size and time) is
//! `circulars-smtp-server`'s; this file admits clients and decides, as its [`Handler`], who
//! may send, to whom, and what becomes of a message.

use crate::refusals::Refusals;
use circulars_core::config::Config;
use circulars_core::nats::Bus;
use circulars_core::tokens::{parse_return_address, Purpose};
use circulars_returned_mail::intake;
use circulars_returned_mail::reports::Matcher;
use circulars_smtp_server::{
    tls_acceptor, Envelope, Handler, Rcpt, Refused, Replies, Reply, State, Tls, TlsError, TlsFile,
    Verdict, RCPT_OK,
};
use circulars_store::{short_id, IntakeRefusal, ReportSource};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

/// The longest command line read, CRLF included (RFC 5321 allows 512; some clients send
/// longer parameters).
pub const MAX_LINE: usize = 2048;
/// The most recipients of one message (bounces have one).
pub const MAX_RECIPIENTS: usize = 100;
/// A message over the size limit is read to its end and refused (552), as SMTP expects, unless
/// the client goes on past twice the limit and at least this much: then it is disconnected.
const OVERSIZE_CUTOFF: usize = 64 * 1024 * 1024;

/// The intake's wording of the protocol's replies.
const REPLIES: Replies = Replies {
    shutting_down: "421 4.4.2 the service is stopping",
    idle_timeout: "421 4.4.2 idle timeout",
    line_too_long: "500 5.5.2 line too long",
    not_utf8: None,
    hello_syntax: None,
    unknown_command: "502 5.5.2 command not recognised",
    not_implemented: "502 5.5.2 command not recognised",
    need_hello: "503 5.5.1 say EHLO first",
    nested_mail: "503 5.5.1 sender already given",
    mail_syntax: "501 5.5.4 syntax: MAIL FROM:<address>",
    need_mail: "503 5.5.1 MAIL first",
    rcpt_syntax: "501 5.5.4 syntax: RCPT TO:<address>",
    data_without_mail: "503 5.5.1 RCPT first",
    data_without_recipients: "503 5.5.1 RCPT first",
    too_big: "552 5.3.4 message too big for this system",
};

/// Why the listener could not start.
#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    /// The address could not be bound.
    #[error("bounces.listen: cannot listen on {address}: {source}")]
    Bind {
        /// The configured address.
        address: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// The certificate or key for STARTTLS cannot be used.
    #[error("{key}: {source}")]
    Tls {
        /// The configuration key of the file at fault (`bounces.tls_cert_file` or
        /// `bounces.tls_key_file`).
        key: &'static str,
        /// What is wrong with it.
        source: TlsError,
    },
}

/// The PEM files of the listener's certificate, for STARTTLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, leaf first (`bounces.tls_cert_file`).
    pub cert: PathBuf,
    /// Its private key (`bounces.tls_key_file`).
    pub key: PathBuf,
}

impl TlsFiles {
    /// Loads the certificate and key; the error names the configuration key at fault.
    fn load(&self) -> Result<Tls, ListenerError> {
        let acceptor = tls_acceptor(&self.cert, &self.key).map_err(|source| {
            let key = match source.file() {
                TlsFile::Certificate => "bounces.tls_cert_file",
                TlsFile::Key => "bounces.tls_key_file",
            };
            ListenerError::Tls { key, source }
        })?;
        Ok(Tls::StartTls(acceptor))
    }
}

/// The listener's limits and names, from `[bounces]` and `[mail]`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The name in the greeting (the return domain).
    pub hostname: String,
    /// The largest message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Most sessions at once.
    pub max_connections: usize,
    /// Most sessions at once from one client address.
    pub max_connections_per_client: usize,
    /// Most messages a minute from one client address.
    pub messages_per_minute_per_client: usize,
    /// How long to wait for the client.
    pub idle_timeout: Duration,
    /// The certificate STARTTLS uses; `None`: STARTTLS is not offered.
    pub tls: Option<TlsFiles>,
}

impl Settings {
    /// The settings `config` gives.
    pub fn of(config: &Config) -> Settings {
        let b = &config.bounces;
        Settings {
            hostname: config.mail.return_domain.clone(),
            max_message_bytes: b.max_message_bytes,
            max_connections: b.max_connections,
            max_connections_per_client: b.max_connections_per_client,
            messages_per_minute_per_client: b.messages_per_minute_per_client,
            idle_timeout: Duration::from_secs(b.idle_timeout_secs),
            tls: b
                .tls_cert_file
                .clone()
                .zip(b.tls_key_file.clone())
                .map(|(cert, key)| TlsFiles { cert, key }),
        }
    }
}

impl Settings {
    /// The session core's settings for these, with `tls` loaded from [`Settings::tls`].
    fn session(&self, tls: Option<Tls>) -> circulars_smtp_server::Settings {
        let limit = self.max_message_bytes;
        circulars_smtp_server::Settings {
            hostname: self.hostname.clone(),
            banner: "circulars bounce intake ESMTP".to_owned(),
            greet_client: false,
            log_name: "bounce intake",
            max_command_line: MAX_LINE,
            close_after_long_line: true,
            max_message_bytes: limit,
            max_data_bytes: Some(limit.saturating_mul(2).max(OVERSIZE_CUTOFF)),
            max_recipients: Some(MAX_RECIPIENTS),
            idle_timeout: Some(self.idle_timeout),
            tls,
            replies: REPLIES,
        }
    }
}

/// A bound intake listener, ready to serve.
pub struct Listener {
    socket: TcpListener,
    shared: Arc<Shared>,
}

/// What every session of one listener shares.
struct Shared {
    settings: Settings,
    /// The session core's settings.
    smtp: circulars_smtp_server::Settings,
    matcher: Matcher,
    bus: Bus,
    clients: Mutex<Clients>,
    /// Refusals counted, written to the database in the background.
    refusals: Refusals,
}

/// Sessions open and messages accepted, per client address.
#[derive(Default)]
struct Clients {
    open: usize,
    per_client: HashMap<IpAddr, usize>,
    accepted: HashMap<IpAddr, VecDeque<Instant>>,
}

impl Shared {
    fn clients(&self) -> std::sync::MutexGuard<'_, Clients> {
        self.clients.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Admits a new session from `ip`, or says why not.
    fn admit(&self, ip: IpAddr) -> Result<(), &'static str> {
        let mut clients = self.clients();
        if clients.open >= self.settings.max_connections {
            return Err("too many connections");
        }
        let from_ip = clients.per_client.entry(ip).or_default();
        if *from_ip >= self.settings.max_connections_per_client {
            return Err("too many connections from your address");
        }
        *from_ip += 1;
        clients.open += 1;
        Ok(())
    }

    /// Ends a session admitted by [`Shared::admit`].
    fn leave(&self, ip: IpAddr) {
        let mut clients = self.clients();
        clients.open = clients.open.saturating_sub(1);
        if let Some(n) = clients.per_client.get_mut(&ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                clients.per_client.remove(&ip);
            }
        }
    }

    /// Whether `ip` may send one more message this minute (and counts it when so).
    fn may_send(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut clients = self.clients();
        let sent = clients.accepted.entry(ip).or_default();
        while sent
            .front()
            .is_some_and(|at| now.duration_since(*at) >= Duration::from_secs(60))
        {
            sent.pop_front();
        }
        if sent.len() >= self.settings.messages_per_minute_per_client {
            return false;
        }
        sent.push_back(now);
        // Forget clients idle for a minute, so the map stays as small as the traffic.
        clients.accepted.retain(|_, times| {
            times
                .back()
                .is_some_and(|at| now.duration_since(*at) < Duration::from_secs(60))
        });
        true
    }
}

impl Listener {
    /// Loads the TLS files (when set) and binds `address`; `matcher` verifies recipients'
    /// tokens and holds the database.
    pub async fn bind(
        address: SocketAddr,
        settings: Settings,
        matcher: Matcher,
        bus: Bus,
    ) -> Result<Listener, ListenerError> {
        let tls = settings.tls.as_ref().map(TlsFiles::load).transpose()?;
        let socket = TcpListener::bind(address)
            .await
            .map_err(|source| ListenerError::Bind { address, source })?;
        Ok(Listener {
            socket,
            shared: Arc::new(Shared {
                smtp: settings.session(tls),
                settings,
                matcher,
                bus,
                clients: Mutex::new(Clients::default()),
                refusals: Refusals::default(),
            }),
        })
    }

    /// The address it listens on (the port chosen when 0 was configured).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Serves until `shutdown`, then lets sessions finish the message in hand.
    pub async fn serve(self, shutdown: CancellationToken) {
        let address = self.local_addr().ok();
        let starttls = self.shared.settings.tls.is_some();
        info!(address = ?address, starttls, "bounce intake listening");
        let mut sessions = tokio::task::JoinSet::new();
        let counting = {
            let (shared, shutdown) = (self.shared.clone(), shutdown.clone());
            tokio::spawn(async move {
                let store = &shared.matcher.store;
                shared.refusals.write_until(store, &shutdown).await;
            })
        };
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = self.socket.accept() => accepted,
            };
            while sessions.try_join_next().is_some() {}
            let (stream, peer) = match accepted {
                Ok(a) => a,
                Err(e) => {
                    warn!(error = %e, "bounce intake: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let shared = self.shared.clone();
            let shutdown = shutdown.clone();
            sessions.spawn(async move {
                if let Err(why) = shared.admit(peer.ip()) {
                    info!(client = %peer, why, "bounce intake: connection refused");
                    shared.refusals.count(IntakeRefusal::ClientRefused);
                    let mut stream = stream;
                    let _ = stream
                        .write_all(format!("421 4.7.0 {why}, try again later\r\n").as_bytes())
                        .await;
                    return;
                }
                let mut intake = Intake {
                    shared: &shared,
                    peer,
                };
                let smtp = &shared.smtp;
                let served = circulars_smtp_server::serve(stream, peer, smtp, &mut intake, &shutdown);
                if let Err(e) = served.await {
                    debug!(client = %peer, error = %e, "bounce intake session ended by an I/O error");
                }
                shared.leave(peer.ip());
            });
        }
        while sessions.join_next().await.is_some() {}
        if counting.await.is_err() {
            warn!("bounce intake: the refusal counter ended abnormally");
        }
        self.shared.refusals.flush(&self.shared.matcher.store).await;
        info!("bounce intake stopped");
    }
}

/// The bounce intake's side of one SMTP session: who may send, to whom, and taking the
/// message in.
struct Intake<'s> {
    shared: &'s Shared,
    peer: SocketAddr,
}

impl Handler for Intake<'_> {
    fn mail(&mut self, _state: &State, _from: &str, parameters: &str) -> Result<(), Reply> {
        let declared = parameters.split_whitespace().find_map(|p| {
            let (key, value) = p.split_once('=')?;
            key.eq_ignore_ascii_case("SIZE")
                .then(|| value.parse::<usize>().ok())?
        });
        if declared.is_some_and(|size| size > self.shared.settings.max_message_bytes) {
            info!(client = %self.peer, size = declared, "bounce intake: declared size over the limit");
            self.shared.refusals.count(IntakeRefusal::TooBig);
            return Err(REPLIES.too_big.into());
        }
        if !self.shared.may_send(self.peer.ip()) {
            info!(client = %self.peer, "bounce intake: message rate limit reached");
            self.shared.refusals.count(IntakeRefusal::RateLimited);
            return Err("451 4.7.1 too many messages from your address, try again later".into());
        }
        Ok(())
    }

    fn rcpt(&mut self, _state: &State, address: &str) -> Rcpt {
        match self.recipient_check(address) {
            Ok(()) => Rcpt::Accept(RCPT_OK.into()),
            Err(why) => {
                info!(client = %self.peer, recipient = %shown(address), why, "bounce intake: recipient refused");
                self.shared.refusals.count(IntakeRefusal::RecipientRefused);
                Rcpt::Refuse("550 5.1.1 no such recipient here".into())
            }
        }
    }

    async fn message(&mut self, _state: &State, envelope: Envelope, message: Vec<u8>) -> Verdict {
        let shared = self.shared;
        let (store, bus) = (&shared.matcher.store, &shared.bus);
        let recipients = envelope.recipients;
        let reply = match intake::receive(store, bus, message, ReportSource::Smtp, recipients).await
        {
            Ok(received) => {
                let id = short_id(&received.event.report).to_owned();
                format!("250 2.0.0 Ok: stored as {id}")
            }
            Err(e) => {
                warn!(client = %self.peer, error = %e, "bounce intake: message not stored; sender will retry");
                shared.refusals.count(IntakeRefusal::NotStored);
                "451 4.3.0 cannot store the message now, try again later".to_owned()
            }
        };
        Verdict::Reply(reply.into())
    }

    fn refused(&mut self, _state: &State, what: Refused) {
        self.shared.refusals.count(match what {
            Refused::TooBig => IntakeRefusal::TooBig,
            Refused::TooManyRecipients => IntakeRefusal::TooManyRecipients,
        });
    }
}

impl Intake<'_> {
    /// Whether `address` is one of our return addresses with a token signed by our keys and
    /// made for what its prefix says.
    fn recipient_check(&self, address: &str) -> Result<(), &'static str> {
        let matcher = &self.shared.matcher;
        let (purpose, token) = parse_return_address(address, &matcher.return_domain)
            .ok_or("not a return address of ours")?;
        let verified = matcher
            .keyring
            .verify(&token)
            .map_err(|_| "token not signed by our keys")?;
        if verified.purpose != purpose {
            return Err(match purpose {
                Purpose::Bounce => "bounce address with an unsubscribe token",
                Purpose::Unsubscribe => "unsubscribe address with a bounce token",
                Purpose::Preferences | Purpose::PreferencesForm => {
                    "preferences token, which no address carries"
                }
            });
        }
        Ok(())
    }
}

/// A recipient as the log shows it: the return-address prefix and domain, not the token.
fn shown(address: &str) -> String {
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
    let prefix: String = local.chars().take(12).collect();
    let prefix = prefix.escape_default();
    if local.chars().count() > 12 {
        format!("{prefix}…@{}", domain.escape_default())
    } else {
        format!("{prefix}@{}", domain.escape_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tls_file_that_cannot_be_used_is_named_by_its_key() {
        let files = circulars_capture_smtp::test_tls_files();
        let good = TlsFiles {
            cert: files.cert.clone(),
            key: files.key.clone(),
        };
        assert!(matches!(good.load(), Ok(Tls::StartTls(_))));
        let dir = tempfile::tempdir().expect("a folder");
        let garbage = dir.path().join("garbage.pem");
        std::fs::write(&garbage, "not PEM at all\n").expect("written");
        for (files, key) in [
            (
                TlsFiles {
                    cert: garbage.clone(),
                    key: files.key.clone(),
                },
                "bounces.tls_cert_file",
            ),
            (
                TlsFiles {
                    cert: files.cert.clone(),
                    key: files.cert.clone(),
                },
                "bounces.tls_key_file",
            ),
        ] {
            let Err(error) = files.load() else {
                panic!("{files:?} loads");
            };
            let text = error.to_string();
            assert!(text.starts_with(&format!("{key}: ")), "{text}");
            assert!(std::error::Error::source(&error).is_some(), "{error:?}");
        }
    }

    #[test]
    fn logged_recipients_show_no_token() {
        assert_eq!(
            shown("bounce+abcdefghijklmnopqrstuvwxyz234567abcdefg@itu.example"),
            "bounce+abcde…@itu.example"
        );
        assert_eq!(shown("x@y"), "x@y");
        assert_eq!(shown("\u{7}@y"), "\\u{7}@y");
    }
}
