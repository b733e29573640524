//! The recipient's preferences page, as directory operations: what a preferences link names
//! (the delivery, so the recipient's address, language and organisation), the recipient's
//! topics with whether each reaches them, the language they chose, and the changes the page
//! makes: the language of future circulars chosen ([`choose_language`], the one operation the
//! CLI and the API would call too), a topic chosen or refused, and unsubscribing from everything. Each change goes through the same store
//! operations as the one-click link and staff (a recipient's own choice, audited), with the
//! source [`SOURCE`].
//!
//! [`PreferencesDesk::resolve`] checks a token (its length, its signature, then its purpose:
//! [`Purpose::Preferences`] only) and finds the delivery in a frozen audience; a token of a
//! forgotten person names only a pseudonym (what their deliveries keep) and is refused as
//! [`PreferencesError::Forgotten`], showing nothing; a token of a circular issued more than
//! [`LINK_LIFETIME`] ago is refused as [`PreferencesError::Expired`]. Both know the language
//! the circular was sent in, for the page that says so.

use crate::resolve::receives_topic;
use crate::unsubscribe::{verify_link_for, InvalidLink, ONE_CLICK};
use circulars_core::domain::{DeliveryKey, Language, Recipient, RecipientAddress, TopicId};
use circulars_core::tokens::{DeliveryRef, Keyring, Purpose, PSEUDONYM_DOMAIN};
use circulars_store::{
    LanguageChoice, Store, StoreError, Subscription, Suppression, SuppressionReason, Topic,
};

/// How the audit trail and the directory name changes made on the page.
pub const SOURCE: &str = "preferences page";
/// Who the audit trail records as having made them.
pub const ACTOR: &str = "recipient (preferences page)";
/// How long a preferences link works after its circular was issued: the page shows the
/// recipient's address and organisation to whoever holds the mail, so an old mail (forwarded,
/// archived, found) stops showing them; half a year covers the life of a circular's business.
/// The one-click unsubscribe link never expires.
pub const LINK_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(180);
/// How long an unsubscribing made on the page can be undone from the same link.
pub const UNDO_WINDOW: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// Why a preferences link could not be followed, or a change not made.
#[derive(Debug, thiserror::Error)]
pub enum PreferencesError {
    /// The token is not a valid preferences token.
    #[error("invalid link: {0}")]
    InvalidLink(#[from] InvalidLink),
    /// The token is valid but names no delivery of a frozen audience (or its person was
    /// forgotten).
    #[error("the link's delivery {0} is in no frozen audience")]
    UnknownDelivery(DeliveryRef),
    /// The token names a delivery whose person was forgotten (its address is a pseudonym); the
    /// language the circular was sent in, which the audience keeps.
    #[error("the link's delivery {reference} is of a forgotten person")]
    Forgotten {
        /// The delivery.
        reference: DeliveryRef,
        /// The language the circular was sent in.
        language: Option<Language>,
    },
    /// The token's circular was issued more than [`LINK_LIFETIME`] ago.
    #[error("the link's delivery {reference} was sent on {sent}, more than {} days ago", LINK_LIFETIME.num_days())]
    Expired {
        /// The delivery.
        reference: DeliveryRef,
        /// The language the circular was sent in.
        language: Language,
        /// When the circular was issued.
        sent: chrono::DateTime<chrono::Utc>,
    },
    /// A form's hidden token is missing, altered, or names another delivery than the page.
    #[error("the form's token is not the page's")]
    FormToken,
    /// The page asked about a topic the directory does not hold.
    #[error("topic '{0}' does not exist")]
    UnknownTopic(String),
    /// The page asked for a language that is not one of the six of circulars.
    #[error("'{0}' is not a language of circulars (ar, zh, en, fr, ru, es)")]
    UnknownLanguage(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PreferencesError {
    /// The language the link's circular was sent in, when the error knows it (a page saying
    /// what happened speaks it).
    pub fn language(&self) -> Option<Language> {
        match self {
            PreferencesError::Forgotten { language, .. } => *language,
            PreferencesError::Expired { language, .. } => Some(*language),
            _ => None,
        }
    }
}

/// One topic of optional circulars as the recipient sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicChoice {
    /// The topic.
    pub topic: Topic,
    /// Whether its circulars reach the address (by its choice, or by the topic's default).
    pub receives: bool,
    /// The address's explicit choice, when it made one (or an import made it).
    pub choice: Option<Subscription>,
}

/// What a preferences link names and what the page shows: the recipient only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientPreferences {
    /// The delivery the link was sent with.
    pub delivery: DeliveryKey,
    /// The recipient as the circular was sent: address, name, language, organisation.
    pub recipient: Recipient,
    /// Every topic, in the directory's order.
    pub topics: Vec<TopicChoice>,
    /// Why the address receives nothing, when it is suppressed.
    pub suppression: Option<Suppression>,
    /// The language the recipient chose for their circulars, when they chose one.
    pub chosen_language: Option<LanguageChoice>,
}

impl RecipientPreferences {
    /// The language of the recipient's next circulars: the one they chose, else the one this
    /// circular was sent in.
    pub fn circulars_language(&self) -> Language {
        self.chosen_language
            .as_ref()
            .map_or(self.recipient.language, |c| c.language)
    }
}

/// Records `language` as the language of future circulars that the recipient of `address`
/// chose (audited, as `actor` from `source`); false when it already was so. Their choice wins
/// over the directory's languages when an audience is frozen, and imports keep it.
pub async fn choose_language(
    store: &Store,
    address: &RecipientAddress,
    language: Language,
    source: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    store
        .set_language_choice(address, language, source, actor)
        .await
}

/// Follows preferences links: verifies their tokens, reads the recipient's choices and records
/// the changes.
#[derive(Clone, Debug)]
pub struct PreferencesDesk {
    store: Store,
    keyring: Keyring,
}

impl PreferencesDesk {
    /// A desk reading and writing `store` and accepting tokens of `keyring`.
    pub fn new(store: Store, keyring: Keyring) -> PreferencesDesk {
        PreferencesDesk { store, keyring }
    }

    /// The recipient and choices the link with `token` names; reads only.
    pub async fn resolve(&self, token: &str) -> Result<RecipientPreferences, PreferencesError> {
        let reference = verify_link_for(&self.keyring, token, Purpose::Preferences)?;
        let delivery = self
            .store
            .delivery_by_ref(&reference)
            .await?
            .ok_or(PreferencesError::UnknownDelivery(reference))?;
        let member = self
            .store
            .audience_member(&delivery.circular, &delivery.address)
            .await?;
        if delivery.address.domain() == PSEUDONYM_DOMAIN {
            let language = member.map(|m| m.recipient.language);
            return Err(PreferencesError::Forgotten {
                reference,
                language,
            });
        }
        let member = member.ok_or(PreferencesError::UnknownDelivery(reference))?;
        if let Some(sent) = self.store.issued_at(&delivery.circular).await? {
            if sent + LINK_LIFETIME < chrono::Utc::now() {
                return Err(PreferencesError::Expired {
                    reference,
                    language: member.recipient.language,
                    sent,
                });
            }
        }
        let address = &delivery.address;
        let mut topics = Vec::new();
        for topic in self.store.all_topics().await? {
            let choice = self.store.subscription(address, &topic.id).await?;
            topics.push(TopicChoice {
                receives: receives_topic(&topic, choice.as_ref()),
                topic,
                choice,
            });
        }
        let suppression = self.store.suppression(address).await?;
        let chosen_language = self.store.language_choice(address).await?;
        Ok(RecipientPreferences {
            delivery,
            recipient: member.recipient,
            topics,
            suppression,
            chosen_language,
        })
    }

    /// The hidden token of the page's forms: the page's delivery, signed for
    /// [`Purpose::PreferencesForm`], so that only a form drawn by the page can carry it.
    pub fn form_token(&self, preferences: &RecipientPreferences) -> String {
        self.keyring
            .sign(&preferences.delivery, Purpose::PreferencesForm)
            .into_string()
    }

    /// Whether `submitted` is the form token of the page of `preferences`.
    pub fn check_form_token(
        &self,
        preferences: &RecipientPreferences,
        submitted: &str,
    ) -> Result<(), PreferencesError> {
        let reference = verify_link_for(&self.keyring, submitted, Purpose::PreferencesForm)
            .map_err(|_| PreferencesError::FormToken)?;
        if reference != DeliveryRef::of(&preferences.delivery) {
            return Err(PreferencesError::FormToken);
        }
        Ok(())
    }

    /// Records the recipient's choice for the topic `topic` (as the page sent it); refuses a
    /// topic the directory does not hold, naming it. False when it already was so.
    pub async fn choose_topic(
        &self,
        preferences: &RecipientPreferences,
        topic: &str,
        subscribed: bool,
    ) -> Result<bool, PreferencesError> {
        let id = TopicId::parse(topic)
            .ok()
            .filter(|id| preferences.topics.iter().any(|t| &t.topic.id == id))
            .ok_or_else(|| PreferencesError::UnknownTopic(topic.to_owned()))?;
        Ok(self
            .store
            .set_recipient_subscription(
                &preferences.delivery.address,
                &id,
                subscribed,
                SOURCE,
                ACTOR,
            )
            .await?)
    }

    /// Records the language (its code, as the page sent it) the recipient chose for their
    /// future circulars; refuses a code that is not one of the six, naming it. The language,
    /// and false when it already was so.
    pub async fn choose_language(
        &self,
        preferences: &RecipientPreferences,
        code: &str,
    ) -> Result<(Language, bool), PreferencesError> {
        let language = Language::ALL
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or_else(|| PreferencesError::UnknownLanguage(code.to_owned()))?;
        let address = &preferences.delivery.address;
        let changed = choose_language(&self.store, address, language, SOURCE, ACTOR).await?;
        Ok((language, changed))
    }

    /// Until when the address's unsubscribing can be undone from the page: when it was made on
    /// the page, or with the one-click link of the same mail, less than [`UNDO_WINDOW`] ago.
    pub fn undo_until(preferences: &RecipientPreferences) -> Option<chrono::DateTime<chrono::Utc>> {
        let s = preferences.suppression.as_ref()?;
        let until = s.since + UNDO_WINDOW;
        (s.reason == SuppressionReason::Unsubscribed
            && undoable_details(preferences).contains(&s.detail)
            && until > chrono::Utc::now())
        .then_some(until)
    }

    /// Undoes an unsubscribing made on the page (or with the one-click link of the same mail)
    /// less than [`UNDO_WINDOW`] ago; false (nothing changed) when there is none to undo.
    pub async fn undo_unsubscribe(
        &self,
        preferences: &RecipientPreferences,
    ) -> Result<bool, PreferencesError> {
        let not_before = chrono::Utc::now() - UNDO_WINDOW;
        for detail in undoable_details(preferences) {
            let address = &preferences.delivery.address;
            let undone = self
                .store
                .undo_unsubscribe(address, &detail, not_before, ACTOR)
                .await?;
            if undone.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Unsubscribes the address from every circular (a suppression); false when it already
    /// was unsubscribed.
    pub async fn unsubscribe_everything(
        &self,
        preferences: &RecipientPreferences,
    ) -> Result<bool, PreferencesError> {
        Ok(self
            .store
            .unsubscribe(&preferences.delivery.address, None, SOURCE, ACTOR)
            .await?)
    }
}

/// The suppression details an unsubscribing undoable from the page has: made on the page, or
/// with the one-click link of the mail the page's link came with.
fn undoable_details(preferences: &RecipientPreferences) -> [String; 2] {
    [
        SOURCE.to_owned(),
        format!("{ONE_CLICK} from {}", preferences.delivery.circular),
    ]
}
