//! `circulars-staff`: the secretariat's staff accounts, one function per operation, called
//! alike by the CLI and the gateway's API and console. Who may do what is decided here, from
//! the [`Actor`] each function is given; the database work is `circulars-store`'s.
//!
//! # Layout
//! - [`accounts`]: accounts added, disabled, given roles and passwords, listed; the [`Actor`]
//!   of an account named with `--as NAME`, a session or a token
//! - [`passwords`]: passwords generated and shown once, Argon2id hashing and verification
//! - [`sign_in`]: signing in with a name and password, rate limited, into a new session
//! - [`sessions`]: a session cookie read back, signing out
//! - [`tokens`]: API tokens created, listed, revoked, and a `Bearer` token authenticated
//! - [`staff_keys`]: the keys of `[gateway.staff_keys]` imported as tokens
//! - `secrets`: random values and their digests

pub mod accounts;
pub mod passwords;
mod secrets;
pub mod sessions;
pub mod sign_in;
pub mod staff_keys;
pub mod tokens;

pub use accounts::{
    accounts, actor, add_account, disable_account, reset_password, set_password, set_roles,
};
pub use passwords::OneTimePassword;
pub use sessions::{session, sign_out, CsrfToken, SessionCookie, SignedIn};
pub use sign_in::{session_lifetime, sign_in, Limit, NewSession, SignInError, SignInLimiter};
pub use staff_keys::{import_staff_keys, StaffKeyError, StaffKeyProblem, StaffKeysImported};
pub use tokens::{authenticate_token, create_token, revoke_token, tokens, ApiToken, NewToken};

pub use circulars_core::domain::{AccountName, Actor, Role, Roles, Via};
pub use circulars_store::{StaffAccount, StaffToken};

use circulars_core::domain::BadAccountName;
use circulars_store::StoreError;

/// Why a staff operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// The actor lacks the role the operation needs.
    #[error("{actor} cannot {action}: that needs the {needs} role")]
    NotAllowed {
        /// Who tried (an audit name).
        actor: String,
        /// What they tried, in words (`add accounts`).
        action: &'static str,
        /// The role it needs.
        needs: Role,
    },
    /// No account has this name.
    #[error("there is no staff account named {0}")]
    UnknownAccount(AccountName),
    /// The account is disabled: it can no longer act.
    #[error("the staff account {0} is disabled")]
    Disabled(AccountName),
    /// Another account already has this name.
    #[error("there is already a staff account named {0}: choose another name")]
    NameTaken(AccountName),
    /// The text cannot be an account name.
    #[error(transparent)]
    BadName(#[from] BadAccountName),
    /// An account needs at least one role.
    #[error("give the account {0} at least one role (drafter, approver, operator, admin)")]
    NoRoles(AccountName),
    /// A chosen password is too short or too long.
    #[error(
        "a password needs {} to {} characters; this one has {chars}",
        passwords::MIN_PASSWORD_CHARS,
        passwords::MAX_PASSWORD_CHARS
    )]
    WeakPassword {
        /// How many characters it has.
        chars: usize,
    },
    /// A token needs a label saying what it is for.
    #[error("give the token a label saying what it is for (--label)")]
    NoLabel,
    /// No token has this id.
    #[error("there is no API token {0}")]
    UnknownToken(i64),
    /// A key of `[gateway.staff_keys]` cannot be used.
    #[error(transparent)]
    StaffKey(#[from] StaffKeyError),
    /// Hashing a password failed.
    #[error("cannot hash the password: {0}")]
    Hash(#[source] argon2::password_hash::Error),
    /// The task hashing or verifying a password failed (it panicked or was cancelled).
    #[error("the password task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Refuses unless `by` holds `role`.
fn require(by: &Actor, role: Role, action: &'static str) -> Result<(), StaffError> {
    if by.has(role) {
        Ok(())
    } else {
        Err(StaffError::NotAllowed {
            actor: by.name(),
            action,
            needs: role,
        })
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A fresh SQLite store per test, and actors.

    use super::*;

    /// A migrated SQLite database in a temporary folder (kept as long as the folder).
    pub async fn store() -> (tempfile::TempDir, circulars_store::Store) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("staff.db").display());
        let store = circulars_store::Store::open(&url)
            .await
            .expect("the store opens");
        (dir, store)
    }

    /// The CLI's operating-system user, who holds every role.
    pub fn root() -> Actor {
        Actor::system("root")
    }

    /// An account name, for tests.
    pub fn name(text: &str) -> AccountName {
        AccountName::parse(text).expect("a good name")
    }

    /// Roles from a list, for tests.
    pub fn roles(list: &str) -> Roles {
        Roles::parse_list(list).expect("good roles")
    }
}
