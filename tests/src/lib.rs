//! The harness of circulars' end-to-end tests: real servers on free loopback ports, one set per
//! test, all stopped and removed when the test ends (also when it fails).
//!
//! - [`Harness::start`]: its own nats-server (JetStream, temporary store), a fresh database
//!   ([`Db::Sqlite`]: a temporary file; [`Db::Postgres`]: a database of its own on the test
//!   process's PostgreSQL server, see [`postgres`]), the capture SMTP server, and a
//!   configuration file pointing at them
//! - [`on_both_databases!`]: runs a story once on SQLite and once on PostgreSQL
//! - [`Harness::circulars`]: runs the real `circulars` binary (built on first use, in the
//!   profile the tests run in, or the one [`TEST_BINARY`] names) with that configuration
//! - [`Harness::import_sample_directory`], [`Harness::draft_sample_circular`]: the samples
//! - [`Harness::serve`]: starts `circulars serve <service>` as a child process and waits until
//!   it says it is ready
//! - [`Harness::wait_until_delivered`]: waits, by polling the database, until every recipient is
//!   in a final state
//! - [`Harness::mails`]: the mails the SMTP server accepted, parsed
//! - [`dkim`]: DKIM signatures verified as a receiving system would, against the test key
//! - [`http`]: requests to the gateway over a plain TCP stream
//! - [`intake`]: an SMTP client for the bounce intake, raw enough to send it bad input
//! - [`imap`]: a dovecot IMAP server holding a bounce mailbox, for the tracker's poller
//! - [`python_email`]: mails read by a strict independent checker, Python's `email` package
//! - [`logs`]: the last lines of every service's log, printed when a story fails
//! - [`collector`]: a loopback OpenTelemetry collector (OTLP/HTTP) keeping the spans it receives
//! - [`browser`]: a headless Chromium driven over WebDriver, with axe-core and screenshots
//! - [`signed_in`]: a member of staff signed in to the console over plain HTTP, posting its forms

pub mod browser;
pub mod collector;
pub mod dkim;
pub mod http;
pub mod imap;
pub mod intake;
pub mod logs;
pub mod postgres;
pub mod python_email;
pub mod signed_in;

use circulars_capture_smtp::{CaptureServer, RecipientRules};
use circulars_core::config::NatsConfig;
use circulars_core::domain::CircularId;
use circulars_core::nats::Bus;
use circulars_local_servers::{die_with_parent, free_port, LocalNatsServer};
use circulars_store::{CircularStatus, Store};
use mail_parser::MimeHeaders;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long a test waits for something that should take seconds before it fails.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// The optional topic of the recipients' stories ([`Harness::add_sample_topic`]).
pub const SAMPLE_TOPIC: &str = "tsb-events";

/// The header line of a directory CSV file (docs/FORMATS.md).
pub const DIRECTORY_HEADER: &str =
    "addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics\n";

/// The name the harness's staff key belongs to (`api (by tests)` in the audit trail).
pub const STAFF_NAME: &str = "tests";
/// The staff API key of the harness's configuration.
pub const STAFF_KEY: &str = "tests-only-staff-key-0123456789abcdef";
/// The largest staff API request body the harness's gateway accepts.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// The workspace root, for sample files.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `circulars` binary, built once per test process in the profile of the running tests;
/// or the one [`TEST_BINARY`] names, as built.
pub fn circulars_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(binary) = std::env::var_os(TEST_BINARY) {
            return PathBuf::from(binary);
        }
        let exe = std::env::current_exe().expect("the test binary has a path");
        // target/<profile>/deps/<test binary>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("tests run from target/<profile>/deps");
        let target_dir = profile_dir.parent().expect("target/<profile> has a parent");
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        // Without the variables cargo sets for a test process: build scripts that watch the
        // environment (ring's) would otherwise rebuild here and again in the next plain build.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            let set_for_tests = [
                "CARGO_PKG_",
                "CARGO_CRATE_",
                "CARGO_BIN_",
                "CARGO_MANIFEST_",
                "CARGO_PRIMARY_",
            ]
            .iter()
            .any(|prefix| name.starts_with(prefix))
                || ["CARGO_TARGET_TMPDIR", "OUT_DIR", "RUST_TEST_THREADS"].contains(&name.as_ref());
            if set_for_tests {
                build.env_remove(name.as_ref());
            }
        }
        if release {
            // A benchmark runs the binary only: build just it, not every test target of the
            // workspace in release (that took three builds and twenty minutes before a first
            // figure).
            build.args([
                "build",
                "--quiet",
                "--release",
                "-p",
                "circulars-cli",
                "--bin",
            ]);
            build.arg("circulars");
        } else {
            // The same selection and flags as the README's test command
            // (`cargo test --workspace --all-targets`): the same feature resolution, so after
            // that command's own build this one has nothing to do.
            build.args(["build", "--quiet", "--workspace", "--all-targets"]);
        }
        build
            .arg("--manifest-path")
            .arg(workspace().join("Cargo.toml"))
            .arg("--target-dir")
            .arg(target_dir);
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building the circulars binary failed");
        profile_dir.join("circulars")
    })
}

/// An environment variable naming a `circulars` binary built beforehand for the tests to
/// run instead of building one: for worktrees that share a target folder, where another's
/// build can replace `target/debug/circulars` while a story runs.
pub const TEST_BINARY: &str = "CIRCULARS_TEST_BINARY";

/// What a `circulars` command printed and how it exited.
#[derive(Debug)]
pub struct CommandOutput {
    /// Whether it exited 0.
    pub success: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for CommandOutput {
    fn from(o: Output) -> Self {
        CommandOutput {
            success: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// One mail the capture SMTP server accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The envelope recipient (`Delivered-To`).
    pub recipient: String,
    /// The `Content-Language` header.
    pub language: String,
    /// The decoded subject.
    pub subject: String,
    /// The `Message-ID` header.
    pub message_id: String,
    /// The decoded text/plain part.
    pub text: String,
    /// The decoded text/html part.
    pub html: String,
    /// The envelope sender (`Return-Path`), a VERP address.
    pub return_path: String,
    /// The `List-Unsubscribe` header.
    pub list_unsubscribe: String,
    /// The `List-Unsubscribe-Post` header.
    pub list_unsubscribe_post: String,
    /// The `Reply-To` header.
    pub reply_to: String,
    /// The attachments: file name and bytes.
    pub attachments: Vec<(String, Vec<u8>)>,
}

impl Mail {
    /// The VERP address of `return_path` without its angle brackets: where a returned mail
    /// is sent.
    pub fn verp(&self) -> &str {
        self.return_path.trim_matches(['<', '>'])
    }
}

/// The database a story runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A temporary SQLite file (the embedded default).
    Sqlite,
    /// A fresh database on the test process's PostgreSQL server.
    Postgres,
}

/// Runs each named story (`async fn story(db: Db)`) as two tests, `story::sqlite` and
/// `story::postgres`, on a multi-threaded runtime.
#[macro_export]
macro_rules! on_both_databases {
    ($($story:ident),+ $(,)?) => {
        $(
            mod $story {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$story($crate::Db::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$story($crate::Db::Postgres).await
                }
            }
        )+
    };
}

/// A fresh database of `db`'s kind for one test, and what must live as long as it.
/// A fresh, migrated database of `db`'s kind: a file in `dir`, or a database of its own on the
/// test process's PostgreSQL server (removed when the returned guard drops).
pub async fn test_database(db: Db, dir: &Path) -> (String, Option<postgres::TestDatabase>) {
    match db {
        Db::Sqlite => (
            format!("sqlite://{}", dir.join("circulars.db").display()),
            None,
        ),
        Db::Postgres => {
            let database = postgres::fresh_database(|url| async move {
                let store = Store::open(&url).await.map_err(|e| e.to_string())?;
                store.close().await;
                Ok(())
            })
            .await
            .expect("a fresh PostgreSQL database");
            (database.url().to_owned(), Some(database))
        }
    }
}

/// How a test's harness is set up; [`Setup::new`] gives the defaults of [`Harness::start`].
pub struct Setup {
    /// The kind of database.
    pub db: Db,
    /// The capture SMTP server's replies to chosen recipients.
    pub rules: RecipientRules,
    /// The capture SMTP server's TLS and AUTH.
    pub capture: circulars_capture_smtp::Options,
    /// TOML lines added to `[smtp]` (see [`Harness::start_configured`]).
    pub smtp_settings: String,
    /// TOML lines added to `[smtp.relays.capture]` (e.g. `tls = "starttls"`).
    pub relay_settings: String,
    /// A database of the test's own instead of a fresh one of `db`'s kind.
    pub database_url: Option<String>,
    /// TOML lines added to `[bounces]` (whose `listen` the harness sets).
    pub bounces_settings: String,
    /// The `[nats]` section's lines instead of the test's own nats-server (a cluster's
    /// `url = "…,…,…"` and `replicas = 3`); that server still runs, unused.
    pub nats_settings: Option<String>,
    /// `[approval] required`: off by default here, so that stories about delivery issue with
    /// `circulars issue ID` alone; the approval stories turn it on.
    pub approval_required: bool,
}

impl Setup {
    /// The defaults: everyone accepted, no TLS, test retry settings, a fresh database.
    pub fn new(db: Db) -> Setup {
        Setup {
            db,
            rules: RecipientRules::new(),
            capture: circulars_capture_smtp::Options::default(),
            smtp_settings: String::new(),
            relay_settings: String::new(),
            database_url: None,
            bounces_settings: String::new(),
            nats_settings: None,
            approval_required: false,
        }
    }
}

/// The test `[smtp]` settings, with `extra` overriding the defaults it names.
fn smtp_settings_with_defaults(extra: &str) -> String {
    let defaults = [
        ("retry_delays_secs", "[1]"),
        ("retry_jitter", "0.0"),
        ("give_up_after_secs", "60"),
        ("timeout_secs", "5"),
        ("job_ack_wait_secs", "15"),
    ];
    let mut lines: Vec<String> = defaults
        .iter()
        .filter(|(key, _)| {
            !extra.lines().any(|l| {
                l.trim_start().starts_with(&format!("{key} "))
                    || l.trim_start().starts_with(&format!("{key}="))
            })
        })
        .map(|(key, value)| format!("{key} = {value}"))
        .collect();
    lines.extend(extra.lines().map(str::to_owned));
    lines.join("\n")
}

/// One test's servers and folder.
pub struct Harness {
    dir: tempfile::TempDir,
    /// Dropped after the services stop (field order): its drop removes the database.
    _postgres: Option<postgres::TestDatabase>,
    nats: Option<LocalNatsServer>,
    smtp: Option<CaptureServer>,
    config_file: PathBuf,
    database_url: String,
    gateway_port: u16,
    intake_port: u16,
    children: Vec<(String, Child)>,
}

impl Harness {
    /// Starts nats-server and the capture SMTP server (accepting everyone) on a fresh database
    /// of `db`'s kind, and writes the config.
    pub async fn start(db: Db) -> Harness {
        Harness::start_with(db, RecipientRules::new()).await
    }

    /// Like [`Harness::start`], with the SMTP server answering some recipients as `rules` say.
    pub async fn start_with(db: Db, rules: RecipientRules) -> Harness {
        Harness::start_configured(db, rules, "").await
    }

    /// Like [`Harness::start_with`], with `smtp_settings` (TOML lines such as
    /// `give_up_after_secs = 3`) added to the `[smtp]` section, whose test defaults are a
    /// one-second retry delay without jitter and giving up after a minute.
    pub async fn start_configured(db: Db, rules: RecipientRules, smtp_settings: &str) -> Harness {
        Harness::start_setup(Setup {
            rules,
            smtp_settings: smtp_settings.to_owned(),
            ..Setup::new(db)
        })
        .await
    }

    /// Starts everything as `setup` says.
    pub async fn start_setup(setup: Setup) -> Harness {
        let Setup {
            db,
            rules,
            capture,
            smtp_settings,
            relay_settings,
            database_url,
            bounces_settings,
            nats_settings,
            approval_required,
        } = setup;
        let dir = tempfile::Builder::new()
            .prefix("circulars-test-")
            .tempdir()
            .expect("a temporary folder");
        let nats = LocalNatsServer::start(&dir.path().join("nats")).expect("nats-server starts");
        let smtp = CaptureServer::start_with(
            ([127, 0, 0, 1], 0).into(),
            dir.path().join("mail"),
            rules,
            capture,
        )
        .await
        .expect("the capture SMTP server starts");
        let (database_url, postgres) = match database_url {
            Some(url) => (url, None),
            None => test_database(db, dir.path()).await,
        };
        let config_file = dir.path().join("circulars.toml");
        let gateway_port = free_port().expect("a free port");
        let intake_port = free_port().expect("a free port");
        let config = format!(
            "data_dir = {data:?}\n[nats]\n{nats}\n[database]\nurl = {db:?}\n\
             [smtp]\nconcurrency = 8\n{smtp_settings}\n\
             [smtp.relays.capture]\nhost = \"127.0.0.1\"\nport = {smtp}\n{relay_settings}\n\
             [gateway]\nlisten = \"127.0.0.1:{http}\"\nmax_request_bytes = {max_request}\n\
             [gateway.staff_keys]\n{staff} = {key:?}\n[tracker]\nbatch_wait_ms = 20\n\
             [bounces]\nlisten = \"127.0.0.1:{intake}\"\n{bounces_settings}\n\
             [approval]\nrequired = {approval_required}\n",
            data = dir.path().display().to_string(),
            nats = nats_settings.unwrap_or_else(|| format!("url = {:?}", nats.url())),
            db = database_url,
            smtp = smtp.local_addr().port(),
            smtp_settings = smtp_settings_with_defaults(&smtp_settings),
            http = gateway_port,
            intake = intake_port,
            max_request = MAX_REQUEST_BYTES,
            staff = STAFF_NAME,
            key = STAFF_KEY,
        );
        std::fs::write(&config_file, config).expect("the config file is written");
        Harness {
            dir,
            _postgres: postgres,
            nats: Some(nats),
            smtp: Some(smtp),
            config_file,
            database_url,
            gateway_port,
            intake_port,
            children: Vec::new(),
        }
    }

    /// The bounce intake's address once `serve tracker` (or `all`) runs.
    pub fn intake_addr(&self) -> std::net::SocketAddr {
        ([127, 0, 0, 1], self.intake_port).into()
    }

    /// The gateway's base URL (`http://127.0.0.1:PORT`) once `serve gateway` (or `all`) runs.
    pub fn gateway_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.gateway_port)
    }

    /// The database URL the services use.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// The test's temporary folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The capture SMTP server.
    pub fn smtp(&self) -> &CaptureServer {
        self.smtp
            .as_ref()
            .expect("the SMTP server runs until the harness is dropped")
    }

    /// Runs `circulars --config <test config> ARGS…` to completion.
    pub fn circulars(&self, args: &[&str]) -> CommandOutput {
        self.run_circulars(None, args)
    }

    /// Runs `circulars --config <test config> ARGS…` to completion in the folder `dir`.
    pub fn circulars_in(&self, dir: &Path, args: &[&str]) -> CommandOutput {
        self.run_circulars(Some(dir), args)
    }

    fn run_circulars(&self, dir: Option<&Path>, args: &[&str]) -> CommandOutput {
        let mut command = Command::new(circulars_binary());
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        command
            .arg("--config")
            .arg(&self.config_file)
            .args(args)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .output()
            .expect("the circulars binary runs")
            .into()
    }

    /// Runs a command that must succeed, and returns its standard output.
    pub fn circulars_ok(&self, args: &[&str]) -> String {
        let out = self.circulars(args);
        assert!(
            out.success,
            "circulars {args:?} failed:\n{}\n{}",
            out.stdout, out.stderr
        );
        out.stdout
    }

    /// Imports every `samples/directory/*.csv` with `circulars directory import`.
    pub fn import_sample_directory(&self) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(workspace().join("samples/directory"))
            .expect("the sample directory exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for file in files {
            self.circulars_ok(&["directory", "import", &file.to_string_lossy()]);
        }
    }

    /// Adds the optional topic [`SAMPLE_TOPIC`] ("TSB events") to the directory, the one the
    /// recipients' stories stop and receive.
    pub fn add_sample_topic(&self) {
        self.circulars_ok(&[
            "directory",
            "topic",
            "add",
            SAMPLE_TOPIC,
            "--name",
            "TSB events",
        ]);
    }

    /// Imports the sample directory with [`SAMPLE_TOPIC`], drafts and issues the sample
    /// circular TSB-36, and waits until every recipient has a final state: where the
    /// recipients' stories start, with a mail in every recipient's hands.
    pub async fn sample_delivered_with_topic(&self) -> CircularStatus {
        self.import_sample_directory();
        self.add_sample_topic();
        self.draft_sample_circular();
        self.circulars_ok(&["issue", "TSB-36"]);
        self.wait_until_delivered("TSB-36").await
    }

    /// Imports a directory of `contacts` active contacts of `member-states` (ten per
    /// addressee, the six languages in turn, `officerNNNNN@admAAAA.example.org`).
    pub fn import_generated_directory(&self, contacts: usize) {
        let languages = ["ar", "zh", "en", "fr", "ru", "es"];
        let mut csv = DIRECTORY_HEADER.to_owned();
        for n in 0..contacts {
            let a = n / 10;
            csv.push_str(&format!(
                "adm-{a:04},Administration {a},,member-states,officer{n:05}@adm{a:04}.example.org,Officer {n},{},,active,\n",
                languages[n % languages.len()]
            ));
        }
        self.import_directory(&csv);
    }

    /// Imports the directory CSV `csv` (with its header line) with `circulars directory
    /// import`, from a file in the test's folder.
    pub fn import_directory(&self, csv: &str) {
        let file = self.dir().join("directory.csv");
        std::fs::write(&file, csv).unwrap();
        self.circulars_ok(&["directory", "import", &file.to_string_lossy()]);
    }

    /// Adds the staff account `name` with `roles` (`circulars staff add`); returns its
    /// one-time password.
    pub fn staff_account(&self, name: &str, roles: &[&str]) -> String {
        let mut args = vec!["staff", "add", name];
        for role in roles {
            args.extend(["--role", role]);
        }
        let printed = self.circulars_ok(&args);
        printed
            .lines()
            .find_map(|l| l.strip_prefix("password: "))
            .unwrap_or_else(|| panic!("no password in: {printed}"))
            .trim()
            .to_owned()
    }

    /// Adds the staff account `name` with `roles` and gives it an API token
    /// (`circulars staff token create`); returns the token.
    pub fn staff_token(&self, name: &str, roles: &[&str]) -> String {
        self.staff_account(name, roles);
        let printed = self.circulars_ok(&["staff", "token", "create", name, "--label", "tests"]);
        printed
            .lines()
            .next()
            .and_then(|l| l.rsplit_once(": "))
            .map(|(_, token)| token.trim().to_owned())
            .unwrap_or_else(|| panic!("no token in: {printed}"))
    }

    /// Drafts `samples/circulars/tsb-36.toml` with `circulars draft`; returns what it printed.
    pub fn draft_sample_circular(&self) -> String {
        let file = workspace().join("samples/circulars/tsb-36.toml");
        self.circulars_ok(&["draft", &file.to_string_lossy()])
    }

    /// Writes a copy of `samples/circulars/tsb-36.toml` numbered `number`, in `topic` when
    /// given, into the test's folder; returns its path.
    pub fn write_sample_variant(&self, number: u32, topic: Option<&str>) -> PathBuf {
        let sample = std::fs::read_to_string(workspace().join("samples/circulars/tsb-36.toml"))
            .expect("the sample circular is readable");
        assert!(
            sample.contains("\nnumber = 36\n"),
            "the sample's number line"
        );
        let topic_line = topic
            .map(|t| format!("topic = \"{t}\"\n"))
            .unwrap_or_default();
        let text = sample.replacen(
            "\nnumber = 36\n",
            &format!("\nnumber = {number}\n{topic_line}"),
            1,
        );
        let file = self.dir.path().join(format!("tsb-{number}.toml"));
        std::fs::write(&file, text).expect("the circular file is written");
        file
    }

    /// Starts `circulars serve <service>` and waits until each service it runs says it is ready.
    pub fn serve(&mut self, service: &str) {
        self.serve_with_env(service, &[]);
    }

    /// Like [`Harness::serve`], with environment variables set for that process alone (a
    /// test's failpoint, such as the dispatcher's `CIRCULARS_TEST_HOLD_CLAIM_WRITES_AFTER`).
    pub fn serve_with_env(&mut self, service: &str, env: &[(&str, &str)]) {
        self.serve_instance(service, service, env);
    }

    /// Starts one more `circulars serve <service>` process known as `instance` (its log is
    /// `serve-<instance>.log`, [`Harness::kill_service`] and [`Harness::service_log`] take that
    /// name): a second dispatcher or tracker beside the first, sharing the work.
    pub fn serve_instance(&mut self, service: &str, instance: &str, env: &[(&str, &str)]) {
        let log = self.dir.path().join(format!("serve-{instance}.log"));
        let log_file = std::fs::File::create(&log).expect("the log file is created");
        let mut command = Command::new(circulars_binary());
        command
            .arg("--config")
            .arg(&self.config_file)
            .args(["serve", service])
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("the log file is shared"))
            .stderr(log_file);
        die_with_parent(&mut command);
        let child = command.spawn().expect("circulars serve starts");
        self.children.push((instance.to_owned(), child));
        let names: Vec<&str> = if service == "all" {
            vec![
                "gateway",
                "directory",
                "composer",
                "dispatcher",
                "tracker",
                "intake",
            ]
        } else {
            vec![service]
        };
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if names.iter().all(|n| text.contains(&format!("{n} ready"))) {
                return;
            }
            if let Some((_, child)) = self.children.last_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("circulars serve {service} exited with {status}:\n{text}");
                }
            }
            assert!(
                Instant::now() < deadline,
                "circulars serve {service} never got ready:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What `serve <service>` (or the instance of that name) has logged so far.
    pub fn service_log(&self, service: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("serve-{service}.log")))
            .unwrap_or_default()
    }

    /// The process id of the `serve <service>` child (or the instance of that name), while it
    /// runs: to see, from outside, which connections it holds.
    pub fn service_pid(&self, service: &str) -> Option<u32> {
        self.children
            .iter()
            .find(|(name, _)| name == service)
            .map(|(_, child)| child.id())
    }

    /// Kills the `serve <service>` child (or the instance of that name) with SIGKILL, as a
    /// crash would, and waits for it.
    pub fn kill_service(&mut self, service: &str) {
        let index = self
            .children
            .iter()
            .position(|(name, _)| name == service)
            .unwrap_or_else(|| panic!("no `serve {service}` running"));
        let (_, mut child) = self.children.remove(index);
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Stops nats-server and starts it again on the same port with the same store, as an
    /// operator's restart would; the services reconnect on their own.
    pub fn restart_nats(&mut self) {
        let nats = self
            .nats
            .take()
            .expect("nats runs until the harness is dropped");
        self.nats = Some(nats.restart().expect("nats-server starts again"));
    }

    /// Stops nats-server (SIGTERM) and leaves it stopped until [`Harness::start_nats_again`]:
    /// an outage the services see.
    pub fn stop_nats(&mut self) {
        self.nats
            .as_mut()
            .expect("nats runs until the harness is dropped")
            .stop_for_now();
    }

    /// Starts nats-server again on its port with its store after [`Harness::stop_nats`].
    pub fn start_nats_again(&mut self) {
        self.nats
            .as_mut()
            .expect("nats runs until the harness is dropped")
            .start_again()
            .expect("nats-server starts again");
    }

    /// Stops every `serve` child with SIGTERM and waits for it to exit.
    pub fn stop_services(&mut self) {
        for (_, child) in &mut self.children {
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        }
        for (service, mut child) in self.children.drain(..) {
            let status = child.wait().expect("the child is waited for");
            assert!(
                status.success(),
                "circulars serve {service} exited with {status}"
            );
        }
    }

    /// The test's database.
    pub async fn store(&self) -> Store {
        Store::open(&self.database_url)
            .await
            .expect("the test database opens")
    }

    /// The tables and columns holding a trace of `needle` (a substring; case-insensitive on SQLite), as
    /// `table.column` once per table: every text column that can hold personal data.
    pub async fn traces_of(&self, needle: &str) -> Vec<String> {
        const PERSONAL_COLUMNS: [(&str, &[&str]); 10] = [
            ("contacts", &["address", "address_key", "name"]),
            ("subscriptions", &["address_key", "source"]),
            ("suppressions", &["address_key", "detail"]),
            ("directory_audit", &["subject", "detail"]),
            ("audience", &["address_key", "name"]),
            ("audience_reasons", &["address_key", "address"]),
            ("audience_exclusions", &["address_key", "detail"]),
            ("deliveries", &["address_key", "smtp_text", "detail"]),
            ("delivery_history", &["address_key", "smtp_text", "detail"]),
            ("delivery_reports", &["address_key", "diagnostic"]),
        ];
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.database_url)
            .await
            .expect("the test database opens");
        let mut found = Vec::new();
        for (table, columns) in PERSONAL_COLUMNS {
            for column in columns {
                let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} LIKE $1");
                let n: i64 = sqlx::query_scalar(&sql)
                    .bind(format!("%{needle}%"))
                    .fetch_one(&pool)
                    .await
                    .expect("the table is readable");
                if n > 0 {
                    found.push(format!("{table}.{column}"));
                }
            }
        }
        pool.close().await;
        found
    }

    /// The URL of the test's nats-server.
    pub fn nats_url(&self) -> String {
        self.nats
            .as_ref()
            .expect("nats runs until the harness is dropped")
            .url()
    }

    /// A NATS connection to the test's server.
    pub async fn bus(&self) -> Bus {
        Bus::connect(&NatsConfig::single(&self.nats_url()), "circulars tests")
            .await
            .expect("NATS connects")
    }

    /// Every `relay-activity.<relay>` report the dispatchers publish from now on, gathered as
    /// they come (by a task that lives as long as the test's runtime).
    pub async fn relay_reports(
        &self,
        relay: &str,
    ) -> std::sync::Arc<std::sync::Mutex<Vec<circulars_core::events::RelayActivity>>> {
        use circulars_core::events::{Contract, RelayActivity, RELAY_ACTIVITY_PREFIX};
        use futures::StreamExt;
        let mut reports = self
            .bus()
            .await
            .client
            .subscribe(format!("{RELAY_ACTIVITY_PREFIX}{relay}"))
            .await
            .expect("a subscription to the relay reports");
        let heard: std::sync::Arc<std::sync::Mutex<Vec<RelayActivity>>> = Default::default();
        let gathered = heard.clone();
        tokio::spawn(async move {
            while let Some(message) = reports.next().await {
                let report = RelayActivity::decode(&message.subject, &message.payload)
                    .expect("a relay report as the contract says");
                gathered.lock().unwrap().push(report);
            }
        });
        heard
    }

    /// Waits until the circular's audience is frozen and every recipient is in a final state.
    pub async fn wait_until_delivered(&self, circular: &str) -> CircularStatus {
        let id: CircularId = circular.parse().expect("a circular id");
        let store = self.store().await;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let status = store
                .circular_status(&id)
                .await
                .expect("status is readable");
            if status.is_complete() {
                store.close().await;
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{circular} did not finish: {status:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the dispatcher has handled every job: the work queue is empty and its
    /// consumer has nothing pending or unacknowledged.
    pub async fn wait_until_jobs_handled(&self) {
        let bus = self.bus().await;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let mut stream = bus
                .jetstream
                .get_stream(circulars_core::nats::MAIL_OUTBOUND_STREAM)
                .await
                .expect("the work queue exists");
            let messages = stream.info().await.expect("stream info").state.messages;
            if messages == 0 {
                return;
            }
            assert!(Instant::now() < deadline, "{messages} jobs still queued");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every mail the SMTP server stored, in arrival order.
    pub fn mails(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.smtp().out_dir())
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|x| x == "eml"));
        files.sort();
        files.iter().map(|f| parse_mail(f)).collect()
    }

    /// The stored `.eml` files per envelope recipient (their `Delivered-To` line, near the
    /// top), read without parsing the mails: for stories counting thousands of copies.
    pub fn mail_files(&self) -> std::collections::BTreeMap<String, Vec<PathBuf>> {
        use std::io::BufRead;
        let mut files: std::collections::BTreeMap<String, Vec<PathBuf>> = Default::default();
        for entry in std::fs::read_dir(self.smtp().out_dir()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "eml") {
                continue;
            }
            let reader = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
            let recipient = reader
                .lines()
                .take(10)
                .map(Result::unwrap)
                .find_map(|l| l.strip_prefix("Delivered-To:").map(|r| r.trim().to_owned()))
                .unwrap_or_else(|| panic!("{} has no Delivered-To line", path.display()));
            files.entry(recipient).or_default().push(path);
        }
        files
    }

    /// Mails stored per envelope recipient.
    pub fn copies(&self) -> std::collections::BTreeMap<String, usize> {
        let mut n = std::collections::BTreeMap::new();
        for mail in self.mails() {
            *n.entry(mail.recipient).or_default() += 1;
        }
        n
    }

    /// The states the delivery of `circular` to `address` went through, with their attempts,
    /// oldest first.
    pub async fn history(
        &self,
        circular: &str,
        address: &str,
    ) -> Vec<(circulars_core::domain::DeliveryEvent, u32)> {
        let store = self.store().await;
        let history = store
            .delivery_history(
                &circular.parse().expect("a circular id"),
                &circulars_core::domain::RecipientAddress::parse(address).expect("an address"),
            )
            .await
            .expect("the history is readable");
        store.close().await;
        history.into_iter().map(|e| (e.event, e.attempt)).collect()
    }
}

/// Parses one stored `.eml` file.
pub fn parse_mail(file: &Path) -> Mail {
    let raw = std::fs::read(file).expect("the mail is readable");
    let message = mail_parser::MessageParser::default()
        .parse(&raw)
        .unwrap_or_else(|| panic!("{} is not a mail", file.display()));
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    Mail {
        recipient: header("Delivered-To"),
        language: header("Content-Language"),
        subject: message.subject().unwrap_or_default().to_owned(),
        message_id: header("Message-ID"),
        text: message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        html: message
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        return_path: header("Return-Path"),
        list_unsubscribe: header("List-Unsubscribe"),
        list_unsubscribe_post: header("List-Unsubscribe-Post"),
        reply_to: header("Reply-To"),
        attachments: message
            .attachments()
            .map(|a| {
                (
                    a.attachment_name().unwrap_or_default().to_owned(),
                    a.contents().to_vec(),
                )
            })
            .collect(),
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(nats) = self.nats.take() {
            nats.stop();
        }
        // The SMTP server task ends with the test's runtime; dropping it cancels it.
        drop(self.smtp.take());
    }
}
