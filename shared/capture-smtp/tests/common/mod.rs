//! Helpers shared by the test files: a raw SMTP client over TCP or TLS on the loopback interface.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use circulars_capture_smtp::{test_tls_files, CaptureServer, Options, RecipientRules};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// The longest any single step may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// 127.0.0.1 with a free port.
pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Starts a server on the loopback interface, writing to `dir/out`.
pub async fn start(dir: &Path, rules: RecipientRules, options: Options) -> CaptureServer {
    CaptureServer::start_with(loopback(), dir.join("out"), rules, options)
        .await
        .expect("server starts")
}

/// Shuts the server down, failing instead of hanging if that takes too long.
pub async fn stop(server: CaptureServer) {
    timeout(WAIT, server.shutdown())
        .await
        .expect("shutdown returns in time");
}

/// Opens a TCP connection to a loopback address.
pub async fn tcp(addr: SocketAddr) -> TcpStream {
    assert!(addr.ip().is_loopback());
    timeout(WAIT, TcpStream::connect(addr))
        .await
        .expect("connect in time")
        .expect("connect")
}

/// A client TLS configuration trusting only the test CA.
pub fn tls_connector() -> TlsConnector {
    let mut roots = RootCertStore::empty();
    let ca = CertificateDer::from_pem_file(test_tls_files().ca).expect("CA file");
    roots.add(ca).expect("CA accepted as root");
    let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

/// Runs the client side of a TLS handshake, checking the server certificate for `name`.
pub async fn tls(stream: TcpStream, name: &str) -> TlsStream<TcpStream> {
    let name = ServerName::try_from(name.to_string()).expect("server name");
    timeout(WAIT, tls_connector().connect(name, stream))
        .await
        .expect("handshake in time")
        .expect("TLS handshake")
}

/// Standard base64 with padding (for AUTH).
pub fn base64(data: &[u8]) -> String {
    data_encoding::BASE64.encode(data)
}

/// A raw SMTP client over any stream.
pub struct Client<S> {
    pub stream: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    /// Wraps a stream without reading anything.
    pub fn new(stream: S) -> Self {
        Client {
            stream: BufReader::new(stream),
        }
    }

    /// Wraps a stream and checks the 220 greeting.
    pub async fn greeted(stream: S) -> Self {
        let mut client = Client::new(stream);
        let greeting = client.reply().await;
        assert!(greeting.starts_with("220 "), "{greeting}");
        client
    }

    /// The stream, for a TLS upgrade (fails if the server sent more than asked for).
    pub fn into_inner(self) -> S {
        assert!(self.stream.buffer().is_empty(), "unread data from server");
        self.stream.into_inner()
    }

    pub async fn send(&mut self, text: &str) {
        self.stream.write_all(text.as_bytes()).await.expect("write");
        self.stream.flush().await.expect("flush");
    }

    /// Reads one (possibly multi-line) reply, lines joined with "\n", CRLF removed.
    pub async fn reply(&mut self) -> String {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = timeout(WAIT, self.stream.read_line(&mut line))
                .await
                .expect("reply in time")
                .expect("read");
            assert!(n > 0, "connection closed; got so far: {lines:?}");
            assert!(line.ends_with("\r\n"), "reply line not CRLF: {line:?}");
            let line = line.trim_end().to_string();
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if last {
                return lines.join("\n");
            }
        }
    }

    pub async fn cmd(&mut self, command: &str) -> String {
        self.send(&format!("{command}\r\n")).await;
        self.reply().await
    }

    /// Asserts that the server closes the connection (EOF or reset) without sending anything.
    pub async fn assert_closed(&mut self) {
        let mut rest = Vec::new();
        match timeout(WAIT, self.stream.read_to_end(&mut rest))
            .await
            .expect("closed in time")
        {
            Ok(_) => assert!(rest.is_empty(), "unexpected data: {rest:?}"),
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::ConnectionAborted
                        | std::io::ErrorKind::UnexpectedEof
                        | std::io::ErrorKind::BrokenPipe
                ),
                "unexpected error: {e}"
            ),
        }
    }

    /// Sends one message to `rcpts` (EHLO done by the caller) and returns the final reply.
    pub async fn send_mail(&mut self, rcpts: &[&str], body: &str) -> String {
        assert!(self
            .cmd("MAIL FROM:<s@itu.example>")
            .await
            .starts_with("250 "));
        for rcpt in rcpts {
            let reply = self.cmd(&format!("RCPT TO:<{rcpt}>")).await;
            assert!(reply.starts_with("250 "), "{rcpt}: {reply}");
        }
        assert!(self.cmd("DATA").await.starts_with("354 "));
        self.send(&format!("{body}\r\n.\r\n")).await;
        self.reply().await
    }
}

/// A plain TCP client that has read the greeting and sent EHLO.
pub async fn plain_client(addr: SocketAddr) -> Client<TcpStream> {
    let mut client = Client::greeted(tcp(addr).await).await;
    assert!(client.cmd("EHLO client.example").await.starts_with("250"));
    client
}

/// The stored `.eml` files, sorted by name (checks there is nothing else in the folder).
pub fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read out dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    for f in &files {
        assert_eq!(
            f.extension().and_then(|e| e.to_str()),
            Some("eml"),
            "unexpected file {f:?}"
        );
    }
    files
}

/// Reads a stored file as text.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read .eml")
}

/// The value of the `X-Capture-Session` header of a stored file.
pub fn session_header(path: &Path) -> String {
    read(path)
        .lines()
        .find_map(|l| l.strip_prefix("X-Capture-Session: "))
        .expect("X-Capture-Session header")
        .to_string()
}
