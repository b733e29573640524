//! The connections to the relays, set up from `[smtp.relays.*]` as operators write
//! it: reused from mail to mail (after a refusal too), implicit TLS with a private CA and a
//! password, STARTTLS with a password, and a relay whose certificate nobody vouches for
//! refused before a word of SMTP.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use circulars_capture_smtp::{test_tls_files, CaptureServer, Credentials, Options, RecipientRules};
use circulars_core::config::Config;
use circulars_core::domain::OutgoingMail;
use circulars_relays::{Phase, Relays};

/// A short mail from the secretariat to `to`.
fn mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        return_path: "tsb@itu.example".to_owned(),
        recipient: to.to_owned(),
        message: format!(
            "From: tsb@itu.example\r\nTo: {to}\r\nSubject: TSB Circular 36\r\n\r\nDear Sir/Madam,\r\n"
        )
        .into_bytes(),
    }
}

fn relays(toml: &str) -> Relays {
    let config = Config::from_sources(Some(("circulars.toml", toml)), Vec::new()).unwrap();
    Relays::from_config(&config.smtp).unwrap()
}

#[tokio::test]
async fn one_connection_carries_mail_after_mail_and_a_refusal_costs_only_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let rules = RecipientRules::new().reply("busy@example.org", 451, "4.7.1 Greylisted");
    let server = CaptureServer::start(([127, 0, 0, 1], 0).into(), dir.path(), rules)
        .await
        .unwrap();
    let relays = relays(&format!(
        "[smtp.relays.main]\nhost = \"127.0.0.1\"\nport = {}\nconnections = 1\n",
        server.local_addr().port()
    ));
    for n in 0..5 {
        assert!(relays
            .send(&mail(&format!("r{n}@example.org")))
            .await
            .result
            .is_ok());
    }
    assert_eq!(server.stats().connections, 1, "five mails, one connection");
    // A refused recipient: RSET, and the same session carries the next mail.
    let refused = relays.send(&mail("busy@example.org")).await.result;
    let refused = refused.unwrap_err();
    assert_eq!(refused.phase(), Some(Phase::Rcpt), "{refused}");
    assert_eq!(refused.reply().map(|r| r.code), Some(451), "{refused}");
    assert!(relays.send(&mail("r5@example.org")).await.result.is_ok());
    assert_eq!(server.stats().connections, 1);
    assert_eq!(server.stats().stored, 6);
    server.shutdown().await;
}

#[tokio::test]
async fn a_relay_on_implicit_tls_with_a_private_ca_and_a_password_gets_both() {
    let dir = tempfile::tempdir().unwrap();
    let tls = test_tls_files();
    let options = Options {
        tls: Some(tls.implicit()),
        auth: Some(Credentials::new("circulars", "s3cret")),
        allow_auth_without_tls: false,
    };
    let server = CaptureServer::start_with(
        ([127, 0, 0, 1], 0).into(),
        dir.path(),
        RecipientRules::new(),
        options,
    )
    .await
    .unwrap();
    let port = server.local_addr().port();
    let trusted = relays(&format!(
        "[smtp.relays.smtps]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"tls\"\n\
         tls_ca_file = \"{}\"\nusername = \"circulars\"\npassword = \"s3cret\"\n",
        tls.ca.display()
    ));
    let sent = trusted.send(&mail("ok@example.org")).await;
    assert_eq!(sent.relay, "smtps");
    assert_eq!(sent.result.unwrap().code, 250);
    let stats = server.stats();
    assert_eq!(
        (stats.tls_sessions, stats.auth_successes, stats.stored),
        (1, 1, 1)
    );

    // Without the private CA the certificate is refused: no SMTP at all, so no reply.
    let untrusted = relays(&format!(
        "[smtp.relays.smtps]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"tls\"\n"
    ));
    let refused = untrusted
        .send(&mail("ok@example.org"))
        .await
        .result
        .unwrap_err();
    assert!(refused.is_no_reply(), "{refused}");
    assert!(refused.to_string().contains("TLS"), "{refused}");
    assert_eq!(server.stats().stored, 1);
    server.shutdown().await;
}

#[tokio::test]
async fn a_relay_that_wants_starttls_and_a_password_gets_both_before_the_mail() {
    let dir = tempfile::tempdir().unwrap();
    let tls = test_tls_files();
    let options = Options {
        tls: Some(tls.starttls()),
        auth: Some(Credentials::new("circulars", "relay-secret")),
        allow_auth_without_tls: false,
    };
    let server = CaptureServer::start_with(
        ([127, 0, 0, 1], 0).into(),
        dir.path(),
        RecipientRules::new(),
        options,
    )
    .await
    .unwrap();
    let relays = relays(&format!(
        "[smtp.relays.submission]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"starttls\"\n\
         tls_ca_file = \"{}\"\nusername = \"circulars\"\npassword = \"relay-secret\"\n",
        server.local_addr().port(),
        tls.ca.display()
    ));
    for to in ["a@example.org", "b@example.org"] {
        assert_eq!(relays.send(&mail(to)).await.result.unwrap().code, 250);
    }
    let stats = server.stats();
    assert_eq!(
        (
            stats.connections,
            stats.tls_sessions,
            stats.auth_successes,
            stats.stored
        ),
        (1, 1, 1, 2)
    );
    let stored = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let text = std::fs::read_to_string(stored.path()).unwrap();
    assert!(
        text.contains("X-Capture-Session: tls=starttls; auth=circulars"),
        "{text}"
    );
    server.shutdown().await;
}
