//! The directory: addressees in categories, their contacts, topics and each address's
//! subscriptions, suppressed addresses, and the audit trail of every change.
//!
//! - `contacts`: addressees in categories and their contacts, as stored and read back
//! - `import`: directory records stored at once, each change audited and reported
//! - `import_choices`: what an import does to the recipients' own choices (kept, and reported)
//! - `topics`: topics and each address's choices, by staff or by the recipient
//! - `languages`: the language of future circulars a recipient chose for their address
//! - `suppressions`: addresses that receive nothing, and why
//! - `audit`: the trail of every change
//! - `names`: every category with its name for staff, every topic (the draft form's choices)
//! - `search`: contacts found by address, name, addressee key or addressee name, a page at a time

mod audit;
mod contacts;
mod import;
mod import_choices;
mod languages;
mod names;
mod search;
mod suppressions;
mod topics;

pub use audit::AuditEntry;
pub use contacts::{ContactStatus, DirectoryRecord, StoredContact};
pub use import::ImportReport;
pub use languages::LanguageChoice;
pub use names::NamedCategory;
pub use search::DirectoryMatch;
pub use suppressions::{Suppression, SuppressionReason};
pub use topics::{Subscription, Topic};

pub(crate) use audit::audit;
pub(crate) use contacts::parse_address;
pub(crate) use suppressions::{insert_suppression, recipients_suppression, suppression_on};
pub(crate) use topics::{subscription_of_row, unsubscribe_on};
