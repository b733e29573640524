//! The recipient's own choices on the preferences page: the language of their next circulars
//! (one of the six, each named in itself), which the next circular's audience takes over the
//! directory's; and, with their topic choices, it survives a later CSV re-import of the
//! directory, whose report (in the CLI and on the console's import page) says what it kept.

use circulars_core::domain::{Language, RecipientAddress, TopicId};
use circulars_core::tokens::TOKEN_LEN;
use circulars_tests::http::{http, request, Reply};
use circulars_tests::signed_in::{assert_page, new_account_signed_in};
use circulars_tests::{on_both_databases, Db, Harness, Mail, DIRECTORY_HEADER};

/// A recipient of the sample directory (sector members, English), whom TSB-36 reaches.
const READER: &str = "margaret-green@acme-optical.example.com";
/// Her row in `samples/directory/sector-members.csv`, with the topic `tsb-events` chosen.
const READER_ROW: &str = "acme-optical-systems,Acme Optical Systems,,sector-members,\
     margaret-green@acme-optical.example.com,Margaret Green,en,,active,tsb-events\n";

/// The sample directory with the topic `tsb-events`, TSB-36 delivered, and the reader's mail.
async fn delivered(db: Db) -> (Harness, Mail) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    h.sample_delivered_with_topic().await;
    let mail = h
        .mails()
        .into_iter()
        .find(|m| m.recipient == READER)
        .expect("the reader received TSB-36");
    (h, mail)
}

/// The full preferences link of a mail.
fn preferences_link(h: &Harness, mail: &Mail) -> String {
    let at = mail.text.find("/preferences/").expect("a preferences link") + 13;
    format!(
        "{}/preferences/{}",
        h.gateway_url(),
        &mail.text[at..at + TOKEN_LEN]
    )
}

/// The hidden form token of a preferences page.
fn form_token(page: &str) -> String {
    let at = page.find("name=\"form\" value=\"").expect("a form") + 19;
    page[at..at + TOKEN_LEN].to_owned()
}

/// POSTs `fields` (form-urlencoded; the values here need no escaping) to `link`.
async fn post(link: &str, fields: &[(&str, &str)]) -> Reply {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let headers = [("Content-Type", "application/x-www-form-urlencoded")];
    request("POST", link, &headers, body.join("&").as_bytes()).await
}

/// Chooses the language `code` for future circulars with the page's form.
async fn choose_language(link: &str, form: &str, code: &str) -> Reply {
    let fields = [
        ("form", form),
        ("lang", "en"),
        ("action", "language"),
        ("language", code),
    ];
    post(link, &fields).await
}

/// Drafts and issues the sample circular numbered `number` (in `topic`), and returns the
/// reader's mail of it, if any.
async fn next_circular(h: &Harness, number: u32, topic: Option<&str>) -> Option<Mail> {
    let file = h.write_sample_variant(number, topic);
    h.circulars_ok(&["draft", &file.to_string_lossy()]);
    let id = format!("TSB-{number}");
    h.circulars_ok(&["issue", &id]);
    h.wait_until_delivered(&id).await;
    let prefix = format!("<{id}.");
    h.mails()
        .into_iter()
        .find(|m| m.message_id.starts_with(&prefix) && m.recipient == READER)
}

async fn a_recipient_chooses_the_language_of_their_next_circulars(db: Db) {
    let (h, mail) = delivered(db).await;
    assert_eq!(mail.language, "en", "the directory says English");
    let reader = RecipientAddress::parse(READER).unwrap();
    let store = h.store().await;
    let link = preferences_link(&h, &mail);
    let trail = || async { store.audit_trail(reader.as_str()).await.unwrap() };
    let before = trail().await.len();

    // The page offers the six languages, each named in itself, the current one chosen.
    let page = http("GET", &link, None, b"").await;
    assert_eq!(page.status, 200, "{page:?}");
    for language in Language::ALL {
        assert!(
            page.body.contains(&format!(
                "<label lang=\"{}\"><input type=\"radio\" name=\"language\" value=\"{}\"",
                language.code(),
                language.code()
            )) && page.body.contains(language.native_name()),
            "{language}: {}",
            page.body
        );
    }
    assert!(page.body.contains("value=\"en\" checked>"), "{}", page.body);
    let form = form_token(&page.body);
    // A language that is not one of the six: refused, naming it; nothing changed.
    let refused = choose_language(&link, &form, "de").await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert!(
        refused
            .body
            .contains("“de” is not a language of circulars. Nothing has been changed."),
        "{}",
        refused.body
    );
    assert_eq!(store.language_choice(&reader).await.unwrap(), None);
    assert_eq!(trail().await.len(), before);

    // French: confirmed on the page, the form now on French, audited as the recipient's own.
    let done = choose_language(&link, &form, "fr").await;
    assert_eq!(done.status, 200, "{done:?}");
    assert!(
        done.body
            .contains("Done: your next circulars will be sent to you in Français."),
        "{}",
        done.body
    );
    assert!(done.body.contains("value=\"fr\" checked>"), "{}", done.body);
    assert!(
        done.body.contains("<html lang=\"en\""),
        "the page stays in English"
    );
    let choice = store.language_choice(&reader).await.unwrap().unwrap();
    assert_eq!(choice.language, Language::Fr);
    assert_eq!(choice.source, "preferences page");
    let entries = trail().await;
    assert_eq!(entries.len(), before + 1, "{entries:#?}");
    let last = entries.last().unwrap();
    assert_eq!(last.action, "language.chosen");
    assert_eq!(last.actor, "recipient (preferences page)");
    assert!(last.detail.contains("\"fr\""), "{last:?}");
    // The same again: nothing more.
    let again = choose_language(&link, &form, "fr").await;
    assert!(
        again.body.contains("Nothing changed: it already was so."),
        "{}",
        again.body
    );
    assert_eq!(trail().await.len(), before + 1);

    // The next circular reaches them in French; the directory still says English.
    let next = next_circular(&h, 37, None)
        .await
        .expect("the reader receives TSB-37");
    assert_eq!(next.language, "fr", "{}", next.subject);
    let contacts = store.contacts_for_address(&reader).await.unwrap();
    assert_eq!(contacts[0].record.language, Some(Language::En));
}

async fn a_re_import_keeps_the_recipients_own_language_and_topic_choices(db: Db) {
    let (h, mail) = delivered(db).await;
    let reader = RecipientAddress::parse(READER).unwrap();
    let store = h.store().await;
    let topic = TopicId::parse("tsb-events").unwrap();
    let link = preferences_link(&h, &mail);
    let page = http("GET", &link, None, b"").await;
    let form = form_token(&page.body);
    for change in [
        [("action", "language"), ("language", "fr")],
        [("action", "topic"), ("topic", "tsb-events")],
    ] {
        let mut fields = vec![("form", form.as_str()), ("lang", "en"), ("receive", "no")];
        fields.extend(change);
        let done = post(&link, &fields).await;
        assert!(done.body.contains("Done:"), "{}", done.body);
    }

    // The secretariat imports the directory again, which says English and the topic.
    let csv = format!("{DIRECTORY_HEADER}{READER_ROW}");
    let file = h.dir().join("sector-members-again.csv");
    std::fs::write(&file, &csv).unwrap();
    let printed = h.circulars_ok(&["directory", "import", &file.to_string_lossy()]);
    let at = format!("{}:2: {READER}", file.display());
    for kept in [
        format!("  kept: {at} chose to receive circulars in fr (preferences page, "),
        "); the file's language en is not applied\n".to_owned(),
        format!("  kept: {at} chose to be opted out of topic tsb-events (preferences page, "),
        "); the file's choice is not applied\n".to_owned(),
    ] {
        assert!(printed.contains(&kept), "{kept:?} in:\n{printed}");
    }
    assert_eq!(printed.matches("  kept: ").count(), 2, "{printed}");
    let choice = store.language_choice(&reader).await.unwrap().unwrap();
    assert_eq!(choice.language, Language::Fr);
    let subscription = store.subscription(&reader, &topic).await.unwrap().unwrap();
    assert!(!subscription.subscribed);
    assert_eq!(subscription.set_by, "recipient");

    // The console's import page says the same (in a dry run here).
    let ada = new_account_signed_in(&h, "ada", &["admin"]).await;
    let checked = ada
        .post_file(
            "/staff/directory/import",
            &[("dry_run", "on")],
            ("file", "again.csv", csv.as_bytes()),
        )
        .await;
    assert_page(
        &checked,
        200,
        &[
            "again.csv:2: margaret-green@acme-optical.example.com chose to receive circulars in fr",
            "chose to be opted out of topic tsb-events",
        ],
    );

    // Both choices hold: the topic's next circular does not reach them, an official one
    // reaches them in French.
    assert!(next_circular(&h, 37, Some("tsb-events")).await.is_none());
    let official = next_circular(&h, 38, None).await.expect("TSB-38 reaches");
    assert_eq!(official.language, "fr");
}

/// The same page open in two tabs: each form carries one change (a topic, the language), not
/// the whole page, so the older tab's form cannot undo what the other tab did.
async fn two_tabs_change_the_same_preferences_and_both_changes_hold(db: Db) {
    let (h, mail) = delivered(db).await;
    h.circulars_ok(&[
        "directory",
        "topic",
        "add",
        "sg-meetings",
        "--name",
        "Study group meetings",
    ]);
    let reader = RecipientAddress::parse(READER).unwrap();
    let store = h.store().await;
    let link = preferences_link(&h, &mail);
    let tab_a = http("GET", &link, None, b"").await;
    let tab_b = http("GET", &link, None, b"").await;
    assert_eq!(tab_a.body, tab_b.body, "the same page in both tabs");
    let (form_a, form_b) = (form_token(&tab_a.body), form_token(&tab_b.body));
    let stop = |form: &str, topic: &'static str| {
        let fields = [
            ("form", form.to_owned()),
            ("lang", "en".to_owned()),
            ("action", "topic".to_owned()),
            ("topic", topic.to_owned()),
            ("receive", "no".to_owned()),
        ];
        let link = link.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(&link, &fields).await
        }
    };

    // Tab A stops TSB events and chooses French; tab B, still showing both topics received
    // and English, stops the study groups' meetings.
    let a = stop(&form_a, "tsb-events").await;
    assert!(a.body.contains("Done:"), "{}", a.body);
    let a = choose_language(&link, &form_a, "fr").await;
    assert!(a.body.contains("Done:"), "{}", a.body);
    let b = stop(&form_b, "sg-meetings").await;
    assert_eq!(b.status, 200, "{b:?}");
    assert!(
        b.body
            .contains("Done: you will no longer receive the circulars of Study group meetings."),
        "{}",
        b.body
    );
    // Tab B's answer shows the preferences as they are now: both topics stopped, French.
    assert!(b.body.contains("Receive TSB events"), "{}", b.body);
    assert!(
        b.body.contains("Receive Study group meetings"),
        "{}",
        b.body
    );
    assert!(b.body.contains("value=\"fr\" checked>"), "{}", b.body);
    for topic in ["tsb-events", "sg-meetings"] {
        let id = TopicId::parse(topic).unwrap();
        let choice = store.subscription(&reader, &id).await.unwrap().unwrap();
        assert!(!choice.subscribed, "{topic}");
    }
    let language = store.language_choice(&reader).await.unwrap().unwrap();
    assert_eq!(language.language, Language::Fr);
    // Tab B's button for TSB events, pressed late: nothing more changes.
    let late = stop(&form_b, "tsb-events").await;
    assert!(
        late.body.contains("Nothing changed: it already was so."),
        "{}",
        late.body
    );
}

on_both_databases!(
    a_recipient_chooses_the_language_of_their_next_circulars,
    a_re_import_keeps_the_recipients_own_language_and_topic_choices,
    two_tabs_change_the_same_preferences_and_both_changes_hold,
);
