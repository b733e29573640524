//! The secretariat's whole story in a real browser, with nobody at a shell: Ana, a drafter
//! (and an approver too), writes TSB Circular 40 in six languages (dated today, as the form
//! offers), forgets the English subject and is told so beside the field, fixes it, previews the
//! six versions and submits the circular; the console will not let her approve her own one. Bo, an approver, approves
//! it. Olga, an operator, reads the audience, issues it to the number of recipients the page
//! names, and reloads the delivery page until every mail is sent; the capture SMTP server then
//! holds one mail per recipient. Every page is screenshotted and passes axe-core's WCAG 2.x A
//! and AA checks. On SQLite and on PostgreSQL.

use circulars_tests::browser::Browser;
use circulars_tests::{on_both_databases, Db, Harness, Setup};
use fantoccini::Locator;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The six texts Ana types: (language's name on the form, subject, body).
const TEXTS: [(&str, &str, &str); 6] = [
    (
        "Arabic",
        "دعوة إلى اجتماع لجنة الدراسات 17",
        "يشرفني أن أدعوكم إلى الاجتماع.",
    ),
    ("Chinese", "第17研究组会议邀请", "谨邀请您出席会议。"),
    (
        "English",
        "Invitation to the Study Group 17 meeting",
        "I have the honour to invite you to the meeting.",
    ),
    (
        "French",
        "Invitation à la réunion de la Commission d'études 17",
        "J'ai l'honneur de vous inviter à la réunion.",
    ),
    (
        "Russian",
        "Приглашение на собрание 17-й Исследовательской комиссии",
        "Имею честь пригласить вас на собрание.",
    ),
    (
        "Spanish",
        "Invitación a la reunión de la Comisión de Estudio 17",
        "Tengo el honor de invitarle a la reunión.",
    ),
];

/// Waits until the browser is at `path` (a click returns before the navigation it starts
/// ends); fails after ten seconds, saying where it is instead.
async fn arrives_at(browser: &Browser, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let url = browser.client().current_url().await.expect("a page");
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

/// Waits until the page reads `text` (a form answered at its own address gives no other
/// sign that the answer has come); fails after ten seconds with what it reads instead.
async fn until_page_says(browser: &Browser, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = browser.text().await;
        if page.contains(text) {
            return page;
        }
        assert!(Instant::now() < deadline, "no {text:?} in: {page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs `name` in from the sign-in form the console answers at `url`, and waits to be at
/// `url` again.
async fn sign_in(browser: &mut Browser, base: &str, path: &str, name: &str, password: &str) {
    browser.goto(&format!("{base}{path}")).await;
    browser.fill("Account name", name).await;
    browser.fill("Password", password).await;
    browser.press("Sign in").await;
    arrives_at(browser, path).await;
}

/// Ticks the checkbox `name` = `value`.
async fn tick(browser: &Browser, name: &str, value: &str) {
    let css = format!("input[type=checkbox][name={name}][value={value}]");
    let checkbox = browser
        .client()
        .find(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("no checkbox {name}={value}: {e}"));
    if !checkbox.is_selected().await.expect("a checkbox") {
        checkbox.click().await.expect("the checkbox ticks");
    }
}

on_both_databases!(a_circular_goes_from_draft_to_delivery_in_the_console);

async fn a_circular_goes_from_draft_to_delivery_in_the_console(db: Db) {
    let mut h = Harness::start_setup(Setup {
        approval_required: true,
        ..Setup::new(db)
    })
    .await;
    h.import_sample_directory();
    h.serve("all");
    let ana = h.staff_account("ana", &["drafter", "approver"]);
    let bo = h.staff_account("bo", &["approver"]);
    let olga = h.staff_account("olga", &["operator"]);
    let base = h.gateway_url();
    let mut browser = Browser::start().await;

    // Ana writes the circular, forgetting the English subject.
    sign_in(&mut browser, &base, "/staff/circulars/new", "ana", &ana).await;
    browser.step("a new circular").await;
    browser.fill("Series", "TSB").await;
    browser.fill("Number", "40").await;
    browser.fill("Reference", "TSB Events/SG17").await;
    browser.fill("Signatory", "Seizo Onoe").await;
    browser.fill("Contact's name", "Fred Werner").await;
    browser
        .fill("Contact's e-mail address", "sg17@itu.example")
        .await;
    tick(&browser, "categories", "member-states").await;
    tick(&browser, "categories", "sector-members").await;
    for (language, subject, body) in TEXTS {
        let subject = if language == "English" { "" } else { subject };
        browser
            .fill(&format!("Subject ({language})"), subject)
            .await;
        browser.fill(&format!("Body ({language})"), body).await;
    }
    browser.press("Save the draft").await;
    let page = until_page_says(&browser, "There is a problem").await;
    assert_eq!(
        page.matches("text.en.subject: is empty").count(),
        2,
        "once in the summary, once beside the field: {page}"
    );
    browser.step("the English subject forgotten").await;

    // What she typed is still there: she adds the subject and saves.
    browser.fill("Subject (English)", TEXTS[2].1).await;
    browser.press("Save the draft").await;
    arrives_at(&browser, "/staff/circulars/TSB-40").await;
    browser.step("the draft saved").await;

    // The six versions, as recipients get them.
    browser
        .goto(&format!("{base}/staff/circulars/TSB-40/preview"))
        .await;
    let frames = browser
        .client()
        .find_all(Locator::Css("iframe"))
        .await
        .expect("frames");
    assert_eq!(frames.len(), 6);
    let page = browser.text().await;
    for (_, subject, _) in TEXTS {
        assert!(page.contains(subject), "{subject} in {page}");
    }
    browser.step("the six versions").await;

    browser
        .goto(&format!("{base}/staff/circulars/TSB-40"))
        .await;
    browser.press("Submit for approval").await;
    let page = until_page_says(&browser, "Submitted for approval").await;
    // Ana is an approver, but not of her own circular.
    assert!(
        page.contains("You drafted or last edited TSB-40: another approver must approve it."),
        "{page}"
    );
    let approve = browser
        .client()
        .find_all(Locator::XPath("//button[normalize-space(.) = 'Approve']"))
        .await
        .expect("a search");
    assert!(approve.is_empty(), "no Approve button for the drafter");
    browser.step("submitted, not for Ana to approve").await;
    browser.press("Sign out").await;
    until_page_says(&browser, "Account name").await;

    // Bo approves.
    sign_in(&mut browser, &base, "/staff/circulars/TSB-40", "bo", &bo).await;
    browser.press("Approve").await;
    let page = until_page_says(&browser, "bo, ").await;
    assert!(page.contains("Approved"), "{page}");
    browser.step("approved by Bo").await;
    browser.press("Sign out").await;
    until_page_says(&browser, "Account name").await;

    // Olga reads the audience and issues to the number it names.
    sign_in(
        &mut browser,
        &base,
        "/staff/circulars/TSB-40",
        "olga",
        &olga,
    )
    .await;
    let page = until_page_says(&browser, "Check the audience and issue").await;
    let link = browser
        .client()
        .find(Locator::LinkText("Check the audience and issue"))
        .await
        .unwrap_or_else(|e| panic!("no link to the audience ({e}) in: {page}"));
    link.click().await.expect("the link opens");
    arrives_at(&browser, "/staff/circulars/TSB-40/issue").await;
    browser.step("the audience before issuing").await;
    let page = browser.text().await;
    let button = page
        .lines()
        .find(|l| l.starts_with("Issue to "))
        .unwrap_or_else(|| panic!("an issue button in {page}"))
        .to_owned();
    let count: usize = button
        .trim_start_matches("Issue to ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count in {button:?}"));
    assert!(count > 1, "{button}");
    browser.press(&button).await;

    let deadline = Instant::now() + Duration::from_secs(120);
    while !browser.text().await.contains("Finished: all") {
        assert!(Instant::now() < deadline, "{}", browser.text().await);
        tokio::time::sleep(Duration::from_millis(500)).await;
        browser.client().refresh().await.expect("a reload");
    }
    let page = browser.text().await;
    assert!(
        page.contains(&format!("Finished: all {count} recipients")),
        "{page}"
    );
    browser.step("delivered").await;
    browser.close().await;

    // One mail per recipient, each to someone else.
    let mails = h.mails();
    let recipients: BTreeSet<&str> = mails.iter().map(|m| m.recipient.as_str()).collect();
    assert_eq!(mails.len(), count);
    assert_eq!(recipients.len(), count);
    h.stop_services();
}
