//! `circulars run-sample`: the README's run command. On a fresh run folder under the data
//! folder it starts nats-server and the capture SMTP server on free loopback ports, runs the
//! six services in one child process (`serve all`), imports the directory, creates the demo
//! accounts, drafts the circular as the demo drafter, submits it, has the demo approver approve
//! it and the demo operator issue it, waits until every recipient is in a final state (or the
//! timeout), prints the summary and the folder of delivered mails, and stops what it started.

use crate::demo::add_demo_accounts;
use crate::local::{import_directory, LocalSetup};
use crate::report;
use anyhow::{bail, Result};
use circulars_core::config::Config;
use circulars_core::domain::DeliveryState;
use circulars_core::nats::control::DispatchState;
use circulars_core::nats::Bus;
use circulars_lifecycle::Policy;
use circulars_store::Store;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Runs the sample end to end; exit code 1 when a delivery failed or the timeout passed.
pub async fn run_sample(
    circular: &Path,
    directory: &Path,
    data: &Path,
    timeout: Duration,
) -> Result<ExitCode> {
    let setup = LocalSetup::start(data, "runs").await?;
    let result = drive(&setup, circular, directory, timeout).await;
    setup.stop().await;
    result
}

async fn drive(
    setup: &LocalSetup,
    circular: &Path,
    directory: &Path,
    timeout: Duration,
) -> Result<ExitCode> {
    let (config, run, mail_dir) = (&setup.config, &setup.run, &setup.mail_dir);
    let mut services = setup.services()?;
    let store = Store::open(config.database_url()).await?;
    let bus = Bus::connect(&config.nats, "circulars run-sample").await?;

    import_directory(&store, directory).await?;
    let id = draft_approve_and_issue(config, &store, &bus, circular).await?;
    println!(
        "issued {id} as demo-operator; waiting for every recipient to reach a final state (at most {} s)",
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
    let dispatch = circulars_operations::status::Dispatch::Known(DispatchState::Running);
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

/// The sample's life with four eyes: drafted and submitted by the demo drafter, approved by the
/// demo approver, issued by the demo operator.
async fn draft_approve_and_issue(
    config: &Config,
    store: &Store,
    bus: &Bus,
    circular: &Path,
) -> Result<circulars_core::domain::CircularId> {
    let accounts = add_demo_accounts(store).await?;
    let [drafter, approver, operator, _] = &accounts[..] else {
        bail!("the demo accounts were not all made");
    };
    let policy = Policy::from_config(&config.approval);
    let max = config.mail.max_annex_bytes;
    let (id, _) =
        circulars_lifecycle::draft_file(store, policy, &drafter.actor, circular, max).await?;
    circulars_lifecycle::submit(store, policy, &drafter.actor, &id).await?;
    println!("drafted and submitted {id} as {}", drafter.actor.name());
    circulars_lifecycle::approve(store, policy, &approver.actor, &id, None).await?;
    println!("approved {id} as {}", approver.actor.name());
    circulars_lifecycle::issue(store, bus, policy, &operator.actor, &id).await?;
    Ok(id)
}
