//! Each language version of a circular, rendered once and stored once.

use super::{timestamp, Store, StoreError};
use chrono::Utc;
use circulars_core::domain::{CircularId, Language};
use sqlx::Row;

pub use circulars_core::domain::{escape_html, Rendition, ADDRESSEE_SLOT, UNSUBSCRIBE_SLOT};

impl Store {
    /// Stores a rendition unless one exists; returns whether this one was stored.
    pub async fn store_rendition(&self, r: &Rendition) -> Result<bool, StoreError> {
        let insert = sqlx::query(
            "INSERT INTO renditions (circular_id, language, subject, sender_name, reply_to, text_body, html_body, rendered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (circular_id, language) DO NOTHING",
        )
        .bind(r.circular.as_str())
        .bind(r.language.code())
        .bind(&r.subject)
        .bind(&r.sender_name)
        .bind(&r.reply_to)
        .bind(&r.text_body)
        .bind(&r.html_body)
        .bind(timestamp(Utc::now()));
        Ok(self.write_one(insert).await? == 1)
    }

    /// The stored rendition of `circular` in `language`.
    pub async fn rendition(
        &self,
        circular: &CircularId,
        language: Language,
    ) -> Result<Option<Rendition>, StoreError> {
        let row = sqlx::query(
            "SELECT subject, sender_name, reply_to, text_body, html_body FROM renditions WHERE circular_id = $1 AND language = $2",
        )
        .bind(circular.as_str())
        .bind(language.code())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Rendition {
                circular: circular.clone(),
                language,
                subject: row.try_get("subject")?,
                sender_name: row.try_get("sender_name")?,
                reply_to: row.try_get("reply_to")?,
                text_body: row.try_get("text_body")?,
                html_body: row.try_get("html_body")?,
            })
        })
        .transpose()
    }

    /// The languages of `circular` already rendered and stored.
    pub async fn rendered_languages(
        &self,
        circular: &CircularId,
    ) -> Result<std::collections::BTreeSet<Language>, StoreError> {
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT language FROM renditions WHERE circular_id = $1")
                .bind(circular.as_str())
                .fetch_all(&self.pool)
                .await?;
        codes
            .iter()
            .map(|code| super::parse_column("renditions", code))
            .collect()
    }
}
