//! A session that has expired opens nothing: every signed-in page (read from the gateway's own
//! list, `page_routes()`, which mounts them) and every API route (read from its OpenAPI
//! document, which the staff API tests compare with what is served) answers 401 to it, so a
//! new route cannot be forgotten; a fresh session of the same account works. (Without a session
//! and with the wrong role: `console_pages_refuse.rs` and `staff_api.rs`.)

use chrono::TimeDelta;
use circulars_gateway::console::page_routes;
use circulars_staff::SignInLimiter;
use circulars_tests::http::{request, Reply};
use circulars_tests::{on_both_databases, Db, Harness};
use secrecy::SecretString;
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;

/// A route's path with each `{parameter}` filled with something that names nothing.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').expect("a closed parameter") + open;
        out.push_str("no-such-thing");
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Signs `name` in with `password` for `lifetime` straight through the library, as the
/// sign-in form does; returns the `Cookie` header's value.
async fn session(h: &Harness, name: &str, password: &str, lifetime: TimeDelta) -> String {
    let store = h.store().await;
    let plenty = NonZeroU32::new(100).expect("not zero");
    let limiter = SignInLimiter::new(plenty, plenty);
    let new = circulars_staff::sign_in(
        &store,
        &limiter,
        name,
        &SecretString::from(password.to_owned()),
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        lifetime,
    )
    .await
    .expect("the account signs in");
    store.close().await;
    format!("circulars_session={}", new.cookie.expose_secret())
}

/// Asks for `method path` with `cookie` (a form body, same origin); the answer.
async fn ask(h: &Harness, method: &str, path: &str, cookie: Option<&str>) -> Reply {
    let url = format!("{}{}", h.gateway_url(), concrete(path));
    let mut headers = vec![
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Sec-Fetch-Site", "same-origin"),
    ];
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    request(method, &url, &headers, b"csrf=wrong&comment=x").await
}

on_both_databases!(an_expired_session_opens_no_page_and_no_api_route);

async fn an_expired_session_opens_no_page_and_no_api_route(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("gateway");
    // Yesterday's session: signed in, then expired.
    let password = h.staff_account("ex", &["drafter", "approver", "operator", "admin"]);
    let expired = session(&h, "ex", &password, TimeDelta::zero()).await;
    let routes = page_routes();
    assert!(routes.len() >= 10, "{} signed-in pages", routes.len());
    for route in &routes {
        let (method, path) = (route.method.as_str(), route.path);
        let late = ask(&h, method, path, Some(&expired)).await;
        assert_eq!(late.status, 401, "{method} {path} with an expired session");
    }

    let document = request(
        "GET",
        &format!("{}/api/openapi.json", h.gateway_url()),
        &[],
        b"",
    )
    .await;
    let document: serde_json::Value = serde_json::from_str(&document.body).expect("JSON");
    let paths = document["paths"].as_object().expect("the API's paths");
    for (path, methods) in paths {
        for method in methods.as_object().expect("methods").keys() {
            let method = method.to_uppercase();
            let late = ask(&h, &method, path, Some(&expired)).await;
            assert_eq!(late.status, 401, "{method} {path} with an expired session");
        }
    }

    // The account itself still works with a fresh session: only the session had expired.
    let fresh = session(&h, "ex", &password, TimeDelta::hours(1)).await;
    let list = ask(&h, "GET", "/staff/circulars", Some(&fresh)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    h.stop_services();
}
