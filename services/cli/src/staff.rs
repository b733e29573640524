//! `circulars staff …`: staff accounts and their API tokens, managed by an admin account
//! (`--as NAME`) or, without it, by the operating-system user, who holds every role. Passwords
//! and tokens are printed once and never stored in clear.

use anyhow::Result;
use circulars_core::domain::{AccountName, Actor, Role, Roles, Via};
use circulars_staff::{StaffAccount, StaffToken};
use circulars_store::Store;
use clap::{Args, Subcommand};

/// `circulars staff` and the account acting.
#[derive(Args)]
pub struct StaffArgs {
    /// The admin account acting, checked against its roles; without it, the operating-system
    /// user.
    #[arg(long = "as", value_name = "NAME", global = true)]
    as_name: Option<String>,
    #[command(subcommand)]
    command: StaffCommand,
}

/// The staff subcommands.
#[derive(Subcommand)]
enum StaffCommand {
    /// Add an account with its roles; prints a password to sign in with, shown once.
    Add {
        /// The account's name: lower-case letters, digits, '.', '-' and '_'.
        #[arg(value_parser = AccountName::parse)]
        name: AccountName,
        /// A role: drafter, approver, operator or admin (repeat for several).
        #[arg(long = "role", value_name = "ROLE", required = true)]
        roles: Vec<Role>,
    },
    /// Disable an account: it can no longer sign in, and its sessions and tokens stop working.
    Disable {
        /// The account's name.
        #[arg(value_parser = AccountName::parse)]
        name: AccountName,
    },
    /// Replace an account's roles.
    Roles {
        /// The account's name.
        #[arg(value_parser = AccountName::parse)]
        name: AccountName,
        /// A role: drafter, approver, operator or admin (repeat for several).
        #[arg(long = "role", value_name = "ROLE", required = true)]
        roles: Vec<Role>,
    },
    /// Give an account a new password, shown once; its sessions end.
    Password {
        /// The account's name.
        #[arg(value_parser = AccountName::parse)]
        name: AccountName,
    },
    /// Every account with its roles.
    List,
    /// API tokens (Authorization: Bearer).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

/// `circulars staff token …`
#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token acting as the account; prints it, shown once.
    Create {
        /// The account's name.
        #[arg(value_parser = AccountName::parse)]
        name: AccountName,
        /// What the token is for (e.g. "nightly directory export").
        #[arg(long)]
        label: String,
    },
    /// An account's tokens, revoked ones included.
    List {
        /// The account's name.
        #[arg(value_parser = AccountName::parse)]
        name: AccountName,
    },
    /// Revoke a token: it is refused from now on.
    Revoke {
        /// The token's id, as `staff token list` shows it.
        id: i64,
    },
}

/// Who a command acts as: the enabled account `as_name` with its roles, or the
/// operating-system user (every role) when no account is named.
pub async fn acting(store: &Store, as_name: Option<&str>, via: Via) -> Result<Actor> {
    Ok(match as_name {
        Some(name) => circulars_staff::actor(store, name, via).await?,
        None => Actor::system(&system_user()),
    })
}

/// The operating-system user running the command, as `whoami` names it: the effective user's
/// entry in the user database, else `$USER` or `$LOGNAME`, else the number.
fn system_user() -> String {
    let uid = nix::unistd::geteuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| format!("uid {uid}")),
    }
}

/// Runs one staff subcommand.
pub async fn run(store: &Store, args: StaffArgs) -> Result<()> {
    let by = acting(store, args.as_name.as_deref(), Via::Cli).await?;
    match args.command {
        StaffCommand::Add { name, roles } => {
            let roles: Roles = roles.into_iter().collect();
            let (account, password) =
                circulars_staff::add_account(store, &by, &name, &roles).await?;
            println!(
                "added staff account {} ({})",
                account.name,
                roles_text(&account.roles)
            );
            println!("password: {}", password.expose_secret());
            println!("(shown once: only its hash is stored; `staff password` makes a new one)");
        }
        StaffCommand::Disable { name } => {
            let account = circulars_staff::disable_account(store, &by, &name).await?;
            println!(
                "disabled {}: it can no longer sign in, and its sessions and tokens stop working",
                account.name
            );
        }
        StaffCommand::Roles { name, roles } => {
            let roles: Roles = roles.into_iter().collect();
            let account = circulars_staff::set_roles(store, &by, &name, &roles).await?;
            println!("{}: {}", account.name, roles_text(&account.roles));
        }
        StaffCommand::Password { name } => {
            let password = circulars_staff::reset_password(store, &by, &name).await?;
            println!("new password for {name}: {}", password.expose_secret());
            println!("(shown once: only its hash is stored; {name}'s sessions have ended)");
        }
        StaffCommand::List => print!(
            "{}",
            accounts_table(&circulars_staff::accounts(store, &by).await?)
        ),
        StaffCommand::Token { command } => token(store, &by, command).await?,
    }
    Ok(())
}

/// Runs one token subcommand.
async fn token(store: &Store, by: &Actor, command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create { name, label } => {
            let new = circulars_staff::create_token(store, by, &name, &label).await?;
            println!(
                "token {} for {} ({}): {}",
                new.token.id,
                new.token.account,
                new.token.label,
                new.secret.expose_secret()
            );
            println!("(shown once: only its hash is stored; send it as Authorization: Bearer)");
        }
        TokenCommand::List { name } => {
            print!(
                "{}",
                tokens_table(&circulars_staff::tokens(store, by, &name).await?)
            );
        }
        TokenCommand::Revoke { id } => {
            let token = circulars_staff::revoke_token(store, by, id).await?;
            println!(
                "token {} of {} ({}) is revoked",
                token.id, token.account, token.label
            );
        }
    }
    Ok(())
}

/// Roles as a list for people (`drafter, approver`), or `no role`.
fn roles_text(roles: &Roles) -> String {
    if roles.is_empty() {
        return "no role".to_owned();
    }
    roles
        .iter()
        .map(Role::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `staff list`: one line per account.
fn accounts_table(accounts: &[StaffAccount]) -> String {
    let mut out = format!(
        "{:<24} {:<36} {:<20} {}\n",
        "account", "roles", "created", "state"
    );
    for a in accounts {
        let state = match a.disabled_at {
            Some(at) => format!("disabled {}", at.format("%Y-%m-%d %H:%M UTC")),
            None => "enabled".to_owned(),
        };
        out.push_str(&format!(
            "{:<24} {:<36} {:<20} {state}\n",
            a.name.as_str(),
            roles_text(&a.roles),
            a.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        ));
    }
    if accounts.is_empty() {
        out.push_str("(no accounts: add one with `circulars staff add NAME --role admin`)\n");
    }
    out
}

/// `staff token list`: one line per token.
fn tokens_table(tokens: &[StaffToken]) -> String {
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "-".to_owned())
    };
    let mut out = format!(
        "{:>5}  {:<30} {:<24} {:<16} {:<16} {}\n",
        "id", "label", "created by", "created", "last used", "revoked"
    );
    for t in tokens {
        out.push_str(&format!(
            "{:>5}  {:<30} {:<24} {:<16} {:<16} {}\n",
            t.id,
            t.label,
            t.created_by,
            when(Some(t.created_at)),
            when(t.last_used_at),
            when(t.revoked_at),
        ));
    }
    if tokens.is_empty() {
        out.push_str("(no tokens)\n");
    }
    out
}
