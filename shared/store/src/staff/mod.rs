//! Staff: the accounts of the people who use the console, the API and the CLI's `--as`, their
//! signed-in sessions, their API tokens, and the audit trail of every change to them. The
//! rules (who may do what, hashing, limits) are `circulars-staff`'s; this is their storage.
//!
//! - `accounts`: accounts with their roles and stored passwords; created, disabled, changed
//! - `sessions`: signed-in browsers, by the SHA-256 of their cookie
//! - `tokens`: API tokens, by their SHA-256; created, revoked, last used
//! - `audit`: who changed what, from where, and the sign-ins refused

mod accounts;
mod audit;
mod sessions;
mod tokens;

pub use accounts::{StaffAccount, StoredPassword};
pub use audit::{StaffAuditEntry, StaffAuthor};
pub use sessions::StoredSession;
pub use tokens::{StaffToken, TokenImport};
