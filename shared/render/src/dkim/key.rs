//! The DKIM private key: decoded from the forms operators have with the key crates' own decoders
//! (PEM by rustls-pki-types, PKCS#1 and PKCS#8 by `rsa` and `ed25519-dalek`, a raw Ed25519 seed
//! by `data-encoding`), checked, and held in a [`SigningKey`] that never prints it.
//!
//! The key itself lives inside mail-auth's signer. Its RSA key type derives `Debug` from `rsa`'s,
//! which would print the private exponent, and neither key type implements `Zeroize` (both wipe
//! themselves when dropped), so `secrecy` cannot hold them: [`SigningKey`] is the wrapper whose
//! `Debug` shows only the kind of key. The text and bytes the key is decoded from are wiped
//! after use ([`Zeroizing`]).

use super::{DkimAlgorithm, SIGNED_HEADERS};
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256, SigningKey as KeyType};
use mail_auth::dkim::{Canonicalization, DkimSigner as Signer, Done, Signature};
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::{DecodePrivateKey as _, ObjectIdentifier, PrivateKeyInfo};
use rsa::traits::PublicKeyParts as _;
use rsa::RsaPrivateKey;
use rustls_pki_types::pem::{self, PemObject as _};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer};
use secrecy::zeroize::Zeroizing;
use std::fmt;

/// The smallest RSA key receivers accept (RFC 8301 §3.2); 2048 bits is what to publish.
const MIN_RSA_BITS: usize = 1024;

/// What is wrong with a DKIM private key.
#[derive(Debug, thiserror::Error)]
pub enum DkimKeyError {
    /// An RSA key that is not PEM text.
    #[error(
        "expected a PEM file ('-----BEGIN RSA PRIVATE KEY-----' or '-----BEGIN PRIVATE KEY-----')"
    )]
    NotPem,
    /// An Ed25519 key that is neither PEM nor base64.
    #[error("expected a PKCS#8 PEM ('-----BEGIN PRIVATE KEY-----') or the base64 of the raw 32-byte seed ({source})")]
    NotBase64 {
        /// Why it is not base64.
        source: data_encoding::DecodeError,
    },
    /// Base64 that is not the 32 bytes of a raw Ed25519 seed.
    #[error("the base64 text decodes to {0} bytes, not the 32 of a raw Ed25519 seed")]
    SeedLength(usize),
    /// A key encrypted with a passphrase.
    #[error("the key is encrypted; decrypt it (openssl pkey -in KEY -out PLAIN) and protect the file instead")]
    Encrypted,
    /// PEM that holds no private key of a supported form.
    #[error(
        "a '{label}' PEM is not supported; expected 'PRIVATE KEY' (PKCS#8){}",
        if *.algorithm == DkimAlgorithm::Rsa { " or 'RSA PRIVATE KEY' (PKCS#1)" } else { "" }
    )]
    UnsupportedPem {
        /// The label of its first block (`PUBLIC KEY`, `EC PRIVATE KEY`, …).
        label: String,
        /// The configured algorithm.
        algorithm: DkimAlgorithm,
    },
    /// PEM text that cannot be decoded.
    #[error("the PEM block is malformed: {source}")]
    Pem {
        /// What the PEM decoder said.
        source: pem::Error,
    },
    /// A PKCS#8 `PrivateKeyInfo` (RFC 5958) that cannot be decoded.
    #[error("the PKCS#8 structure is malformed: {source}")]
    Pkcs8 {
        /// What the PKCS#8 decoder said.
        source: rsa::pkcs8::Error,
    },
    /// A PKCS#1 `RSAPrivateKey` (RFC 8017) that cannot be decoded.
    #[error("the PKCS#1 RSA structure is malformed: {source}")]
    Pkcs1 {
        /// What the PKCS#1 decoder said.
        source: rsa::pkcs1::Error,
    },
    /// An Ed25519 PKCS#8 key whose private key is not a 32-byte seed.
    #[error("the Ed25519 private key is malformed: {source}")]
    Ed25519 {
        /// What the Ed25519 decoder said.
        source: ed25519_dalek::pkcs8::Error,
    },
    /// A PKCS#8 key of another algorithm (EC, DSA, …).
    #[error("the key is neither an RSA nor an Ed25519 key (algorithm {oid})")]
    OtherKeyType {
        /// Its algorithm's object identifier.
        oid: ObjectIdentifier,
    },
    /// A key of the other algorithm than the one configured.
    #[error("it is an {found} key; configure the algorithm '{found}' or give an {expected} key")]
    WrongAlgorithm {
        /// The key's algorithm.
        found: DkimAlgorithm,
        /// The configured algorithm.
        expected: DkimAlgorithm,
    },
    /// An RSA key too small for receivers.
    #[error("it has {bits} bits; receivers reject RSA keys under {MIN_RSA_BITS} bits (use 2048)")]
    TooSmall {
        /// The size of its modulus.
        bits: usize,
    },
    /// A key the signer refused (not expected once the checks above pass).
    #[error("the signer refused the key: {source}")]
    Signer {
        /// What mail-auth said.
        source: mail_auth::Error,
    },
}

/// A private key ready to sign with the `d=`, `s=`, `h=` and canonicalization of every signature.
pub(super) enum SigningKey {
    /// `a=rsa-sha256`.
    Rsa(Signer<RsaKey<Sha256>, Done>),
    /// `a=ed25519-sha256`.
    Ed25519(Signer<Ed25519Key, Done>),
}

impl fmt::Debug for SigningKey {
    /// Names the kind of key; never shows the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            SigningKey::Rsa(_) => "Rsa",
            SigningKey::Ed25519(_) => "Ed25519",
        };
        f.debug_tuple(kind)
            .field(&format_args!("[redacted]"))
            .finish()
    }
}

impl SigningKey {
    /// Reads `text` as a private key of `algorithm` for signatures as `d=<domain>`,
    /// `s=<selector>` over [`SIGNED_HEADERS`], relaxed/relaxed.
    pub(super) fn new(
        algorithm: DkimAlgorithm,
        text: &str,
        domain: &str,
        selector: &str,
    ) -> Result<Self, DkimKeyError> {
        Ok(match algorithm {
            DkimAlgorithm::Rsa => SigningKey::Rsa(signer(rsa_key(text)?, domain, selector)),
            DkimAlgorithm::Ed25519 => {
                SigningKey::Ed25519(signer(ed25519_key(text)?, domain, selector))
            }
        })
    }

    /// The signature of a whole serialised mail (headers and body, CRLF line ends).
    pub(super) fn sign(&self, message: &[u8]) -> mail_auth::Result<Signature> {
        match self {
            SigningKey::Rsa(signer) => signer.sign(message),
            SigningKey::Ed25519(signer) => signer.sign(message),
        }
    }
}

/// mail-auth's signer for `key`. It lists in `h=` every instance of a signed header the mail
/// has, then the names it lacks, whose absence is thereby signed (RFC 6376 §5.4).
fn signer<K: KeyType>(key: K, domain: &str, selector: &str) -> Signer<K, Done> {
    Signer::from_key(key)
        .domain(domain)
        .selector(selector)
        .headers(SIGNED_HEADERS.iter().copied())
        .header_canonicalization(Canonicalization::Relaxed)
        .body_canonicalization(Canonicalization::Relaxed)
}

/// An RSA key from PKCS#1 or PKCS#8 PEM, of at least [`MIN_RSA_BITS`] bits.
fn rsa_key(text: &str) -> Result<RsaKey<Sha256>, DkimKeyError> {
    if !is_pem(text) {
        return Err(DkimKeyError::NotPem);
    }
    let der = pem_key(text, DkimAlgorithm::Rsa)?;
    // mail-auth takes the DER itself, so the key is decoded here only to be checked.
    let (key, borrowed) = match &*der {
        PrivateKeyDer::Pkcs1(pkcs1) => (
            RsaPrivateKey::from_pkcs1_der(pkcs1.secret_pkcs1_der())
                .map_err(|source| DkimKeyError::Pkcs1 { source })?,
            PrivateKeyDer::from(PrivatePkcs1KeyDer::from(pkcs1.secret_pkcs1_der())),
        ),
        other => (
            RsaPrivateKey::from_pkcs8_der(other.secret_der())
                .map_err(|source| DkimKeyError::Pkcs8 { source })?,
            PrivateKeyDer::from(PrivatePkcs8KeyDer::from(other.secret_der())),
        ),
    };
    let bits = key.n().bits();
    if bits < MIN_RSA_BITS {
        return Err(DkimKeyError::TooSmall { bits });
    }
    RsaKey::from_key_der(borrowed).map_err(|source| DkimKeyError::Signer { source })
}

/// An Ed25519 key from PKCS#8 PEM or the base64 of its raw 32-byte seed.
fn ed25519_key(text: &str) -> Result<Ed25519Key, DkimKeyError> {
    let key = if is_pem(text) {
        let der = pem_key(text, DkimAlgorithm::Ed25519)?;
        ed25519_dalek::SigningKey::from_pkcs8_der(der.secret_der())
            .map_err(|source| DkimKeyError::Ed25519 { source })?
    } else {
        ed25519_dalek::SigningKey::from_bytes(&*raw_seed(text)?)
    };
    Ed25519Key::from_seed_and_public_key(key.as_bytes(), key.verifying_key().as_bytes())
        .map_err(|source| DkimKeyError::Signer { source })
}

/// Whether the text is PEM rather than bare base64 (which has no hyphen).
fn is_pem(text: &str) -> bool {
    text.contains("-----BEGIN ")
}

/// The DER of the private key in PEM `text`, checked to be a key of `algorithm`.
fn pem_key(
    text: &str,
    algorithm: DkimAlgorithm,
) -> Result<Zeroizing<PrivateKeyDer<'static>>, DkimKeyError> {
    // OpenSSL's traditional encryption: headers inside a PKCS#1 block.
    if text.contains("Proc-Type:") || text.contains("DEK-Info:") {
        return Err(DkimKeyError::Encrypted);
    }
    let der = match PrivateKeyDer::from_pem_slice(text.as_bytes()) {
        Ok(der) => Zeroizing::new(der),
        // The decoder skips the blocks it does not know, such as an encrypted PKCS#8 key.
        Err(pem::Error::NoItemsFound) => {
            let label = first_label(text).unwrap_or_default();
            return Err(if label == "ENCRYPTED PRIVATE KEY" {
                DkimKeyError::Encrypted
            } else {
                DkimKeyError::UnsupportedPem {
                    label: label.to_owned(),
                    algorithm,
                }
            });
        }
        Err(source) => return Err(DkimKeyError::Pem { source }),
    };
    let found = match &*der {
        PrivateKeyDer::Pkcs1(_) => DkimAlgorithm::Rsa,
        PrivateKeyDer::Pkcs8(pkcs8) => pkcs8_algorithm(pkcs8.secret_pkcs8_der())?,
        _ => {
            return Err(DkimKeyError::UnsupportedPem {
                label: first_label(text).unwrap_or_default().to_owned(),
                algorithm,
            })
        }
    };
    if found != algorithm {
        return Err(DkimKeyError::WrongAlgorithm {
            found,
            expected: algorithm,
        });
    }
    Ok(der)
}

/// The label of the first PEM block (`PRIVATE KEY` in `-----BEGIN PRIVATE KEY-----`), for
/// messages about the blocks the decoder skips.
fn first_label(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once("-----BEGIN ")?;
    rest.split_once("-----").map(|(label, _)| label)
}

/// The algorithm of a PKCS#8 key.
fn pkcs8_algorithm(der: &[u8]) -> Result<DkimAlgorithm, DkimKeyError> {
    let info = PrivateKeyInfo::try_from(der).map_err(|source| DkimKeyError::Pkcs8 { source })?;
    let oid = info.algorithm.oid;
    if oid == rsa::pkcs1::ALGORITHM_OID {
        Ok(DkimAlgorithm::Rsa)
    } else if oid.as_bytes() == ed25519_dalek::pkcs8::ALGORITHM_OID.as_bytes() {
        Ok(DkimAlgorithm::Ed25519)
    } else {
        Err(DkimKeyError::OtherKeyType { oid })
    }
}

/// The 32-byte seed in base64 `text` (whitespace ignored, padding optional).
fn raw_seed(text: &str) -> Result<Zeroizing<[u8; 32]>, DkimKeyError> {
    let compact: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    let bytes = data_encoding::BASE64_NOPAD
        .decode(compact.trim_end_matches('=').as_bytes())
        .map(Zeroizing::new)
        .map_err(|source| DkimKeyError::NotBase64 { source })?;
    let mut seed = Zeroizing::new([0u8; 32]);
    if bytes.len() != seed.len() {
        return Err(DkimKeyError::SeedLength(bytes.len()));
    }
    seed.copy_from_slice(&bytes);
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dkim");
        std::fs::read_to_string(dir.join(name)).unwrap_or_default()
    }

    fn rsa_public(name: &str) -> Option<Vec<u8>> {
        rsa_key(&fixture(name)).ok().map(|key| key.public_key())
    }

    fn ed25519_public(name: &str) -> Option<Vec<u8>> {
        ed25519_key(&fixture(name)).ok().map(|key| key.public_key())
    }

    #[test]
    fn each_form_of_a_key_reads_as_the_same_key() {
        let rsa = rsa_public("rsa-2048.pkcs1.pem");
        assert!(rsa.is_some());
        assert_eq!(rsa_public("rsa-2048.pkcs8.pem"), rsa);
        let ed25519 = ed25519_public("ed25519.pkcs8.pem");
        assert_eq!(ed25519.as_ref().map(Vec::len), Some(32));
        assert_eq!(ed25519_public("ed25519.raw.b64"), ed25519);
    }

    #[test]
    fn a_raw_seed_may_be_wrapped_or_unpadded() {
        let seed = fixture("ed25519.raw.b64");
        let expected = raw_seed(&seed).ok();
        assert!(expected.is_some());
        let (head, tail) = seed.trim().split_at(20);
        let unpadded = seed.trim().trim_end_matches('=');
        assert_eq!(raw_seed(&format!("{head}\n  {tail}\n")).ok(), expected);
        assert_eq!(raw_seed(unpadded).ok(), expected);
        for bad in ["Z", "Zm=9", "Zm9*"] {
            assert!(
                matches!(raw_seed(bad), Err(DkimKeyError::NotBase64 { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn pem_wrapped_at_another_width_still_reads() {
        let pem = fixture("rsa-2048.pkcs8.pem");
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let rewrapped = body
            .as_bytes()
            .chunks(76)
            .map(|line| String::from_utf8_lossy(line).into_owned())
            .collect::<Vec<_>>()
            .join("\n");
        let text = format!("-----BEGIN PRIVATE KEY-----\n{rewrapped}\n-----END PRIVATE KEY-----\n");
        assert_eq!(
            rsa_key(&text).ok().map(|key| key.public_key()),
            rsa_public("rsa-2048.pkcs8.pem")
        );
    }

    #[test]
    fn small_and_foreign_keys_are_refused() {
        assert!(matches!(
            rsa_key(&fixture("rsa-512.pkcs1.pem")),
            Err(DkimKeyError::TooSmall { bits: 512 })
        ));
        let public = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n";
        let err = ed25519_key(public).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("a 'PUBLIC KEY' PEM is not supported; expected 'PRIVATE KEY' (PKCS#8)")
        );
        let traditional = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n";
        assert!(matches!(rsa_key(traditional), Err(DkimKeyError::Encrypted)));
    }
}
