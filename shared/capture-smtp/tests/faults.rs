//! Replies that run out, connections dropped around DATA, and the server going down and up,
//! all driven over real TCP on the loopback interface.

mod common;

use circulars_capture_smtp::{Options, RecipientRules};
use common::{eml_files, plain_client, read, start, stop, tcp, Client, WAIT};
use tokio::net::TcpStream;
use tokio::time::timeout;

#[tokio::test]
async fn reply_times_answers_the_first_rcpts_then_accepts_across_connections() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rules =
        RecipientRules::new().reply_times("grey@example.org", 451, "4.7.1 Greylisted, retry", 2);
    let server = start(tmp.path(), rules, Options::default()).await;

    // First transaction, on its own connection.
    let mut first = plain_client(server.local_addr()).await;
    assert!(first
        .cmd("MAIL FROM:<s@itu.example>")
        .await
        .starts_with("250 "));
    assert_eq!(
        first.cmd("RCPT TO:<grey@example.org>").await,
        "451 4.7.1 Greylisted, retry"
    );
    // Other recipients are not affected.
    assert_eq!(first.cmd("RCPT TO:<ok@example.org>").await, "250 2.1.5 Ok");
    assert!(first.cmd("QUIT").await.starts_with("221 "));

    // Second and third transactions on another connection: the count is per server.
    let mut c = plain_client(server.local_addr()).await;
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("250 "));
    assert_eq!(
        c.cmd("RCPT TO:<GREY@example.org>").await,
        "250 2.1.5 Ok",
        "the local part is compared exactly, so this is another address"
    );
    assert_eq!(
        c.cmd("RCPT TO:<grey@EXAMPLE.org>").await,
        "451 4.7.1 Greylisted, retry"
    );
    assert!(c.cmd("RSET").await.starts_with("250 "));
    let reply = c
        .send_mail(&["grey@example.org"], "Subject: third\r\n\r\nhi")
        .await;
    assert!(reply.starts_with("250 2.0.0 Ok: queued as "), "{reply}");
    let files = eml_files(server.out_dir());
    assert_eq!(files.len(), 1);
    assert!(read(&files[0]).contains("Delivered-To: grey@example.org\r\n"));
    assert_eq!(server.stats().rule_replies, 2);

    // New rules come with a full count again.
    server.set_rules(RecipientRules::new().reply_times("grey@example.org", 450, "4.2.0 Busy", 1));
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("250 "));
    assert_eq!(c.cmd("RCPT TO:<grey@example.org>").await, "450 4.2.0 Busy");
    assert_eq!(c.cmd("RCPT TO:<grey@example.org>").await, "250 2.1.5 Ok");
    stop(server).await;
}

#[tokio::test]
async fn drop_during_data_resets_the_connection_and_stores_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rules = RecipientRules::new().drop_during_data("flaky@example.org", 1);
    let server = start(tmp.path(), rules, Options::default()).await;

    let mut c = plain_client(server.local_addr()).await;
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("250 "));
    assert!(c
        .cmd("RCPT TO:<other@example.org>")
        .await
        .starts_with("250 "));
    assert!(c
        .cmd("RCPT TO:<flaky@example.org>")
        .await
        .starts_with("250 "));
    assert!(c.cmd("DATA").await.starts_with("354 "));
    // Only the start of the message: the server must act before the terminating dot.
    c.send("Subject: lost\r\n").await;
    c.assert_closed().await;
    assert!(eml_files(server.out_dir()).is_empty());
    assert_eq!(server.stored(), 0);
    assert_eq!(server.dropped_during_data(), 1);

    // The count is used up: the same transaction now goes through.
    let mut c = plain_client(server.local_addr()).await;
    let reply = c
        .send_mail(
            &["other@example.org", "flaky@example.org"],
            "Subject: kept\r\n\r\nbody",
        )
        .await;
    assert!(reply.starts_with("250 2.0.0 Ok: queued as "), "{reply}");
    assert_eq!(eml_files(server.out_dir()).len(), 2);
    assert_eq!(server.stats().stored, 2);
    assert_eq!(server.dropped_during_data(), 1);
    stop(server).await;
}

#[tokio::test]
async fn drop_during_data_counts_transactions_that_include_the_recipient() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rules = RecipientRules::new().drop_during_data("flaky@example.org", 2);
    let server = start(tmp.path(), rules, Options::default()).await;

    // A transaction without the recipient is untouched and does not use up the count.
    let mut c = plain_client(server.local_addr()).await;
    let reply = c
        .send_mail(&["other@example.org"], "Subject: a\r\n\r\nx")
        .await;
    assert!(reply.starts_with("250 "), "{reply}");
    for _ in 0..2 {
        // The whole message at once: the server still reads only part of it.
        let mut c = plain_client(server.local_addr()).await;
        assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("250 "));
        assert!(c
            .cmd("RCPT TO:<flaky@example.org>")
            .await
            .starts_with("250 "));
        assert!(c.cmd("DATA").await.starts_with("354 "));
        c.send("Subject: lost\r\n\r\nbody\r\n.\r\n").await;
        c.assert_closed().await;
    }
    let mut c = plain_client(server.local_addr()).await;
    let reply = c
        .send_mail(&["flaky@example.org"], "Subject: b\r\n\r\ny")
        .await;
    assert!(reply.starts_with("250 "), "{reply}");
    let files = eml_files(server.out_dir());
    assert_eq!(files.len(), 2);
    assert!(read(&files[1]).ends_with("Subject: b\r\n\r\ny\r\n"));
    assert_eq!(server.dropped_during_data(), 2);
    stop(server).await;
}

#[tokio::test]
async fn drop_after_store_stores_the_message_and_closes_without_a_reply() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rules = RecipientRules::new().drop_after_store("a@example.org", 1);
    let server = start(tmp.path(), rules, Options::default()).await;

    let mut c = plain_client(server.local_addr()).await;
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("250 "));
    assert!(c.cmd("RCPT TO:<a@example.org>").await.starts_with("250 "));
    assert!(c.cmd("RCPT TO:<b@example.org>").await.starts_with("250 "));
    assert!(c.cmd("DATA").await.starts_with("354 "));
    c.send("Subject: stored\r\n\r\nbody\r\n.\r\n").await;
    c.assert_closed().await;

    let files = eml_files(server.out_dir());
    assert_eq!(files.len(), 2, "stored exactly as an accepted message");
    for (file, rcpt) in files.iter().zip(["a@example.org", "b@example.org"]) {
        assert_eq!(
            read(file),
            format!(
                "Return-Path: <s@itu.example>\r\nDelivered-To: {rcpt}\r\n\
                 X-Capture-Session: tls=none; auth=-\r\nSubject: stored\r\n\r\nbody\r\n"
            )
        );
    }
    assert_eq!(server.dropped_after_store(), 1);

    // The retry (a duplicate, as after a real lost reply) gets its 250.
    let mut c = plain_client(server.local_addr()).await;
    let reply = c
        .send_mail(&["a@example.org"], "Subject: stored\r\n\r\nbody")
        .await;
    assert!(reply.starts_with("250 2.0.0 Ok: queued as "), "{reply}");
    assert_eq!(eml_files(server.out_dir()).len(), 3);
    let stats = server.stats();
    assert_eq!((stats.stored, stats.dropped_after_store), (3, 1));
    stop(server).await;
}

#[tokio::test]
async fn stop_listening_closes_everything_and_start_listening_serves_again_on_the_same_port() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rules = RecipientRules::new().reply_times("grey@example.org", 451, "4.7.1 Later", 2);
    let server = start(tmp.path(), rules, Options::default()).await;
    let addr = server.local_addr();

    let mut c = plain_client(addr).await;
    let reply = c
        .send_mail(&["a@example.org"], "Subject: one\r\n\r\n1")
        .await;
    assert!(reply.starts_with("250 "), "{reply}");
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("250 "));
    assert!(c
        .cmd("RCPT TO:<grey@example.org>")
        .await
        .starts_with("451 "));
    // An idle connection and one in the middle of DATA.
    let mut idle = plain_client(addr).await;
    let mut mid_data = plain_client(addr).await;
    assert!(mid_data
        .cmd("MAIL FROM:<s@itu.example>")
        .await
        .starts_with("250 "));
    assert!(mid_data
        .cmd("RCPT TO:<b@example.org>")
        .await
        .starts_with("250 "));
    assert!(mid_data.cmd("DATA").await.starts_with("354 "));
    mid_data.send("Subject: unfinished\r\n").await;

    timeout(WAIT, server.stop_listening())
        .await
        .expect("stop_listening returns in time");
    for client in [&mut c, &mut idle, &mut mid_data] {
        client.assert_closed().await;
    }
    let refused = TcpStream::connect(addr).await;
    assert!(refused.is_err(), "connections are refused while stopped");
    // Stopping twice is harmless.
    server.stop_listening().await;
    assert_eq!(eml_files(server.out_dir()).len(), 1);

    server.start_listening().await.expect("listens again");
    server
        .start_listening()
        .await
        .expect("already listening is fine");
    assert_eq!(server.local_addr(), addr);
    let mut c = plain_client(addr).await;
    // Same rules, with the count left (one more 451), same sequence and folder.
    assert!(c.cmd("MAIL FROM:<s@itu.example>").await.starts_with("250 "));
    assert!(c
        .cmd("RCPT TO:<grey@example.org>")
        .await
        .starts_with("451 "));
    assert!(c.cmd("RSET").await.starts_with("250 "));
    let reply = c
        .send_mail(&["grey@example.org"], "Subject: two\r\n\r\n2")
        .await;
    assert!(reply.starts_with("250 "), "{reply}");
    let files = eml_files(server.out_dir());
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().and_then(|n| n.to_str()).expect("name")[..7].to_string())
        .collect();
    assert_eq!(names, ["000001-", "000002-"]);
    assert!(read(&files[1]).contains("Subject: two"));
    assert_eq!(server.stats().connections, 4);
    stop(server).await;
}

#[tokio::test]
async fn start_listening_fails_when_the_port_was_taken_meanwhile() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = start(tmp.path(), RecipientRules::new(), Options::default()).await;
    let addr = server.local_addr();
    server.stop_listening().await;
    let squatter = tokio::net::TcpListener::bind(addr)
        .await
        .expect("port is free");
    let err = server
        .start_listening()
        .await
        .expect_err("the port is taken");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
    drop(squatter);
    server.start_listening().await.expect("free again");
    let mut c = Client::greeted(tcp(addr).await).await;
    assert!(c.cmd("QUIT").await.starts_with("221 "));
    stop(server).await;
}
