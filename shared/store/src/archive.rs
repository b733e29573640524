//! The public archive: the issued circulars published there (their file does not withhold them
//! and they were not cancelled), newest issue first, a page at a time. Every circular is
//! written in the six languages, so the archive shows each one in all six: the subjects come
//! from the stored document, the letters from the renditions (made on demand when no mail
//! needed a language).

use super::{parse_timestamp, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use circulars_core::domain::{CircularId, Language};
use sqlx::Row;
use std::collections::BTreeMap;

/// Which circulars the archive shows, as SQL over `circulars`: issued, not withheld by their
/// file, not cancelled.
const PUBLISHED: &str = "issued_at IS NOT NULL AND archive = 1 AND state <> 'cancelled'";

/// A circular as the public archive lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedCircular {
    /// The id (`TSB-36`).
    pub id: CircularId,
    /// Its subject in each language it is written in.
    pub subjects: BTreeMap<Language, String>,
    /// The date printed on the circular.
    pub date: NaiveDate,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
}

/// The part of a stored document the archive reads: the date and each language's subject.
#[derive(serde::Deserialize)]
struct ListedDocument {
    date: NaiveDate,
    texts: BTreeMap<Language, ListedText>,
}

/// A language's text, of which the archive reads the subject.
#[derive(serde::Deserialize)]
struct ListedText {
    subject: String,
}

impl Store {
    /// The circulars published in the archive, newest issue first: `limit` of them after
    /// skipping `offset`.
    pub async fn archive_page(
        &self,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ArchivedCircular>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT id, document, issued_at FROM circulars WHERE {PUBLISHED} \
             ORDER BY issued_at DESC, id DESC LIMIT $1 OFFSET $2"
        ))
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(archived).collect()
    }

    /// The circular `id` as the archive shows it; `None` when it is not published there (not
    /// issued, withheld by its file, or cancelled).
    pub async fn archived_circular(
        &self,
        id: &CircularId,
    ) -> Result<Option<ArchivedCircular>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT id, document, issued_at FROM circulars WHERE id = $1 AND {PUBLISHED}"
        ))
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| archived(&row)).transpose()
    }
}

/// A row of the archive's query read back.
fn archived(row: &sqlx::any::AnyRow) -> Result<ArchivedCircular, StoreError> {
    let id: String = row.try_get("id")?;
    let corrupt = |why: String| StoreError::Corrupt {
        table: "circulars",
        why,
    };
    let document: ListedDocument = serde_json::from_str(&row.try_get::<String, _>("document")?)
        .map_err(|e| corrupt(format!("{id}: {e}")))?;
    Ok(ArchivedCircular {
        id: id
            .parse()
            .map_err(|e: circulars_core::domain::BadCircularId| corrupt(e.to_string()))?,
        subjects: document
            .texts
            .into_iter()
            .map(|(language, text)| (language, text.subject))
            .collect(),
        date: document.date,
        issued_at: parse_timestamp("circulars", &row.try_get::<String, _>("issued_at")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::domain::{Circular, CircularState, Via};

    /// The sample circular numbered `number`, withheld from the archive unless `archive`.
    fn circular(number: u32, archive: bool) -> Circular {
        let sample = include_str!("../../../samples/circulars/tsb-36.toml");
        let mut circular = Circular::from_toml("tsb-36.toml", sample).unwrap();
        circular.number = number;
        circular.id = CircularId::new("TSB", number).unwrap();
        circular.archive = archive;
        circular
    }

    /// Drafts `circular`, and issues it at `issued` unless `None`.
    async fn put(store: &Store, circular: &Circular, issued: Option<&str>) {
        store
            .save_draft(circular, "c.toml", &[], "ana", Via::Cli)
            .await
            .unwrap();
        if let Some(at) = issued {
            let at = DateTime::parse_from_rfc3339(at).unwrap().to_utc();
            store
                .mark_issued(&circular.id, at, &[CircularState::Draft], "ana", Via::Cli)
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn the_archive_lists_issued_published_circulars_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let store = Store::open(&url).await.unwrap();
        assert!(store.archive_page(10, 0).await.unwrap().is_empty());
        put(&store, &circular(1, true), Some("2026-01-01T10:00:00Z")).await;
        put(&store, &circular(2, false), Some("2026-01-02T10:00:00Z")).await;
        put(&store, &circular(3, true), None).await;
        put(&store, &circular(4, true), Some("2026-01-03T10:00:00Z")).await;
        // Withheld, then published by an edit before it was issued.
        put(&store, &circular(5, false), None).await;
        put(&store, &circular(5, true), Some("2026-01-04T10:00:00Z")).await;
        let ids = |page: Vec<ArchivedCircular>| -> Vec<String> {
            page.into_iter().map(|c| c.id.to_string()).collect()
        };
        let all = store.archive_page(10, 0).await.unwrap();
        assert_eq!(all[0].date, NaiveDate::from_ymd_opt(2025, 3, 12).unwrap());
        assert_eq!(all[0].subjects.len(), 6);
        assert!(all[0].subjects[&Language::Fr].starts_with("Invitation"));
        assert_eq!(
            ids(all),
            ["TSB-5", "TSB-4", "TSB-1"],
            "no draft, none withheld"
        );
        assert_eq!(
            ids(store.archive_page(2, 1).await.unwrap()),
            ["TSB-4", "TSB-1"]
        );
        let id = |n| CircularId::new("TSB", n).unwrap();
        assert!(store.archived_circular(&id(1)).await.unwrap().is_some());
        for n in [2, 3, 9] {
            assert!(
                store.archived_circular(&id(n)).await.unwrap().is_none(),
                "{n}"
            );
        }
        // Cancelled while it was being sent: withdrawn from the archive.
        let cancel = crate::StateChange {
            from: &[CircularState::Issued],
            revision: None,
            to: CircularState::Cancelled,
            action: "cancelled",
            by: "ana",
            via: Via::Cli,
            detail: serde_json::json!({}),
            approval: crate::ApprovalMark::Keep,
        };
        assert!(store.change_state(&id(4), &cancel).await.unwrap());
        assert!(store.archived_circular(&id(4)).await.unwrap().is_none());
        assert_eq!(
            ids(store.archive_page(10, 0).await.unwrap()),
            ["TSB-5", "TSB-1"]
        );
    }
}
