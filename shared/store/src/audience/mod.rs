//! The frozen audience of an issued circular: each recipient with the reasons they are on the
//! list, and each address in its categories that was left out, with the reason. Candidates are
//! read from the directory in pages of addresses, so no audience is ever held whole in memory.
//!
//! - this file: what was decided for each address, and the frozen audience read back
//! - `candidates`: what the directory says today about the addresses of a circular's categories
//! - `freeze`: the audience resolved page by page and stored, each page in one transaction

mod candidates;
mod freeze;

pub use candidates::{AudienceQuery, Candidate, CandidateContact};
pub use freeze::{FreezeStep, FreezeSummary};

use crate::directory::parse_address;
use crate::{parse_column, Store, StoreError};
use circulars_core::domain::DeliveryKey;
use circulars_core::domain::{
    Addressee, AddresseeKey, Category, CircularId, Recipient, RecipientAddress,
};
use circulars_core::tokens::DeliveryRef;
use sqlx::Row;

/// Why a recipient is on a circular's list: one category and the contact in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceReason {
    /// The category of the circular the contact's addressee is in.
    pub category: Category,
    /// The contact's id at the time.
    pub contact_id: i64,
    /// The addressee's key.
    pub addressee_key: AddresseeKey,
    /// The addressee's name.
    pub addressee: Addressee,
    /// The address as written in that contact.
    pub address_written: String,
    /// `file:line` the contact came from.
    pub source: String,
}

/// One recipient of the frozen audience with all the reasons they are on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceMember {
    /// The recipient.
    pub recipient: Recipient,
    /// At least one reason.
    pub reasons: Vec<AudienceReason>,
    /// For a topic's circular: why the address receives it (default or its own choice).
    pub subscription: Option<String>,
}

/// An address in the circular's categories that gets nothing, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    /// The address.
    pub address: RecipientAddress,
    /// The reason: `suppressed`, `inactive`, `opted-out` or `not-opted-in`.
    pub reason: String,
    /// The details, in words (since when, why, which contacts).
    pub detail: String,
}

/// What resolution decided for one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// On the list.
    Member(AudienceMember),
    /// Left out.
    Excluded(Exclusion),
}

impl Store {
    /// The circular and recipient a signed token's delivery reference names, when it names one
    /// of a frozen audience.
    pub async fn delivery_by_ref(
        &self,
        delivery: &DeliveryRef,
    ) -> Result<Option<DeliveryKey>, StoreError> {
        let row =
            sqlx::query("SELECT circular_id, address_key FROM audience WHERE delivery_ref = $1")
                .bind(delivery.to_hex())
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| {
            Ok(DeliveryKey::new(
                parse_column("audience", &row.try_get::<String, _>("circular_id")?)?,
                parse_address(&row.try_get::<String, _>("address_key")?)?,
            ))
        })
        .transpose()
    }

    /// Up to `limit` recipients of the frozen audience after `after` (by normalised address).
    pub async fn audience_page(
        &self,
        circular: &CircularId,
        after: Option<&RecipientAddress>,
        limit: usize,
    ) -> Result<Vec<Recipient>, StoreError> {
        let rows = sqlx::query(
            "SELECT address_key, name, language, addressee FROM audience \
             WHERE circular_id = $1 AND address_key > $2 ORDER BY address_key LIMIT $3",
        )
        .bind(circular.as_str())
        .bind(after.map(RecipientAddress::as_str).unwrap_or(""))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let key: String = row.try_get("address_key")?;
                let language: String = row.try_get("language")?;
                Ok(Recipient {
                    address: parse_address(&key)?,
                    name: row.try_get("name")?,
                    language: parse_column("audience", &language)?,
                    addressee: parse_column("audience", &row.try_get::<String, _>("addressee")?)?,
                })
            })
            .collect()
    }

    /// The recipient and reasons for one address in the frozen audience, when it is in it.
    pub async fn audience_member(
        &self,
        circular: &CircularId,
        address: &RecipientAddress,
    ) -> Result<Option<AudienceMember>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT name, language, addressee, subscription FROM audience WHERE circular_id = $1 AND address_key = $2",
        )
        .bind(circular.as_str())
        .bind(address.as_str())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let language: String = row.try_get("language")?;
        let recipient = Recipient {
            address: address.clone(),
            name: row.try_get("name")?,
            language: parse_column("audience", &language)?,
            addressee: parse_column("audience", &row.try_get::<String, _>("addressee")?)?,
        };
        let subscription: Option<String> = row.try_get("subscription")?;
        let rows = sqlx::query(
            "SELECT category, contact_id, addressee_key, addressee, address, source FROM audience_reasons \
             WHERE circular_id = $1 AND address_key = $2 ORDER BY contact_id, category",
        )
        .bind(circular.as_str())
        .bind(address.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut reasons = Vec::new();
        for row in rows {
            reasons.push(AudienceReason {
                category: parse_column("audience_reasons", &row.try_get::<String, _>("category")?)?,
                contact_id: row.try_get("contact_id")?,
                addressee_key: parse_column(
                    "audience_reasons",
                    &row.try_get::<String, _>("addressee_key")?,
                )?,
                addressee: parse_column(
                    "audience_reasons",
                    &row.try_get::<String, _>("addressee")?,
                )?,
                address_written: row.try_get("address")?,
                source: row.try_get("source")?,
            });
        }
        Ok(Some(AudienceMember {
            recipient,
            reasons,
            subscription,
        }))
    }

    /// Why an address in the circular's categories was left out, when it was.
    pub async fn audience_exclusion(
        &self,
        circular: &CircularId,
        address: &RecipientAddress,
    ) -> Result<Option<Exclusion>, StoreError> {
        let row = sqlx::query("SELECT reason, detail FROM audience_exclusions WHERE circular_id = $1 AND address_key = $2")
            .bind(circular.as_str())
            .bind(address.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(Exclusion {
                address: address.clone(),
                reason: row.try_get("reason")?,
                detail: row.try_get("detail")?,
            })
        })
        .transpose()
    }
}
