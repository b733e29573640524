//! Operations pause a circular in flight, slow a relay down or speed it up while mail flows,
//! resume, and cancel another circular: nothing is sent while paused, nobody gets a mail twice,
//! and every mail not sent before the cancellation is recorded as cancelled.

use circulars_core::domain::{CircularId, DeliveryState};
use circulars_store::Store;
use circulars_tests::{on_both_databases, Db, Harness, Setup, DIRECTORY_HEADER, PATIENCE};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const RECIPIENTS: usize = 240;

fn directory() -> String {
    let languages = ["ar", "zh", "en", "fr", "ru", "es"];
    let mut csv = DIRECTORY_HEADER.to_owned();
    for n in 0..RECIPIENTS {
        csv.push_str(&format!(
            "adm-{n},Administration {n},,member-states,officer{n}@adm{n}.example.org,Officer {n},{},,active,\n",
            languages[n % 6]
        ));
    }
    csv
}

/// Waits until `circular` has at least `n` deliveries sent.
async fn wait_until_sent(store: &Store, circular: &CircularId, n: u64) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let status = store.circular_status(circular).await.unwrap();
        if status.total.get(DeliveryState::Sent) >= n {
            return;
        }
        assert!(Instant::now() < deadline, "fewer than {n} sent: {status:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Mails stored per recipient for `circular` (its id starts each Message-ID).
fn copies(h: &Harness, circular: &str) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for mail in h.mails() {
        if mail.message_id.starts_with(&format!("<{circular}.")) {
            *n.entry(mail.recipient).or_default() += 1;
        }
    }
    n
}

async fn a_circular_paused_in_flight_waits_then_resumes_and_another_is_cancelled(db: Db) {
    let mut h = Harness::start_setup(Setup {
        // Slow enough to pause and cancel half-way.
        relay_settings: "rate_per_second = 40".into(),
        ..Setup::new(db)
    })
    .await;
    h.serve("all");
    let csv = h.dir().join("directory.csv");
    std::fs::write(&csv, directory()).unwrap();
    h.circulars_ok(&["directory", "import", csv.to_str().unwrap()]);
    h.draft_sample_circular();
    let refused = h.circulars(&["pause", "TSB-36"]);
    assert!(
        !refused.success && refused.stderr.contains("is a draft"),
        "{}",
        refused.stderr
    );

    h.circulars_ok(&["issue", "TSB-36"]);
    let store = h.store().await;
    let tsb36: CircularId = "TSB-36".parse().unwrap();
    wait_until_sent(&store, &tsb36, 20).await;
    let said = h.circulars_ok(&["pause", "TSB-36"]);
    assert!(said.contains("paused TSB-36"), "{said}");

    // The mails in flight finish (each batch in hand starts no more and hands its job back);
    // then nothing more is sent.
    let deadline = Instant::now() + PATIENCE;
    let mut stored = h.mails().len();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = h.mails().len();
        if now == stored {
            break;
        }
        assert!(Instant::now() < deadline, "mails in flight never finished");
        stored = now;
    }
    let sent_when_paused = h.mails().len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        h.mails().len(),
        sent_when_paused,
        "nothing is sent while paused"
    );
    let status = store.circular_status(&tsb36).await.unwrap();
    assert!(!status.is_complete(), "{status:?}");
    let said = h.circulars_ok(&["status", "TSB-36"]);
    assert!(
        said.contains("paused: nothing more is sent until `circulars resume TSB-36`"),
        "{said}"
    );
    assert!(
        sent_when_paused < RECIPIENTS,
        "paused half-way: {sent_when_paused}"
    );

    // Faster relay, then resume: everyone gets the circular once.
    let said = h.circulars_ok(&["relay", "limit", "capture", "--rate", "0"]);
    assert!(said.contains("relay capture: no rate limit"), "{said}");
    h.circulars_ok(&["resume", "TSB-36"]);
    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(status.total.get(DeliveryState::Sent), RECIPIENTS as u64);
    let tsb36_copies = copies(&h, "TSB-36");
    assert_eq!(tsb36_copies.len(), RECIPIENTS);
    assert!(tsb36_copies.values().all(|&n| n == 1), "one mail each");
    let log = std::fs::read_to_string(h.dir().join("serve-all.log")).unwrap();
    assert!(
        log.contains("relay limits applied"),
        "the dispatcher heard the new limit"
    );
    // The change is in the staff audit trail, with the limits before and after.
    let audit = store.staff_audit("relay:capture").await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "relay.limits-set");
    let detail: serde_json::Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(
        (
            &detail["before"]["rate_per_second"],
            &detail["after"]["rate_per_second"]
        ),
        (&serde_json::json!(40), &serde_json::json!(0)),
        "{detail}"
    );

    // A second circular, slowed down again, cancelled half-way.
    h.circulars_ok(&["relay", "limit", "capture", "--rate", "40"]);
    let file = h.write_sample_variant(37, None);
    h.circulars_ok(&["draft", file.to_str().unwrap()]);
    h.circulars_ok(&["issue", "TSB-37"]);
    let tsb37: CircularId = "TSB-37".parse().unwrap();
    wait_until_sent(&store, &tsb37, 10).await;
    let said = h.circulars_ok(&["cancel", "TSB-37"]);
    assert!(said.contains("cancelled TSB-37"), "{said}");
    let status = h.wait_until_delivered("TSB-37").await;
    let sent = status.total.get(DeliveryState::Sent);
    let cancelled = status.total.get(DeliveryState::Cancelled);
    assert_eq!(sent + cancelled, RECIPIENTS as u64, "{status:?}");
    assert!(cancelled > 0 && sent >= 10, "{status:?}");
    let tsb37_copies = copies(&h, "TSB-37");
    assert_eq!(
        tsb37_copies.len() as u64,
        sent,
        "a mail for every sent record, none for a cancelled one"
    );
    let said = h.circulars_ok(&["status", "TSB-37", "--json"]);
    assert!(said.contains(r#""dispatch": "cancelled""#), "{said}");
    let said = h.circulars_ok(&["status", "TSB-36", "--json"]);
    assert!(said.contains(r#""dispatch": "running""#), "{said}");
    let refused = h.circulars(&["resume", "TSB-37"]);
    assert!(
        !refused.success && refused.stderr.contains("was cancelled"),
        "{}",
        refused.stderr
    );
    store.close().await;
    h.stop_services();
}

on_both_databases!(a_circular_paused_in_flight_waits_then_resumes_and_another_is_cancelled,);
