//! The relay misbehaves and the circular still reaches everyone once: greylisting, a connection
//! lost in the middle of DATA, a reply lost after the relay stored the mail, a relay that is
//! down for a while, a primary relay that cannot be reached, a whole domain greylisting
//! thousands of recipients while the rest of the circular goes out, and a relay that wants
//! STARTTLS and a password.

use circulars_capture_smtp::{test_tls_files, CaptureServer, Credentials, Options, RecipientRules};
use circulars_core::domain::{DeliveryEvent, DeliveryState, RecipientAddress};
use circulars_core::nats::MAIL_OUTBOUND_STREAM;
use circulars_tests::{on_both_databases, Db, Harness, Setup, DIRECTORY_HEADER, PATIENCE};
use futures::StreamExt;
use std::time::{Duration, Instant};

const AMINA: &str = "amina.diallo@ptt.freedonia.example.org";
const LI: &str = "li.wei@miit.sylvania.example.com";
const VERA: &str = "vera.novak@ptt.latveria.example.net";
const KARIM: &str = "k.haddad@example.org";

fn small_directory() -> String {
    format!(
        "{DIRECTORY_HEADER}\
adm-freedonia,Administration of Freedonia,,member-states,{AMINA},Amina Diallo,fr,,active,\n\
adm-sylvania,Administration of Sylvania,,member-states,{LI},Li Wei,zh,,active,\n\
adm-latveria,Administration of Latveria,,member-states,{VERA},Vera Novak,ru,,active,\n\
example-telecom,Example Telecom,,sector-members,{KARIM},Karim Haddad,ar,,active,\n"
    )
}

/// Imports `csv`, drafts the sample circular (TSB-36) and issues it.
fn issue_to(h: &Harness, csv: &str) {
    let file = h.dir().join("directory.csv");
    std::fs::write(&file, csv).unwrap();
    h.circulars_ok(&["directory", "import", file.to_str().unwrap()]);
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
}

async fn greylisting_a_lost_connection_and_a_lost_reply_each_end_in_one_recorded_delivery(db: Db) {
    let rules = RecipientRules::new()
        .reply_times(
            LI,
            451,
            "4.7.1 <li.wei@miit.sylvania.example.com>: Greylisted, try again later",
            2,
        )
        .drop_during_data(AMINA, 1)
        .drop_after_store(KARIM, 1);
    let mut h = Harness::start_with(db, rules).await;
    h.serve("all");
    issue_to(&h, &small_directory());
    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(status.total.get(DeliveryState::Sent), 4, "{status:?}");

    // Greylisted twice, accepted the third time: one mail, three attempts in the history.
    assert_eq!(
        h.history("TSB-36", LI).await,
        [
            (DeliveryEvent::Reached(DeliveryState::Deferred), 1),
            (DeliveryEvent::Reached(DeliveryState::Deferred), 2),
            (DeliveryEvent::Reached(DeliveryState::Sent), 3)
        ]
    );
    let store = h.store().await;
    let li = store
        .delivery_history(
            &"TSB-36".parse().unwrap(),
            &RecipientAddress::parse(LI).unwrap(),
        )
        .await
        .unwrap();
    let greylisted = li[0].reply.as_ref().expect("the relay's reply is kept");
    assert_eq!(
        (greylisted.code, greylisted.enhanced.as_deref()),
        (451, Some("4.7.1"))
    );
    assert!(greylisted.text.contains("Greylisted"), "{greylisted:?}");

    // The connection lost in the middle of DATA: nothing was stored, the retry delivers once.
    assert_eq!(
        h.history("TSB-36", AMINA).await,
        [
            (DeliveryEvent::Reached(DeliveryState::Deferred), 1),
            (DeliveryEvent::Reached(DeliveryState::Sent), 2)
        ]
    );
    assert_eq!(h.smtp().dropped_during_data(), 1);

    // The reply lost after the relay stored the mail: the dispatcher cannot know it was
    // accepted, so it tries again and the recipient gets a second copy. This is the one
    // duplicate a lost reply causes, counted here: exactly the mail whose reply was lost.
    assert_eq!(
        h.history("TSB-36", KARIM).await,
        [
            (DeliveryEvent::Reached(DeliveryState::Deferred), 1),
            (DeliveryEvent::Reached(DeliveryState::Sent), 2)
        ]
    );
    assert_eq!(h.smtp().dropped_after_store(), 1);
    let copies = h.copies();
    let duplicates: usize = copies.values().map(|n| n - 1).sum();
    assert_eq!(copies.len(), 4, "everyone got the circular: {copies:?}");
    assert_eq!(
        (copies[KARIM], duplicates),
        (2, 1),
        "only the mail whose reply was lost came twice: {copies:?}"
    );
    h.stop_services();
}

async fn a_relay_down_for_a_while_delays_the_circular_and_loses_nothing(db: Db) {
    let mut h = Harness::start(db).await;
    h.smtp().stop_listening().await;
    h.serve("all");
    // Operations watch the circular's progress live.
    let bus = h.bus().await;
    let mut progress = bus.client.subscribe("progress.TSB-36").await.unwrap();
    issue_to(&h, &small_directory());

    // Every mail is refused for now (connection refused) and waits for its next attempt.
    let store = h.store().await;
    let id = "TSB-36".parse().unwrap();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let status = store.circular_status(&id).await.unwrap();
        if status.total.get(DeliveryState::Deferred) == 4 {
            break;
        }
        assert!(Instant::now() < deadline, "not all deferred: {status:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(h.mails().is_empty());

    h.smtp().start_listening().await.unwrap();
    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(status.total.get(DeliveryState::Sent), 4, "{status:?}");
    assert!(h.copies().values().all(|&n| n == 1), "{:?}", h.copies());
    let record = store
        .delivery(&id, &RecipientAddress::parse(VERA).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(record.attempt >= 2, "{record:?}");
    store.close().await;

    // The progress published on the way showed the deferred mail, and then the end.
    let mut seen = Vec::new();
    while let Ok(Some(message)) =
        tokio::time::timeout(Duration::from_secs(10), progress.next()).await
    {
        let status: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
        let total = status["total"].clone();
        let done = total["sent"] == 4;
        seen.push(total);
        if done {
            break;
        }
    }
    assert!(
        seen.iter().any(|t| t["deferred"].as_u64().unwrap_or(0) > 0),
        "{seen:?}"
    );
    assert_eq!(
        seen.last().map(|t| t["sent"].clone()),
        Some(4.into()),
        "{seen:?}"
    );
    h.stop_services();
}

async fn a_domain_greylisting_thousands_never_holds_back_the_rest_of_the_circular(db: Db) {
    // 1 500 recipients at one domain that greylists everyone, and 40 others. The retry delay
    // is an hour, so the greylisted stay deferred for the whole test.
    let mut csv = DIRECTORY_HEADER.to_owned();
    let mut rules = RecipientRules::new();
    for n in 0..1500 {
        let address = format!("officer{n:04}@greylisting.example.net");
        csv.push_str(&format!(
            "greylisted-{n},Greylisting administration {n},,member-states,{address},Officer {n},en,,active,\n"
        ));
        rules = rules.reply(&address, 451, "4.7.1 Greylisted, try again later");
    }
    for n in 0..40 {
        csv.push_str(&format!(
            "open-{n},Open administration {n},,member-states,officer{n}@open.example.org,Officer {n},fr,,active,\n"
        ));
    }
    let mut h = Harness::start_configured(db, rules, "retry_delays_secs = [3600]").await;
    h.serve("all");
    issue_to(&h, &csv);

    let store = h.store().await;
    let id = "TSB-36".parse().unwrap();
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        let status = store.circular_status(&id).await.unwrap();
        if status.total.get(DeliveryState::Sent) == 40
            && status.total.get(DeliveryState::Deferred) == 1500
        {
            break status;
        }
        assert!(Instant::now() < deadline, "held back: {status:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status.audience, Some(1540));
    // The deferred mail waits in the database, not in the live work queue: the queue is
    // empty and the circular's consumer holds nothing unacknowledged.
    assert_eq!(store.parked_retries(&id).await.unwrap(), 1500);
    h.wait_until_jobs_handled().await;
    let bus = h.bus().await;
    let stream = bus
        .jetstream
        .get_stream(MAIL_OUTBOUND_STREAM)
        .await
        .unwrap();
    if let Ok(mut consumer) = stream
        .get_consumer::<async_nats::jetstream::consumer::pull::Config>("dispatch-TSB-36")
        .await
    {
        let info = consumer.info().await.unwrap();
        assert_eq!(
            (info.num_pending, info.num_ack_pending),
            (0, 0),
            "nothing held in the consumer"
        );
    }
    assert_eq!(h.mails().len(), 40);
    store.close().await;
    h.stop_services();
}

on_both_databases!(
    greylisting_a_lost_connection_and_a_lost_reply_each_end_in_one_recorded_delivery,
    a_relay_down_for_a_while_delays_the_circular_and_loses_nothing,
    a_domain_greylisting_thousands_never_holds_back_the_rest_of_the_circular,
);

#[tokio::test]
async fn an_unreachable_primary_relay_hands_the_circular_to_the_backup() {
    let backup_dir = tempfile::tempdir().unwrap();
    let backup = CaptureServer::start(
        ([127, 0, 0, 1], 0).into(),
        backup_dir.path().join("mail"),
        RecipientRules::new(),
    )
    .await
    .unwrap();
    let mut h = Harness::start_setup(Setup {
        smtp_settings: format!(
            "relays.backup = {{ host = \"127.0.0.1\", port = {}, priority = 10 }}",
            backup.local_addr().port()
        ),
        ..Setup::new(Db::Sqlite)
    })
    .await;
    h.smtp().stop_listening().await;
    h.serve("all");
    issue_to(&h, &small_directory());
    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(status.total.get(DeliveryState::Sent), 4, "{status:?}");
    assert_eq!(h.smtp().stored(), 0);
    assert_eq!(
        backup.stored(),
        4,
        "every mail went through the backup once"
    );
    h.stop_services();
}

#[tokio::test]
async fn a_relay_that_wants_starttls_and_a_password_gets_both() {
    let tls = test_tls_files();
    let mut h = Harness::start_setup(Setup {
        capture: Options {
            tls: Some(tls.starttls()),
            auth: Some(Credentials::new("circulars", "relay-secret")),
            allow_auth_without_tls: false,
        },
        relay_settings: format!(
            "tls = \"starttls\"\ntls_ca_file = {:?}\nusername = \"circulars\"\npassword = \"relay-secret\"",
            tls.ca.display().to_string()
        ),
        ..Setup::new(Db::Sqlite)
    })
    .await;
    h.serve("all");
    issue_to(&h, &small_directory());
    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(status.total.get(DeliveryState::Sent), 4, "{status:?}");
    let mut sessions = Vec::new();
    for entry in std::fs::read_dir(h.smtp().out_dir()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let session = text
            .lines()
            .find_map(|l| l.strip_prefix("X-Capture-Session: "))
            .unwrap()
            .to_owned();
        sessions.push(session);
    }
    assert_eq!(sessions.len(), 4);
    assert!(
        sessions.iter().all(|s| s == "tls=starttls; auth=circulars"),
        "{sessions:?}"
    );
    h.stop_services();
}
