//! An admin's pages in a real browser: signing in, the directory searched, an address
//! explained, a directory file with a bad line checked, the confirmation of forgetting a person,
//! the accounts with a refused and an accepted new account, its password shown once, an
//! account's page and the confirmation of disabling it, and the accounts in French. Each page is
//! screenshotted and passes axe-core's WCAG 2.x A and AA checks. (The same stories run on both
//! databases over HTTP in `console_directory` and `console_accounts`; SQLite is enough here.)

use circulars_tests::browser::Browser;
use circulars_tests::{Db, Harness, DIRECTORY_HEADER};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_s_pages_work_in_a_browser_and_pass_axe() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.import_sample_directory();
    h.draft_sample_circular();
    let password = h.staff_account("ada", &["admin"]);
    h.serve("gateway");
    let base = h.gateway_url();
    let mut browser = Browser::start().await;

    browser
        .goto(&format!("{base}/staff/sign-in?next=%2Fstaff%2Fdirectory"))
        .await;
    browser.fill("Account name", "ada").await;
    browser.fill("Password", &password).await;
    browser.press("Sign in").await;
    browser.step("directory").await;
    assert!(browser
        .text()
        .await
        .contains("Every contact in the directory"));

    browser.fill("Search the directory", "Aldoria").await;
    browser.press("Search").await;
    browser.step("directory searched").await;
    let page = browser.text().await;
    assert!(page.contains("Contacts matching “Aldoria”"), "{page}");
    assert!(page.contains("amara.osei@dtc.aldoria.example"), "{page}");

    browser
        .goto(&format!(
            "{base}/staff/directory/address?address=amara.osei%40dtc.aldoria.example"
        ))
        .await;
    browser.fill("Circular", "TSB-36").await;
    browser.press("Explain").await;
    browser.step("address explained").await;
    let page = browser.text().await;
    assert!(page.contains("is on the list"), "{page}");

    browser.fill("Circular", "TSB-99").await;
    browser.press("Explain").await;
    browser.step("address with an unknown circular").await;
    assert!(browser.text().await.contains("There is a problem"));

    let file = h.dir().join("zembla.csv");
    std::fs::write(
        &file,
        format!(
            "{DIRECTORY_HEADER}ministry-of-zembla,Ministry of Zembla,,member-states,\
             not an address,<script>alert(1)</script> Zora,en,,active,\n"
        ),
    )
    .expect("the file is written");
    browser
        .goto(&format!("{base}/staff/directory/import"))
        .await;
    browser.step("import form").await;
    browser
        .client()
        .find(Locator::Id("file"))
        .await
        .expect("the file field")
        .send_keys(&file.to_string_lossy())
        .await
        .expect("a file chosen");
    browser.press("Send the file").await;
    browser.step("import refused with its problems").await;
    let page = browser.text().await;
    assert!(page.contains("The problems of zembla.csv"), "{page}");

    browser
        .goto(&format!(
            "{base}/staff/directory/forget?address=amara.osei%40dtc.aldoria.example"
        ))
        .await;
    browser.step("forget confirmation").await;

    browser.goto(&format!("{base}/staff/accounts")).await;
    browser.step("accounts").await;
    browser.fill("Account name", "<script>").await;
    browser.press("Add the account").await;
    browser.step("account refused").await;
    let page = browser.text().await;
    assert!(page.contains("'<script>' is not an account name"), "{page}");

    browser.fill("Account name", "dora").await;
    browser
        .client()
        .find(Locator::Css("input[name=roles][value=drafter]"))
        .await
        .expect("the drafter box")
        .click()
        .await
        .expect("ticked");
    browser.press("Add the account").await;
    browser.step("account added, password shown once").await;
    assert!(browser.text().await.contains("It is shown this once"));

    browser.goto(&format!("{base}/staff/accounts/dora")).await;
    browser.step("account").await;
    browser.fill("Label of a new token", "nightly export").await;
    browser.press("Create a token").await;
    browser.step("token shown once").await;
    browser
        .goto(&format!("{base}/staff/accounts/dora/disable"))
        .await;
    browser.step("disable confirmation").await;
    browser
        .goto(&format!("{base}/staff/accounts?lang=fr"))
        .await;
    browser.step("accounts in French").await;
    assert!(browser.text().await.contains("Ajouter un compte"));

    browser.close().await;
    h.stop_services();
}
