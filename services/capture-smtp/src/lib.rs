//! A small, real SMTP server (an RFC 5321 subset) that captures mail for local runs and tests.
//!
//! Crate map:
//! - [`CaptureServer`]: binds a TCP address, serves each connection in its own tokio task and
//!   stores every accepted message as one `.eml` file per accepted recipient in an output folder.
//! - [`RecipientRules`]: the per-recipient replies sent at `RCPT TO` time (e.g. `550 5.1.1 ...`),
//!   replaceable while the server runs with [`CaptureServer::set_rules`].
//! - [`parse_reply_rule`]: parses a command-line rule `ADDRESS=CODE TEXT`.
//! - [`CaptureError`]: start-up and rule-parsing errors.
//!
//! Stored files are named `<nnnnnn>-<queue id>.eml` (a zero-padded sequence, so name order is
//! arrival order) and contain `Return-Path: <sender>` and `Delivered-To: recipient` header lines
//! followed by the message exactly as received (dot-stuffing undone). They are written under a
//! `.tmp-` name and renamed, so a reader never sees a partial `.eml` file.
//!
//! The supported commands are EHLO, HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY and QUIT, with
//! PIPELINING; there is no STARTTLS and no AUTH.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

/// Largest accepted message (after dot-unstuffing), in octets: 50 MiB, as advertised by `SIZE`.
pub const MAX_MESSAGE_SIZE: usize = 50 * 1024 * 1024;
/// Longest accepted command line, in octets, including the line ending.
const MAX_COMMAND_LINE: usize = 1000;
/// Name used in the greeting and the EHLO/HELO replies.
const SERVER_NAME: &str = "circulars-capture";

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
}

/// A reply chosen for one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Reply {
    code: u16,
    text: String,
}

/// Per-recipient replies sent at `RCPT TO` time; recipients without a rule get `250 2.1.5 Ok`.
///
/// Addresses are compared exactly on the local part and case-insensitively on the domain.
/// A rule with a 2xx code accepts the recipient (with that reply); any other code rejects it.
#[derive(Clone, Debug, Default)]
pub struct RecipientRules {
    replies: HashMap<String, Reply>,
}

impl RecipientRules {
    /// No rules: every recipient is accepted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers RCPT TO for `address` with `code` and `text` (e.g. 550, "5.1.1 User unknown").
    ///
    /// The reply line sent is `"{code} {text}"`; line breaks in `text` become spaces. `code`
    /// is used as given (use [`parse_reply_rule`] to validate user input).
    pub fn reply(mut self, address: &str, code: u16, text: &str) -> Self {
        let text = text.replace(['\r', '\n'], " ");
        self.replies
            .insert(normalize_address(address), Reply { code, text });
        self
    }

    /// The rule for `address`, if any, as `(code, text)`.
    pub fn get(&self, address: &str) -> Option<(u16, &str)> {
        self.replies
            .get(&normalize_address(address))
            .map(|r| (r.code, r.text.as_str()))
    }
}

/// Strips spaces and angle brackets and lower-cases the domain (the part after the last `@`).
fn normalize_address(address: &str) -> String {
    let a = address.trim();
    let a = a
        .strip_prefix('<')
        .and_then(|a| a.strip_suffix('>'))
        .unwrap_or(a);
    match a.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => a.to_string(),
    }
}

/// Parses a command-line rule `ADDRESS=CODE TEXT`, e.g. `bad@example.org=550 5.1.1 User unknown`.
///
/// The address ends at the first `=` after its `@` (so the text may contain `=`). The code must
/// be three digits in 200..=599; the text may be empty. Returns `(address, code, text)`.
pub fn parse_reply_rule(s: &str) -> Result<(String, u16, String), CaptureError> {
    let err = |reason: &str| CaptureError::Rule {
        rule: s.to_string(),
        reason: reason.to_string(),
    };
    let from = s.find('@').unwrap_or(0);
    let eq = s[from..]
        .find('=')
        .map(|i| from + i)
        .ok_or_else(|| err("expected ADDRESS=CODE TEXT, found no '='"))?;
    let address = s[..eq].trim();
    if address.is_empty() {
        return Err(err("the address is empty"));
    }
    let rest = s[eq + 1..].trim_start();
    let (code, text) = rest.split_once(' ').unwrap_or((rest, ""));
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("the reply code must be three digits"));
    }
    let code: u16 = code
        .parse()
        .map_err(|_| err("the reply code must be three digits"))?;
    if !(200..=599).contains(&code) {
        return Err(err("the reply code must be between 200 and 599"));
    }
    Ok((address.to_string(), code, text.trim().to_string()))
}

/// State shared by the accept loop and all sessions.
#[derive(Debug)]
struct Shared {
    out_dir: PathBuf,
    rules: RwLock<RecipientRules>,
    stored: AtomicUsize,
    next_seq: AtomicU64,
    started: u64,
}

/// Makes queue ids unique among all servers of this process.
static QUEUE_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Shared {
    fn rule_for(&self, address: &str) -> Option<Reply> {
        let rules = self.rules.read().unwrap_or_else(PoisonError::into_inner);
        rules.replies.get(&normalize_address(address)).cloned()
    }

    fn next_queue_id(&self) -> String {
        let n = QUEUE_COUNTER.fetch_add(1, Ordering::Relaxed);
        format!("{:X}{n:05X}", self.started)
    }
}

/// A running capture SMTP server. Dropping it without [`CaptureServer::shutdown`] also stops it,
/// but without waiting for the sessions to close.
#[derive(Debug)]
pub struct CaptureServer {
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    accept_task: Option<JoinHandle<()>>,
}

impl CaptureServer {
    /// Binds `listen` (e.g. 127.0.0.1:0) and starts serving in a tokio task.
    ///
    /// Creates `out_dir` (and its parents). If it already holds `<nnnnnn>-….eml` files, the
    /// sequence continues after the highest one.
    pub async fn start(
        listen: SocketAddr,
        out_dir: impl Into<PathBuf>,
        rules: RecipientRules,
    ) -> Result<CaptureServer, CaptureError> {
        let out_dir = out_dir.into();
        let out_err = |source| CaptureError::OutDir {
            path: out_dir.clone(),
            source,
        };
        tokio::fs::create_dir_all(&out_dir).await.map_err(out_err)?;
        let next_seq = first_free_sequence(&out_dir).await.map_err(out_err)?;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| CaptureError::Bind {
                addr: listen,
                source,
            })?;
        let local_addr = listener.local_addr()?;
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let shared = Arc::new(Shared {
            out_dir,
            rules: RwLock::new(rules),
            stored: AtomicUsize::new(0),
            next_seq: AtomicU64::new(next_seq),
            started,
        });
        let cancel = CancellationToken::new();
        let accept_task = tokio::spawn(accept_loop(listener, shared.clone(), cancel.clone()));
        info!(%local_addr, out_dir = %shared.out_dir.display(), "capture SMTP server listening");
        Ok(CaptureServer {
            local_addr,
            shared,
            cancel,
            accept_task: Some(accept_task),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The folder the `.eml` files are written to, as given to [`CaptureServer::start`].
    pub fn out_dir(&self) -> &Path {
        &self.shared.out_dir
    }

    /// Replaces the per-recipient rules while running (tests change them between steps).
    ///
    /// Applies to every `RCPT TO` received afterwards, including in open sessions.
    pub fn set_rules(&self, rules: RecipientRules) {
        *self
            .shared
            .rules
            .write()
            .unwrap_or_else(PoisonError::into_inner) = rules;
    }

    /// Number of messages stored so far: one per `.eml` file, i.e. per accepted recipient.
    pub fn stored(&self) -> usize {
        self.shared.stored.load(Ordering::SeqCst)
    }

    /// Stops accepting, lets open sessions finish their current command, returns when all are closed.
    ///
    /// Sessions waiting for the client (for a command or for message data) get
    /// `421 4.3.2 Service shutting down` and are closed; an unfinished message is discarded.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        if let Some(task) = self.accept_task.take() {
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

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, cancel: CancellationToken) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    debug!(%peer, "connection accepted");
                    sessions.spawn(run_session(stream, peer, shared.clone(), cancel.clone()));
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
    if let Err(e) = done {
        warn!(error = %e, "SMTP session task failed");
    }
}

async fn run_session(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
) {
    let (reader, writer) = stream.into_split();
    let mut session = Session {
        reader: BufReader::new(reader),
        writer,
        shared,
        cancel,
        peer,
        greeted: false,
        mail_from: None,
        rcpts: Vec::new(),
    };
    match session.run().await {
        Ok(()) => debug!(%peer, "session closed"),
        Err(e) => debug!(%peer, error = %e, "session ended with an I/O error"),
    }
}

/// What reading one line produced.
enum Line {
    /// A full line (ending in LF) is in the buffer; `too_long` if it was cut at the limit.
    Read { too_long: bool },
    /// The connection closed (a partial last line is dropped).
    Eof,
}

/// Reads one line through its LF into `buf`, keeping at most `max` octets of it.
async fn read_line<R: AsyncBufRead + Unpin>(
    r: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(Line::Eof);
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = max.saturating_sub(buf.len());
        too_long |= take > room;
        buf.extend_from_slice(&chunk[..take.min(room)]);
        r.consume(take);
        if done {
            return Ok(Line::Read { too_long });
        }
    }
}

/// What reading the message data after `354` produced.
enum Data {
    Message(Vec<u8>),
    TooBig,
    Eof,
    Cancelled,
}

/// One SMTP connection and its current transaction.
struct Session<R, W> {
    reader: R,
    writer: W,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    peer: SocketAddr,
    greeted: bool,
    mail_from: Option<String>,
    rcpts: Vec<String>,
}

impl<R: AsyncBufRead + Unpin, W: AsyncWrite + Unpin> Session<R, W> {
    async fn send(&mut self, reply: &str) -> io::Result<()> {
        self.writer.write_all(reply.as_bytes()).await?;
        self.writer.write_all(b"\r\n").await?;
        self.writer.flush().await
    }

    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpts.clear();
    }

    async fn run(&mut self) -> io::Result<()> {
        self.send(&format!("220 {SERVER_NAME} ESMTP capture"))
            .await?;
        let mut line = Vec::new();
        loop {
            let read = tokio::select! {
                _ = self.cancel.cancelled() => None,
                read = read_line(&mut self.reader, &mut line, MAX_COMMAND_LINE) => Some(read?),
            };
            let too_long = match read {
                None => return self.send("421 4.3.2 Service shutting down").await,
                Some(Line::Eof) => return Ok(()),
                Some(Line::Read { too_long }) => too_long,
            };
            if too_long {
                debug!(peer = %self.peer, "command line too long");
                self.send("500 5.5.0 Error: line too long").await?;
                continue;
            }
            let Ok(command) = std::str::from_utf8(&line) else {
                self.send("500 5.5.2 Error: invalid UTF-8 in command")
                    .await?;
                continue;
            };
            let command = command.trim_end_matches(['\r', '\n']).to_string();
            debug!(peer = %self.peer, %command, "command");
            if !self.command(&command).await? {
                return Ok(());
            }
        }
    }

    /// Handles one command line; returns false when the session must end.
    async fn command(&mut self, line: &str) -> io::Result<bool> {
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        let arg = arg.trim();
        let reply: Cow<'static, str> = match verb.to_ascii_uppercase().as_str() {
            "EHLO" | "HELO" if arg.is_empty() => {
                format!("501 5.5.4 Syntax: {verb} hostname").into()
            }
            "EHLO" => {
                self.greet();
                format!(
                    "250-{SERVER_NAME} greets {arg}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n\
                     250-PIPELINING\r\n250-SIZE {MAX_MESSAGE_SIZE}\r\n250 ENHANCEDSTATUSCODES"
                )
                .into()
            }
            "HELO" => {
                self.greet();
                format!("250 {SERVER_NAME}").into()
            }
            "MAIL" => self.mail(arg).into(),
            "RCPT" => self.rcpt(arg),
            "DATA" => return self.data().await,
            "RSET" => {
                self.reset();
                "250 2.0.0 Ok".into()
            }
            "NOOP" => "250 2.0.0 Ok".into(),
            "VRFY" => "252 2.0.0 Cannot VRFY user, but will accept message".into(),
            "QUIT" => {
                self.send("221 2.0.0 Bye").await?;
                return Ok(false);
            }
            "STARTTLS" | "AUTH" | "EXPN" | "HELP" | "BDAT" | "ETRN" | "TURN" => {
                "502 5.5.1 Error: command not implemented".into()
            }
            _ => "500 5.5.2 Error: command not recognized".into(),
        };
        self.send(&reply).await?;
        Ok(true)
    }

    fn greet(&mut self) {
        self.greeted = true;
        self.reset();
    }

    fn mail(&mut self, arg: &str) -> &'static str {
        if !self.greeted {
            return "503 5.5.1 Error: send HELO/EHLO first";
        }
        if self.mail_from.is_some() {
            return "503 5.5.1 Error: nested MAIL command";
        }
        // Parameters after the path (SIZE=, BODY=, SMTPUTF8) are ignored.
        match parse_path(arg, "FROM:") {
            Some(from) => {
                self.mail_from = Some(from.to_string());
                "250 2.1.0 Ok"
            }
            None => "501 5.5.4 Syntax: MAIL FROM:<address>",
        }
    }

    fn rcpt(&mut self, arg: &str) -> Cow<'static, str> {
        if self.mail_from.is_none() {
            return "503 5.5.1 Error: need MAIL command".into();
        }
        let rcpt = match parse_path(arg, "TO:") {
            Some(rcpt) if !rcpt.is_empty() => rcpt.to_string(),
            _ => return "501 5.5.4 Syntax: RCPT TO:<address>".into(),
        };
        let Some(rule) = self.shared.rule_for(&rcpt) else {
            self.rcpts.push(rcpt);
            return "250 2.1.5 Ok".into();
        };
        debug!(peer = %self.peer, %rcpt, code = rule.code, "recipient rule applied");
        if (200..300).contains(&rule.code) {
            self.rcpts.push(rcpt);
        }
        format!("{} {}", rule.code, rule.text)
            .trim_end()
            .to_string()
            .into()
    }

    /// Handles DATA; returns false when the session must end.
    async fn data(&mut self) -> io::Result<bool> {
        let Some(from) = self.mail_from.clone() else {
            self.send("503 5.5.1 Error: need MAIL command").await?;
            return Ok(true);
        };
        if self.rcpts.is_empty() {
            self.send("554 5.5.1 No valid recipients").await?;
            return Ok(true);
        }
        self.send("354 End data with <CR><LF>.<CR><LF>").await?;
        let data = self.read_data().await?;
        let rcpts = std::mem::take(&mut self.rcpts);
        self.reset();
        let reply: Cow<'static, str> = match data {
            Data::Message(message) => match store(&self.shared, &from, &rcpts, &message).await {
                Ok(id) => format!("250 2.0.0 Ok: queued as {id}").into(),
                Err(e) => {
                    let out_dir = self.shared.out_dir.display();
                    warn!(error = %e, %out_dir, "cannot store message");
                    "451 4.3.0 Error: cannot store message".into()
                }
            },
            Data::TooBig => "552 5.3.4 Error: message too big".into(),
            Data::Eof => return Ok(false),
            Data::Cancelled => {
                self.send("421 4.3.2 Service shutting down").await?;
                return Ok(false);
            }
        };
        self.send(&reply).await?;
        Ok(true)
    }

    /// Reads message lines up to the lone `.` line, undoing dot-stuffing.
    async fn read_data(&mut self) -> io::Result<Data> {
        let mut message = Vec::new();
        let mut too_big = false;
        let mut line = Vec::new();
        loop {
            // Keep at most the remaining budget (and always room for the "." line).
            let max = MAX_MESSAGE_SIZE.saturating_sub(message.len()) + 3;
            let read = tokio::select! {
                _ = self.cancel.cancelled() => return Ok(Data::Cancelled),
                read = read_line(&mut self.reader, &mut line, max) => read?,
            };
            let Line::Read { too_long } = read else {
                return Ok(Data::Eof);
            };
            if !too_long && (line == b".\r\n" || line == b".\n") {
                break;
            }
            let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
            if too_long || message.len() + unstuffed.len() > MAX_MESSAGE_SIZE {
                too_big = true;
                message = Vec::new();
            }
            if !too_big {
                message.extend_from_slice(unstuffed);
            }
        }
        Ok(if too_big {
            Data::TooBig
        } else {
            Data::Message(message)
        })
    }
}

/// Extracts the address from `FROM:<addr> params` / `TO:<addr>` (keyword case-insensitive).
fn parse_path<'a>(arg: &'a str, keyword: &str) -> Option<&'a str> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg.get(keyword.len()..)?.trim_start().strip_prefix('<')?;
    let path = &rest[..rest.find('>')?];
    // Drop an obsolete source route: <@a,@b:user@c>.
    Some(match path.split_once(':') {
        Some((_, mailbox)) if path.starts_with('@') => mailbox,
        _ => path,
    })
}

/// Writes one `.eml` file per recipient (temp file, then rename); returns the queue id.
async fn store(
    shared: &Shared,
    from: &str,
    rcpts: &[String],
    message: &[u8],
) -> io::Result<String> {
    let id = shared.next_queue_id();
    for rcpt in rcpts {
        let seq = shared.next_seq.fetch_add(1, Ordering::SeqCst);
        let name = format!("{seq:06}-{id}.eml");
        let tmp = shared.out_dir.join(format!(".tmp-{name}.part"));
        let header = format!("Return-Path: <{from}>\r\nDelivered-To: {rcpt}\r\n");
        let mut content = Vec::with_capacity(header.len() + message.len());
        content.extend_from_slice(header.as_bytes());
        content.extend_from_slice(message);
        let written = match tokio::fs::write(&tmp, &content).await {
            Ok(()) => tokio::fs::rename(&tmp, shared.out_dir.join(&name)).await,
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
        shared.stored.fetch_add(1, Ordering::SeqCst);
        info!(file = %name, from, rcpt = %rcpt, bytes = message.len(), "stored message");
    }
    Ok(id)
}
