//! Operations look at returned mail by hand: `circulars bounces parse` prints what the bounce
//! intake would read in each message, one JSON line per address with why it failed, with no
//! configuration, database or service, for single messages and mbox files alike; a file it
//! cannot read is named on stderr and the others are still read. Returned mail is kept whole,
//! once, on either database.

use circulars_store::{report_id, InboundReport, ReportSource, ReportState};
use circulars_tests::{circulars_binary, on_both_databases, Db, Harness};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn corpus(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bounces")
        .join(file)
        .to_string_lossy()
        .into_owned()
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

#[test]
fn bounces_parse_prints_one_line_per_address_without_any_setup() {
    let dir = tempfile::tempdir().unwrap();
    // Two reports in one mbox, written as a mail client exports them.
    let mbox = dir.path().join("returned.mbox");
    let mut text = Vec::new();
    for file in ["postfix-user-unknown.eml", "arf-abuse.eml"] {
        text.extend_from_slice(b"From MAILER-DAEMON Mon Jun  2 14:00:00 2025\n");
        text.extend(std::fs::read(corpus(file)).unwrap());
        text.extend_from_slice(b"\n");
    }
    std::fs::write(&mbox, text).unwrap();
    let multi = corpus("dsn-multi-recipient.eml");
    let nobody = corpus("dsn-no-address.eml");
    let missing = dir.path().join("no-such.eml");
    let mbox = mbox.to_string_lossy().into_owned();
    let missing = missing.to_string_lossy().into_owned();

    // Run from an empty folder with no configuration anywhere.
    let out = Command::new(circulars_binary())
        .current_dir(dir.path())
        .env_remove("CIRCULARS_CONFIG")
        .args(["bounces", "parse", &multi, &missing, &nobody, &mbox])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a missing file fails the command");
    assert!(stderr.contains(&format!("error: {missing}: ")), "{stderr}");

    let found = lines(&out.stdout);
    let summary: Vec<(String, String, String, Value)> = found
        .iter()
        .map(|l| {
            (
                l["file"].as_str().unwrap().to_owned(),
                l["recipient"].as_str().unwrap().to_owned(),
                l["kind"].as_str().unwrap().to_owned(),
                l["status"].clone(),
            )
        })
        .collect();
    let line = |file: &str, recipient: &str, kind: &str, status: Value| {
        (
            file.to_owned(),
            recipient.to_owned(),
            kind.to_owned(),
            status,
        )
    };
    assert_eq!(
        summary,
        vec![
            line(&multi, "left@example.net", "permanent", "5.1.1".into()),
            line(&multi, "busy@example.net", "temporary", "4.4.1".into()),
            line(&multi, "here@example.net", "not_bounce", "2.0.0".into()),
            line(&nobody, "", "permanent", Value::Null),
            line(&mbox, "gone@example.org", "permanent", "5.1.1".into()),
            line(&mbox, "reader@example.com", "complaint", Value::Null),
        ],
        "{found:#?}"
    );
    assert!(
        found[0]["diagnostic"]
            .as_str()
            .is_some_and(|d| d.contains("User unknown")),
        "{found:#?}"
    );
    let reasons: Vec<&Value> = found.iter().map(|l| &l["reason"]).collect();
    assert_eq!(
        reasons,
        [
            &Value::from("user_unknown"),
            &Value::from("expired"),
            &Value::from("undefined"),
            &Value::Null,
            &Value::from("user_unknown"),
            &Value::from("complaint"),
        ],
        "{found:#?}"
    );
    for l in &found {
        let keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "diagnostic",
                "file",
                "kind",
                "reason",
                "recipient",
                "status"
            ],
            "exactly the six fields"
        );
    }
}

/// The intake keeps every returned mail whole before it answers "250", on either database,
/// and the same message received twice is kept once.
async fn a_returned_mail_is_kept_whole_once(db: Db) {
    let h = Harness::start(db).await;
    let store = h.store().await;
    let mut raw = std::fs::read(corpus("dsn-invalid-utf8-headers.eml")).unwrap();
    raw.extend_from_slice(&[0, 0xff, 0xfe, b'\r', b'\n']);
    let parsed = circulars_bounce_reports::parse(&raw);
    let report = InboundReport {
        id: report_id(&raw),
        received_at: chrono::Utc::now(),
        source: ReportSource::Smtp,
        envelope_to: vec!["bounce+t0001@itu.example".into()],
        raw: raw.clone(),
        form: parsed.form.as_str().into(),
        kind: parsed.kind.as_str().into(),
    };
    assert!(store.store_inbound_report(&report).await.unwrap());
    assert!(!store.store_inbound_report(&report).await.unwrap());
    assert_eq!(
        store.inbound_report_raw(&report.id).await.unwrap(),
        Some(raw)
    );
    let received = store
        .inbound_reports(ReportState::Received, 10)
        .await
        .unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].form, "dsn");
    store.close().await;
}

on_both_databases!(a_returned_mail_is_kept_whole_once,);
