//! Each language version of a circular, rendered once and stored once.

use super::{timestamp, Store, StoreError};
use crate::domain::{CircularId, Language};
use chrono::Utc;
use sqlx::Row;

/// Where a rendition's bodies hold the recipient's addressee (organisation); the dispatcher
/// fills it in per recipient (escaped for HTML), so each language is rendered only once.
pub const ADDRESSEE_SLOT: &str = "{{addressee}}";

/// Where a rendition's bodies hold the recipient's one-click unsubscribe URL.
pub const UNSUBSCRIBE_SLOT: &str = "{{unsubscribe}}";

/// One language version of a circular, ready to be personalised and sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    /// The circular.
    pub circular: CircularId,
    /// The language.
    pub language: Language,
    /// The mail's subject.
    pub subject: String,
    /// The display name of `From:` in this language.
    pub sender_name: String,
    /// The `Reply-To` address (the circular's contact).
    pub reply_to: String,
    /// The text/plain part.
    pub text_body: String,
    /// The text/html part.
    pub html_body: String,
}

impl Rendition {
    /// The text and HTML bodies for one recipient: the addressee and unsubscribe slots filled in.
    pub fn personalise(&self, addressee: &str, unsubscribe_url: &str) -> (String, String) {
        (
            self.text_body
                .replace(ADDRESSEE_SLOT, addressee)
                .replace(UNSUBSCRIBE_SLOT, unsubscribe_url),
            self.html_body
                .replace(ADDRESSEE_SLOT, &escape_html(addressee))
                .replace(UNSUBSCRIBE_SLOT, &escape_html(unsubscribe_url)),
        )
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Store {
    /// Stores a rendition unless one exists; returns whether this one was stored.
    pub async fn store_rendition(&self, r: &Rendition) -> Result<bool, StoreError> {
        let insert = sqlx::query(
            "INSERT INTO renditions (circular_id, language, subject, sender_name, reply_to, text_body, html_body, rendered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (circular_id, language) DO NOTHING",
        )
        .bind(r.circular.as_str())
        .bind(r.language.code())
        .bind(&r.subject)
        .bind(&r.sender_name)
        .bind(&r.reply_to)
        .bind(&r.text_body)
        .bind(&r.html_body)
        .bind(timestamp(Utc::now()));
        Ok(self.write_one(insert).await? == 1)
    }

    /// The stored rendition of `circular` in `language`.
    pub async fn rendition(
        &self,
        circular: &CircularId,
        language: Language,
    ) -> Result<Option<Rendition>, StoreError> {
        let row = sqlx::query(
            "SELECT subject, sender_name, reply_to, text_body, html_body FROM renditions WHERE circular_id = $1 AND language = $2",
        )
        .bind(circular.as_str())
        .bind(language.code())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Rendition {
                circular: circular.clone(),
                language,
                subject: row.try_get("subject")?,
                sender_name: row.try_get("sender_name")?,
                reply_to: row.try_get("reply_to")?,
                text_body: row.try_get("text_body")?,
                html_body: row.try_get("html_body")?,
            })
        })
        .transpose()
    }

    /// The languages of `circular` already rendered and stored.
    pub async fn rendered_languages(
        &self,
        circular: &CircularId,
    ) -> Result<std::collections::BTreeSet<Language>, StoreError> {
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT language FROM renditions WHERE circular_id = $1")
                .bind(circular.as_str())
                .fetch_all(&self.pool)
                .await?;
        codes
            .iter()
            .map(|code| super::parse_column("renditions", code))
            .collect()
    }
}
