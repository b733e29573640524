//! A secretariat keeps its contacts in another system, which sends them to circulars over the
//! staff API as JSON: checked exactly as a directory file is, refused whole with every problem
//! named by record and field, stored in one transaction, and recorded in the audit trail as the
//! staff member whose key was used.

use circulars_tests::http::{request, Reply};
use circulars_tests::{on_both_databases, Db, Harness, MAX_REQUEST_BYTES, STAFF_KEY};
use serde_json::{json, Value};

async fn import(h: &Harness, key: Option<&str>, content_type: &str, body: &[u8]) -> Reply {
    let bearer = key.map(|k| format!("Bearer {k}"));
    let mut headers = vec![("Content-Type", content_type)];
    if let Some(bearer) = &bearer {
        headers.push(("Authorization", bearer.as_str()));
    }
    let url = format!("{}/api/v1/directory/import", h.gateway_url());
    request("POST", &url, &headers, body).await
}

async fn import_json(h: &Harness, body: &Value) -> (u16, Value) {
    let reply = import(
        h,
        Some(STAFF_KEY),
        "application/json",
        body.to_string().as_bytes(),
    )
    .await;
    let answer = serde_json::from_str(&reply.body).unwrap_or(Value::String(reply.body));
    (reply.status, answer)
}

fn records() -> Value {
    json!([
        {"addressee": "adm-freedonia", "addressee_name": "Administration of Freedonia",
         "addressee_language": "fr", "categories": ["member-states"],
         "address": "amina@example.org", "name": "Amina Diallo", "role": "Director", "status": "active"},
        {"addressee": "adm-freedonia", "addressee_name": "Administration of Freedonia",
         "addressee_language": "fr", "categories": ["member-states"],
         "address": "paul@example.org", "name": "Paul Martin", "language": "en", "status": "inactive"}
    ])
}

async fn staff_import_the_directory_as_json_over_the_api(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("gateway");
    let store = h.store().await;

    // Without a staff key, or with a wrong one, nothing happens.
    let body = json!({"records": records()}).to_string();
    let refused = import(&h, None, "application/json", body.as_bytes()).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert_eq!(refused.header("www-authenticate"), Some("Bearer"));
    let wrong = "x".repeat(STAFF_KEY.len());
    let refused = import(&h, Some(&wrong), "application/json", body.as_bytes()).await;
    assert_eq!(refused.status, 401);

    // Every problem is named by record and field, and nothing is stored.
    let mut bad = records();
    bad[0]["categories"] = json!(["member-states", "galaxies"]);
    bad[1]["address"] = json!("paul at example.org");
    bad.as_array_mut()
        .unwrap()
        .push(json!({"addressee": "adm-x", "name": "X"}));
    let (status, answer) = import_json(&h, &json!({"records": bad})).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["code"], "invalid");
    assert_eq!(answer["field"], "records[0].categories");
    let fields: Vec<&str> = answer["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["records[0].categories", "records[1].address", "records[2]"],
        "{answer}"
    );
    assert!(answer["problems"][2]["message"]
        .as_str()
        .unwrap()
        .starts_with("missing field `addressee_name`"));
    assert_eq!(store.directory_size().await.unwrap(), 0);

    // A body that is not JSON, or not JSON of this shape, is refused naming where.
    let (status, answer) = import_json(&h, &json!({"record": []})).await;
    assert_eq!(status, 422, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `record`"),
        "{answer}"
    );
    let reply = import(&h, Some(STAFF_KEY), "application/json", b"{\"records\": [").await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.body.contains("EOF while parsing"), "{}", reply.body);
    let reply = import(&h, Some(STAFF_KEY), "text/csv", b"addressee,...").await;
    assert_eq!(reply.status, 415);
    let huge = vec![b' '; MAX_REQUEST_BYTES + 1];
    let reply = import(&h, Some(STAFF_KEY), "application/json", &huge).await;
    assert_eq!(reply.status, 413);

    // A dry run says what would change and stores nothing.
    let (status, answer) = import_json(&h, &json!({"dry_run": true, "records": records()})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["dry_run"], true);
    assert_eq!(answer["changed"], true);
    assert_eq!(answer["contacts_created"], 2);
    assert_eq!(store.directory_size().await.unwrap(), 0);

    // Stored, recorded as the staff member, and the same records again change nothing.
    let (status, answer) = import_json(&h, &json!({"records": records()})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["addressees_created"], 1);
    assert_eq!(answer["contacts_created"], 2);
    assert_eq!(store.directory_size().await.unwrap(), 2);
    let trail = store.audit_trail("amina@example.org").await.unwrap();
    assert_eq!(trail[0].actor, "api (by tests)");
    assert!(
        trail[0].detail.contains("api (by tests) records[0]"),
        "{}",
        trail[0].detail
    );
    let (status, answer) = import_json(&h, &json!({"records": records()})).await;
    assert_eq!(status, 200);
    assert_eq!(answer["changed"], false);
    assert_eq!(answer["unchanged"], 2);

    // What the API stored, the CSV export writes back, and importing that file changes nothing.
    let export = h.dir().join("export.csv");
    h.circulars_ok(&["directory", "export", export.to_str().unwrap()]);
    let again = h.circulars_ok(&["directory", "import", export.to_str().unwrap()]);
    assert!(again.contains("no changes (2 rows"), "{again}");
}

on_both_databases!(staff_import_the_directory_as_json_over_the_api);
