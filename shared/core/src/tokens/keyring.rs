//! The HMAC keys tokens are signed with, their secrets never printed, and the keyring that
//! signs with its current key and still accepts older ones (rotation).

use super::{TokenError, DEVELOPMENT_KEY_ID, DEVELOPMENT_SECRET, MAC_CONTEXT, MIN_SECRET_LEN};
use data_encoding::HEXLOWER_PERMISSIVE;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;
use std::fmt;

/// HMAC-SHA256, the MAC of tokens and pseudonyms.
pub(super) type HmacSha256 = Hmac<Sha256>;

/// One HMAC key: an id, written into every token it signs, and a secret of at least 32 bytes.
/// Its `Debug` output hides the secret.
#[derive(Clone)]
pub struct SigningKey {
    /// The id written into tokens; unique within a [`Keyring`].
    pub id: u8,
    /// Wiped from memory when the key is dropped; never printed.
    secret: SecretSlice<u8>,
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
            secret: secret.to_vec().into(),
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

    /// The HMAC-SHA256 under this key of `context` followed by `data`, ready to finalise or
    /// verify.
    pub(super) fn mac_with(&self, context: &[u8], data: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(context);
        mac.update(data);
        mac
    }

    /// The full HMAC-SHA256 of [`MAC_CONTEXT`] and `signed`, ready to finalise or verify.
    pub(super) fn mac_of(&self, signed: &[u8]) -> HmacSha256 {
        self.mac_with(MAC_CONTEXT, signed)
    }

    fn is_development(&self) -> bool {
        self.secret.expose_secret() == DEVELOPMENT_SECRET
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field(
                "secret",
                &format_args!("<{} bytes hidden>", self.secret.expose_secret().len()),
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
            secret: DEVELOPMENT_SECRET.to_vec().into(),
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

    /// The key new tokens (and pseudonyms) are made with.
    pub(super) fn current(&self) -> &SigningKey {
        &self.current
    }

    /// Every key a token may be signed with: the current one, then the older ones.
    pub(super) fn keys(&self) -> impl Iterator<Item = &SigningKey> {
        std::iter::once(&self.current).chain(&self.older)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{delivery, key, ring};
    use super::super::{DeliveryRef, Purpose};
    use super::*;

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
    fn debug_output_shows_no_key_bytes() {
        let keyring = ring(key(1, 0xab), vec![key(2, 0xcd)]);
        let shown = format!("{keyring:?}");
        // The secrets' bytes in decimal (a derived Debug of the bytes) or hex.
        for secret in ["171", "205", "abab", "cdcd"] {
            assert!(
                !shown.to_ascii_lowercase().contains(secret),
                "{secret} in {shown}"
            );
        }
        assert!(
            shown.contains("id: 1") && shown.contains("id: 2"),
            "{shown}"
        );
        assert!(shown.contains("<32 bytes hidden>"), "{shown}");
    }
}
