//! The directory: addressees in categories, their contacts, topics and each address's
//! subscriptions, suppressed addresses, and the audit trail of every change.

use super::{parse_column, parse_timestamp, timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use circulars_core::domain::{
    Addressee, AddresseeKey, Category, DirectoryIds, Language, RecipientAddress, TopicId,
};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// A contact's status as written in directory files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactStatus {
    /// Receives the circulars of its addressee's categories.
    Active,
    /// Kept in the directory, receives nothing (left the office, on leave, …).
    Inactive,
    /// The person asked for nothing at all: the address is suppressed.
    Unsubscribed,
}

impl ContactStatus {
    /// The name in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Active => "active",
            ContactStatus::Inactive => "inactive",
            ContactStatus::Unsubscribed => "unsubscribed",
        }
    }
}

impl fmt::Display for ContactStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContactStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(ContactStatus::Active),
            "inactive" => Ok(ContactStatus::Inactive),
            "unsubscribed" => Ok(ContactStatus::Unsubscribed),
            other => Err(format!(
                "'{other}' is not a status (active, inactive, unsubscribed)"
            )),
        }
    }
}

/// One row of a directory file: a contact with its addressee, as staff keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryRecord {
    /// The addressee's stable key.
    pub addressee: AddresseeKey,
    /// The addressee's name, as mail shows it.
    pub addressee_name: Addressee,
    /// The addressee's language, for contacts who name none.
    pub addressee_language: Option<Language>,
    /// The categories the addressee is in.
    pub categories: Vec<Category>,
    /// The address exactly as written.
    pub address_written: String,
    /// The address, normalised.
    pub address: RecipientAddress,
    /// The contact's name.
    pub name: String,
    /// The contact's preferred language.
    pub language: Option<Language>,
    /// The contact's role in the addressee (`Director`, `focal point`, …), may be empty.
    pub role: String,
    /// Active, inactive, or unsubscribed from everything.
    pub status: ContactStatus,
    /// Explicit topic choices: `(topic, subscribed)`.
    pub topics: Vec<(TopicId, bool)>,
    /// `file:line` it came from.
    pub source: String,
}

/// What an import changed (or, in a dry run, would change).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Addressees that were new.
    pub addressees_created: u64,
    /// Addressees whose name, language or categories changed.
    pub addressees_updated: u64,
    /// Contacts that were new.
    pub contacts_created: u64,
    /// Contacts whose address spelling, name, language, role or status changed.
    pub contacts_updated: u64,
    /// Topic choices set or changed.
    pub subscriptions_changed: u64,
    /// Addresses newly suppressed because the file says `unsubscribed`.
    pub suppressions_added: u64,
    /// Rows that changed nothing.
    pub unchanged: u64,
    /// Where the file disagrees with a recipient's own choice, which is kept.
    pub kept: Vec<String>,
}

impl ImportReport {
    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        self.changes() > 0
    }

    /// How many changes of any kind.
    fn changes(&self) -> u64 {
        self.addressees_created
            + self.addressees_updated
            + self.contacts_created
            + self.contacts_updated
            + self.subscriptions_changed
            + self.suppressions_added
    }
}

/// Why an address receives nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionReason {
    /// The person unsubscribed from everything.
    Unsubscribed,
    /// The person marked a circular as spam.
    Complained,
    /// The address bounced permanently too often.
    Bounced,
}

impl SuppressionReason {
    /// The name in the database and in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionReason::Unsubscribed => "unsubscribed",
            SuppressionReason::Complained => "complained",
            SuppressionReason::Bounced => "bounced",
        }
    }
}

impl FromStr for SuppressionReason {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "unsubscribed" => Ok(SuppressionReason::Unsubscribed),
            "complained" => Ok(SuppressionReason::Complained),
            "bounced" => Ok(SuppressionReason::Bounced),
            other => Err(format!("'{other}' is not a suppression reason")),
        }
    }
}

/// An address that receives nothing, since when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Why.
    pub reason: SuppressionReason,
    /// What said so (`one-click unsubscribe from TSB-36`, `import d.csv:4`, …).
    pub detail: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

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

/// A contact with its addressee, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredContact {
    /// The contact's id.
    pub id: i64,
    /// The record it is (topics empty: subscriptions belong to the address).
    pub record: DirectoryRecord,
}

/// One entry of the directory's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who or what (`import d.csv (by ana)`, `recipient (one-click)`).
    pub actor: String,
    /// What kind of change (`contact.created`, `suppression.added`, …).
    pub action: String,
    /// The addressee key or normalised address it concerns.
    pub subject: String,
    /// What changed, as JSON.
    pub detail: String,
}

impl Store {
    /// Upserts directory records (addressees by key, contacts by addressee and normalised
    /// address) in one transaction, with an audit entry per change; a dry run reports the same
    /// and stores nothing. Never lifts a suppression nor overrides a recipient's own choice.
    pub async fn import_directory(
        &self,
        records: &[DirectoryRecord],
        actor: &str,
        dry_run: bool,
    ) -> Result<ImportReport, StoreError> {
        let now = timestamp(Utc::now());
        let mut report = ImportReport::default();
        let mut tx = self.begin_write().await?;
        let mut addressees_seen = BTreeSet::new();
        let mut addresses_seen = BTreeSet::new();
        for r in records {
            let changes_before = report.changes();
            let addressee_id = upsert_addressee(
                &mut tx,
                r,
                actor,
                &now,
                addressees_seen.insert(r.addressee.clone()),
                &mut report,
            )
            .await?;
            upsert_contact(&mut tx, addressee_id, r, actor, &now, &mut report).await?;
            let first_of_address = addresses_seen.insert(r.address.clone());
            apply_status(&mut tx, r, actor, &now, first_of_address, &mut report).await?;
            for (topic, subscribed) in &r.topics {
                let current = subscription_on(&mut tx, &r.address, topic).await?;
                match current {
                    Some(s) if s.subscribed == *subscribed => {}
                    Some(s) if s.set_by == "recipient" => report.kept.push(format!(
                        "{}: {} chose to be {} topic {topic} ({}, {}); the file's choice is not applied",
                        r.source,
                        r.address,
                        if s.subscribed { "subscribed to" } else { "opted out of" },
                        s.source,
                        timestamp(s.since)
                    )),
                    _ => {
                        write_subscription(
                            &mut tx,
                            &r.address,
                            topic,
                            *subscribed,
                            "staff",
                            &r.source,
                            &now,
                        )
                        .await?;
                        audit(
                            &mut tx,
                            &now,
                            actor,
                            "subscription.set",
                            r.address.as_str(),
                            json!({"topic": topic.as_str(), "subscribed": subscribed, "source": r.source}),
                        )
                        .await?;
                        report.subscriptions_changed += 1;
                    }
                }
            }
            if report.changes() == changes_before {
                report.unchanged += 1;
            }
        }
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(report)
    }

    /// The categories staff added and every topic, which circular files may name.
    pub async fn directory_ids(&self) -> Result<DirectoryIds, StoreError> {
        let custom: Vec<String> =
            sqlx::query_scalar("SELECT id FROM categories WHERE standard = 0 ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        let topics: Vec<String> = sqlx::query_scalar("SELECT id FROM topics ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        Ok(DirectoryIds {
            custom_categories: custom
                .iter()
                .map(|c| parse_column("categories", c))
                .collect::<Result<_, _>>()?,
            topics: topics
                .iter()
                .map(|t| parse_column("topics", t))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Adds a category of staff's own; false when it exists already.
    pub async fn add_category(
        &self,
        category: &Category,
        name: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let added = sqlx::query(
            "INSERT INTO categories (id, name, standard, created_at) VALUES ($1, $2, 0, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(category.id())
        .bind(name)
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
                "category.added",
                category.id(),
                json!({"name": name}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(added)
    }

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

    /// Every contact with this normalised address, with its addressee and categories.
    pub async fn contacts_for_address(
        &self,
        address: &RecipientAddress,
    ) -> Result<Vec<StoredContact>, StoreError> {
        let rows = sqlx::query(&format!(
            "{CONTACT_SELECT} WHERE c.address_key = $1 ORDER BY c.id"
        ))
        .bind(address.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let mut contacts = Vec::new();
        for row in rows {
            contacts.push(stored_contact(&mut conn, &row).await?);
        }
        Ok(contacts)
    }

    /// Every contact, ordered by addressee key then normalised address (the export order).
    pub async fn all_contacts(&self) -> Result<Vec<StoredContact>, StoreError> {
        let rows = sqlx::query(&format!("{CONTACT_SELECT} ORDER BY a.key, c.address_key"))
            .fetch_all(&self.pool)
            .await?;
        let mut conn = self.pool.acquire().await?;
        let mut contacts = Vec::new();
        for row in rows {
            contacts.push(stored_contact(&mut conn, &row).await?);
        }
        Ok(contacts)
    }

    /// Why an address receives nothing, when it is suppressed.
    pub async fn suppression(
        &self,
        address: &RecipientAddress,
    ) -> Result<Option<Suppression>, StoreError> {
        suppression_on(&mut *self.pool.acquire().await?, address).await
    }

    /// Suppresses an address (unless it already is), with an audit entry; true when new.
    pub async fn suppress(
        &self,
        address: &RecipientAddress,
        reason: SuppressionReason,
        detail: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let added = insert_suppression(&mut tx, address, reason, detail, actor, &now).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Lifts a `bounced` suppression (the mailbox works again), with an audit entry; returns
    /// the suppression lifted, `None` when the address was not suppressed. One the recipient
    /// asked for (`unsubscribed`, `complained`) is refused, changing nothing: only the
    /// recipient can undo it.
    pub async fn lift_bounce_suppression(
        &self,
        address: &RecipientAddress,
        actor: &str,
    ) -> Result<Option<Suppression>, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let Some(suppression) = suppression_on(&mut tx, address).await? else {
            return Ok(None);
        };
        if suppression.reason != SuppressionReason::Bounced {
            return Err(StoreError::RecipientsChoice {
                address: address.clone(),
                reason: suppression.reason.as_str(),
                since: suppression.since,
            });
        }
        sqlx::query("DELETE FROM suppressions WHERE address_key = $1")
            .bind(address.as_str())
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &now,
            actor,
            "suppression.lifted",
            address.as_str(),
            json!({"reason": suppression.reason.as_str(), "detail": suppression.detail}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(suppression))
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

    /// The audit entries about one subject (addressee key or normalised address), oldest first.
    pub async fn audit_trail(&self, subject: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, subject, detail FROM directory_audit WHERE subject = $1 ORDER BY id",
        )
        .bind(subject)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    at: parse_timestamp("directory_audit", &row.try_get::<String, _>("at")?)?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    subject: row.try_get("subject")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }

    /// How many contacts the directory holds.
    pub async fn directory_size(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }
}

/// The columns of a contact with its addressee.
const CONTACT_SELECT: &str = "SELECT c.id, c.address, c.address_key, c.name, c.language, c.role, c.active, c.source, \
     a.id AS addressee_id, a.key AS addressee_key, a.name AS addressee_name, a.language AS addressee_language \
     FROM contacts c JOIN addressees a ON a.id = c.addressee_id";

async fn stored_contact(
    conn: &mut AnyConnection,
    row: &AnyRow,
) -> Result<StoredContact, StoreError> {
    let addressee_id: i64 = row.try_get("addressee_id")?;
    let address: RecipientAddress = parse_address(&row.try_get::<String, _>("address_key")?)?;
    let active = row.try_get::<i64, _>("active")? != 0;
    let suppressed = suppression_on(&mut *conn, &address).await?;
    let status = match (active, suppressed) {
        (false, _) => ContactStatus::Inactive,
        (true, Some(s)) if s.reason == SuppressionReason::Unsubscribed => {
            ContactStatus::Unsubscribed
        }
        (true, _) => ContactStatus::Active,
    };
    let topics = topic_choices(&mut *conn, &address).await?;
    Ok(StoredContact {
        id: row.try_get("id")?,
        record: DirectoryRecord {
            addressee: parse_column("addressees", &row.try_get::<String, _>("addressee_key")?)?,
            addressee_name: parse_column(
                "addressees",
                &row.try_get::<String, _>("addressee_name")?,
            )?,
            addressee_language: optional_language(row, "addressee_language")?,
            categories: addressee_categories(&mut *conn, addressee_id).await?,
            address_written: row.try_get("address")?,
            address,
            name: row.try_get("name")?,
            language: optional_language(row, "language")?,
            role: row.try_get("role")?,
            status,
            topics,
            source: row.try_get("source")?,
        },
    })
}

fn optional_language(row: &AnyRow, column: &str) -> Result<Option<Language>, StoreError> {
    row.try_get::<Option<String>, _>(column)?
        .map(|l| parse_column("contacts", &l))
        .transpose()
}

async fn addressee_categories(
    conn: &mut AnyConnection,
    addressee_id: i64,
) -> Result<Vec<Category>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT category FROM addressee_categories WHERE addressee_id = $1 ORDER BY category",
    )
    .bind(addressee_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut categories: Vec<Category> = ids
        .iter()
        .map(|c| parse_column("addressee_categories", c))
        .collect::<Result<_, _>>()?;
    categories.sort_by(|a, b| a.rank().cmp(&b.rank()).then(a.cmp(b)));
    Ok(categories)
}

async fn topic_choices(
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

/// Inserts or updates the record's addressee (only at its first row in the file) and returns
/// its id.
async fn upsert_addressee(
    conn: &mut AnyConnection,
    r: &DirectoryRecord,
    actor: &str,
    now: &str,
    first_row: bool,
    report: &mut ImportReport,
) -> Result<i64, StoreError> {
    let existing = sqlx::query("SELECT id, name, language FROM addressees WHERE key = $1")
        .bind(r.addressee.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let language = r.addressee_language.map(Language::code);
    let Some(row) = existing else {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO addressees (key, name, language, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(r.addressee.as_str())
        .bind(r.addressee_name.name())
        .bind(language)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        set_categories(conn, id, &r.categories).await?;
        audit(
            conn,
            now,
            actor,
            "addressee.created",
            r.addressee.as_str(),
            json!({"name": r.addressee_name.name(), "language": language,
                   "categories": ids(&r.categories), "source": r.source}),
        )
        .await?;
        report.addressees_created += 1;
        return Ok(id);
    };
    let id: i64 = row.try_get("id")?;
    if !first_row {
        return Ok(id);
    }
    let old_name: String = row.try_get("name")?;
    let old_language: Option<String> = row.try_get("language")?;
    let old_categories = addressee_categories(conn, id).await?;
    let mut new_categories = r.categories.clone();
    new_categories.sort_by(|a, b| a.rank().cmp(&b.rank()).then(a.cmp(b)));
    let mut changes = serde_json::Map::new();
    if old_name != r.addressee_name.name() {
        changes.insert("name".into(), json!([old_name, r.addressee_name.name()]));
    }
    if old_language.as_deref() != language {
        changes.insert("language".into(), json!([old_language, language]));
    }
    if old_categories != new_categories {
        changes.insert(
            "categories".into(),
            json!([ids(&old_categories), ids(&new_categories)]),
        );
    }
    if changes.is_empty() {
        return Ok(id);
    }
    sqlx::query("UPDATE addressees SET name = $1, language = $2, updated_at = $3 WHERE id = $4")
        .bind(r.addressee_name.name())
        .bind(language)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    set_categories(conn, id, &new_categories).await?;
    changes.insert("source".into(), json!(r.source));
    audit(
        conn,
        now,
        actor,
        "addressee.updated",
        r.addressee.as_str(),
        serde_json::Value::Object(changes),
    )
    .await?;
    report.addressees_updated += 1;
    Ok(id)
}

async fn set_categories(
    conn: &mut AnyConnection,
    addressee_id: i64,
    categories: &[Category],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM addressee_categories WHERE addressee_id = $1")
        .bind(addressee_id)
        .execute(&mut *conn)
        .await?;
    for c in categories {
        sqlx::query("INSERT INTO addressee_categories (addressee_id, category) VALUES ($1, $2)")
            .bind(addressee_id)
            .bind(c.id())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn upsert_contact(
    conn: &mut AnyConnection,
    addressee_id: i64,
    r: &DirectoryRecord,
    actor: &str,
    now: &str,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let language = r.language.map(Language::code);
    let active = i64::from(r.status != ContactStatus::Inactive);
    let existing = sqlx::query(
        "SELECT id, address, name, language, role, active FROM contacts WHERE addressee_id = $1 AND address_key = $2",
    )
    .bind(addressee_id)
    .bind(r.address.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = existing else {
        sqlx::query(
            "INSERT INTO contacts (addressee_id, address, address_key, name, language, role, active, source, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(addressee_id)
        .bind(&r.address_written)
        .bind(r.address.as_str())
        .bind(&r.name)
        .bind(language)
        .bind(&r.role)
        .bind(active)
        .bind(&r.source)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        audit(
            conn,
            now,
            actor,
            "contact.created",
            r.address.as_str(),
            json!({"addressee": r.addressee.as_str(), "address": r.address_written, "name": r.name,
                   "language": language, "role": r.role, "active": active == 1, "source": r.source}),
        )
        .await?;
        report.contacts_created += 1;
        return Ok(());
    };
    let id: i64 = row.try_get("id")?;
    let mut changes = serde_json::Map::new();
    let old: (String, String, Option<String>, String, i64) = (
        row.try_get("address")?,
        row.try_get("name")?,
        row.try_get("language")?,
        row.try_get("role")?,
        row.try_get("active")?,
    );
    if old.0 != r.address_written {
        changes.insert("address".into(), json!([old.0, r.address_written]));
    }
    if old.1 != r.name {
        changes.insert("name".into(), json!([old.1, r.name]));
    }
    if old.2.as_deref() != language {
        changes.insert("language".into(), json!([old.2, language]));
    }
    if old.3 != r.role {
        changes.insert("role".into(), json!([old.3, r.role]));
    }
    if old.4 != active {
        changes.insert("active".into(), json!([old.4 == 1, active == 1]));
    }
    if changes.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE contacts SET address = $1, name = $2, language = $3, role = $4, active = $5, source = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(&r.address_written)
    .bind(&r.name)
    .bind(language)
    .bind(&r.role)
    .bind(active)
    .bind(&r.source)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    changes.insert("addressee".into(), json!(r.addressee.as_str()));
    changes.insert("source".into(), json!(r.source));
    audit(
        conn,
        now,
        actor,
        "contact.updated",
        r.address.as_str(),
        serde_json::Value::Object(changes),
    )
    .await?;
    report.contacts_updated += 1;
    Ok(())
}

/// `unsubscribed` suppresses the address; another status never lifts a suppression, and the
/// report says so once per address.
async fn apply_status(
    conn: &mut AnyConnection,
    r: &DirectoryRecord,
    actor: &str,
    now: &str,
    first_of_address: bool,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let current = suppression_on(conn, &r.address).await?;
    match (r.status, current) {
        (ContactStatus::Unsubscribed, None) => {
            insert_suppression(
                conn,
                &r.address,
                SuppressionReason::Unsubscribed,
                &format!("import {}", r.source),
                actor,
                now,
            )
            .await?;
            report.suppressions_added += 1;
        }
        (ContactStatus::Active, Some(s)) if first_of_address => report.kept.push(format!(
            "{}: {} stays suppressed ({} since {}: {}); the file's status does not lift it",
            r.source,
            r.address,
            s.reason.as_str(),
            timestamp(s.since),
            s.detail
        )),
        _ => {}
    }
    Ok(())
}

pub(super) async fn insert_suppression(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
    reason: SuppressionReason,
    detail: &str,
    actor: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let added = sqlx::query(
        "INSERT INTO suppressions (address_key, reason, detail, since) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (address_key) DO NOTHING",
    )
    .bind(address.as_str())
    .bind(reason.as_str())
    .bind(detail)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if added {
        audit(
            conn,
            now,
            actor,
            "suppression.added",
            address.as_str(),
            json!({"reason": reason.as_str(), "detail": detail}),
        )
        .await?;
    }
    Ok(added)
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
pub(super) async fn unsubscribe_on(
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

/// Suppresses an address at the recipient's own word (`unsubscribed`, `complained`): added
/// when it is not suppressed, and put in place of a `bounced` suppression, which staff may lift
/// when the mailbox works again while the recipient's choice must stay. False when the address
/// already was suppressed by a choice of the recipient.
pub(super) async fn recipients_suppression(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
    reason: SuppressionReason,
    detail: &str,
    actor: &str,
    now: &str,
) -> Result<bool, StoreError> {
    match suppression_on(conn, address).await? {
        None => insert_suppression(conn, address, reason, detail, actor, now).await,
        Some(existing) if existing.reason == SuppressionReason::Bounced => {
            sqlx::query(
                "UPDATE suppressions SET reason = $2, detail = $3, since = $4 WHERE address_key = $1",
            )
            .bind(address.as_str())
            .bind(reason.as_str())
            .bind(detail)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            audit(
                conn,
                now,
                actor,
                "suppression.changed",
                address.as_str(),
                json!({"from": existing.reason.as_str(), "reason": reason.as_str(), "detail": detail}),
            )
            .await?;
            Ok(true)
        }
        Some(_) => Ok(false),
    }
}

pub(super) async fn suppression_on(
    conn: &mut AnyConnection,
    address: &RecipientAddress,
) -> Result<Option<Suppression>, StoreError> {
    let row = sqlx::query("SELECT reason, detail, since FROM suppressions WHERE address_key = $1")
        .bind(address.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(Suppression {
            reason: parse_column("suppressions", &row.try_get::<String, _>("reason")?)?,
            detail: row.try_get("detail")?,
            since: parse_timestamp("suppressions", &row.try_get::<String, _>("since")?)?,
        })
    })
    .transpose()
}

async fn subscription_on(
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
pub(super) fn subscription_of_row(row: &AnyRow) -> Result<Subscription, StoreError> {
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
async fn write_subscription(
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

/// Appends one entry to the audit trail.
pub(super) async fn audit(
    conn: &mut AnyConnection,
    now: &str,
    actor: &str,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO directory_audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now)
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(detail.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn ids(categories: &[Category]) -> Vec<&str> {
    categories.iter().map(Category::id).collect()
}

/// Reads a stored normalised address.
pub(super) fn parse_address(key: &str) -> Result<RecipientAddress, StoreError> {
    RecipientAddress::parse(key).map_err(|e| StoreError::Corrupt {
        table: "address_key",
        why: e.to_string(),
    })
}
