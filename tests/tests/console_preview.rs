//! A drafter previews a circular in the console: the six versions side by side, each served
//! exactly as its recipients get it (the CLI's preview, byte for byte) with a policy of its
//! own, in a sandboxed frame; then test copies of all six reach the capture SMTP server.

mod signed_in;

use circulars_core::domain::Language;
use circulars_tests::{on_both_databases, workspace, Db};
use signed_in::{csrf_of, drafting_harness, percent, Browser};

async fn the_preview_shows_six_versions_as_recipients_get_them_and_test_copies_arrive(db: Db) {
    let h = drafting_harness(db, false).await;
    h.draft_sample_circular();
    let ana = Browser::sign_in(&h, "ana", &["drafter"]).await;

    let page = ana.get("/staff/circulars/TSB-36/preview").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let policy = page.header("content-security-policy").unwrap();
    assert!(
        policy.contains("frame-src 'self'") && !policy.contains("script"),
        "{policy}"
    );
    assert_eq!(page.body.matches("<iframe ").count(), 6, "{}", page.body);
    assert_eq!(
        page.body.matches("sandbox=\"\"").count(),
        6,
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("src=\"/staff/circulars/TSB-36/preview/fr\" title=\"The version in French\""),
        "{}",
        page.body
    );

    let out = h.dir().join("cli-preview");
    let file = workspace().join("samples/circulars/tsb-36.toml");
    h.circulars_ok(&[
        "preview",
        &file.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    for language in Language::ALL {
        let version = ana
            .get(&format!("/staff/circulars/TSB-36/preview/{language}"))
            .await;
        assert_eq!(version.status, 200, "{language}");
        let policy = version.header("content-security-policy").unwrap();
        assert!(
            policy.contains("frame-ancestors 'self'") && policy.ends_with("sandbox"),
            "{policy}"
        );
        assert_eq!(version.header("x-frame-options"), Some("SAMEORIGIN"));
        let cli = std::fs::read_to_string(out.join(format!("{language}.html"))).unwrap();
        assert_eq!(
            version.body, cli,
            "{language}: the recipient's rendering, as the CLI's preview"
        );
    }
    let unknown = ana.get("/staff/circulars/TSB-36/preview/de").await;
    assert_eq!(unknown.status, 404);

    let csrf = csrf_of(&page.body);
    let form = |to: &str| format!("csrf={csrf}&to={}", percent(to));
    let wrong = ana
        .post(
            "/staff/circulars/TSB-36/test-copies",
            "application/x-www-form-urlencoded",
            form("not an address").as_bytes(),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("id=\"to-error\""), "{}", wrong.body);
    assert!(h.mails().is_empty());
    let sent = ana
        .post(
            "/staff/circulars/TSB-36/test-copies",
            "application/x-www-form-urlencoded",
            form("ana@itu.example").as_bytes(),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert_eq!(
        sent.body
            .matches("sent to ana@itu.example through capture (250)")
            .count(),
        6,
        "{}",
        sent.body
    );
    let mails = h.mails();
    assert_eq!(mails.len(), 6);
    let mut languages: Vec<&str> = mails.iter().map(|m| m.language.as_str()).collect();
    languages.sort();
    assert_eq!(languages, ["ar", "en", "es", "fr", "ru", "zh"]);
    assert!(
        mails
            .iter()
            .all(|m| m.subject.starts_with("[TEST COPY] ")
                && m.recipient.contains("ana@itu.example")),
        "{mails:?}"
    );
}

on_both_databases!(the_preview_shows_six_versions_as_recipients_get_them_and_test_copies_arrive);
