//! The personal data held about one address: what `circulars directory report` gathers, and
//! its erasure by `circulars directory forget`, which removes the contact data and puts a keyed
//! pseudonym in place of the address wherever a record must outlive it (frozen audiences,
//! deliveries and their history, the audit trail), so counts and histories stay true.

use super::directory::{audit, subscription_of_row, Subscription};
use super::{parse_column, timestamp, Store, StoreError};
use chrono::Utc;
use circulars_core::domain::{CircularId, DeliveryState, RecipientAddress, TopicId};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};

/// What an audit entry's detail says in place of a forgotten person's data.
pub const FORGOTTEN: &str = "(forgotten)";

/// Keys of an audit entry's detail that hold a person's data, removed when it is forgotten.
const PERSONAL_DETAIL_KEYS: [&str; 2] = ["address", "name"];

/// What `forget_address` changed, table by table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ForgetSummary {
    /// Contacts deleted.
    pub contacts: u64,
    /// Topic choices deleted.
    pub subscriptions: u64,
    /// Chosen languages deleted (0 or 1).
    pub language_choices: u64,
    /// Whether a suppression was kept under the pseudonym.
    pub suppression: bool,
    /// Frozen audience entries now under the pseudonym.
    pub audiences: u64,
    /// Frozen exclusions now under the pseudonym.
    pub exclusions: u64,
    /// Delivery records now under the pseudonym.
    pub deliveries: u64,
    /// Delivery history rows now under the pseudonym.
    pub history: u64,
    /// Audit entries now under the pseudonym, with the person's data removed.
    pub audit_entries: u64,
}

impl ForgetSummary {
    /// Whether anything was held about the address.
    pub fn found(&self) -> bool {
        *self != ForgetSummary::default()
    }
}

impl Store {
    /// Every explicit topic choice of an address, by topic.
    pub async fn subscriptions_of(
        &self,
        address: &RecipientAddress,
    ) -> Result<Vec<(TopicId, Subscription)>, StoreError> {
        let rows = sqlx::query(
            "SELECT topic, subscribed, set_by, source, updated_at FROM subscriptions \
             WHERE address_key = $1 ORDER BY topic",
        )
        .bind(address.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    parse_column("subscriptions", &row.try_get::<String, _>("topic")?)?,
                    subscription_of_row(row)?,
                ))
            })
            .collect()
    }

    /// The circulars whose frozen audience, exclusions or deliveries name the address, in order.
    pub async fn circulars_of(
        &self,
        address: &RecipientAddress,
    ) -> Result<Vec<CircularId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT circular_id FROM audience WHERE address_key = $1 \
             UNION SELECT circular_id FROM audience_exclusions WHERE address_key = $1 \
             UNION SELECT circular_id FROM deliveries WHERE address_key = $1 \
             ORDER BY circular_id",
        )
        .bind(address.as_str())
        .fetch_all(&self.pool)
        .await?;
        ids.iter().map(|id| parse_column("audience", id)).collect()
    }

    /// Records in the audit trail that everything held about the address was reported.
    pub async fn record_report(
        &self,
        address: &RecipientAddress,
        actor: &str,
    ) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        audit(
            &mut tx,
            &now,
            actor,
            "address.reported",
            address.as_str(),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Erases a person in one transaction: deletes the address's contacts, topic choices and
    /// chosen language, and puts `pseudonym` in its place in the suppression list, frozen
    /// audiences, exclusions, deliveries, delivery history and audit trail (removing the names
    /// and written addresses those hold); records `address.forgotten` under the pseudonym.
    /// Refused, changing nothing, while a circular to the address is still being delivered.
    pub async fn forget_address(
        &self,
        address: &RecipientAddress,
        pseudonym: &RecipientAddress,
        actor: &str,
    ) -> Result<ForgetSummary, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let pending = in_flight(&mut tx, address).await?;
        if !pending.is_empty() {
            return Err(StoreError::InFlight {
                address: address.clone(),
                circulars: pending,
            });
        }
        let written = written_forms(&mut tx, address).await?;
        let (key, alias) = (address.as_str(), pseudonym.as_str());
        let mut summary = ForgetSummary {
            contacts: execute(
                &mut tx,
                "DELETE FROM contacts WHERE address_key = $1",
                &[key],
            )
            .await?,
            subscriptions: execute(
                &mut tx,
                "DELETE FROM subscriptions WHERE address_key = $1",
                &[key],
            )
            .await?,
            language_choices: execute(
                &mut tx,
                "DELETE FROM language_choices WHERE address_key = $1",
                &[key],
            )
            .await?,
            ..ForgetSummary::default()
        };
        move_records(&mut tx, key, alias, &mut summary).await?;
        erase_returned_mail(&mut tx, key, alias, &written).await?;
        summary.audit_entries = redact_audit(&mut tx, key, alias, &written).await?;
        audit(
            &mut tx,
            &now,
            actor,
            "address.forgotten",
            alias,
            serde_json::to_value(summary).unwrap_or(Value::Null),
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }
}

/// Moves what the address keeps to `alias` (suppression, frozen audiences, exclusions,
/// deliveries and their history), counting in `summary`.
async fn move_records(
    tx: &mut AnyConnection,
    key: &str,
    alias: &str,
    summary: &mut ForgetSummary,
) -> Result<(), StoreError> {
    // A suppression is kept, so the count of suppressed addresses stays true; if the
    // pseudonym is suppressed already (forgotten before), the older entry stays.
    let moved = execute(
        tx,
        "UPDATE suppressions SET address_key = $2 WHERE address_key = $1 \
         AND NOT EXISTS (SELECT 1 FROM suppressions WHERE address_key = $2)",
        &[key, alias],
    )
    .await?;
    let dropped = execute(
        tx,
        "DELETE FROM suppressions WHERE address_key = $1",
        &[key],
    )
    .await?;
    summary.suppression = moved + dropped > 0;
    summary.audiences = execute(
        tx,
        "UPDATE audience SET address_key = $2, name = $3 WHERE address_key = $1",
        &[key, alias, FORGOTTEN],
    )
    .await?;
    execute(
        tx,
        "UPDATE audience_reasons SET address_key = $2, address = $2 WHERE address_key = $1",
        &[key, alias],
    )
    .await?;
    summary.exclusions = execute(
        tx,
        "UPDATE audience_exclusions SET address_key = $2 WHERE address_key = $1",
        &[key, alias],
    )
    .await?;
    summary.deliveries = execute(
        tx,
        "UPDATE deliveries SET address_key = $2 WHERE address_key = $1",
        &[key, alias],
    )
    .await?;
    summary.history = execute(
        tx,
        "UPDATE delivery_history SET address_key = $2 WHERE address_key = $1",
        &[key, alias],
    )
    .await?;
    Ok(())
}

/// Erases the returned mail that named the address (keeping that one came and what it meant),
/// moves what it said to `alias`, and replaces the address as it was `written` wherever a
/// server's reply or a detail quotes it.
async fn erase_returned_mail(
    tx: &mut AnyConnection,
    key: &str,
    alias: &str,
    written: &[String],
) -> Result<(), StoreError> {
    // Returned mail about the address is the person's data too: the reports that named it
    // lose their message (kept as a record that one came, with what it meant), and what
    // they said about the delivery moves to the pseudonym.
    sqlx::query(
        "UPDATE inbound_reports SET raw = $2, detail = 'message erased: the address was forgotten' \
         WHERE id IN (SELECT report_id FROM delivery_reports WHERE address_key = $1)",
    )
    .bind(key)
    .bind(Vec::<u8>::new())
    .execute(&mut *tx)
    .await?;
    execute(
        tx,
        "UPDATE delivery_reports SET address_key = $2 WHERE address_key = $1",
        &[key, alias],
    )
    .await?;
    // Servers' replies and exclusion details may quote the address as it was written.
    for form in written {
        for sql in [
            "UPDATE suppressions SET detail = REPLACE(detail, $1, $2) WHERE address_key = $2",
            "UPDATE audience_exclusions SET detail = REPLACE(detail, $1, $2) WHERE address_key = $2",
            "UPDATE deliveries SET smtp_text = REPLACE(smtp_text, $1, $2), detail = REPLACE(detail, $1, $2) WHERE address_key = $2",
            "UPDATE delivery_history SET smtp_text = REPLACE(smtp_text, $1, $2), detail = REPLACE(detail, $1, $2) WHERE address_key = $2",
            "UPDATE delivery_reports SET diagnostic = REPLACE(diagnostic, $1, $2) WHERE address_key = $2",
        ] {
            execute(tx, sql, &[form, alias]).await?;
        }
    }
    Ok(())
}

/// The circulars still being delivered to the address: in a frozen audience, with no delivery
/// record yet or one that is not final.
async fn in_flight(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
) -> Result<Vec<CircularId>, StoreError> {
    let finals: Vec<String> = DeliveryState::ALL
        .iter()
        .filter(|s| s.is_final())
        .map(|s| format!("'{}'", s.wire_name()))
        .collect();
    let sql = format!(
        "SELECT a.circular_id FROM audience a LEFT JOIN deliveries d \
         ON d.circular_id = a.circular_id AND d.address_key = a.address_key \
         WHERE a.address_key = $1 AND (d.state IS NULL OR d.state NOT IN ({})) \
         ORDER BY a.circular_id",
        finals.join(", ")
    );
    let ids: Vec<String> = sqlx::query_scalar(&sql)
        .bind(address.as_str())
        .fetch_all(&mut *conn)
        .await?;
    ids.iter().map(|id| parse_column("audience", id)).collect()
}

/// Every way the address was written in contacts and frozen reasons, and its normalised form,
/// longest first (so a longer form is replaced before a shorter one inside it).
async fn written_forms(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
) -> Result<Vec<String>, StoreError> {
    let mut forms: Vec<String> = sqlx::query_scalar(
        "SELECT address FROM contacts WHERE address_key = $1 \
         UNION SELECT address FROM audience_reasons WHERE address_key = $1",
    )
    .bind(address.as_str())
    .fetch_all(&mut *conn)
    .await?;
    forms.push(address.as_str().to_owned());
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    forms.dedup();
    Ok(forms)
}

/// Moves the address's audit entries to the pseudonym, replacing the person's data in each
/// entry's detail (names, and the address in any text, such as a server's reply); returns how
/// many moved.
async fn redact_audit(
    conn: &mut AnyConnection,
    key: &str,
    alias: &str,
    written: &[String],
) -> Result<u64, StoreError> {
    let rows = sqlx::query("SELECT id, detail FROM directory_audit WHERE subject = $1")
        .bind(key)
        .fetch_all(&mut *conn)
        .await?;
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let detail: String = row.try_get("detail")?;
        let mut value: Value = serde_json::from_str(&detail).map_err(|e| StoreError::Corrupt {
            table: "directory_audit",
            why: format!("entry {id}: {e}"),
        })?;
        if let Value::Object(fields) = &mut value {
            for personal in PERSONAL_DETAIL_KEYS {
                if let Some(field) = fields.get_mut(personal) {
                    *field = Value::String(FORGOTTEN.to_owned());
                }
            }
        }
        replace_in_strings(&mut value, written, alias);
        sqlx::query("UPDATE directory_audit SET subject = $2, detail = $3 WHERE id = $1")
            .bind(id)
            .bind(alias)
            .bind(value.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(rows.len() as u64)
}

/// Replaces each of `forms` by `alias` in every string inside `value`.
fn replace_in_strings(value: &mut Value, forms: &[String], alias: &str) {
    match value {
        Value::String(text) => {
            for form in forms {
                if text.contains(form.as_str()) {
                    *text = text.replace(form.as_str(), alias);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| replace_in_strings(v, forms, alias)),
        Value::Object(fields) => fields
            .values_mut()
            .for_each(|v| replace_in_strings(v, forms, alias)),
        _ => {}
    }
}

/// Runs one statement with text parameters; returns the rows it changed.
async fn execute(conn: &mut AnyConnection, sql: &str, params: &[&str]) -> Result<u64, StoreError> {
    let mut query = sqlx::query(sql);
    for param in params {
        query = query.bind(*param);
    }
    Ok(query.execute(&mut *conn).await?.rows_affected())
}
