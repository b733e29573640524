//! The language of future circulars a recipient chose for their address: their own choice,
//! which wins over the directory's contact and addressee languages when an audience is frozen
//! and which imports never change.

use super::audit::audit;
use crate::{parse_column, parse_timestamp, timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{Language, RecipientAddress};
use serde_json::json;
use sqlx::{AnyConnection, Row};

/// The language a recipient chose for their circulars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageChoice {
    /// The language.
    pub language: Language,
    /// What set it (`preferences page`).
    pub source: String,
    /// When.
    pub since: DateTime<Utc>,
}

impl Store {
    /// The language the address's recipient chose, when they chose one.
    pub async fn language_choice(
        &self,
        address: &RecipientAddress,
    ) -> Result<Option<LanguageChoice>, StoreError> {
        language_choice_on(&mut *self.pool.acquire().await?, address).await
    }

    /// Records the language a recipient chose for their future circulars, with an audit entry
    /// (`language.chosen`); false (nothing written) when it already was so. One statement
    /// decides, so two simultaneous requests record one change.
    pub async fn set_language_choice(
        &self,
        address: &RecipientAddress,
        language: Language,
        source: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let written = sqlx::query(
            "INSERT INTO language_choices (address_key, language, source, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (address_key) DO UPDATE SET \
             language = excluded.language, source = excluded.source, updated_at = excluded.updated_at \
             WHERE language_choices.language <> excluded.language",
        )
        .bind(address.as_str())
        .bind(language.code())
        .bind(source)
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if written {
            audit(
                &mut tx,
                &now,
                actor,
                "language.chosen",
                address.as_str(),
                json!({"language": language.code(), "source": source}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(written)
    }
}

/// The address's chosen language, on an open connection.
pub(super) async fn language_choice_on(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
) -> Result<Option<LanguageChoice>, StoreError> {
    let row = sqlx::query(
        "SELECT language, source, updated_at FROM language_choices WHERE address_key = $1",
    )
    .bind(address.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(LanguageChoice {
            language: parse_column("language_choices", &row.try_get::<String, _>("language")?)?,
            source: row.try_get("source")?,
            since: parse_timestamp("language_choices", &row.try_get::<String, _>("updated_at")?)?,
        })
    })
    .transpose()
}
