//! Signing in to the console with a name and password: rate limited per account name and per
//! client address, verified in the same time whether the account exists or not, refusals
//! recorded in the staff audit trail, and a new session on success.
//!
//! # Limits
//! Every attempt counts, whatever its outcome, against two in-memory buckets (GCRA, the
//! `governor` crate): one per account name typed (`[gateway] sign_in_per_account_per_minute`,
//! 5 by default) and one per client address (`sign_in_per_client_per_minute`, 30). Each
//! holds that many attempts at once and gets one back every 60/n seconds, so the default lets
//! five tries through, then one every 12 seconds: a person who mistyped waits a little, a
//! guessing run gets about 7 200 guesses a day per account. The buckets live in the gateway's
//! memory: they start full again when it restarts, and each gateway process keeps its own.
//! The client's bucket is counted first, so an attempt the account's limit turns away still
//! counts against the client.
//!
//! A refused attempt (unknown name, wrong password, disabled account) is written to the
//! staff audit trail under the name typed, with the client's address as actor. Attempts the
//! limiter turns away are logged, not stored, so that a flood cannot grow the table.

use crate::passwords;
use crate::secrets::{random_text, sha256_hex};
use crate::sessions::{CsrfToken, SessionCookie};
use crate::StaffError;
use chrono::{DateTime, TimeDelta, Utc};
use circulars_core::config::GatewayConfig;
use circulars_core::domain::AccountName;
use circulars_store::{StaffAccount, StaffAuthor, Store, StoreError};
use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use secrecy::SecretString;
use serde_json::json;
use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;
use tracing::warn;

/// How many keys a bucket map may hold before the full buckets are dropped from it.
const KEYS_BEFORE_CLEANING: usize = 10_000;

/// The sign-in rate limits, per account name typed and per client address (see the module's
/// documentation). One per gateway process, shared by every request.
pub struct SignInLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
}

impl SignInLimiter {
    /// Limits of `per_account` attempts a minute per account name and `per_client` per client
    /// address. Also prepares the hash unknown names are verified against.
    pub fn new(per_account: NonZeroU32, per_client: NonZeroU32) -> SignInLimiter {
        passwords::prepare();
        SignInLimiter {
            per_account: RateLimiter::keyed(Quota::per_minute(per_account)),
            per_client: RateLimiter::keyed(Quota::per_minute(per_client)),
        }
    }

    /// The limits `[gateway]` sets.
    pub fn from_config(config: &GatewayConfig) -> SignInLimiter {
        SignInLimiter::new(
            config.sign_in_per_account_per_minute,
            config.sign_in_per_client_per_minute,
        )
    }

    /// Counts one attempt for `name` from `client`; refuses when either bucket is empty.
    fn attempt(&self, name: &str, client: IpAddr) -> Result<(), SignInError> {
        if self.per_account.len().max(self.per_client.len()) > KEYS_BEFORE_CLEANING {
            self.per_account.retain_recent();
            self.per_client.retain_recent();
        }
        if let Err(not_until) = self.per_client.check_key(&client) {
            return Err(SignInError::TooManyAttempts {
                limit: Limit::Client,
                retry_after: not_until.wait_time_from(self.per_client.clock().now()),
            });
        }
        if let Err(not_until) = self.per_account.check_key(&name.to_owned()) {
            return Err(SignInError::TooManyAttempts {
                limit: Limit::Account,
                retry_after: not_until.wait_time_from(self.per_account.clock().now()),
            });
        }
        Ok(())
    }
}

impl fmt::Debug for SignInLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInLimiter")
            .field("accounts", &self.per_account.len())
            .field("clients", &self.per_client.len())
            .finish()
    }
}

/// How long a session lasts after signing in, as `[gateway] session_hours` sets.
pub fn session_lifetime(config: &GatewayConfig) -> TimeDelta {
    TimeDelta::hours(i64::from(config.session_hours.get()))
}

/// Which limit turned an attempt away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Too many attempts for this account name.
    Account,
    /// Too many attempts from this client address.
    Client,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::Account => "for this account",
            Limit::Client => "from this address",
        })
    }
}

/// Why signing in was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// No account has this name, or the password is not its password (which one is not said).
    #[error("wrong name or password")]
    WrongNameOrPassword,
    /// The password is right but the account is disabled.
    #[error("the staff account {0} is disabled")]
    Disabled(AccountName),
    /// The limiter turned the attempt away before the password was checked.
    #[error("too many sign-in attempts {limit}: try again in {} seconds", retry_after.as_secs().max(1))]
    TooManyAttempts {
        /// Which limit.
        limit: Limit,
        /// How long until one more attempt is allowed.
        retry_after: Duration,
    },
    /// Verifying the password or storing the session failed.
    #[error(transparent)]
    Failed(#[from] StaffError),
}

impl From<StoreError> for SignInError {
    fn from(e: StoreError) -> SignInError {
        SignInError::Failed(StaffError::Store(e))
    }
}

/// A session just created: the cookie's value (to set once, never logged) and the token the
/// session's forms carry.
#[derive(Debug)]
pub struct NewSession {
    /// The value of the session cookie.
    pub cookie: SessionCookie,
    /// The forms' CSRF token for this session.
    pub csrf_token: CsrfToken,
    /// The account signed in.
    pub account: StaffAccount,
    /// When the session stops working.
    pub expires_at: DateTime<Utc>,
}

/// Signs `name` in with `password` from `client` (see the module's documentation for the
/// limits and what is recorded): a session lasting `lifetime`, stored as the SHA-256 of its
/// cookie's value. Expired sessions of every account are removed on the way.
pub async fn sign_in(
    store: &Store,
    limiter: &SignInLimiter,
    name: &str,
    password: &SecretString,
    client: IpAddr,
    lifetime: TimeDelta,
) -> Result<NewSession, SignInError> {
    // At most a name's length counts: longer text is not a name anyway.
    let typed: String = name.chars().take(64).collect();
    if let Err(refused) = limiter.attempt(&typed, client) {
        warn!(%client, name = ?typed, "sign-in refused: {refused}");
        return Err(refused);
    }
    let found = match AccountName::parse(&typed) {
        Ok(name) => store.staff_account_with_password(&name).await?,
        Err(_) => None,
    };
    let matched = passwords::verify(password, found.as_ref().map(|(_, p)| p)).await?;
    let (account, reason) = match found {
        Some((account, _)) if matched && account.is_enabled() => (account, None),
        Some((account, _)) if matched => (account, Some("disabled")),
        Some((account, _)) => (account, Some("wrong password")),
        None => {
            refuse(store, &typed, client, "unknown account").await?;
            return Err(SignInError::WrongNameOrPassword);
        }
    };
    if let Some(reason) = reason {
        refuse(store, account.name.as_str(), client, reason).await?;
        return Err(if matched {
            SignInError::Disabled(account.name)
        } else {
            SignInError::WrongNameOrPassword
        });
    }
    let cookie = random_text();
    let csrf_token = random_text();
    let expires_at = Utc::now() + lifetime;
    store
        .add_staff_session(
            &sha256_hex(&cookie),
            &account,
            &csrf_token,
            &client.to_string(),
            expires_at,
        )
        .await?;
    Ok(NewSession {
        cookie: SessionCookie::new(cookie),
        csrf_token: CsrfToken::new(csrf_token),
        account,
        expires_at,
    })
}

/// Records and logs a refused sign-in under the name typed (quoted when it is not a name).
async fn refuse(
    store: &Store,
    typed: &str,
    client: IpAddr,
    reason: &str,
) -> Result<(), StoreError> {
    let subject = match AccountName::parse(typed) {
        Ok(name) => name.to_string(),
        Err(_) => format!("{typed:?}"),
    };
    warn!(%client, name = %subject, "sign-in refused: {reason}");
    store
        .record_staff_event(
            &StaffAuthor {
                name: format!("client {client}"),
                via: "page",
            },
            "sign-in.refused",
            &subject,
            json!({"reason": reason}),
        )
        .await
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testing::{name, roles, root, store};
    use crate::{add_account, disable_account, session};

    pub(crate) fn limiter(per_account: u32, per_client: u32) -> SignInLimiter {
        SignInLimiter::new(
            NonZeroU32::new(per_account).unwrap(),
            NonZeroU32::new(per_client).unwrap(),
        )
    }

    pub(crate) const HOURS: TimeDelta = TimeDelta::hours(12);
    pub(crate) const OFFICE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 7));

    #[tokio::test]
    async fn wrong_passwords_and_unknown_names_are_refused_alike_and_recorded() {
        let (_dir, store) = store().await;
        add_account(&store, &root(), &name("ana"), &roles("drafter"))
            .await
            .unwrap();
        let limiter = limiter(5, 30);
        let wrong = SecretString::from("not the password");
        for typed in ["ana", "nobody", "bad\0name"] {
            let refused = sign_in(&store, &limiter, typed, &wrong, OFFICE, HOURS)
                .await
                .unwrap_err();
            assert_eq!(refused.to_string(), "wrong name or password", "{typed:?}");
        }
        let ana = store.staff_audit("ana").await.unwrap();
        let last = ana.last().unwrap();
        assert_eq!(
            (last.action.as_str(), last.actor.as_str(), last.via.as_str()),
            ("sign-in.refused", "client 192.0.2.7", "page")
        );
        assert!(last.detail.contains("wrong password"), "{}", last.detail);
        let nobody = store.staff_audit("nobody").await.unwrap();
        assert!(nobody[0].detail.contains("unknown account"));
        assert_eq!(store.staff_audit("\"bad\\0name\"").await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn attempts_are_limited_per_account_and_per_client() {
        let (_dir, store) = store().await;
        let (_, password) = add_account(&store, &root(), &name("ana"), &roles("drafter"))
            .await
            .unwrap();
        let limiter = limiter(2, 4);
        let wrong = SecretString::from("not the password");
        for _ in 0..2 {
            let refused = sign_in(&store, &limiter, "ana", &wrong, OFFICE, HOURS).await;
            assert!(matches!(refused, Err(SignInError::WrongNameOrPassword)));
        }
        let limited = sign_in(&store, &limiter, "ana", password.as_secret(), OFFICE, HOURS)
            .await
            .unwrap_err();
        assert!(
            matches!(
                limited,
                SignInError::TooManyAttempts {
                    limit: Limit::Account,
                    ..
                }
            ),
            "even with the right password: {limited}"
        );
        assert!(limited
            .to_string()
            .starts_with("too many sign-in attempts for this account: try again in "));
        // Every attempt counted against the office, the one turned away too: its fourth, at
        // another name, is its last.
        let other = sign_in(&store, &limiter, "bo", &wrong, OFFICE, HOURS).await;
        assert!(matches!(other, Err(SignInError::WrongNameOrPassword)));
        let office = sign_in(&store, &limiter, "cy", &wrong, OFFICE, HOURS).await;
        assert!(matches!(
            office,
            Err(SignInError::TooManyAttempts {
                limit: Limit::Client,
                ..
            })
        ));
        let refusals = store.staff_audit("ana").await.unwrap().len() - 1;
        assert_eq!(refusals, 2, "limited attempts are not stored");
    }

    #[tokio::test]
    async fn a_disabled_account_cannot_sign_in_and_its_sessions_end() {
        let (_dir, store) = store().await;
        let (_, password) = add_account(&store, &root(), &name("ana"), &roles("drafter"))
            .await
            .unwrap();
        let limiter = limiter(5, 30);
        let open = sign_in(&store, &limiter, "ana", password.as_secret(), OFFICE, HOURS)
            .await
            .unwrap();
        disable_account(&store, &root(), &name("ana"))
            .await
            .unwrap();
        assert!(session(&store, open.cookie.expose_secret())
            .await
            .unwrap()
            .is_none());
        let refused = sign_in(&store, &limiter, "ana", password.as_secret(), OFFICE, HOURS)
            .await
            .unwrap_err();
        assert_eq!(refused.to_string(), "the staff account ana is disabled");
    }
}
