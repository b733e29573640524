//! One person's data: `report` gathers everything held about an address (for a data subject's
//! access request), `forget` erases it, leaving a keyed pseudonym where records must stay.
//! Both are recorded in the directory's audit trail.

use chrono::{DateTime, Utc};
use circulars_core::domain::{
    BounceReason, CircularId, Delivery, DeliveryEvent, RecipientAddress, SmtpReply,
};
use circulars_core::tokens::Keyring;
use circulars_store::{ForgetSummary, Store, StoreError};
use serde::Serialize;

/// Everything held about one address, as `circulars directory report` writes it (JSON).
#[derive(Debug, Clone, Serialize)]
pub struct AddressReport {
    /// The normalised address.
    pub address: RecipientAddress,
    /// When the report was made.
    pub reported_at: DateTime<Utc>,
    /// Its contacts in the directory.
    pub contacts: Vec<ContactReport>,
    /// Its explicit topic choices.
    pub subscriptions: Vec<SubscriptionReport>,
    /// The language its recipient chose for their circulars, when they chose one.
    pub language_choice: Option<LanguageChoiceReport>,
    /// Why it receives nothing, when it is suppressed.
    pub suppression: Option<SuppressionReport>,
    /// Each circular that named it: on the list (and why), left out (and why), and its delivery.
    pub circulars: Vec<CircularReport>,
    /// The audit entries about it, oldest first.
    pub audit: Vec<AuditReport>,
}

/// One contact of the address.
#[derive(Debug, Clone, Serialize)]
pub struct ContactReport {
    /// The addressee's key.
    pub addressee: String,
    /// The addressee's name.
    pub addressee_name: String,
    /// The address as written.
    pub address: String,
    /// The contact's name.
    pub name: String,
    /// The preferred language, when set.
    pub language: Option<String>,
    /// The role.
    pub role: String,
    /// `active` or `inactive`.
    pub status: String,
    /// The addressee's categories.
    pub categories: Vec<String>,
    /// Where it came from.
    pub source: String,
}

/// One topic choice.
#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionReport {
    /// The topic.
    pub topic: String,
    /// Subscribed or not.
    pub subscribed: bool,
    /// `staff` or `recipient`.
    pub set_by: String,
    /// Where the choice came from.
    pub source: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// The language the recipient chose.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageChoiceReport {
    /// Its code (`fr`).
    pub language: String,
    /// Where the choice was made.
    pub source: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// The address's suppression.
#[derive(Debug, Clone, Serialize)]
pub struct SuppressionReport {
    /// `unsubscribed`, `complained` or `bounced`.
    pub reason: String,
    /// In words.
    pub detail: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// What one circular holds about the address.
#[derive(Debug, Clone, Serialize)]
pub struct CircularReport {
    /// The circular.
    pub circular: CircularId,
    /// On the list: name, language and reasons, as frozen.
    pub recipient: Option<RecipientReport>,
    /// Left out: the reason and its details, as frozen.
    pub excluded: Option<ExclusionReport>,
    /// The delivery's current record.
    pub delivery: Option<Delivery>,
    /// Every state the delivery went through.
    pub history: Vec<HistoryReport>,
}

/// The address as a recipient of a frozen audience.
#[derive(Debug, Clone, Serialize)]
pub struct RecipientReport {
    /// The name the mail was addressed to.
    pub name: String,
    /// The language it was sent in.
    pub language: String,
    /// The addressee's name.
    pub addressee: String,
    /// For a topic's circular: why the address received it.
    pub subscription: Option<String>,
    /// Why it was on the list: `category via addressee (contact source)`.
    pub reasons: Vec<String>,
}

/// The address as left out of a frozen audience.
#[derive(Debug, Clone, Serialize)]
pub struct ExclusionReport {
    /// `suppressed`, `inactive`, `opted-out` or `not-opted-in`.
    pub reason: String,
    /// In words.
    pub detail: String,
}

/// One entry of a delivery's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryReport {
    /// The state reached, or `delayed`.
    pub state: DeliveryEvent,
    /// The attempt.
    pub attempt: u32,
    /// The server's reply, when there was one.
    pub reply: Option<SmtpReply>,
    /// What happened when no server replied.
    pub detail: Option<String>,
    /// On a `sent` entry without a reply: the attempts whose reply was lost after the whole
    /// message was sent (the delivery is unconfirmed).
    pub unconfirmed: u32,
    /// On a `bounced` entry: why the returned mail says it failed.
    pub bounce_reason: Option<BounceReason>,
}

/// One audit entry.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// When.
    pub at: DateTime<Utc>,
    /// Who or which import.
    pub actor: String,
    /// What, e.g. `contact.created`.
    pub action: String,
    /// What changed.
    pub detail: serde_json::Value,
}

/// Everything held about `address`, recorded as reported by `actor`.
pub async fn report(
    store: &Store,
    address: &RecipientAddress,
    actor: &str,
) -> Result<AddressReport, StoreError> {
    store.record_report(address, actor).await?;
    let contacts = store
        .contacts_for_address(address)
        .await?
        .into_iter()
        .map(|c| {
            let r = c.record;
            ContactReport {
                addressee: r.addressee.to_string(),
                addressee_name: r.addressee_name.name().to_owned(),
                address: r.address_written,
                name: r.name,
                language: r.language.map(|l| l.code().to_owned()),
                role: r.role,
                status: r.status.to_string(),
                categories: r.categories.iter().map(|c| c.id().to_owned()).collect(),
                source: r.source,
            }
        })
        .collect();
    let subscriptions = store
        .subscriptions_of(address)
        .await?
        .into_iter()
        .map(|(topic, s)| SubscriptionReport {
            topic: topic.to_string(),
            subscribed: s.subscribed,
            set_by: s.set_by,
            source: s.source,
            since: s.since,
        })
        .collect();
    let language_choice = store
        .language_choice(address)
        .await?
        .map(|c| LanguageChoiceReport {
            language: c.language.code().to_owned(),
            source: c.source,
            since: c.since,
        });
    let suppression = store
        .suppression(address)
        .await?
        .map(|s| SuppressionReport {
            reason: s.reason.as_str().to_owned(),
            detail: s.detail,
            since: s.since,
        });
    let mut circulars = Vec::new();
    for circular in store.circulars_of(address).await? {
        circulars.push(circular_report(store, circular, address).await?);
    }
    let audit = store
        .audit_trail(address.as_str())
        .await?
        .into_iter()
        .map(|e| AuditReport {
            at: e.at,
            actor: e.actor,
            action: e.action,
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::String(e.detail)),
        })
        .collect();
    Ok(AddressReport {
        address: address.clone(),
        reported_at: Utc::now(),
        contacts,
        subscriptions,
        language_choice,
        suppression,
        circulars,
        audit,
    })
}

async fn circular_report(
    store: &Store,
    circular: CircularId,
    address: &RecipientAddress,
) -> Result<CircularReport, StoreError> {
    let recipient = store
        .audience_member(&circular, address)
        .await?
        .map(|m| RecipientReport {
            name: m.recipient.name,
            language: m.recipient.language.code().to_owned(),
            addressee: m.recipient.addressee.name().to_owned(),
            subscription: m.subscription,
            reasons: m
                .reasons
                .iter()
                .map(|r| format!("{} via {} ({})", r.category, r.addressee_key, r.source))
                .collect(),
        });
    let excluded = store
        .audience_exclusion(&circular, address)
        .await?
        .map(|x| ExclusionReport {
            reason: x.reason,
            detail: x.detail,
        });
    let delivery = store.delivery(&circular, address).await?;
    let history = store
        .delivery_history(&circular, address)
        .await?
        .into_iter()
        .map(|entry| HistoryReport {
            state: entry.event,
            attempt: entry.attempt,
            reply: entry.reply,
            detail: entry.detail,
            unconfirmed: entry.unconfirmed,
            bounce_reason: entry.bounce_reason,
        })
        .collect();
    Ok(CircularReport {
        circular,
        recipient,
        excluded,
        delivery,
        history,
    })
}

/// Erases the person behind `address`: see [`Store::forget_address`]. The pseudonym is keyed
/// with the current token key, so nobody without it can tell which address it stands for.
pub async fn forget(
    store: &Store,
    keyring: &Keyring,
    address: &RecipientAddress,
    actor: &str,
) -> Result<(RecipientAddress, ForgetSummary), StoreError> {
    let pseudonym = keyring.pseudonym(address);
    let summary = store.forget_address(address, &pseudonym, actor).await?;
    Ok((pseudonym, summary))
}
