//! `circulars-contacts`: the contacts directory's operations, one function each, called alike
//! by the CLI, the gateway's API and pages, and the directory service.
//!
//! # Layout
//! - [`import`]: directory CSV files (and the API's JSON records), checked row by row and
//!   stored atomically
//! - [`export`]: the directory written back in the import format
//! - [`resolve`]: a circular's query and rules, and one address's contacts, suppression and
//!   topic choice decided: a recipient with its reasons and language, or the reason it is left out
//! - [`audience`]: counts per category and language of the audience a circular would have today
//! - [`explain`]: why an address is or is not on a circular's list
//! - [`personal`]: everything held about one address (`report`), and its erasure (`forget`)
//! - [`unsubscribe`]: unsubscribe tokens followed, by link or by mail
//! - [`preferences`]: the recipient's preferences page: its link followed, the recipient's
//!   topics read, a topic chosen or refused, everything unsubscribed (source "preferences page")

pub mod audience;
pub mod explain;
pub mod export;
pub mod import;
pub mod personal;
pub mod preferences;
pub mod resolve;
pub mod unsubscribe;
