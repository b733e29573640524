//! The SMTP connections to one relay: opened here rather than by lettre's pool so that every
//! socket has `TCP_NODELAY` and every attempt a deadline; lettre still speaks the protocol
//! (greeting, EHLO, STARTTLS, AUTH, the mail).
//!
//! Why `TCP_NODELAY`: lettre writes a mail's body and its closing `\r\n.\r\n` as two writes,
//! and with Nagle's algorithm on, the kernel holds the five closing bytes until the relay
//! acknowledges the body, which a Linux relay delays by 40 ms: one mail per connection every
//! ~45 ms whatever the machine can do (docs/BENCHMARKS.md measured it).

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::TlsConnector;

/// A connection idle longer than this is checked with NOOP before it carries a mail.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(1);
/// A connection idle longer than this is closed (relays close theirs after a few minutes).
const CLOSE_AFTER_IDLE: Duration = Duration::from_secs(60);

/// Why one attempt through a relay failed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The relay answered with an error, the connection broke mid-session, or lettre refused
    /// the mail.
    #[error(transparent)]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// No connection could be opened (refused, unreachable, TLS handshake failed).
    #[error("cannot connect to {relay}: {}{source}", if *.tls { "TLS: " } else { "" })]
    Connect {
        /// `host:port`.
        relay: String,
        /// True when the TLS handshake failed, false for the TCP connection.
        tls: bool,
        /// What failed.
        source: std::io::Error,
    },
    /// The relay did not finish the attempt in time.
    #[error("{relay} did not answer within {} s", .after.as_secs())]
    Timeout {
        /// `host:port`.
        relay: String,
        /// The deadline that passed.
        after: Duration,
    },
}

impl SendError {
    /// True when the relay gave no SMTP reply at all (the case for failover); false for an
    /// answer (4xx, 5xx) or a mail lettre refused before sending.
    pub fn is_no_reply(&self) -> bool {
        match self {
            SendError::Smtp(e) => e.status().is_none() && !e.is_client(),
            SendError::Connect { .. } | SendError::Timeout { .. } => true,
        }
    }
}

/// How a connection is secured.
pub enum Security {
    /// Plain SMTP.
    None,
    /// STARTTLS after the greeting, required.
    StartTls(TlsParameters),
    /// TLS from the first byte (SMTPS).
    Implicit(TlsConnector, rustls::pki_types::ServerName<'static>),
}

/// Where and how to connect to one relay.
pub struct Endpoint {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS.
    pub security: Security,
    /// AUTH credentials, if the relay wants them.
    pub credentials: Option<Credentials>,
    /// The deadline of one attempt: connecting (TLS, AUTH included) and the mail.
    pub timeout: Duration,
    /// The most connections kept open between mails.
    pub keep: usize,
}

/// Open connections to one relay, reused from one mail to the next.
pub struct Pool {
    endpoint: Endpoint,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl Pool {
    /// A pool for `endpoint`, empty until the first mail.
    pub fn new(endpoint: Endpoint) -> Pool {
        Pool {
            endpoint,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends one mail over an idle connection or a new one, within the endpoint's deadline;
    /// the connection is kept for the next mail unless it broke.
    pub async fn send(&self, envelope: &Envelope, mail: &[u8]) -> Result<Response, SendError> {
        let deadline = self.endpoint.timeout;
        let attempt = async {
            let mut connection = match self.idle_connection().await {
                Some(connection) => connection,
                None => self.connect().await?,
            };
            let result = connection.send(envelope, mail).await;
            if !connection.has_broken() {
                self.keep(connection);
            }
            Ok(result?)
        };
        // A connection caught by the deadline is dropped with the future: never reused.
        tokio::time::timeout(deadline, attempt)
            .await
            .unwrap_or_else(|_| {
                Err(SendError::Timeout {
                    relay: self.name(),
                    after: deadline,
                })
            })
    }

    fn name(&self) -> String {
        format!("{}:{}", self.endpoint.host, self.endpoint.port)
    }

    /// The most recently used idle connection that still answers, closing stale ones.
    async fn idle_connection(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let (mut connection, since) = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()?;
            let idle = since.elapsed();
            if idle > CLOSE_AFTER_IDLE {
                connection.abort().await;
                continue;
            }
            if idle < CHECK_AFTER_IDLE || connection.test_connected().await {
                return Some(connection);
            }
            connection.abort().await;
        }
    }

    fn keep(&self, connection: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.endpoint.keep {
            idle.push((connection, Instant::now()));
        }
    }

    /// A new connection: TCP with `TCP_NODELAY`, TLS as configured, EHLO, AUTH.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let endpoint = &self.endpoint;
        let failed = |tls: bool| {
            move |source: std::io::Error| SendError::Connect {
                relay: self.name(),
                tls,
                source,
            }
        };
        let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
            .await
            .map_err(failed(false))?;
        tcp.set_nodelay(true).map_err(failed(false))?;
        let stream: Box<dyn AsyncTokioStream> = match &endpoint.security {
            Security::Implicit(connector, name) => Box::new(ImplicitTls(
                connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(failed(true))?,
            )),
            _ => Box::new(tcp),
        };
        let mut connection =
            AsyncSmtpConnection::connect_with_transport(stream, &self.hello).await?;
        if let Security::StartTls(parameters) = &endpoint.security {
            connection.starttls(parameters.clone(), &self.hello).await?;
        }
        if let Some(credentials) = &endpoint.credentials {
            connection
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(connection)
    }
}

/// A TLS stream lettre can drive (it asks every stream for its peer's address).
#[derive(Debug)]
struct ImplicitTls(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for ImplicitTls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for ImplicitTls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
