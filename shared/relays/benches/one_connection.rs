//! Mails per second over one connection to Postfix's `smtp-sink`, lettre's connection (the
//! relays' SMTP before this client: four round trips a mail, lettre's own dot-stuffing pass)
//! against ours (the envelope pipelined, the message stuffed as it is written), in the same
//! run, rounds alternating; also ours against a sink that does not offer PIPELINING (`-p`).
//! Figures are ratios and CPU per mail of this process, never asserted.
//!
//! `cargo bench -p circulars-relays --bench one_connection [-- MAILS ROUNDS]` (default 2000
//! mails, 3 rounds). Needs `smtp-sink` (Debian: `apt-get install postfix`, "No
//! configuration"); says so and stops without it.

use circulars_core::config::Config;
use circulars_core::domain::OutgoingMail;
use circulars_relays::Relays;
use lettre::address::Envelope;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where `smtp-sink` is, if installed (Debian puts it in /usr/sbin).
fn smtp_sink() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join("smtp-sink"))
        .find(|p| p.is_file())
}

/// A running `smtp-sink` on a loopback port, killed when dropped.
struct Sink {
    child: Child,
    port: u16,
}

impl Sink {
    fn start(binary: &PathBuf, pipelining: bool) -> Result<Sink, BoxError> {
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))?
            .local_addr()?
            .port();
        let mut command = Command::new(binary);
        if is_root() {
            command.args(["-u", "nobody"]);
        }
        if !pipelining {
            command.arg("-p");
        }
        command
            .arg(format!("127.0.0.1:{port}"))
            .arg("100")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = command.spawn()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("smtp-sink did not listen".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(Sink { child, port })
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether this process runs as root (smtp-sink then wants `-u`).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|ids| ids.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false)
}

/// CPU time (user and system) this process has used, from `/proc/self/stat`.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// A circular-sized message (about 20 KB, CRLF, a few lines starting with '.').
fn message(to: &str) -> Vec<u8> {
    let mut m = format!(
        "From: TSB <tsb@itu.example>\r\nTo: {to}\r\nSubject: TSB Circular 36\r\n\
         Message-ID: <tsb-36.x@circulars.itu.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n"
    );
    for n in 0..280 {
        if n % 40 == 0 {
            m.push_str(".. a line that starts with a dot, as quoted text sometimes does\r\n");
        } else {
            m.push_str(
                "Dear Sir/Madam, the Telecommunication Standardization Bureau informs you.\r\n",
            );
        }
    }
    m.into_bytes()
}

/// One round: `mails` mails over lettre's connection; mails per second and CPU per mail.
async fn lettre_round(port: u16, mails: usize) -> Result<(f64, Duration), BoxError> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    tcp.set_nodelay(true)?;
    let mut connection =
        AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &ClientId::default()).await?;
    let envelope = Envelope::new(
        Some("bounce+tsb36@circulars.itu.example".parse()?),
        vec!["ana@example.org".parse()?],
    )?;
    let body = message("ana@example.org");
    let (start, cpu_start) = (Instant::now(), cpu());
    for _ in 0..mails {
        connection.send(&envelope, &body).await?;
    }
    let (elapsed, used) = (start.elapsed(), cpu() - cpu_start);
    connection.quit().await?;
    Ok((mails as f64 / elapsed.as_secs_f64(), used / mails as u32))
}

/// One round: `mails` mails through the relays (one connection); mails per second and CPU
/// per mail.
async fn our_round(port: u16, mails: usize) -> Result<(f64, Duration), BoxError> {
    let toml =
        format!("[smtp.relays.sink]\nhost = \"127.0.0.1\"\nport = {port}\nconnections = 1\n");
    let config = Config::from_sources(Some(("bench.toml", &toml)), Vec::new())?;
    let relays = Relays::from_config(&config.smtp)?;
    let mail = OutgoingMail {
        return_path: "bounce+tsb36@circulars.itu.example".to_owned(),
        recipient: "ana@example.org".to_owned(),
        message: message("ana@example.org"),
    };
    // The session is opened by the first mail, outside the measure, as lettre's above.
    relays.send(&mail).await.result?;
    let (start, cpu_start) = (Instant::now(), cpu());
    for _ in 0..mails {
        relays.send(&mail).await.result?;
    }
    let (elapsed, used) = (start.elapsed(), cpu() - cpu_start);
    Ok((mails as f64 / elapsed.as_secs_f64(), used / mails as u32))
}

fn main() -> Result<(), BoxError> {
    let Some(binary) = smtp_sink() else {
        println!("one_connection: skipped: Postfix's smtp-sink is not installed");
        return Ok(());
    };
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let mails = args.first().copied().unwrap_or(2000);
    let rounds = args.get(1).copied().unwrap_or(3);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let with = Sink::start(&binary, true)?;
    let without = Sink::start(&binary, false)?;
    let mut figures: [Vec<(f64, Duration)>; 3] = Default::default();
    for _ in 0..rounds {
        figures[0].push(runtime.block_on(lettre_round(with.port, mails))?);
        figures[1].push(runtime.block_on(our_round(with.port, mails))?);
        figures[2].push(runtime.block_on(our_round(without.port, mails))?);
    }
    let median = |runs: &[(f64, Duration)]| {
        let mut rates: Vec<f64> = runs.iter().map(|r| r.0).collect();
        rates.sort_by(f64::total_cmp);
        let mut cpus: Vec<Duration> = runs.iter().map(|r| r.1).collect();
        cpus.sort();
        (rates[rates.len() / 2], cpus[cpus.len() / 2])
    };
    let (lettre, ours, unpipelined) = (
        median(&figures[0]),
        median(&figures[1]),
        median(&figures[2]),
    );
    println!("{mails} mails of {} bytes per round, {rounds} rounds, medians, one connection to smtp-sink:", message("ana@example.org").len());
    println!("| client | mails/s | × lettre | client CPU per mail |");
    println!("|---|---:|---:|---:|");
    for (name, (rate, cpu)) in [
        ("lettre (before)", lettre),
        ("ours, PIPELINING", ours),
        ("ours, sink without PIPELINING (-p)", unpipelined),
    ] {
        println!(
            "| {name} | {rate:.0} | {:.2} | {} µs |",
            rate / lettre.0,
            cpu.as_micros()
        );
    }
    Ok(())
}
