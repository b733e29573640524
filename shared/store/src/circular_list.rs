//! The list of circulars, most recently changed first: all of them or those in a state, and
//! those whose id or subject holds some words (a series `TSB`, an id `TSB-36`, words of a
//! subject in any of its languages), a page at a time.
//!
//! Words are looked for here rather than in SQL: a subject sits inside the stored document's
//! JSON, and SQLite's `LOWER` folds ASCII letters only, so `LIKE` would miss `État` for
//! `état` on one backend and not the other. Without words, the page is cut in SQL.

use super::circular_life::state_column;
use super::{parse_timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{CircularId, CircularState, Language};
use sqlx::Row;
use std::collections::BTreeMap;

/// How many rows a search reads at a time while it looks for words.
const SEARCH_BATCH: u32 = 200;

/// A line of the list of circulars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircularSummary {
    /// The id.
    pub id: CircularId,
    /// Where it is in its life.
    pub state: CircularState,
    /// The revision (bumped by every edit).
    pub revision: i64,
    /// Who drafted it.
    pub drafted_by: String,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its subject in each language it is written in, so that a list names it.
    pub subjects: BTreeMap<Language, String>,
}

impl CircularSummary {
    /// Whether every one of `words` (lower case) is in its id or in one of its subjects,
    /// case ignored.
    pub fn holds(&self, words: &[String]) -> bool {
        let id = self.id.as_str().to_lowercase();
        let subjects: Vec<String> = self.subjects.values().map(|s| s.to_lowercase()).collect();
        words
            .iter()
            .all(|w| id.contains(w.as_str()) || subjects.iter().any(|s| s.contains(w.as_str())))
    }
}

/// Which circulars a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CircularSearch {
    /// Only those in this state; `None`: all.
    pub state: Option<CircularState>,
    /// Words each to be found in the id or a subject, case ignored; empty: any circular.
    pub words: Vec<String>,
}

impl CircularSearch {
    /// The search for `text`'s words (split at spaces, lower-cased) in `state`.
    pub fn new(state: Option<CircularState>, text: &str) -> CircularSearch {
        CircularSearch {
            state,
            words: text.split_whitespace().map(str::to_lowercase).collect(),
        }
    }
}

/// The part of a stored document the list reads: the subject of each language.
#[derive(serde::Deserialize)]
pub(crate) struct ListedDocument {
    pub(crate) texts: BTreeMap<Language, ListedText>,
}

/// A language's text, of which the list reads the subject.
#[derive(serde::Deserialize)]
pub(crate) struct ListedText {
    pub(crate) subject: String,
}

impl Store {
    /// The circulars, most recently changed first, in `state` when given: `limit` of them
    /// after skipping `offset`.
    pub async fn circulars(
        &self,
        state: Option<CircularState>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<CircularSummary>, StoreError> {
        self.summaries(state, limit, offset).await
    }

    /// The circulars `search` finds, most recently changed first: `limit` of them after
    /// skipping `offset` found ones.
    pub async fn find_circulars(
        &self,
        search: &CircularSearch,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<CircularSummary>, StoreError> {
        if search.words.is_empty() {
            return self.summaries(search.state, limit, offset).await;
        }
        self.search_in_batches(search, limit, offset, SEARCH_BATCH)
            .await
    }

    /// [`Store::find_circulars`] with words, reading `batch` rows at a time.
    async fn search_in_batches(
        &self,
        search: &CircularSearch,
        limit: u32,
        offset: u32,
        batch: u32,
    ) -> Result<Vec<CircularSummary>, StoreError> {
        let (mut skip, mut found, mut read) = (offset, Vec::new(), 0u32);
        loop {
            let rows = self.summaries(search.state, batch, read).await?;
            let last = rows.len() < batch as usize;
            read = read.saturating_add(batch);
            for summary in rows.into_iter().filter(|s| s.holds(&search.words)) {
                if skip > 0 {
                    skip -= 1;
                } else if found.len() < limit as usize {
                    found.push(summary);
                }
            }
            if last || found.len() >= limit as usize {
                return Ok(found);
            }
        }
    }

    /// `limit` circulars in `state` (all when `None`) after skipping `offset`, most recently
    /// changed first.
    async fn summaries(
        &self,
        state: Option<CircularState>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<CircularSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, state, revision, drafted_by, updated_at, document FROM circulars \
             WHERE state = COALESCE($1, state) ORDER BY updated_at DESC, id LIMIT $2 OFFSET $3",
        )
        .bind(state.map(CircularState::as_str))
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary).collect()
    }
}

/// A row of `circulars` read as a line of the list.
fn summary(row: &sqlx::any::AnyRow) -> Result<CircularSummary, StoreError> {
    let id: String = row.try_get("id")?;
    let corrupt = |why: String| StoreError::Corrupt {
        table: "circulars",
        why,
    };
    let document: ListedDocument = serde_json::from_str(&row.try_get::<String, _>("document")?)
        .map_err(|e| corrupt(format!("{id}: {e}")))?;
    Ok(CircularSummary {
        id: id
            .parse()
            .map_err(|e: circulars_core::domain::BadCircularId| corrupt(e.to_string()))?,
        state: state_column(row)?,
        revision: row.try_get("revision")?,
        drafted_by: row.try_get("drafted_by")?,
        updated_at: parse_timestamp("circulars", &row.try_get::<String, _>("updated_at")?)?,
        subjects: document
            .texts
            .into_iter()
            .map(|(language, text)| (language, text.subject))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str, subjects: &[(Language, &str)]) -> CircularSummary {
        CircularSummary {
            id: id.parse().unwrap(),
            state: CircularState::Draft,
            revision: 1,
            drafted_by: "ana".into(),
            updated_at: Utc::now(),
            subjects: subjects
                .iter()
                .map(|(l, s)| (*l, (*s).to_owned()))
                .collect(),
        }
    }

    /// A store holding the sample circular numbered 1 to 7, the even ones with "budget" in
    /// their English subject, changed in that order.
    async fn store_of_seven(dir: &std::path::Path) -> Store {
        let url = format!("sqlite://{}", dir.join("c.db").display());
        let store = Store::open(&url).await.unwrap();
        let sample = include_str!("../../../samples/circulars/tsb-36.toml");
        for number in 1..=7u32 {
            let mut circular =
                circulars_core::domain::Circular::from_toml("tsb-36.toml", sample).unwrap();
            circular.number = number;
            circular.id = CircularId::new("TSB", number).unwrap();
            if number % 2 == 0 {
                let english = circular.texts.get_mut(&Language::En).unwrap();
                english.subject = format!("Budget {number}");
            }
            store
                .save_draft(
                    &circular,
                    "tsb.toml",
                    &[],
                    "ana",
                    circulars_core::domain::Via::Cli,
                )
                .await
                .unwrap();
        }
        store
    }

    #[tokio::test]
    async fn a_search_pages_through_what_it_finds_whatever_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_of_seven(dir.path()).await;
        let ids = |found: Vec<CircularSummary>| -> Vec<String> {
            found.into_iter().map(|s| s.id.to_string()).collect()
        };
        let budget = CircularSearch::new(None, "BUDGET");
        for batch in [1, 2, 3, 200] {
            let page = |limit, offset| store.search_in_batches(&budget, limit, offset, batch);
            assert_eq!(
                ids(page(2, 0).await.unwrap()),
                ["TSB-6", "TSB-4"],
                "{batch}"
            );
            assert_eq!(ids(page(2, 2).await.unwrap()), ["TSB-2"], "{batch}");
            assert!(page(2, 3).await.unwrap().is_empty(), "{batch}");
        }
        let blank = CircularSearch::new(None, " ");
        let all = store.find_circulars(&blank, 3, 1).await.unwrap();
        assert_eq!(ids(all), ["TSB-6", "TSB-5", "TSB-4"]);
        let none = CircularSearch::new(Some(CircularState::Submitted), "budget");
        assert!(store.find_circulars(&none, 10, 0).await.unwrap().is_empty());
    }

    #[test]
    fn a_search_finds_a_series_an_id_or_words_of_a_subject_in_any_language() {
        let tsb = summary(
            "TSB-36",
            &[
                (Language::En, "Call for experts"),
                (Language::Fr, "Appel à experts – État des lieux"),
            ],
        );
        let found = |text: &str| tsb.holds(&CircularSearch::new(None, text).words);
        for text in [
            "",
            "TSB",
            "tsb-36",
            "experts",
            "CALL experts",
            "état",
            "tsb appel",
        ] {
            assert!(found(text), "{text:?}");
        }
        for text in ["BDT", "TSB-37", "experts rapporteurs", "Llamamiento"] {
            assert!(!found(text), "{text:?}");
        }
    }
}
