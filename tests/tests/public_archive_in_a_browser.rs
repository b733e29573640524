//! Anyone reads the public archive in a real browser: the list and a circular's page in Arabic
//! (right to left, checked from the computed style) and in English (left to right), each
//! screenshotted and passing axe-core's WCAG 2.x A and AA checks; the list links the page, and
//! the page links the same circular in the other language.

use circulars_tests::browser::Browser;
use circulars_tests::{Db, Harness};
use fantoccini::Locator;

/// The computed writing direction of the page's root element.
async fn direction(browser: &Browser) -> String {
    browser
        .client()
        .execute(
            "return getComputedStyle(document.documentElement).direction",
            vec![],
        )
        .await
        .expect("the style is read")
        .as_str()
        .expect("a direction")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anyone_reads_the_archive_in_arabic_and_english_in_a_browser() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;

    let mut browser = Browser::start().await;
    for (language, dir, title) in [("ar", "rtl", "الرسائل المعممة"), ("en", "ltr", "Circulars")]
    {
        browser
            .goto(&format!("{}/circulars/{language}/", h.gateway_url()))
            .await;
        browser.step(&format!("archive list {language}")).await;
        assert_eq!(direction(&browser).await, dir, "{language}");
        let text = browser.text().await;
        assert!(text.contains(title), "{language}: {text}");
        assert!(text.contains("TSB-36"), "{language}: {text}");

        browser
            .goto(&format!("{}/circulars/{language}/TSB-36", h.gateway_url()))
            .await;
        browser.step(&format!("archive circular {language}")).await;
        assert_eq!(direction(&browser).await, dir, "{language}");
        let text = browser.text().await;
        assert!(
            text.contains("Seizo Onoe"),
            "{language}: the letter: {text}"
        );
        assert!(text.contains("Fred Werner"), "{language}: {text}");
    }
    // From the English page, the Arabic version is one link away.
    browser
        .client()
        .find(Locator::Css("nav.languages a[hreflang='ar']"))
        .await
        .expect("the switch links the Arabic version")
        .click()
        .await
        .expect("the link is followed");
    let url = browser.client().current_url().await.expect("a page");
    assert!(url.as_str().ends_with("/circulars/ar/TSB-36"), "{url}");
    assert_eq!(direction(&browser).await, "rtl");
    let text = browser.text().await;
    assert!(text.contains("Seizo Onoe"), "{text}");

    browser.close().await;
    h.stop_services();
}
