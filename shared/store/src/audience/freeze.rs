//! Freezing a circular's audience: resolved page by page from the directory's candidates and
//! stored, each page in one transaction, so a freeze cut short resumes where it stopped.

use super::candidates::{candidate_page, AudienceQuery, Candidate};
use super::{AudienceMember, AudienceReason, Decision, Exclusion};
use crate::{timestamp, value_rows, Backend, Store, StoreError};
use chrono::Utc;
use circulars_core::domain::{CircularId, DeliveryKey, RecipientAddress};
use circulars_core::tokens::DeliveryRef;
use sqlx::AnyConnection;

/// What freezing stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreezeSummary {
    /// Recipients on the list.
    pub members: u64,
    /// Addresses left out.
    pub excluded: u64,
}

/// What one step of freezing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreezeStep {
    /// The audience was frozen before: nothing changed.
    AlreadyFrozen,
    /// One page stored (in one transaction).
    Page {
        /// Recipients added to the list.
        members: u64,
        /// Addresses left out.
        excluded: u64,
        /// No address was left: the audience is now frozen.
        frozen: bool,
    },
}

impl Store {
    /// Resolves and stores the whole audience (see [`Store::freeze_audience_page`]); returns
    /// `None` (and changes nothing) when the circular's audience was already frozen.
    pub async fn freeze_audience(
        &self,
        circular: &CircularId,
        query: &AudienceQuery,
        mut decide: impl FnMut(Candidate) -> Decision,
    ) -> Result<Option<FreezeSummary>, StoreError> {
        let mut summary = FreezeSummary {
            members: 0,
            excluded: 0,
        };
        loop {
            match self
                .freeze_audience_page(circular, query, &mut decide)
                .await?
            {
                FreezeStep::AlreadyFrozen => return Ok(None),
                FreezeStep::Page {
                    members,
                    excluded,
                    frozen,
                } => {
                    summary.members += members;
                    summary.excluded += excluded;
                    if frozen {
                        return Ok(Some(summary));
                    }
                }
            }
        }
    }

    /// Resolves and stores the next page of the audience in one transaction, calling `decide`
    /// for each address after the last one stored (so a freeze cut short by a crash resumes
    /// where it stopped); the page that finds no more addresses marks the audience frozen.
    /// Each committed page can be published at once: the first mails leave while the rest of
    /// a large audience is still being resolved.
    pub async fn freeze_audience_page(
        &self,
        circular: &CircularId,
        query: &AudienceQuery,
        decide: impl FnMut(Candidate) -> Decision,
    ) -> Result<FreezeStep, StoreError> {
        let mut tx = self.begin_write().await?;
        let frozen: Option<Option<String>> =
            sqlx::query_scalar("SELECT audience_frozen_at FROM circulars WHERE id = $1")
                .bind(circular.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        match frozen {
            None => return Err(StoreError::UnknownCircular(circular.clone())),
            Some(Some(_)) => return Ok(FreezeStep::AlreadyFrozen),
            Some(None) => {}
        }
        let after: Option<String> = sqlx::query_scalar(
            "SELECT MAX(address_key) FROM (\
               SELECT MAX(address_key) AS address_key FROM audience WHERE circular_id = $1 \
               UNION ALL \
               SELECT MAX(address_key) FROM audience_exclusions WHERE circular_id = $1) stored",
        )
        .bind(circular.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let page =
            candidate_page(&mut tx, self.backend, query, after.as_deref().unwrap_or("")).await?;
        let decisions: Vec<Decision> = page.into_iter().map(decide).collect();
        store_decisions(&mut tx, self.backend, circular, &decisions).await?;
        let members = decisions
            .iter()
            .filter(|d| matches!(d, Decision::Member(_)))
            .count() as u64;
        let excluded = decisions.len() as u64 - members;
        let done = decisions.is_empty();
        if done {
            sqlx::query(
                "UPDATE circulars SET audience_frozen_at = $1, \
                   audience_size = (SELECT COUNT(*) FROM audience WHERE circular_id = $2) \
                 WHERE id = $2",
            )
            .bind(timestamp(Utc::now()))
            .bind(circular.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(FreezeStep::Page {
            members,
            excluded,
            frozen: done,
        })
    }
}

/// Stores one page of decisions with multi-row inserts, not kept in the connection's statement
/// cache (their SQL differs with the number of rows; cached, such wide statements add up).
async fn store_decisions(
    conn: &mut AnyConnection,
    backend: Backend,
    circular: &CircularId,
    decisions: &[Decision],
) -> Result<(), StoreError> {
    let members: Vec<&AudienceMember> = decisions
        .iter()
        .filter_map(|d| match d {
            Decision::Member(m) => Some(m),
            Decision::Excluded(_) => None,
        })
        .collect();
    for chunk in members.chunks(500) {
        let sql = format!(
            "INSERT INTO audience (circular_id, address_key, name, language, addressee, subscription, delivery_ref) VALUES {}",
            value_rows(backend, chunk.len(), 7)
        );
        let mut insert = sqlx::query(&sql).persistent(false);
        for m in chunk {
            let r = &m.recipient;
            insert = insert
                .bind(circular.as_str())
                .bind(r.address.as_str())
                .bind(&r.name)
                .bind(r.language.code())
                .bind(r.addressee.name())
                .bind(&m.subscription)
                .bind(
                    DeliveryRef::of(&DeliveryKey::new(circular.clone(), r.address.clone()))
                        .to_hex(),
                );
        }
        insert.execute(&mut *conn).await?;
    }
    let reasons: Vec<(&RecipientAddress, &AudienceReason)> = members
        .iter()
        .flat_map(|m| m.reasons.iter().map(|r| (&m.recipient.address, r)))
        .collect();
    for chunk in reasons.chunks(500) {
        let sql = format!(
            "INSERT INTO audience_reasons (circular_id, address_key, category, contact_id, addressee_key, addressee, address, source) VALUES {}",
            value_rows(backend, chunk.len(), 8)
        );
        let mut insert = sqlx::query(&sql).persistent(false);
        for (address, reason) in chunk {
            insert = insert
                .bind(circular.as_str())
                .bind(address.as_str())
                .bind(reason.category.id())
                .bind(reason.contact_id)
                .bind(reason.addressee_key.as_str())
                .bind(reason.addressee.name())
                .bind(&reason.address_written)
                .bind(&reason.source);
        }
        insert.execute(&mut *conn).await?;
    }
    let exclusions: Vec<&Exclusion> = decisions
        .iter()
        .filter_map(|d| match d {
            Decision::Excluded(x) => Some(x),
            Decision::Member(_) => None,
        })
        .collect();
    for chunk in exclusions.chunks(500) {
        let sql = format!(
            "INSERT INTO audience_exclusions (circular_id, address_key, reason, detail) VALUES {}",
            value_rows(backend, chunk.len(), 4)
        );
        let mut insert = sqlx::query(&sql).persistent(false);
        for x in chunk {
            insert = insert
                .bind(circular.as_str())
                .bind(x.address.as_str())
                .bind(&x.reason)
                .bind(&x.detail);
        }
        insert.execute(&mut *conn).await?;
    }
    Ok(())
}
