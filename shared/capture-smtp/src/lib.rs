//! A small, real SMTP server (an RFC 5321 subset) that captures mail for local runs and tests,
//! and can misbehave on purpose so that clients' fault handling can be tested.
//!
//! Crate map:
//! - [`CaptureServer`] (this file): binds a TCP address, serves each connection in its own
//!   tokio task and stores every accepted message as one `.eml` file per accepted recipient in
//!   an output folder. [`CaptureServer::start`] serves plain SMTP; [`CaptureServer::start_with`]
//!   takes [`Options`] for TLS and AUTH. [`CaptureServer::stop_listening`] and
//!   [`CaptureServer::start_listening`] take the server down (closing every connection) and
//!   up again on the same address; [`CaptureServer::stats`] counts what happened ([`Stats`]).
//! - `rules.rs`: [`RecipientRules`], per-recipient behaviour: a reply at `RCPT TO` time,
//!   always ([`RecipientRules::reply`]) or for the first N times
//!   ([`RecipientRules::reply_times`], e.g. greylisting), and injected faults: the connection
//!   reset in the middle of DATA ([`RecipientRules::drop_during_data`]) or after the message
//!   was stored but before the final reply ([`RecipientRules::drop_after_store`]), and a
//!   final reply held back after storing ([`RecipientRules::delay_final_reply`]); and a
//!   refusal at the final dot ([`RecipientRules::refuse_message`]).
//!   Replaceable while the server runs with [`CaptureServer::set_rules`]. Also
//!   [`parse_reply_rule`], which parses a command-line rule `ADDRESS=CODE TEXT`.
//! - `session.rs`: what this server decides in an SMTP session (the session itself, STARTTLS
//!   included, is `circulars-smtp-server`'s): the recipient rules, the injected faults, AUTH,
//!   the replies' wording, and writing the `.eml` files.
//! - `tls.rs`: [`TlsMode`] (STARTTLS or implicit TLS, RFC 8314) with PEM certificate and key
//!   files, and [`test_tls_files`], the committed test CA and certificate for `localhost` and
//!   `127.0.0.1` (`fixtures/tls/`), for this and other crates' tests.
//! - `auth.rs`: [`Credentials`] and the AUTH PLAIN / LOGIN messages (RFC 4954).
//! - [`CaptureError`]: start-up and rule-parsing errors.
//!
//! Stored files are named `<nnnnnn>-<queue id>.eml` (a zero-padded sequence, so name order is
//! arrival order) and contain the header lines `Return-Path: <sender>`, `Delivered-To:
//! recipient` and `X-Capture-Session: tls=none|starttls|implicit; auth=USER` (`auth=-` without
//! AUTH), followed by the message exactly as received (dot-stuffing undone). They are written
//! under a `.tmp-` name and renamed, so a reader never sees a partial `.eml` file.
//!
//! The supported commands are EHLO, HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY and QUIT, with
//! PIPELINING, plus STARTTLS and AUTH PLAIN/LOGIN when configured. PIPELINING can be withdrawn
//! while the server runs ([`CaptureServer::set_pipelining`]), and [`Stats::pipelined_commands`]
//! counts the commands a client sent before the reply to the one before: pipelining seen.
//!
//! TLS and AUTH ([`Options`]): with [`TlsMode::StartTls`], EHLO offers `STARTTLS`; after the
//! upgrade the session starts over (the client must EHLO again; an earlier AUTH or transaction
//! is forgotten) and `STARTTLS` is no longer offered. With [`TlsMode::Implicit`] the server
//! speaks TLS from the first byte. With [`Options::auth`] set, `MAIL FROM` is refused with
//! `530 5.7.0 Authentication required` until the client authenticates (`235 2.7.0` on success,
//! `535 5.7.8` on bad credentials). `AUTH PLAIN LOGIN` is offered only on TLS-protected
//! sessions (after STARTTLS, or at once with implicit TLS; before STARTTLS `AUTH` gets
//! `530 5.7.0 Must issue a STARTTLS command first`), unless
//! [`Options::allow_auth_without_tls`] is set, which offers it on plain sessions too.
//! Credentials without TLS and without that flag are refused at start-up, since no client
//! could ever send mail.

mod auth;
mod rules;
mod session;
mod tls;

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use circulars_smtp_server::TlsError;
use tokio::net::{TcpListener, TcpSocket};
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

pub use auth::Credentials;
pub use rules::{parse_reply_rule, RecipientRules};
pub use tls::{test_tls_files, TestTls, TlsMode};

/// Largest accepted message (after dot-unstuffing), in octets: 50 MiB, as advertised by `SIZE`.
pub const MAX_MESSAGE_SIZE: usize = 50 * 1024 * 1024;

/// Errors from starting the server or parsing a reply rule.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address that was asked for.
        addr: SocketAddr,
        /// The underlying error.
        source: io::Error,
    },
    /// The output folder could not be created or read.
    #[error("cannot use output folder {}: {source}", path.display())]
    OutDir {
        /// The folder.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Another I/O error.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// A command-line reply rule (`ADDRESS=CODE TEXT`) is malformed.
    #[error("invalid reply rule {rule:?}: {reason}")]
    Rule {
        /// The rule as given.
        rule: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A TLS certificate or key file cannot be read or used (the error names the file).
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The [`Options`] contradict each other.
    #[error("invalid options: {0}")]
    Options(String),
}

/// Optional server features for [`CaptureServer::start_with`]; the default is plain SMTP
/// without AUTH, as [`CaptureServer::start`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// STARTTLS or implicit TLS; `None` for plain SMTP only.
    pub tls: Option<TlsMode>,
    /// When set, clients must authenticate (AUTH PLAIN or LOGIN) with these before MAIL FROM.
    pub auth: Option<Credentials>,
    /// Also offers AUTH on sessions without TLS (by default only on TLS-protected ones).
    pub allow_auth_without_tls: bool,
}

/// Counts of what the server did since it started, for test assertions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Connections accepted.
    pub connections: usize,
    /// TLS handshakes completed (STARTTLS or implicit).
    pub tls_sessions: usize,
    /// Successful AUTH exchanges.
    pub auth_successes: usize,
    /// AUTH exchanges with wrong credentials (`535`).
    pub auth_failures: usize,
    /// `RCPT TO` or a final dot answered by a [`RecipientRules`] reply.
    pub rule_replies: usize,
    /// `.eml` files written (one per accepted recipient of each stored message).
    pub stored: usize,
    /// Connections reset during DATA by [`RecipientRules::drop_during_data`].
    pub dropped_during_data: usize,
    /// Connections reset after storing by [`RecipientRules::drop_after_store`].
    pub dropped_after_store: usize,
    /// Final replies held back by [`RecipientRules::delay_final_reply`].
    pub delayed_final_replies: usize,
    /// Command lines read while the client had already sent more (it pipelined).
    pub pipelined_commands: usize,
    /// The most connections open at the same time.
    pub most_open_connections: usize,
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
struct Counters {
    connections: AtomicUsize,
    tls_sessions: AtomicUsize,
    auth_successes: AtomicUsize,
    auth_failures: AtomicUsize,
    rule_replies: AtomicUsize,
    stored: AtomicUsize,
    dropped_during_data: AtomicUsize,
    dropped_after_store: AtomicUsize,
    delayed_final_replies: AtomicUsize,
    pipelined_commands: AtomicUsize,
    open_connections: AtomicUsize,
    most_open_connections: AtomicUsize,
}

impl Counters {
    fn snapshot(&self) -> Stats {
        let get = |c: &AtomicUsize| c.load(Ordering::SeqCst);
        Stats {
            connections: get(&self.connections),
            tls_sessions: get(&self.tls_sessions),
            auth_successes: get(&self.auth_successes),
            auth_failures: get(&self.auth_failures),
            rule_replies: get(&self.rule_replies),
            stored: get(&self.stored),
            dropped_during_data: get(&self.dropped_during_data),
            dropped_after_store: get(&self.dropped_after_store),
            delayed_final_replies: get(&self.delayed_final_replies),
            pipelined_commands: get(&self.pipelined_commands),
            most_open_connections: get(&self.most_open_connections),
        }
    }
}

/// Adds one to a counter.
fn bump(counter: &AtomicUsize) {
    counter.fetch_add(1, Ordering::SeqCst);
}

/// State shared by the accept loop and all sessions.
#[derive(Debug)]
struct Shared {
    out_dir: PathBuf,
    rules: Mutex<RecipientRules>,
    next_seq: AtomicU64,
    started: u64,
    /// The session core's settings, TLS included.
    smtp: circulars_smtp_server::Settings,
    auth: Option<Credentials>,
    allow_auth_without_tls: bool,
    /// Whether EHLO offers PIPELINING.
    pipelining: AtomicBool,
    stats: Counters,
}

/// Makes queue ids unique among all servers of this process.
static QUEUE_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Shared {
    /// The installed rules (with their remaining counts); hold the guard briefly.
    fn rules(&self) -> MutexGuard<'_, RecipientRules> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn next_queue_id(&self) -> String {
        let n = QUEUE_COUNTER.fetch_add(1, Ordering::Relaxed);
        format!("{:X}{n:05X}", self.started)
    }
}

/// The accept loop of one listening period.
#[derive(Debug)]
struct Listening {
    stop: CancellationToken,
    task: JoinHandle<()>,
}

/// A running capture SMTP server. Dropping it without [`CaptureServer::shutdown`] also stops it,
/// but without waiting for the sessions to close.
#[derive(Debug)]
pub struct CaptureServer {
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    listening: tokio::sync::Mutex<Option<Listening>>,
}

impl CaptureServer {
    /// Binds `listen` (e.g. 127.0.0.1:0) and starts serving plain SMTP in a tokio task.
    ///
    /// Creates `out_dir` (and its parents). If it already holds `<nnnnnn>-….eml` files, the
    /// sequence continues after the highest one.
    pub async fn start(
        listen: SocketAddr,
        out_dir: impl Into<PathBuf>,
        rules: RecipientRules,
    ) -> Result<CaptureServer, CaptureError> {
        Self::start_with(listen, out_dir, rules, Options::default()).await
    }

    /// Like [`CaptureServer::start`], with TLS and AUTH as set in `options`.
    ///
    /// Fails if the TLS files cannot be loaded, or if credentials are set without TLS and
    /// without [`Options::allow_auth_without_tls`].
    pub async fn start_with(
        listen: SocketAddr,
        out_dir: impl Into<PathBuf>,
        rules: RecipientRules,
        options: Options,
    ) -> Result<CaptureServer, CaptureError> {
        if options.auth.is_some() && options.tls.is_none() && !options.allow_auth_without_tls {
            return Err(CaptureError::Options(
                "AUTH credentials without TLS need allow_auth_without_tls".to_string(),
            ));
        }
        let tls = options.tls.as_ref().map(tls::load).transpose()?;
        let out_dir = out_dir.into();
        let out_err = |source| CaptureError::OutDir {
            path: out_dir.clone(),
            source,
        };
        tokio::fs::create_dir_all(&out_dir).await.map_err(out_err)?;
        let next_seq = first_free_sequence(&out_dir).await.map_err(out_err)?;
        let listener = bind(listen)?;
        let local_addr = listener.local_addr()?;
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let shared = Arc::new(Shared {
            out_dir,
            rules: Mutex::new(rules),
            next_seq: AtomicU64::new(next_seq),
            started,
            smtp: session::settings(tls),
            auth: options.auth,
            allow_auth_without_tls: options.allow_auth_without_tls,
            pipelining: AtomicBool::new(true),
            stats: Counters::default(),
        });
        let cancel = CancellationToken::new();
        let listening = Listening::spawn(listener, shared.clone(), cancel.clone());
        let tls = options.tls.as_ref().map_or("none", |mode| match mode {
            TlsMode::StartTls { .. } => "starttls",
            TlsMode::Implicit { .. } => "implicit",
        });
        let auth = shared.auth.is_some();
        info!(%local_addr, out_dir = %shared.out_dir.display(), tls, auth, "capture SMTP server listening");
        Ok(CaptureServer {
            local_addr,
            shared,
            cancel,
            listening: tokio::sync::Mutex::new(Some(listening)),
        })
    }

    /// The address actually bound (useful with port 0); it stays the same across
    /// [`CaptureServer::stop_listening`] and [`CaptureServer::start_listening`].
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The folder the `.eml` files are written to, as given to [`CaptureServer::start`].
    pub fn out_dir(&self) -> &Path {
        &self.shared.out_dir
    }

    /// Replaces the per-recipient rules while running (tests change them between steps).
    ///
    /// Applies to every `RCPT TO` and DATA received afterwards, including in open sessions.
    /// The counts of the new rules start afresh; what was left of the old ones is discarded.
    pub fn set_rules(&self, rules: RecipientRules) {
        *self.shared.rules() = rules;
    }

    /// Offers PIPELINING (RFC 2920) in the EHLO replies sent afterwards, or not (it is
    /// offered from the start).
    pub fn set_pipelining(&self, offered: bool) {
        self.shared.pipelining.store(offered, Ordering::SeqCst);
    }

    /// Number of messages stored so far: one per `.eml` file, i.e. per accepted recipient.
    pub fn stored(&self) -> usize {
        self.shared.stats.stored.load(Ordering::SeqCst)
    }

    /// What the server did so far (connections, TLS, AUTH, rule replies, faults, files).
    pub fn stats(&self) -> Stats {
        self.shared.stats.snapshot()
    }

    /// Connections reset during DATA by [`RecipientRules::drop_during_data`] so far.
    pub fn dropped_during_data(&self) -> usize {
        self.stats().dropped_during_data
    }

    /// Connections reset after storing by [`RecipientRules::drop_after_store`] so far.
    pub fn dropped_after_store(&self) -> usize {
        self.stats().dropped_after_store
    }

    /// Goes down like a crashed relay: closes the listening socket and every open connection.
    ///
    /// Returns when they are closed; new connections are then refused. Sessions get no reply
    /// and an unfinished message is discarded (one already being written is still stored).
    /// Does nothing if not listening.
    pub async fn stop_listening(&self) {
        let mut listening = self.listening.lock().await;
        if let Some(Listening { stop, task }) = listening.take() {
            stop.cancel();
            if let Err(e) = task.await {
                warn!(error = %e, "capture SMTP accept task failed");
            }
            info!(local_addr = %self.local_addr, "capture SMTP server stopped listening");
        }
    }

    /// Listens again on the same address after [`CaptureServer::stop_listening`].
    ///
    /// Keeps the rules (with their remaining counts), the statistics, the sequence numbers and
    /// the output folder. The socket uses `SO_REUSEADDR` (on Unix), so the port can be bound
    /// again at once; fails with [`CaptureError::Bind`] if it is taken meanwhile. Does nothing
    /// if already listening.
    pub async fn start_listening(&self) -> Result<(), CaptureError> {
        let mut listening = self.listening.lock().await;
        if listening.is_none() {
            let listener = bind(self.local_addr)?;
            *listening = Some(Listening::spawn(
                listener,
                self.shared.clone(),
                self.cancel.clone(),
            ));
            info!(local_addr = %self.local_addr, "capture SMTP server listening again");
        }
        Ok(())
    }

    /// Stops accepting, lets open sessions finish their current command, returns when all are closed.
    ///
    /// Sessions waiting for the client (for a command or for message data) get
    /// `421 4.3.2 Service shutting down` and are closed; an unfinished message is discarded.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        if let Some(Listening { task, .. }) = self.listening.lock().await.take() {
            if let Err(e) = task.await {
                warn!(error = %e, "capture SMTP accept task failed");
            }
        }
        info!(local_addr = %self.local_addr, "capture SMTP server stopped");
    }
}

impl Drop for CaptureServer {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Binds a listening socket with `SO_REUSEADDR` (on Unix, as tokio's own `bind` does).
fn bind(addr: SocketAddr) -> Result<TcpListener, CaptureError> {
    let err = |source| CaptureError::Bind { addr, source };
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4(),
        SocketAddr::V6(_) => TcpSocket::new_v6(),
    }
    .map_err(err)?;
    #[cfg(unix)]
    socket.set_reuseaddr(true).map_err(err)?;
    socket.bind(addr).map_err(err)?;
    socket.listen(1024).map_err(err)
}

/// The sequence number after the highest `<nnnnnn>-….eml` file in `dir` (1 if there is none).
async fn first_free_sequence(dir: &Path) -> io::Result<u64> {
    let mut entries = tokio::fs::read_dir(dir).await?;
    let mut max = 0;
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name();
        let Some(name) = name.to_str().and_then(|n| n.strip_suffix(".eml")) else {
            continue;
        };
        if let Some(Ok(n)) = name.split_once('-').map(|(seq, _)| seq.parse::<u64>()) {
            max = max.max(n);
        }
    }
    Ok(max + 1)
}

impl Listening {
    fn spawn(listener: TcpListener, shared: Arc<Shared>, cancel: CancellationToken) -> Self {
        let stop = CancellationToken::new();
        let task = tokio::spawn(accept_loop(listener, shared, cancel, stop.clone()));
        Listening { stop, task }
    }
}

/// Accepts connections until `cancel` (shutdown: sessions end politely) or `stop`
/// (stop listening: sessions are dropped at once, closing their connections).
async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    stop: CancellationToken,
) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            _ = stop.cancelled() => {
                sessions.abort_all();
                break;
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    debug!(%peer, "connection accepted");
                    sessions.spawn(session::serve(stream, peer, shared.clone(), cancel.clone()));
                }
                Err(e) => warn!(error = %e, "accept failed"),
            },
            Some(done) = sessions.join_next(), if !sessions.is_empty() => log_join(done),
        }
    }
    drop(listener);
    while let Some(done) = sessions.join_next().await {
        log_join(done);
    }
}

fn log_join(done: Result<(), tokio::task::JoinError>) {
    match done {
        Err(e) if !e.is_cancelled() => warn!(error = %e, "SMTP session task failed"),
        _ => {}
    }
}
