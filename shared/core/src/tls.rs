//! Client TLS, one configuration for every outgoing TLS connection (SMTP relays, the bounce
//! mailbox): rustls with the ring provider, the public web roots, and a private CA when a site
//! has one.

use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::TlsConnector;

/// Why a TLS client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The CA file is not PEM.
    #[error("{0}")]
    Pem(#[from] rustls::pki_types::pem::Error),
    /// The CA file holds no certificate.
    #[error("no certificate in the file")]
    NoCertificate,
    /// rustls refused a certificate or the protocol versions.
    #[error("{0}")]
    Rustls(#[from] rustls::Error),
}

/// A TLS client trusting the public roots, plus the certificates of `ca` (PEM) when given;
/// the error says what is wrong with `ca`.
pub fn client(ca: Option<&[u8]>) -> Result<TlsConnector, TlsError> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(pem) = ca {
        use rustls::pki_types::pem::PemObject;
        let certificates = rustls::pki_types::CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()?;
        if certificates.is_empty() {
            return Err(TlsError::NoCertificate);
        }
        for certificate in certificates {
            roots.add(certificate)?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}
