//! Annexes: each annex file of a circular, per language, stored once with its content type.

use super::{parse_column, sha256_hex, Store, StoreError};
use circulars_core::domain::{CircularId, Language};
use sqlx::Row;

pub use circulars_core::domain::Annex;

impl Store {
    /// The annexes of `circular` for `language`, in order.
    pub async fn annexes(
        &self,
        circular: &CircularId,
        language: Language,
    ) -> Result<Vec<Annex>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.position, a.language, a.file_name, a.source, a.content_type, c.content \
             FROM annexes a JOIN annex_contents c ON c.circular_id = a.circular_id AND c.digest = a.digest \
             WHERE a.circular_id = $1 AND a.language = $2 ORDER BY a.position",
        )
        .bind(circular.as_str())
        .bind(language.code())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let position: i64 = row.try_get("position")?;
                let language: String = row.try_get("language")?;
                Ok(Annex {
                    position: u32::try_from(position).map_err(|e| StoreError::Corrupt {
                        table: "annexes",
                        why: e.to_string(),
                    })?,
                    language: parse_column("annexes", &language)?,
                    file_name: row.try_get("file_name")?,
                    source: row.try_get("source")?,
                    content_type: row.try_get("content_type")?,
                    content: row.try_get("content")?,
                })
            })
            .collect()
    }
}

/// Replaces the annexes of a draft inside the draft's transaction, each distinct file once.
pub(super) async fn replace(
    tx: &mut sqlx::AnyConnection,
    circular: &CircularId,
    annexes: &[Annex],
) -> Result<(), StoreError> {
    for table in [
        "DELETE FROM annexes WHERE circular_id = $1",
        "DELETE FROM annex_contents WHERE circular_id = $1",
    ] {
        sqlx::query(table)
            .bind(circular.as_str())
            .execute(&mut *tx)
            .await?;
    }
    for a in annexes {
        let digest = sha256_hex(&a.content);
        sqlx::query(
            "INSERT INTO annex_contents (circular_id, digest, content) VALUES ($1, $2, $3) \
             ON CONFLICT (circular_id, digest) DO NOTHING",
        )
        .bind(circular.as_str())
        .bind(&digest)
        .bind(&a.content)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO annexes (circular_id, position, language, file_name, source, content_type, digest) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(circular.as_str())
        .bind(i64::from(a.position))
        .bind(a.language.code())
        .bind(&a.file_name)
        .bind(&a.source)
        .bind(&a.content_type)
        .bind(&digest)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// How many distinct annex files the circular's annexes are stored as.
    pub async fn annex_file_count(&self, circular: &CircularId) -> Result<u64, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM annex_contents WHERE circular_id = $1")
                .bind(circular.as_str())
                .fetch_one(&self.pool)
                .await?;
        Ok(n.max(0) as u64)
    }
}
