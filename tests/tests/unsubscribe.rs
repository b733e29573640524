//! A recipient leaves with the one-click link of the mail they received (RFC 8058): from the
//! topic of an optional circular, or from every circular after an official one. Opening the link
//! changes nothing; following it twice changes nothing more; a link that was altered, made for
//! something else or naming no delivery changes nothing at all.

use circulars_core::domain::{CircularId, DeliveryKey, RecipientAddress, TopicId};
use circulars_core::tokens::{Keyring, Purpose};
use circulars_store::{Store, SuppressionReason};
use circulars_tests::http::http;
use circulars_tests::{on_both_databases, Db, Harness, Mail};

const ONE_CLICK: &[u8] = b"List-Unsubscribe=One-Click";
const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

/// The path of the mail's https unsubscribe link (`/unsubscribe/<token>`), after checking that
/// the mail offers one-click unsubscribing.
fn unsubscribe_path(mail: &Mail) -> String {
    assert_eq!(
        mail.list_unsubscribe_post, "List-Unsubscribe=One-Click",
        "{}",
        mail.recipient
    );
    // The header may be folded: no URL holds white space, so all of it can go.
    let header: String = mail
        .list_unsubscribe
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let https = header
        .split(',')
        .find_map(|link| link.strip_prefix("<https://"))
        .and_then(|link| link.strip_suffix('>'))
        .unwrap_or_else(|| panic!("no https link in {header}"));
    assert!(
        header.contains("<mailto:unsubscribe+"),
        "no mailto link in {header}"
    );
    let at = https
        .find("/unsubscribe/")
        .unwrap_or_else(|| panic!("{https}"));
    https[at..].to_owned()
}

/// The token of the mail's VERP envelope sender (`bounce+<token>@…`): a bounce token.
fn bounce_token(mail: &Mail) -> String {
    let start = mail.return_path.find("bounce+").expect("a VERP sender") + "bounce+".len();
    let end = mail.return_path[start..].find('@').expect("a domain") + start;
    mail.return_path[start..end].to_owned()
}

/// The path with one character of the token's delivery reference changed: well-formed, but
/// its signature no longer matches.
fn tampered(path: &str) -> String {
    let at = path.rfind('/').expect("a token") + 10;
    let new = if &path[at..=at] == "a" { "b" } else { "a" };
    let mut altered = path.to_owned();
    altered.replace_range(at..=at, new);
    altered
}

/// What the directory says about an address: the `tsb-events` choice, the suppression, and
/// the number of audit entries.
async fn state_of(
    store: &Store,
    address: &RecipientAddress,
) -> (Option<bool>, Option<SuppressionReason>, usize) {
    let topic = TopicId::parse("tsb-events").unwrap();
    (
        store
            .subscription(address, &topic)
            .await
            .unwrap()
            .map(|s| s.subscribed),
        store.suppression(address).await.unwrap().map(|s| s.reason),
        store.audit_trail(address.as_str()).await.unwrap().len(),
    )
}

async fn a_recipient_unsubscribes_from_a_topic_or_from_everything_with_one_click(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    h.import_sample_directory();
    h.add_sample_topic();
    h.draft_sample_circular();
    let topic_file = h.write_sample_variant(37, Some("tsb-events"));
    assert_eq!(
        h.circulars_ok(&["draft", &topic_file.to_string_lossy()])
            .trim(),
        "TSB-37"
    );
    h.circulars_ok(&["issue", "TSB-36"]);
    h.circulars_ok(&["issue", "TSB-37"]);
    h.wait_until_delivered("TSB-36").await;
    h.wait_until_delivered("TSB-37").await;

    let mails = h.mails();
    let topic_mail = mails
        .iter()
        .find(|m| m.message_id.starts_with("<TSB-37.") && m.language == "en")
        .expect("a mail of TSB-37 in English");
    let official_mail = mails
        .iter()
        .find(|m| {
            m.message_id.starts_with("<TSB-36.")
                && m.recipient != topic_mail.recipient
                && m.language == "en"
        })
        .expect("a mail of TSB-36 in English to someone else");
    let topic_reader = RecipientAddress::parse(&topic_mail.recipient).unwrap();
    let official_reader = RecipientAddress::parse(&official_mail.recipient).unwrap();
    let topic_link = format!("{}{}", h.gateway_url(), unsubscribe_path(topic_mail));
    let official_link = format!("{}{}", h.gateway_url(), unsubscribe_path(official_mail));
    let store = h.store().await;
    let (_, _, topic_trail) = state_of(&store, &topic_reader).await;
    let (_, _, official_trail) = state_of(&store, &official_reader).await;
    assert_eq!(
        state_of(&store, &topic_reader).await,
        (None, None, topic_trail)
    );

    // Opening the link shows what the button would do, masked, and changes nothing.
    let local = topic_reader.as_str().split('@').next().unwrap();
    let masked = format!("{}***@{}", &local[..1], topic_reader.domain());
    for _ in 0..2 {
        let page = http("GET", &topic_link, None, b"").await;
        assert_eq!(page.status, 200, "{page:?}");
        assert!(page
            .header("content-type")
            .unwrap()
            .starts_with("text/html"));
        assert!(
            page.body.contains("<html lang=\"en\" dir=\"ltr\">"),
            "{}",
            page.body
        );
        assert!(page.body.contains(&masked), "{}", page.body);
        assert!(
            page.body.contains("<a href=\"/preferences/"),
            "a link to the preferences page: {}",
            page.body
        );
        assert!(!page.body.contains(topic_reader.as_str()), "{}", page.body);
        assert!(page.body.contains("TSB events"), "{}", page.body);
        assert!(
            page.body.contains("<form method=\"post\">"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("name=\"List-Unsubscribe\" value=\"One-Click\""),
            "{}",
            page.body
        );
        assert!(!page.body.contains("<script"), "{}", page.body);
        assert!(!page.body.contains("src="), "{}", page.body);
    }
    let head = http("HEAD", &topic_link, None, b"").await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let page = http("GET", &official_link, None, b"").await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("from all circulars"), "{}", page.body);
    assert_eq!(
        state_of(&store, &topic_reader).await,
        (None, None, topic_trail)
    );
    assert_eq!(
        state_of(&store, &official_reader).await,
        (None, None, official_trail)
    );

    // A POST that is not the one-click body, an altered link, and the envelope's bounce token
    // are refused and change nothing.
    for (content_type, body) in [
        (FORM, &b"List-Unsubscribe=Yes"[..]),
        (FORM, b""),
        (Some("text/plain"), ONE_CLICK),
    ] {
        let refused = http("POST", &topic_link, content_type, body).await;
        assert_eq!(refused.status, 400, "{refused:?}");
        assert!(refused.body.contains("List-Unsubscribe") || refused.body.contains("content type"));
    }
    let altered = format!(
        "{}{}",
        h.gateway_url(),
        tampered(&unsubscribe_path(topic_mail))
    );
    let refused = http("POST", &altered, FORM, ONE_CLICK).await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert!(refused.body.starts_with("invalid link"), "{}", refused.body);
    assert!(!refused.body.contains("signature"), "{}", refused.body);
    let bounce = format!(
        "{}/unsubscribe/{}",
        h.gateway_url(),
        bounce_token(topic_mail)
    );
    let refused = http("POST", &bounce, FORM, ONE_CLICK).await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert!(refused.body.starts_with("invalid link"), "{}", refused.body);
    assert_eq!(
        state_of(&store, &topic_reader).await,
        (None, None, topic_trail)
    );

    // One click on the optional circular's link: out of its topic, not out of everything.
    let done = http("POST", &topic_link, FORM, ONE_CLICK).await;
    assert_eq!(done.status, 200, "{done:?}");
    assert!(done.body.contains("Unsubscribed"), "{}", done.body);
    assert!(done.body.contains(&masked), "{}", done.body);
    assert_eq!(
        state_of(&store, &topic_reader).await,
        (Some(false), None, topic_trail + 1)
    );
    let choice = store
        .subscription(&topic_reader, &TopicId::parse("tsb-events").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(choice.set_by, "recipient");
    assert_eq!(choice.source, "one-click unsubscribe from TSB-37");
    let trail = store.audit_trail(topic_reader.as_str()).await.unwrap();
    let entry = trail.last().unwrap();
    assert_eq!(entry.action, "subscription.set");
    assert_eq!(entry.actor, "recipient (one-click)");
    assert!(entry.detail.contains("tsb-events"), "{}", entry.detail);

    // The same click again (a mail client retrying, a second click): 200, nothing more.
    let again = http("POST", &topic_link, FORM, ONE_CLICK).await;
    assert_eq!(again.status, 200, "{again:?}");
    assert!(again.body.contains("already"), "{}", again.body);
    assert_eq!(
        state_of(&store, &topic_reader).await,
        (Some(false), None, topic_trail + 1)
    );
    let page = http("GET", &topic_link, None, b"").await;
    assert!(page.body.contains("Already unsubscribed"), "{}", page.body);
    assert!(!page.body.contains("<form"), "{}", page.body);

    // One click on the official circular's link, sent as multipart/form-data (RFC 8058's
    // preferred encoding): suppressed from everything.
    let multipart = b"--xYzZY\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--xYzZY--\r\n";
    let content_type = Some("multipart/form-data; boundary=xYzZY");
    let done = http("POST", &official_link, content_type, multipart).await;
    assert_eq!(done.status, 200, "{done:?}");
    assert!(done.body.contains("from all circulars"), "{}", done.body);
    let suppression = store.suppression(&official_reader).await.unwrap().unwrap();
    assert_eq!(suppression.reason, SuppressionReason::Unsubscribed);
    assert_eq!(suppression.detail, "one-click unsubscribe from TSB-36");
    let trail = store.audit_trail(official_reader.as_str()).await.unwrap();
    assert_eq!(trail.len(), official_trail + 1);
    let entry = trail.last().unwrap();
    assert_eq!(entry.action, "suppression.added");
    assert_eq!(entry.actor, "recipient (one-click)");
    let again = http("POST", &official_link, FORM, ONE_CLICK).await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(
        store
            .audit_trail(official_reader.as_str())
            .await
            .unwrap()
            .len(),
        official_trail + 1,
        "a replay writes no second audit entry"
    );
    // A mistake: the page's link to the preferences page undoes it, for a week.
    let at = again
        .body
        .find("<a href=\"/preferences/")
        .expect("the link")
        + 9;
    let path = &again.body[at..at + "/preferences/".len() + 39];
    let preferences = http("GET", &format!("{}{path}", h.gateway_url()), None, b"").await;
    assert!(
        preferences.body.contains("You can undo it here until"),
        "{}",
        preferences.body
    );
    let at = preferences.body.find("name=\"form\" value=\"").unwrap() + 19;
    let form = &preferences.body[at..at + 39];
    let undo = format!("form={form}&lang=en&action=undo");
    let undone = http(
        "POST",
        &format!("{}{path}", h.gateway_url()),
        FORM,
        undo.as_bytes(),
    )
    .await;
    assert!(
        undone
            .body
            .contains("Done: this address receives circulars again."),
        "{}",
        undone.body
    );
    assert_eq!(store.suppression(&official_reader).await.unwrap(), None);

    // The topic reader is still not suppressed: leaving a topic is not leaving everything.
    assert_eq!(store.suppression(&topic_reader).await.unwrap(), None);

    store.close().await;
    h.stop_services();
}

async fn links_that_name_no_delivery_or_are_not_tokens_change_nothing(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("gateway");
    // The harness configures no [tokens] keys, so the gateway accepts the development key's
    // tokens: this one is valid but names a delivery no audience holds.
    let nobody = DeliveryKey::new(
        CircularId::new("TSB", 999).unwrap(),
        RecipientAddress::parse("nobody@example.org").unwrap(),
    );
    let unknown = Keyring::development().sign(&nobody, Purpose::Unsubscribe);
    let link = format!("{}/unsubscribe/{unknown}", h.gateway_url());
    let page = http("GET", &link, None, b"").await;
    assert_eq!(page.status, 404, "{page:?}");
    assert!(page.body.contains("<html lang=\"en\""), "{}", page.body);
    assert!(
        page.body.contains("Nothing has been changed."),
        "{}",
        page.body
    );
    let refused = http("POST", &link, FORM, ONE_CLICK).await;
    assert_eq!(refused.status, 404, "{refused:?}");

    let too_long = format!("{}/unsubscribe/{}", h.gateway_url(), "a".repeat(200));
    let bounce = Keyring::development().sign(&nobody, Purpose::Bounce);
    let bounce = format!("{}/unsubscribe/{bounce}", h.gateway_url());
    let short = format!("{}/unsubscribe/abc", h.gateway_url());
    for link in [
        too_long,
        bounce,
        short,
        format!("{}/unsubscribe/{}", h.gateway_url(), "1".repeat(39)),
    ] {
        let page = http("GET", &link, None, b"").await;
        assert_eq!(page.status, 400, "{link}: {page:?}");
        assert!(
            page.body.contains("This link does not work"),
            "{}",
            page.body
        );
        let refused = http("POST", &link, FORM, ONE_CLICK).await;
        assert_eq!(refused.status, 400, "{link}: {refused:?}");
        assert!(refused.body.starts_with("invalid link"), "{}", refused.body);
    }

    // A flood is cut at the body limit, before anything is parsed.
    let flood = vec![b'a'; 64 * 1024];
    let refused = http("POST", &link, FORM, &flood).await;
    assert_eq!(refused.status, 413, "{refused:?}");

    h.stop_services();
}

on_both_databases!(
    a_recipient_unsubscribes_from_a_topic_or_from_everything_with_one_click,
    links_that_name_no_delivery_or_are_not_tokens_change_nothing,
);
