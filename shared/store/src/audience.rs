//! The frozen audience of an issued circular: each recipient with the reasons they are on the
//! list, and each address in its categories that was left out, with the reason. Candidates are
//! read from the directory in pages of addresses, so no audience is ever held whole in memory.

use super::directory::{parse_address, Subscription, Suppression};
use super::{parse_column, parse_timestamp, placeholders, timestamp, Backend, Store, StoreError};
use chrono::Utc;
use circulars_core::domain::DeliveryKey;
use circulars_core::domain::{
    Addressee, AddresseeKey, Category, CircularId, Language, Recipient, RecipientAddress, TopicId,
};
use circulars_core::tokens::DeliveryRef;
use sqlx::{AnyConnection, Row};

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

/// A contact in one of the circular's categories, with what resolution needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateContact {
    /// The contact's id.
    pub id: i64,
    /// The address as written.
    pub address_written: String,
    /// The contact's name.
    pub name: String,
    /// The contact's language.
    pub language: Option<Language>,
    /// Whether the contact is active.
    pub active: bool,
    /// Where it came from.
    pub source: String,
    /// Its addressee's key.
    pub addressee_key: AddresseeKey,
    /// Its addressee's name.
    pub addressee: Addressee,
    /// Its addressee's language.
    pub addressee_language: Option<Language>,
    /// The addressee's categories that are the circular's.
    pub categories: Vec<Category>,
}

/// Everything the directory says about one address for one circular.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The normalised address.
    pub address: RecipientAddress,
    /// Its contacts in the circular's categories, oldest first.
    pub contacts: Vec<CandidateContact>,
    /// Its suppression, when it is suppressed.
    pub suppression: Option<Suppression>,
    /// Its choice for the circular's topic, when it made one.
    pub subscription: Option<Subscription>,
}

/// What resolution decided for one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// On the list.
    Member(AudienceMember),
    /// Left out.
    Excluded(Exclusion),
}

/// Which directory rows a circular's audience comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceQuery {
    /// Every category that receives the circular.
    pub categories: Vec<Category>,
    /// The circular's topic, if any.
    pub topic: Option<TopicId>,
    /// How many addresses one page holds.
    pub page_size: usize,
}

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
        store_decisions(&mut tx, circular, &decisions).await?;
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

    /// Walks the audience the directory gives today, page by page, without storing anything
    /// (a dry run): `visit` sees each address's decision.
    pub async fn walk_audience(
        &self,
        query: &AudienceQuery,
        mut decide: impl FnMut(Candidate) -> Decision,
        mut visit: impl FnMut(&Decision),
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut after = String::new();
        loop {
            let page = candidate_page(&mut conn, self.backend, query, &after).await?;
            let Some(last) = page.last() else { break };
            after = last.address.as_str().to_owned();
            for candidate in page {
                visit(&decide(candidate));
            }
        }
        Ok(())
    }

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

    /// Everything the directory says today about one address for a circular's categories and
    /// topic (for explaining a circular not issued yet); `None` when the address is in none.
    pub async fn candidate(
        &self,
        query: &AudienceQuery,
        address: &RecipientAddress,
    ) -> Result<Option<Candidate>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut page = candidate_rows(
            &mut conn,
            self.backend,
            query,
            address.as_str(),
            address.as_str(),
        )
        .await?;
        Ok(page.pop())
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

/// The candidates of the next page: up to `page_size` addresses after `after`.
///
/// Both queries are driven by the contacts' address index, so each page costs what it reads
/// and a whole audience costs one pass over it: the category test is an `EXISTS` here; on
/// SQLite, `ac.category || ''` in [`candidate_rows`] keeps the planner (which has no
/// statistics) from starting at the category index, which would read every contact of the
/// categories for every page. PostgreSQL, which has statistics, gets the plain test: the
/// expression would hide the category's selectivity from its planner.
async fn candidate_page(
    conn: &mut AnyConnection,
    backend: Backend,
    query: &AudienceQuery,
    after: &str,
) -> Result<Vec<Candidate>, StoreError> {
    let sql = format!(
        "SELECT DISTINCT c.address_key FROM contacts c \
         WHERE c.address_key > $1 AND EXISTS (SELECT 1 FROM addressee_categories ac \
           WHERE ac.addressee_id = c.addressee_id AND ac.category IN ({})) \
         ORDER BY c.address_key LIMIT $2",
        placeholders(3, query.categories.len())
    );
    let mut keys = sqlx::query_scalar::<_, String>(&sql)
        .bind(after)
        .bind(query.page_size.max(1) as i64);
    for c in &query.categories {
        keys = keys.bind(c.id());
    }
    let keys = keys.fetch_all(&mut *conn).await?;
    let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
        return Ok(Vec::new());
    };
    candidate_rows(conn, backend, query, first, last).await
}

/// The candidates whose address is in `[from, to]`.
async fn candidate_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    query: &AudienceQuery,
    from: &str,
    to: &str,
) -> Result<Vec<Candidate>, StoreError> {
    let sql = format!(
        "SELECT c.address_key, c.id, c.address, c.name, c.language, c.active, c.source, \
                a.key AS addressee_key, a.name AS addressee_name, a.language AS addressee_language, ac.category, \
                s.reason AS s_reason, s.detail AS s_detail, s.since AS s_since, \
                sub.subscribed, sub.set_by, sub.source AS sub_source, sub.updated_at AS sub_since \
         FROM contacts c \
         JOIN addressees a ON a.id = c.addressee_id \
         JOIN addressee_categories ac ON ac.addressee_id = a.id \
         LEFT JOIN suppressions s ON s.address_key = c.address_key \
         LEFT JOIN subscriptions sub ON sub.address_key = c.address_key AND sub.topic = $3 \
         WHERE c.address_key >= $1 AND c.address_key <= $2 AND {} IN ({}) \
         ORDER BY c.address_key, c.id, ac.category",
        match backend {
            Backend::Sqlite => "ac.category || ''",
            Backend::Postgres => "ac.category",
        },
        placeholders(4, query.categories.len())
    );
    let mut rows = sqlx::query(&sql)
        .bind(from)
        .bind(to)
        .bind(query.topic.as_ref().map(TopicId::as_str).unwrap_or(""));
    for c in &query.categories {
        rows = rows.bind(c.id());
    }
    let rows = rows.fetch_all(&mut *conn).await?;
    let mut candidates: Vec<Candidate> = Vec::new();
    for row in rows {
        let key: String = row.try_get("address_key")?;
        let contact_id: i64 = row.try_get("id")?;
        let category: Category = parse_column(
            "addressee_categories",
            &row.try_get::<String, _>("category")?,
        )?;
        if candidates.last().is_none_or(|c| c.address.as_str() != key) {
            let suppression = match row.try_get::<Option<String>, _>("s_reason")? {
                Some(reason) => Some(Suppression {
                    reason: parse_column("suppressions", &reason)?,
                    detail: row.try_get("s_detail")?,
                    since: parse_timestamp("suppressions", &row.try_get::<String, _>("s_since")?)?,
                }),
                None => None,
            };
            let subscription = match row.try_get::<Option<i64>, _>("subscribed")? {
                Some(subscribed) => Some(Subscription {
                    subscribed: subscribed != 0,
                    set_by: row.try_get("set_by")?,
                    source: row.try_get("sub_source")?,
                    since: parse_timestamp(
                        "subscriptions",
                        &row.try_get::<String, _>("sub_since")?,
                    )?,
                }),
                None => None,
            };
            candidates.push(Candidate {
                address: parse_address(&key)?,
                contacts: Vec::new(),
                suppression,
                subscription,
            });
        }
        let Some(candidate) = candidates.last_mut() else {
            continue;
        };
        match candidate.contacts.last_mut() {
            Some(contact) if contact.id == contact_id => contact.categories.push(category),
            _ => candidate.contacts.push(CandidateContact {
                id: contact_id,
                address_written: row.try_get("address")?,
                name: row.try_get("name")?,
                language: row
                    .try_get::<Option<String>, _>("language")?
                    .map(|l| parse_column("contacts", &l))
                    .transpose()?,
                active: row.try_get::<i64, _>("active")? != 0,
                source: row.try_get("source")?,
                addressee_key: parse_column(
                    "addressees",
                    &row.try_get::<String, _>("addressee_key")?,
                )?,
                addressee: parse_column(
                    "addressees",
                    &row.try_get::<String, _>("addressee_name")?,
                )?,
                addressee_language: row
                    .try_get::<Option<String>, _>("addressee_language")?
                    .map(|l| parse_column("addressees", &l))
                    .transpose()?,
                categories: vec![category],
            }),
        }
    }
    Ok(candidates)
}

/// Stores one page of decisions with multi-row inserts.
async fn store_decisions(
    conn: &mut AnyConnection,
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
            value_rows(chunk.len(), 7)
        );
        let mut insert = sqlx::query(&sql);
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
            value_rows(chunk.len(), 8)
        );
        let mut insert = sqlx::query(&sql);
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
            value_rows(chunk.len(), 4)
        );
        let mut insert = sqlx::query(&sql);
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

/// `($1, …, $width), ($width+1, …)` for `rows` rows.
fn value_rows(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", placeholders(r * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ")
}
