//! Signed-in browsers: the cookie holds a random value, the table only its SHA-256, with the
//! session's CSRF token, the client it signed in from and when it expires.

use super::accounts::{account_of_row, StaffAccount, ACCOUNT_COLUMNS};
use crate::{parse_timestamp, timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::fmt;

/// A session as stored, with its account as it is now.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The account signed in.
    pub account: StaffAccount,
    /// The token the session's forms carry (not printed by `Debug`).
    pub csrf_token: String,
    /// The client address it signed in from.
    pub client: String,
    /// When it signed in.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

impl fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredSession")
            .field("account", &self.account)
            .field("client", &self.client)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Stores a new session under `id_hash` (the hex SHA-256 of the cookie's value), and
    /// removes every session already expired, so that they do not pile up.
    pub async fn add_staff_session(
        &self,
        id_hash: &str,
        account: &StaffAccount,
        csrf_token: &str,
        client: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1")
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO staff_sessions (id_hash, account_id, csrf_token, client, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id_hash)
        .bind(account.id)
        .bind(csrf_token)
        .bind(client)
        .bind(&now)
        .bind(timestamp(expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session stored under `id_hash`, expired or not, with its account.
    pub async fn staff_session(&self, id_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS}, s.csrf_token, s.client, s.created_at, s.expires_at \
             FROM staff_sessions s JOIN staff_accounts a ON a.id = s.account_id \
             WHERE s.id_hash = $1"
        ))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(StoredSession {
                account: account_of_row(&row)?,
                csrf_token: row.try_get("csrf_token")?,
                client: row.try_get("client")?,
                created_at: parse_timestamp(
                    "staff_sessions",
                    &row.try_get::<String, _>("created_at")?,
                )?,
                expires_at: parse_timestamp(
                    "staff_sessions",
                    &row.try_get::<String, _>("expires_at")?,
                )?,
            })
        })
        .transpose()
    }

    /// Removes the session stored under `id_hash` (signing out); true when there was one.
    pub async fn remove_staff_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let removed = self
            .write_one(sqlx::query("DELETE FROM staff_sessions WHERE id_hash = $1").bind(id_hash))
            .await?;
        Ok(removed == 1)
    }

    /// Removes every session expired by `now`; returns how many.
    pub async fn remove_expired_staff_sessions(
        &self,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.write_one(
            sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1").bind(timestamp(now)),
        )
        .await
    }
}
