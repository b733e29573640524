//! Links that no longer lead to anyone's preferences. A preferences link works for 180 days
//! after its circular was issued: an older one gets a page, in the language the circular was
//! sent in, saying the link has expired and what to do instead, and changes nothing. Once a
//! person is forgotten, both links of their mails (the preferences page and the one-click
//! unsubscribe) get a clear page that shows nothing of them and change nothing.

use chrono::{TimeDelta, Utc};
use circulars_core::domain::{CircularId, DeliveryKey, RecipientAddress};
use circulars_core::tokens::{Keyring, Purpose, TOKEN_LEN};
use circulars_tests::http::{http, request, Reply};
use circulars_tests::{on_both_databases, Db, Harness, Mail};

/// The sample directory with the topic `tsb-events`, TSB-36 delivered, and a mail of it in
/// French.
async fn delivered(db: Db) -> (Harness, Mail) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    h.sample_delivered_with_topic().await;
    let mail = h
        .mails()
        .into_iter()
        .find(|m| m.language == "fr")
        .expect("a mail in French");
    (h, mail)
}

/// The token of the mail's link to `path` (`/preferences/`, `/unsubscribe/`).
fn token(mail: &Mail, path: &str) -> String {
    let at = mail.text.find(path).expect("the link") + path.len();
    mail.text[at..at + TOKEN_LEN].to_owned()
}

/// Moves TSB-36's issue date `days` back.
async fn issued_days_ago(h: &Harness, days: i64) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(h.database_url()).await.unwrap();
    let at =
        (Utc::now() - TimeDelta::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    sqlx::query("UPDATE circulars SET issued_at = $1 WHERE id = 'TSB-36'")
        .bind(at)
        .execute(&pool)
        .await
        .unwrap();
}

/// A form of the page that opts the reader out of `tsb-events`, with a valid form token.
async fn opt_out(link: &str, mail: &Mail) -> Reply {
    let delivery = DeliveryKey::new(
        "TSB-36".parse::<CircularId>().unwrap(),
        RecipientAddress::parse(&mail.recipient).unwrap(),
    );
    let form = Keyring::development().sign(&delivery, Purpose::PreferencesForm);
    let body = format!("form={form}&lang=fr&action=topic&topic=tsb-events&receive=no");
    let headers = [("Content-Type", "application/x-www-form-urlencoded")];
    request("POST", link, &headers, body.as_bytes()).await
}

/// Asserts that `page` shows nothing of the reader.
fn shows_nothing_of(page: &Reply, mail: &Mail) {
    let local = mail.recipient.split('@').next().unwrap();
    assert!(!page.body.contains(local), "{}", page.body);
    assert!(!page.body.contains("forgotten"), "{}", page.body);
    assert!(!page.body.contains("TSB events"), "{}", page.body);
}

async fn an_expired_link_says_so_in_the_circulars_language_and_changes_nothing(db: Db) {
    let (h, mail) = delivered(db).await;
    let reader = RecipientAddress::parse(&mail.recipient).unwrap();
    let store = h.store().await;
    let trail = store.audit_trail(reader.as_str()).await.unwrap().len();
    let link = format!(
        "{}/preferences/{}",
        h.gateway_url(),
        token(&mail, "/preferences/")
    );

    // Within 180 days the link works.
    issued_days_ago(&h, 179).await;
    assert_eq!(http("GET", &link, None, b"").await.status, 200);

    // After 180 days: a page in French saying what happened and what to do.
    issued_days_ago(&h, 181).await;
    let expired = http("GET", &link, None, b"").await;
    assert_eq!(expired.status, 410, "{expired:?}");
    assert!(
        expired.body.contains("<html lang=\"fr\" dir=\"ltr\">"),
        "{}",
        expired.body
    );
    for words in [
        "Ce lien a expiré",
        "valables 180 jours après l'envoi de la circulaire",
        "Rien n'a été modifié.",
        "le lien de désabonnement de ce courriel reste valable",
    ] {
        let text = expired.body.replace("&#39;", "'");
        assert!(text.contains(words), "{words}: {}", expired.body);
    }
    shows_nothing_of(&expired, &mail);
    // In the language asked for, if any.
    let english = http("GET", &format!("{link}?lang=en"), None, b"").await;
    assert_eq!(english.status, 410);
    assert!(
        english.body.contains("This link has expired"),
        "{}",
        english.body
    );
    // A form sent from the page while it was still open: refused the same way, nothing written.
    let late = opt_out(&link, &mail).await;
    assert_eq!(late.status, 410, "{late:?}");
    assert!(late.body.contains("Ce lien a expiré"), "{}", late.body);
    let topic = "tsb-events".parse().unwrap();
    assert_eq!(store.subscription(&reader, &topic).await.unwrap(), None);
    assert_eq!(
        store.audit_trail(reader.as_str()).await.unwrap().len(),
        trail
    );

    // The one-click unsubscribe link of the same mail still works: one may always leave.
    let one_click = format!(
        "{}/unsubscribe/{}",
        h.gateway_url(),
        token(&mail, "/unsubscribe/")
    );
    assert_eq!(http("GET", &one_click, None, b"").await.status, 200);
}

async fn a_forgotten_persons_links_show_nothing_and_change_nothing(db: Db) {
    let (h, mail) = delivered(db).await;
    let preferences = format!(
        "{}/preferences/{}",
        h.gateway_url(),
        token(&mail, "/preferences/")
    );
    let one_click = format!(
        "{}/unsubscribe/{}",
        h.gateway_url(),
        token(&mail, "/unsubscribe/")
    );
    let printed = h.circulars_ok(&["directory", "forget", &mail.recipient]);
    let pseudonym = printed
        .split("now ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no pseudonym in: {printed}"))
        .to_owned();
    let store = h.store().await;
    let alias = RecipientAddress::parse(&pseudonym).unwrap();
    let trail = store.audit_trail(alias.as_str()).await.unwrap().len();
    let suppression = store.suppression(&alias).await.unwrap();

    // The preferences page: 410, in the circular's language, nothing of the person.
    let page = http("GET", &preferences, None, b"").await;
    assert_eq!(page.status, 410, "{page:?}");
    assert!(
        page.body.contains("<html lang=\"fr\" dir=\"ltr\">"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Ce lien n"), "{}", page.body);
    assert!(page.body.contains("Rien n"), "{}", page.body);
    shows_nothing_of(&page, &mail);
    let form = opt_out(&preferences, &mail).await;
    assert_eq!(form.status, 410, "{form:?}");
    shows_nothing_of(&form, &mail);

    // The one-click link: its page and its RFC 8058 POST both refuse, changing nothing.
    let page = http("GET", &one_click, None, b"").await;
    assert_eq!(page.status, 410, "{page:?}");
    assert!(
        page.body.contains("<html lang=\"fr\" dir=\"ltr\">"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Rien n"), "{}", page.body);
    shows_nothing_of(&page, &mail);
    let post = http(
        "POST",
        &one_click,
        Some("application/x-www-form-urlencoded"),
        b"List-Unsubscribe=One-Click",
    )
    .await;
    assert_eq!(post.status, 410, "{post:?}");
    shows_nothing_of(&post, &mail);

    assert_eq!(
        store.audit_trail(alias.as_str()).await.unwrap().len(),
        trail
    );
    assert_eq!(store.suppression(&alias).await.unwrap(), suppression);
}

on_both_databases!(
    an_expired_link_says_so_in_the_circulars_language_and_changes_nothing,
    a_forgotten_persons_links_show_nothing_and_change_nothing,
);
