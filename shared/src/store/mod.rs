//! The storage layer: every SQL statement of the project, behind one [`Store`] type, so a
//! PostgreSQL backend can join later without touching the services. SQLite is the embedded default.
//!
//! - `circulars`: drafts and their lifecycle (issued, announced, audience frozen)
//! - `directory`: addressees' contacts and their categories
//! - `audience`: the frozen audience of an issued circular, with the reasons for each recipient
//! - `annexes`: the annex files of a circular, per language
//! - `renditions`: each language version, rendered once
//! - `deliveries`: current delivery states, their history, and status counts

mod annexes;
mod audience;
mod circulars;
mod deliveries;
mod directory;
mod renditions;

pub use annexes::Annex;
pub use audience::{AudienceMember, AudienceReason, Exclusion};
pub use circulars::{DraftOutcome, IssueMark, StoredCircular};
pub use deliveries::{CircularStatus, StateCounts};
pub use directory::{DirectoryEntry, EntryStatus, ImportSummary, StoredEntry};
pub use renditions::{escape_html, Rendition, ADDRESSEE_SLOT, UNSUBSCRIBE_SLOT};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or created.
    #[error("cannot open database {url}: {source}")]
    Open {
        /// The URL tried.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("cannot migrate database {url}: {why}")]
    Migrate {
        /// The URL tried.
        url: String,
        /// What failed.
        why: String,
    },
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("corrupt row in {table}: {why}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What could not be read.
        why: String,
    },
    /// The circular has been issued: its draft can no longer change.
    #[error("{0} is already issued; an issued circular cannot be redrafted (draft a new number)")]
    AlreadyIssued(crate::domain::CircularId),
    /// No circular has this id.
    #[error("no circular {0}: draft it first")]
    UnknownCircular(crate::domain::CircularId),
}

/// The database every service reads and writes through.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating when missing) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            url: url.to_owned(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let path = options.get_filename().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Migrate {
                url: url.to_owned(),
                why: format!("cannot create {}: {e}", dir.display()),
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        let store = Store { pool };
        store.migrate(url, &path).await?;
        Ok(store)
    }

    /// Applies pending migrations; a lock file beside the database keeps processes that start
    /// together (the five services) from migrating at the same time.
    async fn migrate(&self, url: &str, path: &std::path::Path) -> Result<(), StoreError> {
        let migrate_err = |why: String| StoreError::Migrate {
            url: url.to_owned(),
            why,
        };
        let mut lock_path = PathBuf::from(path);
        lock_path.as_mut_os_string().push(".migrate-lock");
        let lock = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)?;
            file.lock()?;
            Ok(file)
        })
        .await
        .map_err(|e| migrate_err(e.to_string()))?
        .map_err(|e| migrate_err(format!("cannot lock: {e}")))?;
        let result = sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await
            .map_err(|e| migrate_err(e.to_string()));
        drop(lock);
        result
    }

    /// Closes every connection, waiting for running queries.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Reads a stored text column back into a domain type, naming the table on failure.
fn parse_column<T: FromStr>(table: &'static str, value: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e: T::Err| StoreError::Corrupt {
        table,
        why: format!("'{value}': {e}"),
    })
}
