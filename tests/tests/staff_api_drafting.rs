//! Staff's own systems attach annex files to a draft one language at a time, preview its six
//! versions and send themselves test copies over the API; an upload over the limit, of the
//! wrong kind or for an unknown language gets a clear JSON error naming what is wrong.

use circulars_core::domain::Circular;
use circulars_lifecycle::document::circular_to_json;
use circulars_tests::http::{request, Reply};
use circulars_tests::{on_both_databases, workspace, Db, Harness, Setup, MAX_REQUEST_BYTES};
use serde_json::{json, Value};

/// The largest annex file of these stories' configuration.
const MAX_ANNEX_BYTES: usize = 4096;

fn parse(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap_or(Value::String(reply.body.clone()))
}

/// An API caller with one account's token.
struct Caller<'a> {
    h: &'a Harness,
    bearer: String,
}

impl Caller<'_> {
    async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.h.gateway_url());
        let headers = [
            ("Authorization", self.bearer.as_str()),
            ("Content-Type", content_type),
        ];
        let reply = request(method, &url, &headers, body).await;
        (reply.status, parse(&reply))
    }

    async fn json(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        self.send(
            method,
            path,
            "application/json",
            body.to_string().as_bytes(),
        )
        .await
    }

    /// Uploads `content` as file `file_name` of circular TSB-36, for `language` when given.
    async fn upload(
        &self,
        file_name: &str,
        language: Option<&str>,
        content: &[u8],
    ) -> (u16, Value) {
        let boundary = "annex-boundary-42";
        let mut body = Vec::new();
        if let Some(language) = language {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"language\"\r\n\r\n{language}\r\n").as_bytes());
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n")
                .as_bytes(),
        );
        body.extend(content);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.send(
            "POST",
            "/api/v1/circulars/TSB-36/annexes",
            &content_type,
            &body,
        )
        .await
    }
}

async fn api_harness(db: Db) -> Harness {
    let mut h = Harness::start_setup(Setup::new(db)).await;
    let config = h.dir().join("circulars.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n[mail]\nmax_annex_bytes = {MAX_ANNEX_BYTES}\n"));
    std::fs::write(&config, text).unwrap();
    h.serve("gateway");
    h
}

fn sample_with_annex() -> Value {
    let text = std::fs::read_to_string(workspace().join("samples/circulars/tsb-36.toml")).unwrap();
    let mut document = circular_to_json(&Circular::from_toml("tsb-36.toml", &text).unwrap());
    document["annexes"] = json!(["annex1.pdf"]);
    document
}

async fn annex_files_are_uploaded_one_at_a_time_and_bad_uploads_are_named(db: Db) {
    let h = api_harness(db).await;
    let ana = Caller {
        h: &h,
        bearer: format!("Bearer {}", h.staff_token("ana", &["drafter"])),
    };
    let (status, created) = ana
        .json("POST", "/api/v1/circulars", &sample_with_annex())
        .await;
    assert_eq!(status, 201, "{created}");

    let (status, files) = ana.upload("annex1.pdf", None, b"%PDF every language").await;
    assert_eq!(status, 200, "{files}");
    assert_eq!(files["files"].as_array().unwrap().len(), 6, "{files}");
    let (status, files) = ana
        .upload("annex1.fr.pdf", Some("fr"), b"%PDF francais")
        .await;
    assert_eq!(status, 200, "{files}");
    let french: Vec<&Value> = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["language"] == "fr")
        .collect();
    assert_eq!(french.len(), 1, "{files}");
    assert_eq!(
        (
            french[0]["annex"].as_str(),
            french[0]["file"].as_str(),
            french[0]["bytes"].as_u64()
        ),
        (Some("annex1.pdf"), Some("annex1.fr.pdf"), Some(13))
    );
    assert_eq!(files["state"], "draft");

    let (status, unknown) = ana.upload("annex1.pdf", Some("de"), b"x").await;
    assert_eq!(
        (status, unknown["code"].as_str(), unknown["field"].as_str()),
        (422, Some("invalid"), Some("language")),
        "{unknown}"
    );
    let (status, stranger) = ana.upload("<script>.pdf", None, b"x").await;
    assert_eq!(
        (status, stranger["field"].as_str()),
        (422, Some("annexes")),
        "{stranger}"
    );
    assert!(
        stranger["message"]
            .as_str()
            .unwrap()
            .contains("'<script>.pdf' is not an annex of TSB-36"),
        "{stranger}"
    );
    let big = vec![b'x'; MAX_ANNEX_BYTES + 1];
    let (status, too_big) = ana.upload("annex1.pdf", Some("es"), &big).await;
    assert_eq!(
        (status, too_big["code"].as_str(), too_big["field"].as_str()),
        (413, Some("too_large"), Some("file")),
        "{too_big}"
    );
    assert!(
        too_big["message"].as_str().unwrap().contains(&format!(
            "over the limit of {MAX_ANNEX_BYTES} bytes (mail.max_annex_bytes)"
        )),
        "{too_big}"
    );
    let huge = vec![b'x'; MAX_REQUEST_BYTES + 1];
    let (status, too_big) = ana.upload("annex1.pdf", None, &huge).await;
    assert_eq!(
        (status, too_big["code"].as_str()),
        (413, Some("too_large")),
        "{too_big}"
    );
    assert!(
        too_big["message"]
            .as_str()
            .unwrap()
            .contains("gateway.max_request_bytes"),
        "{too_big}"
    );
    let (status, raw) = ana
        .send(
            "POST",
            "/api/v1/circulars/TSB-36/annexes",
            "application/pdf",
            b"%PDF",
        )
        .await;
    assert_eq!(
        (status, raw["code"].as_str()),
        (415, Some("unsupported_media_type")),
        "{raw}"
    );

    let bob = Caller {
        h: &h,
        bearer: format!("Bearer {}", h.staff_token("bob", &["approver"])),
    };
    let (status, refused) = bob.upload("annex1.pdf", None, b"x").await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("not_allowed")),
        "{refused}"
    );
}

async fn the_preview_and_test_copies_over_the_api(db: Db) {
    let h = api_harness(db).await;
    h.draft_sample_circular();
    let ana = Caller {
        h: &h,
        bearer: format!("Bearer {}", h.staff_token("ana", &["drafter"])),
    };
    let (status, preview) = ana
        .send("GET", "/api/v1/circulars/TSB-36/preview", "text/plain", b"")
        .await;
    assert_eq!(status, 200, "{preview}");
    let versions = preview["versions"].as_array().unwrap();
    let languages: Vec<&str> = versions
        .iter()
        .map(|v| v["language"].as_str().unwrap())
        .collect();
    assert_eq!(languages, ["ar", "zh", "en", "fr", "ru", "es"]);
    for v in versions {
        assert!(
            v["html"]
                .as_str()
                .unwrap()
                .contains("Administration of Freedonia"),
            "{v}"
        );
        assert!(v["text"].as_str().unwrap().contains("/unsubscribe/"), "{v}");
    }
    let (status, wrong) = ana
        .json(
            "POST",
            "/api/v1/circulars/TSB-36/test-copies",
            &json!({"to": "nobody"}),
        )
        .await;
    assert_eq!(
        (status, wrong["field"].as_str()),
        (422, Some("to")),
        "{wrong}"
    );
    let (status, sent) = ana
        .json(
            "POST",
            "/api/v1/circulars/TSB-36/test-copies",
            &json!({"to": "ana@itu.example"}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let copies = sent["copies"].as_array().unwrap();
    assert_eq!(copies.len(), 6);
    assert!(
        copies.iter().all(|c| c["sent"] == true && c["code"] == 250),
        "{sent}"
    );
    assert_eq!(h.mails().len(), 6);
}

on_both_databases!(
    annex_files_are_uploaded_one_at_a_time_and_bad_uploads_are_named,
    the_preview_and_test_copies_over_the_api,
);
