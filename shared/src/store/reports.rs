//! Returned mail as it came in: stored whole before the intake says "250" (or before an import
//! reports it read), so nothing accepted is lost, then applied to the delivery records.

use super::{parse_timestamp, sha256_hex, timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::fmt;

/// Where a returned mail came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportSource {
    /// The bounce-intake SMTP listener.
    Smtp,
    /// A mailbox polled over IMAP.
    Imap,
    /// `circulars bounces import`.
    File,
}

impl ReportSource {
    /// The stored word.
    pub fn wire_name(self) -> &'static str {
        match self {
            ReportSource::Smtp => "smtp",
            ReportSource::Imap => "imap",
            ReportSource::File => "file",
        }
    }
}

impl fmt::Display for ReportSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

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

    fn parse(word: &str) -> Result<ReportState, StoreError> {
        Ok(match word {
            "received" => ReportState::Received,
            "applied" => ReportState::Applied,
            "unmatched" => ReportState::Unmatched,
            "ignored" => ReportState::Ignored,
            other => {
                return Err(StoreError::Corrupt {
                    table: "inbound_reports",
                    why: format!("'{other}' is not a report state"),
                })
            }
        })
    }
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
    pub source: String,
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
        rows.into_iter()
            .map(|row| {
                Ok(StoredReport {
                    id: row.try_get("id")?,
                    received_at: parse_timestamp(
                        "inbound_reports",
                        &row.try_get::<String, _>("received_at")?,
                    )?,
                    source: row.try_get("source")?,
                    envelope_to: row.try_get("envelope_to")?,
                    size: row.try_get::<i64, _>("size")?.max(0) as u64,
                    form: row.try_get("form")?,
                    kind: row.try_get("kind")?,
                    state: ReportState::parse(&row.try_get::<String, _>("state")?)?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
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
