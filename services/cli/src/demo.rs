//! The demo accounts, one per role, and `circulars try-console`: the README's third command,
//! which starts the servers with the sample directory and a draft of the sample circular
//! loaded, creates the demo accounts and prints the console's address with their one-time
//! passwords, until Ctrl-C.

use crate::local::{import_directory, LocalSetup};
use anyhow::Result;
use circulars_core::domain::{AccountName, Actor, Role, Roles, Via};
use circulars_lifecycle::Policy;
use circulars_staff::OneTimePassword;
use circulars_store::Store;
use std::path::Path;
use std::process::ExitCode;

/// The demo accounts: one per role, so that the sample is approved by a second person.
pub const DEMO_ACCOUNTS: [(&str, Role); 4] = [
    ("demo-drafter", Role::Drafter),
    ("demo-approver", Role::Approver),
    ("demo-operator", Role::Operator),
    ("demo-admin", Role::Admin),
];

/// A demo account made now, with its one-time password.
pub struct DemoAccount {
    /// Who acts as it.
    pub actor: Actor,
    /// Its password, shown once.
    pub password: OneTimePassword,
}

/// Creates the demo accounts in a fresh database (by the operating-system user, as
/// `circulars staff add` does), in [`DEMO_ACCOUNTS`]' order.
pub async fn add_demo_accounts(store: &Store) -> Result<Vec<DemoAccount>> {
    let by = Actor::system("demo");
    let mut made = Vec::new();
    for (name, role) in DEMO_ACCOUNTS {
        let name = AccountName::parse(name)?;
        let roles: Roles = [role].into_iter().collect();
        let (account, password) = circulars_staff::add_account(store, &by, &name, &roles).await?;
        made.push(DemoAccount {
            actor: Actor::account(account.name, account.roles, Via::Cli),
            password,
        });
    }
    Ok(made)
}

/// `circulars try-console`: the console with demo accounts and the sample drafted, until Ctrl-C.
pub async fn try_console(circular: &Path, directory: &Path, data: &Path) -> Result<ExitCode> {
    let setup = LocalSetup::start(data, "console").await?;
    let mut services = setup.services()?;
    let store = Store::open(setup.config.database_url()).await?;
    import_directory(&store, directory).await?;
    let accounts = add_demo_accounts(&store).await?;
    let policy = Policy::from_config(&setup.config.approval);
    let (id, _) = circulars_lifecycle::draft_file(
        &store,
        policy,
        &accounts[0].actor,
        circular,
        setup.config.mail.max_annex_bytes,
    )
    .await?;
    store.close().await;
    println!("drafted {id} as {}", accounts[0].actor.name());
    println!();
    println!(
        "The staff console: http://127.0.0.1:{}/staff",
        setup.gateway_port
    );
    println!("Sign in as (each password is shown only now):");
    for account in &accounts {
        println!(
            "  {:<14} {:<9} {}",
            account.actor.name(),
            account.actor.roles.to_string(),
            account.password.expose_secret()
        );
    }
    println!();
    println!(
        "Mails go to the capture SMTP server, stored as .eml files in {}",
        setup.mail_dir.display()
    );
    println!("Ctrl-C stops everything.");
    crate::serve::shutdown_signal().await;
    services.stop().await;
    setup.stop().await;
    Ok(ExitCode::SUCCESS)
}
