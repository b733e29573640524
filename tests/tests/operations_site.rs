//! An operator watches the site while a circular goes out: the dispatcher reports the relay's
//! limits and the mails of the last minute on `relay-activity.<relay>`; the intake counts what
//! it refuses; returned mail that names nobody is kept as unmatched; the operator slows the
//! relay down, which the staff audit trail records with the limits before and after, and which
//! the next reports show. The site board adds all of it up.

use chrono::{TimeDelta, Utc};
use circulars_core::config::Config;
use circulars_core::events::RelayActivity;
use circulars_operations::relays::relay_limits_in_force;
use circulars_operations::site::site_board;
use circulars_store::{ReportState, Store};
use circulars_tests::intake::{dsn, send};
use circulars_tests::{on_both_databases, Db, Harness, Setup, PATIENCE};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every relay report heard since the test subscribed.
type Heard = Arc<Mutex<Vec<RelayActivity>>>;

/// Waits until a report heard satisfies `wanted`; returns it.
async fn heard_until(
    heard: &Heard,
    what: &str,
    wanted: impl Fn(&RelayActivity) -> bool,
) -> RelayActivity {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = heard.lock().unwrap().iter().rev().find(|a| wanted(a)) {
            return found.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no relay report {what}: {:?}",
            heard.lock().unwrap().last()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the intake's refusals of the last hour include `n` for `reason`.
async fn wait_for_refusals(store: &Store, reason: &str, n: u64) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let counts = store.intake_refusals_since(Utc::now()).await.unwrap();
        if counts.iter().any(|(r, c)| r == reason && *c == n) {
            return;
        }
        assert!(Instant::now() < deadline, "not {n} {reason}: {counts:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn an_operator_sees_the_relay_at_work_the_refusals_and_the_unmatched_mail_and_slows_the_relay(
    db: Db,
) {
    let mut h = Harness::start_setup(Setup {
        relay_settings: "rate_per_second = 40".into(),
        ..Setup::new(db)
    })
    .await;
    let bus = h.bus().await;
    let heard: Heard = h.relay_reports("capture").await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();

    // Before anything is sent, the dispatcher already reports the relay with its limits.
    let idle = heard_until(&heard, "before sending", |_| true).await;
    assert_eq!(
        (
            idle.relay.as_str(),
            idle.rate_per_second,
            idle.connections,
            idle.sent_last_minute
        ),
        ("capture", 40, 8, 0)
    );
    assert!(
        idle.dispatcher.contains(':'),
        "host:pid, {}",
        idle.dispatcher
    );

    // While the circular goes out, the reports count its mails.
    h.circulars_ok(&["issue", "TSB-36"]);
    let sending = heard_until(&heard, "counting mail", |a| a.sent_last_minute > 0).await;
    assert_eq!(sending.failed_last_minute, 0, "{sending:?}");
    h.wait_until_delivered("TSB-36").await;
    let mails = h.mails();
    let all = mails.len() as u64;
    heard_until(&heard, "with every mail", |a| a.sent_last_minute == all).await;

    // The intake refuses a stranger's address; a bounce naming nobody is kept as unmatched.
    let store = h.store().await;
    let session = send(
        h.intake_addr(),
        &["someone@example.org"],
        b"Subject: x\r\n\r\nx\r\n",
    )
    .await;
    assert!(
        session.replies.iter().any(|r| r.starts_with("550 5.1.1")),
        "{session:?}"
    );
    wait_for_refusals(&store, "recipient-refused", 1).await;
    let mail = &mails[0];
    let verp = mail.return_path.trim_matches(['<', '>']);
    let nobody = String::from_utf8(dsn(
        verp,
        &mail.recipient,
        "failed",
        "5.1.1",
        "550 5.1.1 unknown",
        "<other@example.org>",
    ))
    .unwrap()
    .replace(
        &format!("Final-Recipient: rfc822; {}\r\n", mail.recipient),
        "",
    )
    .into_bytes();
    assert_eq!(
        send(h.intake_addr(), &[verp], &nobody).await.last_code(),
        250
    );
    let deadline = Instant::now() + PATIENCE;
    while store
        .inbound_report_count(ReportState::Unmatched)
        .await
        .unwrap()
        == 0
    {
        assert!(
            Instant::now() < deadline,
            "the bounce naming nobody is never kept as unmatched"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The operator slows the relay down: said, audited with before and after, and in force.
    let said = h.circulars_ok(&["relay", "limit", "capture", "--rate", "5"]);
    assert!(
        said.contains("relay capture: 5 mails/s, 8 connections at most"),
        "{said}"
    );
    let audit = store.staff_audit("relay:capture").await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(
        (audit[0].action.as_str(), audit[0].via.as_str()),
        ("relay.limits-set", "cli")
    );
    assert!(audit[0].actor.starts_with("system:"), "{:?}", audit[0]);
    let detail: serde_json::Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(detail["before"]["rate_per_second"], 40, "{detail}");
    assert_eq!(detail["after"]["rate_per_second"], 5, "{detail}");
    assert_eq!(detail["after"]["connections"], 8, "{detail}");
    let slowed = heard_until(&heard, "with the new rate", |a| a.rate_per_second == 5).await;
    assert_eq!(slowed.connections, 8);
    // A staff account without the operator role may not; nothing is changed or recorded.
    h.staff_account("ana", &["drafter"]);
    let refused = h.circulars(&["relay", "limit", "capture", "--rate", "0", "--as", "ana"]);
    assert!(
        !refused.success
            && refused
                .stderr
                .contains("ana may not change relay limits: it needs the operator role"),
        "{}",
        refused.stderr
    );
    // A relay that does not exist is named with those that do, and nothing is recorded.
    let refused = h.circulars(&["relay", "limit", "captrue", "--rate", "5"]);
    assert!(
        !refused.success
            && refused
                .stderr
                .contains("no relay named captrue in the configuration (relays: capture)"),
        "{}",
        refused.stderr
    );

    assert_eq!(store.staff_audit("relay:capture").await.unwrap().len(), 1);

    // The site board adds it all up.
    let text = std::fs::read_to_string(h.dir().join("circulars.toml")).unwrap();
    let config = Config::from_sources(Some(("circulars.toml", &text)), Vec::new()).unwrap();
    let relays = &config.smtp.relays;
    let limits = relay_limits_in_force(&bus, relays).await.unwrap();
    assert_eq!(limits.len(), 1);
    assert_eq!(
        (limits[0].1.rate_per_second, limits[0].1.connections),
        (5, 8)
    );
    let activity = heard.lock().unwrap().clone();
    let board = site_board(&store, relays, &limits, &activity, Utc::now())
        .await
        .unwrap();
    let relay = &board.relays[0];
    assert_eq!(
        (
            relay.relay.as_str(),
            relay.rate_per_second,
            relay.connections,
            relay.dispatchers
        ),
        ("capture", 5, 8, 1)
    );
    assert_eq!(relay.sent_last_minute, all, "{relay:?}");
    assert_eq!(board.unmatched.count, 1);
    assert_eq!(board.unmatched.newest[0].envelope_to, verp);
    let refused = board
        .refusals
        .iter()
        .find(|r| r.reason == "recipient-refused")
        .unwrap();
    assert_eq!((refused.last_hour, refused.last_day), (1, 1));
    assert!(board
        .refusals
        .iter()
        .filter(|r| r.reason != "recipient-refused")
        .all(|r| r.last_day == 0));
    // Reports older than ten seconds are not counted: a dispatcher that stopped drops out.
    let later = Utc::now() + TimeDelta::seconds(60);
    let board = site_board(&store, relays, &limits, &activity, later)
        .await
        .unwrap();
    assert_eq!(
        (
            board.relays[0].dispatchers,
            board.relays[0].sent_last_minute
        ),
        (0, 0)
    );
    assert_eq!(
        board.relays[0].rate_per_second, 5,
        "the limits in force still shown"
    );

    store.close().await;
    h.stop_services();
}

on_both_databases!(
    an_operator_sees_the_relay_at_work_the_refusals_and_the_unmatched_mail_and_slows_the_relay
);
