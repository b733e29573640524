//! Every signed-in page of the console, taken from the very list the gateway mounts
//! (`console::page_routes`, so that a new page cannot be forgotten), refuses whoever may not
//! open it: without a session, and with a session that has ended, 401 and the sign-in form; with
//! an account holding every role but those the page needs, 403 saying so. A form is refused
//! before anything it sent is used.

use circulars_core::domain::{Role, Roles};
use circulars_gateway::console::page_routes;
use circulars_tests::http::{request, Reply};
use circulars_tests::signed_in::SignedIn;
use circulars_tests::{on_both_databases, Db, Harness};
use std::collections::BTreeMap;

/// A page's path with its parameters filled in: an existing account, the drafted circular, a
/// token's id.
fn concrete(path: &str) -> String {
    let id = if path.contains("/tokens/") {
        "1"
    } else {
        "TSB-36"
    };
    path.replace("{name}", "ada").replace("{id}", id)
}

/// `method path` with `cookie` (or none) and, for a form, a body that would change things.
async fn ask(h: &Harness, method: &str, path: &str, cookie: Option<&str>, csrf: &str) -> Reply {
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    let body = format!(
        "csrf={csrf}&name=mallory&roles=admin&label=x&address=amara.osei%40dtc.aldoria.example"
    );
    let body = if method == "POST" {
        body
    } else {
        String::new()
    };
    let url = format!("{}{path}", h.gateway_url());
    request(method, &url, &headers, body.as_bytes()).await
}

async fn every_signed_in_page_refuses_who_may_not_open_it(db: Db) {
    let mut h = Harness::start(db).await;
    h.import_sample_directory();
    h.draft_sample_circular();
    h.serve("gateway");
    let ada_password = h.staff_account("ada", &["admin"]);

    // A session that has ended: signed in, then signed out.
    let ended = SignedIn::sign_in(&h.gateway_url(), "ada", &ada_password)
        .await
        .expect("ada signs in");
    let out = ended.post("/staff/sign-out", &[]).await;
    assert_eq!(out.status, 303, "{}", out.body);

    let routes = page_routes();
    assert!(routes.len() >= 15, "{} routes", routes.len());
    let mut lacking: BTreeMap<String, SignedIn> = BTreeMap::new();
    for route in routes {
        let method = route.method.as_str();
        let path = concrete(route.path);
        for (who, cookie) in [
            ("no session", None),
            ("an ended session", Some(ended.cookie())),
        ] {
            let refused = ask(&h, method, &path, cookie.as_deref(), ended.csrf()).await;
            assert_eq!(
                refused.status, 401,
                "{method} {path} with {who}: {}",
                refused.body
            );
            assert!(
                refused.body.contains("name=\"password\""),
                "{method} {path} with {who}: no sign-in form in {}",
                refused.body
            );
        }
        // Every role but those that open the page.
        let others: Roles = Role::ALL
            .into_iter()
            .filter(|r| !route.allows(&Roles::from_iter([*r])))
            .collect();
        if route.role.is_none() || others.is_empty() {
            continue;
        }
        let key = others.to_string();
        if !lacking.contains_key(&key) {
            let name = format!("lacks-{}", key.replace(',', "-"));
            let roles: Vec<&str> = others.iter().map(Role::as_str).collect();
            let password = h.staff_account(&name, &roles);
            let session = SignedIn::sign_in(&h.gateway_url(), &name, &password)
                .await
                .expect("the account signs in");
            lacking.insert(key.clone(), session);
        }
        let session = &lacking[&key];
        let cookie = session.cookie();
        let refused = ask(&h, method, &path, Some(&cookie), session.csrf()).await;
        assert_eq!(
            refused.status, 403,
            "{method} {path} by an account holding {key}: {}",
            refused.body
        );
    }
    // Nothing any of them sent was done: no account added, ada still an enabled admin, the
    // address still in the directory.
    let accounts = h.circulars_ok(&["staff", "list"]);
    assert!(!accounts.contains("mallory"), "{accounts}");
    let ada = accounts
        .lines()
        .find(|l| l.starts_with("ada "))
        .expect("ada");
    assert!(ada.contains(" admin ") && ada.ends_with("enabled"), "{ada}");
    let store = h.store().await;
    let found = store
        .search_directory("amara.osei@dtc.aldoria.example", 1, 0)
        .await
        .expect("the directory is searchable");
    assert_eq!(found.len(), 1, "{found:?}");
    store.close().await;
}

on_both_databases!(every_signed_in_page_refuses_who_may_not_open_it);
