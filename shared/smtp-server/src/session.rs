//! One SMTP session: the command loop, the transaction's state machine, DATA, and the
//! STARTTLS upgrade after which the session starts over (RFC 3207).

use std::borrow::Cow;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info};

use crate::connection::{read_line, Connection, Line};
use crate::handler::{Conversation, DataStart, Envelope, Handled, Handler, Rcpt, Security, State};
use crate::handler::{Refused, Reply, Verdict};
use crate::{Replies, Settings, Tls};

/// `RSET`, `NOOP`.
const OK: &str = "250 2.0.0 Ok";
/// `MAIL FROM` accepted.
const MAIL_OK: &str = "250 2.1.0 Ok";
/// `QUIT`.
const BYE: &str = "221 2.0.0 Bye";
/// `DATA` accepted.
const START_DATA: &str = "354 End data with <CR><LF>.<CR><LF>";
/// `STARTTLS` accepted.
const READY_FOR_TLS: &str = "220 2.0.0 Ready to start TLS";
/// `STARTTLS` with arguments.
const STARTTLS_SYNTAX: &str = "501 5.5.4 Syntax: STARTTLS";
/// `STARTTLS` on a TLS session.
const TLS_ACTIVE: &str = "554 5.5.1 Error: TLS already active";
/// `RCPT TO` beyond [`Settings::max_recipients`].
const TOO_MANY_RECIPIENTS: &str = "452 4.5.3 too many recipients";
/// Commands known but not offered.
const NOT_IMPLEMENTED: [&str; 5] = ["EXPN", "HELP", "BDAT", "ETRN", "TURN"];
/// How long closing a connection politely (TLS close_notify, FIN) may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the session stopped hearing from the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The client closed the connection.
    Eof,
    /// The server shuts down.
    Cancelled,
    /// Nothing came within the idle timeout.
    IdleTimeout,
}

/// What one read gave (see [`Line`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// A whole line, `len` octets, of which the buffer holds all unless `cut`.
    Line { len: usize, cut: bool },
    /// A line longer than the octets we read of it.
    Unfinished,
    /// Nothing more will be read.
    Ended(Ending),
}

/// The connection with what reading from it needs: the shutdown signal and the idle timeout.
pub(crate) struct Io {
    stream: BufReader<Connection>,
    cancel: CancellationToken,
    idle_timeout: Option<Duration>,
    replies: Replies,
}

impl Io {
    /// Sends one reply, CRLF added.
    pub(crate) async fn send(&mut self, reply: &str) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(reply.len() + 2);
        bytes.extend_from_slice(reply.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        self.stream.write_all(&bytes).await?;
        self.stream.flush().await
    }

    /// Reads one line into `buf` (see [`read_line`]), unless the server shuts down or the
    /// client stays silent for the idle timeout.
    pub(crate) async fn read(
        &mut self,
        buf: &mut Vec<u8>,
        keep: usize,
        give_up: usize,
    ) -> io::Result<Input> {
        let Io {
            stream,
            cancel,
            idle_timeout,
            ..
        } = self;
        let read = read_line(stream, buf, keep, give_up);
        let read = async {
            match idle_timeout {
                Some(idle) => tokio::time::timeout(*idle, read).await.ok(),
                None => Some(read.await),
            }
        };
        let line = tokio::select! {
            _ = cancel.cancelled() => return Ok(Input::Ended(Ending::Cancelled)),
            line = read => line,
        };
        Ok(match line.transpose()? {
            None => Input::Ended(Ending::IdleTimeout),
            Some(Line::Complete { len, cut }) => Input::Line { len, cut },
            Some(Line::Unfinished) => Input::Unfinished,
            Some(Line::Eof) => Input::Ended(Ending::Eof),
        })
    }

    /// Tells the client why the session ends (nothing when it closed the connection).
    pub(crate) async fn end(&mut self, ending: Ending) -> io::Result<()> {
        match ending {
            Ending::Eof => Ok(()),
            Ending::Cancelled => self.send(self.replies.shutting_down).await,
            Ending::IdleTimeout => self.send(self.replies.idle_timeout).await,
        }
    }
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

/// What reading the message after `354` gave.
enum Body {
    /// The whole message, within the size limit.
    Message(Vec<u8>),
    /// Read to its end, but larger than the limit (`size` octets after unstuffing).
    TooBig { size: usize },
    /// Still going past [`Settings::max_data_bytes`]; `received` octets read so far.
    Endless { received: usize },
    /// The client stopped sending.
    Ended(Ending),
}

/// Serves one accepted connection to its end: greeting, commands, STARTTLS (after which the
/// session starts over, as RFC 3207 says), until QUIT, the client closing, the idle timeout
/// or `cancel` (answered `421` and closed; a message being stored is finished first).
///
/// Returns I/O and TLS handshake errors; the connection is closed either way.
pub async fn serve<H: Handler>(
    tcp: TcpStream,
    peer: SocketAddr,
    settings: &Settings,
    handler: &mut H,
    cancel: &CancellationToken,
) -> io::Result<()> {
    let _ = tcp.set_nodelay(true);
    let (connection, security) = match &settings.tls {
        Some(Tls::Implicit(acceptor)) => {
            let Some(tls) = handshake(acceptor, tcp, settings, cancel).await? else {
                return Ok(());
            };
            handler.tls_established();
            (Connection::Tls(tls), Security::Implicit)
        }
        _ => (Connection::Plain(tcp), Security::Plain),
    };
    let mut session = Session::new(connection, peer, security, settings, cancel);
    let mut next = session.run(handler, true).await?;
    if let (Next::StartTls, Some(Tls::StartTls(acceptor))) = (&next, &settings.tls) {
        let Session { io, .. } = session;
        if !io.stream.buffer().is_empty() {
            // RFC 3207 section 5: never act on plaintext pipelined after STARTTLS.
            debug!(server = settings.log_name, client = %peer, "discarding data sent after STARTTLS");
        }
        let Connection::Plain(tcp) = io.stream.into_inner() else {
            return Ok(());
        };
        let Some(tls) = handshake(acceptor, tcp, settings, cancel).await? else {
            return Ok(());
        };
        debug!(server = settings.log_name, client = %peer, "STARTTLS done");
        handler.tls_established();
        let connection = Connection::Tls(tls);
        session = Session::new(connection, peer, Security::StartTls, settings, cancel);
        next = session.run(handler, false).await?;
    }
    let mut stream = session.io.stream.into_inner();
    if let Next::Reset = next {
        stream.reset();
    } else {
        // Best effort: a TLS close_notify and a FIN, but never wait long for it.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, stream.shutdown()).await;
    }
    Ok(())
}

/// The server side of a TLS handshake; `None` when the server shuts down or the client is
/// silent for the idle timeout meanwhile.
async fn handshake(
    acceptor: &TlsAcceptor,
    tcp: TcpStream,
    settings: &Settings,
    cancel: &CancellationToken,
) -> io::Result<Option<Box<TlsStream<TcpStream>>>> {
    let accept = async {
        match settings.idle_timeout {
            Some(idle) => tokio::time::timeout(idle, acceptor.accept(tcp)).await.ok(),
            None => Some(acceptor.accept(tcp).await),
        }
    };
    tokio::select! {
        _ = cancel.cancelled() => Ok(None),
        stream = accept => stream.transpose().map(|s| s.map(Box::new)),
    }
}

/// One SMTP session (one connection, or its part after STARTTLS) and its transaction.
struct Session<'s> {
    io: Io,
    state: State,
    settings: &'s Settings,
}

impl<'s> Session<'s> {
    fn new(
        connection: Connection,
        peer: SocketAddr,
        security: Security,
        settings: &'s Settings,
        cancel: &CancellationToken,
    ) -> Self {
        Session {
            io: Io {
                stream: BufReader::new(connection),
                cancel: cancel.clone(),
                idle_timeout: settings.idle_timeout,
                replies: settings.replies,
            },
            state: State::new(peer, security),
            settings,
        }
    }

    fn replies(&self) -> &'s Replies {
        &self.settings.replies
    }

    /// Reads and answers commands until the session is over or asks for TLS.
    async fn run<H: Handler>(&mut self, handler: &mut H, greet: bool) -> io::Result<Next> {
        let settings = self.settings;
        let peer = self.state.peer;
        if greet {
            let greeting = format!("220 {} {}", settings.hostname, settings.banner);
            self.io.send(&greeting).await?;
        }
        let max = settings.max_command_line;
        let give_up = if settings.close_after_long_line {
            max
        } else {
            usize::MAX
        };
        let mut line = Vec::new();
        loop {
            match self.io.read(&mut line, max, give_up).await? {
                Input::Ended(ending) => {
                    debug!(server = settings.log_name, client = %peer, ?ending, "session ended");
                    self.io.end(ending).await?;
                    return Ok(Next::Close);
                }
                Input::Unfinished => {
                    self.io.send(self.replies().line_too_long).await?;
                    info!(server = settings.log_name, client = %peer, "command line too long; closed");
                    return Ok(Next::Close);
                }
                Input::Line { cut: true, .. } => {
                    debug!(server = settings.log_name, client = %peer, "command line too long");
                    self.io.send(self.replies().line_too_long).await?;
                    continue;
                }
                Input::Line { cut: false, .. } => {}
            }
            if !self.io.stream.buffer().is_empty() {
                handler.pipelined(&self.state);
            }
            let command = match std::str::from_utf8(&line) {
                Ok(command) => Cow::Borrowed(command),
                Err(_) => match self.replies().not_utf8 {
                    Some(reply) => {
                        self.io.send(reply).await?;
                        continue;
                    }
                    None => String::from_utf8_lossy(&line),
                },
            };
            let command = command.trim_end_matches(['\r', '\n']);
            if command.len() > 5 && command[..5].eq_ignore_ascii_case("AUTH ") {
                debug!(server = settings.log_name, client = %peer, "command AUTH (arguments not logged)");
            } else {
                debug!(server = settings.log_name, client = %peer, %command, "command");
            }
            match self.command(handler, command).await? {
                Next::Continue => {}
                next => return Ok(next),
            }
        }
    }

    /// Answers one command line.
    async fn command<H: Handler>(&mut self, handler: &mut H, line: &str) -> io::Result<Next> {
        let (verb, arguments) = line.split_once(' ').unwrap_or((line, ""));
        let arguments = arguments.trim();
        let upper = verb.to_ascii_uppercase();
        let reply: Reply = match upper.as_str() {
            "EHLO" | "HELO" => self.hello(handler, verb, arguments),
            "STARTTLS" => {
                let (reply, next) = self.starttls(arguments);
                self.io.send(reply).await?;
                return Ok(next);
            }
            "MAIL" => self.mail(handler, arguments),
            "RCPT" => self.rcpt(handler, arguments),
            "DATA" => return self.data(handler).await,
            "RSET" => {
                self.state.reset_transaction();
                OK.into()
            }
            "NOOP" => OK.into(),
            "QUIT" => {
                self.io.send(BYE).await?;
                return Ok(Next::Close);
            }
            _ => {
                let mut talk = Conversation {
                    io: &mut self.io,
                    state: &self.state,
                };
                match handler.command(verb, arguments, &mut talk).await? {
                    Handled::Continue => return Ok(Next::Continue),
                    Handled::Close => return Ok(Next::Close),
                    Handled::Unknown if NOT_IMPLEMENTED.contains(&upper.as_str()) => {
                        self.replies().not_implemented.into()
                    }
                    Handled::Unknown => self.replies().unknown_command.into(),
                }
            }
        };
        self.io.send(&reply).await?;
        Ok(Next::Continue)
    }

    /// EHLO or HELO: the session (re)starts, with the extensions offered.
    fn hello<H: Handler>(&mut self, handler: &H, verb: &str, name: &str) -> Reply {
        if name.is_empty() {
            if let Some(syntax) = self.replies().hello_syntax {
                return format!("{syntax} {verb} hostname").into();
            }
        }
        self.state.greeted = true;
        self.state.reset_transaction();
        let settings = self.settings;
        if !verb.eq_ignore_ascii_case("EHLO") {
            return format!("250 {}", settings.hostname).into();
        }
        let mut lines = vec![if settings.greet_client {
            format!("{} greets {name}", settings.hostname)
        } else {
            settings.hostname.clone()
        }];
        lines.push(format!("SIZE {}", settings.max_message_bytes));
        lines.push("8BITMIME".to_owned());
        if handler.offers_pipelining(&self.state) {
            lines.push("PIPELINING".to_owned());
        }
        if self.starttls_offered() {
            lines.push("STARTTLS".to_owned());
        }
        let extensions = handler.extensions(&self.state);
        lines.extend(extensions.into_iter().map(str::to_owned));
        lines.push("ENHANCEDSTATUSCODES".to_owned());
        let last = lines.len() - 1;
        let lines: Vec<String> = lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| format!("250{}{l}", if i == last { ' ' } else { '-' }))
            .collect();
        lines.join("\r\n").into()
    }

    fn starttls_offered(&self) -> bool {
        self.state.security == Security::Plain
            && matches!(self.settings.tls, Some(Tls::StartTls(_)))
    }

    fn starttls(&self, arguments: &str) -> (&'static str, Next) {
        if self.state.security != Security::Plain {
            (TLS_ACTIVE, Next::Continue)
        } else if !self.starttls_offered() {
            (self.replies().not_implemented, Next::Continue)
        } else if !arguments.is_empty() {
            (STARTTLS_SYNTAX, Next::Continue)
        } else {
            (READY_FOR_TLS, Next::StartTls)
        }
    }

    fn mail<H: Handler>(&mut self, handler: &mut H, arguments: &str) -> Reply {
        if !self.state.greeted {
            return self.replies().need_hello.into();
        }
        if self.state.sender.is_some() {
            return self.replies().nested_mail.into();
        }
        let Some((from, parameters)) = parse_path(arguments, "FROM:") else {
            return self.replies().mail_syntax.into();
        };
        match handler.mail(&self.state, from, parameters) {
            Ok(()) => {
                self.state.sender = Some(from.to_owned());
                MAIL_OK.into()
            }
            Err(reply) => reply,
        }
    }

    fn rcpt<H: Handler>(&mut self, handler: &mut H, arguments: &str) -> Reply {
        if self.state.sender.is_none() {
            return self.replies().need_mail.into();
        }
        let Some((to, _)) = parse_path(arguments, "TO:") else {
            return self.replies().rcpt_syntax.into();
        };
        if let Some(max) = self.settings.max_recipients {
            if self.state.recipients.len() >= max {
                handler.refused(&self.state, Refused::TooManyRecipients);
                return TOO_MANY_RECIPIENTS.into();
            }
        }
        match handler.rcpt(&self.state, to) {
            Rcpt::Accept(reply) => {
                self.state.recipients.push(to.to_owned());
                reply
            }
            Rcpt::Refuse(reply) => reply,
        }
    }

    /// DATA: the message, read to its end, and the handler's verdict on it.
    async fn data<H: Handler>(&mut self, handler: &mut H) -> io::Result<Next> {
        let (settings, peer) = (self.settings, self.state.peer);
        let Some(sender) = self.state.sender.take() else {
            self.io.send(self.replies().data_without_mail).await?;
            return Ok(Next::Continue);
        };
        if self.state.recipients.is_empty() {
            self.state.sender = Some(sender);
            self.io.send(self.replies().data_without_recipients).await?;
            return Ok(Next::Continue);
        }
        self.io.send(START_DATA).await?;
        let recipients = std::mem::take(&mut self.state.recipients);
        let envelope = Envelope { sender, recipients };
        if handler.data_start(&self.state, &envelope) == DataStart::DropAfterFirstLine {
            let mut line = Vec::new();
            let max = settings.max_command_line;
            return Ok(match self.io.read(&mut line, max, usize::MAX).await? {
                Input::Ended(ending @ (Ending::Cancelled | Ending::IdleTimeout)) => {
                    self.io.end(ending).await?;
                    Next::Close
                }
                _ => Next::Reset,
            });
        }
        let reply: Reply = match self.read_message().await? {
            Body::Message(message) => match handler.message(&self.state, envelope, message).await {
                Verdict::Reply(reply) => reply,
                Verdict::Reset => return Ok(Next::Reset),
            },
            Body::TooBig { size } => {
                let limit = settings.max_message_bytes;
                info!(server = settings.log_name, client = %peer, size, limit, "message too big; refused");
                handler.refused(&self.state, Refused::TooBig);
                self.replies().too_big.into()
            }
            Body::Endless { received } => {
                self.io.send(self.replies().too_big).await?;
                info!(server = settings.log_name, client = %peer, received, "message far beyond the size limit; closed");
                handler.refused(&self.state, Refused::TooBig);
                return Ok(Next::Close);
            }
            Body::Ended(ending) => {
                info!(server = settings.log_name, client = %peer, ?ending, "message not finished; nothing stored");
                self.io.end(ending).await?;
                return Ok(Next::Close);
            }
        };
        self.io.send(&reply).await?;
        Ok(Next::Continue)
    }

    /// Reads message lines up to the lone `.` line, undoing dot-stuffing, keeping at most the
    /// size limit but reading on to the end (or to [`Settings::max_data_bytes`]).
    async fn read_message(&mut self) -> io::Result<Body> {
        let limit = self.settings.max_message_bytes;
        let endless = self.settings.max_data_bytes.unwrap_or(usize::MAX);
        let mut message = Vec::new();
        let (mut size, mut received) = (0usize, 0usize);
        let mut line = Vec::new();
        loop {
            // Keep at most the remaining budget (and always room for the "." line).
            let keep = limit.saturating_sub(message.len()) + 3;
            let give_up = endless.saturating_sub(received).saturating_add(1);
            let (len, cut) = match self.io.read(&mut line, keep, give_up).await? {
                Input::Ended(ending) => return Ok(Body::Ended(ending)),
                Input::Unfinished => {
                    received = received.saturating_add(give_up);
                    return Ok(Body::Endless { received });
                }
                Input::Line { len, cut } => (len, cut),
            };
            received += len;
            if received > endless {
                return Ok(Body::Endless { received });
            }
            if !cut && (line == b".\r\n" || line == b".\n") {
                break;
            }
            let stuffed = line.first() == Some(&b'.');
            size += len - usize::from(stuffed);
            if cut || size > limit {
                // Too big: read on to the end, keeping nothing.
                message = Vec::new();
            } else {
                message.extend_from_slice(&line[usize::from(stuffed)..]);
            }
        }
        Ok(if size > limit {
            Body::TooBig { size }
        } else {
            Body::Message(message)
        })
    }
}

/// Splits `FROM:<path> parameters` / `TO:<path>` (keyword in any case, spaces allowed before
/// the `<`) into the path (trimmed, without an obsolete source route `@a,@b:`) and the
/// parameters after it.
pub(crate) fn parse_path<'a>(arguments: &'a str, keyword: &str) -> Option<(&'a str, &'a str)> {
    let arguments = arguments.trim_start();
    let head = arguments.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let inner = arguments[keyword.len()..].trim_start().strip_prefix('<')?;
    let (path, parameters) = inner.split_once('>')?;
    let path = path.trim();
    let path = match path.split_once(':') {
        Some((_, mailbox)) if path.starts_with('@') => mailbox,
        _ => path,
    };
    Some((path, parameters.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_after_their_keyword() {
        assert_eq!(parse_path("FROM:<>", "FROM:"), Some(("", "")));
        assert_eq!(
            parse_path("from: <a@b.example> SIZE=1000", "FROM:"),
            Some(("a@b.example", "SIZE=1000"))
        );
        assert_eq!(parse_path("TO:a@b.example", "TO:"), None);
        assert_eq!(parse_path("FROM:<a@b.example>", "TO:"), None);
        assert_eq!(parse_path("", "TO:"), None);
        assert_eq!(parse_path("TO:<a@b.example", "TO:"), None);
        assert_eq!(
            parse_path("TO:<@relay.example,@other.example:a@b.example>", "TO:"),
            Some(("a@b.example", ""))
        );
    }
}
