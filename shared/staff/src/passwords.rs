//! Passwords: generated strong and shown once, hashed with Argon2id (its default parameters),
//! verified in the same time whether the account exists or not.

use crate::secrets::random_bytes;
use crate::StaffError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::Argon2;
use circulars_store::StoredPassword;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::LazyLock;

/// The fewest characters of a password a person chooses.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The most characters of a password: longer ones are refused before hashing.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A password generated for an account: shown once to whoever created or reset it, stored
/// only as its hash, never printed by `Debug`.
pub struct OneTimePassword(SecretString);

impl OneTimePassword {
    /// Six groups of four letters and digits, without look-alikes (`0`/`o`, `1`/`l`): 120
    /// random bits, easy to type from a screen.
    pub(crate) fn generate() -> OneTimePassword {
        const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
        let bytes = random_bytes::<24>();
        let mut text = String::with_capacity(29);
        for (i, byte) in bytes.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                text.push('-');
            }
            // 256 is a multiple of 32: every symbol is equally likely.
            text.push(char::from(ALPHABET[usize::from(byte % 32)]));
        }
        OneTimePassword(SecretString::from(text))
    }

    /// The password, to show once.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The password as a secret, to sign in with.
    pub fn as_secret(&self) -> &SecretString {
        &self.0
    }
}

impl fmt::Debug for OneTimePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimePassword(..)")
    }
}

/// The hash an unknown account's sign-in is verified against, so that it takes as long as a
/// known one's: a random password's, made once.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    let password = OneTimePassword::generate();
    hash_now(password.expose_secret()).ok()
});

/// Makes the dummy hash now, so that the first unknown name is not slower than the rest.
pub(crate) fn prepare() {
    LazyLock::force(&DUMMY_HASH);
}

/// Hashes a password with Argon2id and a random salt, off the async runtime.
pub(crate) async fn hash(password: &SecretString) -> Result<StoredPassword, StaffError> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || hash_now(password.expose_secret()))
        .await?
        .map(StoredPassword::new)
        .map_err(StaffError::Hash)
}

/// Whether `password` matches `stored`, off the async runtime. Without a stored password (an
/// unknown account) or with an unusable one, the password is verified against a dummy hash and
/// does not match: the answer takes the same time either way.
pub(crate) async fn verify(
    password: &SecretString,
    stored: Option<&StoredPassword>,
) -> Result<bool, StaffError> {
    let password = password.clone();
    let stored = stored.map(|s| s.as_str().to_owned());
    let matched = tokio::task::spawn_blocking(move || {
        let real = stored.as_deref().and_then(|s| PasswordHash::new(s).ok());
        let dummy = DUMMY_HASH
            .as_deref()
            .and_then(|s| PasswordHash::new(s).ok());
        let Some(phc) = real.as_ref().or(dummy.as_ref()) else {
            return false;
        };
        let matched = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), phc)
            .is_ok();
        matched && real.is_some()
    })
    .await?;
    Ok(matched)
}

/// Hashes on this thread.
fn hash_now(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password a person chose: long enough, not absurdly long.
pub(crate) fn check_chosen(password: &SecretString) -> Result<(), StaffError> {
    let chars = password.expose_secret().chars().count();
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        Ok(())
    } else {
        Err(StaffError::WeakPassword { chars })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_grouped_and_never_printed() {
        let a = OneTimePassword::generate();
        let b = OneTimePassword::generate();
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert_eq!(a.expose_secret().len(), 29);
        assert_eq!(a.expose_secret().split('-').count(), 6);
        assert_eq!(format!("{a:?}"), "OneTimePassword(..)");
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let password = SecretString::from("correct horse battery staple");
        let stored = hash(&password).await.unwrap();
        assert!(stored.as_str().starts_with("$argon2id$"), "Argon2id");
        assert!(verify(&password, Some(&stored)).await.unwrap());
        let wrong = SecretString::from("correct horse battery stable");
        assert!(!verify(&wrong, Some(&stored)).await.unwrap());
        assert!(!verify(&password, None).await.unwrap(), "no account");
        let unusable = StoredPassword::unusable();
        assert!(!verify(&password, Some(&unusable)).await.unwrap());
        assert!(!verify(&SecretString::from("!"), Some(&unusable))
            .await
            .unwrap());
    }

    #[test]
    fn a_chosen_password_needs_twelve_characters() {
        assert!(check_chosen(&SecretString::from("twelve chars")).is_ok());
        let short = check_chosen(&SecretString::from("eleven char")).unwrap_err();
        assert_eq!(
            short.to_string(),
            "a password needs 12 to 1024 characters; this one has 11"
        );
    }
}
