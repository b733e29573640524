//! `circulars bounces …`: returned mail read by hand. `parse` prints what the bounce intake
//! would read in each message, one JSON line per address, and needs no configuration, database
//! or running service. `import` takes files of returned mail in as the intake would and applies
//! them at once; `list` shows the stored reports (by default those matching no delivery, for
//! operations), `show` one report's message exactly as received.

use anyhow::{bail, Context, Result};
use circulars_bounce_reports::{Kind, Reason};
use circulars_core::config::Config;
use circulars_returned_mail::reports::Matcher;
use circulars_store::{short_id, ReportState, Store};
use clap::Subcommand;
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `circulars bounces …`
#[derive(Subcommand)]
pub enum BouncesCommand {
    /// Print what each returned mail says, one JSON line per address (`file`, `recipient`,
    /// `final_recipient` when it differs, `kind`, `reason`, `status`, `diagnostic`), without touching the
    /// database. FILE is one message
    /// (`.eml`) or an mbox of many.
    Parse {
        /// `.eml` or mbox files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Take returned mail in from files, as the intake does (stored whole, matched, applied),
    /// printing one JSON line per message: `file`, `report`, `new`, `state`, `detail`.
    Import {
        /// `.eml` or mbox files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List stored returned mail in one state, oldest first.
    List {
        /// `unmatched` (the default), `received`, `applied` or `ignored`.
        #[arg(long, default_value = "unmatched")]
        state: String,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Print one stored message exactly as it was received.
    Show {
        /// The report's id (the full 64 hexadecimal digits, or at least its first 12).
        id: String,
    },
}

impl BouncesCommand {
    /// Whether the command needs no configuration or database.
    pub fn is_offline(&self) -> bool {
        matches!(self, BouncesCommand::Parse { .. })
    }
}

/// Runs a `bounces` command on the database of `config`.
pub async fn run(config: &Config, store: &Store, command: &BouncesCommand) -> Result<ExitCode> {
    match command {
        BouncesCommand::Parse { files } => parse(files),
        BouncesCommand::Import { files } => import(config, store, files).await,
        BouncesCommand::List { state, limit } => list(store, state, *limit).await,
        BouncesCommand::Show { id } => show(store, id).await,
    }
}

/// One line of `bounces import`.
#[derive(Serialize)]
struct Imported<'a> {
    file: &'a str,
    report: &'a str,
    /// False when the same message was stored before.
    new: bool,
    /// `applied`, `unmatched`, `ignored`; `null` when it was applied before.
    state: Option<&'static str>,
    detail: Option<&'a str>,
}

async fn import(config: &Config, store: &Store, files: &[PathBuf]) -> Result<ExitCode> {
    let matcher = Matcher {
        store: store.clone(),
        keyring: config.tokens.keyring()?,
        return_domain: config.mail.return_domain.clone(),
        message_id_domain: config.mail.message_id_domain.clone(),
    };
    let limit = config.bounces.max_message_bytes;
    let rule = config.directory.hard_bounce_rule();
    let mut failures = 0;
    let stdout = io::stdout();
    for path in files {
        let name = path.to_string_lossy();
        let Some(messages) = readable(path, &mut failures) else {
            continue;
        };
        for (n, raw) in messages.into_iter().enumerate() {
            if raw.len() > limit {
                eprintln!(
                    "error: {name}: message {}: {} bytes, more than bounces.max_message_bytes ({limit}); not imported",
                    n + 1,
                    raw.len()
                );
                failures += 1;
                continue;
            }
            let (received, decision) = circulars_returned_mail::intake::import(&matcher, raw, rule)
                .await
                .with_context(|| format!("{name}: message {}", n + 1))?;
            let line = Imported {
                file: &name,
                report: &received.event.report,
                new: received.new,
                state: decision.as_ref().map(|d| d.state.wire_name()),
                detail: decision.as_ref().map(|d| d.detail.as_str()),
            };
            print_line(&mut stdout.lock(), &line)?;
        }
    }
    Ok(if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn list(store: &Store, state: &str, limit: usize) -> Result<ExitCode> {
    let state: ReportState = state
        .parse()
        .map_err(|why| anyhow::anyhow!("--state: {why}"))?;
    let reports = store.inbound_reports(state, limit).await?;
    if reports.is_empty() {
        println!("no returned mail is {}", state.wire_name());
    }
    for r in &reports {
        println!(
            "{}  {}  {:<4}  {:>8} B  {} {}  {}",
            short_id(&r.id),
            r.received_at.format("%Y-%m-%d %H:%M:%S"),
            r.source.wire_name(),
            r.size,
            r.form,
            r.kind,
            r.detail.as_deref().unwrap_or("")
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(store: &Store, id: &str) -> Result<ExitCode> {
    let id = id.trim().to_ascii_lowercase();
    if id.len() < 12 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("'{id}' is not a report id: give at least its first 12 hexadecimal digits");
    }
    let Some(raw) = store.inbound_report_raw_by_prefix(&id).await? else {
        bail!("no stored returned mail, or more than one, has an id starting {id}");
    };
    io::Write::write_all(&mut io::stdout().lock(), &raw)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs a `bounces` command that needs no configuration ([`BouncesCommand::is_offline`]).
pub fn run_offline(command: &BouncesCommand) -> Result<ExitCode> {
    match command {
        BouncesCommand::Parse { files } => parse(files),
        _ => bail!("this bounces command needs the configuration"),
    }
}

/// One line of `bounces parse`.
#[derive(Serialize)]
struct Line<'a> {
    /// The path as given.
    file: &'a str,
    /// The bare address, empty when the report names none: the DSN's Original-Recipient when
    /// it has one (the address we sent to).
    recipient: &'a str,
    /// The address the mail finally went to, when the report gives one that differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    final_recipient: Option<&'a str>,
    kind: Kind,
    /// Why it failed (`user_unknown`, `mailbox_full`, …); `null` on a line naming nobody.
    reason: Option<Reason>,
    status: Option<&'a str>,
    diagnostic: Option<&'a str>,
}

/// Prints the lines of every file; a file that cannot be read is reported on stderr and the
/// command ends with status 1 after the others.
fn parse(files: &[PathBuf]) -> Result<ExitCode> {
    let mut unreadable = 0;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for path in files {
        let name = path.to_string_lossy();
        let Some(messages) = readable(path, &mut unreadable) else {
            continue;
        };
        for raw in messages {
            let report = circulars_bounce_reports::parse(&raw);
            if report.findings.is_empty() {
                let line = Line {
                    file: &name,
                    recipient: "",
                    final_recipient: None,
                    kind: report.kind,
                    reason: None,
                    status: None,
                    diagnostic: None,
                };
                print_line(&mut out, &line)?;
            }
            for finding in &report.findings {
                let line = Line {
                    file: &name,
                    recipient: &finding.recipient,
                    final_recipient: finding
                        .final_recipient
                        .as_deref()
                        .filter(|f| !f.eq_ignore_ascii_case(&finding.recipient)),
                    kind: finding.kind,
                    reason: Some(finding.reason),
                    status: finding.status.as_deref(),
                    diagnostic: finding.diagnostic.as_deref(),
                };
                print_line(&mut out, &line)?;
            }
        }
    }
    Ok(if unreadable > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The messages of `path`, or `None` after naming the file on stderr and counting a failure.
fn readable(path: &Path, failures: &mut usize) -> Option<Vec<Vec<u8>>> {
    match messages(path) {
        Ok(messages) => Some(messages),
        Err(e) => {
            eprintln!("error: {}: {e}", path.to_string_lossy());
            *failures += 1;
            None
        }
    }
}

/// Writes one JSON line.
fn print_line(out: &mut impl io::Write, line: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, line)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// The messages of a file: an mbox (its first line starts with `From `) gives each of its
/// messages, anything else is one message.
pub fn messages(path: &Path) -> io::Result<Vec<Vec<u8>>> {
    let mut reader = BufReader::new(File::open(path)?);
    if reader.fill_buf()?.starts_with(b"From ") {
        mail_parser::mailbox::mbox::MessageIterator::new(reader)
            .map(|message| message.map(|m| m.unwrap_contents()))
            .collect()
    } else {
        let mut raw = Vec::new();
        reader.read_to_end(&mut raw)?;
        Ok(vec![raw])
    }
}
