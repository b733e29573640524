//! A recipient asks the secretariat what it holds about them, then asks to be forgotten. Staff
//! export everything held about the address, then erase it: the contact data goes, the address
//! becomes a keyed pseudonym in the delivery records, and the circular's counts stay true. An
//! address cannot be forgotten while a circular to it is still on its way.

use circulars_core::domain::{CircularId, DeliveryState, RecipientAddress};
use circulars_core::tokens::Keyring;
use circulars_store::SuppressionReason;
use circulars_tests::{on_both_databases, Db, Harness, DIRECTORY_HEADER as HEADER};
use serde_json::Value;

const AMARA: &str = "amara.osei@dtc.aldoria.example";

async fn a_recipient_gets_everything_held_about_them_and_is_then_forgotten(db: Db) {
    let mut h = Harness::start(db).await;
    h.import_sample_directory();
    h.circulars_ok(&[
        "directory",
        "topic",
        "add",
        "tsb-events",
        "--name",
        "TSB events",
    ]);
    let choice = h.dir().join("choice.csv");
    std::fs::write(
        &choice,
        format!("{HEADER}administration-of-aldoria,Administration of Aldoria,,member-states,amara.osei@DTC.Aldoria.example,Amara Osei,en,,active,-tsb-events\n"),
    )
    .unwrap();
    h.circulars_ok(&["directory", "import", choice.to_str().unwrap()]);
    h.draft_sample_circular();
    h.serve("all");
    h.circulars_ok(&["issue", "TSB-36"]);
    let before = h.wait_until_delivered("TSB-36").await;

    // What the secretariat holds about Amara, as one JSON document.
    let file = h.dir().join("amara.json");
    h.circulars_ok(&[
        "directory",
        "report",
        AMARA,
        "--out",
        file.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(report["address"], AMARA);
    let contacts = report["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 1, "{report:#}");
    assert_eq!(contacts[0]["name"], "Amara Osei");
    assert_eq!(contacts[0]["addressee"], "administration-of-aldoria");
    assert_eq!(report["subscriptions"][0]["topic"], "tsb-events");
    assert_eq!(report["subscriptions"][0]["subscribed"], false);
    let circular = &report["circulars"][0];
    assert_eq!(circular["circular"], "TSB-36");
    assert_eq!(circular["recipient"]["name"], "Amara Osei");
    assert!(
        circular["recipient"]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("member-states via administration-of-aldoria"),
        "{report:#}"
    );
    assert_eq!(circular["delivery"]["state"], "sent");
    let history = circular["history"].as_array().unwrap().len();
    assert!(history > 0, "{report:#}");
    let actions: Vec<&str> = report["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "contact.created",
            "contact.updated",
            "subscription.set",
            "address.reported"
        ],
        "{report:#}"
    );

    // Forgotten: no trace of the address or the name is left in the database.
    let out = h.circulars_ok(&["directory", "forget", AMARA]);
    let address = RecipientAddress::parse(AMARA).unwrap();
    let pseudonym = Keyring::development().pseudonym(&address);
    assert!(
        out.contains(&format!(
            "forgot {AMARA}: 1 contacts, 1 topic choices and 0 chosen languages deleted; now {pseudonym}"
        )),
        "{out}"
    );
    assert_eq!(h.traces_of("amara.osei").await, Vec::<String>::new());
    assert_eq!(h.traces_of("Amara.Osei").await, Vec::<String>::new());
    assert_eq!(h.traces_of("Amara Osei").await, Vec::<String>::new());

    // The circular's counts are unchanged, and the delivery is kept under the pseudonym.
    let id: CircularId = "TSB-36".parse().unwrap();
    let store = h.store().await;
    let after = store.circular_status(&id).await.unwrap();
    assert_eq!(after, before);
    let kept = store.delivery(&id, &pseudonym).await.unwrap().unwrap();
    assert_eq!(kept.state, DeliveryState::Sent);
    let kept_history = store.delivery_history(&id, &pseudonym).await.unwrap();
    assert_eq!(kept_history.len(), history);
    let trail = store.audit_trail(pseudonym.as_str()).await.unwrap();
    assert_eq!(trail.last().unwrap().action, "address.forgotten");
    assert!(
        trail[0].detail.contains("(forgotten)"),
        "{}",
        trail[0].detail
    );

    // Asked again, there is nothing left to forget; the request is still recorded.
    let again = h.circulars_ok(&["directory", "forget", AMARA]);
    assert!(
        again.contains(&format!("nothing held about {AMARA}")),
        "{again}"
    );
    assert_eq!(
        store.audit_trail(pseudonym.as_str()).await.unwrap().len(),
        trail.len() + 1
    );
}

async fn an_address_cannot_be_forgotten_while_a_circular_to_it_is_on_its_way(db: Db) {
    let mut h = Harness::start(db).await;
    h.import_sample_directory();
    h.draft_sample_circular();
    // Only the directory runs: the audience is frozen, and no mail goes out.
    h.serve("directory");
    h.circulars_ok(&["issue", "TSB-36"]);
    let id: CircularId = "TSB-36".parse().unwrap();
    let address = RecipientAddress::parse(AMARA).unwrap();
    let store = h.store().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while store
        .audience_member(&id, &address)
        .await
        .unwrap()
        .is_none()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the audience is never frozen"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let refused = h.circulars(&["directory", "forget", AMARA]);
    assert!(!refused.success);
    assert!(
        refused.stderr.contains(&format!(
            "{AMARA} cannot be forgotten yet: TSB-36 still being delivered to it"
        )),
        "{}",
        refused.stderr
    );
    assert_eq!(store.contacts_for_address(&address).await.unwrap().len(), 1);
    assert!(store
        .audience_member(&id, &address)
        .await
        .unwrap()
        .is_some());

    // A suppressed address that the circular left out can be forgotten: its suppression stays,
    // under the pseudonym, so the count of suppressed addresses stays true.
    let suppressed = RecipientAddress::parse("a.solovyov@kcl.example.net").unwrap();
    assert!(store.suppression(&suppressed).await.unwrap().is_some());
    h.circulars_ok(&["directory", "forget", suppressed.as_str()]);
    let pseudonym = Keyring::development().pseudonym(&suppressed);
    assert!(store.suppression(&suppressed).await.unwrap().is_none());
    assert!(store.suppression(&pseudonym).await.unwrap().is_some());
    let excluded = store
        .audience_exclusion(&id, &pseudonym)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(excluded.reason, "suppressed");
    assert_eq!(h.traces_of("a.solovyov").await, Vec::<String>::new());

    // A server's words quoting the address are rewritten too, in the suppression and its audit.
    let ghost = RecipientAddress::parse("ghost@example.org").unwrap();
    store
        .suppress(
            &ghost,
            SuppressionReason::Bounced,
            "550 5.1.1 <ghost@example.org>: no such user",
            "tracker (hard bounces)",
        )
        .await
        .unwrap();
    h.circulars_ok(&["directory", "forget", ghost.as_str()]);
    assert_eq!(h.traces_of("ghost@").await, Vec::<String>::new());
    let kept = store
        .suppression(&Keyring::development().pseudonym(&ghost))
        .await
        .unwrap()
        .unwrap();
    assert!(
        kept.detail.starts_with("550 5.1.1 <forgotten-"),
        "{}",
        kept.detail
    );
    assert_eq!(h.traces_of("Artem Solovyov").await, Vec::<String>::new());
}

on_both_databases!(
    a_recipient_gets_everything_held_about_them_and_is_then_forgotten,
    an_address_cannot_be_forgotten_while_a_circular_to_it_is_on_its_way,
);
