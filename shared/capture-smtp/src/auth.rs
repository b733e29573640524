//! SMTP AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms.

use std::fmt;

/// The one user name and password the server accepts with `AUTH PLAIN` or `AUTH LOGIN`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name (the PLAIN authentication identity), compared exactly.
    pub username: String,
    /// The password, compared exactly.
    pub password: String,
}

impl Credentials {
    /// Credentials from a user name and a password.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }

    /// Whether the decoded user name and password match.
    pub(crate) fn matches(&self, username: &[u8], password: &[u8]) -> bool {
        self.username.as_bytes() == username && self.password.as_bytes() == password
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `334` challenge of AUTH LOGIN asking for the user name ("Username:" in base64).
pub(crate) const LOGIN_USERNAME: &str = "334 VXNlcm5hbWU6";
/// `334` challenge of AUTH LOGIN asking for the password ("Password:" in base64).
pub(crate) const LOGIN_PASSWORD: &str = "334 UGFzc3dvcmQ6";

/// Splits a decoded PLAIN response `authzid NUL authcid NUL passwd` into `(authcid, passwd)`.
///
/// The authorization identity must be empty or equal to the authentication identity.
pub(crate) fn parse_plain(response: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut parts = response.split(|&b| b == 0);
    let (authzid, authcid, passwd) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !(authzid.is_empty() || authzid == authcid) {
        return None;
    }
    Some((authcid, passwd))
}

/// Decodes standard base64 (padding optional); `=` alone is the empty response (RFC 4954).
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    let data = text.trim_end_matches('=');
    if text.len() - data.len() > 2 {
        return None;
    }
    data_encoding::BASE64_NOPAD.decode(data.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(
            base64_decode("AHVzZXIAcGFzcw==").as_deref(),
            Some(&b"\0user\0pass"[..])
        );
        assert_eq!(
            base64_decode("AHVzZXIAcGFzcw").as_deref(),
            Some(&b"\0user\0pass"[..])
        );
        assert_eq!(
            base64_decode("VXNlcm5hbWU6").as_deref(),
            Some(&b"Username:"[..])
        );
        assert_eq!(base64_decode("=").as_deref(), Some(&b""[..]));
        assert_eq!(base64_decode("YQ").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("Y"), None);
        assert_eq!(base64_decode("a b"), None);
        assert_eq!(base64_decode("YQ==="), None);
    }

    #[test]
    fn plain_response_is_split_and_checked() {
        assert_eq!(
            parse_plain(b"\0user\0pass"),
            Some((&b"user"[..], &b"pass"[..]))
        );
        assert_eq!(
            parse_plain(b"user\0user\0pass"),
            Some((&b"user"[..], &b"pass"[..]))
        );
        assert_eq!(parse_plain(b"other\0user\0pass"), None);
        assert_eq!(parse_plain(b"\0user"), None);
        assert_eq!(parse_plain(b"\0user\0pass\0x"), None);
    }
}
