//! DKIM signing of outgoing circulars (RFC 6376), with RSA-SHA256 by default and Ed25519-SHA256
//! (RFC 8463) as an option, covering the RFC 8058 one-click unsubscribe headers.
//!
//! The signature itself is lettre's ([`Message::sign`]); this module chooses what it covers
//! ([`SIGNED_HEADERS`], relaxed/relaxed canonicalization), reads the private key in the forms
//! operators actually have, and makes up for two things lettre does not do on its own:
//!
//! - **Keys.** lettre reads RSA keys only as PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`) and Ed25519
//!   keys only as the base64 of the raw 32-byte seed. [`DkimSigner`] also takes PKCS#8 PEM
//!   (`BEGIN PRIVATE KEY`, what `openssl genpkey` and OpenSSL 3's `genrsa` write) for both, and
//!   refuses RSA keys under 1024 bits, which receivers must not accept (RFC 8301).
//! - **Top-level MIME headers.** For a multipart (or single-part) body, lettre keeps the
//!   message's `Content-Type` with the body, not among [`Message::headers`], so its signer would
//!   claim `content-type` in `h=` without hashing it and every verifier would fail the signature.
//!   [`DkimSigner::sign`] puts such a header among the message headers for the time of signing,
//!   exactly as it is written out, then takes it back out.
//!
//! A name of [`SIGNED_HEADERS`] that a mail does not have is still listed in `h=`: DKIM then
//! signs its absence (RFC 6376 §5.4), so a relay cannot add, say, a `Reply-To` or a `List-Id`
//! to a signed circular without breaking the signature. lettre lists each name once, so a second
//! instance of a header added after signing is not detected (no "over-signing").

use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::Message;
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

/// The smallest RSA key receivers accept (RFC 8301 §3.2); 2048 bits is what to publish.
const MIN_RSA_BITS: usize = 1024;

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
        "the DKIM private key{} is not a usable {algorithm} key: {reason}",
        .path.as_ref().map(|p| format!(" in {}", p.display())).unwrap_or_default()
    )]
    Key {
        /// The file the key was read from, if it came from one.
        path: Option<PathBuf>,
        /// The configured algorithm.
        algorithm: DkimAlgorithm,
        /// What is wrong with it.
        reason: String,
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
}

/// Signs mails as `d=<domain>`, `s=<selector>`, covering [`SIGNED_HEADERS`] with relaxed/relaxed
/// canonicalization. Build it once; [`DkimSigner::sign`] takes `&self` and can be shared.
pub struct DkimSigner {
    config: DkimConfig,
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
            .finish_non_exhaustive()
    }
}

impl DkimSigner {
    /// Builds a signer from the private key's text: for RSA a PKCS#1 (`BEGIN RSA PRIVATE KEY`)
    /// or PKCS#8 (`BEGIN PRIVATE KEY`) PEM; for Ed25519 a PKCS#8 PEM or the base64 of the raw
    /// 32-byte seed (lettre's own form). Encrypted keys are refused.
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
        Self::build(domain, selector, algorithm, &text, Some(path))
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
        let key_error = |reason: String| DkimError::Key {
            path: path.map(Path::to_owned),
            algorithm,
            reason,
        };
        let lettre_form = key_for_lettre(algorithm, private_key).map_err(key_error)?;
        let lettre_algorithm = match algorithm {
            DkimAlgorithm::Rsa => DkimSigningAlgorithm::Rsa,
            DkimAlgorithm::Ed25519 => DkimSigningAlgorithm::Ed25519,
        };
        let key = DkimSigningKey::new(&lettre_form, lettre_algorithm)
            .map_err(|e| key_error(e.to_string()))?;
        let config = DkimConfig::new(
            selector.clone(),
            domain.clone(),
            key,
            SIGNED_HEADERS
                .iter()
                .map(|&name| HeaderName::new_from_ascii_str(name))
                .collect(),
            DkimCanonicalization {
                header: DkimCanonicalizationType::Relaxed,
                body: DkimCanonicalizationType::Relaxed,
            },
        );
        Ok(DkimSigner {
            config,
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

    /// Adds a `DKIM-Signature` header to `message`, replacing one it already has (a mail
    /// carries one signature). Sign last: any later change to a signed header or to the body
    /// breaks the signature.
    pub fn sign(&self, message: &mut Message) {
        // The top-level MIME headers lettre writes with the body (see the module docs), put
        // among the message headers as written for the time of signing.
        let missing: Vec<&'static str> = SIGNED_HEADERS
            .iter()
            .copied()
            .filter(|name| message.headers().get_raw(name).is_none())
            .collect();
        let mut borrowed = Vec::new();
        if !missing.is_empty() {
            let formatted = message.formatted();
            for (name, value) in header_fields(&formatted) {
                if let Some(signed) = missing.iter().find(|m| m.eq_ignore_ascii_case(name)) {
                    // Keep the last instance: the one a verifier takes for a single `h=` entry.
                    borrowed.retain(|(n, _)| n != signed);
                    borrowed.push((*signed, value.to_owned()));
                }
            }
        }
        for &(name, ref value) in &borrowed {
            message
                .headers_mut()
                .insert_raw(HeaderValue::dangerous_new_pre_encoded(
                    HeaderName::new_from_ascii_str(name),
                    value.clone(),
                    value.clone(),
                ));
        }
        message.sign(&self.config);
        for &(name, _) in &borrowed {
            message.headers_mut().remove_raw(name);
        }
    }
}

/// The header fields of a formatted mail, in order, as `(name, value)` with the value as
/// written (still folded, without the line's final CRLF); stops at the blank line.
fn header_fields(formatted: &[u8]) -> Vec<(&str, &str)> {
    let end = formatted
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(formatted.len(), |i| i + 2);
    // lettre writes headers in ASCII (RFC 2047 encodes the rest); skip anything else.
    let Ok(head) = std::str::from_utf8(&formatted[..end]) else {
        return Vec::new();
    };
    let mut fields: Vec<(&str, &str)> = Vec::new();
    let mut start = 0;
    while start < head.len() {
        // A field runs until a CRLF that is not followed by a folding space or tab.
        let mut stop = start;
        let field_end = loop {
            match head[stop..].find("\r\n") {
                Some(i) => {
                    let crlf = stop + i;
                    if matches!(head.as_bytes().get(crlf + 2), Some(b' ' | b'\t')) {
                        stop = crlf + 2;
                    } else {
                        break crlf;
                    }
                }
                None => break head.len(),
            }
        };
        if let Some((name, value)) = head[start..field_end].split_once(':') {
            fields.push((name.trim_end(), value.trim_start_matches([' ', '\t'])));
        }
        start = field_end + 2;
    }
    fields
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

/// DER object identifier of `rsaEncryption` (1.2.840.113549.1.1.1).
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// DER object identifier of `id-Ed25519` (1.3.101.112).
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// Turns the key text into the form lettre reads (PKCS#1 PEM for RSA, base64 of the 32-byte
/// seed for Ed25519), or says what is wrong with it.
fn key_for_lettre(algorithm: DkimAlgorithm, text: &str) -> Result<String, String> {
    let text = text.trim();
    if !text.starts_with("-----BEGIN ") {
        return match algorithm {
            DkimAlgorithm::Ed25519 => match base64_decode(text) {
                Some(seed) if seed.len() == 32 => Ok(base64_encode(&seed)),
                Some(other) => Err(format!(
                    "the base64 text decodes to {} bytes, not the 32 of a raw Ed25519 seed",
                    other.len()
                )),
                None => Err(
                    "expected a PKCS#8 PEM ('-----BEGIN PRIVATE KEY-----') or the base64 of the raw 32-byte seed"
                        .into(),
                ),
            },
            DkimAlgorithm::Rsa => Err(
                "expected a PEM file ('-----BEGIN RSA PRIVATE KEY-----' or '-----BEGIN PRIVATE KEY-----')"
                    .into(),
            ),
        };
    }
    let (label, der) = pem_decode(text)?;
    let (oid, key) = match label {
        "PRIVATE KEY" => pkcs8_private_key(&der)
            .ok_or_else(|| "the PKCS#8 structure is malformed".to_owned())?,
        "RSA PRIVATE KEY" => (OID_RSA, der.as_slice()),
        "ENCRYPTED PRIVATE KEY" => {
            return Err(
                "the key is encrypted; decrypt it (openssl pkey -in KEY -out PLAIN) and protect the file instead"
                    .into(),
            )
        }
        other => {
            return Err(format!(
                "a '{other}' PEM is not supported; expected 'PRIVATE KEY' (PKCS#8){}",
                if algorithm == DkimAlgorithm::Rsa {
                    " or 'RSA PRIVATE KEY' (PKCS#1)"
                } else {
                    ""
                }
            ))
        }
    };
    let found = if oid == OID_RSA {
        DkimAlgorithm::Rsa
    } else if oid == OID_ED25519 {
        DkimAlgorithm::Ed25519
    } else {
        return Err("the key is neither an RSA nor an Ed25519 key".into());
    };
    if found != algorithm {
        return Err(format!(
            "it is an {found} key; configure the algorithm '{found}' or give an {algorithm} key"
        ));
    }
    match algorithm {
        DkimAlgorithm::Rsa => {
            let bits = rsa_modulus_bits(key)
                .ok_or_else(|| "the PKCS#1 RSA structure is malformed".to_owned())?;
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "it has {bits} bits; receivers reject RSA keys under {MIN_RSA_BITS} bits (use 2048)"
                ));
            }
            Ok(pem_encode("RSA PRIVATE KEY", key))
        }
        DkimAlgorithm::Ed25519 => match der_element(key) {
            // CurvePrivateKey ::= OCTET STRING (RFC 8410 §7)
            Some((0x04, seed, _)) if seed.len() == 32 => Ok(base64_encode(seed)),
            _ => Err("the Ed25519 private key is not a 32-byte seed".into()),
        },
    }
}

/// The algorithm identifier and the private key octets of a PKCS#8 `PrivateKeyInfo` (RFC 5208,
/// RFC 5958).
fn pkcs8_private_key(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (0x30, info, _) = der_element(der)? else {
        return None;
    };
    let (0x02, _version, rest) = der_element(info)? else {
        return None;
    };
    let (0x30, algorithm, rest) = der_element(rest)? else {
        return None;
    };
    let (0x06, oid, _) = der_element(algorithm)? else {
        return None;
    };
    let (0x04, key, _) = der_element(rest)? else {
        return None;
    };
    Some((oid, key))
}

/// The size in bits of the modulus of a PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2).
fn rsa_modulus_bits(der: &[u8]) -> Option<usize> {
    let (0x30, key, _) = der_element(der)? else {
        return None;
    };
    let (0x02, _version, rest) = der_element(key)? else {
        return None;
    };
    let (0x02, modulus, _) = der_element(rest)? else {
        return None;
    };
    let significant = modulus.iter().position(|&b| b != 0)?;
    let leading = modulus[significant].leading_zeros() as usize;
    Some((modulus.len() - significant) * 8 - leading)
}

/// The first DER element of `input`: its tag, its contents and what follows it.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (len, rest) = rest.split_at(count);
        (
            len.iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b)),
            rest,
        )
    };
    if rest.len() < len {
        return None;
    }
    let (contents, rest) = rest.split_at(len);
    Some((tag, contents, rest))
}

/// The label and the decoded contents of the first PEM block of `text` (RFC 7468).
fn pem_decode(text: &str) -> Result<(&str, Vec<u8>), String> {
    let malformed = || "the PEM block is malformed".to_owned();
    let rest = text.strip_prefix("-----BEGIN ").ok_or_else(malformed)?;
    let (label, rest) = rest.split_once("-----").ok_or_else(malformed)?;
    let end = format!("-----END {label}-----");
    let (body, _) = rest.split_once(end.as_str()).ok_or_else(malformed)?;
    if body.contains("Proc-Type:") || body.contains("DEK-Info:") {
        return Err(
            "the key is encrypted; decrypt it (openssl pkey -in KEY -out PLAIN) and protect the file instead"
                .into(),
        );
    }
    let der = base64_decode(body).ok_or_else(|| "the PEM body is not valid base64".to_owned())?;
    Ok((label, der))
}

/// A PEM block with 64-character lines.
fn pem_encode(label: &str, der: &[u8]) -> String {
    let mut pem = format!("-----BEGIN {label}-----\n");
    for (i, c) in base64_encode(der).chars().enumerate() {
        if i > 0 && i % 64 == 0 {
            pem.push('\n');
        }
        pem.push(c);
    }
    pem.push_str(&format!("\n-----END {label}-----\n"));
    pem
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[((n >> (18 - 6 * i)) & 0x3f) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64, whitespace ignored, padding optional; `None` if it is not base64.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    let mut padding = false;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            padding = true;
            continue;
        }
        if padding {
            return None;
        }
        let value = BASE64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Six leftover bits cannot come from whole bytes.
    (bits != 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for len in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 200) as u8).collect();
            let text = base64_encode(&bytes);
            assert_eq!(base64_decode(&text), Some(bytes.clone()), "{text}");
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_decode("Zm9v\nYg"), Some(b"foob".to_vec()));
        assert_eq!(base64_decode("Z"), None);
        assert_eq!(base64_decode("Zm=9"), None);
        assert_eq!(base64_decode("Zm9*"), None);
    }

    fn fixture(name: &str) -> String {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dkim");
        std::fs::read_to_string(dir.join(name)).unwrap_or_default()
    }

    #[test]
    fn pkcs8_keys_become_what_lettre_reads() {
        // The same keys as OpenSSL writes them in lettre's forms.
        let pkcs1 = key_for_lettre(DkimAlgorithm::Rsa, &fixture("rsa-2048.pkcs8.pem"));
        let expected = pem_decode(fixture("rsa-2048.pkcs1.pem").trim()).map(|(_, der)| der);
        assert_eq!(
            pkcs1.and_then(|pem| pem_decode(pem.trim()).map(|(_, der)| der)),
            expected
        );
        assert_eq!(
            key_for_lettre(DkimAlgorithm::Ed25519, &fixture("ed25519.pkcs8.pem")),
            Ok(fixture("ed25519.raw.b64").trim().to_owned())
        );
        assert_eq!(
            rsa_modulus_bits(
                &pem_decode(fixture("rsa-2048.pkcs1.pem").trim())
                    .unwrap_or_default()
                    .1
            ),
            Some(2048)
        );
    }

    #[test]
    fn header_fields_unfold_nothing_and_stop_at_the_body() {
        let mail = b"From: a@b.example\r\nContent-Type: multipart/alternative;\r\n boundary=\"x\"\r\n\r\nContent-Type: text/plain\r\n";
        assert_eq!(
            header_fields(mail),
            vec![
                ("From", "a@b.example"),
                ("Content-Type", "multipart/alternative;\r\n boundary=\"x\""),
            ]
        );
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
