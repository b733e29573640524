//! A local setup on a fresh run folder under the data folder: nats-server and the capture SMTP
//! server on free loopback ports, a configuration naming them (SQLite in the run folder), and
//! the services in one child process (`serve all`); what `run-sample` and `try-console` start,
//! and stop again.

use anyhow::{bail, Context, Result};
use circulars_capture_smtp::{CaptureServer, RecipientRules};
use circulars_core::config::Config;
use circulars_local_servers::{die_with_parent, free_port, LocalNatsServer};
use circulars_store::Store;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The servers of one local run and the configuration that names them.
pub struct LocalSetup {
    /// The run's folder (database, mails, logs, NATS store).
    pub run: PathBuf,
    /// Where the capture SMTP server stores what it accepts.
    pub mail_dir: PathBuf,
    /// The configuration file written for the run.
    pub config_file: PathBuf,
    /// That configuration, loaded.
    pub config: Config,
    /// Where the gateway listens.
    pub gateway_port: u16,
    nats: LocalNatsServer,
    capture: CaptureServer,
}

impl LocalSetup {
    /// Starts nats-server and the capture SMTP server for a fresh folder `<data>/<kind>/<time>`.
    pub async fn start(data: &Path, kind: &str) -> Result<LocalSetup> {
        let data =
            std::path::absolute(data).with_context(|| format!("data folder {}", data.display()))?;
        let run = new_run_folder(&data.join(kind))?;
        println!("run folder: {}", run.display());
        let nats = LocalNatsServer::start(&run.join("nats")).context("starting nats-server")?;
        let mail_dir = run.join("mail");
        let capture =
            CaptureServer::start(([127, 0, 0, 1], 0).into(), &mail_dir, RecipientRules::new())
                .await
                .context("starting the capture SMTP server")?;
        let config_file = run.join("circulars.toml");
        let gateway_port = free_port()?;
        std::fs::write(
            &config_file,
            format!(
                "data_dir = {data_dir:?}\n[nats]\nurl = {nats_url:?}\n[database]\nurl = {db:?}\n[smtp.relays.capture]\nhost = \"127.0.0.1\"\nport = {smtp}\n[gateway]\nlisten = \"127.0.0.1:{gateway_port}\"\n",
                data_dir = run.display().to_string(),
                nats_url = nats.url(),
                db = format!("sqlite://{}", run.join("circulars.db").display()),
                smtp = capture.local_addr().port(),
            ),
        )?;
        let config = Config::load(Some(&config_file))?;
        Ok(LocalSetup {
            run,
            mail_dir,
            config_file,
            config,
            gateway_port,
            nats,
            capture,
        })
    }

    /// Starts `circulars serve all` on this setup, logging to `services.log` in the run folder.
    pub fn services(&self) -> Result<Services> {
        Services::start(&self.config_file, &self.run.join("services.log"))
    }

    /// Stops the servers and removes the NATS store (the database and the mails stay).
    pub async fn stop(self) {
        self.capture.shutdown().await;
        self.nats.stop();
        let _ = std::fs::remove_dir_all(self.run.join("nats").join("jetstream"));
    }
}

/// Imports every `.csv` file of `directory`, in name order, saying how many contacts each holds.
pub async fn import_directory(store: &Store, directory: &Path) -> Result<()> {
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
        let actor = format!("import {} (local run)", file.display());
        let report = circulars_contacts::import::import_file(store, file, &actor, false).await?;
        println!(
            "imported {}: {} contacts",
            file.display(),
            report.contacts_created + report.contacts_updated + report.unchanged
        );
    }
    Ok(())
}

/// A fresh folder `<runs>/<UTC time>` for this run's database, mails and logs.
fn new_run_folder(runs: &Path) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    for n in 0..100 {
        let name = if n == 0 {
            stamp.clone()
        } else {
            format!("{stamp}-{n}")
        };
        let path = runs.join(name);
        if !path.exists() {
            std::fs::create_dir_all(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            return Ok(path);
        }
    }
    bail!("cannot find a free run folder under {}", runs.display())
}

/// The `circulars serve all` child process.
pub struct Services {
    child: std::process::Child,
}

impl Services {
    /// Starts `circulars --config FILE serve all`, its output to `log`.
    pub fn start(config_file: &Path, log: &Path) -> Result<Services> {
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

    /// How the services ended, if they did.
    pub fn exited(&mut self) -> Result<Option<std::process::ExitStatus>> {
        Ok(self.child.try_wait()?)
    }

    /// SIGTERM, then wait for the services to finish their work in flight (SIGKILL after 30 s).
    pub async fn stop(&mut self) {
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
