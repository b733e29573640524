//! The connection to the IMAP server: TCP, the greeting, and TLS (implicit or STARTTLS) with
//! the public roots and an optional private CA.

use super::{MailboxError, Steps};
use async_imap::imap_proto::{Response, Status};
use async_imap::Client;
use circulars_core::config::{MailboxConfig, MailboxTls};
use circulars_core::tls::TlsError;
use std::fmt;
use std::path::Path;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::TlsConnector;

/// The byte stream under the IMAP client: TCP, or TLS over it.
pub(super) trait Connection: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Connection for T {}

pub(super) type Stream = Box<dyn Connection>;

/// A connection that has read the server's greeting, TLS set up as configured.
pub(super) async fn connect(
    config: &MailboxConfig,
    steps: &Steps,
) -> Result<Client<Stream>, MailboxError> {
    let tcp = steps
        .timed(
            "connect",
            TcpStream::connect((config.host.as_str(), config.port)),
        )
        .await?
        .map_err(|source| MailboxError::Connect {
            server: steps.server.clone(),
            source,
        })?;
    let _ = tcp.set_nodelay(true);
    let stream: Stream = match config.tls {
        MailboxTls::Implicit => tls(config, steps, Box::new(tcp)).await?,
        MailboxTls::Starttls | MailboxTls::None => Box::new(tcp),
    };
    let mut client = Client::new(stream);
    greeting(&mut client, steps).await?;
    if config.tls != MailboxTls::Starttls {
        return Ok(client);
    }
    steps
        .imap(
            "STARTTLS",
            client.run_command_and_check_ok("STARTTLS", None),
        )
        .await?;
    // Whatever the server sent after its answer is dropped with the client's buffer (as RFC
    // 3501 requires: nothing read before the handshake may be trusted).
    let stream = tls(config, steps, client.into_inner()).await?;
    Ok(Client::new(stream))
}

/// Reads the server's first line, which must be `* OK`.
async fn greeting(client: &mut Client<Stream>, steps: &Steps) -> Result<(), MailboxError> {
    let first = steps
        .timed("greeting", client.read_response())
        .await?
        .map_err(|e| steps.protocol("greeting", e.to_string()))?
        .ok_or_else(|| steps.protocol("greeting", "the connection closed".into()))?;
    match first.parsed() {
        Response::Data {
            status: Status::Ok, ..
        } => Ok(()),
        Response::Data {
            status, outcome, ..
        } => Err(steps.protocol(
            "greeting",
            format!(
                "{status:?}: {}",
                outcome.information.as_deref().unwrap_or_default()
            ),
        )),
        other => Err(steps.protocol("greeting", format!("unexpected {other:?}"))),
    }
}

/// The TLS handshake over `stream`, checking the certificate against the host name.
async fn tls(
    config: &MailboxConfig,
    steps: &Steps,
    stream: Stream,
) -> Result<Stream, MailboxError> {
    let ca_file = config.tls_ca_file.as_deref();
    let connector = tls_connector(ca_file).map_err(|e| steps.tls("CA file", e))?;
    let name = rustls::pki_types::ServerName::try_from(config.host.clone())
        .map_err(|e| steps.tls(format!("host name {:?}", config.host), e))?;
    let stream = steps
        .timed("TLS handshake", connector.connect(name, stream))
        .await?
        .map_err(|e| steps.tls("handshake", e))?;
    Ok(Box::new(stream))
}

/// Why the TLS client could not be set up.
#[derive(Debug, thiserror::Error)]
pub(super) enum ConnectorError {
    /// The CA file could not be read.
    #[error("{file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The CA file's certificates were refused.
    #[error("{file}: {source}")]
    Certificates {
        /// The file.
        file: String,
        /// What is wrong with them.
        source: TlsError,
    },
    /// No CA file, and rustls refused the defaults.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// The TLS client: the public roots, plus the certificates of `ca_file` (PEM) when given.
pub(super) fn tls_connector(ca_file: Option<&Path>) -> Result<TlsConnector, ConnectorError> {
    let Some(file) = ca_file else {
        return Ok(circulars_core::tls::client(None)?);
    };
    let name = || file.display().to_string();
    let pem = std::fs::read(file).map_err(|source| ConnectorError::Read {
        file: name(),
        source,
    })?;
    circulars_core::tls::client(Some(&pem)).map_err(|source| ConnectorError::Certificates {
        file: name(),
        source,
    })
}
