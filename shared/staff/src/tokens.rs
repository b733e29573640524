//! API tokens: `Authorization: Bearer circ_…`, created by an admin for an account and shown
//! once, stored as their SHA-256, acting with the account's roles as they are when used, until
//! revoked or the account is disabled.

use crate::secrets::{random_bytes, sha256_hex};
use crate::{require, StaffError};
use chrono::{TimeDelta, Utc};
use circulars_core::domain::{AccountName, Actor, Role};
use circulars_store::{StaffAccount, StaffAuthor, StaffToken, Store};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// What every token made here starts with, so that one pasted somewhere it should not be is
/// recognised (by people and by secret scanners).
pub const TOKEN_PREFIX: &str = "circ_";
/// The longest bearer value looked up: longer ones are refused without a query.
const MAX_BEARER_LEN: usize = 512;
/// How stale `last_used_at` may get before a use writes it again: a busy token does not write
/// on every request.
const LAST_USED_RESOLUTION: TimeDelta = TimeDelta::minutes(1);

/// A token's secret: `circ_` and 32 random bytes in base64url. Shown once, never printed by
/// `Debug`.
pub struct ApiToken(SecretString);

impl ApiToken {
    /// The token, to show once.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(..)")
    }
}

/// A token just created.
#[derive(Debug)]
pub struct NewToken {
    /// The stored token (id, account, label, …).
    pub token: StaffToken,
    /// Its secret, to show once.
    pub secret: ApiToken,
}

/// Creates an API token for `account` (enabled), labelled with what it is for. Needs the
/// admin role.
pub async fn create_token(
    store: &Store,
    by: &Actor,
    account: &AccountName,
    label: &str,
) -> Result<NewToken, StaffError> {
    require(by, Role::Admin, "create API tokens")?;
    let label = label.trim();
    if label.is_empty() {
        return Err(StaffError::NoLabel);
    }
    let owner = store
        .staff_account(account)
        .await?
        .ok_or_else(|| StaffError::UnknownAccount(account.clone()))?;
    if !owner.is_enabled() {
        return Err(StaffError::Disabled(owner.name));
    }
    let secret = format!(
        "{TOKEN_PREFIX}{}",
        data_encoding::BASE64URL_NOPAD.encode(&random_bytes::<32>())
    );
    let token = store
        .add_staff_token(account, label, &sha256_hex(&secret), &StaffAuthor::from(by))
        .await?
        .ok_or_else(|| StaffError::UnknownAccount(account.clone()))?;
    Ok(NewToken {
        token,
        secret: ApiToken(SecretString::from(secret)),
    })
}

/// Revokes a token: it is refused from now on. Needs the admin role; revoking it again
/// changes nothing.
pub async fn revoke_token(store: &Store, by: &Actor, id: i64) -> Result<StaffToken, StaffError> {
    require(by, Role::Admin, "revoke API tokens")?;
    store
        .revoke_staff_token(id, &StaffAuthor::from(by))
        .await?
        .ok_or(StaffError::UnknownToken(id))
}

/// The tokens of an account, oldest first, revoked ones included. Needs the admin role.
pub async fn tokens(
    store: &Store,
    by: &Actor,
    account: &AccountName,
) -> Result<Vec<StaffToken>, StaffError> {
    require(by, Role::Admin, "list API tokens")?;
    if store.staff_account(account).await?.is_none() {
        return Err(StaffError::UnknownAccount(account.clone()));
    }
    Ok(store.staff_tokens(account).await?)
}

/// The account a `Bearer` value acts as: `None` for an unknown or revoked token, or one of a
/// disabled account. Records when it was used (to the minute).
pub async fn authenticate_token(
    store: &Store,
    bearer: &str,
) -> Result<Option<StaffAccount>, StaffError> {
    let bearer = bearer.trim();
    if bearer.is_empty() || bearer.len() > MAX_BEARER_LEN {
        return Ok(None);
    }
    let Some((token, account)) = store.staff_token_by_hash(&sha256_hex(bearer)).await? else {
        return Ok(None);
    };
    if token.revoked_at.is_some() || !account.is_enabled() {
        return Ok(None);
    }
    let now = Utc::now();
    if token
        .last_used_at
        .is_none_or(|at| now - at >= LAST_USED_RESOLUTION)
    {
        store.mark_staff_token_used(token.id, now).await?;
    }
    Ok(Some(account))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{name, roles, root, store};
    use crate::{actor, add_account, disable_account};
    use circulars_core::domain::Via;

    #[tokio::test]
    async fn a_token_acts_as_its_account_until_revoked() {
        let (_dir, store) = store().await;
        add_account(&store, &root(), &name("ana"), &roles("operator"))
            .await
            .unwrap();
        let new = create_token(&store, &root(), &name("ana"), " nightly export ")
            .await
            .unwrap();
        let secret = new.secret.expose_secret().to_owned();
        assert!(
            secret.starts_with("circ_") && secret.len() == 5 + 43,
            "{secret}"
        );
        assert!(!format!("{new:?}").contains(&secret));
        assert_eq!(new.token.label, "nightly export");
        assert_eq!(new.token.created_by, "system:root");
        assert!(new.token.last_used_at.is_none());

        let account = authenticate_token(&store, &secret).await.unwrap().unwrap();
        assert_eq!(account.name.as_str(), "ana");
        let listed = tokens(&store, &root(), &name("ana")).await.unwrap();
        assert!(listed[0].last_used_at.is_some(), "{listed:?}");
        assert!(authenticate_token(&store, "circ_guessed")
            .await
            .unwrap()
            .is_none());

        let revoked = revoke_token(&store, &root(), new.token.id).await.unwrap();
        assert!(revoked.revoked_at.is_some());
        assert!(authenticate_token(&store, &secret).await.unwrap().is_none());
        assert!(matches!(
            revoke_token(&store, &root(), 999).await,
            Err(StaffError::UnknownToken(999))
        ));
        let actions: Vec<String> = store
            .staff_audit("ana")
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            ["account.created", "token.created", "token.revoked"]
        );
    }

    #[tokio::test]
    async fn only_admins_make_tokens_and_a_disabled_account_s_tokens_stop() {
        let (_dir, store) = store().await;
        add_account(&store, &root(), &name("ana"), &roles("operator"))
            .await
            .unwrap();
        let ana = actor(&store, "ana", Via::Api).await.unwrap();
        let refused = create_token(&store, &ana, &name("ana"), "mine")
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "ana cannot create API tokens: that needs the admin role"
        );
        assert!(matches!(
            create_token(&store, &root(), &name("ana"), "  ").await,
            Err(StaffError::NoLabel)
        ));
        assert!(matches!(
            create_token(&store, &root(), &name("bo"), "x").await,
            Err(StaffError::UnknownAccount(_))
        ));
        let new = create_token(&store, &root(), &name("ana"), "export")
            .await
            .unwrap();
        disable_account(&store, &root(), &name("ana"))
            .await
            .unwrap();
        assert!(authenticate_token(&store, new.secret.expose_secret())
            .await
            .unwrap()
            .is_none());
    }
}
