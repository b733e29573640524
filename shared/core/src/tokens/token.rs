//! What a token says: its [`Purpose`], the [`DeliveryRef`] it names, the [`Token`] text and what
//! verifying it yields ([`Verified`]).

use super::REF_LEN;
use crate::domain::DeliveryKey;
use data_encoding::{HEXLOWER, HEXLOWER_PERMISSIVE};
use sha2::{Digest, Sha256};
use std::fmt;

/// What a token is for; signed into it, so one kind cannot be passed off as the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// The VERP envelope sender, to match a bounce to its delivery.
    Bounce,
    /// The one-click unsubscribe link and the mailto unsubscribe address.
    Unsubscribe,
    /// The link to the recipient's preferences page (language, topics, unsubscribing); only in
    /// links, never in an address.
    Preferences,
    /// The hidden field of the preferences page's forms, naming the same delivery as the page's
    /// link: a form posted from elsewhere cannot carry it.
    PreferencesForm,
}

impl Purpose {
    /// The byte in the token: `b`, `u`, `p` or `f`.
    pub fn byte(self) -> u8 {
        match self {
            Purpose::Bounce => b'b',
            Purpose::Unsubscribe => b'u',
            Purpose::Preferences => b'p',
            Purpose::PreferencesForm => b'f',
        }
    }

    /// The purpose whose byte is `byte`, if any.
    pub fn from_byte(byte: u8) -> Option<Purpose> {
        match byte {
            b'b' => Some(Purpose::Bounce),
            b'u' => Some(Purpose::Unsubscribe),
            b'p' => Some(Purpose::Preferences),
            b'f' => Some(Purpose::PreferencesForm),
            _ => None,
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Purpose::Bounce => "bounce",
            Purpose::Unsubscribe => "unsubscribe",
            Purpose::Preferences => "preferences",
            Purpose::PreferencesForm => "preferences-form",
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

    /// The reference written as [`DeliveryRef::to_hex`] gives it, when `hex` is one.
    pub fn from_hex(hex: &str) -> Option<DeliveryRef> {
        let bytes = HEXLOWER_PERMISSIVE.decode(hex.as_bytes()).ok()?;
        Some(DeliveryRef(bytes.try_into().ok()?))
    }
}

impl fmt::Display for DeliveryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A signed token: 39 characters of `[a-z2-7]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Token(pub(super) String);

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

#[cfg(test)]
mod tests {
    use super::super::test_support::delivery;
    use super::*;
    use crate::domain::RecipientAddress;

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
}
