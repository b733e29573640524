//! The roles of an account by name (until the staff accounts land; replaced by them).

use super::{Store, StoreError};
use circulars_core::domain::Roles;
use sqlx::Row;

impl Store {
    /// The roles of the account `name` and whether it is disabled, when it exists.
    pub async fn account_roles(&self, name: &str) -> Result<Option<(Roles, bool)>, StoreError> {
        let row = sqlx::query("SELECT roles, disabled_at FROM staff_accounts WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let roles = Roles::parse_list(&row.try_get::<String, _>("roles")?).map_err(|e| {
            StoreError::Corrupt {
                table: "staff_accounts",
                why: e.to_string(),
            }
        })?;
        Ok(Some((
            roles,
            row.try_get::<Option<String>, _>("disabled_at")?.is_some(),
        )))
    }
}
