//! An admin manages staff accounts from the console: adds one, whose one-time password, shown
//! once, lets the person sign in; changes its roles, resets its password, disables it; creates
//! an API token, shown once, that works as `Authorization: Bearer` until it is revoked. Nobody
//! else may open these pages. Staff's own systems do the same over the API.

use circulars_tests::http::{request, Reply};
use circulars_tests::signed_in::{api, assert_page, new_account_signed_in, text_of_id, SignedIn};
use circulars_tests::{on_both_databases, Db, Harness};
use serde_json::json;

async fn accounts_harness(db: Db) -> Harness {
    let mut h = Harness::start(db).await;
    h.serve("gateway");
    h
}

async fn sign_in(h: &Harness, name: &str, password: &str) -> SignedIn {
    SignedIn::sign_in(&h.gateway_url(), name, password)
        .await
        .unwrap_or_else(|refused| panic!("{name} could not sign in: {:?}", refused.0))
}

/// The secret a "shown once" page shows.
fn shown_once(reply: &Reply) -> String {
    assert_page(reply, 200, &["It is shown this once and never again"]);
    text_of_id(&reply.body, "secret").unwrap_or_else(|| panic!("no secret in {}", reply.body))
}

async fn an_admin_adds_an_account_whose_one_time_password_signs_in(db: Db) {
    let h = accounts_harness(db).await;
    let ada = new_account_signed_in(&h, "ada", &["admin"]).await;
    assert_page(
        &ada.get("/staff/accounts").await,
        200,
        &[
            "<a href=\"/staff/accounts/ada\">ada</a>",
            "id=\"roles\" name=\"roles\" value=\"drafter\"",
        ],
    );

    // Mistakes are said beside their fields, in the CLI's words, and user text stays text.
    let refused = ada
        .post("/staff/accounts", &[("name", "<script>x</script>")])
        .await;
    assert_page(
        &refused,
        422,
        &[
            "id=\"name-error\"",
            "&#39;&#60;script&#62;x&#60;/script&#62;&#39; is not an account name",
            "href=\"#roles\"",
        ],
    );
    assert!(!refused.body.contains("<script>"), "{}", refused.body);

    let added = ada
        .post(
            "/staff/accounts",
            &[
                ("name", "dora"),
                ("roles", "drafter"),
                ("roles", "approver"),
            ],
        )
        .await;
    let password = shown_once(&added);
    assert_page(
        &added,
        200,
        &["The account dora signs in with this one-time password."],
    );
    let listed = ada.get("/staff/accounts").await;
    assert_page(
        &listed,
        200,
        &[
            "<a href=\"/staff/accounts/dora\">dora</a>",
            "drafter, approver",
        ],
    );
    let page = ada.get("/staff/accounts/dora").await;
    assert!(!page.body.contains(&password), "shown again: {}", page.body);
    let taken = ada
        .post("/staff/accounts", &[("name", "dora"), ("roles", "admin")])
        .await;
    assert_page(
        &taken,
        422,
        &["there is already a staff account named dora"],
    );

    // Dora signs in with it, and may not manage accounts or see the directory.
    let dora = sign_in(&h, "dora", &password).await;
    assert_page(
        &dora.get("/staff/accounts").await,
        403,
        &["needs the admin role"],
    );
    assert_eq!(dora.get("/staff/accounts/ada").await.status, 403);
    let forbidden = dora
        .post(
            "/staff/accounts",
            &[("name", "mallory"), ("roles", "admin")],
        )
        .await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.body);
    assert_eq!(dora.get("/staff/directory").await.status, 403);

    // Her roles change at once, for the session she has.
    let none = ada.post("/staff/accounts/dora/roles", &[]).await;
    assert_page(&none, 422, &["id=\"roles-error\""]);
    let changed = ada
        .post("/staff/accounts/dora/roles", &[("roles", "operator")])
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_page(
        &ada.get("/staff/accounts/dora").await,
        200,
        &["value=\"operator\" checked"],
    );
    assert_eq!(dora.get("/staff/directory").await.status, 200);

    // A new password, shown once: the old one no longer signs in, and her session ended.
    let reset = ada.post("/staff/accounts/dora/password", &[]).await;
    let new_password = shown_once(&reset);
    assert_ne!(new_password, password);
    assert_eq!(dora.get("/staff/directory").await.status, 401);
    assert!(SignedIn::sign_in(&h.gateway_url(), "dora", &password)
        .await
        .is_err());
    let dora = sign_in(&h, "dora", &new_password).await;

    // Disabled after a confirmation: her session stops working and she cannot sign in.
    assert_page(
        &ada.get("/staff/accounts/dora/disable").await,
        200,
        &["Disable the account dora?"],
    );
    let without_token = ada.post_raw("/staff/accounts/dora/disable", &[]).await;
    assert_eq!(without_token.status, 403, "{}", without_token.body);
    assert_eq!(dora.get("/staff/directory").await.status, 200);
    let disabled = ada.post("/staff/accounts/dora/disable", &[]).await;
    assert_eq!(disabled.status, 303, "{}", disabled.body);
    assert_page(
        &ada.get("/staff/accounts/dora").await,
        200,
        &["disabled since"],
    );
    assert_eq!(dora.get("/staff/directory").await.status, 401);
    let refused = SignedIn::sign_in(&h.gateway_url(), "dora", &new_password)
        .await
        .err()
        .expect("a disabled account cannot sign in");
    assert_eq!(refused.0.status, 403, "{}", refused.0.body);
    assert_eq!(ada.get("/staff/accounts/nobody").await.status, 404);
}

async fn a_token_is_shown_once_and_works_as_bearer_until_it_is_revoked(db: Db) {
    let h = accounts_harness(db).await;
    let ada = new_account_signed_in(&h, "ada", &["admin"]).await;
    let created = ada
        .post(
            "/staff/accounts/ada/tokens",
            &[("label", "nightly <export>")],
        )
        .await;
    let token = shown_once(&created);
    let (status, accounts) = api(&h, &token, "GET", "/api/v1/accounts", None).await;
    assert_eq!(status, 200, "{accounts}");
    assert_eq!(accounts["items"][0]["name"], "ada", "{accounts}");

    let page = ada.get("/staff/accounts/ada").await;
    assert_page(
        &page,
        200,
        &[
            "<th scope=\"row\">nightly &#60;export&#62;</th>",
            ">Revoke<",
        ],
    );
    assert!(!page.body.contains(&token), "shown again: {}", page.body);
    let revoke = page
        .body
        .split("action=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/revoke"))
        .expect("a revoke button")
        .to_owned();
    let no_label = ada
        .post("/staff/accounts/ada/tokens", &[("label", " ")])
        .await;
    assert_page(&no_label, 422, &["id=\"label-error\""]);
    let revoked = ada.post(&revoke, &[]).await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let (status, refused) = api(&h, &token, "GET", "/api/v1/accounts", None).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (401, Some("unauthenticated")),
        "{refused}"
    );
    assert_page(
        &ada.get("/staff/accounts/ada").await,
        200,
        &["revoked since"],
    );

    // The same over the API, with a token an admin made on the command line.
    let admin = h.staff_token("ida", &["admin"]);
    let (status, added) = api(
        &h,
        &admin,
        "POST",
        "/api/v1/accounts",
        Some(&json!({"name": "bea", "roles": ["drafter"]})),
    )
    .await;
    assert_eq!(status, 201, "{added}");
    let password = added["password"].as_str().expect("a password").to_owned();
    sign_in(&h, "bea", &password).await;
    let (status, bad) = api(
        &h,
        &admin,
        "PUT",
        "/api/v1/accounts/bea/roles",
        Some(&json!({"roles": ["drafter", "boss"]})),
    )
    .await;
    assert_eq!(
        (status, bad["field"].as_str()),
        (422, Some("roles[1]")),
        "{bad}"
    );
    let (status, bea) = api(
        &h,
        &admin,
        "PUT",
        "/api/v1/accounts/bea/roles",
        Some(&json!({"roles": ["approver"]})),
    )
    .await;
    assert_eq!(
        (status, bea["roles"].clone()),
        (200, json!(["approver"])),
        "{bea}"
    );
    let (status, made) = api(
        &h,
        &admin,
        "POST",
        "/api/v1/accounts/bea/tokens",
        Some(&json!({"label": "bea's script"})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let secret = made["secret"].as_str().unwrap().to_owned();
    let (status, mine) = api(&h, &secret, "GET", "/api/v1/circulars", None).await;
    assert_eq!(status, 200, "{mine}");
    // A non-admin is refused before the body is read.
    let bearer = format!("Bearer {secret}");
    let refused = request(
        "POST",
        &format!("{}/api/v1/accounts", h.gateway_url()),
        &[
            ("Authorization", bearer.as_str()),
            ("Content-Type", "text/plain"),
        ],
        b"{oops",
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let (status, listed) = api(
        &h,
        &admin,
        "GET",
        "/api/v1/accounts/bea/tokens?limit=1",
        None,
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["items"][0]["label"], "bea's script", "{listed}");
    assert!(listed["items"][0].get("secret").is_none(), "{listed}");
    let id = listed["items"][0]["id"].as_i64().unwrap();
    let (status, _) = api(
        &h,
        &admin,
        "POST",
        &format!("/api/v1/tokens/{id}/revoke"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = api(&h, &secret, "GET", "/api/v1/circulars", None).await;
    assert_eq!(status, 401);
    let (status, reset) = api(&h, &admin, "POST", "/api/v1/accounts/bea/password", None).await;
    assert_eq!(status, 200, "{reset}");
    sign_in(&h, "bea", reset["password"].as_str().unwrap()).await;
    let (status, disabled) = api(&h, &admin, "POST", "/api/v1/accounts/bea/disable", None).await;
    assert_eq!(
        (status, disabled["enabled"].as_bool()),
        (200, Some(false)),
        "{disabled}"
    );
    let (status, page) = api(&h, &admin, "GET", "/api/v1/accounts?limit=1&offset=1", None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"][0]["name"], "bea", "{page}");
    assert_eq!(page["next_offset"], 2, "{page}");
}

on_both_databases!(
    an_admin_adds_an_account_whose_one_time_password_signs_in,
    a_token_is_shown_once_and_works_as_bearer_until_it_is_revoked,
);
