//! A circular's life from the command line: `draft`, `submit`, `approve`, `send-back`,
//! `issue`, each taken by the account named with `--as NAME` (or, where approval is off, the
//! operating-system user), through the same lifecycle functions as the console and the API.

use anyhow::Result;
use circulars_core::config::Config;
use circulars_core::domain::{Actor, CircularId, Via};
use circulars_core::nats::control::DispatchState;
use circulars_core::nats::Bus;
use circulars_lifecycle::{Issued, Policy};
use circulars_store::Store;
use std::path::Path;

/// `--as NAME`: the account taking a step.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Acting {
    /// The staff account acting (checked against its roles and recorded in the audit trail);
    /// without it, the operating-system user, which only acts where `[approval] required = false`.
    #[arg(long = "as", value_name = "NAME")]
    pub name: Option<String>,
}

/// Who is acting: the enabled account named with `--as`, or the operating-system user.
pub async fn actor(store: &Store, acting: &Acting) -> Result<Actor> {
    crate::staff::acting(store, acting.name.as_deref(), Via::Cli).await
}

/// `circulars draft FILE`: prints the id.
pub async fn draft(config: &Config, store: &Store, acting: &Acting, file: &Path) -> Result<()> {
    let actor = actor(store, acting).await?;
    let policy = Policy::from_config(&config.approval);
    let (id, _) =
        circulars_lifecycle::draft_file(store, policy, &actor, file, config.mail.max_annex_bytes)
            .await?;
    println!("{id}");
    Ok(())
}

/// `circulars submit ID`.
pub async fn submit(
    config: &Config,
    store: &Store,
    acting: &Acting,
    id: &CircularId,
) -> Result<()> {
    let actor = actor(store, acting).await?;
    circulars_lifecycle::submit(store, Policy::from_config(&config.approval), &actor, id).await?;
    println!("submitted {id} for approval");
    Ok(())
}

/// `circulars approve ID`: approves the revision there is now.
pub async fn approve(
    config: &Config,
    store: &Store,
    acting: &Acting,
    id: &CircularId,
) -> Result<()> {
    let actor = actor(store, acting).await?;
    let policy = Policy::from_config(&config.approval);
    circulars_lifecycle::approve(store, policy, &actor, id, None).await?;
    println!("approved {id}");
    Ok(())
}

/// `circulars send-back ID --comment TEXT`.
pub async fn send_back(
    config: &Config,
    store: &Store,
    acting: &Acting,
    id: &CircularId,
    comment: &str,
) -> Result<()> {
    let actor = actor(store, acting).await?;
    let policy = Policy::from_config(&config.approval);
    circulars_lifecycle::send_back(store, policy, &actor, id, comment).await?;
    println!("sent {id} back to draft");
    Ok(())
}

/// `circulars issue ID`.
pub async fn issue(config: &Config, store: &Store, acting: &Acting, id: &CircularId) -> Result<()> {
    let actor = actor(store, acting).await?;
    let bus = Bus::connect(&config.nats, "circulars issue").await?;
    let policy = Policy::from_config(&config.approval);
    match circulars_lifecycle::issue(store, &bus, policy, &actor, id).await? {
        Issued::Now => println!("issued {id}"),
        Issued::Already => println!("{id} already issued, 0 new"),
    }
    Ok(())
}

/// `circulars pause|resume|cancel ID`: the dispatch state set, and what it means said.
pub async fn set_dispatch_state(
    config: &Config,
    store: &Store,
    acting: &Acting,
    id: &CircularId,
    state: DispatchState,
) -> Result<()> {
    let actor = actor(store, acting).await?;
    let bus = Bus::connect(&config.nats, "circulars dispatch control").await?;
    let policy = Policy::from_config(&config.approval);
    circulars_lifecycle::set_dispatch_state(store, &bus, policy, &actor, id, state).await?;
    match state {
        DispatchState::Paused => println!(
            "paused {id}: mails in flight finish, the others wait in the queue until `circulars resume {id}`"
        ),
        DispatchState::Running => println!("resumed {id}"),
        DispatchState::Cancelled => println!(
            "cancelled {id}: mails in flight finish; every mail not yet sent is recorded as cancelled"
        ),
    }
    Ok(())
}
