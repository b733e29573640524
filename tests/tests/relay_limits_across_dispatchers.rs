//! Operations run two dispatchers side by side against one relay that takes 50 mails a second
//! over 2 connections at most: together they keep the relay's limits, as one dispatcher
//! would, and both do their part of the work. Then operators lift the rate limit, and the two
//! still open no more than the relay's 2 connections between them.

use circulars_tests::{Db, Harness, Setup, PATIENCE};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The relay's limits, for the whole cluster.
const RATE_PER_SECOND: f64 = 50.0;
const CONNECTIONS: usize = 2;
/// Recipients of each circular: twelve jobs, so that both dispatchers have work until near
/// the end (each holds up to four jobs at once).
const RECIPIENTS: usize = 600;
/// Mails stored before the rate is measured: past the first burst (each dispatcher may send
/// its share of a second at once, 50 in all; 100 if each took the whole rate).
const MEASURED_FROM: usize = 100;

/// Waits until `instance`'s log says the limits are shared by two dispatchers.
async fn wait_until_shared_by_two(h: &Harness, instance: &str) {
    let deadline = Instant::now() + PATIENCE;
    while !h
        .service_log(instance)
        .contains("shared by 2 dispatcher(s)")
    {
        assert!(
            Instant::now() < deadline,
            "{instance} never counted two dispatchers:\n{}",
            h.service_log(instance)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the capture server has stored `n` mails; returns when it first had `from` and
/// when it had `n`.
async fn stored_between(h: &Harness, from: usize, n: usize) -> (Instant, Instant) {
    let deadline = Instant::now() + 2 * PATIENCE;
    let mut first = None;
    loop {
        let stored = h.smtp().stored();
        let now = Instant::now();
        if stored >= from && first.is_none() {
            first = Some(now);
        }
        if stored >= n {
            return (first.unwrap_or(now), now);
        }
        assert!(now < deadline, "only {stored} of {n} mails stored");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_dispatchers_together_keep_the_relays_rate_and_connections() {
    let mut h = Harness::start_setup(Setup {
        relay_settings: format!("rate_per_second = {RATE_PER_SECOND}\nconnections = {CONNECTIONS}"),
        ..Setup::new(Db::Sqlite)
    })
    .await;
    let reports = h.relay_reports("capture").await;
    let senders = || -> BTreeSet<String> {
        let reports = reports.lock().unwrap();
        reports
            .iter()
            .filter(|r| r.sent_last_minute > 0)
            .map(|r| r.dispatcher.clone())
            .collect()
    };
    for service in ["directory", "composer", "tracker", "dispatcher"] {
        h.serve(service);
    }
    h.serve_instance("dispatcher", "dispatcher-2", &[]);
    wait_until_shared_by_two(&h, "dispatcher").await;
    wait_until_shared_by_two(&h, "dispatcher-2").await;

    h.import_generated_directory(RECIPIENTS);
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    let (from, to) = stored_between(&h, MEASURED_FROM, RECIPIENTS).await;
    let rate = (RECIPIENTS - MEASURED_FROM) as f64 / (to - from).as_secs_f64();
    println!(
        "{} mails in {:.1} s: {rate:.1} a second for a relay limited to {RATE_PER_SECOND}",
        RECIPIENTS - MEASURED_FROM,
        (to - from).as_secs_f64()
    );
    // Each dispatcher alone at the relay's full rate would send twice as fast.
    assert!(
        rate <= RATE_PER_SECOND * 1.15,
        "two dispatchers sent {rate:.1} mails a second through a relay limited to {RATE_PER_SECOND}"
    );
    h.wait_until_delivered("TSB-36").await;
    let deadline = Instant::now() + PATIENCE;
    while senders().len() < 2 {
        assert!(
            Instant::now() < deadline,
            "both dispatchers sent some of the circular: {:?}",
            senders()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Without a rate limit each dispatcher fills its connections: its share of the two.
    let said = h.circulars_ok(&["relay", "limit", "capture", "--rate", "0"]);
    assert!(said.contains("relay capture: no rate limit"), "{said}");
    let next = h.write_sample_variant(37, None);
    h.circulars_ok(&["draft", &next.to_string_lossy()]);
    h.circulars_ok(&["issue", "TSB-37"]);
    h.wait_until_delivered("TSB-37").await;
    let copies = h.copies();
    assert_eq!(
        copies.len(),
        RECIPIENTS,
        "every recipient got both circulars"
    );
    assert!(
        copies.values().all(|&n| n == 2),
        "each recipient mailed once per circular: {copies:?}"
    );
    let most_open = h.smtp().stats().most_open_connections;
    println!("at most {most_open} connections open at once, for a relay allowing {CONNECTIONS}");
    assert!(
        most_open <= CONNECTIONS,
        "two dispatchers opened {most_open} connections to a relay allowing {CONNECTIONS}"
    );
    h.stop_services();
}
