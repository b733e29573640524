//! Nobody reaches a signed-in page or an API route without a valid session and the role it
//! needs. The routes are not listed here: the console's are read from the gateway's own list
//! (`page_routes()`, which mounts them) and the API's from its OpenAPI document (which the
//! staff API tests compare with what is served), so a new route cannot be forgotten. Each is
//! asked for without a session, with an expired one and, for a page, by an account holding
//! every role but the one it needs; none of them gets past the door, whatever its path
//! parameters or body.

use chrono::TimeDelta;
use circulars_core::domain::Role;
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

on_both_databases!(every_staff_page_and_api_route_needs_a_valid_session_and_its_role);

async fn every_staff_page_and_api_route_needs_a_valid_session_and_its_role(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("gateway");
    let routes = page_routes();
    assert!(routes.len() >= 10, "{} signed-in pages", routes.len());

    // Yesterday's session: signed in, then expired.
    let password = h.staff_account("ex", &["drafter", "approver", "operator", "admin"]);
    let expired = session(&h, "ex", &password, TimeDelta::zero()).await;
    // For each role, an account holding all the others.
    let mut lacking = Vec::new();
    for role in Role::ALL {
        let others: Vec<&str> = Role::ALL
            .iter()
            .filter(|r| **r != role)
            .map(|r| r.as_str())
            .collect();
        let name = format!("no-{}", role.as_str());
        let password = h.staff_account(&name, &others);
        lacking.push((
            role,
            session(&h, &name, &password, TimeDelta::hours(1)).await,
        ));
    }

    for route in &routes {
        let (method, path) = (route.method.as_str(), route.path);
        let anonymous = ask(&h, method, path, None).await;
        assert_eq!(anonymous.status, 401, "{method} {path} without a session");
        assert!(
            anonymous.body.contains("action=\"/staff/sign-in"),
            "{method} {path}: the sign-in form, {}",
            anonymous.body
        );
        let late = ask(&h, method, path, Some(&expired)).await;
        assert_eq!(late.status, 401, "{method} {path} with an expired session");
        if let Some(role) = route.role {
            let (_, cookie) = lacking
                .iter()
                .find(|(r, _)| *r == role)
                .expect("an account for each role");
            let refused = ask(&h, method, path, Some(cookie)).await;
            assert_eq!(
                refused.status,
                403,
                "{method} {path} without the {} role: {}",
                role.as_str(),
                refused.body
            );
            assert!(refused.body.contains(role.as_str()), "{}", refused.body);
        }
    }
    assert!(
        routes.iter().any(|r| r.role.is_some()),
        "some pages need a role"
    );

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
