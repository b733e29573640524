//! The per-person keys of `[gateway.staff_keys]`, from before accounts existed, kept working
//! as API tokens: each key becomes a token of the account of the same name, created (with the
//! admin role, which the keys gave, and no usable password) when missing. Run at every start
//! of the gateway: a key already imported changes nothing, and a token an admin revoked stays
//! revoked (take the key out of the configuration).

use crate::secrets::sha256_hex;
use crate::StaffError;
use circulars_core::domain::{AccountName, Role, Roles};
use circulars_store::{StaffAuthor, Store, TokenImport};
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;

/// The shortest staff key accepted, in characters.
pub const MIN_STAFF_KEY_LEN: usize = 32;

/// A staff key that cannot be used (the message names the person, never the key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("gateway.staff_keys.{name}: {problem}")]
pub struct StaffKeyError {
    /// Whose key, as written in the configuration.
    pub name: String,
    /// What is wrong with it.
    pub problem: StaffKeyProblem,
}

/// What is wrong with a staff key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffKeyProblem {
    /// The name cannot be an account's.
    #[error("{0}")]
    BadName(#[from] circulars_core::domain::BadAccountName),
    /// Shorter than [`MIN_STAFF_KEY_LEN`] characters.
    #[error("is shorter than {MIN_STAFF_KEY_LEN} characters")]
    TooShort,
    /// The same key as someone else's.
    #[error("is also {other}'s key: give each person their own")]
    Shared {
        /// The other person.
        other: String,
    },
    /// The key is already the API token of another account (it moved to another name).
    #[error("is already the API token of the account {other}: give each person their own key")]
    HeldBy {
        /// The account holding it.
        other: AccountName,
    },
}

/// What importing the keys did, for the gateway's log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffKeysImported {
    /// The accounts created for keys whose name had none.
    pub accounts_created: Vec<AccountName>,
    /// How many keys became tokens now (the others were already).
    pub tokens_added: usize,
}

/// Imports the keys of `[gateway.staff_keys]` as API tokens (see the module's documentation).
/// Every key is checked first (a name that can be an account's, at least
/// [`MIN_STAFF_KEY_LEN`] characters, no key shared by two people): with one bad key, none is
/// imported.
pub async fn import_staff_keys(
    store: &Store,
    keys: &BTreeMap<String, SecretString>,
) -> Result<StaffKeysImported, StaffError> {
    let checked = check(keys)?;
    let admin: Roles = [Role::Admin].into_iter().collect();
    let by = StaffAuthor::configuration();
    let mut imported = StaffKeysImported::default();
    for (name, digest) in checked {
        match store
            .import_staff_token(&name, &digest, &admin, &by)
            .await?
        {
            TokenImport::Added { account_created } => {
                imported.tokens_added += 1;
                if account_created {
                    imported.accounts_created.push(name);
                }
            }
            TokenImport::AlreadyThere => {}
            TokenImport::HeldBy(other) => {
                return Err(StaffKeyError {
                    name: name.to_string(),
                    problem: StaffKeyProblem::HeldBy { other },
                }
                .into())
            }
        }
    }
    Ok(imported)
}

/// Each key's account name and SHA-256, once every key is known to be usable.
fn check(
    keys: &BTreeMap<String, SecretString>,
) -> Result<Vec<(AccountName, String)>, StaffKeyError> {
    let mut checked: Vec<(AccountName, String)> = Vec::new();
    for (name, key) in keys {
        let bad = |problem| StaffKeyError {
            name: name.clone(),
            problem,
        };
        let account = AccountName::parse(name).map_err(|e| bad(e.into()))?;
        let key = key.expose_secret();
        if key.chars().count() < MIN_STAFF_KEY_LEN {
            return Err(bad(StaffKeyProblem::TooShort));
        }
        let digest = sha256_hex(key);
        if let Some((other, _)) = checked.iter().find(|(_, d)| *d == digest) {
            return Err(bad(StaffKeyProblem::Shared {
                other: other.to_string(),
            }));
        }
        checked.push((account, digest));
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{name, roles, root, store};
    use crate::{add_account, authenticate_token, revoke_token, tokens};

    fn keys(pairs: &[(&str, &str)]) -> BTreeMap<String, SecretString> {
        pairs
            .iter()
            .map(|(n, k)| ((*n).to_owned(), SecretString::from(*k)))
            .collect()
    }

    const ANA_KEY: &str = "ana-key-0123456789abcdef0123456789";
    const BO_KEY: &str = "bo-key-0123456789abcdef0123456789ab";

    #[tokio::test]
    async fn keys_become_tokens_of_their_accounts_once() {
        let (_dir, store) = store().await;
        add_account(&store, &root(), &name("bo"), &roles("operator"))
            .await
            .unwrap();
        let configured = keys(&[("ana", ANA_KEY), ("bo", BO_KEY)]);
        let first = import_staff_keys(&store, &configured).await.unwrap();
        assert_eq!(first.accounts_created, [name("ana")]);
        assert_eq!(first.tokens_added, 2);
        let again = import_staff_keys(&store, &configured).await.unwrap();
        assert_eq!(again, StaffKeysImported::default(), "nothing new");

        let ana = authenticate_token(&store, ANA_KEY).await.unwrap().unwrap();
        assert_eq!(ana.roles.to_string(), "admin", "the keys' role");
        let bo = authenticate_token(&store, BO_KEY).await.unwrap().unwrap();
        assert_eq!(
            bo.roles.to_string(),
            "operator",
            "an account keeps its roles"
        );
        let trail = store.staff_audit("ana").await.unwrap();
        assert_eq!(trail[0].via, "config");

        let token = &tokens(&store, &root(), &name("ana")).await.unwrap()[0];
        revoke_token(&store, &root(), token.id).await.unwrap();
        import_staff_keys(&store, &configured).await.unwrap();
        assert!(
            authenticate_token(&store, ANA_KEY).await.unwrap().is_none(),
            "a revoked key stays revoked"
        );
    }

    #[tokio::test]
    async fn short_shared_moved_or_misnamed_keys_are_refused_naming_the_person() {
        let (_dir, store) = store().await;
        let error = |pairs: &[(&str, &str)]| check(&keys(pairs)).unwrap_err().to_string();
        assert_eq!(
            error(&[("ana", "short")]),
            "gateway.staff_keys.ana: is shorter than 32 characters"
        );
        assert_eq!(
            error(&[("ana", ANA_KEY), ("bo", ANA_KEY)]),
            "gateway.staff_keys.bo: is also ana's key: give each person their own"
        );
        assert!(error(&[("Ana Lopez", ANA_KEY)]).starts_with("gateway.staff_keys.Ana Lopez: "));
        import_staff_keys(&store, &keys(&[("ana", ANA_KEY)]))
            .await
            .unwrap();
        let moved = import_staff_keys(&store, &keys(&[("bo", ANA_KEY)]))
            .await
            .unwrap_err();
        assert_eq!(
            moved.to_string(),
            "gateway.staff_keys.bo: is already the API token of the account ana: \
             give each person their own key"
        );
        assert!(!moved.to_string().contains(ANA_KEY));
    }
}
