//! Staff's own systems draft, approve and issue circulars over the API: the same steps, the
//! same rules and the same words as the CLI and the console, as JSON; every route refuses an
//! anonymous caller before reading anything, and the OpenAPI document lists exactly the routes
//! served.

use circulars_core::domain::Circular;
use circulars_lifecycle::document::circular_to_json;
use circulars_tests::http::{request, Reply};
use circulars_tests::{on_both_databases, workspace, Db, Harness, Setup};
use serde_json::{json, Value};

/// An API caller: the gateway's URL and one account's token.
struct Caller<'a> {
    h: &'a Harness,
    token: String,
}

impl Caller<'_> {
    async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let bearer = format!("Bearer {}", self.token);
        let mut headers = vec![("Authorization", bearer.as_str())];
        let text = body.map(Value::to_string).unwrap_or_default();
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        let reply = request(
            method,
            &format!("{}{path}", self.h.gateway_url()),
            &headers,
            text.as_bytes(),
        )
        .await;
        (reply.status, parse(&reply))
    }
}

fn parse(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap_or(Value::String(reply.body.clone()))
}

fn sample_document() -> Value {
    let text = std::fs::read_to_string(workspace().join("samples/circulars/tsb-36.toml")).unwrap();
    circular_to_json(&Circular::from_toml("tsb-36.toml", &text).unwrap())
}

async fn api_harness(db: Db) -> Harness {
    let mut h = Harness::start_setup(Setup {
        approval_required: true,
        ..Setup::new(db)
    })
    .await;
    h.import_sample_directory();
    h.serve("all");
    h
}

async fn staff_draft_approve_and_issue_a_circular_over_the_api(db: Db) {
    let h = api_harness(db).await;
    let ana = Caller {
        h: &h,
        token: h.staff_token("ana", &["drafter"]),
    };
    let bob = Caller {
        h: &h,
        token: h.staff_token("bob", &["approver"]),
    };
    let olga = Caller {
        h: &h,
        token: h.staff_token("olga", &["operator"]),
    };

    let (status, created) = ana
        .call("POST", "/api/v1/circulars", Some(&sample_document()))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (created["id"].as_str(), created["state"].as_str()),
        (Some("TSB-36"), Some("draft"))
    );
    assert_eq!(
        created["document"]["text"]["fr"]["subject"],
        sample_document()["text"]["fr"]["subject"]
    );

    // A mistake is named by its field, in the file loader's words; nothing changes.
    let mut wrong = sample_document();
    wrong["text"]["fr"]["subject"] = json!("");
    let (status, refused) = ana
        .call("PUT", "/api/v1/circulars/TSB-36", Some(&wrong))
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        (refused["code"].as_str(), refused["field"].as_str()),
        (Some("invalid"), Some("text.fr.subject"))
    );
    let (_, unchanged) = ana.call("GET", "/api/v1/circulars/TSB-36", None).await;
    assert_eq!(unchanged["revision"], 1);

    let (status, early) = olga
        .call("POST", "/api/v1/circulars/TSB-36/issue", None)
        .await;
    assert_eq!(
        (status, early["code"].as_str()),
        (409, Some("needs_approval")),
        "{early}"
    );
    let (status, submitted) = ana
        .call("POST", "/api/v1/circulars/TSB-36/submit", None)
        .await;
    assert_eq!(
        (status, submitted["state"].as_str()),
        (200, Some("submitted")),
        "{submitted}"
    );
    let (status, not_hers) = ana
        .call(
            "POST",
            "/api/v1/circulars/TSB-36/approve",
            Some(&json!({"revision": 1})),
        )
        .await;
    assert_eq!(
        (status, not_hers["code"].as_str()),
        (403, Some("not_allowed")),
        "{not_hers}"
    );
    let (status, stale) = bob
        .call(
            "POST",
            "/api/v1/circulars/TSB-36/approve",
            Some(&json!({"revision": 7})),
        )
        .await;
    assert_eq!(
        (status, stale["code"].as_str(), stale["field"].as_str()),
        (409, Some("changed"), Some("revision")),
        "{stale}"
    );
    let (status, approved) = bob
        .call(
            "POST",
            "/api/v1/circulars/TSB-36/approve",
            Some(&json!({"revision": 1})),
        )
        .await;
    assert_eq!(
        (status, approved["approved_by"].as_str()),
        (200, Some("bob")),
        "{approved}"
    );

    let (status, audience) = olga
        .call("GET", "/api/v1/circulars/TSB-36/audience", None)
        .await;
    assert_eq!(status, 200, "{audience}");
    assert!(audience["recipients"].as_u64().unwrap() > 0, "{audience}");
    let (status, issued) = olga
        .call("POST", "/api/v1/circulars/TSB-36/issue", None)
        .await;
    assert_eq!(
        (status, issued["state"].as_str()),
        (200, Some("issued")),
        "{issued}"
    );
    let delivered = h.wait_until_delivered("TSB-36").await;
    assert_eq!(h.mails().len() as u64, delivered.audience.unwrap());

    let (_, history) = olga
        .call("GET", "/api/v1/circulars/TSB-36/history", None)
        .await;
    let steps: Vec<(&str, &str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"].as_str().unwrap(),
                e["via"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("drafted", "ana", "api"),
            ("submitted", "ana", "api"),
            ("approved", "bob", "api"),
            ("issued", "olga", "api")
        ]
    );
    let (_, list) = ana
        .call("GET", "/api/v1/circulars?state=issued&limit=1", None)
        .await;
    assert_eq!(list["items"][0]["id"], "TSB-36", "{list}");
}

async fn every_api_route_refuses_callers_without_a_valid_token(db: Db) {
    let h = api_harness(db).await;
    let (status, document) = {
        let reply = request(
            "GET",
            &format!("{}/api/openapi.json", h.gateway_url()),
            &[],
            b"",
        )
        .await;
        (reply.status, parse(&reply))
    };
    assert_eq!(status, 200);
    assert_eq!(
        document["openapi"].as_str().map(|v| &v[..3]),
        Some("3.1"),
        "{document}"
    );
    let paths = document["paths"].as_object().expect("paths");
    assert!(paths.len() >= 12, "{paths:?}");
    let nobody = Caller {
        h: &h,
        token: "circ_not-a-token".to_owned(),
    };
    let reader = Caller {
        h: &h,
        token: h.staff_token("rita", &["drafter"]),
    };
    for (path, methods) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        // A bad id in the path: still 401 for the anonymous, never 404.
        let concrete = path.replace("{id}", "not an id");
        for method in methods.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            let url = format!("{}{}", h.gateway_url(), concrete.replace(' ', "%20"));
            let anonymous =
                request(&method, &url, &[("Content-Type", "text/plain")], b"{oops").await;
            assert_eq!(
                anonymous.status, 401,
                "{method} {path} anonymous: {}",
                anonymous.body
            );
            assert_eq!(parse(&anonymous)["code"], "unauthenticated");
            let (status, _) = nobody
                .call(&method, &concrete.replace(' ', "%20"), None)
                .await;
            assert_eq!(status, 401, "{method} {path} with an unknown token");
            // A drafter may read and draft, never approve, issue or steer delivery.
            if ["approve", "send-back", "issue", "pause", "resume", "cancel"]
                .iter()
                .any(|s| path.ends_with(s))
            {
                let body = if path.ends_with("approve") {
                    json!({"revision": 1})
                } else {
                    json!({"comment": "x"})
                };
                let real = path.replace("{id}", "TSB-36");
                let (status, refused) = reader
                    .call(
                        &method,
                        &real,
                        Some(&body)
                            .filter(|_| path.ends_with("approve") || path.ends_with("send-back")),
                    )
                    .await;
                assert!(
                    status == 403 || status == 404,
                    "{method} {path} by a drafter: {status} {refused}"
                );
            }
            // Accounts, tokens and the directory are an admin's (searching and explaining also
            // an operator's): a drafter is refused before the body is read, whatever it is.
            if ["/api/v1/accounts", "/api/v1/tokens", "/api/v1/directory"]
                .iter()
                .any(|p| path.starts_with(p))
            {
                let real = path
                    .replace("{id}", "1")
                    .replace("{name}", "rita")
                    .replace("{address}", "amina%40example.org");
                let bearer = format!("Bearer {}", reader.token);
                let refused = request(
                    &method,
                    &format!("{}{real}", h.gateway_url()),
                    &[
                        ("Authorization", bearer.as_str()),
                        ("Content-Type", "text/plain"),
                    ],
                    b"{oops",
                )
                .await;
                assert_eq!(
                    (refused.status, parse(&refused)["code"].as_str()),
                    (403, Some("not_allowed")),
                    "{method} {path} by a drafter: {}",
                    refused.body
                );
            }
        }
    }
    // A route that is not in the document is not served.
    let (status, _) = reader.call("GET", "/api/v1/nothing-here", None).await;
    assert_eq!(status, 404);
}

async fn bad_requests_get_a_clear_json_error(db: Db) {
    let h = api_harness(db).await;
    let ana = Caller {
        h: &h,
        token: h.staff_token("ana", &["drafter"]),
    };
    let url = format!("{}/api/v1/circulars", h.gateway_url());
    let bearer = format!("Bearer {}", ana.token);
    let auth = ("Authorization", bearer.as_str());

    let text = request("POST", &url, &[auth, ("Content-Type", "text/plain")], b"{}").await;
    assert_eq!(
        (text.status, parse(&text)["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let broken = request(
        "POST",
        &url,
        &[auth, ("Content-Type", "application/json")],
        b"{\"series\": ",
    )
    .await;
    assert_eq!(
        (broken.status, parse(&broken)["code"].as_str()),
        (400, Some("bad_json")),
        "{}",
        broken.body
    );
    let mut unknown = sample_document();
    unknown["colour"] = json!("blue");
    let (status, refused) = ana.call("POST", "/api/v1/circulars", Some(&unknown)).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("colour")),
        "{refused}"
    );
    let (status, refused) = ana
        .call(
            "POST",
            "/api/v1/circulars/TSB-36/send-back",
            Some(&json!({"comment": "x", "extra": 1})),
        )
        .await;
    assert!(status == 422 || status == 404, "{status} {refused}");
    let huge = vec![b' '; circulars_tests::MAX_REQUEST_BYTES + 10];
    let too_big = request(
        "POST",
        &url,
        &[auth, ("Content-Type", "application/json")],
        &huge,
    )
    .await;
    assert_eq!(
        (too_big.status, parse(&too_big)["code"].as_str()),
        (413, Some("too_large")),
        "{}",
        too_big.body
    );

    // A script in a subject is stored and returned as text.
    let mut scripted = sample_document();
    scripted["text"]["en"]["subject"] = json!("<script>alert(1)</script> AI readiness");
    let (status, stored) = ana.call("POST", "/api/v1/circulars", Some(&scripted)).await;
    assert_eq!(status, 201, "{stored}");
    assert_eq!(
        stored["document"]["text"]["en"]["subject"],
        "<script>alert(1)</script> AI readiness"
    );
    let (status, missing) = ana.call("GET", "/api/v1/circulars/TSB-99", None).await;
    assert_eq!((status, missing["code"].as_str()), (404, Some("not_found")));
}

on_both_databases!(
    staff_draft_approve_and_issue_a_circular_over_the_api,
    every_api_route_refuses_callers_without_a_valid_token,
    bad_requests_get_a_clear_json_error,
);
