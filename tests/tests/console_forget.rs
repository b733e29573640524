//! An admin forgets a person from the console: a confirmation says what will happen, then the
//! person's contacts are gone and what must stay names a pseudonym. Staff's own systems do the
//! same over the API, where only an admin may, and the audit trail keeps the pseudonym, never
//! the address.

use circulars_tests::signed_in::{api, assert_page, new_account_signed_in};
use circulars_tests::{on_both_databases, Db, Harness};
use serde_json::json;

/// The sample directory and circular, and the gateway.
async fn directory_harness(db: Db) -> Harness {
    let mut h = Harness::start(db).await;
    h.import_sample_directory();
    h.draft_sample_circular();
    h.serve("gateway");
    h
}

async fn a_forgotten_person_is_gone_from_the_directory(db: Db) {
    let h = directory_harness(db).await;
    let ada = new_account_signed_in(&h, "ada", &["admin"]).await;
    let address = "amara.osei@dtc.aldoria.example";

    let confirm = ada
        .get(&format!("/staff/directory/forget?address={address}"))
        .await;
    assert_page(
        &confirm,
        200,
        &[
            "Forget everything about amara.osei@dtc.aldoria.example?",
            "This cannot be undone.",
            "name=\"address\" value=\"amara.osei@dtc.aldoria.example\"",
        ],
    );
    let forgotten = ada
        .post("/staff/directory/forget", &[("address", address)])
        .await;
    assert_eq!(forgotten.status, 303, "{}", forgotten.body);
    let location = forgotten.header("location").expect("on to the directory");
    assert!(
        location.starts_with("/staff/directory?forgotten=forgotten-"),
        "{location}"
    );
    assert_page(
        &ada.get(location).await,
        200,
        &["The person was forgotten."],
    );
    assert_page(
        &ada.get("/staff/directory?q=amara.osei").await,
        200,
        &["No contact matches."],
    );
    let report = ada
        .get(&format!("/staff/directory/address?address={address}"))
        .await;
    assert_page(
        &report,
        200,
        &["The directory holds no contact with this address."],
    );

    // Over the API: the role is checked before the body is read, then the person forgotten.
    let operator = h.staff_token("olga", &["operator"]);
    let (status, refused) = api(
        &h,
        &operator,
        "POST",
        "/api/v1/directory/forget",
        Some(&json!(["not", "a", "request"])),
    )
    .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("not_allowed")),
        "{refused}"
    );
    let token = h.staff_token("ida", &["admin"]);
    let james = "james.ncube@dtc.aldoria.example";
    let (status, done) = api(
        &h,
        &token,
        "POST",
        "/api/v1/directory/forget",
        Some(&json!({ "address": james })),
    )
    .await;
    assert_eq!(
        (status, done["found"].as_bool()),
        (200, Some(true)),
        "{done}"
    );
    let pseudonym = done["pseudonym"].as_str().unwrap().to_owned();
    let (status, report) = api(
        &h,
        &token,
        "GET",
        &format!("/api/v1/directory/addresses/{james}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["contacts"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
    let (status, audit) = api(
        &h,
        &token,
        "GET",
        &format!("/api/v1/directory/audit?subject={pseudonym}&limit=500"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{audit}");
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"address.forgotten"), "{audit}");
    assert!(!audit.to_string().contains(james), "{audit}");
}

on_both_databases!(a_forgotten_person_is_gone_from_the_directory);
