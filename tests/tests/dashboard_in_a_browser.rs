//! An operator watches a circular of three thousand recipients go out in a real browser: the
//! delivery page's counts rise and reach the final numbers without the page being reloaded,
//! and they are the numbers `circulars status --json` prints; a pause pressed on the page stops
//! them rising, a resume starts them again. The operations overview lists the circular and the
//! relay, and the operator lowers the relay's rate from it (recorded in the staff audit trail).
//! Each page is screenshotted and passes axe-core. (The same streams are checked over HTTP on
//! both databases in `live_delivery`; SQLite is enough here.)

use circulars_tests::browser::Browser;
use circulars_tests::{Db, Harness, Setup, PATIENCE};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const RECIPIENTS: u64 = 3000;

/// The board's first table (recipients per state) as the page shows it now.
async fn per_state(browser: &Browser) -> BTreeMap<String, u64> {
    let rows = browser
        .client()
        .execute(
            "const table = document.querySelector('#board table');
             if (!table) { return []; }
             return Array.from(table.querySelectorAll('tbody tr'))
               .map(r => [r.querySelector('th').textContent.trim(),
                          r.querySelector('td').textContent.trim()]);",
            vec![],
        )
        .await
        .expect("the board is read");
    serde_json::from_value::<Vec<(String, String)>>(rows)
        .expect("rows of two cells")
        .into_iter()
        .map(|(state, n)| (state, n.parse().expect("a count")))
        .collect()
}

/// Recipients sent, as the page shows it now.
async fn sent(browser: &Browser) -> u64 {
    per_state(browser).await.get("Sent").copied().unwrap_or(0)
}

/// Marks the page as loaded now: the mark is gone if the page is loaded again.
async fn mark_page(browser: &Browser) {
    browser
        .client()
        .execute("window.loadedOnce = 'yes';", vec![])
        .await
        .expect("the page is marked");
}

/// Whether the page is the one marked (never reloaded since).
async fn same_page(browser: &Browser) -> bool {
    browser
        .client()
        .execute("return window.loadedOnce === 'yes';", vec![])
        .await
        .expect("the mark is read")
        == Value::Bool(true)
}

/// Waits until the page's text holds `text`, without reloading it.
async fn wait_for_text(browser: &Browser, text: &str) {
    let deadline = Instant::now() + PATIENCE;
    while !browser.text().await.contains(text) {
        assert!(Instant::now() < deadline, "never showed {text:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_watches_a_circular_go_out_live_and_pauses_it() {
    let mut h = Harness::start_setup(Setup {
        relay_settings: "rate_per_second = 150".into(),
        ..Setup::new(Db::Sqlite)
    })
    .await;
    h.import_generated_directory(RECIPIENTS as usize);
    h.draft_sample_circular();
    let password = h.staff_account("olga", &["operator"]);
    h.serve("all");
    let base = h.gateway_url();
    let mut browser = Browser::start().await;
    browser
        .goto(&format!("{base}/staff/sign-in?next=%2Fstaff%2Fdashboard"))
        .await;
    browser.fill("Account name", "olga").await;
    browser.fill("Password", &password).await;
    browser.press("Sign in").await;
    wait_for_text(&browser, "Live: the counts below follow the sending").await;
    browser.step("operations overview before issuing").await;

    h.circulars_ok(&["issue", "TSB-36"]);
    browser
        .goto(&format!("{base}/staff/circulars/TSB-36/delivery"))
        .await;
    mark_page(&browser).await;
    wait_for_text(&browser, "Live: the counts below follow the sending").await;
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    while seen.last().copied().unwrap_or(0) < 600 {
        assert!(Instant::now() < deadline, "the counts never rose: {seen:?}");
        seen.push(sent(&browser).await);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(
        same_page(&browser).await,
        "the counts rose without a reload"
    );
    seen.dedup();
    assert!(
        seen.len() >= 3,
        "several counts were shown in turn: {seen:?}"
    );
    browser.step("delivery page mid-send").await;
    browser
        .client()
        .execute(
            "document.getElementById('pace').scrollIntoView({block: 'start', behavior: 'instant'});",
            vec![],
        )
        .await
        .expect("the pace is scrolled to");
    browser.step("delivery page mid-send, its pace").await;

    browser.press("Pause sending").await;
    wait_for_text(&browser, "Resume sending").await;
    wait_for_text(&browser, "Paused: nothing more is sent").await;
    // The mails in flight at the pause finish; then the count stands still.
    let mut last = sent(&browser).await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let now = sent(&browser).await;
        if now == last {
            break;
        }
        assert!(Instant::now() < deadline, "the count never stood still");
        last = now;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        sent(&browser).await,
        last,
        "a pause stops the counts rising"
    );
    assert!(last < RECIPIENTS, "paused before the end: {last}");
    browser.step("delivery page paused").await;

    browser.press("Resume sending").await;
    // The page the resume returns to offers to pause again (its board alone could not).
    wait_for_text(&browser, "Pause sending").await;
    mark_page(&browser).await;
    let finished = format!("Finished: all {RECIPIENTS} recipients have a final state.");
    wait_for_text(&browser, &finished).await;
    assert!(same_page(&browser).await, "it finished without a reload");
    let status: Value =
        serde_json::from_str(&h.circulars_ok(&["status", "TSB-36", "--json"])).unwrap();
    assert_eq!(
        per_state(&browser).await,
        BTreeMap::from([("Sent".to_owned(), status["total"]["sent"].as_u64().unwrap())]),
        "the page's numbers are `circulars status --json`'s"
    );
    assert_eq!(status["total"]["total"], RECIPIENTS);
    browser.step("delivery page finished").await;

    browser.goto(&format!("{base}/staff/dashboard")).await;
    wait_for_text(&browser, "3000 of 3000").await;
    browser.fill("Mails a second at most", "5").await;
    browser.press("Set the limits for every dispatcher").await;
    wait_for_text(&browser, "5 mails a second").await;
    browser
        .step("operations overview after the rate change")
        .await;
    let audit = h
        .store()
        .await
        .staff_audit("relay:capture")
        .await
        .expect("the staff audit trail");
    assert!(
        audit
            .iter()
            .any(|e| e.action == "relay.limits-set" && e.actor == "olga"),
        "{audit:?}"
    );
    browser.close().await;
    h.stop_services();
}
