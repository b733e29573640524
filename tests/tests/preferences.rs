//! A recipient reaches their preferences page from any mail: every delivered mail carries a link
//! `<public_base_url>/preferences/<token>` in its plain-text and its HTML part, beside the
//! one-click unsubscribe link, which stays as it was. The token names the delivery (the
//! recipient's address never appears in the URL) and is made for preferences only. The page
//! speaks the recipient's language (any of the six by its switch) and shows the recipient only;
//! a link that was altered, made for something else, or names no one (a forgotten person)
//! gets a page saying so, and changes nothing; a flood from one address gets 429.

use circulars_core::domain::{CircularId, DeliveryKey, RecipientAddress, TopicId};
use circulars_core::tokens::{DeliveryRef, Keyring, Purpose, TOKEN_LEN};
use circulars_store::SuppressionReason;
use circulars_tests::http::{http, request, Reply};
use circulars_tests::{on_both_databases, Db, Harness, Mail};

/// Where the links of mails lead (`[mail] public_base_url` of the test configuration).
const PREFERENCES: &str = "https://circulars.itu.example/preferences/";

/// The token of the first preferences link in `part`, and the text after it.
fn preferences_token(part: &str) -> Option<&str> {
    let at = part.find(PREFERENCES)? + PREFERENCES.len();
    part.get(at..at + TOKEN_LEN)
}

/// The token of the https link of `List-Unsubscribe`.
fn one_click_token(mail: &Mail) -> String {
    let header: String = mail
        .list_unsubscribe
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let at = header
        .find("/unsubscribe/")
        .expect("an https unsubscribe link")
        + 13;
    header[at..at + TOKEN_LEN].to_owned()
}

async fn every_mail_links_to_the_recipients_preferences_page_in_both_parts(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;

    let mails = h.mails();
    assert!(
        mails.len() > 1,
        "the sample directory has several recipients"
    );
    let keys = Keyring::development();
    let circular: CircularId = "TSB-36".parse().unwrap();
    for mail in &mails {
        let who = &mail.recipient;
        let text = preferences_token(&mail.text).unwrap_or_else(|| {
            panic!(
                "{who}: no preferences link in the text part:\n{}",
                mail.text
            )
        });
        let html = preferences_token(&mail.html).unwrap_or_else(|| {
            panic!(
                "{who}: no preferences link in the HTML part:\n{}",
                mail.html
            )
        });
        assert_eq!(text, html, "{who}: one link in both parts");
        assert!(
            mail.html.contains(&format!(
                "<a href=\"{PREFERENCES}{html}\">{PREFERENCES}{html}</a>"
            )),
            "{who}: the HTML link can be followed:\n{}",
            mail.html
        );
        let verified = keys.verify(text).expect("a token signed by our keys");
        assert_eq!(verified.purpose, Purpose::Preferences, "{who}");
        let address = RecipientAddress::parse(who).unwrap();
        assert_eq!(
            verified.delivery,
            DeliveryRef::of(&DeliveryKey::new(circular.clone(), address.clone())),
            "{who}: the token names this delivery"
        );
        let local = address.as_str().split('@').next().unwrap();
        let link = format!("{PREFERENCES}{text}");
        assert!(!link.contains(local), "{who}: no address in {link}");

        // The one-click link is still there, in the header and the footer, and is another token.
        let one_click = one_click_token(mail);
        assert_eq!(
            keys.verify(&one_click).unwrap().purpose,
            Purpose::Unsubscribe,
            "{who}"
        );
        assert_ne!(one_click, text, "{who}");
        for part in [&mail.text, &mail.html] {
            assert!(
                part.contains(&format!("/unsubscribe/{one_click}")),
                "{who}: the one-click link stays in the footer:\n{part}"
            );
        }
        assert_eq!(mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");
    }
}

/// The path of a mail's preferences link (`/preferences/<token>`).
fn preferences_path(mail: &Mail) -> String {
    let token = preferences_token(&mail.text).expect("a preferences link");
    format!("/preferences/{token}")
}

/// The path with one character of the token's delivery reference changed: well-formed, but its
/// signature no longer matches.
fn tampered(path: &str) -> String {
    let at = path.rfind('/').expect("a token") + 10;
    let new = if &path[at..=at] == "a" { "b" } else { "a" };
    let mut altered = path.to_owned();
    altered.replace_range(at..=at, new);
    altered
}

async fn a_recipient_sees_their_own_preferences_in_their_language_and_bad_links_change_nothing(
    db: Db,
) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    h.sample_delivered_with_topic().await;
    let mails = h.mails();
    let store = h.store().await;
    let circular: CircularId = "TSB-36".parse().unwrap();
    let mail = mails
        .iter()
        .find(|m| m.language != "en")
        .expect("a mail in another language than English");
    let reader = RecipientAddress::parse(&mail.recipient).unwrap();
    let member = store
        .audience_member(&circular, &reader)
        .await
        .unwrap()
        .expect("the reader is in the audience");
    let trail = store.audit_trail(reader.as_str()).await.unwrap().len();
    let link = format!("{}{}", h.gateway_url(), preferences_path(mail));

    // The page speaks the language the circular was sent in, and shows the reader only.
    let page = http("GET", &link, None, b"").await;
    assert_eq!(page.status, 200, "{page:?}");
    let html_tag = |lang: &str, dir: &str| format!("<html lang=\"{lang}\" dir=\"{dir}\">");
    let dir = |lang: &str| if lang == "ar" { "rtl" } else { "ltr" };
    assert!(
        page.body
            .contains(&html_tag(&mail.language, dir(&mail.language))),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("<bdi dir=\"ltr\">{}</bdi>", reader.as_str())),
        "the reader's own address, isolated: {}",
        page.body
    );
    // (The part of the name before any character that HTML escapes.)
    let organisation: String = member
        .recipient
        .addressee
        .name()
        .chars()
        .take_while(|c| !"<>&\"'".contains(*c))
        .collect();
    assert!(
        page.body.contains(&organisation),
        "{organisation}: {}",
        page.body
    );
    assert!(page.body.contains("TSB events"), "{}", page.body);
    for other in mails.iter().filter(|m| m.recipient != mail.recipient) {
        assert!(
            !page.body.contains(&other.recipient),
            "another contact's address {} on the page",
            other.recipient
        );
    }
    assert!(!page.body.contains("<script"), "{}", page.body);
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert_eq!(page.header("cache-control"), Some("no-store"));

    // The switch shows it in each of the six languages; Arabic right to left.
    for lang in ["ar", "zh", "en", "fr", "ru", "es"] {
        let page = http("GET", &format!("{link}?lang={lang}"), None, b"").await;
        assert_eq!(page.status, 200, "{lang}: {page:?}");
        assert!(
            page.body.contains(&html_tag(lang, dir(lang))),
            "{}",
            page.body
        );
        assert!(page.body.contains("hreflang=\"ar\""), "{}", page.body);
    }
    // A language the pages do not speak: the reader's own, with a notice.
    let page = http("GET", &format!("{link}?lang=de"), None, b"").await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body
            .contains(&html_tag(&mail.language, dir(&mail.language))),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("class=\"notice\" role=\"status\""),
        "{}",
        page.body
    );
    let english = http("GET", &format!("{link}?lang=de"), None, b"").await;
    assert!(
        !english.body.contains("?lang=de"),
        "the asked code is not echoed"
    );

    // An altered token, the one-click token, a token naming no delivery, and a forgotten
    // person's link: a page saying what happened, 4xx, in the asked language or English.
    let one_click = one_click_token(mail);
    let nobody = DeliveryKey::new(
        circular.clone(),
        RecipientAddress::parse("nobody@example.org").unwrap(),
    );
    let unknown = Keyring::development().sign(&nobody, Purpose::Preferences);
    for (path, status) in [
        (tampered(&preferences_path(mail)), 400),
        (format!("/preferences/{one_click}"), 400),
        (format!("/preferences/{}", "a".repeat(200)), 400),
        (format!("/preferences/{unknown}"), 404),
    ] {
        let refused = http("GET", &format!("{}{path}", h.gateway_url()), None, b"").await;
        assert_eq!(refused.status, status, "{path}: {refused:?}");
        assert!(
            refused.body.contains(&html_tag("en", "ltr")),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("Nothing has been changed"),
            "{}",
            refused.body
        );
        let french = http(
            "GET",
            &format!("{}{path}?lang=fr", h.gateway_url()),
            None,
            b"",
        )
        .await;
        assert_eq!(french.status, status, "{path}");
        assert!(
            french.body.contains(&html_tag("fr", "ltr")),
            "{}",
            french.body
        );
        assert!(french.body.contains("a été modifié"), "{}", french.body);
    }
    assert_eq!(
        store.audit_trail(reader.as_str()).await.unwrap().len(),
        trail
    );

    // Once the person is forgotten, their link names no one.
    h.circulars_ok(&["directory", "forget", reader.as_str()]);
    let gone = http("GET", &link, None, b"").await;
    assert_eq!(gone.status, 410, "{gone:?}");
    assert!(
        !gone.body.contains("forgotten"),
        "no pseudonym shown: {}",
        gone.body
    );
    assert!(!gone.body.contains(&organisation), "{}", gone.body);

    // A flood from one address: refused with 429 and a page saying to wait, nothing changed.
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..70 {
        let answer = http("GET", &link, None, b"").await;
        statuses.push(answer.status);
        if answer.status == 429 {
            refused = Some(answer);
        }
    }
    let refused = refused.unwrap_or_else(|| panic!("no 429 in {statuses:?}"));
    assert!(
        refused.body.contains("Too many requests"),
        "{}",
        refused.body
    );
    assert!(refused.header("retry-after").is_some(), "{refused:?}");
    assert!(
        statuses.iter().all(|s| [410, 429].contains(s)),
        "{statuses:?}"
    );
}

/// The hidden form token of a preferences page.
fn form_token(page: &str) -> String {
    let at = page.find("name=\"form\" value=\"").expect("a form") + 19;
    page[at..at + TOKEN_LEN].to_owned()
}

/// POSTs `fields` (form-urlencoded; the values here need no escaping) to `link`, with `headers`.
async fn post(link: &str, headers: &[(&str, &str)], fields: &[(&str, &str)]) -> Reply {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let body = body.join("&");
    let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
    all.extend_from_slice(headers);
    request("POST", link, &all, body.as_bytes()).await
}

async fn a_recipient_opts_out_of_a_topic_unsubscribes_and_undoes_it_each_change_audited(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    h.sample_delivered_with_topic().await;
    let mails = h.mails();
    let mail = mails.first().expect("a mail");
    let reader = RecipientAddress::parse(&mail.recipient).unwrap();
    let store = h.store().await;
    let topic = TopicId::parse("tsb-events").unwrap();
    let trail = || async { store.audit_trail(reader.as_str()).await.unwrap() };
    let before = trail().await.len();
    let link = format!("{}{}", h.gateway_url(), preferences_path(mail));
    let page = http("GET", &link, None, b"").await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body.contains("name=\"topic\" value=\"tsb-events\""),
        "{}",
        page.body
    );
    let form = form_token(&page.body);
    let opt_out = [
        ("form", form.as_str()),
        ("lang", "en"),
        ("action", "topic"),
        ("topic", "tsb-events"),
        ("receive", "no"),
    ];

    // Without its form token, with another page's token, or sent from another site: refused.
    let without: Vec<_> = opt_out
        .iter()
        .filter(|(k, _)| *k != "form")
        .copied()
        .collect();
    let refused = post(&link, &[], &without).await;
    assert_eq!(refused.status, 403, "{refused:?}");
    assert!(
        refused.body.contains("Nothing has been changed"),
        "{}",
        refused.body
    );
    let other = mails
        .iter()
        .find(|m| m.recipient != mail.recipient)
        .unwrap();
    let other_page = http(
        "GET",
        &format!("{}{}", h.gateway_url(), preferences_path(other)),
        None,
        b"",
    )
    .await;
    let other_form = form_token(&other_page.body);
    let mut stolen = opt_out;
    stolen[0].1 = other_form.as_str();
    assert_eq!(post(&link, &[], &stolen).await.status, 403);
    let cross = post(&link, &[("Origin", "https://elsewhere.example")], &opt_out).await;
    assert_eq!(cross.status, 403, "{cross:?}");
    let cross = post(&link, &[("Sec-Fetch-Site", "cross-site")], &opt_out).await;
    assert_eq!(cross.status, 403, "{cross:?}");
    // A topic that does not exist: refused, naming it.
    let mut nope = opt_out;
    nope[3].1 = "no-such-topic";
    let unknown = post(&link, &[], &nope).await;
    assert_eq!(unknown.status, 400, "{unknown:?}");
    assert!(unknown.body.contains("no-such-topic"), "{}", unknown.body);
    assert_eq!(store.subscription(&reader, &topic).await.unwrap(), None);
    assert_eq!(trail().await.len(), before);

    // Opting out of the topic: confirmed on the page, recorded as the recipient's own choice.
    let done = post(&link, &[("Origin", h.gateway_url().as_str())], &opt_out).await;
    assert_eq!(done.status, 200, "{done:?}");
    assert!(
        done.body
            .contains("Done: you will no longer receive the circulars of TSB events."),
        "{}",
        done.body
    );
    assert!(done.body.contains("Receive TSB events"), "{}", done.body);
    let choice = store.subscription(&reader, &topic).await.unwrap().unwrap();
    assert!(!choice.subscribed);
    assert_eq!(choice.set_by, "recipient");
    assert_eq!(choice.source, "preferences page");
    let entries = trail().await;
    assert_eq!(entries.len(), before + 1, "{entries:#?}");
    assert_eq!(
        entries.last().unwrap().actor,
        "recipient (preferences page)"
    );
    // The same again (a second tab): nothing more changes.
    let again = post(&link, &[], &opt_out).await;
    assert_eq!(again.status, 200);
    assert!(
        again.body.contains("Nothing changed: it already was so."),
        "{}",
        again.body
    );
    assert_eq!(trail().await.len(), before + 1);

    // The next circular of the topic does not reach them; `explain` says why.
    let topic_file = h.write_sample_variant(37, Some("tsb-events"));
    h.circulars_ok(&["draft", &topic_file.to_string_lossy()]);
    h.circulars_ok(&["issue", "TSB-37"]);
    h.wait_until_delivered("TSB-37").await;
    let tsb37: Vec<_> = h
        .mails()
        .into_iter()
        .filter(|m| m.message_id.starts_with("<TSB-37."))
        .collect();
    assert!(!tsb37.is_empty(), "others receive TSB-37");
    assert!(
        tsb37.iter().all(|m| m.recipient != mail.recipient),
        "{tsb37:#?}"
    );
    let why = h.circulars_ok(&["explain", "TSB-37", reader.as_str()]);
    assert!(why.contains("opted out of topic tsb-events"), "{why}");
    assert!(why.contains("preferences page"), "{why}");

    // Unsubscribing from everything: a suppression, confirmed and audited; the form is gone.
    let everything = [
        ("form", form.as_str()),
        ("lang", "en"),
        ("action", "unsubscribe"),
    ];
    let done = post(&link, &[], &everything).await;
    assert_eq!(done.status, 200, "{done:?}");
    assert!(
        done.body
            .contains("Done: this address is unsubscribed from all circulars."),
        "{}",
        done.body
    );
    assert!(
        !done.body.contains("name=\"action\" value=\"unsubscribe\""),
        "{}",
        done.body
    );
    let suppression = store.suppression(&reader).await.unwrap().unwrap();
    assert_eq!(suppression.reason, SuppressionReason::Unsubscribed);
    assert_eq!(suppression.detail, "preferences page");
    assert_eq!(trail().await.len(), before + 2);

    // Made by mistake: the same link undoes it for a week, once.
    assert!(
        done.body.contains("You can undo it here until"),
        "{}",
        done.body
    );
    let undo = [("form", form.as_str()), ("lang", "en"), ("action", "undo")];
    let undone = post(&link, &[], &undo).await;
    assert_eq!(undone.status, 200, "{undone:?}");
    assert!(
        undone
            .body
            .contains("Done: this address receives circulars again."),
        "{}",
        undone.body
    );
    assert_eq!(store.suppression(&reader).await.unwrap(), None);
    let entries = trail().await;
    assert_eq!(entries.len(), before + 3, "{entries:#?}");
    assert_eq!(entries.last().unwrap().action, "suppression.undone");
    let again = post(&link, &[], &undo).await;
    assert!(
        again.body.contains("Nothing changed: it already was so."),
        "{}",
        again.body
    );
    assert_eq!(trail().await.len(), before + 3);
    // The topic choice made before is kept.
    let choice = store.subscription(&reader, &topic).await.unwrap().unwrap();
    assert!(!choice.subscribed);
}

on_both_databases!(
    every_mail_links_to_the_recipients_preferences_page_in_both_parts,
    a_recipient_sees_their_own_preferences_in_their_language_and_bad_links_change_nothing,
    a_recipient_opts_out_of_a_topic_unsubscribes_and_undoes_it_each_change_audited,
);
