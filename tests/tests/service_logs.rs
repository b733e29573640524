//! An operator runs `circulars serve all` with its log going to a file or a collector: the
//! file holds plain text without terminal colour codes, and `[log] format = "json"` gives one
//! JSON object per line that a collector can read.

use circulars_tests::{Db, Harness};

/// Serves everything with `env`, delivers the sample circular, stops, and returns the log.
async fn log_of_a_delivered_circular(env: &[(&str, &str)]) -> String {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve_with_env("all", env);
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;
    h.stop_services();
    h.service_log("all")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_written_to_a_file_has_no_colour_codes() {
    let log = log_of_a_delivered_circular(&[]).await;
    assert!(log.contains("gateway ready"), "{log}");
    assert!(
        log.contains(" INFO "),
        "the level is written as a word: {log}"
    );
    assert!(
        !log.contains('\u{1b}'),
        "an escape character in a log that is not a terminal:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_a_line_with_level_target_and_message() {
    let log = log_of_a_delivered_circular(&[("CIRCULARS__LOG__FORMAT", "json")]).await;
    assert!(!log.contains('\u{1b}'), "{log}");
    let mut messages = Vec::new();
    for line in log.lines() {
        let event: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}"));
        for field in ["timestamp", "level", "target", "message"] {
            assert!(event[field].is_string(), "no string {field:?} in {line:?}");
        }
        messages.push(event["message"].as_str().unwrap_or_default().to_owned());
    }
    for service in ["gateway", "dispatcher", "tracker"] {
        assert!(
            messages.contains(&format!("{service} ready")),
            "no \"{service} ready\" among {messages:?}"
        );
    }
    assert!(
        log.lines().any(|l| l.contains(r#""level":"INFO""#)),
        "{log}"
    );
}
