//! Sessions of the console: the cookie's value read back into who is signed in, with the
//! session's CSRF token; signing out. The database holds only the SHA-256 of each cookie.

use crate::secrets::{same_text, sha256_hex};
use crate::StaffError;
use chrono::{DateTime, Utc};
use circulars_core::domain::{AccountName, Actor, Roles, Via};
use circulars_store::Store;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// The value of a session cookie (32 random bytes, base64url): whoever holds it is signed in,
/// so it is never printed by `Debug` and never logged.
pub struct SessionCookie(SecretString);

impl SessionCookie {
    /// Wraps a cookie value just made.
    pub(crate) fn new(value: String) -> SessionCookie {
        SessionCookie(SecretString::from(value))
    }

    /// The value, to put in the `Set-Cookie` header.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SessionCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionCookie(..)")
    }
}

/// A session's CSRF token: every form of the session carries it in a hidden field, and a form
/// sent without it is refused. Not printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken(String);

impl CsrfToken {
    /// Wraps a token just made or read back.
    pub(crate) fn new(value: String) -> CsrfToken {
        CsrfToken(value)
    }

    /// The token, to write into a form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a form's field carries this token (compared in constant time).
    pub fn matches(&self, sent: &str) -> bool {
        same_text(&self.0, sent)
    }
}

impl fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfToken(..)")
    }
}

/// Who a valid session belongs to, with the account's roles as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The account.
    pub account: AccountName,
    /// Its roles now (a change of roles applies at once to open sessions).
    pub roles: Roles,
    /// The session's forms' token.
    pub csrf_token: CsrfToken,
    /// When the session stops working.
    pub expires_at: DateTime<Utc>,
}

impl SignedIn {
    /// The actor the session's requests act as.
    pub fn actor(&self, via: Via) -> Actor {
        Actor::account(self.account.clone(), self.roles.clone(), via)
    }
}

/// Who the session of this cookie value belongs to: `None` for an unknown value, an expired
/// session (removed now) or a disabled account.
pub async fn session(store: &Store, cookie_value: &str) -> Result<Option<SignedIn>, StaffError> {
    // A cookie value is 43 characters: anything much longer is not one, and is not hashed.
    if cookie_value.is_empty() || cookie_value.len() > 128 {
        return Ok(None);
    }
    let id_hash = sha256_hex(cookie_value);
    let Some(stored) = store.staff_session(&id_hash).await? else {
        return Ok(None);
    };
    if stored.expires_at <= Utc::now() {
        store.remove_staff_session(&id_hash).await?;
        return Ok(None);
    }
    if !stored.account.is_enabled() {
        return Ok(None);
    }
    Ok(Some(SignedIn {
        account: stored.account.name,
        roles: stored.account.roles,
        csrf_token: CsrfToken::new(stored.csrf_token),
        expires_at: stored.expires_at,
    }))
}

/// Ends the session of this cookie value; false when there was none.
pub async fn sign_out(store: &Store, cookie_value: &str) -> Result<bool, StaffError> {
    if cookie_value.is_empty() || cookie_value.len() > 128 {
        return Ok(false);
    }
    Ok(store
        .remove_staff_session(&sha256_hex(cookie_value))
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::tests::{limiter, HOURS, OFFICE};
    use crate::testing::{name, roles, root, store};
    use crate::{add_account, set_roles, sign_in};
    use chrono::TimeDelta;
    use circulars_core::domain::Role;

    #[tokio::test]
    async fn the_right_password_opens_a_session_until_signing_out() {
        let (_dir, store) = store().await;
        let (_, password) = add_account(&store, &root(), &name("ana"), &roles("drafter"))
            .await
            .unwrap();
        let limiter = limiter(5, 30);
        let new = sign_in(&store, &limiter, "ana", password.as_secret(), OFFICE, HOURS)
            .await
            .unwrap();
        assert!(!format!("{new:?}").contains(new.cookie.expose_secret()));
        assert!(!format!("{new:?}").contains(new.csrf_token.as_str()));
        let cookie = new.cookie.expose_secret();
        let signed_in = session(&store, cookie).await.unwrap().unwrap();
        assert_eq!(signed_in.account.as_str(), "ana");
        assert!(signed_in.csrf_token.matches(new.csrf_token.as_str()));
        assert!(!signed_in.csrf_token.matches("forged"));
        assert!(signed_in.actor(Via::Page).has(Role::Drafter));

        set_roles(&store, &root(), &name("ana"), &roles("approver"))
            .await
            .unwrap();
        let now = session(&store, cookie).await.unwrap().unwrap();
        assert!(now.roles.has(Role::Approver) && !now.roles.has(Role::Drafter));

        assert!(sign_out(&store, cookie).await.unwrap());
        assert!(session(&store, cookie).await.unwrap().is_none());
        assert!(!sign_out(&store, cookie).await.unwrap());
        assert!(session(&store, "").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_expired_session_is_refused_and_removed() {
        let (_dir, store) = store().await;
        let (_, password) = add_account(&store, &root(), &name("ana"), &roles("drafter"))
            .await
            .unwrap();
        let limiter = limiter(5, 30);
        let over = sign_in(
            &store,
            &limiter,
            "ana",
            password.as_secret(),
            OFFICE,
            TimeDelta::zero(),
        )
        .await
        .unwrap();
        let id_hash = sha256_hex(over.cookie.expose_secret());
        assert!(store.staff_session(&id_hash).await.unwrap().is_some());
        assert!(session(&store, over.cookie.expose_secret())
            .await
            .unwrap()
            .is_none());
        assert!(store.staff_session(&id_hash).await.unwrap().is_none());
    }
}
