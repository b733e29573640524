//! Signed delivery tokens: what names one delivery in the VERP envelope sender
//! (`bounce+<token>@circulars.itu.example`, to match bounces), in the one-click and mailto
//! unsubscribe addresses and in the link to the recipient's preferences page, without carrying
//! the (possibly long) recipient address.
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
//! | 11    | purpose | `b` bounce, `u` unsubscribe, `p` preferences, `f` preferences form ([`Purpose`]) |
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
//!
//! # Files
//! - `token`: what a token says: [`Purpose`], [`DeliveryRef`], [`Token`], [`Verified`]
//! - `addresses`: the VERP return and mailto unsubscribe addresses, and the `Message-ID`, that
//!   name a delivery
//! - `keyring`: the signing keys (their secrets never printed) and the keyring with rotation
//! - `signing`: signing and verifying tokens with the keyring
//! - `pseudonym`: what a forgotten address becomes in the records that outlive it

mod addresses;
mod keyring;
mod pseudonym;
mod signing;
mod token;

pub use addresses::{message_id, parse_message_id, parse_return_address, return_address};
pub use keyring::{Keyring, SigningKey};
pub use token::{DeliveryRef, Purpose, Token, Verified};

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

#[cfg(test)]
mod test_support {
    //! What the tests of the token files share: one delivery, and keys made of one repeated byte.

    use super::{Keyring, SigningKey};
    use crate::domain::{DeliveryKey, RecipientAddress};

    /// The delivery the tests sign: TSB-36 to an address with a quote, a plus and capitals.
    pub(super) fn delivery() -> DeliveryKey {
        DeliveryKey::new(
            "TSB-36".parse().unwrap(),
            RecipientAddress::parse("o'brien+tsb@Example.org").unwrap(),
        )
    }

    /// The key `id` whose secret is 32 bytes of `fill`.
    pub(super) fn key(id: u8, fill: u8) -> SigningKey {
        SigningKey::new(id, &[fill; 32]).unwrap()
    }

    /// The keyring signing with `current` and accepting `older`, whose ids must differ.
    pub(super) fn ring(current: SigningKey, older: Vec<SigningKey>) -> Keyring {
        Keyring::new(current, older).unwrap()
    }
}
