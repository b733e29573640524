//! Staff: the accounts that act on circulars, their roles, and who is acting from where.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// What an account may do. One person may hold several roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Creates and edits drafts, previews them, sends test copies, submits them for approval.
    Drafter,
    /// Approves a submitted circular or sends it back, never one they drafted or last edited.
    Approver,
    /// Issues approved circulars, pauses, resumes and cancels them, sets relay limits, reads all.
    Operator,
    /// Manages accounts, API tokens and the directory.
    Admin,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 4] = [Role::Drafter, Role::Approver, Role::Operator, Role::Admin];

    /// The role's name, as in files, the database and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Drafter => "drafter",
            Role::Approver => "approver",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a role (drafter, approver, operator, admin)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// The roles an account holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles(BTreeSet<Role>);

impl Roles {
    /// Every role: what the operating-system user of the CLI holds when approval is off.
    pub fn all() -> Roles {
        Roles(Role::ALL.into_iter().collect())
    }

    /// Whether `role` is among them.
    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// The roles, in [`Role::ALL`]'s order.
    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads a comma-separated list (`drafter,approver`), as the database and CLI keep it.
    pub fn parse_list(text: &str) -> Result<Roles, UnknownRole> {
        text.split(',')
            .filter(|part| !part.trim().is_empty())
            .map(str::parse)
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Roles)
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Roles {
        Roles(iter.into_iter().collect())
    }
}

impl fmt::Display for Roles {
    /// The comma-separated list the database keeps (`drafter,approver`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Role::as_str).collect();
        f.write_str(&names.join(","))
    }
}

/// The name of a staff account: what people sign in with and what the audit trail shows.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountName(String);

/// The text cannot be an account name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an account name (lower-case letters, digits, '.', '-' and '_', starting with a letter, at most 64)")]
pub struct BadAccountName(pub String);

impl AccountName {
    /// Accepts a well-formed name: a lower-case ASCII letter, then lower-case letters, digits,
    /// `.`, `-` and `_`, at most 64 characters. (`system:` names are the CLI's, never accounts.)
    pub fn parse(name: &str) -> Result<AccountName, BadAccountName> {
        let ok = (1..=64).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')
            });
        if ok {
            Ok(AccountName(name.to_owned()))
        } else {
            Err(BadAccountName(name.to_owned()))
        }
    }

    /// The name, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AccountName {
    type Error = BadAccountName;

    fn try_from(s: String) -> Result<AccountName, BadAccountName> {
        AccountName::parse(&s)
    }
}

impl From<AccountName> for String {
    fn from(name: AccountName) -> String {
        name.0
    }
}

/// Where an action came from, as the audit trail records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// A page of the staff console.
    Page,
    /// The JSON API (`/api/v1`).
    Api,
    /// The command line.
    Cli,
}

impl Via {
    /// The name stored in the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Page => "page",
            Via::Api => "api",
            Via::Cli => "cli",
        }
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is acting, with what roles, from where: an account (signed in, by token, or named with
/// the CLI's `--as`), or the operating-system user of the CLI when no account is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The account, or `None` for the operating-system user.
    pub account: Option<AccountName>,
    /// The operating-system user's name when `account` is `None`.
    pub system_user: String,
    /// What the actor may do.
    pub roles: Roles,
    /// Where the action came from.
    pub via: Via,
}

impl Actor {
    /// An account acting with its roles.
    pub fn account(name: AccountName, roles: Roles, via: Via) -> Actor {
        Actor {
            account: Some(name),
            system_user: String::new(),
            roles,
            via,
        }
    }

    /// The operating-system user of the CLI, holding every role (only where approval is off:
    /// the lifecycle refuses it otherwise).
    pub fn system(user: &str) -> Actor {
        Actor {
            account: None,
            system_user: user.to_owned(),
            roles: Roles::all(),
            via: Via::Cli,
        }
    }

    /// The name the audit trail records: the account's, or `system:<user>`.
    pub fn name(&self) -> String {
        match &self.account {
            Some(name) => name.to_string(),
            None => format!("system:{}", self.system_user),
        }
    }

    /// Whether the actor holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.has(role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_and_print_as_a_comma_list() {
        let roles = Roles::parse_list("approver, drafter").unwrap();
        assert_eq!(roles.to_string(), "drafter,approver");
        assert!(roles.has(Role::Drafter) && !roles.has(Role::Admin));
        assert_eq!(
            Roles::parse_list("drafter,boss").unwrap_err().to_string(),
            "'boss' is not a role (drafter, approver, operator, admin)"
        );
        assert!(Roles::parse_list("").unwrap().is_empty());
    }

    #[test]
    fn account_names_are_plain_lower_case() {
        assert!(AccountName::parse("ana.lopez-2").is_ok());
        for bad in [
            "",
            "Ana",
            "2ana",
            "system:root",
            "ana lopez",
            &"a".repeat(65),
        ] {
            assert!(AccountName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_audit_name_says_who() {
        let ana = Actor::account(AccountName::parse("ana").unwrap(), Roles::all(), Via::Api);
        assert_eq!(ana.name(), "ana");
        assert_eq!(Actor::system("root").name(), "system:root");
    }
}
