//! The relay takes the whole message and its reply never comes: it may have stored the mail.
//! Such a mail is tried again at most `smtp.unconfirmed_retries` times (once by default), then
//! recorded `sent`, unconfirmed, with the number of attempts that reached that point, and
//! `status` counts it apart. A relay that takes its time to answer the final dot (a content
//! scan) is waited for as RFC 5321 §4.5.3.2 says (10 minutes) and causes no copy.

use circulars_capture_smtp::RecipientRules;
use circulars_core::domain::{DeliveryEvent, DeliveryState, RecipientAddress};
use circulars_tests::{on_both_databases, Db, Harness, DIRECTORY_HEADER};
use std::time::Duration;

const AMINA: &str = "amina.diallo@ptt.freedonia.example.org";
const LI: &str = "li.wei@miit.sylvania.example.com";
const VERA: &str = "vera.novak@ptt.latveria.example.net";
const KARIM: &str = "k.haddad@example.org";

/// Four recipients of TSB-36, one per language of four.
fn issue_to_four(h: &Harness) {
    let csv = format!(
        "{DIRECTORY_HEADER}\
adm-freedonia,Administration of Freedonia,,member-states,{AMINA},Amina Diallo,fr,,active,\n\
adm-sylvania,Administration of Sylvania,,member-states,{LI},Li Wei,zh,,active,\n\
adm-latveria,Administration of Latveria,,member-states,{VERA},Vera Novak,ru,,active,\n\
example-telecom,Example Telecom,,sector-members,{KARIM},Karim Haddad,ar,,active,\n"
    );
    let file = h.dir().join("directory.csv");
    std::fs::write(&file, csv).unwrap();
    h.circulars_ok(&["directory", "import", file.to_str().unwrap()]);
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
}

/// Checks that `address` was tried twice, both replies lost, and is recorded `sent` with two
/// unconfirmed attempts, two copies stored, and counted apart by `status`.
async fn sent_unconfirmed_after_two_attempts(h: &Harness, address: &str) {
    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(status.total.get(DeliveryState::Sent), 4, "{status:?}");
    assert_eq!(status.unconfirmed, 1, "{status:?}");
    assert_eq!(
        h.history("TSB-36", address).await,
        [
            (DeliveryEvent::Reached(DeliveryState::Deferred), 1),
            (DeliveryEvent::Reached(DeliveryState::Sent), 2)
        ],
        "one retry (the default), then no more"
    );
    let store = h.store().await;
    let entries = store
        .delivery_history(
            &"TSB-36".parse().unwrap(),
            &RecipientAddress::parse(address).unwrap(),
        )
        .await
        .unwrap();
    let marks: Vec<(u32, bool)> = entries
        .iter()
        .map(|e| (e.unconfirmed, e.reply.is_none()))
        .collect();
    assert_eq!(
        marks,
        [(1, true), (2, true)],
        "each lost reply is marked in the history: {entries:?}"
    );
    let record = store
        .delivery(
            &"TSB-36".parse().unwrap(),
            &RecipientAddress::parse(address).unwrap(),
        )
        .await
        .unwrap()
        .expect("a record");
    store.close().await;
    assert_eq!((record.state, record.unconfirmed), (DeliveryState::Sent, 2));
    assert!(record.reply.is_none(), "no reply came: {record:?}");
    let detail = record.detail.unwrap_or_default();
    assert!(
        detail.starts_with(
            "may have been delivered: the reply was lost after the message was sent (2 attempts reached that point)"
        ),
        "{detail}"
    );
    let copies = h.copies();
    assert_eq!(copies.len(), 4, "everyone got the circular: {copies:?}");
    for (recipient, n) in &copies {
        let expected = if recipient == address { 2 } else { 1 };
        assert_eq!(*n, expected, "{recipient}: {copies:?}");
    }

    let json: serde_json::Value =
        serde_json::from_str(&h.circulars_ok(&["status", "TSB-36", "--json"])).unwrap();
    assert_eq!(json["unconfirmed"], 1, "{json}");
    assert_eq!(json["total"]["sent"], 4, "{json}");
    let text = h.circulars_ok(&["status", "TSB-36"]);
    assert!(
        text.contains("1 of the sent are unconfirmed"),
        "status says so: {text}"
    );
}

async fn a_relay_that_hangs_up_after_storing_is_tried_once_more_then_the_mail_is_sent_unconfirmed(
    db: Db,
) {
    let rules = RecipientRules::new().drop_after_store(KARIM, 100);
    let mut h = Harness::start_with(db, rules).await;
    h.serve("all");
    issue_to_four(&h);
    sent_unconfirmed_after_two_attempts(&h, KARIM).await;
    assert_eq!(h.smtp().dropped_after_store(), 2, "no third attempt");
    h.stop_services();
}

async fn a_relay_slower_than_the_final_reply_timeout_is_tried_once_more_then_the_mail_is_sent_unconfirmed(
    db: Db,
) {
    let rules = RecipientRules::new().delay_final_reply(LI, Duration::from_secs(6));
    let mut h = Harness::start_configured(db, rules, "final_reply_timeout_secs = 3").await;
    h.serve("all");
    issue_to_four(&h);
    sent_unconfirmed_after_two_attempts(&h, LI).await;
    h.stop_services();
}

async fn a_relay_that_scans_before_it_answers_is_waited_for_and_sends_one_copy(db: Db) {
    // 6 s, twice the 3 s that made the dispatcher give up and send again before.
    let rules = RecipientRules::new().delay_final_reply(LI, Duration::from_secs(6));
    let mut h = Harness::start_with(db, rules).await;
    h.serve("all");
    issue_to_four(&h);
    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(
        (status.total.get(DeliveryState::Sent), status.unconfirmed),
        (4, 0),
        "{status:?}"
    );
    assert_eq!(
        h.history("TSB-36", LI).await,
        [(DeliveryEvent::Reached(DeliveryState::Sent), 1)]
    );
    assert!(h.copies().values().all(|n| *n == 1), "{:?}", h.copies());
    assert_eq!(h.smtp().stats().delayed_final_replies, 1);
    h.stop_services();
}

on_both_databases!(
    a_relay_that_hangs_up_after_storing_is_tried_once_more_then_the_mail_is_sent_unconfirmed,
    a_relay_slower_than_the_final_reply_timeout_is_tried_once_more_then_the_mail_is_sent_unconfirmed,
    a_relay_that_scans_before_it_answers_is_waited_for_and_sends_one_copy
);
