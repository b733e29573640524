//! Signed delivery tokens: what names one delivery in the VERP envelope sender
//! (`bounce+<token>@circulars.itu.example`, to match bounces) and in the one-click and mailto
//! unsubscribe addresses, without carrying the (possibly long) recipient address.
//!
//! # Layout
//! A token is 24 bytes, written as RFC 4648 base32 in lower case without padding: 39 characters
//! from `[a-z2-7]`, safe in an SMTP local part, in a URL path and through mail systems that fold
//! local parts to lower case (verification accepts either case).
//!
//! | bytes | field | |
//! |-------|-------|-|
//! | 0     | key id | which [`SigningKey`] signed it, so keys can be rotated |
//! | 1–10  | [`DeliveryRef`] | the first 10 bytes of SHA-256 of `<circular>:<address>` |
//! | 11    | purpose | `b` bounce, `u` unsubscribe ([`Purpose`]) |
//! | 12–23 | tag | HMAC-SHA256 under the key's secret, truncated to its first 12 bytes |
//!
//! The tag covers [`MAC_CONTEXT`] followed by bytes 0–11, so the purpose and key id cannot be
//! changed without breaking it, and the same secret used for another HMAC elsewhere could never
//! produce a valid token. `bounce+` and a token make 46 octets, within the 64 of a local part.
//!
//! Verification checks the length and alphabet ([`TokenError::Malformed`]), finds the key by
//! id ([`TokenError::UnknownKey`]) and compares the tag in constant time
//! ([`TokenError::BadSignature`]); it yields the [`DeliveryRef`], which the caller maps back to
//! its delivery through the database.

use crate::domain::{DeliveryKey, RecipientAddress};
use data_encoding::{BASE32_NOPAD, HEXLOWER, HEXLOWER_PERMISSIVE};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of a [`DeliveryRef`].
pub const REF_LEN: usize = 10;
/// Bytes of the truncated HMAC-SHA256 tag (96 bits).
pub const TAG_LEN: usize = 12;
/// Bytes of a decoded token: key id, delivery reference, purpose and tag.
pub const TOKEN_BYTES: usize = 1 + REF_LEN + 1 + TAG_LEN;
/// Characters of a token: base32 of [`TOKEN_BYTES`] without padding (39).
pub const TOKEN_LEN: usize = (TOKEN_BYTES * 8).div_ceil(5);
/// The shortest secret a [`SigningKey`] accepts, in bytes.
pub const MIN_SECRET_LEN: usize = 32;
/// What the HMAC covers before the token's first 12 bytes: it ties tags to this use and format.
pub const MAC_CONTEXT: &[u8] = b"circulars delivery token v1\0";
/// What the HMAC of a forgotten address's pseudonym covers first: it keeps pseudonyms apart
/// from token tags made with the same secret.
pub const PSEUDONYM_CONTEXT: &[u8] = b"circulars forgotten address v1\0";
/// The domain of every pseudonym: `.invalid` is reserved (RFC 2606), so no mail can reach it.
pub const PSEUDONYM_DOMAIN: &str = "forgotten.invalid";
/// The key id of [`Keyring::development`].
pub const DEVELOPMENT_KEY_ID: u8 = 0;
/// The secret of [`Keyring::development`]: published here, so NOT secret. Tokens it signs can be
/// forged by anyone; it is for previews and tests only.
pub const DEVELOPMENT_SECRET: &[u8] = b"circulars-development-key-not-secret-do-not-deploy";

/// Why a token or a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The text is not a token: wrong length or a character outside base32.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The token names a key id the keyring does not hold (foreign, or retired).
    #[error("token signed with unknown key id {0}")]
    UnknownKey(u8),
    /// The tag does not match: tampered with, or signed with another secret under the same id.
    #[error("token signature does not match")]
    BadSignature,
    /// A key's secret is shorter than [`MIN_SECRET_LEN`] bytes.
    #[error("signing key {id}: secret of {len} bytes, at least {MIN_SECRET_LEN} required")]
    ShortSecret {
        /// The key id.
        id: u8,
        /// The secret's length in bytes.
        len: usize,
    },
    /// A key's secret, given in hex, is not hex.
    #[error("signing key {id}: secret is not hexadecimal: {reason}")]
    BadHex {
        /// The key id.
        id: u8,
        /// What the decoder found.
        reason: String,
    },
    /// Two keys of one keyring share an id.
    #[error("signing key id {0} appears more than once in the keyring")]
    DuplicateKeyId(u8),
}

/// What a token is for; signed into it, so one kind cannot be passed off as the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// The VERP envelope sender, to match a bounce to its delivery.
    Bounce,
    /// The one-click unsubscribe link and the mailto unsubscribe address.
    Unsubscribe,
}

impl Purpose {
    /// The byte in the token: `b` or `u`.
    pub fn byte(self) -> u8 {
        match self {
            Purpose::Bounce => b'b',
            Purpose::Unsubscribe => b'u',
        }
    }

    /// The purpose whose byte is `byte`, if any.
    pub fn from_byte(byte: u8) -> Option<Purpose> {
        match byte {
            b'b' => Some(Purpose::Bounce),
            b'u' => Some(Purpose::Unsubscribe),
            _ => None,
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Purpose::Bounce => "bounce",
            Purpose::Unsubscribe => "unsubscribe",
        })
    }
}

/// A compact reference to one delivery: the first 10 bytes (80 bits) of
/// SHA-256(`<circular>:<address>`), the address normalised as in [`DeliveryKey`].
///
/// 80 bits are ample: among `n` deliveries the chance that any two share a reference is about
/// `n² / 2⁸¹`, under one in a million even for a billion deliveries (all circulars ever sent to
/// all recipients), and ITU audiences are tens of thousands per circular. The reference is not a
/// secret (anyone knowing the circular and address can compute it) and needs no resistance to
/// chosen collisions: a token's authenticity comes from its HMAC, and recipients come from the
/// directory, not from whoever wants a collision. A store should still keep references unique,
/// so that a collision, however unlikely, is refused rather than silently confused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryRef([u8; REF_LEN]);

impl DeliveryRef {
    /// The reference of `delivery`.
    pub fn of(delivery: &DeliveryKey) -> DeliveryRef {
        let digest = Sha256::new()
            .chain_update(delivery.circular.as_str().as_bytes())
            .chain_update(b":")
            .chain_update(delivery.address.as_str().as_bytes())
            .finalize();
        let mut bytes = [0u8; REF_LEN];
        bytes.copy_from_slice(&digest[..REF_LEN]);
        DeliveryRef(bytes)
    }

    /// The reference made of `bytes`.
    pub fn from_bytes(bytes: [u8; REF_LEN]) -> DeliveryRef {
        DeliveryRef(bytes)
    }

    /// The 10 bytes.
    pub fn as_bytes(&self) -> &[u8; REF_LEN] {
        &self.0
    }

    /// The 20 lower-case hexadecimal digits.
    pub fn to_hex(&self) -> String {
        HEXLOWER.encode(&self.0)
    }
}

impl fmt::Display for DeliveryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl DeliveryRef {
    /// The reference written as [`DeliveryRef::to_hex`] gives it, when `hex` is one.
    pub fn from_hex(hex: &str) -> Option<DeliveryRef> {
        let bytes = HEXLOWER_PERMISSIVE.decode(hex.as_bytes()).ok()?;
        Some(DeliveryRef(bytes.try_into().ok()?))
    }
}

impl Purpose {
    /// The local-part prefix of the return addresses made for this purpose (`bounce+`).
    pub fn address_prefix(self) -> &'static str {
        match self {
            Purpose::Bounce => "bounce+",
            Purpose::Unsubscribe => "unsubscribe+",
        }
    }
}

/// `bounce+<token>@<domain>` or `unsubscribe+<token>@<domain>`: the VERP envelope sender of a
/// delivery and the mailto unsubscribe address of its `List-Unsubscribe`.
pub fn return_address(purpose: Purpose, token: &Token, domain: &str) -> String {
    format!("{}{token}@{domain}", purpose.address_prefix())
}

/// The purpose and token of an address that [`return_address`] could have made for `domain`
/// (the token not yet verified); `None` for any other address. Case is ignored, as mail
/// systems may change it.
pub fn parse_return_address(address: &str, domain: &str) -> Option<(Purpose, String)> {
    let (local, at) = address.trim().rsplit_once('@')?;
    if !at.eq_ignore_ascii_case(domain) {
        return None;
    }
    let local = local.to_ascii_lowercase();
    [Purpose::Bounce, Purpose::Unsubscribe]
        .into_iter()
        .find_map(|purpose| {
            let token = local.strip_prefix(purpose.address_prefix())?;
            (token.len() == TOKEN_LEN).then(|| (purpose, token.to_owned()))
        })
}

/// The `Message-ID` of a delivery, without angle brackets: `<circular>.<reference>@<domain>`,
/// the same for every attempt (so a receiver can recognise the one duplicate a crash may
/// cause), and naming the delivery, so a report quoting it can be matched when its envelope is
/// lost. It is not signed: it only matches reports that arrive without a VERP address.
pub fn message_id(delivery: &DeliveryKey, domain: &str) -> String {
    format!(
        "{}.{}@{domain}",
        delivery.circular,
        DeliveryRef::of(delivery).to_hex()
    )
}

/// The circular and reference in a `Message-ID` that [`message_id`] made for `domain`, with
/// or without angle brackets.
pub fn parse_message_id(message_id: &str, domain: &str) -> Option<(String, DeliveryRef)> {
    let id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let (left, at) = id.rsplit_once('@')?;
    if !at.eq_ignore_ascii_case(domain) {
        return None;
    }
    let (circular, reference) = left.rsplit_once('.')?;
    Some((circular.to_owned(), DeliveryRef::from_hex(reference)?))
}

/// A signed token: 39 characters of `[a-z2-7]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Token(String);

impl Token {
    /// The token as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The token as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Token {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// What a valid token says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Verified {
    /// The id of the key that signed it.
    pub key_id: u8,
    /// What it was issued for; the caller must check it is the one expected.
    pub purpose: Purpose,
    /// The delivery it names.
    pub delivery: DeliveryRef,
}

/// One HMAC key: an id, written into every token it signs, and a secret of at least 32 bytes.
/// Its `Debug` output hides the secret.
#[derive(Clone)]
pub struct SigningKey {
    /// The id written into tokens; unique within a [`Keyring`].
    pub id: u8,
    secret: Vec<u8>,
    mac: HmacSha256,
}

impl SigningKey {
    /// The key `id` with `secret`, refused when the secret is shorter than [`MIN_SECRET_LEN`].
    pub fn new(id: u8, secret: &[u8]) -> Result<SigningKey, TokenError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(TokenError::ShortSecret {
                id,
                len: secret.len(),
            });
        }
        // HMAC takes keys of any length, so this cannot fail; it is mapped rather than unwrapped.
        let mac = HmacSha256::new_from_slice(secret).map_err(|_| TokenError::ShortSecret {
            id,
            len: secret.len(),
        })?;
        Ok(SigningKey {
            id,
            secret: secret.to_vec(),
            mac,
        })
    }

    /// The key `id` with a secret written in hexadecimal (either case, surrounding white space
    /// ignored): 64 digits or more for the 32 bytes required.
    pub fn from_hex(id: u8, hex: &str) -> Result<SigningKey, TokenError> {
        let secret = HEXLOWER_PERMISSIVE
            .decode(hex.trim().as_bytes())
            .map_err(|e| TokenError::BadHex {
                id,
                reason: e.to_string(),
            })?;
        SigningKey::new(id, &secret)
    }

    /// The full HMAC-SHA256 of [`MAC_CONTEXT`] and `signed`, ready to finalise or verify.
    fn mac_of(&self, signed: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(MAC_CONTEXT);
        mac.update(signed);
        mac
    }

    fn is_development(&self) -> bool {
        self.secret == DEVELOPMENT_SECRET
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field(
                "secret",
                &format_args!("<{} bytes hidden>", self.secret.len()),
            )
            .finish()
    }
}

/// The keys tokens are signed and verified with: signs with the current key, verifies with the
/// current key and any older one still accepted (rotation: add a new current key, keep the old
/// one among the older until the tokens it signed no longer matter, then drop it).
#[derive(Clone, Debug)]
pub struct Keyring {
    current: SigningKey,
    older: Vec<SigningKey>,
}

impl Keyring {
    /// A keyring signing with `current` and also accepting `older`; refused when two keys share
    /// an id.
    pub fn new(current: SigningKey, older: Vec<SigningKey>) -> Result<Keyring, TokenError> {
        let mut seen = [false; 256];
        for key in std::iter::once(&current).chain(&older) {
            let slot = &mut seen[usize::from(key.id)];
            if *slot {
                return Err(TokenError::DuplicateKeyId(key.id));
            }
            *slot = true;
        }
        Ok(Keyring { current, older })
    }

    /// The development keyring: one key, id [`DEVELOPMENT_KEY_ID`] (0), secret
    /// [`DEVELOPMENT_SECRET`] (the ASCII text `circulars-development-key-not-secret-do-not-deploy`).
    /// The secret is public, so anyone can forge its tokens: for previews and tests only.
    pub fn development() -> Keyring {
        let key = SigningKey {
            id: DEVELOPMENT_KEY_ID,
            secret: DEVELOPMENT_SECRET.to_vec(),
            mac: <HmacSha256 as hmac::digest::KeyInit>::new_from_slice(DEVELOPMENT_SECRET)
                .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length")),
        };
        Keyring {
            current: key,
            older: Vec::new(),
        }
    }

    /// Whether any key of the ring has the published [`DEVELOPMENT_SECRET`]: such a ring accepts
    /// tokens anyone can forge, so a production service should refuse to start with it.
    pub fn is_development(&self) -> bool {
        self.keys().any(SigningKey::is_development)
    }

    /// The id of the key new tokens are signed with.
    pub fn current_id(&self) -> u8 {
        self.current.id
    }

    fn keys(&self) -> impl Iterator<Item = &SigningKey> {
        std::iter::once(&self.current).chain(&self.older)
    }

    /// What a forgotten address becomes in the records that outlive it:
    /// `forgotten-<32 hex digits>@forgotten.invalid`, the first 16 bytes of HMAC-SHA256 under the
    /// current key of [`PSEUDONYM_CONTEXT`] and the normalised address. The same address gives the
    /// same pseudonym while the current key stays, so counts and histories stay true; without the
    /// key nobody can test a guessed address against it.
    pub fn pseudonym(&self, address: &RecipientAddress) -> RecipientAddress {
        let mut mac = self.current.mac.clone();
        mac.update(PSEUDONYM_CONTEXT);
        mac.update(address.as_str().as_bytes());
        let tag = mac.finalize().into_bytes();
        let text = format!(
            "forgotten-{}@{PSEUDONYM_DOMAIN}",
            HEXLOWER.encode(&tag[..16])
        );
        RecipientAddress::parse(&text)
            .unwrap_or_else(|e| unreachable!("a pseudonym is a valid address: {e}"))
    }

    /// The token naming `delivery` for `purpose`, signed with the current key.
    pub fn sign(&self, delivery: &DeliveryKey, purpose: Purpose) -> Token {
        self.sign_ref(DeliveryRef::of(delivery), purpose)
    }

    /// The token naming the delivery referenced by `delivery` for `purpose`, signed with the
    /// current key.
    pub fn sign_ref(&self, delivery: DeliveryRef, purpose: Purpose) -> Token {
        let key = &self.current;
        let mut bytes = [0u8; TOKEN_BYTES];
        bytes[0] = key.id;
        bytes[1..=REF_LEN].copy_from_slice(&delivery.0);
        bytes[REF_LEN + 1] = purpose.byte();
        let tag = key.mac_of(&bytes[..TOKEN_BYTES - TAG_LEN]).finalize();
        bytes[TOKEN_BYTES - TAG_LEN..].copy_from_slice(&tag.into_bytes()[..TAG_LEN]);
        Token(BASE32_NOPAD.encode(&bytes).to_ascii_lowercase())
    }

    /// What `token` says, if it was signed by a key of this ring and not altered. Upper and lower
    /// case are both accepted. The caller must still check [`Verified::purpose`].
    pub fn verify(&self, token: &str) -> Result<Verified, TokenError> {
        if token.len() != TOKEN_LEN {
            return Err(TokenError::Malformed(format!(
                "{} characters, expected {TOKEN_LEN}",
                token.len()
            )));
        }
        let upper = token.to_ascii_uppercase();
        let decoded = BASE32_NOPAD
            .decode(upper.as_bytes())
            .map_err(|e| TokenError::Malformed(format!("not lower-case base32: {e}")))?;
        let bytes: [u8; TOKEN_BYTES] = decoded
            .try_into()
            .map_err(|_| TokenError::Malformed(format!("expected {TOKEN_BYTES} bytes")))?;
        let key_id = bytes[0];
        let key = self
            .keys()
            .find(|k| k.id == key_id)
            .ok_or(TokenError::UnknownKey(key_id))?;
        let (signed, tag) = bytes.split_at(TOKEN_BYTES - TAG_LEN);
        key.mac_of(signed)
            .verify_truncated_left(tag)
            .map_err(|_| TokenError::BadSignature)?;
        // Only this code signs, with a known purpose; an unknown one under a valid tag means a
        // newer format this version does not understand.
        let purpose = Purpose::from_byte(bytes[REF_LEN + 1]).ok_or_else(|| {
            TokenError::Malformed(format!("unknown purpose byte {:#04x}", bytes[REF_LEN + 1]))
        })?;
        let mut delivery = [0u8; REF_LEN];
        delivery.copy_from_slice(&bytes[1..=REF_LEN]);
        Ok(Verified {
            key_id,
            purpose,
            delivery: DeliveryRef(delivery),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_addresses_and_message_ids_are_read_back() {
        let keys = Keyring::development();
        let token = keys.sign(&delivery(), Purpose::Bounce);
        let verp = return_address(Purpose::Bounce, &token, "circulars.itu.example");
        assert_eq!(
            parse_return_address(&verp.to_ascii_uppercase(), "Circulars.ITU.example"),
            Some((Purpose::Bounce, token.as_str().to_owned()))
        );
        assert_eq!(parse_return_address(&verp, "other.example"), None);
        assert_eq!(
            parse_return_address(
                "bounce+short@circulars.itu.example",
                "circulars.itu.example"
            ),
            None
        );
        let id = message_id(&delivery(), "circulars.itu.example");
        assert_eq!(
            parse_message_id(&format!("<{id}>"), "circulars.itu.example"),
            Some(("TSB-36".to_owned(), DeliveryRef::of(&delivery())))
        );
        assert_eq!(parse_message_id(&id, "elsewhere.example"), None);
        assert_eq!(
            parse_message_id("TSB-36.zz@circulars.itu.example", "circulars.itu.example"),
            None
        );
    }

    const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz234567";

    fn delivery() -> DeliveryKey {
        DeliveryKey::new(
            "TSB-36".parse().unwrap(),
            RecipientAddress::parse("o'brien+tsb@Example.org").unwrap(),
        )
    }

    fn key(id: u8, fill: u8) -> SigningKey {
        SigningKey::new(id, &[fill; 32]).unwrap()
    }

    fn ring(current: SigningKey, older: Vec<SigningKey>) -> Keyring {
        Keyring::new(current, older).unwrap()
    }

    /// The raw bytes of a token, for tests that alter them.
    fn raw(token: &Token) -> Vec<u8> {
        BASE32_NOPAD
            .decode(token.as_str().to_ascii_uppercase().as_bytes())
            .unwrap()
    }

    fn encode(bytes: &[u8]) -> String {
        BASE32_NOPAD.encode(bytes).to_ascii_lowercase()
    }

    #[test]
    fn signed_tokens_verify_to_their_delivery_and_purpose() {
        let keys = ring(key(3, 0x11), vec![]);
        for purpose in [Purpose::Bounce, Purpose::Unsubscribe] {
            let token = keys.sign(&delivery(), purpose);
            let verified = keys.verify(token.as_str()).unwrap();
            assert_eq!(
                verified,
                Verified {
                    key_id: 3,
                    purpose,
                    delivery: DeliveryRef::of(&delivery()),
                }
            );
        }
        let bounce = keys.sign(&delivery(), Purpose::Bounce);
        let unsubscribe = keys.sign(&delivery(), Purpose::Unsubscribe);
        assert_ne!(bounce, unsubscribe);
        assert_eq!(
            keys.verify(bounce.as_str()).unwrap().purpose,
            Purpose::Bounce
        );
    }

    #[test]
    fn the_reference_is_sha256_of_circular_and_address() {
        // SHA-256("TSB-36:o'brien+tsb@example.org"), first 10 bytes, computed independently.
        let r = DeliveryRef::of(&delivery());
        assert_eq!(r.to_hex(), "ba350d9cd9c97d748d9e");
        assert_eq!(r.to_string(), r.to_hex());
        let other = DeliveryKey::new(
            "TSB-37".parse().unwrap(),
            RecipientAddress::parse("o'brien+tsb@example.org").unwrap(),
        );
        assert_ne!(DeliveryRef::of(&other), r);
    }

    #[test]
    fn the_wire_format_is_stable() {
        // Computed independently (Python hmac/hashlib) from the documented layout: a token in a
        // mail already sent must still verify after an upgrade.
        let keys = Keyring::development();
        let token = keys.sign(&delivery(), Purpose::Bounce);
        assert_eq!(token.as_str(), "ac5dkdm43hex25entzrp2vvwhcjyvkx7xsbxzda");
        assert_eq!(
            keys.verify(token.as_str()).unwrap().delivery,
            DeliveryRef::of(&delivery())
        );
    }

    #[test]
    fn a_flipped_purpose_byte_breaks_the_signature() {
        let keys = ring(key(1, 0x22), vec![]);
        let token = keys.sign(&delivery(), Purpose::Bounce);
        let mut bytes = raw(&token);
        assert_eq!(bytes[REF_LEN + 1], b'b');
        bytes[REF_LEN + 1] = b'u';
        assert_eq!(keys.verify(&encode(&bytes)), Err(TokenError::BadSignature));
    }

    #[test]
    fn tokens_fit_a_verp_local_part_and_use_only_safe_characters() {
        let keys = Keyring::development();
        for purpose in [Purpose::Bounce, Purpose::Unsubscribe] {
            let token = keys.sign(&delivery(), purpose);
            assert_eq!(token.as_str().len(), TOKEN_LEN);
            assert_eq!(TOKEN_LEN, 39);
            let local = format!("bounce+{token}");
            assert!(local.len() <= 64, "{local}");
            assert!(
                token
                    .as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)),
                "{token}"
            );
        }
    }

    #[test]
    fn any_single_changed_character_is_refused() {
        let keys = ring(key(5, 0x33), vec![]);
        let token = keys.sign(&delivery(), Purpose::Unsubscribe).into_string();
        for (i, original) in token.char_indices() {
            for c in ALPHABET.chars().filter(|&c| c != original) {
                let mut altered = token.clone();
                altered.replace_range(i..i + 1, c.encode_utf8(&mut [0; 4]));
                assert!(
                    keys.verify(&altered).is_err(),
                    "position {i}: {altered} was accepted"
                );
            }
        }
    }

    #[test]
    fn truncated_extended_and_foreign_characters_are_malformed() {
        let keys = Keyring::development();
        let token = keys.sign(&delivery(), Purpose::Bounce).into_string();
        for bad in [
            &token[..TOKEN_LEN - 1],
            &token[..20],
            "",
            &format!("{token}a"),
            &format!("{}1", &token[..TOKEN_LEN - 1]),
            &format!("{}=", &token[..TOKEN_LEN - 1]),
        ] {
            assert!(
                matches!(keys.verify(bad), Err(TokenError::Malformed(_))),
                "{bad:?}: {:?}",
                keys.verify(bad)
            );
        }
    }

    #[test]
    fn unknown_key_ids_and_other_secrets_are_refused() {
        let signer = ring(key(7, 0x44), vec![]);
        let token = signer.sign(&delivery(), Purpose::Bounce);
        let foreign = ring(key(8, 0x44), vec![]);
        assert_eq!(
            foreign.verify(token.as_str()),
            Err(TokenError::UnknownKey(7))
        );
        let impostor = ring(key(7, 0x45), vec![]);
        assert_eq!(
            impostor.verify(token.as_str()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn rotation_keeps_older_tokens_valid_until_their_key_is_dropped() {
        let old = ring(key(1, 0x55), vec![]);
        let token = old.sign(&delivery(), Purpose::Unsubscribe);
        let rotated = ring(key(2, 0x66), vec![key(1, 0x55)]);
        assert_eq!(rotated.current_id(), 2);
        let verified = rotated.verify(token.as_str()).unwrap();
        assert_eq!(verified.key_id, 1);
        assert_eq!(verified.delivery, DeliveryRef::of(&delivery()));
        assert_eq!(
            rotated
                .verify(rotated.sign(&delivery(), Purpose::Bounce).as_str())
                .unwrap()
                .key_id,
            2
        );
        let retired = ring(key(2, 0x66), vec![]);
        assert_eq!(
            retired.verify(token.as_str()),
            Err(TokenError::UnknownKey(1))
        );
    }

    #[test]
    fn short_secrets_and_duplicate_ids_are_refused() {
        assert_eq!(
            SigningKey::new(4, &[9; 31]).unwrap_err(),
            TokenError::ShortSecret { id: 4, len: 31 }
        );
        assert!(SigningKey::new(4, &[9; 32]).is_ok());
        assert_eq!(
            Keyring::new(key(1, 1), vec![key(2, 2), key(1, 3)]).unwrap_err(),
            TokenError::DuplicateKeyId(1)
        );
        assert_eq!(
            Keyring::new(key(1, 1), vec![key(2, 2), key(2, 3)]).unwrap_err(),
            TokenError::DuplicateKeyId(2)
        );
        assert!(Keyring::new(key(1, 1), vec![key(2, 2), key(3, 3)]).is_ok());
    }

    #[test]
    fn hex_secrets_are_decoded_and_checked() {
        let hex = "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff\n";
        let from_hex = SigningKey::from_hex(9, hex).unwrap();
        let direct = SigningKey::new(
            9,
            &HEXLOWER_PERMISSIVE.decode(hex.trim().as_bytes()).unwrap(),
        )
        .unwrap();
        let token = ring(from_hex, vec![]).sign(&delivery(), Purpose::Bounce);
        assert!(ring(direct, vec![]).verify(token.as_str()).is_ok());
        assert_eq!(
            SigningKey::from_hex(9, &hex.trim()[..62]).unwrap_err(),
            TokenError::ShortSecret { id: 9, len: 31 }
        );
        assert!(matches!(
            SigningKey::from_hex(9, "zz"),
            Err(TokenError::BadHex { id: 9, .. })
        ));
    }

    #[test]
    fn upper_case_tokens_verify() {
        let keys = Keyring::development();
        let token = keys.sign(&delivery(), Purpose::Bounce);
        let upper = token.as_str().to_ascii_uppercase();
        assert_ne!(upper, token.as_str());
        assert_eq!(
            keys.verify(&upper).unwrap(),
            keys.verify(token.as_str()).unwrap()
        );
    }

    #[test]
    fn the_development_ring_is_recognised() {
        assert!(Keyring::development().is_development());
        assert_eq!(Keyring::development().current_id(), DEVELOPMENT_KEY_ID);
        assert!(!ring(key(1, 1), vec![]).is_development());
        let dev = SigningKey::new(9, DEVELOPMENT_SECRET).unwrap();
        assert!(ring(key(1, 1), vec![dev]).is_development());
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let shown = format!("{:?}", Keyring::development());
        assert!(!shown.contains("not-secret"), "{shown}");
        assert!(shown.contains("hidden"), "{shown}");
    }

    #[test]
    fn a_pseudonym_is_keyed_stable_and_undeliverable() {
        let address = RecipientAddress::parse("Ana.Lima@Example.org").unwrap();
        let ring = Keyring::development();
        let pseudonym = ring.pseudonym(&address);
        assert_eq!(pseudonym, ring.pseudonym(&address));
        assert!(pseudonym.as_str().starts_with("forgotten-"));
        assert!(pseudonym.as_str().ends_with("@forgotten.invalid"));
        assert_eq!(
            pseudonym.as_str().len(),
            "forgotten-@forgotten.invalid".len() + 32
        );
        let other = RecipientAddress::parse("ana.lima@example.org").unwrap();
        assert_ne!(
            pseudonym,
            ring.pseudonym(&other),
            "local parts are kept as written"
        );
        let keyed = Keyring::new(SigningKey::new(1, &[7u8; 32]).unwrap(), Vec::new()).unwrap();
        assert_ne!(
            pseudonym,
            keyed.pseudonym(&address),
            "another key, another pseudonym"
        );
    }
}
