//! `circulars-store`: the storage layer: every SQL statement of the project, behind one [`Store`] type, on
//! SQLite (the embedded default) or PostgreSQL (production), chosen by the database URL.
//! One SQL text serves both; `migrations/sqlite` and `migrations/postgres` hold each schema.
//!
//! - `circulars`: drafts and their lifecycle marks (issued, announced, audience frozen)
//! - `circular_life`: a circular's steps (submitted, approved, …) with its audit trail
//! - `circular_list`: the list of circulars, by state and by words of their id or subject
//! - `directory`: addressees in categories, contacts, topics, subscriptions, suppressions, and
//!   the audit trail of every change
//! - `personal`: everything held about one address, and its erasure by pseudonym
//! - `audience`: the frozen audience of an issued circular, with the reasons for each recipient
//! - `annexes`: the annex files of a circular, per language
//! - `archive`: the issued circulars the public archive and its feeds show, per language
//! - `renditions`: each language version, rendered once
//! - `deliveries`: current delivery states, their history, and status counts
//! - `retries`: deferred mail parked until its next attempt is due
//! - `progress`: a circular's progress for the operations dashboard: mails finished per minute,
//!   the retry queue, the newest failures, complaints
//! - `in_delivery`: the issued circulars still being delivered or finished lately
//! - `reports`: returned mail (bounces, complaints) as it came in, and what became of it
//! - `staff`: staff accounts, their sessions and API tokens, and the staff audit trail
//! - `site`: what the operations dashboard shows across circulars: the intake's refusals by
//!   the hour, unmatched returned mail newest first

mod annexes;
mod archive;
mod audience;
mod circular_life;
mod circular_list;
mod circulars;
mod deliveries;
mod directory;
mod in_delivery;
mod personal;
mod progress;
mod renditions;
mod reports;
mod retries;
mod site;
mod staff;

pub use annexes::Annex;
pub use archive::ArchivedCircular;
pub use audience::{
    AudienceMember, AudienceQuery, AudienceReason, Candidate, CandidateContact, Decision,
    Exclusion, FreezeStep, FreezeSummary,
};
pub use circular_life::{ApprovalMark, CircularAuditEntry, LifeMarks, StateChange};
pub use circular_list::{CircularSearch, CircularSummary};
pub use circulars::{DraftOutcome, IssueMark, StoredCircular};
pub use deliveries::{CircularStatus, HistoryEntry, StateCounts};
pub use directory::NamedCategory;
pub use directory::{
    AuditEntry, ContactStatus, DirectoryMatch, DirectoryRecord, ImportReport, LanguageChoice,
    StoredContact, Subscription, Suppression, SuppressionReason, Topic,
};
pub use in_delivery::DeliveringCircular;
pub use personal::{ForgetSummary, FORGOTTEN};
pub use progress::ParkedRetries;
pub use renditions::{escape_html, Rendition, ADDRESSEE_SLOT, UNSUBSCRIBE_SLOT};
pub use reports::{
    report_id, short_id, DeliveryReport, InboundReport, ReportDecision, ReportEffect, ReportKind,
    ReportSource, ReportState, StoredReport, REPORT_ACTOR,
};
pub use retries::DueRetry;
pub use site::{refusal_hour, IntakeRefusal};
pub use staff::{
    StaffAccount, StaffAuditEntry, StaffAuthor, StaffToken, StoredPassword, StoredSession,
    TokenImport,
};

use chrono::{DateTime, Utc};
use sha2::Digest as _;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use circulars_core::config::Backend;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names neither SQLite nor PostgreSQL.
    #[error("cannot open database {url}: not a sqlite:// or postgres:// URL")]
    UnsupportedUrl {
        /// The URL given.
        url: String,
    },
    /// The database could not be opened or created.
    #[error("cannot open database {url}: {source}")]
    Open {
        /// The URL tried.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// The folder of a SQLite database could not be created.
    #[error("cannot migrate database {url}: cannot create {}: {source}", dir.display())]
    CreateDir {
        /// The URL tried.
        url: String,
        /// The folder.
        dir: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The lock file that keeps SQLite migrations one at a time could not be taken.
    #[error("cannot migrate database {url}: cannot lock: {source}")]
    MigrateLock {
        /// The URL tried.
        url: String,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The task taking the migration lock failed (it panicked or was cancelled).
    #[error("cannot migrate database {url}: {source}")]
    MigrateLockTask {
        /// The URL tried.
        url: String,
        /// The task's failure.
        source: tokio::task::JoinError,
    },
    /// The schema could not be brought up to date.
    #[error("cannot migrate database {url}: {source}")]
    Migrate {
        /// The URL tried.
        url: String,
        /// What the migrator reported.
        source: sqlx::migrate::MigrateError,
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
    AlreadyIssued(circulars_core::domain::CircularId),
    /// The address cannot be forgotten yet: circulars to it are still being delivered.
    #[error("{address} cannot be forgotten yet: {} still being delivered to it (forget it once delivery ends, or cancel)", list(circulars))]
    InFlight {
        /// The address.
        address: circulars_core::domain::RecipientAddress,
        /// The circulars still in flight to it.
        circulars: Vec<circulars_core::domain::CircularId>,
    },
    /// A suppression the recipient asked for cannot be lifted by staff.
    #[error(
        "{address} is suppressed because it {reason} on {since}: only the recipient can undo that"
    )]
    RecipientsChoice {
        /// The address.
        address: circulars_core::domain::RecipientAddress,
        /// `unsubscribed` or `complained`.
        reason: &'static str,
        /// Since when.
        since: chrono::DateTime<chrono::Utc>,
    },
    /// No circular has this id.
    #[error("no circular {0}: draft it first")]
    UnknownCircular(circulars_core::domain::CircularId),
    /// No returned mail is stored under this id (it is stored before it is published).
    #[error("no returned mail {0} is stored")]
    UnknownReport(String),
}

fn list(ids: &[circulars_core::domain::CircularId]) -> String {
    ids.iter()
        .map(|id| id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The database every service reads and writes through: SQLite or PostgreSQL, one SQL text
/// for both (positional `$N` parameters, standard upserts), through sqlx's `Any` driver.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// On SQLite, whose turn it is to write among this process's services (see
    /// [`Store::begin_write`]).
    write_turn: Arc<Mutex<()>>,
}

/// A write transaction: the connection in a transaction, and on SQLite this process's turn to
/// write, held until it commits or is dropped.
pub(crate) struct WriteTransaction {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTransaction {
    /// Commits, then gives the turn to the next writer.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Rolls back, then gives the turn to the next writer.
    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl Deref for WriteTransaction {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTransaction {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// SQLite settings applied to every connection: durable commits, readers beside one writer,
/// and patience with the other services' writes.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;";

impl Store {
    /// Opens the database at `url` (`sqlite://PATH`, created when missing, or `postgres://…`)
    /// and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl {
            url: url.to_owned(),
        })?;
        let open_err = |source| StoreError::Open {
            url: url.to_owned(),
            source,
        };
        let mut connect_url = url.to_owned();
        let mut sqlite_path = None;
        if backend == Backend::Sqlite {
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(open_err)?;
            let path = options.get_filename().to_path_buf();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                    url: url.to_owned(),
                    dir: dir.to_owned(),
                    source,
                })?;
            }
            if !connect_url.contains("mode=") {
                connect_url.push(if connect_url.contains('?') { '&' } else { '?' });
                connect_url.push_str("mode=rwc");
            }
            sqlite_path = Some(path);
        }
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(60))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect(&connect_url)
            .await
            .map_err(open_err)?;
        let store = Store {
            pool,
            backend,
            write_turn: Arc::new(Mutex::new(())),
        };
        store.migrate(url, sqlite_path.as_deref()).await?;
        Ok(store)
    }

    /// Which SQL dialect this store speaks.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations. PostgreSQL serialises concurrent migrators with an advisory
    /// lock; for SQLite a lock file beside the database keeps processes that start together
    /// (the six services) from migrating at the same time.
    async fn migrate(&self, url: &str, sqlite_path: Option<&Path>) -> Result<(), StoreError> {
        let lock = match sqlite_path {
            Some(path) => {
                let mut lock_path = PathBuf::from(path);
                lock_path.as_mut_os_string().push(".migrate-lock");
                let file =
                    tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
                        let file = std::fs::OpenOptions::new()
                            .create(true)
                            .truncate(false)
                            .write(true)
                            .open(&lock_path)?;
                        file.lock()?;
                        Ok(file)
                    })
                    .await
                    .map_err(|source| StoreError::MigrateLockTask {
                        url: url.to_owned(),
                        source,
                    })?
                    .map_err(|source| StoreError::MigrateLock {
                        url: url.to_owned(),
                        source,
                    })?;
                Some(file)
            }
            None => None,
        };
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        let result = migrator
            .run(&self.pool)
            .await
            .map_err(|source| StoreError::Migrate {
                url: url.to_owned(),
                source,
            });
        drop(lock);
        result
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), waiting up to the busy timeout for another writer: a deferred
    /// transaction that reads first fails at once with "database is locked" when another
    /// process committed in between, which the services do all the time.
    ///
    /// On SQLite the services of one process also take turns, first come first served, before
    /// asking for the lock: SQLite's busy handler sleeps and retries, so a writer that commits
    /// and begins again at once (the directory freezing page after page) could keep the lock
    /// from one that sleeps (the composer storing a circular's renditions) for seconds.
    async fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => {
                let turn = self.write_turn.clone().lock_owned().await;
                WriteTransaction {
                    tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
                    _turn: Some(turn),
                }
            }
            Backend::Postgres => WriteTransaction {
                tx: self.pool.begin().await?,
                _turn: None,
            },
        })
    }

    /// Runs one writing statement in a write transaction of its own (on SQLite, in this
    /// process's turn, like every write); returns the rows it changed.
    async fn write_one<'q>(
        &self,
        statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = statement.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(changed)
    }

    /// Closes every connection, waiting for running queries.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The SHA-256 of `bytes`, lower-case hex: how stored contents are named.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(bytes))
}

/// A point in time as stored: RFC 3339 UTC text with microseconds, which sorts as it reads.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Reads a stored timestamp back.
pub(crate) fn parse_timestamp(
    table: &'static str,
    value: &str,
) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            table,
            why: format!("'{value}' is not a timestamp: {e}"),
        })
}

/// Reads an optional stored timestamp column of `row`.
pub(crate) fn timestamp_column(
    row: &AnyRow,
    table: &'static str,
    column: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    use sqlx::Row;
    let value: Option<String> = row.try_get(column)?;
    value.map(|v| parse_timestamp(table, &v)).transpose()
}

/// `$first, $first+1, …` for `count` parameters, for an `IN (…)` list (at least one, so the
/// SQL stays valid for an empty list, which then matches nothing).
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    if count == 0 {
        return "NULL".to_owned();
    }
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `VALUES` rows of a multi-row insert of `rows` rows of `width` parameters, bound in
/// order: `($1, …, $width), ($width+1, …)` on PostgreSQL; on SQLite anonymous `(?, …, ?)`, which
/// SQLite binds by position, where a numbered `$n` costs a look-up of each parameter's name
/// (`sqlite3_bind_parameter_name`, 4 % of a 100 000-recipient run's profile, docs/BENCHMARKS.md).
pub(crate) fn value_rows(backend: Backend, rows: usize, width: usize) -> String {
    let row = |r: usize| match backend {
        Backend::Sqlite => format!("({})", vec!["?"; width].join(", ")),
        Backend::Postgres => format!("({})", placeholders(r * width + 1, width)),
    };
    (0..rows).map(row).collect::<Vec<_>>().join(", ")
}

/// The dialect of an open connection (for code that holds a connection, not the store).
pub(crate) fn backend_of(conn: &sqlx::AnyConnection) -> Backend {
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        Backend::Postgres
    } else {
        Backend::Sqlite
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_sqlite_connection_waits_for_other_writers_and_checks_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let store = Store::open(&url).await.unwrap();
        let mut conn = store.pool.acquire().await.unwrap();
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!((timeout, journal.as_str(), keys), (30_000, "wal", 1));
    }

    #[tokio::test]
    async fn a_folder_that_cannot_be_created_is_named_and_the_system_error_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, b"").unwrap();
        let url = format!("sqlite://{}", file.join("c.db").display());
        let error = Store::open(&url).await.unwrap_err();
        let expected = format!(
            "cannot migrate database {url}: cannot create {}: ",
            file.display()
        );
        assert!(error.to_string().starts_with(&expected), "{error}");
        let source = std::error::Error::source(&error).expect("the system error is kept");
        assert!(source.is::<std::io::Error>(), "{source:?}");
    }

    #[test]
    fn the_url_names_the_backend() {
        assert_eq!(Backend::of_url("sqlite:///x.db"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgresql://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://u@h/db"), None);
    }
}
