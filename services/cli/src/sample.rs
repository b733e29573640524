//! `circulars run-sample`: the README's run command. On a fresh run folder under the data
//! folder it starts nats-server and the capture SMTP server on free loopback ports, runs the
//! five services in one child process (`serve all`), imports the directory, drafts and issues
//! the circular, waits until every recipient is in a final state (or the timeout), prints the
//! summary and the folder of delivered mails, and stops what it started.

use crate::report;
use anyhow::{bail, Context, Result};
use circulars_capture_smtp::{CaptureServer, RecipientRules};
use circulars_core::config::Config;
use circulars_core::domain::DeliveryState;
use circulars_core::nats::control::DispatchState;
use circulars_core::nats::Bus;
use circulars_local_servers::{die_with_parent, free_port, LocalNatsServer};
use circulars_store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Runs the sample end to end; exit code 1 when a delivery failed or the timeout passed.
pub async fn run_sample(
    circular: &Path,
    directory: &Path,
    data: &Path,
    timeout: Duration,
) -> Result<ExitCode> {
    let data =
        std::path::absolute(data).with_context(|| format!("data folder {}", data.display()))?;
    let run = new_run_folder(&data)?;
    println!("run folder: {}", run.display());

    let nats = LocalNatsServer::start(&run.join("nats")).context("starting nats-server")?;
    let mail_dir = run.join("mail");
    let capture =
        CaptureServer::start(([127, 0, 0, 1], 0).into(), &mail_dir, RecipientRules::new())
            .await
            .context("starting the capture SMTP server")?;
    let config_file = run.join("circulars.toml");
    std::fs::write(
        &config_file,
        format!(
            "data_dir = {data_dir:?}\n[nats]\nurl = {nats_url:?}\n[database]\nurl = {db:?}\n[smtp.relays.capture]\nhost = \"127.0.0.1\"\nport = {smtp}\n[gateway]\nlisten = \"127.0.0.1:{http}\"\n",
            data_dir = run.display().to_string(),
            nats_url = nats.url(),
            db = format!("sqlite://{}", run.join("circulars.db").display()),
            smtp = capture.local_addr().port(),
            http = free_port()?,
        ),
    )?;
    let config = Config::load(Some(&config_file))?;

    let result = drive(
        &config,
        &config_file,
        &run,
        circular,
        directory,
        &mail_dir,
        timeout,
    )
    .await;

    capture.shutdown().await;
    nats.stop();
    let _ = std::fs::remove_dir_all(run.join("nats").join("jetstream"));
    result
}

async fn drive(
    config: &Config,
    config_file: &Path,
    run: &Path,
    circular: &Path,
    directory: &Path,
    mail_dir: &Path,
    timeout: Duration,
) -> Result<ExitCode> {
    let mut services = Services::start(config_file, &run.join("services.log"))?;
    let store = Store::open(config.database_url()).await?;
    let bus = Bus::connect(&config.nats.url, "circulars run-sample").await?;

    import_directory(&store, directory).await?;
    // Until the demo accounts exist, the sample is drafted and issued by the system user
    // without approval.
    let policy = circulars_lifecycle::Policy {
        approval_required: false,
    };
    let actor = circulars_core::domain::Actor::system("run-sample");
    let (id, _) = circulars_lifecycle::draft_file(
        &store,
        policy,
        &actor,
        circular,
        config.mail.max_annex_bytes,
    )
    .await?;
    println!("drafted {id}");
    circulars_lifecycle::issue(&store, &bus, policy, &actor, &id).await?;
    println!(
        "issued {id}; waiting for every recipient to reach a final state (at most {} s)",
        timeout.as_secs()
    );

    let started = Instant::now();
    let mut last_report = Instant::now();
    let status = loop {
        let status = store.circular_status(&id).await?;
        if status.is_complete() {
            break status;
        }
        if let Some(exit) = services.exited()? {
            bail!(
                "the services stopped ({exit}); see {}",
                run.join("services.log").display()
            );
        }
        if started.elapsed() > timeout {
            println!("timeout: not every recipient reached a final state");
            break status;
        }
        if last_report.elapsed() > Duration::from_secs(5) {
            println!(
                "  {} of {} recipients done",
                status.total.finished(),
                status.audience.unwrap_or(0)
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    services.stop().await;

    println!();
    // The sample is never paused: its sending state is what it sent.
    let dispatch = report::Dispatch::Known(DispatchState::Running);
    print!("{}", report::status_text(&status, &dispatch));
    let failed = store
        .deliveries_in_state(&id, DeliveryState::Failed)
        .await?;
    for f in &failed {
        let why = f
            .reply
            .as_ref()
            .map(ToString::to_string)
            .or(f.detail.clone())
            .unwrap_or_default();
        println!("failed: {} ({why})", f.address);
    }
    let delivered = std::fs::read_dir(mail_dir)?
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml"))
        })
        .count();
    println!();
    println!("{delivered} delivered mails (.eml) in:");
    println!("{}", mail_dir.display());
    store.close().await;
    Ok(if status.is_complete() && failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Imports every `.csv` file of `directory`, in name order, saying how many contacts each holds.
async fn import_directory(store: &Store, directory: &Path) -> Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(directory)
        .with_context(|| format!("reading {}", directory.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no .csv files in {}", directory.display());
    }
    for file in &files {
        let actor = format!("import {} (run-sample)", file.display());
        let report = circulars_contacts::import::import_file(store, file, &actor, false).await?;
        println!(
            "imported {}: {} contacts",
            file.display(),
            report.contacts_created + report.contacts_updated + report.unchanged
        );
    }
    Ok(())
}

/// A fresh folder `<data>/runs/<UTC time>` for this run's database, mails and logs.
fn new_run_folder(data: &Path) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    for n in 0..100 {
        let name = if n == 0 {
            stamp.clone()
        } else {
            format!("{stamp}-{n}")
        };
        let path = data.join("runs").join(name);
        if !path.exists() {
            std::fs::create_dir_all(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            return Ok(path);
        }
    }
    bail!(
        "cannot find a free run folder under {}",
        data.join("runs").display()
    )
}

/// The `circulars serve all` child process.
struct Services {
    child: std::process::Child,
}

impl Services {
    fn start(config_file: &Path, log: &Path) -> Result<Services> {
        let exe = std::env::current_exe().context("finding the circulars binary")?;
        let log_file = std::fs::File::create(log)?;
        let mut command = std::process::Command::new(exe);
        command
            .arg("--config")
            .arg(config_file)
            .args(["serve", "all"])
            .stdin(std::process::Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        die_with_parent(&mut command);
        Ok(Services {
            child: command.spawn().context("starting `circulars serve all`")?,
        })
    }

    fn exited(&mut self) -> Result<Option<std::process::ExitStatus>> {
        Ok(self.child.try_wait()?)
    }

    /// SIGTERM, then wait for the services to finish their work in flight (SIGKILL after 30 s).
    async fn stop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
