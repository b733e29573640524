//! Signing and verifying tokens with a [`Keyring`], in the byte layout the parent module
//! documents.

use super::{
    DeliveryRef, Keyring, Purpose, Token, TokenError, Verified, REF_LEN, TAG_LEN, TOKEN_BYTES,
    TOKEN_LEN,
};
use crate::domain::DeliveryKey;
use data_encoding::BASE32_NOPAD;
use hmac::Mac;

impl Keyring {
    /// The token naming `delivery` for `purpose`, signed with the current key.
    pub fn sign(&self, delivery: &DeliveryKey, purpose: Purpose) -> Token {
        self.sign_ref(DeliveryRef::of(delivery), purpose)
    }

    /// The token naming the delivery referenced by `delivery` for `purpose`, signed with the
    /// current key.
    pub fn sign_ref(&self, delivery: DeliveryRef, purpose: Purpose) -> Token {
        let key = self.current();
        let mut bytes = [0u8; TOKEN_BYTES];
        bytes[0] = key.id;
        bytes[1..=REF_LEN].copy_from_slice(delivery.as_bytes());
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
            delivery: DeliveryRef::from_bytes(delivery),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{delivery, key, ring};
    use super::*;

    const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz234567";

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
        for purpose in [
            Purpose::Bounce,
            Purpose::Unsubscribe,
            Purpose::Preferences,
            Purpose::PreferencesForm,
        ] {
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
}
