//! `classify` decides every SMTP attempt: checked here per reply class against a real SMTP
//! server (the capture server) and a port where nothing listens.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use circulars_capture_smtp::{CaptureServer, RecipientRules};
use circulars_dispatcher::outcome::{classify, Verdict};
use lettre::message::Mailbox;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

fn mail(to: &str) -> Message {
    Message::builder()
        .from("tsb@itu.example".parse::<Mailbox>().unwrap())
        .to(to.parse::<Mailbox>().unwrap())
        .subject("TSB Circular 36")
        .body(String::from("Dear Sir/Madam,"))
        .unwrap()
}

fn transport(port: u16) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .pool_config(PoolConfig::new().max_size(1))
        .build()
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
        .reply("busy@example.org", 451, "4.7.1 Greylisted, try again later");
    let server = CaptureServer::start(([127, 0, 0, 1], 0).into(), dir.path(), rules)
        .await
        .unwrap();
    let smtp = transport(server.local_addr().port());

    match classify(&smtp.send(mail("ok@example.org")).await) {
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
    match classify(&smtp.send(mail("gone@example.org")).await) {
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
    match classify(&smtp.send(mail("busy@example.org")).await) {
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
    server.shutdown().await;
}

#[tokio::test]
async fn a_relay_that_cannot_be_reached_defers() {
    let port = circulars_shared::nats::local::free_port().unwrap();
    match classify(&transport(port).send(mail("ok@example.org")).await) {
        Verdict::Deferred {
            reply: None,
            detail: Some(detail),
        } => {
            assert!(!detail.is_empty());
        }
        other => panic!("a connection error is deferred, got {other:?}"),
    }
}
