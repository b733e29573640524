//! Returned mail quotes our circulars, personal data included: a site that gives the intake a
//! certificate (`[bounces] tls_cert_file`, `tls_key_file`) has it offer STARTTLS, and the
//! remote server that returns a mail can send it encrypted. Without them, none is offered.

use circulars_capture_smtp::test_tls_files;
use circulars_core::domain::{DeliveryKey, RecipientAddress};
use circulars_core::tokens::{return_address, Keyring, Purpose};
use circulars_store::ReportState;
use circulars_tests::intake::{dsn, send, send_with_starttls};
use circulars_tests::{Db, Harness, Setup};

/// The recipient the bounce is about.
const RECIPIENT: &str = "amara.osei@dtc.aldoria.example";

/// The envelope sender (VERP) of circular TSB-36 to [`RECIPIENT`], signed with the key the
/// harness's configuration uses (the development key), and a bounce sent to it.
fn bounce() -> (String, Vec<u8>) {
    let delivery = DeliveryKey::new(
        "TSB-36".parse().unwrap(),
        RecipientAddress::parse(RECIPIENT).unwrap(),
    );
    let token = Keyring::development().sign(&delivery, Purpose::Bounce);
    let verp = return_address(Purpose::Bounce, &token, "circulars.itu.example");
    let message = dsn(
        &verp,
        RECIPIENT,
        "failed",
        "5.1.1",
        "550 5.1.1 User unknown",
        "<TSB-36.1@circulars.itu.example>",
    );
    (verp, message)
}

/// The keywords of an EHLO reply, one per line after the first.
fn extensions(ehlo: &str) -> Vec<&str> {
    ehlo.lines().skip(1).map(|l| &l[4..]).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounce_comes_in_over_starttls_when_the_intake_has_a_certificate() {
    let files = test_tls_files();
    let mut h = Harness::start_setup(Setup {
        bounces_settings: format!(
            "tls_cert_file = {:?}\ntls_key_file = {:?}",
            files.cert, files.key
        ),
        ..Setup::new(Db::Sqlite)
    })
    .await;
    h.serve("intake");
    let (verp, message) = bounce();

    let session = send_with_starttls(h.intake_addr(), &files.ca, &[&verp], &message).await;
    let replies = &session.replies;
    assert!(replies.len() > 3, "{session:?}");
    assert!(extensions(&replies[1]).contains(&"STARTTLS"), "{session:?}");
    assert_eq!(replies[2], "220 2.0.0 Ready to start TLS", "{session:?}");
    // Over TLS the session starts over, and STARTTLS is no longer offered.
    assert!(replies[3].starts_with("250"), "{session:?}");
    assert!(!replies[3].contains("STARTTLS"), "{session:?}");
    assert_eq!(session.last_code(), 250, "{session:?}");
    assert!(
        session.last().starts_with("250 2.0.0 Ok: stored as "),
        "{session:?}"
    );
    let store = h.store().await;
    let received = store
        .inbound_reports(ReportState::Received, 10)
        .await
        .unwrap();
    assert_eq!(received.len(), 1, "{received:?}");

    // A client may still send in plain text (the MX of the return domain takes any sender).
    let plain = send(h.intake_addr(), &[&verp], &message).await;
    assert_eq!(plain.last_code(), 250, "{plain:?}");
    store.close().await;
    h.stop_services();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_certificate_the_intake_offers_no_starttls() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("intake");
    let (verp, message) = bounce();
    let files = test_tls_files();

    let session = send_with_starttls(h.intake_addr(), &files.ca, &[&verp], &message).await;
    let replies = &session.replies;
    assert_eq!(replies.len(), 3, "it stops at STARTTLS: {session:?}");
    assert!(replies[1].starts_with("250"), "{session:?}");
    assert!(!replies[1].contains("STARTTLS"), "{session:?}");
    assert!(replies[2].starts_with("502 "), "{session:?}");
    // The bounce still comes in, in plain text.
    let plain = send(h.intake_addr(), &[&verp], &message).await;
    assert_eq!(plain.last_code(), 250, "{plain:?}");
    h.stop_services();
}
