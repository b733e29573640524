//! A recipient leaves in a real browser: they open the unsubscribe link of the circular they
//! received in Arabic, read (right to left) what the button will do, press it and read that it
//! is done; then, a mistake, they follow its link to their preferences page and undo it. Each
//! page is screenshotted and passes axe-core's WCAG 2.x A and AA checks.
//! And the check itself: on a page built to break rules, axe-core names them.

use circulars_core::domain::RecipientAddress;
use circulars_store::SuppressionReason;
use circulars_tests::browser::Browser;
use circulars_tests::{Db, Harness, Mail};

/// The mail's https unsubscribe link (`List-Unsubscribe`, possibly folded), on the gateway.
fn unsubscribe_link(mail: &Mail) -> String {
    let header: String = mail
        .list_unsubscribe
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let link = header
        .split(',')
        .find_map(|link| link.strip_prefix('<')?.strip_suffix('>'))
        .filter(|link| link.starts_with("https://"))
        .unwrap_or_else(|| panic!("no https link first in {header}"));
    link.to_owned()
}

/// The page's text without Fluent's invisible isolation marks around its variables.
async fn visible_text(browser: &Browser) -> String {
    browser.text().await.replace(['\u{2068}', '\u{2069}'], "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_unsubscribes_in_a_browser_in_arabic() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;
    let mail = h
        .mails()
        .into_iter()
        .find(|m| m.language == "ar")
        .expect("a mail in Arabic was delivered");
    let reader = RecipientAddress::parse(&mail.recipient).expect("a recipient address");
    let link = unsubscribe_link(&mail);
    let path = &link[link.find("/unsubscribe/").expect("an unsubscribe path")..];
    let link = format!("{}{path}", h.gateway_url());
    let store = h.store().await;

    // The page asks in Arabic, right to left (the computed style, not only the attribute).
    let mut browser = Browser::start().await;
    browser.goto(&link).await;
    browser.step("unsubscribe page ar").await;
    let page = visible_text(&browser).await;
    let masked = reader.masked();
    assert!(
        page.contains(&format!(
            "هل تريدون إلغاء اشتراك العنوان {masked} في جميع الرسائل المعممة؟"
        )),
        "{page}"
    );
    assert!(page.contains("TSB-36"), "{page}");
    assert!(!page.contains(reader.as_str()), "{page}");
    let direction = browser
        .client()
        .execute(
            "return [document.documentElement.lang, getComputedStyle(document.body).direction];",
            vec![],
        )
        .await
        .expect("the script runs");
    assert_eq!(direction, serde_json::json!(["ar", "rtl"]));
    assert_eq!(
        store.suppression(&reader).await.expect("readable"),
        None,
        "opening the page changes nothing"
    );

    browser.press("إلغاء الاشتراك").await;
    browser.step("unsubscribed ar").await;
    let page = visible_text(&browser).await;
    assert!(
        page.contains(&format!(
            "تم: أُلغي اشتراك العنوان {masked} في جميع الرسائل المعممة."
        )),
        "{page}"
    );
    let suppression = store
        .suppression(&reader)
        .await
        .expect("readable")
        .expect("the address is suppressed");
    assert_eq!(suppression.reason, SuppressionReason::Unsubscribed);
    assert_eq!(suppression.detail, "one-click unsubscribe from TSB-36");

    // Opening the link again says there is nothing more to do.
    browser.goto(&link).await;
    browser.step("already unsubscribed ar").await;
    let page = visible_text(&browser).await;
    assert!(page.contains("الاشتراك ملغى من قبل"), "{page}");

    // A mistake: its link to the preferences page, where it can be undone.
    let preferences = browser
        .client()
        .execute(
            "return document.querySelector('main a[href^=\"/preferences/\"]').href;",
            vec![],
        )
        .await
        .expect("a link to the preferences page");
    let preferences = preferences.as_str().expect("its address").to_owned();
    assert!(page.contains("فتح صفحة تفضيلاتكم"), "{page}");
    browser.goto(&preferences).await;
    browser.step("preferences after unsubscribing ar").await;
    let page = visible_text(&browser).await;
    assert!(page.contains("تفضيلاتكم"), "{page}");
    assert!(page.contains(reader.as_str()), "{page}");
    browser.press("تراجع: تلقي الرسائل المعممة مجدداً").await;
    browser.step("undone ar").await;
    assert_eq!(store.suppression(&reader).await.expect("readable"), None);

    browser.close().await;
    store.close().await;
    h.stop_services();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accessibility_check_names_what_a_page_breaks() {
    let browser = Browser::start().await;
    // No language, an image without text, a field without a label, a button without a name
    // (and too small to hit).
    browser
        .goto("data:text/html,<title>Broken</title><img src='data:,'><input><button></button>")
        .await;
    let violations = browser.accessibility_violations().await;
    let mut rules: Vec<&str> = violations.iter().map(|v| v.id.as_str()).collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            "button-name",
            "html-has-lang",
            "image-alt",
            "label",
            "target-size"
        ]
    );
    let image = violations
        .iter()
        .find(|v| v.id == "image-alt")
        .expect("image-alt");
    assert_eq!(image.impact.as_deref(), Some("critical"));
    assert_eq!(image.nodes.len(), 1);
    assert_eq!(image.nodes[0].target, [serde_json::json!("img")]);

    let failed = tokio::spawn(async move {
        browser.check_accessibility("broken page").await;
    })
    .await
    .expect_err("the check fails on a page with violations");
    let message = failed.into_panic();
    let message = message
        .downcast_ref::<String>()
        .expect("the check panics with its report");
    assert!(
        message.starts_with("5 accessibility violation(s) at step \"broken page\""),
        "{message}"
    );
    assert!(
        message.contains("- image-alt (critical): Images must have alternative text"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_are_found_by_their_label_or_name_and_buttons_by_their_text() {
    let browser = Browser::start().await;
    browser
        .goto(
            "data:text/html,<html lang='en'><title>Form</title><main>\
             <label for='s'>Subject</label><input id='s' name='subject'>\
             <label>Reference <input name='reference'></label>\
             <input name='contact'>\
             <button type='button' onclick=\"document.getElementById('out').textContent = \
               document.getElementById('s').value + ' pressed'\">Send it</button>\
             <p id='out'></p></main>",
        )
        .await;
    browser.fill("Subject", "Study Group 17").await;
    browser.fill("Reference", "TSB/SG17").await;
    browser.fill_named("contact", "tsb@example.org").await;
    browser.press("Send it").await;
    assert!(
        browser.text().await.contains("Study Group 17 pressed"),
        "{}",
        browser.text().await
    );
    for (name, value) in [
        ("subject", "Study Group 17"),
        ("reference", "TSB/SG17"),
        ("contact", "tsb@example.org"),
    ] {
        let field = browser
            .client()
            .find(fantoccini::Locator::Css(&format!("[name={name}]")))
            .await
            .expect("the field");
        assert_eq!(field.prop("value").await.unwrap().as_deref(), Some(value));
    }
    browser.close().await;
}
