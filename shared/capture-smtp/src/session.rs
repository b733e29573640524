//! One SMTP connection: the command loop, STARTTLS, AUTH, DATA with injected faults, and
//! storing accepted messages.

use std::borrow::Cow;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::auth::{base64_decode, parse_plain, LOGIN_PASSWORD, LOGIN_USERNAME};
use crate::rules::Fault;
use crate::{bump, Shared, MAX_MESSAGE_SIZE};

/// Longest accepted command line, in octets, including the line ending.
const MAX_COMMAND_LINE: usize = 1000;
/// Longest accepted AUTH response line (RFC 4954 section 4), including the line ending.
const MAX_AUTH_LINE: usize = 12288;
/// Name used in the greeting and the EHLO/HELO replies.
const SERVER_NAME: &str = "circulars-capture";
/// Reply sent to open sessions when the server shuts down.
const SHUTTING_DOWN: &str = "421 4.3.2 Service shutting down";
/// How long closing a connection politely (TLS close_notify, FIN) may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// How a session is protected, as written to `X-Capture-Session: tls=...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Security {
    Plain,
    StartTls,
    Implicit,
}

impl Security {
    fn name(self) -> &'static str {
        match self {
            Security::Plain => "none",
            Security::StartTls => "starttls",
            Security::Implicit => "implicit",
        }
    }
}

/// A client connection, plain or TLS, whose TCP socket can be reset.
trait Conn: AsyncRead + AsyncWrite + Unpin + Send {
    fn tcp(&self) -> &TcpStream;
}

impl Conn for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Conn for TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
}

/// Serves one accepted connection to its end (errors are logged, not returned).
pub(crate) async fn serve(
    tcp: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
) {
    bump(&shared.stats.connections);
    match serve_connection(tcp, peer, shared, cancel).await {
        Ok(()) => debug!(%peer, "session closed"),
        Err(e) => debug!(%peer, error = %e, "session ended with an I/O or TLS error"),
    }
}

async fn serve_connection(
    tcp: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
) -> io::Result<()> {
    let Some(tls) = shared.tls.clone() else {
        let session = Session::new(tcp, Security::Plain, peer, shared, cancel);
        return session.serve(true).await.map(drop);
    };
    if tls.implicit {
        let Some(stream) = handshake(&tls.acceptor, tcp, &shared, &cancel).await? else {
            return Ok(());
        };
        let session = Session::new(stream, Security::Implicit, peer, shared, cancel);
        return session.serve(true).await.map(drop);
    }
    let session = Session::new(tcp, Security::Plain, peer, shared.clone(), cancel.clone());
    let Some(tcp) = session.serve(true).await? else {
        return Ok(());
    };
    let Some(stream) = handshake(&tls.acceptor, tcp, &shared, &cancel).await? else {
        return Ok(());
    };
    debug!(%peer, "STARTTLS done");
    // RFC 3207: a fresh session; the client greets again and nothing before counts.
    let session = Session::new(stream, Security::StartTls, peer, shared, cancel);
    session.serve(false).await.map(drop)
}

/// The server side of a TLS handshake; `None` when the server shuts down meanwhile.
async fn handshake(
    acceptor: &TlsAcceptor,
    tcp: TcpStream,
    shared: &Shared,
    cancel: &CancellationToken,
) -> io::Result<Option<TlsStream<TcpStream>>> {
    let stream = tokio::select! {
        _ = cancel.cancelled() => return Ok(None),
        stream = acceptor.accept(tcp) => stream?,
    };
    bump(&shared.stats.tls_sessions);
    Ok(Some(stream))
}

/// Resets the connection (RST instead of an orderly close), as a crashed peer would.
///
/// `SO_LINGER` 0 never blocks on close. (`set_linger` is deprecated for its blocking non-zero
/// form; its replacement `set_zero_linger` needs tokio 1.50, above the workspace's minimum.)
#[allow(deprecated)]
fn reset<S: Conn>(stream: S) {
    if let Err(e) = stream.tcp().set_linger(Some(Duration::ZERO)) {
        debug!(error = %e, "cannot set SO_LINGER 0; closing normally");
    }
    drop(stream);
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

/// What to do after a command.
enum Next {
    Continue,
    /// Close the connection in an orderly way.
    Close,
    /// Reset the connection (an injected fault).
    Reset,
    /// Hand the connection over to the TLS handshake.
    StartTls,
}

/// Why an AUTH exchange ended without credentials to check.
enum AuthStop {
    /// Send this reply and go on.
    Reply(&'static str),
    /// The connection is over.
    Closed,
    /// An I/O error.
    Io(io::Error),
}

impl From<io::Error> for AuthStop {
    fn from(e: io::Error) -> Self {
        AuthStop::Io(e)
    }
}

/// One SMTP session (one connection, or its part after STARTTLS) and its current transaction.
struct Session<S> {
    stream: BufReader<S>,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    peer: SocketAddr,
    security: Security,
    greeted: bool,
    user: Option<String>,
    mail_from: Option<String>,
    rcpts: Vec<String>,
}

impl<S: Conn> Session<S> {
    fn new(
        stream: S,
        security: Security,
        peer: SocketAddr,
        shared: Arc<Shared>,
        cancel: CancellationToken,
    ) -> Self {
        Session {
            stream: BufReader::new(stream),
            shared,
            cancel,
            peer,
            security,
            greeted: false,
            user: None,
            mail_from: None,
            rcpts: Vec::new(),
        }
    }

    /// Runs the session and closes the connection; returns it instead after `STARTTLS`.
    async fn serve(mut self, greet: bool) -> io::Result<Option<S>> {
        match self.run(greet).await? {
            Next::StartTls => {
                if !self.stream.buffer().is_empty() {
                    // RFC 3207 section 5: never act on plaintext pipelined after STARTTLS.
                    debug!(peer = %self.peer, "discarding data sent after STARTTLS");
                }
                Ok(Some(self.stream.into_inner()))
            }
            Next::Reset => {
                reset(self.stream.into_inner());
                Ok(None)
            }
            Next::Close | Next::Continue => {
                // Best effort: a TLS close_notify and a FIN, but never wait long for it.
                let _ = tokio::time::timeout(CLOSE_TIMEOUT, self.stream.shutdown()).await;
                Ok(None)
            }
        }
    }

    async fn send(&mut self, reply: &str) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(reply.len() + 2);
        bytes.extend_from_slice(reply.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        self.stream.write_all(&bytes).await?;
        self.stream.flush().await
    }

    /// Reads one line; `None` when the server shuts down first.
    async fn read_line(&mut self, buf: &mut Vec<u8>, max: usize) -> io::Result<Option<Line>> {
        tokio::select! {
            _ = self.cancel.cancelled() => Ok(None),
            read = read_line(&mut self.stream, buf, max) => read.map(Some),
        }
    }

    fn reset_transaction(&mut self) {
        self.mail_from = None;
        self.rcpts.clear();
    }

    fn starttls_offered(&self) -> bool {
        self.security == Security::Plain && self.shared.tls.as_ref().is_some_and(|t| !t.implicit)
    }

    fn auth_offered(&self) -> bool {
        self.shared.auth.is_some()
            && (self.security != Security::Plain || self.shared.allow_auth_without_tls)
    }

    async fn run(&mut self, greet: bool) -> io::Result<Next> {
        if greet {
            self.send(&format!("220 {SERVER_NAME} ESMTP capture"))
                .await?;
        }
        let mut line = Vec::new();
        loop {
            let too_long = match self.read_line(&mut line, MAX_COMMAND_LINE).await? {
                None => {
                    self.send(SHUTTING_DOWN).await?;
                    return Ok(Next::Close);
                }
                Some(Line::Eof) => return Ok(Next::Close),
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
            if command.len() > 5 && command[..5].eq_ignore_ascii_case("AUTH ") {
                debug!(peer = %self.peer, "command AUTH (arguments not logged)");
            } else {
                debug!(peer = %self.peer, %command, "command");
            }
            match self.command(&command).await? {
                Next::Continue => {}
                next => return Ok(next),
            }
        }
    }

    /// Handles one command line.
    async fn command(&mut self, line: &str) -> io::Result<Next> {
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        let arg = arg.trim();
        let reply: Cow<'static, str> = match verb.to_ascii_uppercase().as_str() {
            "EHLO" | "HELO" if arg.is_empty() => {
                format!("501 5.5.4 Syntax: {verb} hostname").into()
            }
            "EHLO" => self.ehlo(arg).into(),
            "HELO" => {
                self.greet();
                format!("250 {SERVER_NAME}").into()
            }
            "STARTTLS" => return self.starttls(arg).await,
            "AUTH" => return self.auth(arg).await,
            "MAIL" => self.mail(arg).into(),
            "RCPT" => self.rcpt(arg),
            "DATA" => return self.data().await,
            "RSET" => {
                self.reset_transaction();
                "250 2.0.0 Ok".into()
            }
            "NOOP" => "250 2.0.0 Ok".into(),
            "VRFY" => "252 2.0.0 Cannot VRFY user, but will accept message".into(),
            "QUIT" => {
                self.send("221 2.0.0 Bye").await?;
                return Ok(Next::Close);
            }
            "EXPN" | "HELP" | "BDAT" | "ETRN" | "TURN" => {
                "502 5.5.1 Error: command not implemented".into()
            }
            _ => "500 5.5.2 Error: command not recognized".into(),
        };
        self.send(&reply).await?;
        Ok(Next::Continue)
    }

    fn greet(&mut self) {
        self.greeted = true;
        self.reset_transaction();
    }

    fn ehlo(&mut self, arg: &str) -> String {
        self.greet();
        let mut lines = vec![
            format!("{SERVER_NAME} greets {arg}"),
            "8BITMIME".to_string(),
            "SMTPUTF8".to_string(),
            "PIPELINING".to_string(),
            format!("SIZE {MAX_MESSAGE_SIZE}"),
        ];
        if self.starttls_offered() {
            lines.push("STARTTLS".to_string());
        }
        if self.auth_offered() {
            lines.push("AUTH PLAIN LOGIN".to_string());
        }
        lines.push("ENHANCEDSTATUSCODES".to_string());
        let last = lines.len() - 1;
        let lines: Vec<String> = lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| format!("250{}{l}", if i == last { ' ' } else { '-' }))
            .collect();
        lines.join("\r\n")
    }

    async fn starttls(&mut self, arg: &str) -> io::Result<Next> {
        let reply = if self.security != Security::Plain {
            "554 5.5.1 Error: TLS already active"
        } else if !self.starttls_offered() {
            "502 5.5.1 Error: command not implemented"
        } else if !arg.is_empty() {
            "501 5.5.4 Syntax: STARTTLS"
        } else {
            self.send("220 2.0.0 Ready to start TLS").await?;
            return Ok(Next::StartTls);
        };
        self.send(reply).await?;
        Ok(Next::Continue)
    }

    async fn auth(&mut self, arg: &str) -> io::Result<Next> {
        let reply = match self.shared.auth.clone() {
            None => "502 5.5.1 Error: command not implemented",
            Some(_) if !self.auth_offered() => "530 5.7.0 Must issue a STARTTLS command first",
            Some(_) if !self.greeted => "503 5.5.1 Error: send HELO/EHLO first",
            Some(_) if self.user.is_some() => "503 5.5.1 Error: already authenticated",
            Some(_) if self.mail_from.is_some() => "503 5.5.1 Error: MAIL transaction in progress",
            Some(credentials) => match self.auth_exchange(arg).await {
                Ok((username, password)) if credentials.matches(&username, &password) => {
                    bump(&self.shared.stats.auth_successes);
                    info!(peer = %self.peer, user = %credentials.username, "authenticated");
                    self.user = Some(credentials.username);
                    "235 2.7.0 Authentication successful"
                }
                Ok(_) => {
                    bump(&self.shared.stats.auth_failures);
                    debug!(peer = %self.peer, "authentication failed");
                    "535 5.7.8 Error: authentication failed"
                }
                Err(AuthStop::Reply(reply)) => reply,
                Err(AuthStop::Closed) => return Ok(Next::Close),
                Err(AuthStop::Io(e)) => return Err(e),
            },
        };
        self.send(reply).await?;
        Ok(Next::Continue)
    }

    /// Runs the PLAIN or LOGIN exchange; returns the decoded `(username, password)`.
    async fn auth_exchange(&mut self, arg: &str) -> Result<(Vec<u8>, Vec<u8>), AuthStop> {
        let (mechanism, initial) = match arg.split_once(' ') {
            Some((m, initial)) => (m, Some(initial.trim())),
            None => (arg, None),
        };
        let decode = |r: &str| base64_decode(r).ok_or(AuthStop::Reply(CANNOT_DECODE));
        match mechanism.to_ascii_uppercase().as_str() {
            "PLAIN" => {
                let response = match initial {
                    Some(r) => decode(r)?,
                    None => self.prompt("334 ").await?,
                };
                let (username, password) =
                    parse_plain(&response).ok_or(AuthStop::Reply(CANNOT_DECODE))?;
                Ok((username.to_vec(), password.to_vec()))
            }
            "LOGIN" => {
                let username = match initial {
                    Some(r) => decode(r)?,
                    None => self.prompt(LOGIN_USERNAME).await?,
                };
                let password = self.prompt(LOGIN_PASSWORD).await?;
                Ok((username, password))
            }
            "" => Err(AuthStop::Reply("501 5.5.4 Syntax: AUTH mechanism")),
            _ => Err(AuthStop::Reply(
                "504 5.5.4 Error: unsupported authentication mechanism",
            )),
        }
    }

    /// Sends a `334` challenge and reads the client's base64 response.
    async fn prompt(&mut self, challenge: &str) -> Result<Vec<u8>, AuthStop> {
        self.send(challenge).await?;
        let mut line = Vec::new();
        match self.read_line(&mut line, MAX_AUTH_LINE).await? {
            None => {
                self.send(SHUTTING_DOWN).await?;
                Err(AuthStop::Closed)
            }
            Some(Line::Eof) => Err(AuthStop::Closed),
            Some(Line::Read { too_long: true }) => Err(AuthStop::Reply(
                "500 5.5.6 Error: authentication exchange line is too long",
            )),
            Some(Line::Read { too_long: false }) => {
                let response = std::str::from_utf8(&line)
                    .map_err(|_| AuthStop::Reply(CANNOT_DECODE))?
                    .trim();
                if response == "*" {
                    return Err(AuthStop::Reply("501 5.7.0 Authentication aborted"));
                }
                base64_decode(response).ok_or(AuthStop::Reply(CANNOT_DECODE))
            }
        }
    }

    fn mail(&mut self, arg: &str) -> &'static str {
        if !self.greeted {
            return "503 5.5.1 Error: send HELO/EHLO first";
        }
        if self.shared.auth.is_some() && self.user.is_none() {
            return "530 5.7.0 Authentication required";
        }
        if self.mail_from.is_some() {
            return "503 5.5.1 Error: nested MAIL command";
        }
        // Parameters after the path (SIZE=, BODY=, SMTPUTF8, AUTH=) are ignored.
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
        let Some((code, text)) = self.shared.rules().take_reply(&rcpt) else {
            self.rcpts.push(rcpt);
            return "250 2.1.5 Ok".into();
        };
        bump(&self.shared.stats.rule_replies);
        debug!(peer = %self.peer, %rcpt, code, "recipient rule applied");
        if (200..300).contains(&code) {
            self.rcpts.push(rcpt);
        }
        format!("{code} {text}").trim_end().to_string().into()
    }

    /// Handles DATA, including the injected faults.
    async fn data(&mut self) -> io::Result<Next> {
        let Some(from) = self.mail_from.clone() else {
            self.send("503 5.5.1 Error: need MAIL command").await?;
            return Ok(Next::Continue);
        };
        if self.rcpts.is_empty() {
            self.send("554 5.5.1 No valid recipients").await?;
            return Ok(Next::Continue);
        }
        self.send("354 End data with <CR><LF>.<CR><LF>").await?;
        let rcpts = std::mem::take(&mut self.rcpts);
        self.reset_transaction();
        if self.shared.rules().take_fault(&rcpts, Fault::DuringData) {
            // Read some of the message, then vanish.
            let mut line = Vec::new();
            if self.read_line(&mut line, MAX_COMMAND_LINE).await?.is_none() {
                self.send(SHUTTING_DOWN).await?;
                return Ok(Next::Close);
            }
            bump(&self.shared.stats.dropped_during_data);
            info!(peer = %self.peer, ?rcpts, "fault: connection dropped during DATA");
            return Ok(Next::Reset);
        }
        let reply: Cow<'static, str> = match self.read_data().await? {
            Data::Message(message) => {
                let facts = self.facts();
                match store(self.shared.clone(), from, rcpts.clone(), facts, message).await {
                    Ok(_) if self.shared.rules().take_fault(&rcpts, Fault::AfterStore) => {
                        bump(&self.shared.stats.dropped_after_store);
                        info!(peer = %self.peer, ?rcpts, "fault: reply lost after storing");
                        return Ok(Next::Reset);
                    }
                    Ok(id) => format!("250 2.0.0 Ok: queued as {id}").into(),
                    Err(e) => {
                        let out_dir = self.shared.out_dir.display();
                        warn!(error = %e, %out_dir, "cannot store message");
                        "451 4.3.0 Error: cannot store message".into()
                    }
                }
            }
            Data::TooBig => "552 5.3.4 Error: message too big".into(),
            Data::Eof => return Ok(Next::Close),
            Data::Cancelled => {
                self.send(SHUTTING_DOWN).await?;
                return Ok(Next::Close);
            }
        };
        self.send(&reply).await?;
        Ok(Next::Continue)
    }

    /// The `X-Capture-Session` header value: `tls=none|starttls|implicit; auth=USER|-`.
    fn facts(&self) -> String {
        let user = self.user.as_deref().unwrap_or("-");
        let user = user.replace(['\r', '\n'], " ");
        format!("tls={}; auth={user}", self.security.name())
    }

    /// Reads message lines up to the lone `.` line, undoing dot-stuffing.
    async fn read_data(&mut self) -> io::Result<Data> {
        let mut message = Vec::new();
        let mut too_big = false;
        let mut line = Vec::new();
        loop {
            // Keep at most the remaining budget (and always room for the "." line).
            let max = MAX_MESSAGE_SIZE.saturating_sub(message.len()) + 3;
            let Some(read) = self.read_line(&mut line, max).await? else {
                return Ok(Data::Cancelled);
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

/// Reply to an AUTH response that is not valid base64 or not a valid PLAIN message.
const CANNOT_DECODE: &str = "501 5.5.2 Error: cannot decode response";

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
///
/// Runs on a blocking thread that finishes even if the session is dropped meanwhile (e.g. by
/// [`crate::CaptureServer::stop_listening`]), so no `.tmp-` file is left behind.
async fn store(
    shared: Arc<Shared>,
    from: String,
    rcpts: Vec<String>,
    facts: String,
    message: Vec<u8>,
) -> io::Result<String> {
    tokio::task::spawn_blocking(move || store_blocking(&shared, &from, &rcpts, &facts, &message))
        .await
        .map_err(io::Error::other)?
}

fn store_blocking(
    shared: &Shared,
    from: &str,
    rcpts: &[String],
    facts: &str,
    message: &[u8],
) -> io::Result<String> {
    let id = shared.next_queue_id();
    for rcpt in rcpts {
        let seq = shared.next_seq.fetch_add(1, Ordering::SeqCst);
        let name = format!("{seq:06}-{id}.eml");
        let tmp = shared.out_dir.join(format!(".tmp-{name}.part"));
        let header = format!(
            "Return-Path: <{from}>\r\nDelivered-To: {rcpt}\r\nX-Capture-Session: {facts}\r\n"
        );
        let mut content = Vec::with_capacity(header.len() + message.len());
        content.extend_from_slice(header.as_bytes());
        content.extend_from_slice(message);
        let written = match std::fs::write(&tmp, &content) {
            Ok(()) => std::fs::rename(&tmp, shared.out_dir.join(&name)),
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        bump(&shared.stats.stored);
        info!(file = %name, from, rcpt = %rcpt, session = facts, bytes = message.len(), "stored message");
    }
    Ok(id)
}
