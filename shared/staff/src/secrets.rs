//! Random values and their digests: session cookies, CSRF tokens, API tokens, passwords.

use rand::rngs::OsRng;
use rand::RngCore as _;
use sha2::Digest as _;

/// `N` bytes from the operating system's random source.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// 32 random bytes as base64url without padding (43 characters): cookie values, CSRF tokens.
pub(crate) fn random_text() -> String {
    data_encoding::BASE64URL_NOPAD.encode(&random_bytes::<32>())
}

/// The lower-case hex SHA-256 of `text`: how sessions and tokens are stored and looked up.
pub(crate) fn sha256_hex(text: &str) -> String {
    data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(text.as_bytes()))
}

/// Whether two texts are equal, taking the same time wherever they differ.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_texts_are_long_and_differ() {
        let (a, b) = (random_text(), random_text());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn texts_compare_whole() {
        assert!(same_text("abc", "abc"));
        assert!(!same_text("abc", "abd"));
        assert!(!same_text("abc", "abcd"));
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
