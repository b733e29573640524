//! `circulars directory …` and `circulars audience`: staff's commands on the directory.

use anyhow::{Context, Result};
use circulars_contacts::import::import_file;
use circulars_contacts::personal;
use circulars_core::config::Config;
use circulars_core::domain::{Category, CircularId, RecipientAddress, TopicId};
use circulars_store::{DirectoryMatch, ImportReport, Store, Topic};
use clap::Subcommand;
use std::path::{Path, PathBuf};

/// The directory's subcommands.
#[derive(Subcommand)]
pub enum DirectoryCommand {
    /// Import directory CSV files; each file is stored whole or not at all, and importing the
    /// same file again changes nothing.
    Import {
        /// The CSV files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Report what would change, and store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Contacts whose address, name, addressee key or addressee name contains TEXT (ASCII
    /// letters compared without case), as the console's directory page finds them.
    Search {
        /// The text searched for (none: every contact).
        #[arg(default_value = "")]
        text: String,
        /// How many at most.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// How many to skip.
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Write the whole directory as one CSV file in the import format (`-` for standard output).
    Export {
        /// Where to write.
        #[arg(default_value = "-")]
        file: PathBuf,
    },
    /// Everything held about one address, as JSON: contacts, topic choices, suppression, the
    /// circulars that named it with their deliveries, and the audit trail. Recorded in the audit
    /// trail.
    Report {
        /// The e-mail address.
        address: String,
        /// Where to write (`-` for standard output).
        #[arg(long, default_value = "-")]
        out: PathBuf,
    },
    /// Erase a person: delete the address's contacts and topic choices, and put a keyed
    /// pseudonym in its place in audiences, deliveries, suppressions and the audit trail.
    /// Refused while a circular to it is still being delivered.
    Forget {
        /// The e-mail address.
        address: String,
    },
    /// Lift an address's suppression for hard bounces (its mailbox works again). A suppression
    /// the recipient asked for (unsubscribed, complained) cannot be lifted.
    Unsuppress {
        /// The e-mail address.
        address: String,
    },
    /// Categories of addressees beyond the standard ones.
    Category {
        #[command(subcommand)]
        command: CategoryCommand,
    },
    /// Topics of optional circulars.
    Topic {
        #[command(subcommand)]
        command: TopicCommand,
    },
}

/// `circulars directory category …`
#[derive(Subcommand)]
pub enum CategoryCommand {
    /// Add a category (its wording per language goes in locales/<lang>/ as `category-<id>`).
    Add {
        /// The id, e.g. regional-offices.
        id: String,
        /// Its name, for staff.
        #[arg(long)]
        name: String,
    },
}

/// `circulars directory topic …`
#[derive(Subcommand)]
pub enum TopicCommand {
    /// Add a topic of optional circulars.
    Add {
        /// The id, e.g. tsb-events.
        id: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// Only those who opted in receive it (by default everyone does but those who opted out).
        #[arg(long)]
        opt_in: bool,
    },
}

/// Who staff's commands are recorded as in the audit trail.
pub fn operator() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown user".to_owned())
}

/// Runs one directory subcommand.
pub async fn run(store: &Store, config: &Config, command: DirectoryCommand) -> Result<()> {
    match command {
        DirectoryCommand::Report { address, out } => {
            let address = RecipientAddress::parse(&address)?;
            let actor = format!("cli (by {})", operator());
            let report = personal::report(store, &address, &actor).await?;
            let json = serde_json::to_string_pretty(&report)? + "\n";
            if out == Path::new("-") {
                print!("{json}");
            } else {
                std::fs::write(&out, json).with_context(|| format!("writing {}", out.display()))?;
                eprintln!(
                    "everything held about {address} written to {}",
                    out.display()
                );
            }
        }
        DirectoryCommand::Unsuppress { address } => {
            let address = RecipientAddress::parse(&address)?;
            let actor = format!("cli (by {})", operator());
            match store.lift_bounce_suppression(&address, &actor).await? {
                Some(s) => println!(
                    "{address} receives circulars again (suppressed since {} because {}: {})",
                    s.since.format("%Y-%m-%d"),
                    s.reason.as_str(),
                    s.detail
                ),
                None => println!("{address} is not suppressed; nothing changed"),
            }
        }
        DirectoryCommand::Search {
            text,
            limit,
            offset,
        } => print!(
            "{}",
            search_table(&store.search_directory(&text, limit, offset).await?)
        ),
        DirectoryCommand::Forget { address } => forget(store, config, &address).await?,
        DirectoryCommand::Import { files, dry_run } => {
            for file in files {
                let actor = format!("import {} (by {})", file.display(), operator());
                let report = import_file(store, &file, &actor, dry_run).await?;
                print!("{}", import_summary(&file, &report, dry_run));
            }
        }
        DirectoryCommand::Export { file } => {
            let contacts = store.all_contacts().await?;
            if file == Path::new("-") {
                circulars_contacts::export::write_csv(&contacts, std::io::stdout().lock())?;
            } else {
                let out = std::fs::File::create(&file)
                    .with_context(|| format!("creating {}", file.display()))?;
                circulars_contacts::export::write_csv(&contacts, std::io::BufWriter::new(out))?;
                eprintln!("{} contacts written to {}", contacts.len(), file.display());
            }
        }
        DirectoryCommand::Category {
            command: CategoryCommand::Add { id, name },
        } => {
            let category = Category::parse(&id)?;
            let actor = format!("cli (by {})", operator());
            if store.add_category(&category, &name, &actor).await? {
                println!("category {category} added");
            } else {
                println!("category {category} exists already");
            }
        }
        DirectoryCommand::Topic {
            command: TopicCommand::Add { id, name, opt_in },
        } => {
            let topic = Topic {
                id: TopicId::parse(&id)?,
                name,
                opt_in,
            };
            let actor = format!("cli (by {})", operator());
            if store.add_topic(&topic, &actor).await? {
                println!("topic {} added", topic.id);
            } else {
                println!("topic {} exists already", topic.id);
            }
        }
    }
    Ok(())
}

/// `circulars directory forget ADDRESS`: erases a person, saying what was held.
async fn forget(store: &Store, config: &Config, address: &str) -> Result<()> {
    let address = RecipientAddress::parse(address)?;
    let keyring = config.tokens.keyring()?;
    if keyring.is_development() {
        eprintln!(
            "warning: the public development token key is in use: anyone can tell which \
             address its pseudonyms stand for (configure [tokens] keys)"
        );
    }
    let actor = format!("cli (by {})", operator());
    let (pseudonym, s) = personal::forget(store, &keyring, &address, &actor).await?;
    if s.found() {
        println!(
            "forgot {address}: {} contacts, {} topic choices and {} chosen languages deleted; now {pseudonym} in \
             {} audiences, {} exclusions, {} deliveries ({} history rows), {} audit entries{}",
            s.contacts,
            s.subscriptions,
            s.language_choices,
            s.audiences,
            s.exclusions,
            s.deliveries,
            s.history,
            s.audit_entries,
            if s.suppression {
                " and the suppression list"
            } else {
                ""
            }
        );
    } else {
        println!("nothing held about {address}; the request is recorded as {pseudonym}");
    }
    Ok(())
}

/// `circulars audience ID`: the counts a circular's audience would have today.
pub async fn audience(store: &Store, id: &CircularId) -> Result<()> {
    let counts = circulars_contacts::audience::dry_run(store, id).await?;
    print!("{counts}");
    Ok(())
}

/// `directory search`: one line per contact found.
fn search_table(found: &[DirectoryMatch]) -> String {
    let mut out = format!(
        "{:<40} {:<30} {:<40} {}\n",
        "address", "name", "addressee", "status"
    );
    for m in found {
        out.push_str(&format!(
            "{:<40} {:<30} {:<40} {}\n",
            m.address_written,
            m.name,
            m.addressee.to_string(),
            if m.active { "active" } else { "inactive" }
        ));
    }
    if found.is_empty() {
        out.push_str("(no contact matches)\n");
    }
    out
}

fn import_summary(file: &Path, r: &ImportReport, dry_run: bool) -> String {
    let mut out = String::new();
    let verb = if dry_run { "would change" } else { "changed" };
    if r.changed() {
        out.push_str(&format!(
            "{}: {verb}: addressees {} new, {} updated; contacts {} new, {} updated; {} topic choices; {} unsubscribed; {} rows unchanged\n",
            file.display(),
            r.addressees_created,
            r.addressees_updated,
            r.contacts_created,
            r.contacts_updated,
            r.subscriptions_changed,
            r.suppressions_added,
            r.unchanged
        ));
    } else {
        out.push_str(&format!(
            "{}: no changes ({} rows already as the file says)\n",
            file.display(),
            r.unchanged
        ));
    }
    for kept in &r.kept {
        out.push_str(&format!("  kept: {kept}\n"));
    }
    if dry_run {
        out.push_str("  (dry run: nothing stored)\n");
    }
    out
}
