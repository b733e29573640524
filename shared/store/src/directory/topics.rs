//! Topics of optional circulars and each address's choices: the topics staff add, and the
//! choices imports and recipients make (a recipient's own choice is never overridden by staff).

use super::audit::audit;
use super::suppressions::recipients_suppression;
use super::SuppressionReason;
use crate::{parse_column, parse_timestamp, timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{RecipientAddress, TopicId};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// An address's explicit choice for one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Opted in (true) or out (false).
    pub subscribed: bool,
    /// `staff` (an import) or `recipient` (their own choice, which imports never override).
    pub set_by: String,
    /// What set it.
    pub source: String,
    /// When.
    pub since: DateTime<Utc>,
}

/// A topic of optional circulars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// Its id.
    pub id: TopicId,
    /// Its name, for staff and recipients.
    pub name: String,
    /// Whether only those who opted in receive it (else all but those who opted out).
    pub opt_in: bool,
}

impl Store {
    /// Adds a topic; false when it exists already.
    pub async fn add_topic(&self, topic: &Topic, actor: &str) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let added = sqlx::query(
            "INSERT INTO topics (id, name, opt_in, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(topic.id.as_str())
        .bind(&topic.name)
        .bind(i64::from(topic.opt_in))
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if added {
            audit(
                &mut tx,
                &now,
                actor,
                "topic.added",
                topic.id.as_str(),
                json!({"name": topic.name, "opt_in": topic.opt_in}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The topic with this id, when there is one.
    pub async fn topic(&self, id: &TopicId) -> Result<Option<Topic>, StoreError> {
        let row = sqlx::query("SELECT id, name, opt_in FROM topics WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(Topic {
                id: parse_column("topics", &row.try_get::<String, _>("id")?)?,
                name: row.try_get("name")?,
                opt_in: row.try_get::<i64, _>("opt_in")? != 0,
            })
        })
        .transpose()
    }

    /// An address's explicit choice for a topic, when it made one.
    pub async fn subscription(
        &self,
        address: &RecipientAddress,
        topic: &TopicId,
    ) -> Result<Option<Subscription>, StoreError> {
        subscription_on(&mut *self.pool.acquire().await?, address, topic).await
    }

    /// Records a recipient's own topic choice (which imports never override), with an audit
    /// entry; false when it was already so.
    pub async fn set_recipient_subscription(
        &self,
        address: &RecipientAddress,
        topic: &TopicId,
        subscribed: bool,
        source: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let changed =
            recipient_subscription(&mut tx, address, topic, subscribed, source, actor, &now)
                .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Unsubscribes an address at the recipient's request: from `topic`, or from everything
    /// when `topic` is `None` (a suppression, `unsubscribed`); false when it already was.
    pub async fn unsubscribe(
        &self,
        address: &RecipientAddress,
        topic: Option<&TopicId>,
        source: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let changed = unsubscribe_on(&mut tx, address, topic, source, actor, &now).await?;
        tx.commit().await?;
        Ok(changed)
    }
}

/// A recipient's own topic choice written with its audit entry; false when it already was so.
async fn recipient_subscription(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
    topic: &TopicId,
    subscribed: bool,
    source: &str,
    actor: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let changed =
        write_subscription(conn, address, topic, subscribed, "recipient", source, now).await?;
    if changed {
        audit(
            conn,
            now,
            actor,
            "subscription.set",
            address.as_str(),
            json!({"topic": topic.as_str(), "subscribed": subscribed, "source": source}),
        )
        .await?;
    }
    Ok(changed)
}

/// See [`Store::unsubscribe`], on an open transaction.
pub(crate) async fn unsubscribe_on(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
    topic: Option<&TopicId>,
    source: &str,
    actor: &str,
    now: &str,
) -> Result<bool, StoreError> {
    match topic {
        Some(topic) => {
            recipient_subscription(conn, address, topic, false, source, actor, now).await
        }
        None => {
            recipients_suppression(
                conn,
                address,
                SuppressionReason::Unsubscribed,
                source,
                actor,
                now,
            )
            .await
        }
    }
}

/// An address's choice for a topic, on an open connection.
pub(super) async fn subscription_on(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
    topic: &TopicId,
) -> Result<Option<Subscription>, StoreError> {
    let row = sqlx::query(
        "SELECT subscribed, set_by, source, updated_at FROM subscriptions WHERE address_key = $1 AND topic = $2",
    )
    .bind(address.as_str())
    .bind(topic.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(subscription_of_row).transpose()
}

/// A topic choice from a `subscriptions` row (`subscribed, set_by, source, updated_at`).
pub(crate) fn subscription_of_row(row: &AnyRow) -> Result<Subscription, StoreError> {
    Ok(Subscription {
        subscribed: row.try_get::<i64, _>("subscribed")? != 0,
        set_by: row.try_get("set_by")?,
        source: row.try_get("source")?,
        since: parse_timestamp("subscriptions", &row.try_get::<String, _>("updated_at")?)?,
    })
}

/// Sets an address's topic choice; false (and nothing written) when it was already so. One
/// statement decides, so two simultaneous requests (a one-click POST sent twice) record one
/// change.
pub(super) async fn write_subscription(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
    topic: &TopicId,
    subscribed: bool,
    set_by: &str,
    source: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let written = sqlx::query(
        "INSERT INTO subscriptions (address_key, topic, subscribed, set_by, source, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (address_key, topic) DO UPDATE SET \
         subscribed = excluded.subscribed, set_by = excluded.set_by, source = excluded.source, updated_at = excluded.updated_at \
         WHERE subscriptions.subscribed <> excluded.subscribed OR subscriptions.set_by <> excluded.set_by",
    )
    .bind(address.as_str())
    .bind(topic.as_str())
    .bind(i64::from(subscribed))
    .bind(set_by)
    .bind(source)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(written == 1)
}

/// An address's topic choices, by topic.
pub(super) async fn topic_choices(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
) -> Result<Vec<(TopicId, bool)>, StoreError> {
    let rows = sqlx::query(
        "SELECT topic, subscribed FROM subscriptions WHERE address_key = $1 ORDER BY topic",
    )
    .bind(address.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                parse_column("subscriptions", &row.try_get::<String, _>("topic")?)?,
                row.try_get::<i64, _>("subscribed")? != 0,
            ))
        })
        .collect()
}
