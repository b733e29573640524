//! STARTTLS, implicit TLS and AUTH, driven over real TCP on the loopback interface with a
//! tokio-rustls client that trusts only the committed test CA.

mod common;

use circulars_capture_smtp::{
    test_tls_files, CaptureError, CaptureServer, Credentials, Options, RecipientRules, TlsMode,
};
use common::{
    base64, eml_files, loopback, plain_client, read, session_header, start, stop, tcp, tls, Client,
    WAIT,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

fn credentials() -> Credentials {
    Credentials::new("mailer", "s3cret pass")
}

fn extensions(ehlo: &str) -> Vec<&str> {
    ehlo.lines().skip(1).map(|l| &l[4..]).collect()
}

#[test]
fn fixture_files_exist() {
    let files = test_tls_files();
    for path in [&files.cert, &files.key, &files.ca] {
        assert!(path.is_file(), "{}", path.display());
    }
    assert_eq!(
        files.starttls(),
        TlsMode::StartTls {
            cert: files.cert.clone(),
            key: files.key.clone()
        }
    );
}

#[tokio::test]
async fn starttls_upgrades_and_the_session_starts_over() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let options = Options {
        tls: Some(test_tls_files().starttls()),
        ..Options::default()
    };
    let server = start(tmp.path(), RecipientRules::new(), options).await;
    let mut c = Client::greeted(tcp(server.local_addr()).await).await;
    let ehlo = c.cmd("EHLO client.example").await;
    assert!(extensions(&ehlo).contains(&"STARTTLS"), "{ehlo}");
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    assert!(ehlo.lines().last().expect("line").starts_with("250 "));
    // A transaction begun before STARTTLS is forgotten.
    assert!(c
        .cmd("MAIL FROM:<early@itu.example>")
        .await
        .starts_with("250 "));
    assert_eq!(c.cmd("STARTTLS now").await, "501 5.5.4 Syntax: STARTTLS");
    assert_eq!(c.cmd("STARTTLS").await, "220 2.0.0 Ready to start TLS");

    let mut c = Client::new(tls(c.into_inner(), "localhost").await);
    // No greeting after the upgrade; the client must EHLO again.
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("503 "));
    let ehlo = c.cmd("EHLO client.example").await;
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    assert!(extensions(&ehlo).contains(&"PIPELINING"), "{ehlo}");
    assert!(c.cmd("STARTTLS").await.starts_with("554 "));
    let reply = c
        .send_mail(&["a@example.org"], "Subject: secret\r\n\r\nover TLS")
        .await;
    assert!(reply.starts_with("250 2.0.0 Ok: queued as "), "{reply}");
    assert!(c.cmd("QUIT").await.starts_with("221 "));

    let files = eml_files(server.out_dir());
    assert_eq!(files.len(), 1);
    assert_eq!(
        read(&files[0]),
        "Return-Path: <s@itu.example>\r\nDelivered-To: a@example.org\r\n\
         X-Capture-Session: tls=starttls; auth=-\r\nSubject: secret\r\n\r\nover TLS\r\n"
    );

    // A client may also stay on plain text (opportunistic TLS).
    let mut plain = plain_client(server.local_addr()).await;
    let reply = plain
        .send_mail(&["b@example.org"], "Subject: plain\r\n\r\nx")
        .await;
    assert!(reply.starts_with("250 "), "{reply}");
    let files = eml_files(server.out_dir());
    assert_eq!(session_header(&files[1]), "tls=none; auth=-");
    assert_eq!(server.stats().tls_sessions, 1);
    stop(server).await;
}

#[tokio::test]
async fn implicit_tls_with_auth_plain() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let options = Options {
        tls: Some(test_tls_files().implicit()),
        auth: Some(credentials()),
        ..Options::default()
    };
    let server = start(tmp.path(), RecipientRules::new(), options).await;
    // TLS from the first byte; the certificate is also valid for the IP address.
    let mut c = Client::greeted(tls(tcp(server.local_addr()).await, "127.0.0.1").await).await;
    let ehlo = c.cmd("EHLO client.example").await;
    let ext = extensions(&ehlo);
    assert!(ext.contains(&"AUTH PLAIN LOGIN"), "{ehlo}");
    assert!(!ext.contains(&"STARTTLS"), "{ehlo}");
    assert!(c.cmd("STARTTLS").await.starts_with("554 "));

    assert_eq!(
        c.cmd("MAIL FROM:<s@itu.example>").await,
        "530 5.7.0 Authentication required"
    );
    let bad = base64(b"\0mailer\0wrong");
    assert!(c
        .cmd(&format!("AUTH PLAIN {bad}"))
        .await
        .starts_with("535 5.7.8"));
    assert!(c.cmd("AUTH PLAIN not*base64").await.starts_with("501 "));
    assert!(c.cmd("AUTH CRAM-MD5").await.starts_with("504 "));
    let good = base64(b"\0mailer\0s3cret pass");
    assert!(c
        .cmd(&format!("AUTH PLAIN {good}"))
        .await
        .starts_with("235 2.7.0"));
    assert!(c
        .cmd(&format!("AUTH PLAIN {good}"))
        .await
        .starts_with("503 "));
    let reply = c
        .send_mail(&["a@example.org"], "Subject: auth\r\n\r\nok")
        .await;
    assert!(reply.starts_with("250 "), "{reply}");

    let files = eml_files(server.out_dir());
    assert_eq!(files.len(), 1);
    assert_eq!(session_header(&files[0]), "tls=implicit; auth=mailer");
    let stats = server.stats();
    assert_eq!(
        (
            stats.tls_sessions,
            stats.auth_successes,
            stats.auth_failures
        ),
        (1, 1, 1)
    );

    // A plain-text client gets no SMTP greeting from an implicit-TLS port.
    // (rustls may answer with a TLS alert before closing.)
    let mut raw = tcp(server.local_addr()).await;
    raw.write_all(b"EHLO x\r\n").await.expect("write");
    let mut answer = Vec::new();
    let _ = timeout(WAIT, raw.read_to_end(&mut answer))
        .await
        .expect("closed in time");
    assert!(!answer.starts_with(b"220"), "{answer:?}");
    stop(server).await;
}

#[tokio::test]
async fn starttls_with_auth_login_offers_auth_only_after_the_upgrade() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let options = Options {
        tls: Some(test_tls_files().starttls()),
        auth: Some(credentials()),
        ..Options::default()
    };
    let server = start(tmp.path(), RecipientRules::new(), options).await;
    let mut c = Client::greeted(tcp(server.local_addr()).await).await;
    let ehlo = c.cmd("EHLO client.example").await;
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    assert_eq!(
        c.cmd("AUTH PLAIN AG1haWxlcgBzM2NyZXQgcGFzcw==").await,
        "530 5.7.0 Must issue a STARTTLS command first"
    );
    assert_eq!(
        c.cmd("MAIL FROM:<s@itu.example>").await,
        "530 5.7.0 Authentication required"
    );
    assert!(c.cmd("STARTTLS").await.starts_with("220 "));

    let mut c = Client::new(tls(c.into_inner(), "localhost").await);
    let ehlo = c.cmd("EHLO client.example").await;
    assert!(extensions(&ehlo).contains(&"AUTH PLAIN LOGIN"), "{ehlo}");
    // LOGIN with a wrong password, then aborted, then right.
    assert_eq!(c.cmd("AUTH LOGIN").await, "334 VXNlcm5hbWU6");
    assert_eq!(c.cmd(&base64(b"mailer")).await, "334 UGFzc3dvcmQ6");
    assert!(c.cmd(&base64(b"nope")).await.starts_with("535 5.7.8"));
    assert_eq!(c.cmd("AUTH LOGIN").await, "334 VXNlcm5hbWU6");
    assert!(c.cmd("*").await.starts_with("501 "));
    let initial = base64(b"mailer");
    assert_eq!(
        c.cmd(&format!("AUTH LOGIN {initial}")).await,
        "334 UGFzc3dvcmQ6"
    );
    assert!(c
        .cmd(&base64(b"s3cret pass"))
        .await
        .starts_with("235 2.7.0"));
    let reply = c
        .send_mail(&["a@example.org"], "Subject: login\r\n\r\nok")
        .await;
    assert!(reply.starts_with("250 "), "{reply}");
    let files = eml_files(server.out_dir());
    assert_eq!(session_header(&files[0]), "tls=starttls; auth=mailer");
    stop(server).await;
}

#[tokio::test]
async fn auth_plain_without_tls_when_allowed_with_a_334_prompt() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let options = Options {
        auth: Some(credentials()),
        allow_auth_without_tls: true,
        ..Options::default()
    };
    let server = start(tmp.path(), RecipientRules::new(), options).await;
    let mut c = Client::greeted(tcp(server.local_addr()).await).await;
    assert!(c.cmd("AUTH PLAIN").await.starts_with("503 "), "EHLO first");
    let ehlo = c.cmd("EHLO client.example").await;
    assert!(extensions(&ehlo).contains(&"AUTH PLAIN LOGIN"), "{ehlo}");
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    assert_eq!(
        c.cmd("MAIL FROM:<s@itu.example>").await,
        "530 5.7.0 Authentication required"
    );
    assert_eq!(c.cmd("AUTH PLAIN").await, "334");
    assert!(c
        .cmd(&base64(b"other\0mailer\0s3cret pass"))
        .await
        .starts_with("501 "));
    assert_eq!(c.cmd("AUTH PLAIN").await, "334");
    assert!(c
        .cmd(&base64(b"mailer\0mailer\0s3cret pass"))
        .await
        .starts_with("235 "));
    let reply = c
        .send_mail(&["a@example.org"], "Subject: plain auth\r\n\r\nok")
        .await;
    assert!(reply.starts_with("250 "), "{reply}");
    let files = eml_files(server.out_dir());
    assert_eq!(session_header(&files[0]), "tls=none; auth=mailer");
    stop(server).await;
}

#[tokio::test]
async fn bad_options_and_tls_files_are_refused_at_start() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let auth_only = Options {
        auth: Some(credentials()),
        ..Options::default()
    };
    let err = CaptureServer::start_with(loopback(), &out, RecipientRules::new(), auth_only)
        .await
        .expect_err("AUTH without TLS and without the flag");
    assert!(matches!(err, CaptureError::Options(_)), "{err:?}");

    let missing = tmp.path().join("missing.pem");
    let files = test_tls_files();
    for (cert, key, bad) in [
        (missing.clone(), files.key.clone(), &missing),
        (files.cert.clone(), missing.clone(), &missing),
        // A certificate where a key should be.
        (files.cert.clone(), files.cert.clone(), &files.cert),
    ] {
        let options = Options {
            tls: Some(TlsMode::Implicit { cert, key }),
            ..Options::default()
        };
        let err = CaptureServer::start_with(loopback(), &out, RecipientRules::new(), options)
            .await
            .expect_err("bad TLS files");
        assert!(matches!(err, CaptureError::Tls { .. }), "{err:?}");
        assert!(
            err.to_string().contains(&bad.display().to_string()),
            "{err}"
        );
    }
}
