//! The issued circulars still being delivered, and those whose delivery ended lately: the
//! operations dashboard's overview.
//!
//! Years of issued circulars must not be counted recipient by recipient on every look: a first
//! query reads, per issued circular, its latest delivery event and how many of its deliveries
//! are still under way (both through indexes of one circular); only the circulars that may be
//! unfinished or finished lately are then counted.

use super::circular_list::ListedDocument;
use super::{placeholders, timestamp_column, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{CircularId, CircularState, DeliveryState, Language};
use sqlx::Row;
use std::collections::BTreeMap;

/// An issued circular on the overview: where its delivery stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveringCircular {
    /// The circular.
    pub id: CircularId,
    /// Where it is in its life (issued, paused or cancelled).
    pub state: CircularState,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// Recipients in its frozen audience, once frozen.
    pub audience: Option<u64>,
    /// Recipients in a final delivery state.
    pub finished: u64,
    /// When a delivery of it last changed (its latest history entry), if ever.
    pub last_activity: Option<DateTime<Utc>>,
    /// Its subject in each language it is written in.
    pub subjects: BTreeMap<Language, String>,
}

impl DeliveringCircular {
    /// Whether its audience is frozen and every recipient is in a final state.
    pub fn is_complete(&self) -> bool {
        self.audience.is_some_and(|n| self.finished >= n)
    }
}

/// The wire names of the delivery states that are, or are not, final.
fn states(finals: bool) -> Vec<&'static str> {
    DeliveryState::ALL
        .into_iter()
        .filter(|s| s.is_final() == finals)
        .map(DeliveryState::wire_name)
        .collect()
}

impl Store {
    /// The issued circulars whose delivery is not complete, and those whose deliveries last
    /// changed at `finished_since` or later, newest issued first.
    ///
    /// A circular counts as possibly unfinished when its audience is not frozen yet, when a
    /// delivery of it is queued, sending or deferred, when it is paused, or when none of its
    /// deliveries has a record yet; one that stopped for longer (every delivery with a record
    /// final, some recipients without any, nothing changed since `finished_since`) is not
    /// listed (its dispatcher has stopped: the services' logs say why).
    pub async fn circulars_in_delivery(
        &self,
        finished_since: DateTime<Utc>,
    ) -> Result<Vec<DeliveringCircular>, StoreError> {
        let unfinished = states(false);
        let sql = format!(
            "SELECT c.id, c.state, c.issued_at, c.audience_frozen_at, c.audience_size, \
               (SELECT MAX(h.at) FROM delivery_history h WHERE h.circular_id = c.id) AS last_activity, \
               (SELECT COUNT(*) FROM deliveries d WHERE d.circular_id = c.id AND d.state IN ({})) AS unsettled \
             FROM circulars c WHERE c.issued_at IS NOT NULL ORDER BY c.issued_at DESC, c.id",
            placeholders(1, unfinished.len())
        );
        let mut query = sqlx::query(&sql);
        for state in &unfinished {
            query = query.bind(*state);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut listed = Vec::new();
        for row in &rows {
            let id: String = row.try_get("id")?;
            let id: CircularId = super::parse_column("circulars", &id)?;
            let state = super::circular_life::state_column(row)?;
            let issued_at = timestamp_column(row, "circulars", "issued_at")?.ok_or_else(|| {
                StoreError::Corrupt {
                    table: "circulars",
                    why: format!("{id}: issued without a date"),
                }
            })?;
            let frozen = timestamp_column(row, "circulars", "audience_frozen_at")?;
            let size: Option<i64> = row.try_get("audience_size")?;
            let audience = frozen.and(size).map(|n| n.max(0) as u64);
            let last_activity = timestamp_column(row, "circulars", "last_activity")?;
            let unsettled: i64 = row.try_get("unsettled")?;
            let lately = last_activity.map_or(issued_at >= finished_since, |t| t >= finished_since);
            let maybe_unfinished = audience.is_none()
                || unsettled > 0
                || state == CircularState::Paused
                || last_activity.is_none();
            if !(lately || maybe_unfinished) {
                continue;
            }
            let finished = self.finished_deliveries(&id).await?;
            let circular = DeliveringCircular {
                subjects: self.subjects(&id).await?,
                id,
                state,
                issued_at,
                audience,
                finished,
                last_activity,
            };
            if lately || !circular.is_complete() {
                listed.push(circular);
            }
        }
        Ok(listed)
    }

    /// How many of `circular`'s deliveries are in a final state.
    async fn finished_deliveries(&self, circular: &CircularId) -> Result<u64, StoreError> {
        let finals = states(true);
        let sql = format!(
            "SELECT COUNT(*) FROM deliveries WHERE circular_id = $1 AND state IN ({})",
            placeholders(2, finals.len())
        );
        let mut query = sqlx::query_scalar(&sql).bind(circular.as_str());
        for state in &finals {
            query = query.bind(*state);
        }
        let n: i64 = query.fetch_one(&self.pool).await?;
        Ok(n.max(0) as u64)
    }

    /// The subject of each language `circular` is written in.
    async fn subjects(
        &self,
        circular: &CircularId,
    ) -> Result<BTreeMap<Language, String>, StoreError> {
        let document: String = sqlx::query_scalar("SELECT document FROM circulars WHERE id = $1")
            .bind(circular.as_str())
            .fetch_one(&self.pool)
            .await?;
        let document: ListedDocument =
            serde_json::from_str(&document).map_err(|e| StoreError::Corrupt {
                table: "circulars",
                why: format!("{circular}: {e}"),
            })?;
        Ok(document
            .texts
            .into_iter()
            .map(|(language, text)| (language, text.subject))
            .collect())
    }
}
