//! The domain types: the words of circulars, each a type that can only hold a valid value.

mod address;
mod addressee;
mod annex;
mod bounce_reason;
mod category;
mod circular;
mod delivery;
mod hard_bounces;
mod language;
mod life;
mod outgoing;
mod rendition;
mod returned;
mod staff;
mod topic;

pub use address::{AddressError, RecipientAddress};
pub use addressee::{Addressee, BadAddressee};
pub use annex::Annex;
pub use bounce_reason::{BounceReason, UnknownBounceReason};
pub use category::{BadCategoryId, Category, UnknownCategory, STANDARD_CATEGORIES};
pub use circular::{BadCircularId, Circular, CircularId, Contact, DirectoryIds, LanguageText};
pub use delivery::{Delivery, DeliveryEvent, DeliveryKey, DeliveryState, SmtpReply, UnknownState};
pub use hard_bounces::{HardBounce, HardBounceRule};
pub use language::{Language, UnknownLanguage};
pub use life::{CircularState, UnknownCircularState};
pub use outgoing::OutgoingMail;
pub use rendition::{
    escape_html, PersonalLinks, Rendition, ADDRESSEE_SLOT, PREFERENCES_SLOT, UNSUBSCRIBE_SLOT,
};
pub use returned::ReportSource;
pub use staff::{AccountName, Actor, BadAccountName, Role, Roles, UnknownRole, Via};
pub use topic::{AddresseeKey, BadId, TopicId};

use serde::{Deserialize, Serialize};

/// Whether `id` is a directory id: a lower-case ASCII letter or digit, then letters, digits and
/// `-`, at most 64 characters (categories, topics).
pub(crate) fn is_slug(id: &str) -> bool {
    id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// One recipient of a circular, as frozen in its audience: the address, name, language and the
/// addressee (organisation) the first directory entry names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// Normalised address.
    pub address: RecipientAddress,
    /// The contact's name.
    pub name: String,
    /// The one language this recipient reads the circular in.
    pub language: Language,
    /// The organisation or office the recipient is a contact of.
    pub addressee: Addressee,
}
