//! An operator's Prometheus scrapes `/metrics` on the gateway's listener while a circular goes
//! out: mails by state and relay, SMTP send times per relay, render and freeze times, returned
//! mail by kind and the JetStream consumers' counts are there, in names and labels `promtool`
//! accepts, and no recipient's address is in any of them. A mail parked for a later attempt
//! shows in the retry gauges.

use circulars_capture_smtp::RecipientRules;
use circulars_tests::http::http;
use circulars_tests::intake::{dsn, send};
use circulars_tests::{Db, Harness, Setup};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `promtool check metrics` on `text`: its exit status and what it said.
fn promtool_check(text: &str) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs: install Debian's prometheus package (deploy/install-deps)");
    child
        .stdin
        .take()
        .expect("promtool's input")
        .write_all(text.as_bytes())
        .expect("the metrics are written to promtool");
    let out = child.wait_with_output().expect("promtool finishes");
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_after_a_delivered_circular_pass_promtool_and_name_no_recipient() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;

    // One recipient's server returns the mail: a permanent failure.
    let gone = h.mails().remove(0);
    let verp = gone.verp();
    let session = send(
        h.intake_addr(),
        &[verp],
        &dsn(
            verp,
            &gone.recipient,
            "failed",
            "5.1.1",
            "550 5.1.1 <mailbox> User unknown",
            &gone.message_id,
        ),
    )
    .await;
    assert_eq!(session.last_code(), 250, "{session:?}");

    let url = format!("{}/metrics", h.gateway_url());
    let deadline = Instant::now() + Duration::from_secs(20);
    let reply = loop {
        let reply = http("GET", &url, None, b"").await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let returned = r#"circulars_returned_mail_total{kind="permanent"} 1"#;
        if reply.body.lines().any(|l| l == returned) {
            break reply;
        }
        assert!(
            Instant::now() < deadline,
            "no {returned} in:\n{}",
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = reply.body;
    let (ok, said) = promtool_check(&text);
    assert!(ok && said.trim().is_empty(), "promtool: {said}\n{text}");

    assert!(
        text.lines()
            .any(|l| l == r#"circulars_mails_total{state="sent",relay="capture"} 258"#),
        "the 258 mails sent through the relay `capture`:\n{text}"
    );
    for name in [
        r#"circulars_smtp_send_seconds_bucket{relay="capture",le="+Inf"} 258"#,
        r#"circulars_render_seconds_count{language="fr"} 1"#,
        "circulars_audience_freeze_seconds_count 1",
        r#"circulars_consumer_pending_messages{stream="CIRCULARS",consumer="composer"} 0"#,
        r#"circulars_consumer_redelivered_messages{stream="DELIVERIES",consumer="tracker"}"#,
        r#"circulars_consumer_ack_pending_messages{stream="MAIL_OUTBOUND",consumer="dispatch-TSB-36"}"#,
    ] {
        assert!(text.contains(name), "no {name} in:\n{text}");
    }
    // An address, or a label made from one, would carry its `@`.
    assert!(!text.contains('@'), "an address in the metrics:\n{text}");
    h.stop_services();
}

/// A small directory: one of its recipients' servers says "try later" for an hour.
const DIRECTORY: &str = "addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics\n\
adm-freedonia,Administration of Freedonia,,member-states,amina.diallo@ptt.freedonia.example.org,Amina Diallo,fr,,active,\n\
adm-sylvania,Administration of Sylvania,,member-states,li.wei@miit.sylvania.example.com,Li Wei,zh,,active,\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_parked_for_a_later_attempt_shows_in_the_retry_gauges() {
    let deferred = "li.wei@miit.sylvania.example.com";
    let mut h = Harness::start_setup(Setup {
        rules: RecipientRules::new().reply(deferred, 452, "4.2.2 Mailbox full, try later"),
        smtp_settings: "retry_delays_secs = [3600]".into(),
        ..Setup::new(Db::Sqlite)
    })
    .await;
    h.serve("all");
    h.import_directory(DIRECTORY);
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);

    let url = format!("{}/metrics", h.gateway_url());
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        let reply = http("GET", &url, None, b"").await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        if reply
            .body
            .lines()
            .any(|l| l == "circulars_retries_parked 1")
        {
            break reply.body;
        }
        assert!(
            Instant::now() < deadline,
            "no parked retry in:\n{}",
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        text.lines().any(|l| l == "circulars_retries_due 0"),
        "its attempt is an hour away:\n{text}"
    );
    let (ok, said) = promtool_check(&text);
    assert!(ok && said.trim().is_empty(), "promtool: {said}\n{text}");
    h.stop_services();
}
