//! The frozen audience of an issued circular: each recipient with the reasons they are on the
//! list, and each address in its categories that was left out, with the reason.

use super::directory::parse_address;
use super::{parse_column, timestamp, Store, StoreError};
use crate::domain::{Addressee, Category, CircularId, Recipient, RecipientAddress};
use chrono::Utc;
use sqlx::Row;

/// Why a recipient is on a circular's list: one category and the directory entry in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceReason {
    /// The category of the circular the entry is in.
    pub category: Category,
    /// The directory entry's id at the time.
    pub entry_id: i64,
    /// The entry's addressee.
    pub addressee: Addressee,
    /// The address as written in that entry.
    pub address_written: String,
    /// `file:line` the entry came from.
    pub source: String,
}

/// One recipient of the frozen audience with all the reasons they are on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceMember {
    /// The recipient.
    pub recipient: Recipient,
    /// At least one reason.
    pub reasons: Vec<AudienceReason>,
}

/// An address in the circular's categories that gets nothing, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    /// The address.
    pub address: RecipientAddress,
    /// The reason, e.g. `unsubscribed`.
    pub reason: String,
    /// The entries that say so (`addressee (file:line)`).
    pub detail: String,
}

impl Store {
    /// Stores the audience once, in one transaction; returns false (and changes nothing) when
    /// the circular's audience was already frozen.
    pub async fn freeze_audience(
        &self,
        circular: &CircularId,
        members: &[AudienceMember],
        exclusions: &[Exclusion],
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let frozen: Option<Option<String>> =
            sqlx::query_scalar("SELECT audience_frozen_at FROM circulars WHERE id = $1")
                .bind(circular.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        match frozen {
            None => return Err(StoreError::UnknownCircular(circular.clone())),
            Some(Some(_)) => return Ok(false),
            Some(None) => {}
        }
        for m in members {
            let r = &m.recipient;
            sqlx::query("INSERT INTO audience (circular_id, address_key, name, language, addressee) VALUES ($1, $2, $3, $4, $5)")
                .bind(circular.as_str())
                .bind(r.address.as_str())
                .bind(&r.name)
                .bind(r.language.code())
                .bind(r.addressee.name())
                .execute(&mut *tx)
                .await?;
            for reason in &m.reasons {
                sqlx::query(
                    "INSERT INTO audience_reasons (circular_id, address_key, category, entry_id, addressee, address, source) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(circular.as_str())
                .bind(r.address.as_str())
                .bind(reason.category.id())
                .bind(reason.entry_id)
                .bind(reason.addressee.name())
                .bind(&reason.address_written)
                .bind(&reason.source)
                .execute(&mut *tx)
                .await?;
            }
        }
        for x in exclusions {
            sqlx::query("INSERT INTO audience_exclusions (circular_id, address_key, reason, detail) VALUES ($1, $2, $3, $4)")
                .bind(circular.as_str())
                .bind(x.address.as_str())
                .bind(&x.reason)
                .bind(&x.detail)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE circulars SET audience_frozen_at = $1, audience_size = $2 WHERE id = $3",
        )
        .bind(timestamp(Utc::now()))
        .bind(members.len() as i64)
        .bind(circular.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
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
        let Some(row) = sqlx::query("SELECT name, language, addressee FROM audience WHERE circular_id = $1 AND address_key = $2")
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
        let rows = sqlx::query(
            "SELECT category, entry_id, addressee, address, source FROM audience_reasons \
             WHERE circular_id = $1 AND address_key = $2 ORDER BY entry_id, category",
        )
        .bind(circular.as_str())
        .bind(address.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut reasons = Vec::new();
        for row in rows {
            let category: String = row.try_get("category")?;
            reasons.push(AudienceReason {
                category: Category::try_from(category).map_err(|e| StoreError::Corrupt {
                    table: "audience_reasons",
                    why: e.to_string(),
                })?,
                entry_id: row.try_get("entry_id")?,
                addressee: parse_column("audience", &row.try_get::<String, _>("addressee")?)?,
                address_written: row.try_get("address")?,
                source: row.try_get("source")?,
            });
        }
        Ok(Some(AudienceMember { recipient, reasons }))
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
