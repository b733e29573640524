//! The secretariat's staff accounts: an admin adds a colleague's account on the command line
//! and hands over the password it prints once; the colleague signs in with it; wrong passwords
//! are refused and recorded, and a guessing run is slowed down; a disabled account is locked
//! out at once; API tokens work until revoked; only an admin may manage accounts; and the old
//! `[gateway.staff_keys]` keep working as tokens of accounts with the same names.

use chrono::TimeDelta;
use circulars_core::config::{Config, SecretString};
use circulars_core::domain::Role;
use circulars_staff::{SignInError, SignInLimiter};
use circulars_store::Store;
use circulars_tests::{on_both_databases, Db, Harness, STAFF_KEY, STAFF_NAME};
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;

/// Where the colleague signs in from.
const OFFICE: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));
/// The console's default session lifetime.
const WORKING_DAY: TimeDelta = TimeDelta::hours(12);

/// The limiter the gateway builds from `[gateway]`'s defaults: 5 attempts per account name,
/// 30 per client address.
fn default_limiter() -> SignInLimiter {
    SignInLimiter::from_config(&Config::from_sources(None, Vec::new()).unwrap().gateway)
}

/// The value after `label` on its line of a command's output.
fn printed<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find_map(|line| line.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{out}"))
        .trim()
}

/// The actions of the staff audit trail about `subject`, oldest first.
async fn actions(store: &Store, subject: &str) -> Vec<String> {
    store
        .staff_audit(subject)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

async fn an_account_added_on_the_command_line_signs_in_with_its_printed_password(db: Db) {
    let harness = Harness::start(db).await;
    let out = harness.circulars_ok(&[
        "staff", "add", "ana", "--role", "drafter", "--role", "approver",
    ]);
    assert!(
        out.contains("added staff account ana (drafter, approver)"),
        "{out}"
    );
    assert!(out.contains("shown once"), "{out}");
    let password = SecretString::from(printed(&out, "password:"));
    let store = harness.store().await;
    let limiter = default_limiter();

    let new = circulars_staff::sign_in(&store, &limiter, "ana", &password, OFFICE, WORKING_DAY)
        .await
        .unwrap();
    let signed_in = circulars_staff::session(&store, new.cookie.expose_secret())
        .await
        .unwrap()
        .expect("the session works");
    assert_eq!(signed_in.account.as_str(), "ana");
    assert!(signed_in.roles.has(Role::Drafter) && signed_in.roles.has(Role::Approver));
    assert!(signed_in.csrf_token.matches(new.csrf_token.as_str()));

    let wrong = SecretString::from("ana's birthday");
    let refused = circulars_staff::sign_in(&store, &limiter, "ana", &wrong, OFFICE, WORKING_DAY)
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), "wrong name or password");
    let trail = store.staff_audit("ana").await.unwrap();
    let last = trail.last().unwrap();
    assert_eq!(last.action, "sign-in.refused");
    assert_eq!(last.actor, "client 192.0.2.10");
    assert!(last.detail.contains("wrong password"), "{}", last.detail);

    // Five attempts a minute per account: two done, three more refused, then the limit.
    for _ in 0..3 {
        let again =
            circulars_staff::sign_in(&store, &limiter, "ana", &wrong, OFFICE, WORKING_DAY).await;
        assert!(matches!(again, Err(SignInError::WrongNameOrPassword)));
    }
    let limited = circulars_staff::sign_in(&store, &limiter, "ana", &password, OFFICE, WORKING_DAY)
        .await
        .unwrap_err();
    assert!(
        limited
            .to_string()
            .starts_with("too many sign-in attempts for this account: try again in "),
        "even the right password waits: {limited}"
    );
    let refusals = actions(&store, "ana")
        .await
        .iter()
        .filter(|a| *a == "sign-in.refused")
        .count();
    assert_eq!(refusals, 4, "each refused password is recorded");

    assert!(
        circulars_staff::sign_out(&store, new.cookie.expose_secret())
            .await
            .unwrap()
    );
    assert!(circulars_staff::session(&store, new.cookie.expose_secret())
        .await
        .unwrap()
        .is_none());
    store.close().await;
}

async fn a_disabled_account_cannot_sign_in_and_its_sessions_stop_working(db: Db) {
    let harness = Harness::start(db).await;
    let out = harness.circulars_ok(&["staff", "add", "bo", "--role", "operator"]);
    let password = SecretString::from(printed(&out, "password:"));
    let store = harness.store().await;
    let limiter = default_limiter();
    let open = circulars_staff::sign_in(&store, &limiter, "bo", &password, OFFICE, WORKING_DAY)
        .await
        .unwrap();

    let out = harness.circulars_ok(&["staff", "disable", "bo"]);
    assert!(out.contains("disabled bo"), "{out}");
    assert!(
        circulars_staff::session(&store, open.cookie.expose_secret())
            .await
            .unwrap()
            .is_none()
    );
    let refused = circulars_staff::sign_in(&store, &limiter, "bo", &password, OFFICE, WORKING_DAY)
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), "the staff account bo is disabled");
    let acting = harness.circulars(&["staff", "--as", "bo", "list"]);
    assert!(!acting.success);
    assert!(
        acting.stderr.contains("the staff account bo is disabled"),
        "{}",
        acting.stderr
    );
    let list = harness.circulars_ok(&["staff", "list"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with("bo ") && l.contains("disabled")),
        "{list}"
    );
    store.close().await;
}

async fn a_token_is_accepted_until_it_is_revoked(db: Db) {
    let harness = Harness::start(db).await;
    harness.circulars_ok(&["staff", "add", "ana", "--role", "operator"]);
    let out = harness.circulars_ok(&[
        "staff",
        "token",
        "create",
        "ana",
        "--label",
        "nightly status export",
    ]);
    assert!(out.contains("shown once"), "{out}");
    let secret = printed(&out, "token 1 for ana (nightly status export):");
    assert!(secret.starts_with("circ_"), "{secret}");
    let store = harness.store().await;

    let account = circulars_staff::authenticate_token(&store, secret)
        .await
        .unwrap()
        .expect("the token is accepted");
    assert_eq!(account.name.as_str(), "ana");
    let list = harness.circulars_ok(&["staff", "token", "list", "ana"]);
    let line = list
        .lines()
        .find(|l| l.contains("nightly status export"))
        .unwrap();
    assert!(!list.contains(secret), "only its hash is stored: {list}");
    let (_, after_label) = line.split_once("nightly status export").unwrap();
    let columns: Vec<&str> = after_label.split_whitespace().collect();
    // created by, created (date, time), last used (date, time), revoked.
    assert_eq!(columns.len(), 6, "used, and not revoked: {line}");
    assert!(
        columns[0].starts_with("system:"),
        "made by the CLI's user: {line}"
    );
    assert_eq!(columns[5], "-", "{line}");

    let out = harness.circulars_ok(&["staff", "token", "revoke", "1"]);
    assert!(
        out.contains("token 1 of ana (nightly status export) is revoked"),
        "{out}"
    );
    assert!(circulars_staff::authenticate_token(&store, secret)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        actions(&store, "ana").await,
        ["account.created", "token.created", "token.revoked"]
    );
    store.close().await;
}

async fn only_an_admin_named_with_as_can_add_accounts(db: Db) {
    let harness = Harness::start(db).await;
    harness.circulars_ok(&["staff", "add", "ada", "--role", "admin"]);
    harness.circulars_ok(&["staff", "add", "dan", "--role", "drafter"]);

    let refused = harness.circulars(&["staff", "add", "cy", "--role", "admin", "--as", "dan"]);
    assert!(!refused.success);
    assert!(
        refused
            .stderr
            .contains("dan cannot add accounts: that needs the admin role"),
        "{}",
        refused.stderr
    );
    let unknown = harness.circulars(&["staff", "--as", "nobody", "list"]);
    assert!(
        unknown
            .stderr
            .contains("there is no staff account named nobody"),
        "{}",
        unknown.stderr
    );

    harness.circulars_ok(&["staff", "--as", "ada", "add", "cy", "--role", "approver"]);
    let store = harness.store().await;
    let created = &store.staff_audit("cy").await.unwrap()[0];
    assert_eq!(
        (created.actor.as_str(), created.via.as_str()),
        ("ada", "cli")
    );
    assert!(store.staff_audit("ada").await.unwrap()[0]
        .actor
        .starts_with("system:"));
    let list = harness.circulars_ok(&["staff", "list"]);
    for name in ["ada", "cy", "dan"] {
        assert!(list.lines().any(|l| l.starts_with(name)), "{list}");
    }
    store.close().await;
}

async fn configured_staff_keys_become_tokens_of_accounts_with_those_names(db: Db) {
    let harness = Harness::start(db).await;
    let config = Config::load(Some(&harness.dir().join("circulars.toml"))).unwrap();
    assert!(config.gateway.staff_keys.contains_key(STAFF_NAME));
    let store = harness.store().await;

    let first = circulars_staff::import_staff_keys(&store, &config.gateway.staff_keys)
        .await
        .unwrap();
    assert_eq!(first.tokens_added, 1);
    assert_eq!(first.accounts_created.len(), 1);
    // At every start of the gateway: nothing new the second time.
    let again = circulars_staff::import_staff_keys(&store, &config.gateway.staff_keys)
        .await
        .unwrap();
    assert_eq!((again.tokens_added, again.accounts_created.len()), (0, 0));

    let account = circulars_staff::authenticate_token(&store, STAFF_KEY)
        .await
        .unwrap()
        .expect("the configured key is a token");
    assert_eq!(account.name.as_str(), STAFF_NAME);
    assert!(
        account.roles.has(Role::Admin),
        "the keys' staff were admins"
    );
    let tokens = harness.circulars_ok(&["staff", "token", "list", STAFF_NAME]);
    assert!(tokens.contains("gateway.staff_keys"), "{tokens}");
    let trail = store.staff_audit(STAFF_NAME).await.unwrap();
    assert!(trail.iter().all(|e| e.via == "config"), "{trail:?}");

    // No password was made for it: signing in is refused until an admin sets one.
    let limiter = SignInLimiter::new(NonZeroU32::MIN.saturating_add(4), NonZeroU32::MAX);
    let refused = circulars_staff::sign_in(
        &store,
        &limiter,
        STAFF_NAME,
        &SecretString::from(STAFF_KEY),
        OFFICE,
        WORKING_DAY,
    )
    .await
    .unwrap_err();
    assert_eq!(refused.to_string(), "wrong name or password");
    store.close().await;
}

on_both_databases!(
    an_account_added_on_the_command_line_signs_in_with_its_printed_password,
    a_disabled_account_cannot_sign_in_and_its_sessions_stop_working,
    a_token_is_accepted_until_it_is_revoked,
    only_an_admin_named_with_as_can_add_accounts,
    configured_staff_keys_become_tokens_of_accounts_with_those_names,
);
