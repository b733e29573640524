//! The circulars' pages in a real browser, each screenshotted and checked by axe-core (WCAG
//! 2.x A and AA), in the states a person meets them: the list, a submitted circular with its
//! forms, the send-back refused for want of a comment (errors said twice), the circular
//! approved, the audience before issuing, and the delivery page reloaded until it is finished;
//! one of them in French. (The pages' HTML does not depend on the database, whose stories run
//! on both in `console_circulars.rs`: SQLite is enough here.)

use circulars_tests::browser::Browser;
use circulars_tests::{workspace, Db, Harness, Setup};
use fantoccini::key::Key;
use fantoccini::Locator;
use std::time::{Duration, Instant};

/// Presses the button reading `text` with the keyboard (Enter), as someone without a mouse
/// does, and waits for the page its form leads to (each has an address of its own): the
/// browser brings the button into view first. (A click far down a page may land while the
/// stylesheet's smooth scrolling is still moving it.)
async fn press_with_keyboard(browser: &Browser, text: &str) {
    let xpath = format!("//button[normalize-space(.) = '{text}']");
    let button = match browser.client().find(Locator::XPath(&xpath)).await {
        Ok(button) => button,
        Err(e) => panic!("no button {text:?}: {e}\n{}", browser.text().await),
    };
    let url = browser.client().current_url().await.unwrap();
    button
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.client().current_url().await.unwrap() == url {
        assert!(Instant::now() < deadline, "{text:?} led nowhere");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_circulars_pages_pass_axe_core_in_every_state_a_person_meets() {
    let mut h = Harness::start_setup(Setup {
        approval_required: true,
        ..Setup::new(Db::Sqlite)
    })
    .await;
    h.import_sample_directory();
    h.serve("all");
    h.staff_account("ana", &["drafter"]);
    let password = h.staff_account("zoe", &["approver", "operator"]);
    let file = workspace().join("samples/circulars/tsb-36.toml");
    h.circulars_ok(&["draft", file.to_str().unwrap(), "--as", "ana"]);
    h.circulars_ok(&["submit", "TSB-36", "--as", "ana"]);
    let base = h.gateway_url();

    let mut browser = Browser::start().await;
    browser.goto(&format!("{base}/staff/sign-in")).await;
    browser.fill("Account name", "zoe").await;
    browser.fill("Password", &password).await;
    press_with_keyboard(&browser, "Sign in").await;
    assert!(browser.text().await.contains("TSB-36"));
    browser.step("the list of circulars").await;

    browser
        .goto(&format!("{base}/staff/circulars?state=submitted&q=TSB"))
        .await;
    browser.step("the list filtered").await;

    browser
        .goto(&format!("{base}/staff/circulars/TSB-36"))
        .await;
    browser.step("a submitted circular").await;
    press_with_keyboard(&browser, "Send back to the drafter").await;
    let refused = browser.text().await;
    assert!(refused.contains("There is a problem"), "{refused}");
    browser.step("a send-back without its comment").await;

    press_with_keyboard(&browser, "Approve").await;
    let approved = browser.text().await;
    assert!(approved.contains("zoe, "), "{approved}");
    browser
        .goto(&format!("{base}/staff/circulars/TSB-36?lang=fr"))
        .await;
    browser.step("an approved circular in French").await;

    browser
        .goto(&format!("{base}/staff/circulars/TSB-36/issue?lang=en"))
        .await;
    let confirm = browser.text().await;
    assert!(confirm.contains("Issue to "), "{confirm}");
    browser.step("the audience before issuing").await;
    let button = confirm
        .lines()
        .find(|l| l.starts_with("Issue to "))
        .unwrap()
        .to_owned();
    press_with_keyboard(&browser, &button).await;

    let deadline = Instant::now() + Duration::from_secs(120);
    while !browser.text().await.contains("Finished: all") {
        assert!(Instant::now() < deadline, "{}", browser.text().await);
        tokio::time::sleep(Duration::from_millis(500)).await;
        browser.client().refresh().await.unwrap();
    }
    browser.step("the delivery, finished").await;
    browser.close().await;
    h.stop_services();
}
