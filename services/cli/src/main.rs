//! `circulars`: the one command of the project. Serves the six services (together or one at a
//! time), and gives staff and operators their commands: import the directory, draft, issue,
//! status, explain; `run-sample` issues the sample circular end to end on a fresh local setup.
//!
//! # Layout
//! - `main.rs`: the command line and the commands that call the service libraries
//! - `serve.rs`: `serve all|<service>`, with shutdown on SIGINT/SIGTERM
//! - `directory.rs`: `directory import|export|report|forget|category|topic` and `audience`
//! - `circular.rs`: `draft`, `submit`, `approve`, `send-back`, `issue`, `pause`, `resume`,
//!   `cancel`, each taken `--as` a staff account
//! - `dispatch.rs`: `relay limit`, and the dispatch state `status` shows
//! - `bounces.rs`: `bounces parse`, returned mail read without the database
//! - `preview.rs`: `preview`, the six versions of a circular before it is issued
//! - `report.rs`: status and summary output
//! - `sample.rs`: `run-sample`, the README's run command (four eyes: demo accounts approve it)
//! - `demo.rs`: the demo accounts and `try-console`, the README's command for the console
//! - `local.rs`: the local servers both start (nats-server, capture SMTP, `serve all`)
//! - `memory.rs`: the bound on glibc's malloc arenas, set before any thread starts
//! - `staff.rs`: `staff add|disable|roles|password|list|token`, and the account acting (`--as`)

mod bounces;
mod circular;
mod demo;
mod directory;
mod dispatch;
mod local;
mod memory;
mod preview;
mod report;
mod sample;
mod serve;
mod staff;

use anyhow::{bail, Context, Result};
use circular::Acting;
use circulars_core::config::{Config, LogFormat};
use circulars_core::domain::{CircularId, RecipientAddress};
use circulars_core::nats::control::DispatchState;
use circulars_core::telemetry;
use circulars_store::Store;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Compose official circulars in six languages and deliver them by e-mail.
#[derive(Parser)]
#[command(name = "circulars", version)]
struct Cli {
    /// Configuration file (TOML); `CIRCULARS__SECTION__KEY` variables override it.
    #[arg(long, global = true, env = "CIRCULARS_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run services: `all` in one process, or one of them.
    Serve {
        /// all, gateway, directory, composer, dispatcher or tracker.
        service: serve::Service,
    },
    /// The directory of addressees.
    Directory {
        #[command(subcommand)]
        command: directory::DirectoryCommand,
    },
    /// The audience a drafted circular would have if issued now: counts per category and language.
    Audience {
        /// The circular's id.
        id: String,
    },
    /// Store a circular file as a draft (or replace its unissued draft); prints its id.
    Draft {
        /// The circular file (TOML).
        file: PathBuf,
        #[command(flatten)]
        acting: Acting,
    },
    /// Hand a draft to the approvers.
    Submit {
        /// The circular's id.
        id: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// Approve a submitted circular as it stands (not one you drafted or last edited).
    Approve {
        /// The circular's id.
        id: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// Return a submitted circular to draft, saying what to change.
    SendBack {
        /// The circular's id.
        id: String,
        /// What the drafter should change.
        #[arg(long)]
        comment: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// The six language versions of a circular file, as files (`--out`) or as test mails (`--send-to`).
    Preview {
        /// The circular file (TOML).
        file: PathBuf,
        /// Write DIR/<lang>.html, .txt, .eml and DIR/index.html.
        #[arg(long, required_unless_present = "send_to")]
        out: Option<PathBuf>,
        /// Send the six versions to this address through the configured relay, marked as a test copy.
        #[arg(long)]
        send_to: Option<String>,
    },
    /// Issue a drafted circular: its audience is frozen and the mails go out.
    Issue {
        /// The circular's id, e.g. TSB-36.
        id: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// Stop sending an issued circular for now; the mails not yet sent wait in the queue.
    Pause {
        /// The circular's id.
        id: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// Send a paused circular again.
    Resume {
        /// The circular's id.
        id: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// Stop sending an issued circular for good: every mail not yet sent is recorded `cancelled`.
    Cancel {
        /// The circular's id.
        id: String,
        #[command(flatten)]
        acting: Acting,
    },
    /// Staff accounts and their API tokens.
    Staff(staff::StaffArgs),
    /// Returned mail: bounces, complaints and mailed unsubscribes.
    Bounces {
        #[command(subcommand)]
        command: bounces::BouncesCommand,
    },
    /// The SMTP relays.
    Relay {
        #[command(subcommand)]
        command: dispatch::RelayCommand,
    },
    /// Delivery counts per state, language and category.
    Status {
        /// The circular's id.
        id: String,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Why an address is, or is not, on a circular's list.
    Explain {
        /// The circular's id.
        id: String,
        /// The e-mail address.
        address: String,
    },
    /// A capture SMTP server that stores every accepted mail as an .eml file (local runs, tests).
    CaptureSmtp {
        /// Where to listen (loopback).
        #[arg(long, default_value = "127.0.0.1:2525")]
        listen: std::net::SocketAddr,
        /// The folder to store the .eml files in.
        #[arg(long)]
        out: PathBuf,
        /// Answer a recipient's RCPT TO with a reply: `ADDRESS=CODE TEXT` (repeatable).
        #[arg(long = "reply")]
        replies: Vec<String>,
    },
    /// The staff console with demo accounts for the four roles and the sample drafted, on local
    /// servers, until Ctrl-C; prints the console's address and the accounts' passwords.
    TryConsole {
        /// The circular file drafted.
        #[arg(long, default_value = "samples/circulars/tsb-36.toml")]
        circular: PathBuf,
        /// The folder of directory CSV files.
        #[arg(long, default_value = "samples/directory")]
        directory: PathBuf,
        /// The data folder; each run gets its own folder under `<data>/console/`.
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
    /// Issue the sample circular end to end: local nats-server, capture SMTP server, the five
    /// services, the sample directory; prints the summary and the folder of delivered mails.
    RunSample {
        /// The circular file.
        #[arg(long, default_value = "samples/circulars/tsb-36.toml")]
        circular: PathBuf,
        /// The folder of directory CSV files.
        #[arg(long, default_value = "samples/directory")]
        directory: PathBuf,
        /// The data folder; each run gets its own folder under `<data>/runs/`.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Seconds to wait for every recipient to reach a final state.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
}

fn main() -> std::process::ExitCode {
    memory::limit_malloc_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(Cli::parse()))
}

async fn run(cli: Cli) -> std::process::ExitCode {
    // `serve` logs as its configuration's `[log] format` says, once that is loaded.
    match cli.command {
        Command::Serve { .. } => {}
        // Without traces nothing needs flushing at the end.
        Command::CaptureSmtp { .. } => drop(telemetry::init("info", LogFormat::Text, None)),
        _ => drop(telemetry::init("warn", LogFormat::Text, None)),
    }
    match execute(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", said_once(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

async fn execute(cli: Cli) -> Result<std::process::ExitCode> {
    let load = || Config::load(cli.config.as_deref()).map_err(anyhow::Error::from);
    match cli.command {
        Command::Bounces { command } if command.is_offline() => {
            return bounces::run_offline(&command)
        }
        Command::Bounces { command } => {
            let config = load()?;
            let store = store(&config).await?;
            return bounces::run(&config, &store, &command).await;
        }
        Command::Serve { service } => {
            let config = load()?;
            let traces = config
                .telemetry
                .otlp_endpoint
                .clone()
                .map(|endpoint| telemetry::Traces {
                    endpoint,
                    service: serve::resource_name(service),
                    mail_spans: config.telemetry.mail_spans,
                });
            let telemetry = telemetry::init("info", config.log.format, traces)?;
            let served = serve::serve(config, service).await;
            // The spans of the last work go out before the process ends.
            telemetry.shutdown().await;
            served?
        }
        Command::Directory { command } => {
            let config = load()?;
            let store = store(&config).await?;
            directory::run(&store, &config, command).await?;
        }
        Command::Staff(args) => staff::run(&store(&load()?).await?, args).await?,
        Command::Audience { id } => {
            let store = store(&load()?).await?;
            directory::audience(&store, &circular_id(&id)?).await?;
        }
        Command::Draft { file, acting } => {
            let config = load()?;
            circular::draft(&config, &store(&config).await?, &acting, &file).await?;
        }
        Command::Submit { id, acting } => {
            let config = load()?;
            let store = store(&config).await?;
            circular::submit(&config, &store, &acting, &circular_id(&id)?).await?;
        }
        Command::Approve { id, acting } => {
            let config = load()?;
            let store = store(&config).await?;
            circular::approve(&config, &store, &acting, &circular_id(&id)?).await?;
        }
        Command::SendBack {
            id,
            comment,
            acting,
        } => {
            let config = load()?;
            let store = store(&config).await?;
            circular::send_back(&config, &store, &acting, &circular_id(&id)?, &comment).await?;
        }
        Command::Preview { file, out, send_to } => {
            let config = load()?;
            if let Some(out) = out {
                preview::write(&config, &file, &out)?;
            }
            if let Some(address) = send_to {
                preview::send(&config, &file, &address).await?;
            }
        }
        Command::Issue { id, acting } => {
            let config = load()?;
            let store = store(&config).await?;
            circular::issue(&config, &store, &acting, &circular_id(&id)?).await?;
        }
        Command::Pause { id, acting } => {
            set_dispatch_state(&load()?, &acting, &id, DispatchState::Paused).await?
        }
        Command::Resume { id, acting } => {
            set_dispatch_state(&load()?, &acting, &id, DispatchState::Running).await?
        }
        Command::Cancel { id, acting } => {
            set_dispatch_state(&load()?, &acting, &id, DispatchState::Cancelled).await?
        }
        Command::Relay { command } => {
            let config = load()?;
            dispatch::relay(&config, &store(&config).await?, command).await?
        }
        Command::Status { id, json } => {
            let config = load()?;
            let store = store(&config).await?;
            report::status(&config, &store, &circular_id(&id)?, json).await?;
        }
        Command::Explain { id, address } => {
            let store = store(&load()?).await?;
            let address = RecipientAddress::parse(&address)?;
            let explanation =
                circulars_contacts::explain::explain(&store, &circular_id(&id)?, &address).await?;
            print!("{explanation}");
        }
        Command::CaptureSmtp {
            listen,
            out,
            replies,
        } => capture_smtp(listen, &out, &replies).await?,
        Command::TryConsole {
            circular,
            directory,
            data,
        } => return demo::try_console(&circular, &directory, &data).await,
        Command::RunSample {
            circular,
            directory,
            data,
            timeout,
        } => {
            return sample::run_sample(
                &circular,
                &directory,
                &data,
                std::time::Duration::from_secs(timeout),
            )
            .await
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// An error and its causes on one line, each said once: a cause whose words the message
/// above it already shows (errors that print their source) is not repeated.
fn said_once(error: &anyhow::Error) -> String {
    let mut line = error.to_string();
    let mut above = line.clone();
    for cause in error.chain().skip(1) {
        let words = cause.to_string();
        if !above.contains(&words) {
            line.push_str(": ");
            line.push_str(&words);
        }
        above = words;
    }
    line
}

/// `circulars capture-smtp`: a capture server on a loopback address until SIGINT or SIGTERM.
async fn capture_smtp(
    listen: std::net::SocketAddr,
    out: &std::path::Path,
    replies: &[String],
) -> Result<()> {
    if !listen.ip().is_loopback() {
        bail!("capture-smtp listens on loopback addresses only, not {listen}");
    }
    let mut rules = circulars_capture_smtp::RecipientRules::new();
    for rule in replies {
        let (address, code, text) = circulars_capture_smtp::parse_reply_rule(rule)?;
        rules = rules.reply(&address, code, &text);
    }
    let server = circulars_capture_smtp::CaptureServer::start(listen, out, rules).await?;
    println!(
        "capture SMTP server on {}; mails go to {}",
        server.local_addr(),
        out.display()
    );
    serve::shutdown_signal().await;
    server.shutdown().await;
    Ok(())
}

async fn store(config: &Config) -> Result<Store> {
    Store::open(config.database_url())
        .await
        .with_context(|| format!("opening the database {}", config.database_url()))
}

async fn set_dispatch_state(
    config: &Config,
    acting: &Acting,
    id: &str,
    state: DispatchState,
) -> Result<()> {
    let store = store(config).await?;
    circular::set_dispatch_state(config, &store, acting, &circular_id(id)?, state).await
}

fn circular_id(id: &str) -> Result<CircularId> {
    Ok(id.parse::<CircularId>()?)
}

#[cfg(test)]
mod tests {
    use super::said_once;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read {file}: {source}")]
    struct ShowsItsSource {
        file: &'static str,
        source: std::io::Error,
    }

    #[test]
    fn each_cause_is_said_once() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let shown = anyhow::Error::new(ShowsItsSource {
            file: "tsb-36.toml",
            source: io(),
        });
        assert_eq!(said_once(&shown), "cannot read tsb-36.toml: no such file");
        let context = anyhow::Error::new(io()).context("drafting");
        assert_eq!(said_once(&context), "drafting: no such file");
        let both = shown.context("drafting");
        assert_eq!(
            said_once(&both),
            "drafting: cannot read tsb-36.toml: no such file"
        );
    }
}
