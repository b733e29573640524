//! What the directory says today about the addresses of a circular's categories, read in pages
//! of addresses: each address's contacts in those categories, its suppression, its choice for
//! the circular's topic and the language its recipient chose.

use super::Decision;
use crate::directory::{parse_address, Subscription, Suppression};
use crate::{parse_column, parse_timestamp, placeholders, Backend, Store, StoreError};
use circulars_core::domain::{
    Addressee, AddresseeKey, Category, Language, RecipientAddress, TopicId,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

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
    /// The language its recipient chose for their circulars, when they chose one.
    pub chosen_language: Option<Language>,
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

impl Store {
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
}

/// The candidates of the next page: up to `page_size` addresses after `after`.
///
/// Both queries are driven by the contacts' address index, so each page costs what it reads
/// and a whole audience costs one pass over it: the category test is an `EXISTS` here; on
/// SQLite, `ac.category || ''` in [`candidate_rows`] keeps the planner (which has no
/// statistics) from starting at the category index, which would read every contact of the
/// categories for every page. PostgreSQL, which has statistics, gets the plain test: the
/// expression would hide the category's selectivity from its planner.
pub(super) async fn candidate_page(
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
                sub.subscribed, sub.set_by, sub.source AS sub_source, sub.updated_at AS sub_since, \
                lc.language AS chosen_language \
         FROM contacts c \
         JOIN addressees a ON a.id = c.addressee_id \
         JOIN addressee_categories ac ON ac.addressee_id = a.id \
         LEFT JOIN suppressions s ON s.address_key = c.address_key \
         LEFT JOIN subscriptions sub ON sub.address_key = c.address_key AND sub.topic = $3 \
         LEFT JOIN language_choices lc ON lc.address_key = c.address_key \
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
            candidates.push(candidate_of_row(&row, &key)?);
        }
        let Some(candidate) = candidates.last_mut() else {
            continue;
        };
        match candidate.contacts.last_mut() {
            Some(contact) if contact.id == contact_id => contact.categories.push(category),
            _ => candidate
                .contacts
                .push(contact_of_row(&row, contact_id, category)?),
        }
    }
    Ok(candidates)
}

/// A candidate, still without contacts, from the first row of its address in
/// [`candidate_rows`]: its suppression, topic choice and chosen language.
fn candidate_of_row(row: &AnyRow, key: &str) -> Result<Candidate, StoreError> {
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
            since: parse_timestamp("subscriptions", &row.try_get::<String, _>("sub_since")?)?,
        }),
        None => None,
    };
    Ok(Candidate {
        address: parse_address(key)?,
        contacts: Vec::new(),
        suppression,
        subscription,
        chosen_language: row
            .try_get::<Option<String>, _>("chosen_language")?
            .map(|l| parse_column("language_choices", &l))
            .transpose()?,
    })
}

/// A contact of a candidate from a row of [`candidate_rows`], in its first category.
fn contact_of_row(
    row: &AnyRow,
    id: i64,
    category: Category,
) -> Result<CandidateContact, StoreError> {
    Ok(CandidateContact {
        id,
        address_written: row.try_get("address")?,
        name: row.try_get("name")?,
        language: row
            .try_get::<Option<String>, _>("language")?
            .map(|l| parse_column("contacts", &l))
            .transpose()?,
        active: row.try_get::<i64, _>("active")? != 0,
        source: row.try_get("source")?,
        addressee_key: parse_column("addressees", &row.try_get::<String, _>("addressee_key")?)?,
        addressee: parse_column("addressees", &row.try_get::<String, _>("addressee_name")?)?,
        addressee_language: row
            .try_get::<Option<String>, _>("addressee_language")?
            .map(|l| parse_column("addressees", &l))
            .transpose()?,
        categories: vec![category],
    })
}
