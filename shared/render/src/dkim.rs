//! DKIM signing of outgoing circulars (RFC 6376), with RSA-SHA256 by default and Ed25519-SHA256
//! (RFC 8463) as an option, covering the RFC 8058 one-click unsubscribe headers.
//!
//! The signature is mail-auth's, made over the mail exactly as lettre serialises it: the
//! top-level MIME headers lettre writes with a multipart body (its `Content-Type`) are hashed
//! like any other, which lettre's own signer does not do. This module chooses what a signature
//! covers ([`SIGNED_HEADERS`], relaxed/relaxed canonicalization) and reads the private key in
//! the forms operators actually have (`dkim/key.rs`): PKCS#8 PEM (`BEGIN PRIVATE KEY`, what
//! `openssl genpkey` and OpenSSL 3's `genrsa` write) for both algorithms, PKCS#1 PEM
//! (`BEGIN RSA PRIVATE KEY`) for RSA, the base64 of the raw 32-byte seed for Ed25519; RSA keys
//! under 1024 bits, which receivers must not accept (RFC 8301), are refused.
//!
//! A name of [`SIGNED_HEADERS`] that a mail does not have is still listed in `h=`: DKIM then
//! signs its absence (RFC 6376 §5.4), so a relay cannot add, say, a `Reply-To` or a `List-Id`
//! to a signed circular without breaking the signature. A name is listed once per instance the
//! mail has, so a further instance added after signing is not detected (no "over-signing").

mod key;

pub use key::DkimKeyError;

use key::SigningKey;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::Message;
use mail_auth::common::headers::HeaderWriter as _;
use secrecy::{ExposeSecret as _, SecretString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The headers every signature covers (RFC 6376 §5.4.1, RFC 8058 §4), in signing order; those a
/// mail lacks are signed as absent.
pub const SIGNED_HEADERS: &[&str] = &[
    "From",
    "Reply-To",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Language",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// The signing algorithm: `rsa` (RSA-SHA256, the default, verified by every receiver) or
/// `ed25519` (Ed25519-SHA256, RFC 8463, verified by fewer; usually published beside an RSA key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DkimAlgorithm {
    /// `a=rsa-sha256`.
    #[default]
    Rsa,
    /// `a=ed25519-sha256`.
    Ed25519,
}

impl DkimAlgorithm {
    /// The name used in configuration and in the DNS record's `k=` tag: `rsa` or `ed25519`.
    pub fn as_str(self) -> &'static str {
        match self {
            DkimAlgorithm::Rsa => "rsa",
            DkimAlgorithm::Ed25519 => "ed25519",
        }
    }
}

impl fmt::Display for DkimAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DkimAlgorithm {
    type Err = DkimError;

    /// `rsa` or `ed25519`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        if name.eq_ignore_ascii_case("rsa") {
            Ok(DkimAlgorithm::Rsa)
        } else if name.eq_ignore_ascii_case("ed25519") {
            Ok(DkimAlgorithm::Ed25519)
        } else {
            Err(DkimError::UnknownAlgorithm(s.to_owned()))
        }
    }
}

/// Why a [`DkimSigner`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DkimError {
    /// The private key file could not be read.
    #[error("cannot read the DKIM private key file {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What reading it said.
        source: std::io::Error,
    },
    /// The private key is not a usable key of the configured algorithm.
    #[error(
        "the DKIM private key{} is not a usable {algorithm} key: {source}",
        .path.as_ref().map(|p| format!(" in {}", p.display())).unwrap_or_default()
    )]
    Key {
        /// The file the key was read from, if it came from one.
        path: Option<PathBuf>,
        /// The configured algorithm.
        algorithm: DkimAlgorithm,
        /// What is wrong with it.
        source: DkimKeyError,
    },
    /// The domain (`d=`) or the selector (`s=`) is not a DNS name a signature can carry.
    #[error("invalid DKIM {field} '{value}': {reason}")]
    Name {
        /// `domain` or `selector`.
        field: &'static str,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An algorithm name other than `rsa` or `ed25519`.
    #[error("unknown DKIM algorithm '{0}': expected 'rsa' or 'ed25519'")]
    UnknownAlgorithm(String),
    /// A mail could not be signed (not expected with a key the signer accepted).
    #[error("cannot DKIM-sign the mail: {source}")]
    Sign {
        /// What mail-auth said.
        source: mail_auth::Error,
    },
}

/// Signs mails as `d=<domain>`, `s=<selector>`, covering [`SIGNED_HEADERS`] with relaxed/relaxed
/// canonicalization. Build it once; [`DkimSigner::sign`] takes `&self` and can be shared.
pub struct DkimSigner {
    key: SigningKey,
    domain: String,
    selector: String,
    algorithm: DkimAlgorithm,
}

impl fmt::Debug for DkimSigner {
    /// Names the signer; never shows the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DkimSigner")
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .field("algorithm", &self.algorithm)
            .field("key", &self.key)
            .finish()
    }
}

impl DkimSigner {
    /// Builds a signer from the private key's text: for RSA a PKCS#1 (`BEGIN RSA PRIVATE KEY`)
    /// or PKCS#8 (`BEGIN PRIVATE KEY`) PEM; for Ed25519 a PKCS#8 PEM or the base64 of the raw
    /// 32-byte seed. Encrypted keys are refused.
    pub fn new(
        domain: &str,
        selector: &str,
        algorithm: DkimAlgorithm,
        private_key: &str,
    ) -> Result<Self, DkimError> {
        Self::build(domain, selector, algorithm, private_key, None)
    }

    /// Builds a signer from a private key file in one of the forms [`DkimSigner::new`] takes;
    /// errors name the file.
    pub fn from_file(
        domain: &str,
        selector: &str,
        algorithm: DkimAlgorithm,
        path: &Path,
    ) -> Result<Self, DkimError> {
        let text = std::fs::read_to_string(path).map_err(|source| DkimError::Read {
            path: path.to_owned(),
            source,
        })?;
        // Wiped from memory once read.
        let text = SecretString::from(text);
        Self::build(
            domain,
            selector,
            algorithm,
            text.expose_secret(),
            Some(path),
        )
    }

    fn build(
        domain: &str,
        selector: &str,
        algorithm: DkimAlgorithm,
        private_key: &str,
        path: Option<&Path>,
    ) -> Result<Self, DkimError> {
        let domain = dns_name("domain", domain)?;
        let selector = dns_name("selector", selector)?;
        let key =
            SigningKey::new(algorithm, private_key, &domain, &selector).map_err(|source| {
                DkimError::Key {
                    path: path.map(Path::to_owned),
                    algorithm,
                    source,
                }
            })?;
        Ok(DkimSigner {
            key,
            domain,
            selector,
            algorithm,
        })
    }

    /// The signing domain (`d=`), lower-cased.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The selector (`s=`), lower-cased: the public key is published at
    /// `<selector>._domainkey.<domain>`.
    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// The signing algorithm.
    pub fn algorithm(&self) -> DkimAlgorithm {
        self.algorithm
    }

    /// Whether a signature costs enough CPU (RSA: about 2 ms; Ed25519: tens of µs) that a
    /// caller on an async runtime should sign on a blocking thread.
    pub fn signs_slowly(&self) -> bool {
        self.algorithm == DkimAlgorithm::Rsa
    }

    /// The `DKIM-Signature` header field of `message`, a whole serialised mail without one (CRLF
    /// line ends): name, folded value and CRLF, to be written before the mail's first field.
    pub fn signature_field(&self, message: &[u8]) -> Result<Vec<u8>, DkimError> {
        let signature = self
            .key
            .sign(message)
            .map_err(|source| DkimError::Sign { source })?;
        let mut field = Vec::with_capacity(512);
        signature.write_header(&mut field);
        Ok(field)
    }

    /// Adds a `DKIM-Signature` header to `message`, replacing one it already has (a mail
    /// carries one signature). Sign last: any later change to a signed header or to the body
    /// breaks the signature.
    pub fn sign(&self, message: &mut Message) -> Result<(), DkimError> {
        message.headers_mut().remove_raw("DKIM-Signature");
        let signature = self
            .key
            .sign(&message.formatted())
            .map_err(|source| DkimError::Sign { source })?;
        // `DKIM-Signature: <value, folded>\r\n`: lettre writes the name and the line end.
        let header = signature.to_header();
        let value = header
            .split_once(':')
            .map_or(header.as_str(), |(_, value)| value)
            .trim()
            .to_owned();
        message
            .headers_mut()
            .insert_raw(HeaderValue::dangerous_new_pre_encoded(
                HeaderName::new_from_ascii_str("DKIM-Signature"),
                value.clone(),
                value,
            ));
        Ok(())
    }
}

/// Checks a domain or selector: dot-separated labels of ASCII letters, digits and hyphens
/// (RFC 6376 `sub-domain`; an internationalised domain must be given as its A-label), and
/// returns it lower-cased.
fn dns_name(field: &'static str, value: &str) -> Result<String, DkimError> {
    let error = |reason| DkimError::Name {
        field,
        value: value.to_owned(),
        reason,
    };
    let name = value.trim().trim_end_matches('.');
    if name.is_empty() {
        return Err(error("it is empty"));
    }
    if name.len() > 253 {
        return Err(error("it is longer than a DNS name can be"));
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(error(
                "each dot-separated label must have 1 to 63 characters",
            ));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(error(
                "only ASCII letters, digits, hyphens and dots are allowed (give an internationalised domain as its xn-- A-label)",
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(error("a label cannot start or end with a hyphen"));
        }
    }
    Ok(name.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dkim");
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    #[test]
    fn debug_never_shows_the_key() {
        for (algorithm, file, kind) in [
            (DkimAlgorithm::Rsa, "rsa-2048.pkcs1.pem", "Rsa"),
            (DkimAlgorithm::Rsa, "rsa-2048.pkcs8.pem", "Rsa"),
            (DkimAlgorithm::Ed25519, "ed25519.pkcs8.pem", "Ed25519"),
            (DkimAlgorithm::Ed25519, "ed25519.raw.b64", "Ed25519"),
        ] {
            let text = fixture(file);
            let signer = DkimSigner::new("itu.example", "s", algorithm, &text).unwrap();
            let shown = format!("{signer:?}");
            assert_eq!(
                shown,
                format!(
                    "DkimSigner {{ domain: \"itu.example\", selector: \"s\", \
                     algorithm: {kind}, key: {kind}([redacted]) }}"
                )
            );
            // Not a line of the key's base64, nor a run of its decimal or hex digits.
            for line in text.lines().filter(|l| !l.starts_with("-----")) {
                assert!(!shown.contains(line.trim()), "{file}: {shown}");
            }
            let digits = shown.replace("Ed25519", "");
            assert!(!digits.chars().any(|c| c.is_ascii_digit()), "{shown}");
            assert!(format!("{signer:#?}").contains("[redacted]"));
        }
    }

    #[test]
    fn names_are_checked_and_lower_cased() {
        assert_eq!(
            dns_name("domain", "Circulars.ITU.example.").ok(),
            Some("circulars.itu.example".to_owned())
        );
        for bad in ["", "a..b", "-a.b", "a b", "itu;x=1", "ïtu.example"] {
            assert!(dns_name("selector", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn algorithms_parse() {
        assert_eq!(
            "RSA".parse::<DkimAlgorithm>().ok(),
            Some(DkimAlgorithm::Rsa)
        );
        assert_eq!(
            "ed25519".parse::<DkimAlgorithm>().ok(),
            Some(DkimAlgorithm::Ed25519)
        );
        assert!("ed448".parse::<DkimAlgorithm>().is_err());
        assert_eq!(DkimAlgorithm::default(), DkimAlgorithm::Rsa);
    }
}
