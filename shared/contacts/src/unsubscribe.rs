//! Unsubscribe tokens followed: what the `List-Unsubscribe` ways out of a mail lead to, the
//! https link (the gateway's one-click page) and the mailto address (the bounce intake).
//!
//! [`Unsubscriber::resolve`] checks a token ([`verify_link`]: its length, then its signature,
//! then its purpose) and finds the delivery it was sent with, which decides the [`Scope`]: the
//! circular's topic when it has one, else every circular (a suppression); a forgotten person's
//! delivery (its address a pseudonym) is refused, changing nothing.
//! [`Unsubscriber::apply`] records the choice once; a replay changes nothing.

use circulars_core::domain::{DeliveryKey, Language, TopicId};
use circulars_core::tokens::{
    DeliveryRef, Keyring, Purpose, TokenError, PSEUDONYM_DOMAIN, TOKEN_LEN,
};
use circulars_store::{Store, StoreError, SuppressionReason};

/// Why a link's token is refused. Logged, never shown: the answer only says "invalid link".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidLink {
    /// Longer than any token can be; refused before verifying.
    #[error("token of {0} bytes, longer than the {TOKEN_LEN} of the format")]
    TooLong(usize),
    /// Malformed, signed by an unknown key, or altered.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A valid token made for something else (a VERP bounce token on an unsubscribe link).
    #[error("a {0} token, made for another use")]
    WrongPurpose(Purpose),
}

/// Why an unsubscribe link could not be followed.
#[derive(Debug, thiserror::Error)]
pub enum UnsubscribeError {
    /// The token is not a valid unsubscribe token (answered 400).
    #[error("invalid link: {0}")]
    InvalidLink(#[from] InvalidLink),
    /// The token is valid but names no delivery of a frozen audience (answered 404).
    #[error("the link's delivery {0} is in no frozen audience")]
    UnknownDelivery(DeliveryRef),
    /// The token names a delivery of a person who was forgotten (its address is a pseudonym):
    /// nothing is unsubscribed and nothing shown (answered 410, in the language the circular
    /// was sent in, which the audience keeps).
    #[error("the link's delivery {0} is of a forgotten person")]
    Forgotten(DeliveryRef, Language),
    /// The database failed (answered 503 or 500).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What following a link unsubscribes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The circular's topic: optional circulars of that topic stop, official ones continue.
    Topic {
        /// The topic's id.
        id: TopicId,
        /// Its name (the id when the topic is no longer in the directory).
        name: String,
    },
    /// Every circular: the circular was an official one, so the address is suppressed.
    Everything,
}

impl Scope {
    /// The topic unsubscribed from; `None` for everything.
    pub fn topic(&self) -> Option<&TopicId> {
        match self {
            Scope::Topic { id, .. } => Some(id),
            Scope::Everything => None,
        }
    }
}

/// What a valid link names and what following it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The delivery the link was sent with.
    pub delivery: DeliveryKey,
    /// What it unsubscribes from.
    pub scope: Scope,
    /// The language the circular was sent in (English when the audience no longer says).
    pub language: Language,
}

impl Plan {
    /// `<how> from <circular>` (`one-click unsubscribe from TSB-36`): the suppression's detail
    /// or the subscription's source.
    pub fn source(&self, how: &str) -> String {
        format!("{how} from {}", self.delivery.circular)
    }

    /// "from the topic “TSB events” (tsb-events)" or "from all circulars", for people.
    pub fn describe_scope(&self) -> String {
        match &self.scope {
            Scope::Topic { id, name } if name == id.as_str() => format!("from the topic {id}"),
            Scope::Topic { id, name } => format!("from the topic “{name}” ({id})"),
            Scope::Everything => "from all circulars".to_owned(),
        }
    }
}

/// How a one-click unsubscribe is named in the suppression's detail and the subscription's
/// source (`one-click unsubscribe from <circular>`, [`Plan::source`]).
pub const ONE_CLICK: &str = "one-click unsubscribe";

/// What a POST did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The address is now unsubscribed (an audit entry was written).
    Done,
    /// It already was; nothing changed (a replay).
    AlreadyDone,
}

/// Follows unsubscribe links: verifies their tokens and records the choice in the directory.
#[derive(Clone, Debug)]
pub struct Unsubscriber {
    store: Store,
    keyring: Keyring,
}

impl Unsubscriber {
    /// An unsubscriber writing to `store` and accepting tokens of `keyring`.
    pub fn new(store: Store, keyring: Keyring) -> Unsubscriber {
        Unsubscriber { store, keyring }
    }

    /// What the link with `token` names and would do; reads only.
    pub async fn resolve(&self, token: &str) -> Result<Plan, UnsubscribeError> {
        let reference = verify_link(&self.keyring, token)?;
        let delivery = self
            .store
            .delivery_by_ref(&reference)
            .await?
            .ok_or(UnsubscribeError::UnknownDelivery(reference))?;
        if delivery.address.domain() == PSEUDONYM_DOMAIN {
            let language = self
                .store
                .audience_member(&delivery.circular, &delivery.address)
                .await?
                .map_or(Language::En, |m| m.recipient.language);
            return Err(UnsubscribeError::Forgotten(reference, language));
        }
        Ok(self.plan(delivery).await?)
    }

    /// What unsubscribing by the token of `delivery` does: from the circular's topic when it
    /// has one, else from everything; reads only.
    pub async fn plan(&self, delivery: DeliveryKey) -> Result<Plan, StoreError> {
        let circular = self
            .store
            .existing_circular(&delivery.circular)
            .await?
            .circular;
        let scope = match circular.topic {
            Some(id) => {
                let name = match self.store.topic(&id).await? {
                    Some(topic) => topic.name,
                    None => id.as_str().to_owned(),
                };
                Scope::Topic { id, name }
            }
            None => Scope::Everything,
        };
        let language = self
            .store
            .audience_member(&delivery.circular, &delivery.address)
            .await?
            .map_or(Language::En, |m| m.recipient.language);
        Ok(Plan {
            delivery,
            scope,
            language,
        })
    }

    /// The token of the preferences page of the same delivery, for the page's link to it.
    pub fn preferences_token(&self, plan: &Plan) -> String {
        self.keyring
            .sign(&plan.delivery, Purpose::Preferences)
            .into_string()
    }

    /// Whether the address is already unsubscribed as `plan` says; reads only.
    pub async fn is_done(&self, plan: &Plan) -> Result<bool, UnsubscribeError> {
        let address = &plan.delivery.address;
        Ok(match &plan.scope {
            Scope::Topic { id, .. } => self
                .store
                .subscription(address, id)
                .await?
                .is_some_and(|s| !s.subscribed),
            Scope::Everything => self
                .store
                .suppression(address)
                .await?
                .is_some_and(|s| s.reason != SuppressionReason::Bounced),
        })
    }

    /// Unsubscribes as `plan` says, the choice made `how` (`one-click unsubscribe`), by
    /// `actor` in the audit trail; nothing is written when the address already was
    /// unsubscribed so.
    pub async fn apply(
        &self,
        plan: &Plan,
        how: &str,
        actor: &str,
    ) -> Result<Applied, UnsubscribeError> {
        let changed = self
            .store
            .unsubscribe(
                &plan.delivery.address,
                plan.scope.topic(),
                &plan.source(how),
                actor,
            )
            .await?;
        Ok(if changed {
            Applied::Done
        } else {
            Applied::AlreadyDone
        })
    }
}

/// The delivery an unsubscribe link's `token` names, when it is one: not longer than the format
/// allows (checked first, before any decoding), signed by a key of `keyring`, and made for
/// [`Purpose::Unsubscribe`].
pub fn verify_link(keyring: &Keyring, token: &str) -> Result<DeliveryRef, InvalidLink> {
    verify_link_for(keyring, token, Purpose::Unsubscribe)
}

/// The delivery a link's `token` names, when it is one made for `purpose`: not longer than the
/// format allows (checked first, before any decoding), signed by a key of `keyring`, and of
/// that purpose.
pub fn verify_link_for(
    keyring: &Keyring,
    token: &str,
    purpose: Purpose,
) -> Result<DeliveryRef, InvalidLink> {
    if token.len() > TOKEN_LEN {
        return Err(InvalidLink::TooLong(token.len()));
    }
    let verified = keyring.verify(token)?;
    if verified.purpose != purpose {
        return Err(InvalidLink::WrongPurpose(verified.purpose));
    }
    Ok(verified.delivery)
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::domain::RecipientAddress;
    use circulars_core::tokens::SigningKey;

    fn delivery() -> DeliveryKey {
        DeliveryKey::new(
            "TSB-36".parse().unwrap(),
            RecipientAddress::parse("amina@example.org").unwrap(),
        )
    }

    #[test]
    fn only_unsubscribe_tokens_of_the_keyring_are_links() {
        let keys = Keyring::development();
        let token = keys.sign(&delivery(), Purpose::Unsubscribe);
        assert_eq!(
            verify_link(&keys, token.as_str()),
            Ok(DeliveryRef::of(&delivery()))
        );
        let bounce = keys.sign(&delivery(), Purpose::Bounce);
        assert_eq!(
            verify_link(&keys, bounce.as_str()),
            Err(InvalidLink::WrongPurpose(Purpose::Bounce))
        );
        let long = format!("{token}{token}");
        assert_eq!(
            verify_link(&keys, &long),
            Err(InvalidLink::TooLong(2 * TOKEN_LEN))
        );
        let mut tampered = token.into_string();
        let last = if tampered.ends_with('a') { "b" } else { "a" };
        tampered.replace_range(TOKEN_LEN - 1.., last);
        assert!(matches!(
            verify_link(&keys, &tampered),
            Err(InvalidLink::Token(_))
        ));
        let other = Keyring::new(SigningKey::new(1, &[7; 32]).unwrap(), vec![]).unwrap();
        assert_eq!(
            verify_link(
                &other,
                keys.sign(&delivery(), Purpose::Unsubscribe).as_str()
            ),
            Err(InvalidLink::Token(TokenError::UnknownKey(0)))
        );
    }
}
