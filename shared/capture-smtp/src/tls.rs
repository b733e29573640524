//! TLS settings (STARTTLS or implicit TLS) and the committed test certificate.

use std::path::{Path, PathBuf};

use circulars_smtp_server::{tls_acceptor, Tls, TlsError};

/// How the server speaks TLS; the files are PEM (certificate chain, leaf first, and private key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain SMTP that offers `STARTTLS` in EHLO and upgrades on request (RFC 3207).
    StartTls {
        /// The certificate chain file (PEM), leaf first.
        cert: PathBuf,
        /// The private key file (PEM: PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
    /// TLS from the first byte, as on a submissions port (RFC 8314).
    Implicit {
        /// The certificate chain file (PEM), leaf first.
        cert: PathBuf,
        /// The private key file (PEM: PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
}

impl TlsMode {
    fn files(&self) -> (&Path, &Path) {
        match self {
            TlsMode::StartTls { cert, key } | TlsMode::Implicit { cert, key } => (cert, key),
        }
    }
}

/// Paths of the committed test certificate (see [`test_tls_files`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestTls {
    /// The server certificate (PEM) for `localhost` and `127.0.0.1`, issued by `ca`.
    pub cert: PathBuf,
    /// The server certificate's private key (PEM, PKCS#8, RSA 2048).
    pub key: PathBuf,
    /// The test CA certificate (PEM): the root a client must trust.
    pub ca: PathBuf,
}

impl TestTls {
    /// [`TlsMode::StartTls`] with the test certificate.
    pub fn starttls(&self) -> TlsMode {
        TlsMode::StartTls {
            cert: self.cert.clone(),
            key: self.key.clone(),
        }
    }

    /// [`TlsMode::Implicit`] with the test certificate.
    pub fn implicit(&self) -> TlsMode {
        TlsMode::Implicit {
            cert: self.cert.clone(),
            key: self.key.clone(),
        }
    }
}

/// The committed test certificate, key and CA under this crate's `fixtures/tls/` (tests only).
///
/// The certificate is valid for DNS name `localhost` and IP address `127.0.0.1` until 2125 and
/// is signed by a test CA; clients trust `ca` as their only root. The key is public: never
/// use these files outside tests.
pub fn test_tls_files() -> TestTls {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tls");
    TestTls {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
        ca: dir.join("ca.pem"),
    }
}

/// Loads the certificate and key of `mode` for the session core.
pub(crate) fn load(mode: &TlsMode) -> Result<Tls, TlsError> {
    let (cert, key) = mode.files();
    let acceptor = tls_acceptor(cert, key)?;
    Ok(match mode {
        TlsMode::StartTls { .. } => Tls::StartTls(acceptor),
        TlsMode::Implicit { .. } => Tls::Implicit(acceptor),
    })
}
