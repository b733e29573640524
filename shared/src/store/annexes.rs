//! Annexes: each annex file of a circular, per language, stored once with its content type.

use super::{parse_column, Store, StoreError};
use crate::domain::{CircularId, Language};
use sqlx::Row;

/// One annex as a recipient in one language receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annex {
    /// 1-based order in the circular.
    pub position: u32,
    /// The language it serves.
    pub language: Language,
    /// The file name the recipient sees.
    pub file_name: String,
    /// The file it was read from (`annex1.fr.pdf`, or the fallback `annex1.pdf`).
    pub source: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

impl Store {
    /// The annexes of `circular` for `language`, in order.
    pub async fn annexes(
        &self,
        circular: &CircularId,
        language: Language,
    ) -> Result<Vec<Annex>, StoreError> {
        let rows = sqlx::query(
            "SELECT position, language, file_name, source, content_type, content FROM annexes \
             WHERE circular_id = ? AND language = ? ORDER BY position",
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

/// Replaces the annexes of a draft inside the draft's transaction.
pub(super) async fn replace(
    tx: &mut sqlx::SqliteConnection,
    circular: &CircularId,
    annexes: &[Annex],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM annexes WHERE circular_id = ?")
        .bind(circular.as_str())
        .execute(&mut *tx)
        .await?;
    for a in annexes {
        sqlx::query(
            "INSERT INTO annexes (circular_id, position, language, file_name, source, content_type, content) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(circular.as_str())
        .bind(i64::from(a.position))
        .bind(a.language.code())
        .bind(&a.file_name)
        .bind(&a.source)
        .bind(&a.content_type)
        .bind(&a.content)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
