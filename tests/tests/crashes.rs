//! Something dies in the middle of a circular (the dispatcher killed, also right between a
//! batch's SMTP replies and the claim write that records them, nats-server restarted,
//! PostgreSQL stopped and started again), or a batch takes longer than JetStream's `ack_wait`,
//! and the circular still reaches everyone: every recipient ends `sent` with a `sent` line in
//! its history and at least one mail, and the copies beyond one are at most the mails in
//! flight (`smtp.concurrency`, 8 in the harness's configuration: the mails sent whose result
//! is not yet in their batch's claim), each with the same Message-ID as the first.

use circulars_core::domain::{CircularId, DeliveryState, RecipientAddress};
use circulars_tests::logs::LogsOnFailure;
use circulars_tests::postgres::OwnServer;
use circulars_tests::{on_both_databases, Db, Harness, Setup, PATIENCE};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const CIRCULAR: &str = "TSB-36";
/// The harness's `smtp.concurrency`: the mails one dispatcher has in flight at most.
const MAILS_IN_FLIGHT: usize = 8;
/// Mails stored before the crash: well into the circular, far from its end.
const STORED_BEFORE_THE_CRASH: usize = 300;

/// Imports a directory of `contacts` active contacts of `member-states` (ten per addressee,
/// languages in turn), drafts the sample circular (TSB-36) and issues it.
fn issue_to_a_generated_directory(h: &Harness, contacts: usize) {
    h.import_generated_directory(contacts);
    h.draft_sample_circular();
    h.circulars_ok(&["issue", CIRCULAR]);
}

/// Waits until the capture SMTP server has stored at least `n` mails; returns how many.
async fn wait_until_stored(h: &Harness, n: usize) -> usize {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let stored = h.smtp().stored();
        if stored >= n {
            return stored;
        }
        assert!(
            Instant::now() < deadline,
            "only {stored} mails stored, waiting for {n}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until the circular is complete (every recipient in a final state), then until the
/// dispatcher has handled every job, and stops the services. Twice the harness's patience: the
/// jobs a crash leaves behind wait `job_ack_wait_secs`, and two stories may run side by side.
async fn wait_until_over(h: &mut Harness) {
    let circular: CircularId = CIRCULAR.parse().unwrap();
    let store = h.store().await;
    let deadline = Instant::now() + 2 * PATIENCE;
    loop {
        let status = store.circular_status(&circular).await.unwrap();
        if status.is_complete() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{CIRCULAR} did not finish: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    store.close().await;
    h.wait_until_jobs_handled().await;
    h.stop_services();
}

/// What the capture server received for the circular, once everything is over.
struct Received {
    /// Mails stored.
    mails: usize,
    /// Distinct recipients.
    recipients: usize,
    /// Mails beyond the first per recipient.
    extra_copies: usize,
}

/// Checks, once the circular is complete and the services are stopped, that nothing was lost
/// and little was duplicated: each of the `contacts` recipients is `sent`, with a `sent` line in
/// its history, got at least one mail, and nobody outside the audience got any; the extra
/// copies are at most [`MAILS_IN_FLIGHT`] and carry the Message-ID of the first.
async fn nothing_lost_few_duplicated(h: &Harness, contacts: usize) -> Received {
    let circular: CircularId = CIRCULAR.parse().unwrap();
    let store = h.store().await;
    let status = store.circular_status(&circular).await.unwrap();
    assert_eq!(status.audience, Some(contacts as u64), "{status:?}");
    assert_eq!(
        status.total.get(DeliveryState::Sent),
        contacts as u64,
        "every recipient sent: {status:?}"
    );

    let mut audience = BTreeSet::new();
    let mut after: Option<RecipientAddress> = None;
    loop {
        let page = store
            .audience_page(&circular, after.as_ref(), 1000)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.address.clone());
        audience.extend(page.into_iter().map(|r| r.address.to_string()));
    }
    assert_eq!(audience.len(), contacts);
    store.close().await;
    history_is_consistent(h.database_url(), contacts).await;

    let files = h.mail_files();
    let mails: usize = files.values().map(Vec::len).sum();
    assert_eq!(mails, h.smtp().stored(), "one file per stored mail");
    let strangers: Vec<&String> = files.keys().filter(|r| !audience.contains(*r)).collect();
    assert!(
        strangers.is_empty(),
        "mail outside the audience: {strangers:?}"
    );
    let missing: Vec<&String> = audience
        .iter()
        .filter(|a| !files.contains_key(*a))
        .collect();
    assert!(
        missing.is_empty(),
        "{} recipients got no mail, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );

    let duplicated: BTreeMap<&String, &Vec<PathBuf>> =
        files.iter().filter(|(_, f)| f.len() > 1).collect();
    let extra_copies = mails - files.len();
    println!(
        "{mails} mails stored for {} recipients: {extra_copies} extra copies, to {:?}",
        files.len(),
        duplicated.keys().collect::<Vec<_>>()
    );
    for (recipient, copies) in &duplicated {
        let ids: BTreeSet<String> = copies
            .iter()
            .map(|f| circulars_tests::parse_mail(f).message_id)
            .collect();
        assert_eq!(
            ids.len(),
            1,
            "the copies to {recipient} carry one Message-ID: {ids:?}"
        );
    }
    assert!(
        extra_copies <= MAILS_IN_FLIGHT,
        "{extra_copies} extra copies, more than the {MAILS_IN_FLIGHT} mails in flight: {duplicated:?}"
    );
    Received {
        mails,
        recipients: files.len(),
        extra_copies,
    }
}

/// Every delivery of the circular is `sent` and has a `sent` line in its history.
async fn history_is_consistent(database_url: &str, contacts: usize) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url).await.unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let n: i64 = sqlx::query_scalar(sql)
                .bind(CIRCULAR)
                .fetch_one(&pool)
                .await
                .unwrap();
            n as usize
        }
    };
    let deliveries = count("SELECT COUNT(*) FROM deliveries WHERE circular_id = $1").await;
    let sent = count(
        "SELECT COUNT(*) FROM deliveries WHERE circular_id = $1 AND state = 'sent' \
         AND smtp_code = 250",
    )
    .await;
    let with_history = count(
        "SELECT COUNT(*) FROM deliveries d WHERE d.circular_id = $1 AND EXISTS \
         (SELECT 1 FROM delivery_history h WHERE h.circular_id = d.circular_id \
          AND h.address_key = d.address_key AND h.state = 'sent')",
    )
    .await;
    let retried = count(
        "SELECT COUNT(*) FROM (SELECT address_key FROM delivery_history WHERE circular_id = $1 \
         GROUP BY address_key HAVING COUNT(*) > 1) AS more_than_one",
    )
    .await;
    pool.close().await;
    assert_eq!(
        (deliveries, sent, with_history),
        (contacts, contacts, contacts),
        "(deliveries, sent with a 250, with a `sent` history line)"
    );
    println!("{retried} deliveries with more than one history line (deferred, then sent)");
}

async fn the_dispatcher_killed_mid_circular_loses_nothing_and_duplicates_at_most_the_mails_in_flight(
    db: Db,
) {
    const CONTACTS: usize = 3000;
    let started = Instant::now();
    let mut h = Harness::start(db).await;
    let _logs = LogsOnFailure::of(&h);
    // The dispatcher in a process of its own, so that it alone can die.
    for service in ["gateway", "directory", "composer", "tracker", "dispatcher"] {
        h.serve(service);
    }
    issue_to_a_generated_directory(&h, CONTACTS);

    let at_kill = wait_until_stored(&h, STORED_BEFORE_THE_CRASH).await;
    h.kill_service("dispatcher");
    let after_kill = h.smtp().stored();
    assert!(
        after_kill < CONTACTS / 2,
        "the dispatcher died mid-circular ({after_kill} of {CONTACTS} mails stored)"
    );
    // The new process writes a new log: keep the dead one's for a failure's report.
    let log = h.dir().join("serve-dispatcher.log");
    std::fs::copy(&log, h.dir().join("serve-dispatcher-killed.log")).unwrap();
    // Its jobs in flight come back to the new one after `job_ack_wait_secs`.
    h.serve("dispatcher");
    wait_until_over(&mut h).await;

    let received = nothing_lost_few_duplicated(&h, CONTACTS).await;
    println!(
        "dispatcher killed at {at_kill} mails stored ({after_kill} once dead); in the end {} mails \
         to {} recipients, {} extra copies; {:.1} s",
        received.mails,
        received.recipients,
        received.extra_copies,
        started.elapsed().as_secs_f64()
    );
}

async fn nats_server_restarted_mid_circular_resumes_and_loses_nothing(db: Db) {
    const CONTACTS: usize = 2000;
    let started = Instant::now();
    let mut h = Harness::start(db).await;
    let _logs = LogsOnFailure::of(&h);
    h.serve("all");
    issue_to_a_generated_directory(&h, CONTACTS);

    let at_restart = wait_until_stored(&h, STORED_BEFORE_THE_CRASH).await;
    // Why the same bound holds: nats-server stops on SIGTERM, flushing its store (so no claim
    // it acknowledged is lost) and closing every connection. The mails in flight are accepted
    // by the relay, but their final claim cannot be written; their jobs come back (naked, or
    // after `job_ack_wait_secs` when the nak is lost too) and find their claims still
    // `sending`: those mails, at most `smtp.concurrency`, go out again. No other job can be
    // claimed while the server is down (a claim is a write to JetStream), and a job claimed
    // `sent` whose ack was lost is only re-published, so nothing else is sent twice.
    let log = h.dir().join("nats/nats.log");
    std::fs::copy(&log, h.dir().join("nats-before-the-restart.log")).unwrap();
    h.restart_nats();
    let after_restart = h.smtp().stored();
    assert!(
        after_restart < CONTACTS / 2,
        "nats-server restarted mid-circular ({after_restart} of {CONTACTS} mails stored)"
    );
    wait_until_over(&mut h).await;

    let received = nothing_lost_few_duplicated(&h, CONTACTS).await;
    println!(
        "nats-server restarted at {at_restart} mails stored ({after_restart} once back); in the \
         end {} mails to {} recipients, {} extra copies; {:.1} s",
        received.mails,
        received.recipients,
        received.extra_copies,
        started.elapsed().as_secs_f64()
    );
}

/// The dispatcher's failpoint (`circulars_dispatcher::HOLD_CLAIM_WRITES_AFTER`): once it has
/// recorded this many results, its claim writes holding results never happen.
const HOLD_CLAIM_WRITES_AFTER: &str = "CIRCULARS_TEST_HOLD_CLAIM_WRITES_AFTER";

async fn the_dispatcher_killed_between_the_relays_replies_and_the_claim_write_sends_those_mails_again_and_no_others(
    db: Db,
) {
    const CONTACTS: usize = 2000;
    let started = Instant::now();
    let mut h = Harness::start(db).await;
    let _logs = LogsOnFailure::of(&h);
    for service in ["gateway", "directory", "composer", "tracker"] {
        h.serve(service);
    }
    // After 300 results recorded, each batch's next write never comes: the mails it would
    // record were accepted by the relay, and keep their permits, so sending stops once the
    // eight permits are all held by such mails.
    h.serve_with_env("dispatcher", &[(HOLD_CLAIM_WRITES_AFTER, "300")]);
    issue_to_a_generated_directory(&h, CONTACTS);

    let deadline = Instant::now() + PATIENCE;
    while !h
        .service_log("dispatcher")
        .contains("failpoint: holding a claim write")
    {
        assert!(Instant::now() < deadline, "the failpoint was never reached");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Wait until nothing more is sent: every permit is held by a mail not recorded.
    let mut stored = h.smtp().stored();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = h.smtp().stored();
        if now == stored {
            break;
        }
        assert!(Instant::now() < deadline, "sending never stopped");
        stored = now;
    }
    h.kill_service("dispatcher");
    let log = h.dir().join("serve-dispatcher.log");
    std::fs::copy(&log, h.dir().join("serve-dispatcher-killed.log")).unwrap();
    assert!(
        stored < CONTACTS / 2,
        "killed mid-circular ({stored} of {CONTACTS} mails stored)"
    );
    // The batches it held come back after `job_ack_wait_secs`, and are taken over once their
    // lease (the same time after the last claim write) has ended.
    h.serve("dispatcher");
    wait_until_over(&mut h).await;

    let received = nothing_lost_few_duplicated(&h, CONTACTS).await;
    assert!(
        received.extra_copies >= 1,
        "the mails whose results were never written are sent again"
    );
    let taken_over = h
        .service_log("dispatcher")
        .matches("batch taken over")
        .count();
    assert!(
        taken_over >= 1,
        "the new dispatcher took the held batches over"
    );
    println!(
        "dispatcher held at {stored} mails stored; {taken_over} batches taken over; in the \
         end {} mails to {} recipients, {} extra copies; {:.1} s",
        received.mails,
        received.recipients,
        received.extra_copies,
        started.elapsed().as_secs_f64()
    );
}

async fn a_batch_that_takes_longer_than_ack_wait_keeps_its_lease_and_mails_everyone_once(db: Db) {
    const CONTACTS: usize = 100;
    let started = Instant::now();
    // Two batch jobs of 50 at 10 mails a second take about ten seconds each, with both in hand:
    // over three times JetStream's ack_wait (the SMTP timeout below it, as the configuration
    // requires).
    let mut h = Harness::start_setup(Setup {
        smtp_settings: "job_ack_wait_secs = 3\ntimeout_secs = 2".into(),
        relay_settings: "rate_per_second = 10".into(),
        ..Setup::new(db)
    })
    .await;
    let _logs = LogsOnFailure::of(&h);
    for service in ["gateway", "directory", "composer", "tracker", "dispatcher"] {
        h.serve(service);
    }
    issue_to_a_generated_directory(&h, CONTACTS);
    wait_until_over(&mut h).await;

    let received = nothing_lost_few_duplicated(&h, CONTACTS).await;
    assert_eq!(
        (received.mails, received.extra_copies),
        (CONTACTS, 0),
        "one mail each"
    );
    let log = h.service_log("dispatcher");
    assert_eq!(
        log.matches("batch finished").count(),
        2,
        "each batch finished once, by the dispatcher that took it"
    );
    assert!(!log.contains("batch taken over"), "no batch was taken over");
    assert!(
        !log.contains("the batch is held by its owner"),
        "JetStream never handed a batch out again while it was in hand"
    );
    let elapsed = started.elapsed();
    println!(
        "{} mails to {} recipients in {:.1} s with a 3 s ack_wait",
        received.mails,
        received.recipients,
        elapsed.as_secs_f64()
    );
}

on_both_databases!(
    the_dispatcher_killed_mid_circular_loses_nothing_and_duplicates_at_most_the_mails_in_flight,
    the_dispatcher_killed_between_the_relays_replies_and_the_claim_write_sends_those_mails_again_and_no_others,
    a_batch_that_takes_longer_than_ack_wait_keeps_its_lease_and_mails_everyone_once,
    nats_server_restarted_mid_circular_resumes_and_loses_nothing,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_stopped_and_started_mid_circular_acknowledges_nothing_before_it_is_stored() {
    const CONTACTS: usize = 2000;
    let started = Instant::now();
    // Declared before the harness, so it outlives the services.
    let mut postgres = OwnServer::start().await.expect("PostgreSQL starts");
    let url = postgres.create_database("circulars").await.unwrap();
    let mut h = Harness::start_setup(Setup {
        database_url: Some(url),
        ..Setup::new(Db::Postgres)
    })
    .await;
    let mut logs = LogsOnFailure::of(&h);
    logs.also(postgres.log_file());
    h.serve("all");
    issue_to_a_generated_directory(&h, CONTACTS);

    let at_stop = wait_until_stored(&h, STORED_BEFORE_THE_CRASH).await;
    // Fast shutdown, preferably while the tracker writes a batch: its transaction is rolled
    // back and its connections closed; the batch must come back from JetStream, not be
    // acknowledged.
    let mid_write = wait_for_a_tracker_write(&postgres.url("circulars")).await;
    postgres.stop();
    let stopped = Instant::now();
    // Down for a while: the dispatcher needs no database to send, so mail keeps flowing while
    // the tracker cannot record it. Up again once 200 more mails went out (at least 2 s, at
    // most 10 s down).
    let mut sent_while_down = 0;
    while stopped.elapsed() < Duration::from_secs(10) {
        sent_while_down = h.smtp().stored() - at_stop;
        if sent_while_down >= 200 && stopped.elapsed() >= Duration::from_secs(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let down_for = stopped.elapsed();
    postgres.restart().await.expect("PostgreSQL starts again");
    wait_until_over(&mut h).await;

    let received = nothing_lost_few_duplicated(&h, CONTACTS).await;
    let felt = std::fs::read_to_string(h.dir().join("serve-all.log"))
        .unwrap()
        .matches("batch not recorded")
        .count();
    println!(
        "PostgreSQL stopped at {at_stop} mails stored (the tracker seen writing: {mid_write}), \
         down {:.1} s while {sent_while_down} more were sent; the tracker failed {felt} batches; \
         in the end {} mails to {} recipients, {} extra copies; {:.1} s",
        down_for.as_secs_f64(),
        received.mails,
        received.recipients,
        received.extra_copies,
        started.elapsed().as_secs_f64()
    );
}

/// Waits (a few seconds at most) until the tracker is inside a transaction recording outcomes;
/// whether it was seen.
async fn wait_for_a_tracker_write(url: &str) -> bool {
    use sqlx::Connection;
    let mut watcher = sqlx::PgConnection::connect(url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = false;
    while !seen && Instant::now() < deadline {
        let writing: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() \
             AND state IN ('active', 'idle in transaction') \
             AND (query LIKE 'INSERT INTO deliveries%' OR query LIKE 'INSERT INTO delivery_history%')",
        )
        .fetch_one(&mut watcher)
        .await
        .unwrap();
        seen = writing > 0;
    }
    watcher.close().await.unwrap();
    seen
}
