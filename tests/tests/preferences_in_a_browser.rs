//! A recipient opens the preferences link of the circular they received in a real browser and
//! reads the page in each of the six languages through its language switch, Arabic right to
//! left (checked from the computed style, not only the attribute); then stops a topic with its
//! button and reads the confirmation. Each page is screenshotted and passes axe-core's WCAG
//! 2.x A and AA checks.

use circulars_core::domain::{RecipientAddress, TopicId};
use circulars_tests::browser::Browser;
use circulars_tests::{Db, Harness};

/// The language codes and the page's title in each, in the switch's order.
const TITLES: [(&str, &str); 6] = [
    ("ar", "تفضيلاتكم"),
    ("zh", "您的偏好设置"),
    ("en", "Your preferences"),
    ("fr", "Vos préférences"),
    ("ru", "Ваши настройки"),
    ("es", "Sus preferencias"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_reads_their_preferences_in_six_languages_and_stops_a_topic() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("all");
    h.import_sample_directory();
    h.circulars_ok(&[
        "directory",
        "topic",
        "add",
        "tsb-events",
        "--name",
        "TSB events",
    ]);
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;
    let mail = h.mails().into_iter().next().expect("a mail was delivered");
    let reader = RecipientAddress::parse(&mail.recipient).expect("a recipient address");
    let at = mail
        .text
        .find("/preferences/")
        .expect("a preferences link in the mail");
    let path = &mail.text[at..at + "/preferences/".len() + 39];
    let link = format!("{}{path}", h.gateway_url());

    let mut browser = Browser::start().await;
    browser.goto(&link).await;
    for (code, title) in TITLES {
        browser.goto(&format!("{link}?lang={code}")).await;
        browser.step(&format!("preferences {code}")).await;
        let text = browser.text().await;
        assert!(text.contains(title), "{code}: {text}");
        assert!(text.contains(reader.as_str()), "{code}: {text}");
        let direction = browser
            .client()
            .execute(
                "return [document.documentElement.lang, getComputedStyle(document.body).direction];",
                vec![],
            )
            .await
            .expect("the script runs");
        let expected = if code == "ar" { "rtl" } else { "ltr" };
        assert_eq!(
            direction,
            serde_json::json!([code, expected]),
            "{code}: lang and computed direction"
        );
    }

    browser.goto(&format!("{link}?lang=en")).await;
    browser.press("Stop receiving TSB events").await;
    browser.step("topic stopped").await;
    let text = browser.text().await;
    assert!(
        text.contains("Done: you will no longer receive the circulars of TSB events."),
        "{text}"
    );
    let store = h.store().await;
    let topic = TopicId::parse("tsb-events").expect("a topic id");
    let choice = store.subscription(&reader, &topic).await.expect("readable");
    assert_eq!(
        choice.map(|c| (c.subscribed, c.source)),
        Some((false, "preferences page".to_owned()))
    );
    browser.close().await;
}
