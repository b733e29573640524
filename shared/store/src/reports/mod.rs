//! Returned mail as it came in: stored whole before the intake says "250" (or before an import
//! reports it read), so nothing accepted is lost, then applied to the delivery records.
//!
//! - this file: the reports as stored and read back, and what they said about each delivery
//! - `apply`: what becomes of a report, applied to the delivery records and the directory

mod apply;

pub use apply::{ReportDecision, ReportEffect, REPORT_ACTOR};

use crate::directory::parse_address;
use crate::{parse_column, parse_timestamp, sha256_hex, timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{BounceReason, DeliveryKey};
use serde::Serialize;
use sqlx::Row;

pub use circulars_core::domain::ReportSource;

/// What became of a stored report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportState {
    /// Stored, not applied yet.
    Received,
    /// Changed delivery records or the directory.
    Applied,
    /// Names no delivery that can be found: kept for operations.
    Unmatched,
    /// Not a bounce (an auto-reply, ordinary mail).
    Ignored,
}

impl ReportState {
    /// The stored word.
    pub fn wire_name(self) -> &'static str {
        match self {
            ReportState::Received => "received",
            ReportState::Applied => "applied",
            ReportState::Unmatched => "unmatched",
            ReportState::Ignored => "ignored",
        }
    }
}

impl std::str::FromStr for ReportState {
    type Err = String;

    fn from_str(word: &str) -> Result<Self, Self::Err> {
        Ok(match word {
            "received" => ReportState::Received,
            "applied" => ReportState::Applied,
            "unmatched" => ReportState::Unmatched,
            "ignored" => ReportState::Ignored,
            other => {
                return Err(format!(
                    "'{other}' is not a report state (received, applied, unmatched or ignored)"
                ))
            }
        })
    }
}

/// What a report said about one delivery, as `delivery_reports` keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    /// A permanent failure: the delivery is `bounced`.
    Permanent,
    /// A delay warning after the relay accepted the mail: a `delayed` history entry.
    Temporary,
    /// A spam or abuse complaint: the delivery is `complained` and the address suppressed.
    Complaint,
    /// A mail to the `List-Unsubscribe` mailto address.
    Unsubscribe,
}

impl ReportKind {
    /// The stored word.
    pub fn wire_name(self) -> &'static str {
        match self {
            ReportKind::Permanent => "permanent",
            ReportKind::Temporary => "temporary",
            ReportKind::Complaint => "complaint",
            ReportKind::Unsubscribe => "unsubscribe",
        }
    }
}

impl std::str::FromStr for ReportKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "permanent" => ReportKind::Permanent,
            "temporary" => ReportKind::Temporary,
            "complaint" => ReportKind::Complaint,
            "unsubscribe" => ReportKind::Unsubscribe,
            other => return Err(format!("'{other}' is not a report kind")),
        })
    }
}

/// What a report says about the delivery it was matched to, in the remote server's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// The delivery.
    pub delivery: DeliveryKey,
    /// What it means.
    pub kind: ReportKind,
    /// The RFC 3463 status (`5.1.1`).
    pub status: Option<String>,
    /// The remote server's diagnostic (`smtp; 550 5.1.1 user unknown`).
    pub diagnostic: Option<String>,
    /// The server that gave it.
    pub remote_mta: Option<String>,
    /// For a complaint: the feedback type (`abuse`).
    pub feedback_type: Option<String>,
    /// Why the delivery failed, as the parser decided it (`user_unknown`, `mailbox_full`, …).
    pub bounce_reason: Option<BounceReason>,
    /// When the report came in.
    pub at: DateTime<Utc>,
    /// The report it came from.
    pub report: String,
}

/// A returned mail as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundReport {
    /// [`report_id`] of `raw`.
    pub id: String,
    /// When it came in.
    pub received_at: DateTime<Utc>,
    /// Where it came from.
    pub source: ReportSource,
    /// The addresses it was delivered to (the intake's `RCPT TO`); empty for files.
    pub envelope_to: Vec<String>,
    /// The message exactly as received.
    pub raw: Vec<u8>,
    /// The form the parser recognised (`dsn`, `postfix`, …).
    pub form: String,
    /// What the parser made of it as a whole (`permanent`, `complaint`, …).
    pub kind: String,
}

/// A stored report without its message, as operations list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    /// Its id.
    pub id: String,
    /// When it came in.
    pub received_at: DateTime<Utc>,
    /// Where it came from.
    pub source: ReportSource,
    /// `RCPT TO`, comma-separated.
    pub envelope_to: String,
    /// The message's size in bytes.
    pub size: u64,
    /// The parser's form and kind.
    pub form: String,
    /// The parser's kind.
    pub kind: String,
    /// What became of it.
    pub state: ReportState,
    /// Why, in words.
    pub detail: Option<String>,
}

/// The id of a returned mail: the SHA-256 of its bytes, hex, so the same message received twice
/// (a retrying MTA, a mailbox read again) is one report.
pub fn report_id(raw: &[u8]) -> String {
    sha256_hex(raw)
}

impl Store {
    /// Stores a returned mail as `received` unless the same message is stored already;
    /// returns whether it is new.
    pub async fn store_inbound_report(&self, report: &InboundReport) -> Result<bool, StoreError> {
        let insert = sqlx::query(
            "INSERT INTO inbound_reports (id, received_at, source, envelope_to, size, raw, form, kind, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'received') ON CONFLICT (id) DO NOTHING",
        )
        .bind(&report.id)
        .bind(timestamp(report.received_at))
        .bind(report.source.wire_name())
        .bind(report.envelope_to.join(","))
        .bind(report.raw.len() as i64)
        .bind(&report.raw)
        .bind(&report.form)
        .bind(&report.kind);
        Ok(self.write_one(insert).await? == 1)
    }

    /// The stored reports in `state`, oldest first, at most `limit`.
    pub async fn inbound_reports(
        &self,
        state: ReportState,
        limit: usize,
    ) -> Result<Vec<StoredReport>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, received_at, source, envelope_to, size, form, kind, state, detail \
             FROM inbound_reports WHERE state = $1 ORDER BY received_at, id LIMIT $2",
        )
        .bind(state.wire_name())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::site::stored_report).collect()
    }

    /// The message of the one stored report whose id starts with `prefix`, exactly as
    /// received; `None` when no report, or more than one, has such an id.
    pub async fn inbound_report_raw_by_prefix(
        &self,
        prefix: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM inbound_reports WHERE id >= $1 ORDER BY id LIMIT 2")
                .bind(prefix)
                .fetch_all(&self.pool)
                .await?;
        let matching: Vec<&String> = ids.iter().filter(|id| id.starts_with(prefix)).collect();
        match matching.as_slice() {
            [only] => self.inbound_report_raw(only).await,
            _ => Ok(None),
        }
    }

    /// The message of a stored report, exactly as received.
    pub async fn inbound_report_raw(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT raw FROM inbound_reports WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// What returned mail said about one delivery, oldest first.
    pub async fn delivery_reports(
        &self,
        delivery: &DeliveryKey,
    ) -> Result<Vec<DeliveryReport>, StoreError> {
        let rows = sqlx::query(&format!(
            "{DELIVERY_REPORT_SELECT} WHERE circular_id = $1 AND address_key = $2 ORDER BY at, report_id"
        ))
        .bind(delivery.circular.as_str())
        .bind(delivery.address.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_report).collect()
    }

    /// What returned mail said about a circular's deliveries, newest first, at most `limit`.
    pub async fn circular_reports(
        &self,
        circular: &circulars_core::domain::CircularId,
        limit: usize,
    ) -> Result<Vec<DeliveryReport>, StoreError> {
        let rows = sqlx::query(&format!(
            "{DELIVERY_REPORT_SELECT} WHERE circular_id = $1 ORDER BY at DESC, address_key LIMIT $2"
        ))
        .bind(circular.as_str())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_report).collect()
    }
}

/// The columns of what a report said about one delivery.
const DELIVERY_REPORT_SELECT: &str = "SELECT report_id, circular_id, address_key, kind, status, \
     diagnostic, remote_mta, feedback_type, bounce_reason, at FROM delivery_reports";

/// What a report said about one delivery, from a row of [`DELIVERY_REPORT_SELECT`].
fn delivery_report(row: &sqlx::any::AnyRow) -> Result<DeliveryReport, StoreError> {
    Ok(DeliveryReport {
        delivery: DeliveryKey::new(
            parse_column(
                "delivery_reports",
                &row.try_get::<String, _>("circular_id")?,
            )?,
            parse_address(&row.try_get::<String, _>("address_key")?)?,
        ),
        kind: parse_column("delivery_reports", &row.try_get::<String, _>("kind")?)?,
        status: row.try_get("status")?,
        diagnostic: row.try_get("diagnostic")?,
        remote_mta: row.try_get("remote_mta")?,
        feedback_type: row.try_get("feedback_type")?,
        bounce_reason: row
            .try_get::<Option<String>, _>("bounce_reason")?
            .map(|reason| parse_column("delivery_reports", &reason))
            .transpose()?,
        at: parse_timestamp("delivery_reports", &row.try_get::<String, _>("at")?)?,
        report: row.try_get("report_id")?,
    })
}

/// The first twelve characters of a report id, as logs and details show it.
pub fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_returned_mail_is_stored_once_whole_and_listed_by_state() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let store = Store::open(&url).await.unwrap();
        // Bytes that are not UTF-8 are kept as they came.
        let raw =
            b"From: MAILER-DAEMON@mx.example.org\r\nSubject: \xff\xfe\r\n\r\nbody\r\n".to_vec();
        let report = InboundReport {
            id: report_id(&raw),
            received_at: Utc::now(),
            source: ReportSource::Smtp,
            envelope_to: vec!["bounce+abc@itu.example".into()],
            raw: raw.clone(),
            form: "unrecognised".into(),
            kind: "unknown".into(),
        };
        assert_eq!(report.id.len(), 64);
        assert!(store.store_inbound_report(&report).await.unwrap());
        assert!(
            !store.store_inbound_report(&report).await.unwrap(),
            "the same message twice is one report"
        );
        let listed = store
            .inbound_reports(ReportState::Received, 10)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (
                listed[0].envelope_to.as_str(),
                listed[0].size,
                listed[0].state
            ),
            (
                "bounce+abc@itu.example",
                raw.len() as u64,
                ReportState::Received
            )
        );
        assert_eq!(
            store.inbound_report_raw(&report.id).await.unwrap(),
            Some(raw)
        );
        assert!(store
            .inbound_reports(ReportState::Unmatched, 10)
            .await
            .unwrap()
            .is_empty());
    }
}
