//! `--dispatchers 1,2,4`: the same circular through the services run as separate processes
//! (directory, composer, tracker, and N dispatchers), each dispatcher sending to one of two
//! `smtp-sink` processes in turn so that the sink is not the limit, and each N's throughput
//! as a ratio to one dispatcher's in the same run.
//!
//! `smtp.concurrency` and a relay's limits are the cluster's (the dispatchers share them), so
//! each run sets `concurrency = 8 × N`: every dispatcher keeps 8 mails in flight, as one does
//! alone. For each N it reports:
//!
//! - recipients per second from the start of `circulars issue` to the last mail the two sinks
//!   accepted, and that rate as a ratio to N = 1;
//! - the mails each dispatcher sent (`circulars_mails_total` on its `/metrics`) and its mean
//!   SMTP time per mail (`circulars_smtp_send_seconds`), and the composer's rendering time:
//!   where the time goes;
//! - CPU per recipient by process (each dispatcher, the other services, nats-server,
//!   PostgreSQL, the sinks), from `/proc/<pid>/stat`, and the machine's busy share. On a
//!   machine with fewer cores than processes, more dispatchers measure mostly their overhead:
//!   the CPU per recipient is what extrapolates to machines of their own.

use super::{machine_ticks, processes, stat_ticks, write_directory, BoxError, Sink};
use circulars_local_servers::free_port;
use circulars_store::Store;
use circulars_tests::{http, Db, Harness, Setup};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Mails in flight per dispatcher: the harness's `[smtp] concurrency` for one.
const IN_FLIGHT_EACH: usize = 8;

/// One run with `dispatchers` dispatcher processes.
pub struct Run {
    dispatchers: usize,
    size: usize,
    /// From the start of `circulars issue` to the last mail the sinks accepted.
    last_mail: Duration,
    /// Per dispatcher: mails sent and mean SMTP seconds per mail.
    per_dispatcher: Vec<(u64, f64)>,
    /// The composer's rendering time in all.
    render_seconds: f64,
    /// CPU seconds by process (`dispatcher 1`, `composer`, `nats-server`, …).
    cpu: BTreeMap<String, f64>,
    busy_share: f64,
}

/// Every process the report tells apart (a `circulars serve` process by its service), with
/// its CPU ticks so far; and the machine's busy and total ticks.
fn cpu_ticks() -> (BTreeMap<u32, (String, u64)>, u64, u64) {
    let mut by_pid = BTreeMap::new();
    for (pid, path) in processes() {
        let Some((comm, ticks)) = stat_ticks(&path.join("stat")) else {
            continue;
        };
        let name = match comm.as_str() {
            "circulars" => {
                let cmdline = std::fs::read(path.join("cmdline")).unwrap_or_default();
                let args: Vec<String> = cmdline
                    .split(|b| *b == 0)
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                match args.iter().position(|a| a == "serve") {
                    Some(i) => args.get(i + 1).cloned().unwrap_or_default(),
                    None => continue,
                }
            }
            "nats-server" | "postgres" | "smtp-sink" => comm,
            _ => continue,
        };
        by_pid.insert(pid, (name, ticks));
    }
    let (busy, total) = machine_ticks();
    (by_pid, busy, total)
}

/// The value of a metric line `name{labels} value` whose name and labels contain `wanted`.
fn metric(text: &str, name: &str, wanted: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name) && l.contains(wanted))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .fold(0.0, |sum, v| sum + v)
}

async fn scrape(port: u16) -> Result<String, BoxError> {
    let reply = http::http(
        "GET",
        &format!("http://127.0.0.1:{port}/metrics"),
        None,
        b"",
    )
    .await;
    if reply.status != 200 {
        return Err(format!("/metrics on {port}: {}", reply.status).into());
    }
    Ok(reply.body)
}

/// A circular to `size` recipients sent by `dispatchers` dispatcher processes.
pub async fn run(
    db: Db,
    size: usize,
    dispatchers: usize,
    sink_bin: &Path,
) -> Result<Run, BoxError> {
    let mut harness = Harness::start_setup(Setup::new(db)).await;
    let csv = harness.dir().join("directory.csv");
    write_directory(&csv, size)?;
    harness.circulars_ok(&["directory", "import", &csv.to_string_lossy()]);
    harness.draft_sample_circular();

    let sinks = [Sink::start(sink_bin)?, Sink::start(sink_bin)?];
    let config_file = harness.dir().join("circulars.toml");
    let config = std::fs::read_to_string(&config_file)?;
    let in_flight = "[smtp]\nconcurrency = 8\n";
    if !config.contains(in_flight) {
        return Err(format!("the harness's [smtp] section changed:\n{config}").into());
    }
    let config = config.replacen(
        in_flight,
        &format!("[smtp]\nconcurrency = {}\n", IN_FLIGHT_EACH * dispatchers),
        1,
    );
    std::fs::write(&config_file, config)?;

    let composer_port = free_port()?;
    harness.serve("directory");
    harness.serve_instance(
        "composer",
        "composer",
        &[(
            "CIRCULARS__COMPOSER__LISTEN",
            &format!("127.0.0.1:{composer_port}"),
        )],
    );
    harness.serve("tracker");
    let mut metrics_ports = Vec::new();
    for k in 0..dispatchers {
        let port = free_port()?;
        let sink_port = sinks[k % 2].port.to_string();
        let listen = format!("127.0.0.1:{port}");
        harness.serve_instance(
            "dispatcher",
            &format!("dispatcher-{}", k + 1),
            &[
                ("CIRCULARS__SMTP__RELAYS__CAPTURE__PORT", &sink_port),
                ("CIRCULARS__DISPATCHER__LISTEN", &listen),
            ],
        );
        metrics_ports.push(port);
    }
    // Every dispatcher has counted the others before the circular goes.
    let counted = format!("shared by {dispatchers} dispatcher(s)");
    let deadline = Instant::now() + Duration::from_secs(30);
    while dispatchers > 1
        && !(1..=dispatchers).all(|k| {
            harness
                .service_log(&format!("dispatcher-{k}"))
                .contains(&counted)
        })
    {
        if Instant::now() > deadline {
            return Err(format!("the dispatchers never counted {dispatchers}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let (before, busy_before, total_before) = cpu_ticks();
    let start = Instant::now();
    harness.circulars_ok(&["issue", "TSB-36"]);
    let deadline = Instant::now() + Duration::from_secs(120 + size as u64 / 100);
    let accepted = || sinks.iter().map(Sink::count).sum::<u64>();
    while accepted() < size as u64 {
        if Instant::now() > deadline {
            return Err(format!(
                "{dispatchers} dispatchers, {size} recipients: the sinks counted {} mails by the \
                 deadline; see {}",
                accepted(),
                harness.dir().display()
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let last_mail = sinks
        .iter()
        .filter_map(|s| s.counted().latest)
        .max()
        .ok_or("no last mail")?
        - start;
    let (after, busy_after, total_after) = cpu_ticks();

    let store = Store::open(harness.database_url()).await?;
    loop {
        let status = store.circular_status(&"TSB-36".parse()?).await?;
        if status.is_complete() {
            let sent = status
                .total
                .get(circulars_core::domain::DeliveryState::Sent);
            if sent != size as u64 {
                return Err(format!("{size} recipients, but: {status:?}").into());
            }
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("not every outcome recorded: {status:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    store.close().await;

    let mut per_dispatcher = Vec::new();
    for port in metrics_ports {
        let text = scrape(port).await?;
        let sent = metric(&text, "circulars_mails_total", "state=\"sent\"") as u64;
        let seconds = metric(&text, "circulars_smtp_send_seconds_sum", "");
        let count = metric(&text, "circulars_smtp_send_seconds_count", "");
        per_dispatcher.push((sent, seconds / count.max(1.0)));
    }
    let composer = scrape(composer_port).await?;
    let render_seconds = metric(&composer, "circulars_render_seconds_sum", "");
    harness.stop_services();

    // CPU by process between the issue and the last mail; dispatchers numbered by pid order,
    // which is their start order.
    let mut cpu = BTreeMap::new();
    let mut dispatcher_number = 0;
    for (pid, (name, ticks)) in &after {
        let was = before.get(pid).map_or(0, |(_, t)| *t);
        let seconds = ticks.saturating_sub(was) as f64 / 100.0;
        let name = if name == "dispatcher" {
            dispatcher_number += 1;
            format!("dispatcher {dispatcher_number}")
        } else {
            name.clone()
        };
        *cpu.entry(name).or_default() += seconds;
    }
    Ok(Run {
        dispatchers,
        size,
        last_mail,
        per_dispatcher,
        render_seconds,
        cpu,
        busy_share: (busy_after - busy_before) as f64 / (total_after - total_before).max(1) as f64,
    })
}

/// Recipients per second from issue to the last mail.
fn rate(run: &Run) -> f64 {
    run.size as f64 / run.last_mail.as_secs_f64()
}

/// `run`'s throughput as a ratio to `first`'s (the run with one dispatcher).
pub fn ratio(run: &Run, first: &Run) -> f64 {
    rate(run) / rate(first)
}

/// Prints one run, its throughput as a ratio to `first` (the run with one dispatcher).
pub fn report(run: &Run, first: Option<&Run>) {
    let ratio = first.map_or(1.0, |first| ratio(run, first));
    println!(
        "\n{} dispatcher(s), {} recipients: issue → last mail {:.2} s, {:.0} recipients/s = {ratio:.2} × one dispatcher (machine {:.0} % busy)",
        run.dispatchers,
        run.size,
        run.last_mail.as_secs_f64(),
        rate(run),
        run.busy_share * 100.0
    );
    for (k, (sent, smtp)) in run.per_dispatcher.iter().enumerate() {
        println!(
            "  dispatcher {}: {sent} mails, {:.2} ms SMTP per mail",
            k + 1,
            smtp * 1000.0
        );
    }
    println!("  composer: {:.2} s rendering in all", run.render_seconds);
    let cpu: Vec<String> = run
        .cpu
        .iter()
        .map(|(name, s)| format!("{name} {:.3}", s * 1000.0 / run.size as f64))
        .collect();
    println!("  CPU ms per recipient: {}", cpu.join(", "));
    println!("  {}", table_row(run, ratio));
}

/// One line of the table in docs/SCALING.md.
pub fn table_row(run: &Run, ratio: f64) -> String {
    let per = |name: &str| {
        run.cpu.get(name).map_or("–".to_owned(), |s| {
            format!("{:.3}", s * 1000.0 / run.size as f64)
        })
    };
    let dispatchers: f64 = run
        .cpu
        .iter()
        .filter(|(n, _)| n.starts_with("dispatcher "))
        .map(|(_, s)| s)
        .sum();
    format!(
        "| {} | {} | {:.2} | {:.0} | {ratio:.2} | {:.3} | {:.3} | {} | {} | {} | {} | {} | {:.0} % |",
        run.dispatchers,
        run.size,
        run.last_mail.as_secs_f64(),
        rate(run),
        dispatchers * 1000.0 / run.size as f64,
        dispatchers * 1000.0 / run.size as f64 / run.dispatchers as f64,
        per("composer"),
        per("tracker"),
        per("nats-server"),
        per("postgres"),
        per("smtp-sink"),
        run.busy_share * 100.0
    )
}

/// The table's heading.
pub const TABLE_HEAD: &str = "| dispatchers | recipients | issue → last mail (s) | recipients/s | × one dispatcher | CPU ms/recipient: dispatchers | per dispatcher | composer | tracker | nats-server | PostgreSQL | smtp-sink | machine busy |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
