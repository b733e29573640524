//! Staff accounts: a name, roles, a stored password, and whether it is disabled. Every change
//! is written with its audit entry in one transaction.

use super::audit::{staff_audit, StaffAuthor};
use crate::{parse_timestamp, timestamp, timestamp_column, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{AccountName, Roles};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::fmt;

/// A staff account as stored, without its password (see [`StoredPassword`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    /// The database's id.
    pub id: i64,
    /// What the person signs in with and the audit trail shows.
    pub name: AccountName,
    /// What the account may do.
    pub roles: Roles,
    /// Since when it may no longer do anything, if disabled.
    pub disabled_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl StaffAccount {
    /// Whether the account may sign in and act.
    pub fn is_enabled(&self) -> bool {
        self.disabled_at.is_none()
    }
}

/// An account's password as stored: an Argon2id PHC string, or a mark that no password
/// matches (accounts made from `[gateway.staff_keys]`). Never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredPassword(String);

impl StoredPassword {
    /// The mark no password matches: not a PHC string, so verification always fails.
    const UNUSABLE: &'static str = "!";

    /// A PHC string made by the password hasher.
    pub fn new(phc: String) -> StoredPassword {
        StoredPassword(phc)
    }

    /// A password nobody can sign in with, until one is set.
    pub fn unusable() -> StoredPassword {
        StoredPassword(Self::UNUSABLE.to_owned())
    }

    /// The PHC string to verify against (`!` for an unusable password).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for StoredPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoredPassword(..)")
    }
}

/// The columns [`account_of_row`] reads, qualified by `a.`.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "a.id AS account_id, a.name, a.roles, a.disabled_at, a.created_at AS account_created_at";

impl Store {
    /// Creates an account with its audit entry; `None` when the name is already taken.
    pub async fn add_staff_account(
        &self,
        name: &AccountName,
        roles: &Roles,
        password: &StoredPassword,
        by: &StaffAuthor,
    ) -> Result<Option<StaffAccount>, StoreError> {
        let now = Utc::now();
        let now_text = timestamp(now);
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO staff_accounts (name, roles, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name.as_str())
        .bind(roles.to_string())
        .bind(password.as_str())
        .bind(&now_text)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        staff_audit(
            &mut tx,
            &now_text,
            by,
            "account.created",
            name.as_str(),
            json!({"roles": roles.to_string()}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(StaffAccount {
            id,
            name: name.clone(),
            roles: roles.clone(),
            disabled_at: None,
            // As stored: the text keeps microseconds only.
            created_at: parse_timestamp("staff_accounts", &now_text)?,
        }))
    }

    /// The account of this name, if any.
    pub async fn staff_account(
        &self,
        name: &AccountName,
    ) -> Result<Option<StaffAccount>, StoreError> {
        Ok(self
            .staff_account_with_password(name)
            .await?
            .map(|(account, _)| account))
    }

    /// The account of this name with its stored password, to verify a sign-in.
    pub async fn staff_account_with_password(
        &self,
        name: &AccountName,
    ) -> Result<Option<(StaffAccount, StoredPassword)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS}, a.password_hash FROM staff_accounts a WHERE a.name = $1"
        ))
        .bind(name.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok((
                account_of_row(&row)?,
                StoredPassword(row.try_get("password_hash")?),
            ))
        })
        .transpose()
    }

    /// Every account, by name.
    pub async fn staff_accounts(&self) -> Result<Vec<StaffAccount>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM staff_accounts a ORDER BY a.name"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(account_of_row).collect()
    }

    /// Disables an account and ends its sessions, with an audit entry; the account as it is
    /// now, `None` when there is no such account. Disabling it again changes nothing.
    pub async fn disable_staff_account(
        &self,
        name: &AccountName,
        by: &StaffAuthor,
    ) -> Result<Option<StaffAccount>, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE staff_accounts SET disabled_at = $2, updated_at = $2 \
             WHERE name = $1 AND disabled_at IS NULL",
        )
        .bind(name.as_str())
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            end_sessions(&mut tx, name).await?;
            staff_audit(
                &mut tx,
                &now,
                by,
                "account.disabled",
                name.as_str(),
                json!({}),
            )
            .await?;
        }
        let account = account_on(&mut tx, name).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Replaces an account's roles, with an audit entry naming the old and new ones; the
    /// account as it is now, `None` when there is no such account.
    pub async fn set_staff_roles(
        &self,
        name: &AccountName,
        roles: &Roles,
        by: &StaffAuthor,
    ) -> Result<Option<StaffAccount>, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let Some(before) = account_on(&mut tx, name).await? else {
            return Ok(None);
        };
        sqlx::query("UPDATE staff_accounts SET roles = $2, updated_at = $3 WHERE id = $1")
            .bind(before.id)
            .bind(roles.to_string())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        staff_audit(
            &mut tx,
            &now,
            by,
            "account.roles-changed",
            name.as_str(),
            json!({"from": before.roles.to_string(), "to": roles.to_string()}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(StaffAccount {
            roles: roles.clone(),
            ..before
        }))
    }

    /// Replaces an account's password and ends its sessions, with an audit entry; false when
    /// there is no such account.
    pub async fn set_staff_password(
        &self,
        name: &AccountName,
        password: &StoredPassword,
        by: &StaffAuthor,
    ) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE staff_accounts SET password_hash = $2, updated_at = $3 WHERE name = $1",
        )
        .bind(name.as_str())
        .bind(password.as_str())
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            end_sessions(&mut tx, name).await?;
            staff_audit(
                &mut tx,
                &now,
                by,
                "account.password-changed",
                name.as_str(),
                json!({}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    }
}

/// The account of this name, on an open connection.
pub(crate) async fn account_on(
    conn: &mut AnyConnection,
    name: &AccountName,
) -> Result<Option<StaffAccount>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM staff_accounts a WHERE a.name = $1"
    ))
    .bind(name.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(account_of_row).transpose()
}

/// Signs every session of the account out.
async fn end_sessions(conn: &mut AnyConnection, name: &AccountName) -> Result<(), StoreError> {
    sqlx::query(
        "DELETE FROM staff_sessions WHERE account_id IN \
         (SELECT id FROM staff_accounts WHERE name = $1)",
    )
    .bind(name.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Reads the [`ACCOUNT_COLUMNS`] of a row.
pub(crate) fn account_of_row(row: &AnyRow) -> Result<StaffAccount, StoreError> {
    let name: String = row.try_get("name")?;
    Ok(StaffAccount {
        id: row.try_get("account_id")?,
        name: AccountName::parse(&name).map_err(|e| StoreError::Corrupt {
            table: "staff_accounts",
            why: e.to_string(),
        })?,
        roles: Roles::parse_list(&row.try_get::<String, _>("roles")?).map_err(|e| {
            StoreError::Corrupt {
                table: "staff_accounts",
                why: e.to_string(),
            }
        })?,
        disabled_at: timestamp_column(row, "staff_accounts", "disabled_at")?,
        created_at: parse_timestamp(
            "staff_accounts",
            &row.try_get::<String, _>("account_created_at")?,
        )?,
    })
}
