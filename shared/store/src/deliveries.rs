//! Delivery records: the current state of each delivery, the history of its changes, and the
//! counts `status` shows.

use super::directory::parse_address;
use super::{backend_of, parse_column, timestamp, value_rows, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{
    BounceReason, Category, CircularId, Delivery, DeliveryEvent, DeliveryKey, DeliveryState,
    HardBounce, HardBounceRule, Language, RecipientAddress, SmtpReply,
};
use circulars_core::events::DeliveryOutcome;
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// Recipients per delivery state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StateCounts(pub BTreeMap<DeliveryState, u64>);

impl StateCounts {
    /// Recipients in `state`.
    pub fn get(&self, state: DeliveryState) -> u64 {
        self.0.get(&state).copied().unwrap_or(0)
    }

    /// All recipients counted.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// The states that hold a recipient, in lifecycle order; `queued` alone when none does
    /// (the columns a status table shows).
    pub fn states_present(&self) -> Vec<DeliveryState> {
        let present: Vec<DeliveryState> = DeliveryState::ALL
            .into_iter()
            .filter(|state| self.get(*state) > 0)
            .collect();
        if present.is_empty() {
            vec![DeliveryState::Queued]
        } else {
            present
        }
    }

    /// Recipients in a final state.
    pub fn finished(&self) -> u64 {
        self.0
            .iter()
            .filter(|(s, _)| s.is_final())
            .map(|(_, n)| n)
            .sum()
    }

    fn add(&mut self, state: DeliveryState, n: u64) {
        *self.0.entry(state).or_default() += n;
    }
}

/// One entry of a delivery's history: a state reached (or a delay reported after it was sent),
/// by which attempt, with the server's words or what happened instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// The state reached, or `delayed`.
    pub event: DeliveryEvent,
    /// The attempt.
    pub attempt: u32,
    /// The server's reply, when there was one.
    pub reply: Option<SmtpReply>,
    /// What happened when no server replied (a lost reply, a connection refused, …).
    pub detail: Option<String>,
    /// Attempts up to this one whose reply was lost after the whole message was sent: on a
    /// `sent` entry with no reply, the mark of an unconfirmed delivery.
    pub unconfirmed: u32,
    /// On a `bounced` entry: why the returned mail says it failed.
    pub bounce_reason: Option<BounceReason>,
}

/// Where a circular's delivery stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CircularStatus {
    /// The circular.
    pub circular: CircularId,
    /// When it was issued.
    pub issued_at: Option<DateTime<Utc>>,
    /// Recipients in the frozen audience, once frozen.
    pub audience: Option<u64>,
    /// Addresses in its categories left out (unsubscribed).
    pub excluded: u64,
    /// Of the `sent` deliveries, those whose relay reply was lost after the whole message was
    /// sent (may have been delivered; counted apart so operations can see them).
    pub unconfirmed: u64,
    /// Of the `bounced` deliveries, how many per reason the returned mail gave (those bounced
    /// before reasons were kept are not counted here).
    pub bounce_reasons: BTreeMap<BounceReason, u64>,
    /// Of the `failed` deliveries, how many per reason the relay's refusal gave (those failed
    /// without a reply, or before reasons were kept, are not counted here).
    pub failure_reasons: BTreeMap<BounceReason, u64>,
    /// Distinct recipients per state.
    pub total: StateCounts,
    /// Per language (each recipient has one).
    pub by_language: BTreeMap<Language, StateCounts>,
    /// Per category; a recipient in two categories counts in both.
    pub by_category: BTreeMap<Category, StateCounts>,
}

impl CircularStatus {
    /// Whether the audience is frozen and every recipient is in a final state.
    pub fn is_complete(&self) -> bool {
        self.audience.is_some_and(|n| self.total.finished() == n)
    }
}

impl Store {
    /// Records outcomes in one transaction: the current state moves only forward (by rank,
    /// then attempt), and each (state, attempt) enters the history once, so replays change
    /// nothing. In the same transaction, the hard-bounce `rule` is applied to each address
    /// that bounced hard.
    pub async fn record_outcomes(
        &self,
        outcomes: &[DeliveryOutcome],
        rule: HardBounceRule,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        write_outcomes(&mut tx, outcomes).await?;
        if !rule.is_off() {
            let mut bounced: Vec<&RecipientAddress> = outcomes
                .iter()
                .filter(|o| o.state.is_hard_bounce(o.reply.as_ref(), o.bounce_reason))
                .map(|o| &o.address)
                .collect();
            bounced.sort();
            bounced.dedup();
            let now = timestamp(Utc::now());
            for address in bounced {
                suppress_if_bounced(&mut tx, address, rule, &now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The current record of one delivery, when it has one.
    pub async fn delivery(
        &self,
        circular: &CircularId,
        address: &RecipientAddress,
    ) -> Result<Option<Delivery>, StoreError> {
        let row = sqlx::query(
            "SELECT address_key, state, attempt, smtp_code, smtp_enhanced, smtp_text, detail, updated_at, unconfirmed, bounce_reason FROM deliveries \
             WHERE circular_id = $1 AND address_key = $2",
        )
        .bind(circular.as_str())
        .bind(address.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(delivery_record).transpose()
    }

    /// Every delivery of the circular in `state`, by address.
    pub async fn deliveries_in_state(
        &self,
        circular: &CircularId,
        state: DeliveryState,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT address_key, state, attempt, smtp_code, smtp_enhanced, smtp_text, detail, updated_at, unconfirmed, bounce_reason FROM deliveries \
             WHERE circular_id = $1 AND state = $2 ORDER BY address_key",
        )
        .bind(circular.as_str())
        .bind(state.wire_name())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(delivery_record).collect()
    }

    /// Counts per state, language and category for one circular; recipients without a record
    /// yet count as `queued`.
    pub async fn circular_status(
        &self,
        circular: &CircularId,
    ) -> Result<CircularStatus, StoreError> {
        let stored = self.existing_circular(circular).await?;
        let mut status = CircularStatus {
            circular: circular.clone(),
            issued_at: stored.issued_at,
            audience: stored.audience.map(|(_, n)| n),
            excluded: 0,
            unconfirmed: 0,
            bounce_reasons: BTreeMap::new(),
            failure_reasons: BTreeMap::new(),
            total: StateCounts::default(),
            by_language: BTreeMap::new(),
            by_category: BTreeMap::new(),
        };
        let by_language = self
            .grouped_counts(
                "SELECT a.language, COALESCE(d.state, 'queued') AS state, COUNT(*) AS n \
                 FROM audience a LEFT JOIN deliveries d ON d.circular_id = a.circular_id AND d.address_key = a.address_key \
                 WHERE a.circular_id = $1 GROUP BY a.language, COALESCE(d.state, 'queued')",
                circular,
            )
            .await?;
        for (language, state, n) in by_language {
            status.total.add(state, n);
            status
                .by_language
                .entry(parse_column("audience", &language)?)
                .or_default()
                .add(state, n);
        }
        let by_category = self
            .grouped_counts(
                "SELECT r.category, COALESCE(d.state, 'queued') AS state, COUNT(DISTINCT r.address_key) AS n \
                 FROM audience_reasons r LEFT JOIN deliveries d ON d.circular_id = r.circular_id AND d.address_key = r.address_key \
                 WHERE r.circular_id = $1 GROUP BY r.category, COALESCE(d.state, 'queued')",
                circular,
            )
            .await?;
        for (category, state, n) in by_category {
            status
                .by_category
                .entry(parse_column("audience_reasons", &category)?)
                .or_default()
                .add(state, n);
        }
        let excluded: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audience_exclusions WHERE circular_id = $1")
                .bind(circular.as_str())
                .fetch_one(&self.pool)
                .await?;
        status.excluded = excluded.max(0) as u64;
        let unconfirmed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE circular_id = $1 AND state = $2 AND unconfirmed > 0",
        )
        .bind(circular.as_str())
        .bind(DeliveryState::Sent.wire_name())
        .fetch_one(&self.pool)
        .await?;
        status.unconfirmed = unconfirmed.max(0) as u64;
        let reasons = sqlx::query(
            "SELECT state, bounce_reason, COUNT(*) AS n FROM deliveries \
             WHERE circular_id = $1 AND state IN ($2, $3) AND bounce_reason IS NOT NULL \
             GROUP BY state, bounce_reason",
        )
        .bind(circular.as_str())
        .bind(DeliveryState::Bounced.wire_name())
        .bind(DeliveryState::Failed.wire_name())
        .fetch_all(&self.pool)
        .await?;
        for row in reasons {
            let state: String = row.try_get("state")?;
            let reason: String = row.try_get("bounce_reason")?;
            let n: i64 = row.try_get("n")?;
            let counts = if state == DeliveryState::Failed.wire_name() {
                &mut status.failure_reasons
            } else {
                &mut status.bounce_reasons
            };
            counts.insert(parse_column("deliveries", &reason)?, n.max(0) as u64);
        }
        Ok(status)
    }

    /// Runs a status query returning (group, state, count) rows for one circular.
    async fn grouped_counts(
        &self,
        sql: &'static str,
        circular: &CircularId,
    ) -> Result<Vec<(String, DeliveryState, u64)>, StoreError> {
        let rows = sqlx::query(sql)
            .bind(circular.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|row| {
                let group: String = row.try_get(0)?;
                let state: String = row.try_get("state")?;
                let n: i64 = row.try_get("n")?;
                Ok((group, parse_column("deliveries", &state)?, n.max(0) as u64))
            })
            .collect()
    }

    /// The states one delivery went through and the delays reported after it was sent, oldest
    /// first.
    pub async fn delivery_history(
        &self,
        circular: &CircularId,
        address: &RecipientAddress,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT state, attempt, smtp_code, smtp_enhanced, smtp_text, detail, unconfirmed, bounce_reason FROM delivery_history \
             WHERE circular_id = $1 AND address_key = $2 ORDER BY at, id",
        )
        .bind(circular.as_str())
        .bind(address.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let state: String = row.try_get("state")?;
                let attempt: i64 = row.try_get("attempt")?;
                Ok(HistoryEntry {
                    event: parse_column("delivery_history", &state)?,
                    attempt: attempt.max(0) as u32,
                    reply: reply_of(&row)?,
                    detail: row.try_get("detail")?,
                    unconfirmed: u32::try_from(row.try_get::<i64, _>("unconfirmed")?).unwrap_or(0),
                    bounce_reason: bounce_reason_of(&row, "delivery_history")?,
                })
            })
            .collect()
    }
}

fn reply_of(row: &sqlx::any::AnyRow) -> Result<Option<SmtpReply>, StoreError> {
    let code: Option<i64> = row.try_get("smtp_code")?;
    Ok(match code {
        Some(code) => Some(SmtpReply {
            code: u16::try_from(code).map_err(|e| StoreError::Corrupt {
                table: "deliveries",
                why: e.to_string(),
            })?,
            enhanced: row.try_get("smtp_enhanced")?,
            text: row
                .try_get::<Option<String>, _>("smtp_text")?
                .unwrap_or_default(),
        }),
        None => None,
    })
}

pub(super) fn delivery_record(row: sqlx::any::AnyRow) -> Result<Delivery, StoreError> {
    let key: String = row.try_get("address_key")?;
    let state: String = row.try_get("state")?;
    let attempt: i64 = row.try_get("attempt")?;
    Ok(Delivery {
        address: parse_address(&key)?,
        state: parse_column("deliveries", &state)?,
        attempt: attempt.max(0) as u32,
        reply: reply_of(&row)?,
        detail: row.try_get("detail")?,
        at: super::parse_timestamp("deliveries", &row.try_get::<String, _>("updated_at")?)?,
        unconfirmed: u32::try_from(row.try_get::<i64, _>("unconfirmed")?).unwrap_or(0),
        bounce_reason: bounce_reason_of(&row, "deliveries")?,
    })
}

/// The `bounce_reason` column of a row of `table`.
fn bounce_reason_of(
    row: &sqlx::any::AnyRow,
    table: &'static str,
) -> Result<Option<BounceReason>, StoreError> {
    row.try_get::<Option<String>, _>("bounce_reason")?
        .map(|reason| parse_column(table, &reason))
        .transpose()
}

/// Outcomes written per statement: twelve parameters a row, far below either database's limit.
const OUTCOMES_PER_STATEMENT: usize = 100;

/// Writes outcomes: the current state moves only forward (by rank, then attempt), and each
/// (state, attempt) enters the history once. Multi-row statements, bound by position on
/// SQLite: the tracker writes one row of each table per outcome, and one statement per row
/// cost more than the rows (docs/BENCHMARKS.md).
pub(super) async fn write_outcomes(
    conn: &mut sqlx::AnyConnection,
    outcomes: &[DeliveryOutcome],
) -> Result<(), StoreError> {
    let backend = backend_of(conn);
    for chunk in outcomes.chunks(OUTCOMES_PER_STATEMENT) {
        // One row per delivery in a statement (PostgreSQL refuses to update a row twice in
        // one): the outcome that would win, by rank then attempt; the others lose anyway.
        let mut winners: BTreeMap<(&CircularId, &RecipientAddress), &DeliveryOutcome> =
            BTreeMap::new();
        for o in chunk {
            let slot = winners.entry((&o.circular, &o.address)).or_insert(o);
            if (o.state.rank(), o.attempt) > (slot.state.rank(), slot.attempt) {
                *slot = o;
            }
        }
        let sql = format!(
            "INSERT INTO deliveries (circular_id, address_key, state, state_rank, attempt, smtp_code, smtp_enhanced, smtp_text, detail, updated_at, unconfirmed, bounce_reason) \
             VALUES {} \
             ON CONFLICT (circular_id, address_key) DO UPDATE SET \
               state = excluded.state, state_rank = excluded.state_rank, attempt = excluded.attempt, \
               smtp_code = excluded.smtp_code, smtp_enhanced = excluded.smtp_enhanced, smtp_text = excluded.smtp_text, \
               detail = excluded.detail, updated_at = excluded.updated_at, unconfirmed = excluded.unconfirmed, \
               bounce_reason = excluded.bounce_reason \
             WHERE excluded.state_rank > deliveries.state_rank \
                OR (excluded.state_rank = deliveries.state_rank AND excluded.attempt > deliveries.attempt)",
            value_rows(backend, winners.len(), 12)
        );
        // Not kept in the connection's statement cache: the SQL differs with the number of
        // rows, and a hundred wide statements cached per connection held tens of MiB.
        let mut upsert = sqlx::query(&sql).persistent(false);
        for o in winners.values() {
            let (code, enhanced, text) = reply_columns(o.reply.as_ref());
            upsert = upsert
                .bind(o.circular.as_str())
                .bind(o.address.as_str())
                .bind(o.state.wire_name())
                .bind(i64::from(o.state.rank()))
                .bind(i64::from(o.attempt))
                .bind(code)
                .bind(enhanced)
                .bind(text)
                .bind(o.detail.as_deref())
                .bind(timestamp(o.at))
                .bind(i64::from(o.unconfirmed))
                .bind(o.bounce_reason.map(BounceReason::as_str));
        }
        upsert.execute(&mut *conn).await?;

        let sql = format!(
            "INSERT INTO delivery_history (circular_id, address_key, state, attempt, smtp_code, smtp_enhanced, smtp_text, detail, at, unconfirmed, bounce_reason) \
             VALUES {} ON CONFLICT (circular_id, address_key, state, attempt) DO NOTHING",
            value_rows(backend, chunk.len(), 11)
        );
        let mut history = sqlx::query(&sql).persistent(false);
        for o in chunk {
            let (code, enhanced, text) = reply_columns(o.reply.as_ref());
            history = history
                .bind(o.circular.as_str())
                .bind(o.address.as_str())
                .bind(DeliveryEvent::Reached(o.state).wire_name())
                .bind(i64::from(o.attempt))
                .bind(code)
                .bind(enhanced)
                .bind(text)
                .bind(o.detail.as_deref())
                .bind(timestamp(o.at))
                .bind(i64::from(o.unconfirmed))
                .bind(o.bounce_reason.map(BounceReason::as_str));
        }
        history.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A reply's columns: code, enhanced status, text.
fn reply_columns(reply: Option<&SmtpReply>) -> (Option<i64>, Option<&str>, Option<&str>) {
    match reply {
        Some(r) => (
            Some(i64::from(r.code)),
            r.enhanced.as_deref(),
            Some(r.text.as_str()),
        ),
        None => (None, None, None),
    }
}

/// Adds one entry to a delivery's history, unless the same (event, attempt) is there already.
pub(super) async fn write_history(
    conn: &mut sqlx::AnyConnection,
    delivery: &DeliveryKey,
    event: DeliveryEvent,
    attempt: u32,
    reply: Option<&SmtpReply>,
    detail: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO delivery_history (circular_id, address_key, state, attempt, smtp_code, smtp_enhanced, smtp_text, detail, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (circular_id, address_key, state, attempt) DO NOTHING",
    )
    .bind(delivery.circular.as_str())
    .bind(delivery.address.as_str())
    .bind(event.wire_name())
    .bind(i64::from(attempt))
    .bind(reply.map(|r| i64::from(r.code)))
    .bind(reply.and_then(|r| r.enhanced.clone()))
    .bind(reply.map(|r| r.text.clone()))
    .bind(detail)
    .bind(timestamp(at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What [`DeliveryState::is_hard_bounce`] says, in SQL over `deliveries`: a bounce or a 5xx
/// refusal whose reason kills the address (or that has none: recorded before reasons were
/// kept).
fn hard_bounce_sql() -> String {
    let killing: Vec<String> = BounceReason::ALL
        .into_iter()
        .filter(|reason| reason.kills_address())
        .map(|reason| format!("'{}'", reason.as_str()))
        .collect();
    format!(
        "((bounce_reason IS NULL OR bounce_reason IN ({})) \
         AND (state = 'bounced' OR (state = 'failed' AND smtp_code >= 500 AND smtp_code < 600)))",
        killing.join(", ")
    )
}

/// Applies the hard-bounce rule to `address` when it is not yet suppressed: reads its hard
/// bounces, newest first, and suppresses it (`bounced`) when the rule says so.
pub(super) async fn suppress_if_bounced(
    conn: &mut sqlx::AnyConnection,
    address: &RecipientAddress,
    rule: HardBounceRule,
    now: &str,
) -> Result<(), StoreError> {
    if rule.is_off()
        || super::directory::suppression_on(conn, address)
            .await?
            .is_some()
    {
        return Ok(());
    }
    let rows = sqlx::query(&format!(
        "SELECT circular_id, state, smtp_code, smtp_enhanced, smtp_text, updated_at, bounce_reason FROM deliveries \
         WHERE address_key = $1 AND {} ORDER BY updated_at DESC, circular_id",
        hard_bounce_sql()
    ))
    .bind(address.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut bounces = Vec::with_capacity(rows.len());
    for row in &rows {
        let state: String = row.try_get("state")?;
        let said = match reply_of(row)? {
            Some(reply) => reply.to_string(),
            None => state,
        };
        bounces.push(HardBounce {
            circular: row.try_get("circular_id")?,
            said: match bounce_reason_of(row, "deliveries")? {
                Some(reason) => format!("{said} ({reason})"),
                None => said,
            },
        });
    }
    let Some(detail) = rule.suppression(&bounces) else {
        return Ok(());
    };
    super::directory::insert_suppression(
        conn,
        address,
        super::SuppressionReason::Bounced,
        &detail,
        HardBounceRule::ACTOR,
        now,
    )
    .await?;
    Ok(())
}
