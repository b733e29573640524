//! Accounts: added with a password shown once, disabled, given roles and new passwords, each
//! change audited with who made it and from where; and the [`Actor`] an account acts as.

use crate::passwords::{self, OneTimePassword};
use crate::{require, StaffError};
use circulars_core::domain::{AccountName, Actor, Role, Roles, Via};
use circulars_store::{StaffAccount, StaffAuthor, Store};
use secrecy::SecretString;

/// Adds an account with `roles` and a generated password, returned once to be shown to the
/// person (only its Argon2id hash is stored). Needs the admin role.
pub async fn add_account(
    store: &Store,
    by: &Actor,
    name: &AccountName,
    roles: &Roles,
) -> Result<(StaffAccount, OneTimePassword), StaffError> {
    require(by, Role::Admin, "add accounts")?;
    if roles.is_empty() {
        return Err(StaffError::NoRoles(name.clone()));
    }
    let password = OneTimePassword::generate();
    let stored = passwords::hash(password.as_secret()).await?;
    let account = store
        .add_staff_account(name, roles, &stored, &StaffAuthor::from(by))
        .await?
        .ok_or_else(|| StaffError::NameTaken(name.clone()))?;
    Ok((account, password))
}

/// Disables an account: it can no longer sign in, its sessions end and its tokens stop
/// working. Needs the admin role; disabling it again changes nothing.
pub async fn disable_account(
    store: &Store,
    by: &Actor,
    name: &AccountName,
) -> Result<StaffAccount, StaffError> {
    require(by, Role::Admin, "disable accounts")?;
    store
        .disable_staff_account(name, &StaffAuthor::from(by))
        .await?
        .ok_or_else(|| StaffError::UnknownAccount(name.clone()))
}

/// Replaces an account's roles (at least one). Needs the admin role.
pub async fn set_roles(
    store: &Store,
    by: &Actor,
    name: &AccountName,
    roles: &Roles,
) -> Result<StaffAccount, StaffError> {
    require(by, Role::Admin, "change roles")?;
    if roles.is_empty() {
        return Err(StaffError::NoRoles(name.clone()));
    }
    store
        .set_staff_roles(name, roles, &StaffAuthor::from(by))
        .await?
        .ok_or_else(|| StaffError::UnknownAccount(name.clone()))
}

/// Sets a password the person chose (12 to 1024 characters) and ends the account's
/// sessions. Needs the admin role, or to be the account itself.
pub async fn set_password(
    store: &Store,
    by: &Actor,
    name: &AccountName,
    password: &SecretString,
) -> Result<(), StaffError> {
    require_admin_or_self(by, name)?;
    passwords::check_chosen(password)?;
    let stored = passwords::hash(password).await?;
    if store
        .set_staff_password(name, &stored, &StaffAuthor::from(by))
        .await?
    {
        Ok(())
    } else {
        Err(StaffError::UnknownAccount(name.clone()))
    }
}

/// Gives an account a new generated password, returned once to be shown, and ends its
/// sessions. Needs the admin role, or to be the account itself.
pub async fn reset_password(
    store: &Store,
    by: &Actor,
    name: &AccountName,
) -> Result<OneTimePassword, StaffError> {
    require_admin_or_self(by, name)?;
    let password = OneTimePassword::generate();
    let stored = passwords::hash(password.as_secret()).await?;
    if store
        .set_staff_password(name, &stored, &StaffAuthor::from(by))
        .await?
    {
        Ok(password)
    } else {
        Err(StaffError::UnknownAccount(name.clone()))
    }
}

/// Every account, by name. Needs the admin role.
pub async fn accounts(store: &Store, by: &Actor) -> Result<Vec<StaffAccount>, StaffError> {
    require(by, Role::Admin, "list accounts")?;
    Ok(store.staff_accounts().await?)
}

/// The actor an enabled account is, with its roles as they are now, acting `via` the CLI's
/// `--as NAME`, the API or a page. An unknown name, or a disabled account, is an error naming
/// it.
pub async fn actor(store: &Store, name: &str, via: Via) -> Result<Actor, StaffError> {
    let name = AccountName::parse(name)?;
    let account = store
        .staff_account(&name)
        .await?
        .ok_or_else(|| StaffError::UnknownAccount(name.clone()))?;
    if !account.is_enabled() {
        return Err(StaffError::Disabled(name));
    }
    Ok(Actor::account(account.name, account.roles, via))
}

/// Refuses unless `by` is an admin or the account `name` itself.
fn require_admin_or_self(by: &Actor, name: &AccountName) -> Result<(), StaffError> {
    if by.account.as_ref() == Some(name) {
        return Ok(());
    }
    require(by, Role::Admin, "set another account's password")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{name, roles, root, store};

    #[tokio::test]
    async fn an_admin_adds_an_account_once_and_it_is_audited() {
        let (_dir, store) = store().await;
        let (account, password) = add_account(&store, &root(), &name("ana"), &roles("drafter"))
            .await
            .unwrap();
        assert_eq!(account.name.as_str(), "ana");
        assert!(account.roles.has(Role::Drafter) && account.is_enabled());
        assert!(!format!("{account:?}").contains(password.expose_secret()));
        let again = add_account(&store, &root(), &name("ana"), &roles("admin"))
            .await
            .unwrap_err();
        assert_eq!(
            again.to_string(),
            "there is already a staff account named ana: choose another name"
        );
        let trail = store.staff_audit("ana").await.unwrap();
        assert_eq!(trail.len(), 1, "{trail:?}");
        assert_eq!(
            (
                trail[0].action.as_str(),
                trail[0].actor.as_str(),
                trail[0].via.as_str()
            ),
            ("account.created", "system:root", "cli")
        );
        assert!(!trail[0].detail.contains(password.expose_secret()));
    }

    #[tokio::test]
    async fn only_admins_manage_accounts_and_each_sets_only_their_own_password() {
        let (_dir, store) = store().await;
        add_account(&store, &root(), &name("ana"), &roles("drafter,approver"))
            .await
            .unwrap();
        add_account(&store, &root(), &name("bo"), &roles("drafter"))
            .await
            .unwrap();
        let ana = actor(&store, "ana", Via::Cli).await.unwrap();
        let refused = add_account(&store, &ana, &name("cy"), &roles("admin"))
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "ana cannot add accounts: that needs the admin role"
        );
        assert!(matches!(
            set_roles(&store, &ana, &name("ana"), &roles("admin")).await,
            Err(StaffError::NotAllowed {
                needs: Role::Admin,
                ..
            })
        ));
        assert!(matches!(
            reset_password(&store, &ana, &name("bo")).await,
            Err(StaffError::NotAllowed { .. })
        ));
        reset_password(&store, &ana, &name("ana")).await.unwrap();
        let short = set_password(&store, &ana, &name("ana"), &SecretString::from("short"))
            .await
            .unwrap_err();
        assert!(matches!(short, StaffError::WeakPassword { chars: 5 }));
        assert!(matches!(
            store.staff_audit("ana").await.unwrap().last(),
            Some(entry) if entry.action == "account.password-changed" && entry.actor == "ana"
        ));
    }

    #[tokio::test]
    async fn roles_change_and_a_disabled_account_cannot_act() {
        let (_dir, store) = store().await;
        add_account(&store, &root(), &name("ana"), &roles("drafter"))
            .await
            .unwrap();
        let changed = set_roles(&store, &root(), &name("ana"), &roles("approver,operator"))
            .await
            .unwrap();
        assert_eq!(changed.roles.to_string(), "approver,operator");
        assert!(matches!(
            set_roles(&store, &root(), &name("ana"), &Roles::default()).await,
            Err(StaffError::NoRoles(_))
        ));
        let ana = actor(&store, "ana", Via::Api).await.unwrap();
        assert_eq!((ana.name(), ana.via), ("ana".to_owned(), Via::Api));
        assert!(ana.has(Role::Operator) && !ana.has(Role::Drafter));
        let disabled = disable_account(&store, &root(), &name("ana"))
            .await
            .unwrap();
        assert!(!disabled.is_enabled());
        assert_eq!(
            actor(&store, "ana", Via::Cli)
                .await
                .unwrap_err()
                .to_string(),
            "the staff account ana is disabled"
        );
        assert_eq!(
            actor(&store, "nobody", Via::Cli)
                .await
                .unwrap_err()
                .to_string(),
            "there is no staff account named nobody"
        );
        assert!(matches!(
            actor(&store, "Not A Name", Via::Cli).await,
            Err(StaffError::BadName(_))
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
            [
                "account.created",
                "account.roles-changed",
                "account.disabled"
            ]
        );
    }
}
