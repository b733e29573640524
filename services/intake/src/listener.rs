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
//! A message is answered 250 only after it is stored whole and its report published
//! ([`intake::receive`]); when either fails the answer is 451 and the sender tries again.

use circulars_core::config::Config;
use circulars_core::nats::Bus;
use circulars_core::tokens::{parse_return_address, Purpose};
use circulars_returned_mail::intake;
use circulars_returned_mail::reports::Matcher;
use circulars_store::{short_id, ReportSource};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
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

/// Why the listener could not start.
#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    /// The address could not be bound.
    #[error("bounces.listen: cannot listen on {address}: {why}")]
    Bind {
        /// The configured address.
        address: SocketAddr,
        /// What the system said.
        why: std::io::Error,
    },
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
    matcher: Matcher,
    bus: Bus,
    clients: Mutex<Clients>,
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
    /// Binds `address`; `matcher` verifies recipients' tokens and holds the database.
    pub async fn bind(
        address: SocketAddr,
        settings: Settings,
        matcher: Matcher,
        bus: Bus,
    ) -> Result<Listener, ListenerError> {
        let socket = TcpListener::bind(address)
            .await
            .map_err(|why| ListenerError::Bind { address, why })?;
        Ok(Listener {
            socket,
            shared: Arc::new(Shared {
                settings,
                matcher,
                bus,
                clients: Mutex::new(Clients::default()),
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
        info!(address = ?address, "bounce intake listening");
        let mut sessions = tokio::task::JoinSet::new();
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
                    let mut stream = stream;
                    let _ = stream
                        .write_all(format!("421 4.7.0 {why}, try again later\r\n").as_bytes())
                        .await;
                    return;
                }
                let mut session = Session::new(&shared, stream, peer);
                session.run(&shutdown).await;
                shared.leave(peer.ip());
            });
        }
        while sessions.join_next().await.is_some() {}
        info!("bounce intake stopped");
    }
}

/// What the next read gave.
enum Read {
    /// A whole line, CRLF or LF included.
    Line(Vec<u8>),
    /// A line longer than the limit (the rest of it not read).
    TooLong,
    /// The client closed, went silent past the timeout, or the service is stopping.
    Closed(&'static str),
}

/// One SMTP session.
struct Session<'s> {
    shared: &'s Shared,
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    peer: SocketAddr,
    greeted: bool,
    sender: Option<String>,
    recipients: Vec<String>,
}

impl<'s> Session<'s> {
    fn new(shared: &'s Shared, stream: TcpStream, peer: SocketAddr) -> Session<'s> {
        let _ = stream.set_nodelay(true);
        let (read, write) = stream.into_split();
        Session {
            shared,
            reader: BufReader::new(read),
            writer: write,
            peer,
            greeted: false,
            sender: None,
            recipients: Vec::new(),
        }
    }

    async fn reply(&mut self, text: &str) -> bool {
        let sent = self.writer.write_all(text.as_bytes()).await.is_ok()
            && self.writer.write_all(b"\r\n").await.is_ok();
        sent && self.writer.flush().await.is_ok()
    }

    /// Reads one line of at most `limit` bytes, waiting at most the idle timeout.
    async fn read_line(&mut self, limit: usize, shutdown: &CancellationToken) -> Read {
        let mut line = Vec::new();
        let mut bounded = (&mut self.reader).take(limit as u64);
        let read = bounded.read_until(b'\n', &mut line);
        let result = tokio::select! {
            _ = shutdown.cancelled() => return Read::Closed("the service is stopping"),
            r = tokio::time::timeout(self.shared.settings.idle_timeout, read) => r,
        };
        match result {
            Err(_) => Read::Closed("idle timeout"),
            Ok(Err(_)) | Ok(Ok(0)) => Read::Closed("connection closed"),
            Ok(Ok(_)) if line.ends_with(b"\n") => Read::Line(line),
            Ok(Ok(_)) if line.len() >= limit => Read::TooLong,
            Ok(Ok(_)) => Read::Closed("connection closed mid-line"),
        }
    }

    async fn run(&mut self, shutdown: &CancellationToken) {
        let greeting = format!(
            "220 {} circulars bounce intake ESMTP",
            self.shared.settings.hostname
        );
        if !self.reply(&greeting).await {
            return;
        }
        loop {
            let line = match self.read_line(MAX_LINE, shutdown).await {
                Read::Line(line) => line,
                Read::TooLong => {
                    self.reply("500 5.5.2 line too long").await;
                    info!(client = %self.peer, "bounce intake: command line too long; closed");
                    return;
                }
                Read::Closed(why) => {
                    if why != "connection closed" {
                        self.reply(&format!("421 4.4.2 {why}")).await;
                    }
                    debug!(client = %self.peer, why, "bounce intake session ended");
                    return;
                }
            };
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
            let keep_on = match verb.to_ascii_uppercase().as_str() {
                "EHLO" => self.ehlo(rest).await,
                "HELO" => {
                    self.greeted = true;
                    self.reply(&format!("250 {}", self.shared.settings.hostname))
                        .await
                }
                "MAIL" => self.mail(rest).await,
                "RCPT" => self.rcpt(rest).await,
                "DATA" => self.data(shutdown).await,
                "RSET" => {
                    self.sender = None;
                    self.recipients.clear();
                    self.reply("250 2.0.0 Ok").await
                }
                "NOOP" => self.reply("250 2.0.0 Ok").await,
                "QUIT" => {
                    self.reply("221 2.0.0 Bye").await;
                    return;
                }
                _ => self.reply("502 5.5.2 command not recognised").await,
            };
            if !keep_on {
                return;
            }
        }
    }

    async fn ehlo(&mut self, _client_name: &str) -> bool {
        self.greeted = true;
        self.sender = None;
        self.recipients.clear();
        let text = format!(
            "250-{}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES",
            self.shared.settings.hostname, self.shared.settings.max_message_bytes
        );
        self.reply(&text).await
    }

    async fn mail(&mut self, rest: &str) -> bool {
        if !self.greeted {
            return self.reply("503 5.5.1 say EHLO first").await;
        }
        if self.sender.is_some() {
            return self.reply("503 5.5.1 sender already given").await;
        }
        let Some((path, parameters)) = path_after(rest, "FROM:") else {
            return self.reply("501 5.5.4 syntax: MAIL FROM:<address>").await;
        };
        let declared = parameters.split_whitespace().find_map(|p| {
            let (key, value) = p.split_once('=')?;
            key.eq_ignore_ascii_case("SIZE")
                .then(|| value.parse::<usize>().ok())?
        });
        if declared.is_some_and(|size| size > self.shared.settings.max_message_bytes) {
            info!(client = %self.peer, size = declared, "bounce intake: declared size over the limit");
            return self
                .reply("552 5.3.4 message too big for this system")
                .await;
        }
        if !self.shared.may_send(self.peer.ip()) {
            info!(client = %self.peer, "bounce intake: message rate limit reached");
            return self
                .reply("451 4.7.1 too many messages from your address, try again later")
                .await;
        }
        self.sender = Some(path);
        self.reply("250 2.1.0 Ok").await
    }

    async fn rcpt(&mut self, rest: &str) -> bool {
        if self.sender.is_none() {
            return self.reply("503 5.5.1 MAIL first").await;
        }
        let Some((address, _)) = path_after(rest, "TO:") else {
            return self.reply("501 5.5.4 syntax: RCPT TO:<address>").await;
        };
        if self.recipients.len() >= MAX_RECIPIENTS {
            return self.reply("452 4.5.3 too many recipients").await;
        }
        match self.recipient_check(&address) {
            Ok(()) => {
                self.recipients.push(address);
                self.reply("250 2.1.5 Ok").await
            }
            Err(why) => {
                info!(client = %self.peer, recipient = %shown(&address), why, "bounce intake: recipient refused");
                self.reply("550 5.1.1 no such recipient here").await
            }
        }
    }

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
            });
        }
        Ok(())
    }

    async fn data(&mut self, shutdown: &CancellationToken) -> bool {
        if self.recipients.is_empty() {
            return self.reply("503 5.5.1 RCPT first").await;
        }
        if !self.reply("354 End data with <CR><LF>.<CR><LF>").await {
            return false;
        }
        let limit = self.shared.settings.max_message_bytes;
        let mut message = Vec::new();
        let mut size = 0usize;
        loop {
            // A line longer than the limit is read in pieces of it.
            let line = match self.read_line(limit.max(MAX_LINE), shutdown).await {
                Read::Line(line) => line,
                Read::TooLong => {
                    self.reply("552 5.3.4 message too big for this system")
                        .await;
                    info!(client = %self.peer, "bounce intake: message line beyond the size limit; closed");
                    return false;
                }
                Read::Closed(why) => {
                    info!(client = %self.peer, why, received = size, "bounce intake: message not finished; nothing stored");
                    if why != "connection closed" && why != "connection closed mid-line" {
                        self.reply(&format!("421 4.4.2 {why}")).await;
                    }
                    return false;
                }
            };
            if line == b".\r\n" || line == b".\n" {
                break;
            }
            size += line.len();
            if size > limit.saturating_mul(2).max(OVERSIZE_CUTOFF) {
                self.reply("552 5.3.4 message too big for this system")
                    .await;
                info!(client = %self.peer, received = size, "bounce intake: message far beyond the size limit; closed");
                return false;
            }
            if size <= limit {
                let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
                message.extend_from_slice(unstuffed);
            }
        }
        let recipients = std::mem::take(&mut self.recipients);
        self.sender = None;
        if size > limit {
            info!(client = %self.peer, size, limit, "bounce intake: message too big; refused");
            return self
                .reply("552 5.3.4 message too big for this system")
                .await;
        }
        let store = &self.shared.matcher.store;
        match intake::receive(
            store,
            &self.shared.bus,
            message,
            ReportSource::Smtp,
            recipients,
        )
        .await
        {
            Ok(received) => {
                let id = short_id(&received.event.report).to_owned();
                self.reply(&format!("250 2.0.0 Ok: stored as {id}")).await
            }
            Err(e) => {
                warn!(client = %self.peer, error = %e, "bounce intake: message not stored; sender will retry");
                self.reply("451 4.3.0 cannot store the message now, try again later")
                    .await
            }
        }
    }
}

/// The address in `<...>` after `keyword` (`FROM:`, `TO:`, any case, spaces allowed before
/// the `<`), and the parameters after it.
fn path_after<'a>(rest: &'a str, keyword: &str) -> Option<(String, &'a str)> {
    let rest = rest.trim_start();
    let head = rest.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = rest[keyword.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let (path, parameters) = inner.split_once('>')?;
    Some((path.trim().to_owned(), parameters.trim()))
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
    fn paths_are_read_after_their_keyword() {
        assert_eq!(path_after("FROM:<>", "FROM:"), Some((String::new(), "")));
        assert_eq!(
            path_after("from: <a@b.example> SIZE=1000", "FROM:"),
            Some(("a@b.example".to_owned(), "SIZE=1000"))
        );
        assert_eq!(path_after("TO:a@b.example", "TO:"), None);
        assert_eq!(path_after("FROM:<a@b.example>", "TO:"), None);
        assert_eq!(path_after("", "TO:"), None);
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
