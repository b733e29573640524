//! Reading directory records, from CSV files (one row per contact with its addressee, the
//! columns of [`COLUMNS`]; format in `docs/FORMATS.md`) or from the staff API's JSON: every
//! record checked, every problem named by its place; records with any problem are refused whole,
//! and good ones are stored in one transaction.
//!
//! - `csv`: a file's bytes read into rows, with its header, encoding and quoting checked
//! - `json`: the API's records read into the same fields
//! - `rows`: a record's fields checked together and against the records before it
//! - `fields`: the value of each field checked on its own

mod csv;
mod fields;
mod json;
mod rows;
#[cfg(test)]
mod testing;

pub use self::csv::parse_records;
pub use json::{check_json_records, JsonRecord};

use circulars_core::domain::{Category, TopicId};
use circulars_core::input::{FileProblems, Unreadable};
use circulars_store::{ImportReport, Store};
use std::path::Path;

/// The columns of a directory file, in order; the header names them exactly so.
pub const COLUMNS: [&str; 10] = [
    "addressee",
    "addressee_name",
    "addressee_language",
    "categories",
    "address",
    "name",
    "language",
    "role",
    "status",
    "topics",
];

// The index of each column in `COLUMNS` (its number in errors is one more).
const ADDRESSEE: usize = 0;
const ADDRESSEE_NAME: usize = 1;
const ADDRESSEE_LANGUAGE: usize = 2;
const CATEGORIES: usize = 3;
const ADDRESS: usize = 4;
const NAME: usize = 5;
const LANGUAGE: usize = 6;
const ROLE: usize = 7;
const STATUS: usize = 8;
const TOPICS: usize = 9;

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] Unreadable),
    /// The file has problems; nothing of it was stored.
    #[error(transparent)]
    Invalid(#[from] FileProblems),
    /// The database refused the import; nothing of it was stored.
    #[error(transparent)]
    Store(#[from] circulars_store::StoreError),
}

/// Reads and checks a directory file against the directory's categories and topics, then
/// stores all its records at once (or, in a dry run, reports what storing them would change);
/// `actor` names who imports, for the audit trail.
pub async fn import_file(
    store: &Store,
    path: &Path,
    actor: &str,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let file = path.display().to_string();
    let bytes = tokio::fs::read(path).await.map_err(Unreadable::of(&file))?;
    import_bytes(store, &file, &bytes, actor, dry_run).await
}

/// The same checks and storing for a file already in memory (an upload to the console):
/// `file` names it in the problems (`file:line:column: column-name: why`), as
/// [`import_file`] names a file by its path.
pub async fn import_bytes(
    store: &Store,
    file: &str,
    bytes: &[u8],
    actor: &str,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let known = store.directory_ids().await?;
    let records = parse_records(file, bytes, &known)?;
    Ok(store.import_directory(&records, actor, dry_run).await?)
}

/// Sorts categories as a circular's "To" list orders them (the standard ones first).
pub(crate) fn sort_categories(categories: &mut [Category]) {
    categories.sort_by(|a, b| a.rank().cmp(&b.rank()).then_with(|| a.cmp(b)));
}

/// Categories as the file writes them.
pub(crate) fn categories_text(categories: &[Category]) -> String {
    categories
        .iter()
        .map(Category::id)
        .collect::<Vec<_>>()
        .join(";")
}

/// Topic choices as the file writes them: `topic` opted in, `-topic` opted out.
pub(crate) fn topics_text(topics: &[(TopicId, bool)]) -> String {
    topics
        .iter()
        .map(|(t, subscribed)| format!("{}{t}", if *subscribed { "" } else { "-" }))
        .collect::<Vec<_>>()
        .join(";")
}
