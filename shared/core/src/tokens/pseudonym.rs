//! What a forgotten address becomes in the records that outlive it: a keyed pseudonym, stable
//! while the current key stays, that no mail can reach.

use super::{Keyring, PSEUDONYM_CONTEXT, PSEUDONYM_DOMAIN};
use crate::domain::RecipientAddress;
use data_encoding::HEXLOWER;
use hmac::Mac;

impl Keyring {
    /// What a forgotten address becomes in the records that outlive it:
    /// `forgotten-<32 hex digits>@forgotten.invalid`, the first 16 bytes of HMAC-SHA256 under the
    /// current key of [`PSEUDONYM_CONTEXT`] and the normalised address. The same address gives the
    /// same pseudonym while the current key stays, so counts and histories stay true; without the
    /// key nobody can test a guessed address against it.
    pub fn pseudonym(&self, address: &RecipientAddress) -> RecipientAddress {
        let tag = self
            .current()
            .mac_with(PSEUDONYM_CONTEXT, address.as_str().as_bytes())
            .finalize()
            .into_bytes();
        let text = format!(
            "forgotten-{}@{PSEUDONYM_DOMAIN}",
            HEXLOWER.encode(&tag[..16])
        );
        RecipientAddress::parse(&text)
            .unwrap_or_else(|e| unreachable!("a pseudonym is a valid address: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::SigningKey;
    use super::*;

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
