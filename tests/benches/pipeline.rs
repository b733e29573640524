//! A circular to a whole audience through the whole pipeline, against the physical limit.
//!
//! For each size N it generates a directory of N contacts (addressees of four contacts in six
//! of the circular's categories, every contact active, the six languages in equal shares),
//! imports it with `circulars directory import`, drafts the sample circular TSB-36 and issues it
//! with `circulars issue`, while `circulars serve all` (the six services in one process, a real
//! nats-server, SQLite or PostgreSQL) sends to Postfix's `smtp-sink`. In the same run, the
//! **baseline**: Postfix's `smtp-source` sends the same six language versions (as `circulars
//! preview` writes them, N/6 each) to a fresh `smtp-sink` with as many parallel sessions as the
//! dispatcher's `[smtp] concurrency`, reusing its connections (`-d`): what this machine's
//! loopback SMTP can carry.
//!
//! For each database and DKIM setting (off, Ed25519; RSA-2048 separately) it reports:
//!
//! - recipients per second from the start of `circulars issue` to the last mail the sink
//!   accepted (the sink's own counter), and that rate as a ratio to the smtp-source rate; beside
//!   it the rate from the first mail to the last (the sending phase alone);
//! - the time from the start of `circulars issue` to the first mail the sink accepted (the
//!   sink's counter, read as it prints it), and when `issue` returned;
//! - the peak resident memory of the `circulars serve all` process (`VmHWM` of
//!   `/proc/<pid>/status`, read after the last mail, before the process is stopped);
//! - where the CPU went during the run: CPU seconds per process (`circulars`, `nats-server`,
//!   `postgres`, `smtp-sink`, the bench itself) from `/proc/<pid>/stat`, and the machine's busy
//!   share from `/proc/stat`.
//!
//! `cargo bench -p circulars-tests --bench pipeline -- --sizes 10000,100000
//! [--databases sqlite,postgres] [--dkim off,ed25519] [--rsa-sizes 10000]`. Needs Postfix's
//! `smtp-sink` and `smtp-source` (Debian: `apt-get install postfix`, "No configuration").
//!
//! With `--dispatchers 1,2,4` it measures instead how the services scale as separate
//! processes with that many dispatchers (the [`dispatchers`] module; docs/SCALING.md):
//! `cargo bench -p circulars-tests --bench pipeline -- --dispatchers 1,2,4 --sizes 20000
//! --databases postgres`.
//!
//! Under `cargo test` it sends a circular to 120 recipients on SQLite as a smoke test, once in
//! one process and once with two dispatcher processes, and skips (saying why) when `smtp-sink`
//! is not installed.

#[path = "pipeline/dispatchers.rs"]
mod dispatchers;

use circulars_local_servers::{die_with_parent, free_port};
use circulars_store::Store;
use circulars_tests::{circulars_binary, workspace, Db, Harness, Setup, DIRECTORY_HEADER};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error>;

const SINK: &str = "smtp-sink";
const SOURCE: &str = "smtp-source";
/// The dispatcher's `[smtp] concurrency` in the harness's configuration: smtp-source's sessions.
const CONCURRENCY: usize = 8;
const LANGUAGES: [&str; 6] = ["ar", "zh", "en", "fr", "ru", "es"];
/// Six of the sample circular's categories.
const CATEGORIES: [&str; 6] = [
    "member-states",
    "sector-members",
    "associates",
    "academia",
    "permanent-missions",
    "international-organizations",
];
const CONTACTS_PER_ADDRESSEE: usize = 4;

/// Where a Postfix tool is, if installed (Debian puts them in /usr/sbin).
fn postfix_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A running `smtp-sink` on a loopback port, and the count of messages it accepted, read from
/// its running counters (`-c`) as it prints them.
struct Sink {
    child: Child,
    port: u16,
    state: Arc<Mutex<Counted>>,
    count: Arc<AtomicU64>,
}

/// When the sink accepted its first and its latest message.
#[derive(Default, Clone, Copy)]
struct Counted {
    first: Option<Instant>,
    latest: Option<Instant>,
}

impl Sink {
    fn start(binary: &Path) -> Result<Sink, BoxError> {
        let port = free_port()?;
        let mut command = Command::new(binary);
        if nix::unistd::Uid::effective().is_root() {
            command.args(["-u", "nobody"]);
        }
        command
            .arg("-c")
            .arg(format!("127.0.0.1:{port}"))
            .arg("1000")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        die_with_parent(&mut command);
        let mut child = command.spawn()?;
        let mut stdout = child.stdout.take().ok_or("the sink's output")?;
        let state = Arc::new(Mutex::new(Counted::default()));
        let count = Arc::new(AtomicU64::new(0));
        let (thread_state, thread_count) = (state.clone(), count.clone());
        std::thread::spawn(move || {
            // Counter lines: `sess=3 quit=3 mesg=19997\r`, printed when a session ends, at QUIT
            // and at each "." received.
            let mut buf = [0u8; 8192];
            let mut line = Vec::new();
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let now = Instant::now();
                for &b in &buf[..n] {
                    if b != b'\r' && b != b'\n' {
                        line.push(b);
                        continue;
                    }
                    let text = String::from_utf8_lossy(&line);
                    if let Some(mesg) = text
                        .split_whitespace()
                        .find_map(|w| w.strip_prefix("mesg="))
                        .and_then(|v| v.parse::<u64>().ok())
                    {
                        if mesg > thread_count.load(Ordering::Relaxed) {
                            thread_count.store(mesg, Ordering::Relaxed);
                            let mut s = thread_state.lock().expect("not poisoned");
                            s.first.get_or_insert(now);
                            s.latest = Some(now);
                        }
                    }
                    line.clear();
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("smtp-sink did not listen".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // That probe is a session without mail: it changes no `mesg` count.
        Ok(Sink {
            child,
            port,
            state,
            count,
        })
    }

    fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    fn counted(&self) -> Counted {
        *self.state.lock().expect("not poisoned")
    }

    /// Waits until the sink has accepted `n` messages; false at the deadline.
    fn wait_for(&self, n: u64, deadline: Instant, mut alive: impl FnMut() -> bool) -> bool {
        while self.count() < n {
            if Instant::now() > deadline || !alive() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        true
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The six language versions of the sample circular as `circulars preview` writes them, with
/// LF line ends (smtp-source appends CRLF to each line it reads).
fn preview_messages(harness: &Harness) -> Result<Vec<(String, PathBuf, usize)>, BoxError> {
    let out = harness.dir().join("preview");
    let file = workspace().join("samples/circulars/tsb-36.toml");
    harness.circulars_ok(&[
        "preview",
        &file.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    let mut messages = Vec::new();
    for lang in LANGUAGES {
        let raw = std::fs::read(out.join(format!("{lang}.eml")))?;
        let size = raw.len();
        let lf: Vec<u8> = String::from_utf8(raw)?.replace("\r\n", "\n").into_bytes();
        let path = out.join(format!("{lang}.source.eml"));
        std::fs::write(&path, lf)?;
        messages.push((lang.to_owned(), path, size));
    }
    Ok(messages)
}

/// What smtp-source achieved: messages, seconds.
struct Baseline {
    messages: u64,
    time: Duration,
    sizes: Vec<(String, usize)>,
}

/// smtp-source sends N messages (N/6 of each language version) to a fresh sink, one language
/// after the other, `CONCURRENCY` sessions each reusing its connection.
fn baseline(
    sink_bin: &Path,
    source_bin: &Path,
    messages: &[(String, PathBuf, usize)],
    n: usize,
) -> Result<Baseline, BoxError> {
    let sink = Sink::start(sink_bin)?;
    let per_language: Vec<usize> = (0..LANGUAGES.len())
        .map(|i| n / LANGUAGES.len() + usize::from(i < n % LANGUAGES.len()))
        .collect();
    let start = Instant::now();
    for ((_, file, _), &count) in messages.iter().zip(&per_language) {
        if count == 0 {
            continue;
        }
        let status = Command::new(source_bin)
            .args(["-s", &CONCURRENCY.min(count).to_string(), "-d"])
            .args(["-m", &count.to_string()])
            .arg("-F")
            .arg(file)
            .args(["-f", "bounce@circulars.itu.example"])
            .args(["-t", "person@org.example"])
            .arg(format!("127.0.0.1:{}", sink.port))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()?;
        if !status.success() {
            return Err(format!("smtp-source exited with {status}").into());
        }
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    if !sink.wait_for(n as u64, deadline, || true) {
        return Err(format!("the sink counted {} of {n} messages", sink.count()).into());
    }
    let time = sink.counted().latest.unwrap_or_else(Instant::now) - start;
    Ok(Baseline {
        messages: n as u64,
        time,
        sizes: messages.iter().map(|(l, _, s)| (l.clone(), *s)).collect(),
    })
}

/// A directory CSV of `n` active contacts, the six languages in turn.
fn write_directory(file: &Path, n: usize) -> Result<(), BoxError> {
    let mut csv = String::with_capacity(n * 120);
    csv.push_str(DIRECTORY_HEADER);
    for c in 0..n {
        let a = c / CONTACTS_PER_ADDRESSEE;
        writeln!(
            csv,
            "org-{a},Organisation {a},,{category},person.{c}@org{a}.example,Person {c},{lang},,active,",
            category = CATEGORIES[a % CATEGORIES.len()],
            lang = LANGUAGES[c % LANGUAGES.len()],
        )?;
    }
    std::fs::write(file, csv)?;
    Ok(())
}

/// DKIM settings of a run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dkim {
    Off,
    Ed25519,
    Rsa,
}

impl Dkim {
    fn name(self) -> &'static str {
        match self {
            Dkim::Off => "off",
            Dkim::Ed25519 => "Ed25519",
            Dkim::Rsa => "RSA-2048",
        }
    }

    fn section(self) -> String {
        let (algorithm, key) = match self {
            Dkim::Off => return String::new(),
            Dkim::Ed25519 => ("ed25519", "ed25519.pkcs8.pem"),
            Dkim::Rsa => ("rsa", "rsa-2048.pkcs8.pem"),
        };
        let key = workspace()
            .join("shared/render/tests/fixtures/dkim")
            .join(key);
        format!(
            "\n[dkim]\nenabled = true\nalgorithm = {algorithm:?}\ndomain = \"itu.example\"\n\
             selector = \"circulars\"\nprivate_key_file = {:?}\n",
            key.display().to_string()
        )
    }
}

/// CPU ticks per process name, and the machine's busy and total ticks.
#[derive(Default, Clone)]
struct CpuSnapshot {
    by_name: BTreeMap<String, u64>,
    busy: u64,
    total: u64,
}

/// The process names the report tells apart; the rest is "other".
fn process_group(comm: &str, bench: &str) -> &'static str {
    match comm {
        "circulars" => "circulars serve all",
        "nats-server" => "nats-server",
        "postgres" => "postgres",
        "smtp-sink" => "smtp-sink",
        c if c == bench => "bench (polling, issue)",
        _ => "other",
    }
}

fn cpu_snapshot() -> CpuSnapshot {
    let bench: String = std::fs::read_to_string("/proc/self/comm")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let mut snap = CpuSnapshot::default();
    for (_, path) in processes() {
        if let Some((comm, ticks)) = stat_ticks(&path.join("stat")) {
            *snap
                .by_name
                .entry(process_group(&comm, &bench).to_owned())
                .or_default() += ticks;
        }
    }
    (snap.busy, snap.total) = machine_ticks();
    snap
}

/// Every process: its pid and its `/proc/<pid>` folder.
fn processes() -> impl Iterator<Item = (u32, PathBuf)> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_string_lossy().parse().ok()?, e.path())))
}

/// A process's or thread's name and the CPU ticks it used so far (user and system), from its
/// `stat` file.
fn stat_ticks(stat: &Path) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(stat).ok()?;
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    // Fields after the name: state(3) … utime(14) stime(15).
    let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    let ticks = [11usize, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    Some((stat[open + 1..close].to_owned(), ticks))
}

/// The machine's busy and total CPU ticks so far, from `/proc/stat`.
fn machine_ticks() -> (u64, u64) {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return (0, 0);
    };
    let Some(line) = stat.lines().next() else {
        return (0, 0);
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

/// The CPU each thread of `pid` used so far, by thread name (ticks).
fn thread_ticks(pid: u32) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            if let Some((name, ticks)) = stat_ticks(&task.path().join("stat")) {
                *out.entry(name).or_default() += ticks;
            }
        }
    }
    out
}

/// The pid of the `circulars serve all` child of this process.
fn serve_pid() -> Option<u32> {
    let me = std::process::id();
    processes().find_map(|(pid, path)| {
        let stat = std::fs::read_to_string(path.join("stat")).ok()?;
        let close = stat.rfind(')')?;
        let ppid: u32 = stat[close + 2..].split_whitespace().nth(1)?.parse().ok()?;
        let cmdline = std::fs::read(path.join("cmdline")).ok()?;
        let serving = cmdline.split(|b| *b == 0).any(|a| a == b"serve");
        (ppid == me && serving).then_some(pid)
    })
}

/// `VmHWM` (peak resident set) of `pid`, in bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    status_kib(pid, "VmHWM:").map(|kib| kib * 1024)
}

/// One `/proc/<pid>/status` field given in KiB (`VmHWM:`, `VmRSS:`).
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One pipeline run's figures.
struct Run {
    db: Db,
    size: usize,
    dkim: Dkim,
    import: Duration,
    issue_returned: Duration,
    first_mail: Duration,
    last_mail: Duration,
    all_recorded: Duration,
    sent: u64,
    peak_rss: u64,
    /// `VmRSS` when the sink had counted 10 %, 20 %, … of the mails.
    rss_by_tenth: Vec<u64>,
    cpu: Vec<(String, f64)>,
    busy_share: f64,
    threads: Vec<(String, f64)>,
}

fn ticks_per_second() -> f64 {
    // The kernel's USER_HZ, 100 on every Linux this runs on.
    100.0
}

async fn pipeline(db: Db, size: usize, dkim: Dkim, sink_bin: &Path) -> Result<Run, BoxError> {
    let mut harness = Harness::start_setup(Setup::new(db)).await;
    let csv = harness.dir().join("directory.csv");
    write_directory(&csv, size)?;
    let start = Instant::now();
    harness.circulars_ok(&["directory", "import", &csv.to_string_lossy()]);
    let import = start.elapsed();
    harness.draft_sample_circular();

    // Point the relay at a fresh sink and set DKIM.
    let sink = Sink::start(sink_bin)?;
    let config_file = harness.dir().join("circulars.toml");
    let config = std::fs::read_to_string(&config_file)?;
    let capture_port = harness.smtp().local_addr().port();
    let relay = format!("[smtp.relays.capture]\nhost = \"127.0.0.1\"\nport = {capture_port}\n");
    if !config.contains(&relay) {
        return Err(format!("the harness's relay section changed:\n{config}").into());
    }
    let config = config.replacen(
        &relay,
        &format!(
            "[smtp.relays.capture]\nhost = \"127.0.0.1\"\nport = {}\n",
            sink.port
        ),
        1,
    ) + &dkim.section();
    std::fs::write(&config_file, config)?;

    harness.serve("all");
    let pid = serve_pid().ok_or("the serve child's pid")?;
    let threads_before = thread_ticks(pid);
    let before = cpu_snapshot();
    let start = Instant::now();
    harness.circulars_ok(&["issue", "TSB-36"]);
    let issue_returned = start.elapsed();

    let deadline = Instant::now() + Duration::from_secs(120 + size as u64 / 200);
    // The resident set as the mails go, read when the sink passes each tenth of them: flat
    // means the memory does not grow with the audience.
    let mut rss_by_tenth = Vec::with_capacity(10);
    let alive = || {
        let tenths = (sink.count() * 10 / size as u64) as usize;
        if tenths > rss_by_tenth.len() {
            if let Some(kib) = status_kib(pid, "VmRSS:") {
                rss_by_tenth.resize(tenths, kib * 1024);
            }
        }
        std::path::Path::new(&format!("/proc/{pid}")).exists()
    };
    if !sink.wait_for(size as u64, deadline, alive) {
        return Err(format!(
            "{size} recipients: the sink counted {} mails by the deadline; see {}",
            sink.count(),
            harness.dir().join("serve-all.log").display()
        )
        .into());
    }
    let counted = sink.counted();
    let after = cpu_snapshot();
    let threads_after = thread_ticks(pid);
    let peak = peak_rss(pid).unwrap_or(0);

    let store = Store::open(harness.database_url()).await?;
    let status = loop {
        let status = store.circular_status(&"TSB-36".parse()?).await?;
        if status.is_complete() {
            break status;
        }
        if Instant::now() > deadline {
            return Err(format!("not every outcome recorded: {status:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let all_recorded = start.elapsed();
    store.close().await;
    let sent = status
        .total
        .get(circulars_core::domain::DeliveryState::Sent);
    if sent != size as u64 || status.audience != Some(size as u64) {
        return Err(format!("{size} recipients, but: {status:?}").into());
    }
    harness.stop_services();

    let hz = ticks_per_second();
    let cpu = after
        .by_name
        .iter()
        .map(|(name, &t)| {
            let was = before.by_name.get(name).copied().unwrap_or(0);
            (name.clone(), t.saturating_sub(was) as f64 / hz)
        })
        .filter(|(_, s)| *s > 0.0)
        .collect();
    let mut threads: Vec<(String, f64)> = threads_after
        .iter()
        .map(|(name, &t)| {
            let was = threads_before.get(name).copied().unwrap_or(0);
            (name.clone(), t.saturating_sub(was) as f64 / hz)
        })
        .filter(|(_, s)| *s > 0.0)
        .collect();
    threads.sort_by(|a, b| b.1.total_cmp(&a.1));
    let first = counted.first.ok_or("no first mail")?;
    let latest = counted.latest.ok_or("no last mail")?;
    Ok(Run {
        db,
        size,
        dkim,
        import,
        issue_returned,
        first_mail: first - start,
        last_mail: latest - start,
        all_recorded,
        sent,
        peak_rss: peak,
        rss_by_tenth,
        cpu,
        busy_share: (after.busy - before.busy) as f64 / (after.total - before.total).max(1) as f64,
        threads,
    })
}

fn db_name(db: Db) -> &'static str {
    match db {
        Db::Sqlite => "SQLite",
        Db::Postgres => "PostgreSQL",
    }
}

fn report(run: &Run, base: &Baseline) {
    let base_rate = base.messages as f64 / base.time.as_secs_f64();
    let (rate, sending) = rates(run);
    println!(
        "\n{}, {} recipients, DKIM {} (directory imported in {:.1} s)",
        db_name(run.db),
        run.size,
        run.dkim.name(),
        run.import.as_secs_f64()
    );
    println!(
        "  issue → last mail {:.2} s: {:.0} recipients/s = {:.2} × smtp-source ({:.0}/s)",
        run.last_mail.as_secs_f64(),
        rate,
        rate / base_rate,
        base_rate
    );
    println!(
        "  first → last mail: {:.0} recipients/s = {:.2} × smtp-source",
        sending,
        sending / base_rate
    );
    println!(
        "  issue returned after {:.3} s; first mail {:.3} s after issue started; \
         all {} outcomes recorded after {:.2} s",
        run.issue_returned.as_secs_f64(),
        run.first_mail.as_secs_f64(),
        run.sent,
        run.all_recorded.as_secs_f64()
    );
    println!(
        "  peak RSS of circulars serve all (VmHWM): {:.1} MiB",
        run.peak_rss as f64 / (1024.0 * 1024.0)
    );
    let tenths: Vec<String> = run
        .rss_by_tenth
        .iter()
        .map(|b| format!("{:.1}", *b as f64 / (1024.0 * 1024.0)))
        .collect();
    println!(
        "  RSS (MiB) at 10 %, 20 %, … 90 % of the mails: {}",
        tenths.join(", ")
    );
    let cpu: Vec<String> = run
        .cpu
        .iter()
        .map(|(n, s)| format!("{n} {s:.1} s"))
        .collect();
    println!(
        "  CPU from issue to last mail: {} (machine {:.0} % busy)",
        cpu.join(", "),
        run.busy_share * 100.0
    );
    let threads: Vec<String> = run
        .threads
        .iter()
        .take(6)
        .map(|(n, s)| format!("{n} {s:.1} s"))
        .collect();
    println!("  circulars threads: {}", threads.join(", "));
    println!("  {}", table_row(run, base_rate));
}

/// Recipients per second from issue to the last mail, and from the first mail to the last.
fn rates(run: &Run) -> (f64, f64) {
    let rate = run.size as f64 / run.last_mail.as_secs_f64();
    let sending = (run.size as f64 - 1.0) / (run.last_mail - run.first_mail).as_secs_f64();
    (rate, sending)
}

/// Milliseconds of CPU per recipient that the processes of `group` used from issue to the last
/// mail ("–" for a process the run did not have, PostgreSQL's on SQLite).
fn cpu_per_recipient(run: &Run, group: &str) -> String {
    run.cpu
        .iter()
        .find(|(name, _)| name == group)
        .map_or("–".to_owned(), |(_, seconds)| {
            format!("{:.3}", seconds * 1000.0 / run.size as f64)
        })
}

/// One line of the results table in docs/BENCHMARKS.md: the ten columns it has always had, then
/// CPU per recipient by process.
fn table_row(run: &Run, base_rate: f64) -> String {
    let (rate, sending) = rates(run);
    format!(
        "| {} | {} | {} | {:.2} | {:.0} | {:.2} | {:.0} | {:.2} | {:.3} | {:.1} MiB | {} | {} | {} | {} |",
        db_name(run.db),
        run.size,
        run.dkim.name(),
        run.last_mail.as_secs_f64(),
        rate,
        rate / base_rate,
        sending,
        sending / base_rate,
        run.first_mail.as_secs_f64(),
        run.peak_rss as f64 / (1024.0 * 1024.0),
        cpu_per_recipient(run, "circulars serve all"),
        cpu_per_recipient(run, "nats-server"),
        cpu_per_recipient(run, "postgres"),
        cpu_per_recipient(run, "smtp-sink"),
    )
}

fn argument(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn list<T>(
    name: &str,
    default: Vec<T>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, BoxError> {
    match argument(name) {
        Some(list) => Ok(list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse(s.trim()))
            .collect::<Result<_, _>>()?),
        None => Ok(default),
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let (Some(sink_bin), Some(source_bin)) = (postfix_tool(SINK), postfix_tool(SOURCE)) else {
        let why = "Postfix's smtp-sink and smtp-source are not installed \
                   (Debian: apt-get install postfix, \"No configuration\")";
        if benchmarking {
            return Err(why.into());
        }
        println!("pipeline bench skipped: {why}");
        return Ok(());
    };
    let sizes: Vec<usize> = list(
        "--sizes",
        if benchmarking {
            vec![10_000, 100_000]
        } else {
            vec![120]
        },
        |s| s.parse().map_err(|e| format!("--sizes {s}: {e}")),
    )?;
    let databases = list(
        "--databases",
        if benchmarking {
            vec![Db::Sqlite, Db::Postgres]
        } else {
            vec![Db::Sqlite]
        },
        |s| match s {
            "sqlite" => Ok(Db::Sqlite),
            "postgres" => Ok(Db::Postgres),
            other => Err(format!("unknown database {other}: sqlite or postgres")),
        },
    )?;
    let dkims = list(
        "--dkim",
        if benchmarking {
            vec![Dkim::Off, Dkim::Ed25519]
        } else {
            vec![Dkim::Off]
        },
        |s| match s {
            "off" => Ok(Dkim::Off),
            "ed25519" => Ok(Dkim::Ed25519),
            "rsa" => Ok(Dkim::Rsa),
            other => Err(format!("unknown DKIM setting {other}: off, ed25519 or rsa")),
        },
    )?;
    let rsa_sizes: Vec<usize> = list(
        "--rsa-sizes",
        if benchmarking { vec![10_000] } else { vec![] },
        |s| s.parse().map_err(|e| format!("--rsa-sizes {s}: {e}")),
    )?;
    let dispatcher_counts: Vec<usize> = list(
        "--dispatchers",
        if benchmarking { vec![] } else { vec![2] },
        |s| match s.parse() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "--dispatchers {s}: a number of dispatchers, 1 or more"
            )),
        },
    )?;
    println!(
        "circulars binary: {}; {CONCURRENCY} SMTP sessions",
        circulars_binary().display()
    );
    if benchmarking && !dispatcher_counts.is_empty() {
        return scaling(&databases, &sizes, &dispatcher_counts, &sink_bin).await;
    }

    let mut runs = Vec::new();
    for &size in &sizes {
        // The baseline, on the preview of the same circular.
        let scratch = Harness::start(Db::Sqlite).await;
        let messages = preview_messages(&scratch)?;
        let base = baseline(&sink_bin, &source_bin, &messages, size)?;
        drop(scratch);
        let sizes: Vec<String> = base
            .sizes
            .iter()
            .map(|(l, s)| format!("{l} {:.1} KiB", *s as f64 / 1024.0))
            .collect();
        println!(
            "\nbaseline, {size} messages ({}): smtp-source -s {CONCURRENCY} -d, {:.2} s, {:.0} messages/s",
            sizes.join(", "),
            base.time.as_secs_f64(),
            base.messages as f64 / base.time.as_secs_f64()
        );
        let mut variants: Vec<(Db, Dkim)> = databases
            .iter()
            .flat_map(|&db| dkims.iter().map(move |&d| (db, d)))
            .collect();
        if rsa_sizes.contains(&size) && !dkims.contains(&Dkim::Rsa) {
            variants.push((Db::Sqlite, Dkim::Rsa));
        }
        for (db, dkim) in variants {
            let run = pipeline(db, size, dkim, &sink_bin).await?;
            report(&run, &base);
            runs.push((run, base.messages as f64 / base.time.as_secs_f64()));
        }
    }

    println!(
        "\n| database | recipients | DKIM | issue → last mail (s) | recipients/s | × smtp-source | \
         sending only /s | × smtp-source | first mail (s) | peak RSS | CPU ms/recipient: circulars | \
         nats-server | PostgreSQL | smtp-sink |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (run, base_rate) in &runs {
        println!("{}", table_row(run, *base_rate));
    }
    if !dispatcher_counts.is_empty() {
        scaling(&databases, &sizes, &dispatcher_counts, &sink_bin).await?;
    }
    Ok(())
}

/// The services as separate processes with each number of dispatchers, on each database and
/// size, each throughput as a ratio to one dispatcher's in the same run (or to the first count
/// given when it is not one).
async fn scaling(
    databases: &[Db],
    sizes: &[usize],
    counts: &[usize],
    sink_bin: &Path,
) -> Result<(), BoxError> {
    let mut rows = Vec::new();
    for &db in databases {
        for &size in sizes {
            let mut runs: Vec<dispatchers::Run> = Vec::new();
            for &n in counts {
                let run = dispatchers::run(db, size, n, sink_bin).await?;
                dispatchers::report(&run, runs.first());
                runs.push(run);
            }
            for run in &runs {
                let ratio = dispatchers::ratio(run, &runs[0]);
                rows.push(format!(
                    "| {} {}",
                    db_name(db),
                    dispatchers::table_row(run, ratio)
                ));
            }
        }
    }
    println!("\n| database {}", dispatchers::TABLE_HEAD);
    for row in rows {
        println!("{row}");
    }
    Ok(())
}
