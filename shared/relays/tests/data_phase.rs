//! The data phase as a relay sees it: the envelope pipelined when the relay offers it and
//! one command at a time when not, the message back byte for byte after dot-stuffing,
//! refusals with the relay's words and the phase they came in, and what a lost reply means:
//! before the message was complete nothing can have been stored, after its final dot the
//! relay may have stored it.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use circulars_capture_smtp::{CaptureServer, RecipientRules};
use circulars_core::config::Config;
use circulars_core::domain::OutgoingMail;
use circulars_relays::{LostReply, Phase, Relays, SendError};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A mail from the secretariat to `to` with `body` (CRLF line ends).
fn mail(to: &str, body: &str) -> OutgoingMail {
    OutgoingMail {
        return_path: "bounce+tsb36@circulars.itu.example".to_owned(),
        recipient: to.to_owned(),
        message: format!(
            "From: tsb@itu.example\r\nTo: {to}\r\nSubject: TSB Circular 36\r\n\r\n{body}"
        )
        .into_bytes(),
    }
}

/// The relays of `[smtp]` lines `smtp` and one relay `main` on `port`.
fn relays(port: u16, smtp: &str) -> Relays {
    let toml = format!(
        "[smtp]\n{smtp}\n[smtp.relays.main]\nhost = \"127.0.0.1\"\nport = {port}\nconnections = 1\n"
    );
    let config = Config::from_sources(Some(("circulars.toml", &toml)), Vec::new()).unwrap();
    Relays::from_config(&config.smtp).unwrap()
}

async fn capture(dir: &Path, rules: RecipientRules) -> CaptureServer {
    CaptureServer::start(([127, 0, 0, 1], 0).into(), dir, rules)
        .await
        .unwrap()
}

/// The stored messages in arrival order, without the three lines the capture server adds.
fn stored(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).unwrap();
            let mut rest = &bytes[..];
            for _ in 0..3 {
                let end = rest.iter().position(|&b| b == b'\n').unwrap();
                rest = &rest[end + 1..];
            }
            rest.to_vec()
        })
        .collect()
}

#[tokio::test]
async fn a_message_with_lines_that_start_with_a_dot_arrives_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let server = capture(dir.path(), RecipientRules::new()).await;
    let relays = relays(server.local_addr().port(), "");
    let body = ".Dear Sir/Madam,\r\n\r\n.\r\n..the annex follows.\r\n. \r\n.\r\n";
    let sent = mail("ana@example.org", body);
    assert_eq!(relays.send(&sent).await.result.unwrap().code, 250);
    assert_eq!(stored(dir.path()), [sent.message]);
    server.shutdown().await;
}

#[tokio::test]
async fn the_envelope_is_pipelined_when_the_relay_offers_it_and_not_when_it_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let server = capture(dir.path(), RecipientRules::new()).await;
    let port = server.local_addr().port();
    let offered = relays(port, "");
    for n in 0..3 {
        let to = format!("r{n}@example.org");
        assert!(offered.send(&mail(&to, "Hello\r\n")).await.result.is_ok());
    }
    let pipelined = server.stats().pipelined_commands;
    assert!(
        pipelined >= 3,
        "MAIL FROM, RCPT TO and DATA in one write: {pipelined}"
    );

    server.set_pipelining(false);
    let not_offered = relays(port, "");
    for n in 3..6 {
        let to = format!("r{n}@example.org");
        assert!(not_offered
            .send(&mail(&to, "Hello\r\n"))
            .await
            .result
            .is_ok());
    }
    let stats = server.stats();
    assert_eq!(
        stats.pipelined_commands, pipelined,
        "one command at a time without PIPELINING"
    );
    assert_eq!((stats.connections, stats.stored), (2, 6));
    server.shutdown().await;
}

#[tokio::test]
async fn a_relay_that_stores_the_mail_then_drops_the_connection_loses_the_reply() {
    let dir = tempfile::tempdir().unwrap();
    let rules = RecipientRules::new().drop_after_store("karim@example.org", 1);
    let server = capture(dir.path(), rules).await;
    let relays = relays(server.local_addr().port(), "");
    let error = relays
        .send(&mail("karim@example.org", "Hello\r\n"))
        .await
        .result
        .unwrap_err();
    assert!(error.reply_lost(), "{error}");
    assert!(
        matches!(
            error,
            SendError::ReplyLost {
                how: LostReply::Connection(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.reply().is_none(), "no refusal: {error}");
    assert!(error.is_no_reply(), "failover still applies");
    assert_eq!(server.stats().stored, 1, "the relay has it");
    // The broken session is not reused: the next mail opens a new one.
    assert!(relays
        .send(&mail("karim@example.org", "Hello\r\n"))
        .await
        .result
        .is_ok());
    assert_eq!(server.stats().connections, 2);
    server.shutdown().await;
}

#[tokio::test]
async fn a_final_reply_later_than_its_wait_is_lost_and_one_within_it_is_no_failure() {
    let dir = tempfile::tempdir().unwrap();
    let slow = Duration::from_secs(6);
    let rules = RecipientRules::new().delay_final_reply("slow@example.org", slow);
    let server = capture(dir.path(), rules).await;
    let port = server.local_addr().port();

    let impatient = relays(port, "final_reply_timeout_secs = 3");
    let error = impatient
        .send(&mail("slow@example.org", "Hello\r\n"))
        .await
        .result
        .unwrap_err();
    assert!(
        matches!(
            error,
            SendError::ReplyLost {
                how: LostReply::Timeout(after),
                ..
            } if after == Duration::from_secs(3)
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("no reply within 3 s"), "{error}");

    // Set-up must be quick, the final reply may take its time: no copy for a slow relay.
    let patient = relays(port, "timeout_secs = 1\nfinal_reply_timeout_secs = 10");
    let sent = patient.send(&mail("slow@example.org", "Hello\r\n")).await;
    assert_eq!(sent.result.unwrap().code, 250);
    assert_eq!(server.stats().stored, 2);
    server.shutdown().await;
}

#[tokio::test]
async fn a_relay_silent_at_its_greeting_times_out_before_the_message_and_is_passed_over() {
    let silent = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let backup = capture(dir.path(), RecipientRules::new()).await;
    let toml = format!(
        "[smtp]\ntimeout_secs = 1\n\
         [smtp.relays.main]\nhost = \"127.0.0.1\"\nport = {}\npriority = 1\n\
         [smtp.relays.backup]\nhost = \"127.0.0.1\"\nport = {}\npriority = 2\n",
        silent.local_addr().unwrap().port(),
        backup.local_addr().port()
    );
    let config = Config::from_sources(Some(("circulars.toml", &toml)), Vec::new()).unwrap();
    let relays = Relays::from_config(&config.smtp).unwrap();

    let first = relays.send(&mail("ana@example.org", "Hello\r\n")).await;
    assert_eq!(first.relay, "main");
    let error = first.result.unwrap_err();
    assert!(
        matches!(
            error,
            SendError::Timeout {
                phase: Phase::Greeting,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_no_reply() && !error.reply_lost(), "{error}");
    let second = relays.send(&mail("ana@example.org", "Hello\r\n")).await;
    assert_eq!(second.relay, "backup");
    assert!(second.result.is_ok());
    backup.shutdown().await;
}

#[tokio::test]
async fn a_connection_lost_before_the_message_is_no_lost_reply() {
    // A relay that greets, answers EHLO, then hangs up on MAIL FROM.
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 relay.test ESMTP\r\n").await.unwrap();
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.starts_with("EHLO") {
                write
                    .write_all(b"250-relay.test\r\n250 8BITMIME\r\n")
                    .await
                    .unwrap();
            } else {
                return;
            }
        }
    });
    let relays = relays(port, "");
    let error = relays
        .send(&mail("ana@example.org", "Hello\r\n"))
        .await
        .result
        .unwrap_err();
    assert!(
        matches!(
            error,
            SendError::Lost {
                phase: Phase::Mail,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_no_reply() && !error.reply_lost(), "{error}");
}

#[tokio::test]
async fn refusals_at_rcpt_and_at_the_final_dot_come_back_with_the_relays_words() {
    let dir = tempfile::tempdir().unwrap();
    let rules = RecipientRules::new()
        .reply(
            "busy@example.org",
            451,
            "4.7.1 <busy@example.org>: Greylisted",
        )
        .refuse_message("spam@example.org", 554, "5.7.1 Rejected as spam");
    let server = capture(dir.path(), rules).await;
    let relays = relays(server.local_addr().port(), "");

    let greylisted = relays
        .send(&mail("busy@example.org", "Hello\r\n"))
        .await
        .result
        .unwrap_err();
    assert_eq!(greylisted.phase(), Some(Phase::Rcpt), "{greylisted}");
    let reply = greylisted.reply().unwrap();
    assert_eq!(
        (reply.code, reply.enhanced.as_deref(), reply.text.as_str()),
        (451, Some("4.7.1"), "<busy@example.org>: Greylisted")
    );
    assert!(!greylisted.is_no_reply() && !greylisted.reply_lost());

    let rejected = relays
        .send(&mail("spam@example.org", "Hello\r\n"))
        .await
        .result
        .unwrap_err();
    assert_eq!(rejected.phase(), Some(Phase::FinalReply), "{rejected}");
    let reply = rejected.reply().unwrap();
    assert_eq!(
        (reply.code, reply.enhanced.as_deref(), reply.text.as_str()),
        (554, Some("5.7.1"), "Rejected as spam")
    );
    assert!(!rejected.is_no_reply() && !rejected.reply_lost());

    // Neither refusal cost the session.
    assert!(relays
        .send(&mail("ana@example.org", "Hello\r\n"))
        .await
        .result
        .is_ok());
    let stats = server.stats();
    assert_eq!((stats.connections, stats.stored), (1, 1));
    server.shutdown().await;
}

#[tokio::test]
async fn a_relay_that_stops_reading_the_message_times_out_before_its_end() {
    // Answers the envelope, then reads nothing more: the message (larger than both sockets'
    // buffers) cannot be written, and each write waits one data block at most.
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 relay.test ESMTP\r\n").await.unwrap();
        while let Some(line) = lines.next_line().await.unwrap() {
            let reply: &[u8] = match line.get(..4).unwrap_or_default() {
                "EHLO" => b"250-relay.test\r\n250 8BITMIME\r\n",
                "MAIL" | "RCPT" => b"250 Ok\r\n",
                _ => b"354 go ahead\r\n",
            };
            write.write_all(reply).await.unwrap();
            if reply.starts_with(b"354") {
                break;
            }
        }
        let _ = stopped.await;
    });
    let relays = relays(port, "data_block_timeout_secs = 1");
    let big = "All work and no play makes a long annex.\r\n".repeat(800_000);
    let error = relays
        .send(&mail("ana@example.org", &big))
        .await
        .result
        .unwrap_err();
    assert!(
        matches!(
            error,
            SendError::Timeout {
                phase: Phase::Message,
                after,
                ..
            } if after == Duration::from_secs(1)
        ),
        "{error:?}"
    );
    assert!(!error.reply_lost(), "the final dot was never written");
    drop(stop);
}

#[tokio::test]
async fn a_relay_that_drops_mid_message_after_the_kernel_took_every_byte_looks_like_a_lost_reply() {
    // The capture server reads the message's first line, then resets the connection. A small
    // message was written whole (into the kernel's buffers) before that: from this side the
    // reset comes after the final dot, exactly as when the relay stored the mail and lost
    // its reply. The outcome is unknown either way.
    let dir = tempfile::tempdir().unwrap();
    let rules = RecipientRules::new().drop_during_data("amina@example.org", 1);
    let server = capture(dir.path(), rules).await;
    let relays = relays(server.local_addr().port(), "");
    let error = relays
        .send(&mail("amina@example.org", "Hello\r\n"))
        .await
        .result
        .unwrap_err();
    assert!(error.reply_lost(), "{error:?}");
    assert_eq!(
        (server.stats().dropped_during_data, server.stats().stored),
        (1, 0)
    );
    server.shutdown().await;
}
