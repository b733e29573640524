//! API tokens (`Authorization: Bearer`): kept as their SHA-256 only, each of one account and
//! acting with that account's roles as they are when used; created, revoked, last used.

use super::accounts::{account_of_row, account_on, StaffAccount, StoredPassword, ACCOUNT_COLUMNS};
use super::audit::{staff_audit, StaffAuthor};
use crate::{parse_timestamp, timestamp, timestamp_column, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{AccountName, Roles};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// An API token as stored, without its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffToken {
    /// The token's id, by which it is listed and revoked.
    pub id: i64,
    /// The account it acts as.
    pub account: AccountName,
    /// What it is for, in the creator's words.
    pub label: String,
    /// Who created it (an audit name).
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was last accepted (to the minute), if ever.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// What importing a configured key as a token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenImport {
    /// The token was stored; `account_created` when its account was created with it.
    Added {
        /// Whether the account was new.
        account_created: bool,
    },
    /// The account already had this token (perhaps revoked since: it stays so).
    AlreadyThere,
    /// The token is another account's.
    HeldBy(AccountName),
}

/// The token columns [`token_of_row`] reads, qualified by `t.`, with the account's name.
const TOKEN_COLUMNS: &str = "t.id AS token_id, a.name AS token_account, t.label, t.created_by, \
     t.created_at AS token_created_at, t.revoked_at, t.last_used_at";

impl Store {
    /// Stores a new token of `account` under `token_hash`, with its audit entry; `None` when
    /// there is no such account.
    pub async fn add_staff_token(
        &self,
        account: &AccountName,
        label: &str,
        token_hash: &str,
        by: &StaffAuthor,
    ) -> Result<Option<StaffToken>, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let Some(owner) = account_on(&mut tx, account).await? else {
            return Ok(None);
        };
        let id = insert_token(&mut tx, &owner, label, token_hash, by, &now).await?;
        let token = token_on(&mut tx, id).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The tokens of one account, oldest first.
    pub async fn staff_tokens(&self, account: &AccountName) -> Result<Vec<StaffToken>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM staff_tokens t JOIN staff_accounts a ON a.id = t.account_id \
             WHERE a.name = $1 ORDER BY t.id"
        ))
        .bind(account.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_of_row).collect()
    }

    /// Revokes a token, with an audit entry; the token as it is now, `None` when there is no
    /// such token. Revoking it again changes nothing.
    pub async fn revoke_staff_token(
        &self,
        id: i64,
        by: &StaffAuthor,
    ) -> Result<Option<StaffToken>, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let revoked = sqlx::query(
            "UPDATE staff_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let token = token_on(&mut tx, id).await?;
        if let (1, Some(token)) = (revoked, &token) {
            staff_audit(
                &mut tx,
                &now,
                by,
                "token.revoked",
                token.account.as_str(),
                json!({"token": id, "label": token.label}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(token)
    }

    /// The token stored under `token_hash`, with its account as it is now.
    pub async fn staff_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(StaffToken, StaffAccount)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS}, {ACCOUNT_COLUMNS} \
             FROM staff_tokens t JOIN staff_accounts a ON a.id = t.account_id \
             WHERE t.token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((token_of_row(&row)?, account_of_row(&row)?)))
            .transpose()
    }

    /// Records that a token was accepted at `at`.
    pub async fn mark_staff_token_used(
        &self,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write_one(
            sqlx::query("UPDATE staff_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(id)
                .bind(timestamp(at)),
        )
        .await?;
        Ok(())
    }

    /// Stores a configured key's hash as a token of the account `name`, creating the account
    /// (with `roles_if_new` and an unusable password) when there is none; both audited, in one
    /// transaction. A hash already stored changes nothing.
    pub async fn import_staff_token(
        &self,
        name: &AccountName,
        token_hash: &str,
        roles_if_new: &Roles,
        by: &StaffAuthor,
    ) -> Result<TokenImport, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let holder: Option<String> = sqlx::query_scalar(
            "SELECT a.name FROM staff_tokens t JOIN staff_accounts a ON a.id = t.account_id \
             WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(holder) = holder {
            return Ok(if holder == name.as_str() {
                TokenImport::AlreadyThere
            } else {
                TokenImport::HeldBy(AccountName::parse(&holder).map_err(|e| {
                    StoreError::Corrupt {
                        table: "staff_accounts",
                        why: e.to_string(),
                    }
                })?)
            });
        }
        let (owner, account_created) = match account_on(&mut tx, name).await? {
            Some(owner) => (owner, false),
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO staff_accounts (name, roles, password_hash, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $4) RETURNING id",
                )
                .bind(name.as_str())
                .bind(roles_if_new.to_string())
                .bind(StoredPassword::unusable().as_str())
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?;
                staff_audit(
                    &mut tx,
                    &now,
                    by,
                    "account.created",
                    name.as_str(),
                    json!({"roles": roles_if_new.to_string(), "password": "none"}),
                )
                .await?;
                let owner = StaffAccount {
                    id,
                    name: name.clone(),
                    roles: roles_if_new.clone(),
                    disabled_at: None,
                    created_at: parse_timestamp("staff_accounts", &now)?,
                };
                (owner, true)
            }
        };
        insert_token(&mut tx, &owner, "gateway.staff_keys", token_hash, by, &now).await?;
        tx.commit().await?;
        Ok(TokenImport::Added { account_created })
    }
}

/// Inserts a token of `owner` with its audit entry; returns its id.
async fn insert_token(
    conn: &mut AnyConnection,
    owner: &StaffAccount,
    label: &str,
    token_hash: &str,
    by: &StaffAuthor,
    now: &str,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO staff_tokens (account_id, label, token_hash, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(owner.id)
    .bind(label)
    .bind(token_hash)
    .bind(&by.name)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    staff_audit(
        conn,
        now,
        by,
        "token.created",
        owner.name.as_str(),
        json!({"token": id, "label": label}),
    )
    .await?;
    Ok(id)
}

/// The token of this id, on an open connection.
async fn token_on(conn: &mut AnyConnection, id: i64) -> Result<Option<StaffToken>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS} FROM staff_tokens t JOIN staff_accounts a ON a.id = t.account_id \
         WHERE t.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(token_of_row).transpose()
}

/// Reads the [`TOKEN_COLUMNS`] of a row.
fn token_of_row(row: &AnyRow) -> Result<StaffToken, StoreError> {
    let account: String = row.try_get("token_account")?;
    Ok(StaffToken {
        id: row.try_get("token_id")?,
        account: AccountName::parse(&account).map_err(|e| StoreError::Corrupt {
            table: "staff_accounts",
            why: e.to_string(),
        })?,
        label: row.try_get("label")?,
        created_by: row.try_get("created_by")?,
        created_at: parse_timestamp(
            "staff_tokens",
            &row.try_get::<String, _>("token_created_at")?,
        )?,
        revoked_at: timestamp_column(row, "staff_tokens", "revoked_at")?,
        last_used_at: timestamp_column(row, "staff_tokens", "last_used_at")?,
    })
}
