//! Drives the capture SMTP server with a raw TCP client on the loopback interface.

mod common;

use std::net::SocketAddr;
use std::path::Path;

use circulars_capture_smtp::{
    parse_reply_rule, CaptureError, CaptureServer, Options, RecipientRules,
};
use common::{eml_files, loopback, read, stop, Client, WAIT};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Starts a plain server (no TLS, no AUTH) writing to `dir/out`.
async fn start(dir: &Path, rules: RecipientRules) -> CaptureServer {
    common::start(dir, rules, Options::default()).await
}

/// Connects and checks the 220 greeting names the capture server.
async fn connect(addr: SocketAddr) -> Client<TcpStream> {
    let mut client = Client::new(common::tcp(addr).await);
    let greeting = client.reply().await;
    assert!(greeting.starts_with("220 "), "{greeting}");
    assert!(greeting.contains("ESMTP capture"), "{greeting}");
    client
}

#[tokio::test]
async fn full_session_stores_one_eml_per_recipient_with_dot_unstuffing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = start(tmp.path(), RecipientRules::new()).await;
    let mut c = connect(server.local_addr()).await;

    let ehlo = c.cmd("EHLO client.example").await;
    for ext in [
        "8BITMIME",
        "SMTPUTF8",
        "PIPELINING",
        "SIZE 52428800",
        "ENHANCEDSTATUSCODES",
    ] {
        assert!(ehlo.lines().any(|l| l[4..] == *ext), "{ext} in {ehlo}");
    }
    assert!(ehlo.lines().last().expect("line").starts_with("250 "));
    assert!(c
        .cmd("mail from:<sender@itu.example> SIZE=100 BODY=8BITMIME SMTPUTF8")
        .await
        .starts_with("250 "));
    assert_eq!(c.cmd("RCPT TO:<a@example.org>").await, "250 2.1.5 Ok");
    assert_eq!(c.cmd("rcpt to:<b@example.net>").await, "250 2.1.5 Ok");
    assert!(c.cmd("DATA").await.starts_with("354 "));
    c.send("Subject: Circular 1\r\n\r\nBody line\r\n..leading dot\r\n.\r\n")
        .await;
    let queued = c.reply().await;
    let id = queued
        .strip_prefix("250 2.0.0 Ok: queued as ")
        .expect("queued reply")
        .to_string();
    assert!(!id.is_empty());
    assert!(c.cmd("QUIT").await.starts_with("221 "));

    let files = eml_files(server.out_dir());
    assert_eq!(files.len(), 2);
    assert_eq!(server.stored(), 2);
    let body = "Subject: Circular 1\r\n\r\nBody line\r\n.leading dot\r\n";
    for (file, (rcpt, seq)) in files
        .iter()
        .zip([("a@example.org", 1), ("b@example.net", 2)])
    {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        assert_eq!(name, format!("{seq:06}-{id}.eml"));
        assert_eq!(
            read(file),
            format!(
                "Return-Path: <sender@itu.example>\r\nDelivered-To: {rcpt}\r\n\
                 X-Capture-Session: tls=none; auth=-\r\n{body}"
            )
        );
    }

    // A second message gets another queue id and continues the sequence.
    let mut c = connect(server.local_addr()).await;
    c.cmd("HELO client.example").await;
    c.cmd("MAIL FROM:<>").await;
    c.cmd("RCPT TO:<a@example.org>").await;
    c.cmd("DATA").await;
    c.send("x\r\n.\r\n").await;
    let second = c.reply().await;
    assert!(
        second.starts_with("250 ") && !second.ends_with(&id),
        "{second}"
    );
    let files = eml_files(server.out_dir());
    assert_eq!(files.len(), 3);
    assert_eq!(
        read(&files[2]),
        "Return-Path: <>\r\nDelivered-To: a@example.org\r\nX-Capture-Session: tls=none; auth=-\r\nx\r\n"
    );
    stop(server).await;
}

#[tokio::test]
async fn rule_rejects_recipient_and_other_recipient_is_stored() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rejection = "5.1.1 <bad@example.org>: Recipient address rejected: User unknown";
    let rules = RecipientRules::new()
        .reply("bad@Example.ORG", 550, rejection)
        .reply("later@example.org", 451, "4.2.0 Try again later");
    let server = start(tmp.path(), rules).await;
    let mut c = connect(server.local_addr()).await;
    c.cmd("EHLO client.example").await;
    c.cmd("MAIL FROM:<sender@itu.example>").await;
    assert_eq!(
        c.cmd("RCPT TO:<bad@EXAMPLE.org>").await,
        format!("550 {rejection}")
    );
    assert_eq!(
        c.cmd("RCPT TO:<later@example.org>").await,
        "451 4.2.0 Try again later"
    );
    // The local part is compared exactly.
    assert_eq!(c.cmd("RCPT TO:<Bad@example.org>").await, "250 2.1.5 Ok");
    assert_eq!(c.cmd("RCPT TO:<good@example.org>").await, "250 2.1.5 Ok");
    assert!(c.cmd("DATA").await.starts_with("354 "));
    c.send("Subject: x\r\n\r\nhello\r\n.\r\n").await;
    assert!(c.reply().await.starts_with("250 2.0.0 Ok: queued as "));

    let files = eml_files(server.out_dir());
    let delivered: Vec<String> = files
        .iter()
        .map(|f| read(f).lines().nth(1).expect("line 2").to_string())
        .collect();
    assert_eq!(
        delivered,
        [
            "Delivered-To: Bad@example.org",
            "Delivered-To: good@example.org"
        ]
    );

    // Rules can be replaced while running.
    server.set_rules(RecipientRules::new().reply("good@example.org", 550, "5.1.1 Gone"));
    c.cmd("MAIL FROM:<sender@itu.example>").await;
    assert_eq!(c.cmd("RCPT TO:<bad@example.org>").await, "250 2.1.5 Ok");
    assert_eq!(c.cmd("RCPT TO:<good@example.org>").await, "550 5.1.1 Gone");
    stop(server).await;
}

#[tokio::test]
async fn pipelined_commands_get_replies_in_order() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rules = RecipientRules::new().reply("bad@example.org", 550, "5.1.1 User unknown");
    let server = start(tmp.path(), rules).await;
    let mut c = connect(server.local_addr()).await;
    c.send(
        "EHLO client.example\r\nMAIL FROM:<s@itu.example>\r\nRCPT TO:<bad@example.org>\r\n\
         RCPT TO:<ok@example.org>\r\nDATA\r\nSubject: p\r\n\r\nbody\r\n.\r\nNOOP\r\nVRFY x\r\n\
         RSET\r\nQUIT\r\n",
    )
    .await;
    let mut codes = Vec::new();
    for _ in 0..10 {
        let reply = c.reply().await;
        codes.push(reply.lines().last().expect("line")[..3].to_string());
    }
    assert_eq!(
        codes,
        ["250", "250", "550", "250", "354", "250", "250", "252", "250", "221"]
    );
    let mut rest = Vec::new();
    timeout(WAIT, c.stream.read_to_end(&mut rest))
        .await
        .expect("closed in time")
        .expect("read");
    assert!(rest.is_empty());
    assert_eq!(eml_files(server.out_dir()).len(), 1);
    stop(server).await;
}

#[tokio::test]
async fn data_without_recipients_gets_554() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rules = RecipientRules::new().reply("bad@example.org", 550, "5.1.1 User unknown");
    let server = start(tmp.path(), rules).await;
    let mut c = connect(server.local_addr()).await;
    c.cmd("EHLO client.example").await;
    assert!(c.cmd("DATA").await.starts_with("503 "));
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("250 "));
    assert!(c.cmd("RCPT TO:<bad@example.org>").await.starts_with("550 "));
    assert_eq!(c.cmd("DATA").await, "554 5.5.1 No valid recipients");
    // The session goes on as normal.
    assert_eq!(c.cmd("NOOP").await, "250 2.0.0 Ok");
    assert!(eml_files(server.out_dir()).is_empty());
    stop(server).await;
}

#[tokio::test]
async fn unknown_verb_and_bad_order_and_long_line_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = start(tmp.path(), RecipientRules::new()).await;
    let mut c = connect(server.local_addr()).await;
    assert!(c.cmd("FROB now").await.starts_with("500 "));
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("503 "));
    c.cmd("EHLO client.example").await;
    assert!(c.cmd("RCPT TO:<a@example.org>").await.starts_with("503 "));
    assert!(c.cmd("STARTTLS").await.starts_with("502 "));
    let long = format!("NOOP {}", "x".repeat(1000));
    assert!(c.cmd(&long).await.starts_with("500 "));
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("250 "));
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("503 "));
    assert!(c.cmd("quit").await.starts_with("221 "));
    stop(server).await;
}

#[tokio::test]
async fn oversized_message_gets_552_and_is_not_stored() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = start(tmp.path(), RecipientRules::new()).await;
    let mut c = connect(server.local_addr()).await;
    c.cmd("EHLO client.example").await;
    c.cmd("MAIL FROM:<s@itu.example>").await;
    c.cmd("RCPT TO:<a@example.org>").await;
    assert!(c.cmd("DATA").await.starts_with("354 "));
    let line = format!("{}\r\n", "a".repeat(1024 * 1024 - 2));
    for _ in 0..51 {
        c.send(&line).await;
    }
    c.send(".\r\n").await;
    assert_eq!(c.reply().await, "552 5.3.4 Error: message too big");
    assert_eq!(c.cmd("NOOP").await, "250 2.0.0 Ok");
    assert!(eml_files(server.out_dir()).is_empty());
    assert_eq!(server.stored(), 0);
    stop(server).await;
}

#[test]
fn parse_reply_rule_accepts_a_good_rule() {
    let (address, code, text) =
        parse_reply_rule("bad@example.org=550 5.1.1 User unknown").expect("valid rule");
    assert_eq!(address, "bad@example.org");
    assert_eq!(code, 550);
    assert_eq!(text, "5.1.1 User unknown");

    let (address, code, text) =
        parse_reply_rule("a=b@example.org=451 4.0.0 x=y").expect("valid rule");
    assert_eq!(
        (address.as_str(), code, text.as_str()),
        ("a=b@example.org", 451, "4.0.0 x=y")
    );
}

#[test]
fn parse_reply_rule_rejects_bad_rules_naming_the_rule() {
    for rule in [
        "bad@example.org 550 5.1.1 User unknown",
        "bad@example.org=600 5.1.1 Nope",
        "bad@example.org=199 Nope",
        "bad@example.org=55 Nope",
        "bad@example.org=5500 Nope",
        "bad@example.org=abc Nope",
        "bad@example.org=",
        "=550 5.1.1 Nope",
    ] {
        let err = parse_reply_rule(rule).expect_err(rule);
        assert!(matches!(err, CaptureError::Rule { .. }), "{rule}: {err:?}");
        let message = err.to_string();
        assert!(message.contains(rule), "{message} should name {rule}");
    }
    let missing = parse_reply_rule("bad@example.org 550 x").expect_err("no =");
    assert!(missing.to_string().contains('='), "{missing}");
}

#[tokio::test]
async fn shutdown_returns_while_a_client_is_connected_and_idle() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = start(tmp.path(), RecipientRules::new()).await;
    let addr = server.local_addr();
    let mut idle = connect(addr).await;
    idle.cmd("EHLO client.example").await;
    let mut mid_data = connect(addr).await;
    mid_data.cmd("EHLO client.example").await;
    mid_data.cmd("MAIL FROM:<s@itu.example>").await;
    mid_data.cmd("RCPT TO:<a@example.org>").await;
    mid_data.cmd("DATA").await;
    mid_data.send("Subject: unfinished\r\n").await;
    let out_dir = server.out_dir().to_path_buf();

    timeout(WAIT, server.shutdown())
        .await
        .expect("shutdown returns while clients are connected");

    assert!(idle.reply().await.starts_with("421 "));
    assert!(mid_data.reply().await.starts_with("421 "));
    let mut rest = Vec::new();
    timeout(WAIT, idle.stream.read_to_end(&mut rest))
        .await
        .expect("closed in time")
        .expect("read");
    assert!(eml_files(&out_dir).is_empty());
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn start_reports_bad_out_dir_and_bind_failure() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let err = CaptureServer::start(loopback(), file.join("out"), RecipientRules::new())
        .await
        .expect_err("out_dir under a file");
    assert!(matches!(err, CaptureError::OutDir { .. }), "{err:?}");
    assert!(err.to_string().contains("a-file"), "{err}");

    let server = start(tmp.path(), RecipientRules::new()).await;
    let taken = server.local_addr();
    let err = CaptureServer::start(taken, tmp.path().join("other"), RecipientRules::new())
        .await
        .expect_err("address in use");
    assert!(err.to_string().contains(&taken.to_string()), "{err}");
    stop(server).await;
}
