//! Client TLS, one configuration for every outgoing TLS connection (SMTP relays, the bounce
//! mailbox): rustls with the ring provider, the public web roots, and a private CA when a site
//! has one.

use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::TlsConnector;

/// A TLS client trusting the public roots, plus the certificates of `ca` (PEM) when given;
/// the error says what is wrong with `ca`.
pub fn client(ca: Option<&[u8]>) -> Result<TlsConnector, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(pem) = ca {
        use rustls::pki_types::pem::PemObject;
        let certificates = rustls::pki_types::CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        if certificates.is_empty() {
            return Err("no certificate in the file".to_owned());
        }
        for certificate in certificates {
            roots.add(certificate).map_err(|e| e.to_string())?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}
