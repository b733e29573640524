//! A drafter edits a circular in a real browser: the draft form, the same form naming a
//! forgotten subject, the preview of the six versions and the test copies' answer are each
//! screenshotted and pass axe-core's WCAG 2.x A and AA checks. (The stories of the form's data
//! run on both databases in `console_drafting.rs`; here the pages are what is tested.)

use circulars_tests::browser::Browser;
use circulars_tests::{Db, Harness};
use std::time::{Duration, Instant};

/// Waits until the browser has followed the form's answer to `path` (a click returns before
/// the navigation it starts is done); fails after ten seconds, saying where it is.
async fn arrives_at(browser: &Browser, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let url = browser.client().current_url().await.unwrap();
        if url.path() == path {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still at {url}, not {path}: {}",
            browser.text().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drafter_edits_previews_and_tests_a_circular_in_a_browser() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("gateway");
    h.draft_sample_circular();
    let password = h.staff_account("ana", &["drafter"]);
    let base = h.gateway_url();

    let mut browser = Browser::start().await;
    browser.goto(&format!("{base}/staff/circulars/new")).await;
    browser.fill("Account name", "ana").await;
    browser.fill("Password", &password).await;
    browser.press("Sign in").await;
    browser.step("new circular").await;
    assert!(browser.text().await.contains("The text in each language"));

    browser
        .goto(&format!("{base}/staff/circulars/TSB-36/edit"))
        .await;
    browser.step("draft form").await;
    browser.fill("Subject (English)", "").await;
    browser.press("Save the draft").await;
    browser.step("draft form with a mistake").await;
    let page = browser.text().await;
    assert!(page.contains("There is a problem"), "{page}");
    assert_eq!(
        page.matches("text.en.subject: is empty").count(),
        2,
        "{page}"
    );

    browser
        .fill(
            "Subject (English)",
            "Call for experts <script>alert(1)</script>",
        )
        .await;
    browser.press("Save the draft").await;
    arrives_at(&browser, "/staff/circulars/TSB-36").await;

    browser
        .goto(&format!("{base}/staff/circulars/TSB-36/preview"))
        .await;
    browser.step("preview").await;
    let page = browser.text().await;
    assert!(
        page.contains("Call for experts <script>alert(1)</script>"),
        "shown as text: {page}"
    );
    browser.fill("Your e-mail address", "ana@itu.example").await;
    browser.press("Send the six test copies").await;
    browser.step("test copies sent").await;
    let page = browser.text().await;
    assert_eq!(page.matches("sent to ana@itu.example").count(), 6, "{page}");
    browser.close().await;
    assert_eq!(h.mails().len(), 6);
}
