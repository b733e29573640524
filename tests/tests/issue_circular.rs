//! Secretariat staff issue TSB Circular 36 to the sample directory and every recipient gets it
//! once, in their own language; the record says why each address was, or was not, on the list.

use circulars_core::domain::{Circular, DeliveryState, Language};
use circulars_tests::{on_both_databases, workspace, Db, Harness};
use std::collections::{BTreeMap, BTreeSet};

fn sample_circular() -> Circular {
    let path = workspace().join("samples/circulars/tsb-36.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    Circular::from_toml("tsb-36.toml", &text).unwrap()
}

async fn issuing_the_sample_circular_delivers_one_mail_per_recipient_in_their_language(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    h.import_sample_directory();
    let draft = h.draft_sample_circular();
    assert_eq!(draft.trim(), "TSB-36");
    assert_eq!(h.circulars_ok(&["issue", "TSB-36"]).trim(), "issued TSB-36");

    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(
        status.audience,
        Some(258),
        "the sample reaches 252 addressees and 6 copy recipients"
    );
    assert_eq!(status.total.get(DeliveryState::Sent), 258);
    assert_eq!(
        status.excluded, 11,
        "the unsubscribed recipients are left out"
    );

    // Exactly one mail per recipient, each in the language the frozen audience gives them.
    let mails = h.mails();
    assert_eq!(mails.len(), 258);
    let recipients: BTreeSet<&str> = mails.iter().map(|m| m.recipient.as_str()).collect();
    assert_eq!(recipients.len(), 258, "no recipient got two mails");
    let store = h.store().await;
    let audience: BTreeMap<String, Language> = store
        .audience_page(&"TSB-36".parse().unwrap(), None, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.address.to_string(), r.language))
        .collect();
    let circular = sample_circular();
    let mut languages_seen = BTreeSet::new();
    for mail in &mails {
        let language = audience[&mail.recipient];
        assert_eq!(mail.language, language.code(), "{}", mail.recipient);
        let subject = &circular.text(language).unwrap().subject;
        assert!(
            mail.subject.ends_with(subject.as_str()),
            "{}: {}",
            mail.recipient,
            mail.subject
        );
        assert!(mail.text.contains(subject.as_str()) && mail.html.contains("Fred Werner"));
        assert!(
            mail.message_id.starts_with("<TSB-36."),
            "{}",
            mail.message_id
        );
        languages_seen.insert(language);
    }
    assert_eq!(languages_seen.len(), 6, "every language is present");
    let french = mails.iter().find(|m| m.language == "fr").unwrap();
    assert!(french.text.contains("Circulaire TSB 36"), "{}", french.text);
    assert!(french.text.contains("Aux États Membres de l'UIT;"));

    // Issuing again sends nothing new: nothing is published, nothing queued, no mail.
    let bus = h.bus().await;
    let mut circulars = bus.jetstream.get_stream("CIRCULARS").await.unwrap();
    let published_before = circulars.info().await.unwrap().state.messages;
    assert_eq!(
        h.circulars_ok(&["issue", "TSB-36"]).trim(),
        "TSB-36 already issued, 0 new"
    );
    assert_eq!(
        circulars.info().await.unwrap().state.messages,
        published_before
    );
    h.wait_until_jobs_handled().await;
    assert_eq!(h.mails().len(), 258);

    // A recipient in two categories (one directory row naming both) got one mail, and explain names both.
    let both = "itu.focalpoint@mission.isla-dorada.example";
    assert_eq!(mails.iter().filter(|m| m.recipient == both).count(), 1);
    let why = h.circulars_ok(&["explain", "TSB-36", both]);
    assert!(
        why.contains("is on the list (in the frozen audience)"),
        "{why}"
    );
    assert!(
        why.contains("category member-states") && why.contains("category permanent-missions"),
        "{why}"
    );
    assert!(why.contains("Delivery: sent (attempt 1): 250"), "{why}");

    // The same person listed by two addressees, once with the domain in capitals: one recipient,
    // one mail, both entries named.
    let lopez = "r.lopez@uncv.example.org";
    assert_eq!(mails.iter().filter(|m| m.recipient == lopez).count(), 1);
    let why = h.circulars_ok(&["explain", "TSB-36", "r.lopez@UNCV.Example.org"]);
    assert!(
        why.contains("category sector-members") && why.contains("category academia"),
        "{why}"
    );
    assert!(
        why.contains("<r.lopez@UNCV.Example.org>") && why.contains("<r.lopez@uncv.example.org>"),
        "{why}"
    );

    // An unsubscribed recipient gets nothing, and explain says so.
    let gone = "n.ferguson@regulator.freedonia.example.org";
    assert!(mails.iter().all(|m| m.recipient != gone));
    let why = h.circulars_ok(&["explain", "TSB-36", gone]);
    assert!(
        why.contains("is not on the list (in the frozen audience): suppressed since")
            && why.contains("because unsubscribed (import "),
        "{why}"
    );
    assert!(
        why.contains("member-states.csv:"),
        "the entry is named: {why}"
    );

    // An address only in categories this circular does not address.
    let why = h.circulars_ok(&["explain", "TSB-36", "secretary-general@itu.example"]);
    assert!(
        why.contains("in no category of this circular") && why.contains("secretary-general"),
        "{why}"
    );
    let why = h.circulars_ok(&["explain", "TSB-36", "nobody@example.org"]);
    assert!(why.contains("and is in no contact today"), "{why}");

    // Status: distinct recipients in the totals, category rows that may overlap and say so.
    let text = h.circulars_ok(&["status", "TSB-36"]);
    assert!(
        text.contains("258 recipients in the frozen audience, 11 left out"),
        "{text}"
    );
    assert!(text.contains("category rows may overlap"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&h.circulars_ok(&["status", "TSB-36", "--json"])).unwrap();
    assert_eq!(json["total"]["sent"], 258);
    assert_eq!(json["total"]["total"], 258);
    assert_eq!(json["complete"], true);
    let by_category: u64 = json["by_category"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c["total"].as_u64().unwrap())
        .sum();
    assert!(
        by_category > 258,
        "recipients in two categories count in both rows"
    );
    h.stop_services();
}

async fn a_recipient_with_an_internationalised_address_gets_the_circular(db: Db) {
    let mut h = Harness::start(db).await;
    let file = h.dir().join("d.csv");
    std::fs::write(
        &file,
        "addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics\n\
         adm-espana,Administración de España,es,member-states,José.García@Correo.España.example,José García,,,active,\n\
         adm-china,Administration of China,zh,member-states,用户@例子.广告,李伟,,,active,\n",
    )
    .unwrap();
    h.circulars_ok(&["directory", "import", file.to_str().unwrap()]);
    h.draft_sample_circular();
    h.serve("all");
    h.circulars_ok(&["issue", "TSB-36"]);
    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(status.total.get(DeliveryState::Sent), 2, "{status:?}");

    // The relay offers SMTPUTF8, so the envelope carries the local part as written and the
    // domain IDNA-encoded; one mail each, in the addressee's language.
    let mut mails: Vec<(String, String)> = h
        .mails()
        .into_iter()
        .map(|m| (m.recipient, m.language))
        .collect();
    mails.sort();
    assert_eq!(
        mails,
        [
            (
                "José.García@correo.xn--espaa-rta.example".to_owned(),
                "es".to_owned()
            ),
            ("用户@xn--fsqu00a.xn--4rr70v".to_owned(), "zh".to_owned()),
        ]
    );
}

on_both_databases!(
    issuing_the_sample_circular_delivers_one_mail_per_recipient_in_their_language,
    a_recipient_with_an_internationalised_address_gets_the_circular,
);
