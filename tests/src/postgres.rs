//! A real PostgreSQL for tests: one server per test process, started on first use on a free
//! loopback port, and a fresh database per test, copied from a template migrated once per process
//! and dropped when the test ends.
//!
//! - `DATABASE_URL=postgres://…` makes the tests use that server instead (its database serves as
//!   the maintenance database); otherwise the server runs from `CIRCULARS_PG_BIN`, else the newest
//!   `/usr/lib/postgresql/*/bin`, else `postgres` on `PATH`, as user `postgres` when run as root.
//! - The server keeps its files in `<temp dir>/circulars-pg-<pid>` and is killed when the test
//!   process ends (parent-death signal); a small `sh` then removes the folder. Folders of processes
//!   that no longer run and that were not removed (the `sh` was killed too) go at the next start.
//! - The template is `circulars_template`, rebuilt by the first test of each process under an
//!   advisory lock, so test binaries sharing one `DATABASE_URL` server never see it half-built.
//! - [`OwnServer`]: a server of one test's own, for stories that stop PostgreSQL and start it
//!   again (same port, same data) while the services run; its files are in
//!   `<temp dir>/circulars-pg-<pid>-<n>`, removed when it is dropped.

use circulars_local_servers::{die_with_parent, free_port};
use sqlx::{Connection, Executor, PgConnection};
use std::future::Future;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const TEMPLATE: &str = "circulars_template";
/// Rebuilds the template, under an advisory lock that copying it takes shared.
const REBUILD_TEMPLATE: [&str; 3] = [
    "SELECT pg_advisory_lock(1668899443)",
    "DROP DATABASE IF EXISTS circulars_template WITH (FORCE)",
    "CREATE DATABASE circulars_template",
];
const COPY_TEMPLATE: &str = "SELECT pg_advisory_lock_shared(1668899443)";
const DIR_PREFIX: &str = "circulars-pg-";

/// Why the PostgreSQL server or a test database could not be had.
pub struct PostgresError(String);

impl std::fmt::Debug for PostgresError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0) // as is, so that `expect` shows a log's lines as lines
    }
}

impl std::fmt::Display for PostgresError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PostgresError {}

/// A database of its own for one test, dropped (with its connections) when this is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    name: String,
    admin_url: String,
}

impl TestDatabase {
    /// The URL to open the database with: `postgres://…/circulars_test_<pid>_<n>`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime may be shutting down: use a runtime of its
        // own, on a thread of its own (a runtime cannot start inside another on the same thread).
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let drop_database = move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            let sql = format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#);
            let dropped = runtime.block_on(async {
                let mut admin = connect(&admin_url).await?;
                run(&mut admin, &sql).await?;
                admin
                    .close()
                    .await
                    .map_err(|e| PostgresError(e.to_string()))
            });
            dropped.map_err(|e| e.0)
        };
        let dropped = std::thread::Builder::new()
            .name("drop-test-database".into())
            .spawn(drop_database)
            .map_err(|e| e.to_string())
            .and_then(|thread| thread.join().unwrap_or_else(|_| Err("panicked".into())));
        if let Err(why) = dropped {
            use std::io::Write;
            let name = &self.name;
            let _ = writeln!(std::io::stderr(), "cannot drop test database {name}: {why}");
        }
    }
}

/// A new database for one test, copied from the template that `migrate(template_url)` migrates
/// (called by the first test of the process only; it must close its connections when done).
pub async fn fresh_database<F, Fut>(migrate: F) -> Result<TestDatabase, PostgresError>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let admin_url = admin_url().await?;
    ensure_template(&admin_url, migrate).await?;

    let number = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = format!("circulars_test_{}_{number}", std::process::id());
    let mut admin = connect(&admin_url).await?;
    run(&mut admin, COPY_TEMPLATE).await?;
    let create = format!(r#"CREATE DATABASE "{name}" TEMPLATE {TEMPLATE}"#);
    for attempt in 1.. {
        match admin.execute(create.as_str()).await {
            Ok(_) => break,
            // "source database is being accessed by other users": a migration's connection that
            // is still closing.
            Err(sqlx::Error::Database(e))
                if e.code().as_deref() == Some("55006") && attempt < 20 =>
            {
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            Err(e) => return Err(PostgresError(format!("{create}: {e}"))),
        }
    }
    let _ = admin.close().await;
    let url = with_database(&admin_url, &name);
    Ok(TestDatabase {
        url,
        name,
        admin_url,
    })
}

/// Drops, recreates and migrates the template, once per process.
async fn ensure_template<F, Fut>(admin_url: &str, migrate: F) -> Result<(), PostgresError>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    // A tokio mutex works across the runtimes of concurrent tests (one per test thread); after a
    // failure it stays false, and the next test tries again.
    static READY: tokio::sync::Mutex<bool> = tokio::sync::Mutex::const_new(false);
    let mut ready = READY.lock().await;
    if *ready {
        return Ok(());
    }
    let mut admin = connect(admin_url).await?;
    for sql in REBUILD_TEMPLATE {
        run(&mut admin, sql).await?;
    }
    migrate(with_database(admin_url, TEMPLATE))
        .await
        .map_err(|e| PostgresError(format!("migrating {TEMPLATE}: {e}")))?;
    let _ = admin.close().await; // and so releases the lock
    *ready = true;
    Ok(())
}

async fn connect(url: &str) -> Result<PgConnection, PostgresError> {
    let connecting = PgConnection::connect(url).await;
    connecting.map_err(|e| PostgresError(format!("cannot connect to {url}: {e}")))
}

async fn run(connection: &mut PgConnection, sql: &str) -> Result<(), PostgresError> {
    let result = connection.execute(sql).await;
    result
        .map(drop)
        .map_err(|e| PostgresError(format!("{sql}: {e}")))
}

/// The URL of the maintenance database: `DATABASE_URL`'s, or that of this process's own server.
async fn admin_url() -> Result<String, PostgresError> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(url);
        }
    }
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    let server = tokio::task::spawn_blocking(|| SERVER.get_or_init(start_server_thread))
        .await
        .map_err(|e| PostgresError(format!("cannot start PostgreSQL: {e}")))?;
    server.clone().map_err(PostgresError)
}

/// `url` with its database (its path) replaced by `name`, keeping its query.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_at(url.find('?').unwrap_or(url.len()));
    let host = base.find("://").map_or(0, |i| i + 3);
    let path = base[host..].find('/').map_or(base.len(), |i| host + i);
    format!("{}/{name}{query}", &base[..path])
}

/// Starts the server from a thread that lives as long as the process: the parent-death signal
/// fires when the thread that spawned the child ends, and each test's thread ends with the test.
fn start_server_thread() -> Result<String, String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("postgres-server".into())
        .spawn(move || {
            let started = start_server();
            let _ = sender.send(
                started
                    .as_ref()
                    .map(|s| s.url.clone())
                    .map_err(Clone::clone),
            );
            if started.is_ok() {
                loop {
                    std::thread::park(); // holding the server and its folder's cleaner
                }
            }
        })
        .map_err(|e| format!("cannot start a thread for PostgreSQL: {e}"))?;
    receiver
        .recv()
        .unwrap_or_else(|_| Err("the thread starting PostgreSQL ended".into()))
}

/// This process's server.
struct Server {
    url: String,
    _process: Child,
    _folder: Folder,
}

fn start_server() -> Result<Server, String> {
    let bin = binaries()?;
    let folder = Folder::create()?;
    let data = folder.dir.join("data");
    let mut initdb = folder.command(&bin, "initdb")?;
    initdb.arg("-D").arg(&data);
    initdb.args("-U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync".split(' '));
    let status = initdb
        .status()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !status.success() {
        return Err(format!(
            "initdb failed ({status}):\n{}",
            folder.log_tail("initdb")
        ));
    }

    let port = free_port().map_err(|e| format!("no free port: {e}"))?;
    let mut postgres = folder.command(&bin, "postgres")?;
    postgres
        .arg("-D")
        .arg(&data)
        .arg("-k")
        .arg(&folder.dir)
        .args(["-p", &port.to_string()]);
    postgres.args(
        "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300"
            .split_whitespace(),
    );
    die_with_parent(&mut postgres);
    let mut server = postgres
        .spawn()
        .map_err(|e| format!("cannot run postgres: {e}"))?;

    // Ready when it accepts a connection, tried every 50 ms.
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let not_ready = loop {
        if runtime.block_on(PgConnection::connect(&url)).is_ok() {
            return Ok(Server {
                url,
                _process: server,
                _folder: folder,
            });
        }
        if let Ok(Some(status)) = server.try_wait() {
            break format!("exited ({status})");
        }
        if Instant::now() > deadline {
            let _ = server.kill();
            break "did not accept connections within 30 s".to_string();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Err(format!(
        "PostgreSQL {not_ready}:\n{}",
        folder.log_tail("postgres")
    ))
}

/// A PostgreSQL server of one test's own, on a free loopback port, that the test can stop and
/// start again on the same port with the same data, as an operator's restart or an outage would.
///
/// Its processes are started from the calling thread and get a parent-death signal tied to
/// it: call [`OwnServer::start`] and [`OwnServer::restart`] from the test's own thread (the body
/// of a `#[tokio::test]`), not from `spawn_blocking`, whose threads end when idle. Dropping it
/// stops the server (fast shutdown) and removes its folder.
pub struct OwnServer {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    process: Option<Child>,
    /// Dropped after the server stops (see `Drop`), which removes the folder.
    folder: Folder,
}

impl std::fmt::Debug for OwnServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnServer")
            .field("dir", &self.folder.dir)
            .field("port", &self.port)
            .field("running", &self.process.is_some())
            .finish()
    }
}

impl OwnServer {
    /// Creates a cluster (initdb) in a folder of its own and starts the server on a free
    /// loopback port; returns once it accepts connections.
    pub async fn start() -> Result<OwnServer, PostgresError> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let bin = binaries().map_err(PostgresError)?;
        let name = format!(
            "{DIR_PREFIX}{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let folder = Folder::create_named(&name).map_err(PostgresError)?;
        let data = folder.dir.join("data");
        let mut initdb = folder.command(&bin, "initdb").map_err(PostgresError)?;
        initdb.arg("-D").arg(&data);
        initdb.args("-U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync".split(' '));
        let status = tokio::task::spawn_blocking(move || initdb.status())
            .await
            .map_err(|e| PostgresError(format!("initdb: {e}")))?
            .map_err(|e| PostgresError(format!("cannot run initdb: {e}")))?;
        if !status.success() {
            return Err(PostgresError(format!(
                "initdb failed ({status}):\n{}",
                folder.log_tail("initdb")
            )));
        }
        let port = free_port().map_err(|e| PostgresError(format!("no free port: {e}")))?;
        let mut server = OwnServer {
            bin,
            data,
            port,
            process: None,
            folder,
        };
        server.restart().await?;
        Ok(server)
    }

    /// The URL of database `name` on this server (`postgres` is there from the start).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates an empty database `name` and returns its URL; the services migrate it when they
    /// open it.
    pub async fn create_database(&self, name: &str) -> Result<String, PostgresError> {
        let mut admin = connect(&self.url("postgres")).await?;
        run(&mut admin, &format!(r#"CREATE DATABASE "{name}""#)).await?;
        let _ = admin.close().await;
        Ok(self.url(name))
    }

    /// Whether the server runs (started and not stopped since).
    pub fn is_running(&mut self) -> bool {
        self.process
            .as_mut()
            .is_some_and(|p| matches!(p.try_wait(), Ok(None)))
    }

    /// Stops the server as `pg_ctl stop -m fast` does (SIGINT: open transactions are rolled
    /// back, sessions closed, a checkpoint written) and waits until it has exited; SIGKILL
    /// after 30 s. Does nothing when it is not running.
    pub fn stop(&mut self) {
        let Some(mut process) = self.process.take() else {
            return;
        };
        let pid = nix::unistd::Pid::from_raw(process.id() as i32);
        if nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).is_ok() {
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = process.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = process.kill();
        let _ = process.wait();
    }

    /// Starts the server again on the same port with the same data (stopping it first if it
    /// runs), and returns once it accepts connections.
    pub async fn restart(&mut self) -> Result<(), PostgresError> {
        self.stop();
        let mut postgres = self
            .folder
            .command_appending(&self.bin, "postgres")
            .map_err(PostgresError)?;
        postgres
            .arg("-D")
            .arg(&self.data)
            .arg("-k")
            .arg(&self.folder.dir)
            .args(["-p", &self.port.to_string()]);
        // fsync off: the tests stop processes, never the machine, and the operating system
        // keeps what was written. Commits stay synchronous (the default): a commit a client
        // saw acknowledged is in the WAL the server wrote.
        postgres.args(
            "-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
             -c max_connections=100"
                .split_whitespace(),
        );
        die_with_parent(&mut postgres);
        let process = postgres
            .spawn()
            .map_err(|e| PostgresError(format!("cannot run postgres: {e}")))?;
        self.process = Some(process);
        let url = self.url("postgres");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(connection) = PgConnection::connect(&url).await {
                let _ = connection.close().await;
                return Ok(());
            }
            if !self.is_running() {
                self.process = None;
                break;
            }
            if Instant::now() > deadline {
                self.stop();
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(PostgresError(format!(
            "PostgreSQL on port {} did not start:\n{}",
            self.port,
            self.folder.log_tail("postgres")
        )))
    }

    /// The server's log file (all its runs).
    pub fn log_file(&self) -> PathBuf {
        self.folder.dir.join("postgres.log")
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.stop(); // before `folder` drops and its cleaner removes the data
    }
}

/// The folder of this process's server, and the user that runs it.
struct Folder {
    dir: PathBuf,
    /// `postgres` when we are root: initdb and postgres refuse to run as root.
    user: Option<nix::unistd::User>,
    /// A `sh` that removes the folder when this process ends and its end of a pipe closes.
    _cleaner: Option<Child>,
}

impl Folder {
    fn create() -> Result<Self, String> {
        Folder::create_named(&format!("{DIR_PREFIX}{}", std::process::id()))
    }

    /// `<temp dir>/<name>`, where `name` is `circulars-pg-<pid>` or `circulars-pg-<pid>-<n>`.
    fn create_named(name: &str) -> Result<Self, String> {
        remove_stale_folders();
        let dir = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&dir); // an earlier process's with the same pid
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let remove = r#"cat >/dev/null; for _ in 1 2 3 4 5 6 7 8 9 10; do
            rm -rf "$0" 2>/dev/null && exit; sleep 0.2; done"#;
        let mut cleaner = Command::new("sh");
        cleaner
            .args(["-c", remove])
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null());
        let cleaner = cleaner.stderr(Stdio::null()).spawn().ok(); // else the next start removes it
        let mut folder = Folder {
            dir,
            user: None,
            _cleaner: cleaner,
        };
        if nix::unistd::geteuid().is_root() {
            let user = nix::unistd::User::from_name("postgres")
                .ok()
                .flatten()
                .ok_or(
                    "PostgreSQL refuses to run as root, and there is no user postgres to run it as",
                )?;
            nix::unistd::chown(&folder.dir, Some(user.uid), Some(user.gid))
                .map_err(|e| format!("cannot give {} to postgres: {e}", folder.dir.display()))?;
            folder.user = Some(user);
        }
        Ok(folder)
    }

    /// `program` from `bin`, run in the folder as its user, logging to `<program>.log`.
    fn command(&self, bin: &Path, program: &str) -> Result<Command, String> {
        let log = self.dir.join(format!("{program}.log"));
        let log = std::fs::File::create(&log)
            .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        self.command_logging_to(bin, program, log)
    }

    /// Like [`Folder::command`], adding to `<program>.log` rather than starting it afresh.
    fn command_appending(&self, bin: &Path, program: &str) -> Result<Command, String> {
        let log = self.dir.join(format!("{program}.log"));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|e| format!("cannot open {}: {e}", log.display()))?;
        self.command_logging_to(bin, program, log)
    }

    fn command_logging_to(
        &self,
        bin: &Path,
        program: &str,
        log: std::fs::File,
    ) -> Result<Command, String> {
        let mut command = Command::new(bin.join(program));
        command.current_dir(&self.dir).stdin(Stdio::null());
        command
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log);
        if let Some(user) = &self.user {
            command.uid(user.uid.as_raw()).gid(user.gid.as_raw());
        }
        Ok(command)
    }

    /// The last lines of `<program>.log`, for error messages.
    fn log_tail(&self, program: &str) -> String {
        let log = self.dir.join(format!("{program}.log"));
        let text =
            std::fs::read_to_string(&log).unwrap_or_else(|e| format!("({}: {e})", log.display()));
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

/// Removes the folders of test processes that no longer run.
fn remove_stale_folders() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    if !Path::new("/proc/self").exists() {
        return; // cannot tell which processes run
    }
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)) else {
            continue;
        };
        // `<pid>` (the process's server) or `<pid>-<n>` (an `OwnServer`).
        let pid = rest.split_once('-').map_or(rest, |(pid, _)| pid);
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The folder with `postgres` and `initdb`: `CIRCULARS_PG_BIN`, else the newest Debian version,
/// else the one `postgres` on `PATH` is in (or links to).
fn binaries() -> Result<PathBuf, String> {
    let complete = |dir: &PathBuf| dir.join("postgres").is_file() && dir.join("initdb").is_file();
    if let Some(dir) = std::env::var_os("CIRCULARS_PG_BIN").map(PathBuf::from) {
        let missing = format!("CIRCULARS_PG_BIN={}: no postgres and initdb", dir.display());
        return Some(dir).filter(complete).ok_or(missing);
    }
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten();
    let mut debian: Vec<(u32, PathBuf)> = debian
        .filter_map(|dir| Some((dir.file_name().to_str()?.parse().ok()?, dir.path())))
        .collect();
    debian.sort();
    let debian = debian.into_iter().rev().map(|(_, dir)| dir.join("bin"));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = std::env::split_paths(&path).filter_map(|dir| {
        let postgres = dir.join("postgres").canonicalize().ok()?;
        postgres.parent().map(Path::to_path_buf)
    });
    debian.chain(on_path).find(complete).ok_or_else(|| {
        "no PostgreSQL server found (CIRCULARS_PG_BIN, /usr/lib/postgresql/*/bin, PATH): \
         install Debian's postgresql (deploy/install-deps does) or set DATABASE_URL"
            .into()
    })
}
