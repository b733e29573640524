//! `classify` decides every SMTP attempt: checked here per reply class against a real SMTP
//! server (the capture server), a port where nothing listens and a relay that never answers,
//! all through the relays' own connection pool.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

use circulars_capture_smtp::{CaptureServer, RecipientRules};
use circulars_core::domain::SmtpReply;
use circulars_dispatcher::outcome::{classify, Verdict};
use circulars_relays::pool::Pool;
use circulars_relays::{Endpoint, Phase, Security, SendError, Timeouts};
use common::mail;
use std::time::Duration;

/// A pool of one connection to `port` on loopback.
fn relay(port: u16) -> Pool {
    Pool::new(Endpoint {
        host: "127.0.0.1".to_owned(),
        port,
        security: Security::None,
        credentials: None,
        timeouts: Timeouts {
            setup: Duration::from_secs(2),
            mail: Duration::from_secs(2),
            rcpt: Duration::from_secs(2),
            data_start: Duration::from_secs(2),
            data_block: Duration::from_secs(2),
            final_reply: Duration::from_secs(2),
        },
        keep: 1,
    })
}

async fn send(relay: &Pool, to: &str) -> Result<SmtpReply, SendError> {
    relay.send(&mail(to)).await
}

#[tokio::test]
async fn each_reply_class_gets_its_verdict_with_the_servers_words() {
    let dir = tempfile::tempdir().unwrap();
    let rules = RecipientRules::new()
        .reply(
            "gone@example.org",
            550,
            "5.1.1 <gone@example.org>: Recipient address rejected: User unknown",
        )
        .reply("busy@example.org", 451, "4.7.1 Greylisted, try again later")
        .drop_after_store("lost@example.org", 1);
    let server = CaptureServer::start(([127, 0, 0, 1], 0).into(), dir.path(), rules)
        .await
        .unwrap();
    let smtp = relay(server.local_addr().port());

    match classify(&send(&smtp, "ok@example.org").await) {
        Verdict::Sent(reply) => {
            assert_eq!(
                (reply.code, reply.enhanced.as_deref()),
                (250, Some("2.0.0"))
            );
            assert!(
                reply.text.starts_with("Ok: queued as "),
                "the queue id is kept: {reply}"
            );
        }
        other => panic!("2xx is sent, got {other:?}"),
    }
    match classify(&send(&smtp, "gone@example.org").await) {
        Verdict::Failed {
            reply: Some(reply),
            detail: None,
        } => {
            assert_eq!(
                (reply.code, reply.enhanced.as_deref()),
                (550, Some("5.1.1"))
            );
            assert_eq!(
                reply.text,
                "<gone@example.org>: Recipient address rejected: User unknown"
            );
        }
        other => panic!("5xx is failed with the reply, got {other:?}"),
    }
    match classify(&send(&smtp, "busy@example.org").await) {
        Verdict::Deferred {
            reply: Some(reply),
            detail: None,
        } => {
            assert_eq!(
                (reply.code, reply.enhanced.as_deref()),
                (451, Some("4.7.1"))
            );
            assert_eq!(reply.text, "Greylisted, try again later");
        }
        other => panic!("4xx is deferred with the reply, got {other:?}"),
    }
    // The relay stored the mail and lost its reply: unconfirmed, and said so.
    let lost = send(&smtp, "lost@example.org").await;
    assert!(lost.as_ref().is_err_and(SendError::reply_lost), "{lost:?}");
    match classify(&lost) {
        Verdict::Unconfirmed { detail } => assert!(
            detail.contains("may have been delivered, reply lost after the message was sent"),
            "{detail}"
        ),
        other => panic!("a lost reply is unconfirmed, got {other:?}"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_relay_that_cannot_be_reached_defers() {
    let port = circulars_local_servers::free_port().unwrap();
    let result = send(&relay(port), "ok@example.org").await;
    assert!(result.as_ref().is_err_and(SendError::is_no_reply));
    match classify(&result) {
        Verdict::Deferred {
            reply: None,
            detail: Some(detail),
        } => {
            assert!(!detail.is_empty());
        }
        other => panic!("a connection error is deferred, got {other:?}"),
    }
}

#[tokio::test]
async fn a_relay_that_accepts_the_connection_but_never_answers_defers_after_the_timeout() {
    // Listens (the kernel completes the handshake) but never says a word.
    let silent = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let port = silent.local_addr().unwrap().port();
    let result = send(&relay(port), "ok@example.org").await;
    assert!(
        matches!(
            result,
            Err(SendError::Timeout {
                phase: Phase::Greeting,
                ..
            })
        ),
        "{result:?}"
    );
    assert!(result.as_ref().is_err_and(SendError::is_no_reply));
    match classify(&result) {
        Verdict::Deferred {
            reply: None,
            detail: Some(detail),
        } => assert_eq!(
            detail,
            format!("127.0.0.1:{port} did not answer within 2 s (the greeting)")
        ),
        other => panic!("a silent relay is deferred, got {other:?}"),
    }
    drop(silent);
}
