//! `circulars bounces …`: returned mail read by hand. `parse` prints what the bounce intake
//! would read in each message, one JSON line per address, and needs no configuration, database
//! or running service.

use anyhow::Result;
use circulars_bounce_reports::Kind;
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
    /// `kind`, `status`, `diagnostic`), without touching the database. FILE is one message
    /// (`.eml`) or an mbox of many.
    Parse {
        /// `.eml` or mbox files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Runs a `bounces` command that needs no configuration.
pub fn run_offline(command: &BouncesCommand) -> Result<ExitCode> {
    match command {
        BouncesCommand::Parse { files } => parse(files),
    }
}

/// One line of `bounces parse`.
#[derive(Serialize)]
struct Line<'a> {
    /// The path as given.
    file: &'a str,
    /// The bare address, empty when the report names none.
    recipient: &'a str,
    kind: Kind,
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
        let messages = match messages(path) {
            Ok(messages) => messages,
            Err(e) => {
                eprintln!("error: {name}: {e}");
                unreadable += 1;
                continue;
            }
        };
        for raw in messages {
            let report = circulars_bounce_reports::parse(&raw);
            if report.findings.is_empty() {
                let line = Line {
                    file: &name,
                    recipient: "",
                    kind: report.kind,
                    status: None,
                    diagnostic: None,
                };
                print_line(&mut out, &line)?;
            }
            for finding in &report.findings {
                let line = Line {
                    file: &name,
                    recipient: &finding.recipient,
                    kind: finding.kind,
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

fn print_line(out: &mut impl io::Write, line: &Line<'_>) -> Result<()> {
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
