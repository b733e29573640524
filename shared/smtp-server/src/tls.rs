//! The server's TLS: a certificate chain and private key from PEM files, loaded into a
//! rustls acceptor (ring provider, TLS 1.2 and 1.3).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// How a server speaks TLS (see [`crate::Settings::tls`]).
#[derive(Clone)]
pub enum Tls {
    /// Plain SMTP that offers `STARTTLS` in EHLO and upgrades on request (RFC 3207).
    StartTls(TlsAcceptor),
    /// TLS from the first byte, as on a submissions port (RFC 8314).
    Implicit(TlsAcceptor),
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tls::StartTls(_) => "Tls::StartTls",
            Tls::Implicit(_) => "Tls::Implicit",
        })
    }
}

/// Which of the two files a [`TlsError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsFile {
    /// The certificate chain.
    Certificate,
    /// The private key.
    Key,
}

/// Why the certificate and key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate file cannot be read or is not PEM.
    #[error("cannot use TLS file {}: {source}", path.display())]
    Certificate {
        /// The certificate file.
        path: PathBuf,
        /// What reading it said.
        source: pem::Error,
    },
    /// The certificate file holds no certificate.
    #[error("cannot use TLS file {}: no CERTIFICATE found", path.display())]
    NoCertificate {
        /// The certificate file.
        path: PathBuf,
    },
    /// The key file cannot be read or holds no private key.
    #[error("cannot use TLS file {}: {source}", path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// What reading it said.
        source: pem::Error,
    },
    /// rustls refused the pair (e.g. the key does not match the certificate).
    #[error("cannot use TLS file {}: {source}", path.display())]
    Refused {
        /// The certificate file.
        path: PathBuf,
        /// What rustls said.
        source: rustls::Error,
    },
}

impl TlsError {
    /// The file the error is about.
    pub fn file(&self) -> TlsFile {
        match self {
            TlsError::Key { .. } => TlsFile::Key,
            TlsError::Certificate { .. }
            | TlsError::NoCertificate { .. }
            | TlsError::Refused { .. } => TlsFile::Certificate,
        }
    }
}

/// Loads a certificate chain (PEM, leaf first) and its private key (PEM: PKCS#8, PKCS#1 or
/// SEC1) into a TLS acceptor.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|source| TlsError::Certificate {
            path: cert.to_path_buf(),
            source,
        })?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: cert.to_path_buf(),
        });
    }
    let private_key = PrivateKeyDer::from_pem_file(key).map_err(|source| TlsError::Key {
        path: key.to_path_buf(),
        source,
    })?;
    let refused = |source| TlsError::Refused {
        path: cert.to_path_buf(),
        source,
    };
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(refused)?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(refused)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
