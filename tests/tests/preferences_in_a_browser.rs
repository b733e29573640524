//! A recipient opens the preferences link of the circular they received in a real browser and
//! reads the page in each of the six languages through its language switch, Arabic right to
//! left (checked from the computed style, not only the attribute); then, in Arabic reached by
//! the page's own switch, stops a topic and unsubscribes from everything, each confirmed on the
//! page; both changes are in the audit trail, and neither the topic's next circular nor an
//! official one reaches them, `explain` saying why. Each page is screenshotted and passes
//! axe-core's WCAG 2.x A and AA checks.

use circulars_core::domain::{RecipientAddress, TopicId};
use circulars_tests::browser::Browser;
use circulars_tests::{Db, Harness, PATIENCE};
use fantoccini::Locator;
use std::time::{Duration, Instant};

/// Clicks the element `xpath` finds, once the page shows it.
async fn click(browser: &Browser, xpath: &str) {
    let deadline = Instant::now() + PATIENCE;
    let element = loop {
        match browser.client().find(Locator::XPath(xpath)).await {
            Ok(element) => break element,
            Err(e) => assert!(Instant::now() < deadline, "no {xpath}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {xpath}: {e}"));
}

/// Waits until the page shows `text`.
async fn wait_for(browser: &Browser, text: &str) {
    let deadline = Instant::now() + PATIENCE;
    while !browser.text().await.contains(text) {
        assert!(Instant::now() < deadline, "never showed {text:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

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
async fn a_recipient_reads_their_preferences_in_six_languages_then_stops_a_topic_and_unsubscribes_in_arabic(
) {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("all");
    h.sample_delivered_with_topic().await;
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

    // In Arabic, reached through the page's own language switch: the topic stopped, then the
    // address unsubscribed from everything, each confirmed on the page.
    browser.goto(&format!("{link}?lang=en")).await;
    click(&browser, "//nav//a[@hreflang='ar']").await;
    wait_for(&browser, "تفضيلاتكم").await;
    click(
        &browser,
        "//form[.//input[@name='topic' and @value='tsb-events']]//button",
    )
    .await;
    wait_for(&browser, "لن تتلقوا بعد الآن الرسائل المعممة الخاصة بموضوع").await;
    browser.step("topic stopped, in Arabic").await;
    click(
        &browser,
        "//form[.//input[@name='action' and @value='unsubscribe']]//button",
    )
    .await;
    wait_for(
        &browser,
        "تم: أُلغي اشتراك هذا العنوان في جميع الرسائل المعممة.",
    )
    .await;
    browser.step("unsubscribed, in Arabic").await;
    browser.close().await;

    let store = h.store().await;
    let topic = TopicId::parse("tsb-events").expect("a topic id");
    let choice = store.subscription(&reader, &topic).await.expect("readable");
    assert_eq!(
        choice.map(|c| (c.subscribed, c.source)),
        Some((false, "preferences page".to_owned()))
    );
    let trail = store
        .audit_trail(reader.as_str())
        .await
        .expect("the audit trail");
    let by_page: Vec<&str> = trail
        .iter()
        .filter(|e| e.actor == "recipient (preferences page)")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        by_page.len(),
        2,
        "both changes are in the audit trail: {trail:#?}"
    );

    // Neither the topic's next circular nor an official one reaches them, and `explain` says why.
    for (number, topic) in [(37, Some("tsb-events")), (38, None)] {
        let file = h.write_sample_variant(number, topic);
        h.circulars_ok(&["draft", &file.to_string_lossy()]);
        let id = format!("TSB-{number}");
        h.circulars_ok(&["issue", &id]);
        h.wait_until_delivered(&id).await;
        let reached = h
            .mails()
            .into_iter()
            .filter(|m| m.message_id.starts_with(&format!("<{id}.")))
            .map(|m| m.recipient)
            .collect::<Vec<_>>();
        assert!(!reached.is_empty(), "others receive {id}");
        assert!(!reached.contains(&mail.recipient), "{id} reached {reader}");
        let why = h.circulars_ok(&["explain", &id, reader.as_str()]);
        assert!(why.contains("is not on the list"), "{id}: {why}");
    }
}
