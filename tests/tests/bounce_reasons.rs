//! Why mail came back decides what it does to the address. One recipient's mailbox does not
//! exist, another's is full; both come back as permanent failures, circular after circular.
//! The unknown mailbox is suppressed once the hard-bounce rule's count is reached; the full one
//! never is, and still gets the next circular. `status` counts the bounced deliveries per
//! reason and `explain` says why each one failed, on either database. The same holds when the
//! recipient's relay refuses the mail outright at the SMTP dialogue: `550 5.1.1` counts
//! towards the rule, `552 5.2.2` does not.

use circulars_capture_smtp::RecipientRules;
use circulars_core::domain::{BounceReason, CircularId, DeliveryState, RecipientAddress};
use circulars_store::SuppressionReason;
use circulars_tests::intake::{dsn, send, wait_until_applied};
use circulars_tests::{on_both_databases, Db, Harness, Mail, Setup};

fn address(text: &str) -> RecipientAddress {
    RecipientAddress::parse(text).unwrap()
}

/// The mails of `circular`, by recipient, with bare return paths.
fn mails_of(h: &Harness, circular: &str) -> Vec<Mail> {
    let prefix = format!("<{circular}.");
    let mut mails: Vec<Mail> = h
        .mails()
        .into_iter()
        .filter(|m| m.message_id.starts_with(&prefix))
        .collect();
    mails.sort_by(|a, b| a.recipient.cmp(&b.recipient));
    for mail in &mut mails {
        mail.return_path = mail.return_path.trim_matches(['<', '>']).to_owned();
    }
    mails
}

/// The recipients' servers send back: `gone`'s mailbox does not exist, `full`'s is full.
async fn return_both(h: &Harness, gone: &Mail, full: &Mail) {
    for (mail, status, words) in [
        (gone, "5.1.1", "550 5.1.1 <mailbox> User unknown"),
        (full, "5.2.2", "552 5.2.2 Mailbox full"),
    ] {
        let report = dsn(
            &mail.return_path,
            &mail.recipient,
            "failed",
            status,
            words,
            &mail.message_id,
        );
        let session = send(h.intake_addr(), &[&mail.return_path], &report).await;
        assert_eq!(session.last_code(), 250, "{session:?}");
    }
}

async fn only_dead_addresses_are_suppressed_and_status_and_explain_say_why(db: Db) {
    let mut h = Harness::start_setup(Setup {
        bounces_settings: "[directory]\nsuppress_after_hard_bounces = 2".into(),
        ..Setup::new(db)
    })
    .await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;
    let first = mails_of(&h, "TSB-36");
    let (gone, full) = (first[0].clone(), first[1].clone());
    return_both(&h, &gone, &full).await;
    let store = h.store().await;
    wait_until_applied(&store, 2).await;

    // Both deliveries bounced, each with its reason, on the record and in its history.
    let id: CircularId = "TSB-36".parse().unwrap();
    for (mail, reason) in [
        (&gone, BounceReason::UserUnknown),
        (&full, BounceReason::MailboxFull),
    ] {
        let recipient = address(&mail.recipient);
        let record = store.delivery(&id, &recipient).await.unwrap().unwrap();
        assert_eq!(
            (record.state, record.bounce_reason),
            (DeliveryState::Bounced, Some(reason))
        );
        let history = store.delivery_history(&id, &recipient).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!(last.bounce_reason, Some(reason), "{history:?}");
    }
    // One bounce each: below the rule's count of two, nobody is suppressed yet.
    assert_eq!(
        store.suppression(&address(&gone.recipient)).await.unwrap(),
        None
    );

    // `status` counts the bounced per reason, in text and JSON; `explain` says why.
    let status = h.circulars_ok(&["status", "TSB-36"]);
    assert!(
        status.contains("bounced, by reason: 1 user_unknown, 1 mailbox_full"),
        "{status}"
    );
    assert!(status.contains("reason mailbox_full"), "{status}");
    let json: serde_json::Value =
        serde_json::from_str(&h.circulars_ok(&["status", "TSB-36", "--json"])).unwrap();
    assert_eq!(
        json["bounce_reasons"],
        serde_json::json!({"user_unknown": 1, "mailbox_full": 1}),
        "{json:#}"
    );
    let reasons: Vec<&str> = json["returned"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["bounce_reason"].as_str())
        .collect();
    assert_eq!(reasons.len(), 2, "{json:#}");
    let explained = h.circulars_ok(&["explain", "TSB-36", &full.recipient]);
    assert!(
        explained.contains("Delivery: bounced (attempt 1), reason mailbox_full"),
        "{explained}"
    );

    // The next circular comes back the same way: the unknown mailbox reaches the rule's count
    // and is suppressed; the full one, bounced as often, is not.
    let next = h.write_sample_variant(37, None);
    h.circulars_ok(&["draft", &next.to_string_lossy()]);
    h.circulars_ok(&["issue", "TSB-37"]);
    h.wait_until_delivered("TSB-37").await;
    let second = mails_of(&h, "TSB-37");
    let again = |mail: &Mail| {
        second
            .iter()
            .find(|m| m.recipient == mail.recipient)
            .cloned()
            .unwrap_or_else(|| panic!("{} got TSB-37", mail.recipient))
    };
    return_both(&h, &again(&gone), &again(&full)).await;
    wait_until_applied(&store, 4).await;
    let suppression = store
        .suppression(&address(&gone.recipient))
        .await
        .unwrap()
        .expect("the unknown mailbox is suppressed");
    assert_eq!(suppression.reason, SuppressionReason::Bounced);
    assert!(
        suppression.detail.starts_with("hard-bounced 2 times")
            && suppression.detail.contains("(user_unknown)"),
        "{}",
        suppression.detail
    );
    assert_eq!(
        store.suppression(&address(&full.recipient)).await.unwrap(),
        None,
        "a full mailbox never suppresses an address"
    );

    // A third circular leaves the dead address out and still reaches the full mailbox.
    let third = h.write_sample_variant(38, None);
    h.circulars_ok(&["draft", &third.to_string_lossy()]);
    h.circulars_ok(&["issue", "TSB-38"]);
    h.wait_until_delivered("TSB-38").await;
    let reached: Vec<String> = mails_of(&h, "TSB-38")
        .into_iter()
        .map(|m| m.recipient)
        .collect();
    assert!(!reached.contains(&gone.recipient), "{reached:?}");
    assert!(reached.contains(&full.recipient), "{reached:?}");
    store.close().await;
    h.stop_services();
}

on_both_databases!(only_dead_addresses_are_suppressed_and_status_and_explain_say_why);

async fn a_relay_refusing_a_full_mailbox_never_suppresses_it_but_an_unknown_user_does(db: Db) {
    let (gone, full) = (
        "amara.osei@dtc.aldoria.example",
        "james.ncube@dtc.aldoria.example",
    );
    let rules = RecipientRules::new()
        .reply(
            gone,
            550,
            &format!("5.1.1 <{gone}>: Recipient address rejected: User unknown"),
        )
        .reply(full, 552, "5.2.2 Mailbox full, quota exceeded");
    let mut h = Harness::start_setup(Setup {
        rules,
        bounces_settings: "[directory]\nsuppress_after_hard_bounces = 2".into(),
        ..Setup::new(db)
    })
    .await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();
    let store = h.store().await;

    // Two circulars, each refused by the relay for both at RCPT: each delivery is failed, with
    // the reason its reply gives.
    for (number, circular) in [(36, "TSB-36"), (37, "TSB-37")] {
        if number != 36 {
            let next = h.write_sample_variant(number, None);
            h.circulars_ok(&["draft", &next.to_string_lossy()]);
        }
        h.circulars_ok(&["issue", circular]);
        h.wait_until_delivered(circular).await;
        let id: CircularId = circular.parse().unwrap();
        for (recipient, reason) in [
            (gone, BounceReason::UserUnknown),
            (full, BounceReason::MailboxFull),
        ] {
            let record = store.delivery(&id, &address(recipient)).await.unwrap();
            let record = record.unwrap_or_else(|| panic!("{recipient} has no {circular} record"));
            assert_eq!(
                (record.state, record.bounce_reason),
                (DeliveryState::Failed, Some(reason)),
                "{recipient} in {circular}"
            );
        }
    }
    let status = h.circulars_ok(&["status", "TSB-37"]);
    assert!(
        status.contains("failed, by reason: 1 user_unknown, 1 mailbox_full"),
        "{status}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&h.circulars_ok(&["status", "TSB-37", "--json"])).unwrap();
    assert_eq!(
        json["failure_reasons"],
        serde_json::json!({"user_unknown": 1, "mailbox_full": 1}),
        "{json:#}"
    );
    let explained = h.circulars_ok(&["explain", "TSB-37", full]);
    assert!(
        explained
            .contains("Delivery: failed (attempt 1), reason mailbox_full: 552 5.2.2 Mailbox full"),
        "{explained}"
    );

    // The unknown user reached the rule's count of two and is suppressed; the full mailbox,
    // refused as often, is not.
    let suppression = store
        .suppression(&address(gone))
        .await
        .unwrap()
        .expect("the unknown user is suppressed");
    assert_eq!(suppression.reason, SuppressionReason::Bounced);
    assert!(
        suppression.detail.contains("(user_unknown)"),
        "{}",
        suppression.detail
    );
    assert_eq!(
        store.suppression(&address(full)).await.unwrap(),
        None,
        "a relay's 552 5.2.2 never suppresses an address"
    );

    // A third circular leaves the dead address out and tries the full mailbox again.
    let third = h.write_sample_variant(38, None);
    h.circulars_ok(&["draft", &third.to_string_lossy()]);
    h.circulars_ok(&["issue", "TSB-38"]);
    h.wait_until_delivered("TSB-38").await;
    let id: CircularId = "TSB-38".parse().unwrap();
    assert_eq!(store.delivery(&id, &address(gone)).await.unwrap(), None);
    let tried = store.delivery(&id, &address(full)).await.unwrap().unwrap();
    assert_eq!(tried.bounce_reason, Some(BounceReason::MailboxFull));
    assert_eq!(store.suppression(&address(full)).await.unwrap(), None);
    store.close().await;
    h.stop_services();
}

on_both_databases!(a_relay_refusing_a_full_mailbox_never_suppresses_it_but_an_unknown_user_does);
