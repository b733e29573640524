//! Test copies of a circular leave through the configured relays, one per language, and each
//! language's outcome is its own: a relay refusing some copies does not stop the others.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use circulars_capture_smtp::{CaptureServer, RecipientRules};
use circulars_core::config::Config;
use circulars_core::domain::{Circular, Language, RecipientAddress};
use circulars_lifecycle::preview::send_test_copies;
use circulars_relays::Relays;

#[tokio::test]
async fn every_language_is_tried_and_each_outcome_names_its_relay_and_reply() {
    let dir = tempfile::tempdir().unwrap();
    // The first two copies (ar, zh) are refused, the next four accepted.
    let rules =
        RecipientRules::new().reply_times("reviewer@itu.example", 550, "5.7.1 Not today", 2);
    let server = CaptureServer::start(([127, 0, 0, 1], 0).into(), dir.path(), rules)
        .await
        .unwrap();
    let toml = format!(
        "[smtp.relays.capture]\nhost = \"127.0.0.1\"\nport = {}\n",
        server.local_addr().port()
    );
    let config = Config::from_sources(Some(("circulars.toml", &toml)), Vec::new()).unwrap();
    let relays = Relays::from_config(&config.smtp).unwrap();
    let text = include_str!("../../../samples/circulars/tsb-36.toml");
    let circular = Circular::from_toml("tsb-36.toml", text).unwrap();
    let to = RecipientAddress::parse("reviewer@itu.example").unwrap();

    let sent = send_test_copies(&config, &relays, &circular, &[], &to)
        .await
        .unwrap();

    let languages: Vec<Language> = sent.iter().map(|s| s.language).collect();
    assert_eq!(languages, Language::ALL);
    assert!(sent.iter().all(|s| s.relay == "capture"));
    let codes: Vec<Option<u16>> = sent.iter().map(|s| s.code()).collect();
    assert_eq!(
        codes,
        [None, None, Some(250), Some(250), Some(250), Some(250)]
    );
    let refused = sent[0].reply.as_ref().unwrap_err().to_string();
    assert!(refused.contains("Not today"), "{refused}");
    assert_eq!(server.stats().stored, 4);
    server.shutdown().await;
}
