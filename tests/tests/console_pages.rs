//! A member of staff opens the console in a browser: the sign-in form, in English or French,
//! with the headers that keep the page safe, its stylesheet, and a form posted from another
//! site refused with a page that says why. (The pages read nothing from the database: SQLite
//! is enough.)

use circulars_tests::http::{request, Reply};
use circulars_tests::{Db, Harness};

/// The headers every staff page carries.
fn assert_secured(reply: &Reply) {
    assert_eq!(
        reply.header("content-security-policy"),
        Some(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'"
        )
    );
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(reply.header("referrer-policy"), Some("same-origin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_of_staff_finds_the_sign_in_form_in_their_language() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("gateway");
    let base = h.gateway_url();

    let home = request("GET", &format!("{base}/staff"), &[], b"").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("cache-control"), Some("no-store"));
    assert_secured(&home);
    let html = &home.body;
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"), "{html}");
    assert!(
        html.contains("<form method=\"post\" action=\"/staff/sign-in\""),
        "{html}"
    );
    assert!(
        html.contains("<label class=\"label\" for=\"name\">Account name</label>"),
        "{html}"
    );
    assert!(
        html.contains("id=\"name\" name=\"name\" type=\"text\""),
        "{html}"
    );
    assert!(html.contains("autocomplete=\"username\""), "{html}");
    assert!(
        html.contains("<label class=\"label\" for=\"password\">Password</label>"),
        "{html}"
    );
    assert!(
        html.contains("type=\"password\" autocomplete=\"current-password\""),
        "{html}"
    );
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/staff/static/console.css\">"));
    assert!(!html.contains("<script"), "{html}");

    let switched = request("GET", &format!("{base}/staff/sign-in?lang=fr"), &[], b"").await;
    assert_eq!(switched.status, 200);
    assert!(
        switched.body.contains("<html lang=\"fr\" dir=\"ltr\">"),
        "{}",
        switched.body
    );
    assert!(
        switched.body.contains(">Mot de passe</label>"),
        "{}",
        switched.body
    );
    let cookie = switched
        .header("set-cookie")
        .expect("the choice is remembered");
    assert!(
        cookie.starts_with("lang=fr; Path=/; HttpOnly; SameSite=Strict"),
        "{cookie}"
    );
    assert_secured(&switched);

    let remembered = request(
        "GET",
        &format!("{base}/staff"),
        &[("Cookie", "lang=fr")],
        b"",
    )
    .await;
    assert!(
        remembered.body.contains("<h1>Se connecter</h1>"),
        "{}",
        remembered.body
    );

    let browser = request(
        "GET",
        &format!("{base}/staff"),
        &[("Accept-Language", "fr-CH, fr;q=0.9, en;q=0.8")],
        b"",
    )
    .await;
    assert!(
        browser
            .body
            .contains("<title>Se connecter – Console des circulaires</title>"),
        "{}",
        browser.body
    );

    let css = request("GET", &format!("{base}/staff/static/console.css"), &[], b"").await;
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.body.contains(":focus-visible"), "{}", css.body);

    h.stop_services();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_posted_from_another_site_is_refused_saying_why() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("gateway");
    let base = h.gateway_url();
    let forged = request(
        "POST",
        &format!("{base}/staff/sign-in"),
        &[
            ("Origin", "https://elsewhere.example"),
            ("Sec-Fetch-Site", "cross-site"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        b"name=ana&password=guess",
    )
    .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_secured(&forged);
    assert!(
        forged.body.contains("<h1>Request refused</h1>"),
        "{}",
        forged.body
    );
    assert!(
        forged.body.contains("sent from another site"),
        "{}",
        forged.body
    );
    h.stop_services();
}
