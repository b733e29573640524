//! Mail comes back after a circular was sent: a mailbox that does not exist, one that is full
//! for now, a recipient who marks the circular as spam, one who unsubscribes by mail. The
//! bounce intake takes each in over SMTP, the tracker applies it, and the secretariat sees it on
//! the delivery records, in `status` and `explain`, and in the next circular's audience.
//! Returned mail that matches nothing is kept for operations; bad input is refused or kept,
//! and the intake keeps serving.

use circulars_shared::domain::{CircularId, DeliveryEvent, DeliveryState, RecipientAddress};
use circulars_shared::store::{ReportState, Store, SuppressionReason};
use circulars_tests::intake::send;
use circulars_tests::{on_both_databases, Db, Harness, Mail, Setup, PATIENCE};
use std::time::Instant;

/// A delivery status notification (RFC 3464) from the recipient's server, sent to `verp`,
/// about `recipient`, quoting the original `Message-ID`.
fn dsn(
    verp: &str,
    recipient: &str,
    action: &str,
    status: &str,
    diagnostic: &str,
    message_id: &str,
) -> Vec<u8> {
    format!(
        "From: MAILER-DAEMON@mx.example.org\r\n\
         To: {verp}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
         Message-ID: <dsn.{status}.{action}@mx.example.org>\r\n\
         Auto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn-part\"\r\n\
         \r\n\
         --dsn-part\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n\
         This is the mail system at host mx.example.org.\r\n\
         \r\n\
         --dsn-part\r\n\
         Content-Type: message/delivery-status\r\n\
         \r\n\
         Reporting-MTA: dns; mx.example.org\r\n\
         \r\n\
         Final-Recipient: rfc822; {recipient}\r\n\
         Action: {action}\r\n\
         Status: {status}\r\n\
         Remote-MTA: dns; mx.example.org\r\n\
         Diagnostic-Code: smtp; {diagnostic}\r\n\
         \r\n\
         --dsn-part\r\n\
         Content-Type: text/rfc822-headers\r\n\
         \r\n\
         Message-ID: {message_id}\r\n\
         Subject: Circular\r\n\
         \r\n\
         --dsn-part--\r\n"
    )
    .into_bytes()
}

/// A feedback report (RFC 5965): `recipient` marked the mail as spam at their provider.
fn complaint(verp: &str, recipient: &str, message_id: &str) -> Vec<u8> {
    format!(
        "From: feedback@fbl.example.net\r\n\
         To: {verp}\r\n\
         Subject: Abuse report\r\n\
         Date: Mon, 23 Nov 2026 10:05:00 +0000\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=feedback-report; boundary=\"arf-part\"\r\n\
         \r\n\
         --arf-part\r\n\
         Content-Type: text/plain\r\n\
         \r\n\
         This is an email abuse report for a message received from a sender of yours.\r\n\
         \r\n\
         --arf-part\r\n\
         Content-Type: message/feedback-report\r\n\
         \r\n\
         Feedback-Type: abuse\r\n\
         User-Agent: ExampleFBL/1.0\r\n\
         Version: 1\r\n\
         Original-Mail-From: <{verp}>\r\n\
         Original-Rcpt-To: <{recipient}>\r\n\
         \r\n\
         --arf-part\r\n\
         Content-Type: message/rfc822\r\n\
         \r\n\
         Message-ID: {message_id}\r\n\
         To: {recipient}\r\n\
         Subject: Circular\r\n\
         \r\n\
         The circular.\r\n\
         --arf-part--\r\n"
    )
    .into_bytes()
}

/// The mailto address of a mail's `List-Unsubscribe`.
fn mailto(mail: &Mail) -> String {
    let header: String = mail
        .list_unsubscribe
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let start = header.find("<mailto:").expect("a mailto link") + "<mailto:".len();
    let link = &header[start..];
    link[..link.find(['?', '>']).expect("the link ends")].to_owned()
}

/// A mail client's unsubscribe mail to the mailto address.
fn unsubscribe_mail(from: &str, to: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: unsubscribe\r\nDate: Mon, 23 Nov 2026 10:10:00 +0000\r\n\
         Message-ID: <unsubscribe.1@client.example>\r\n\r\nunsubscribe\r\n"
    )
    .into_bytes()
}

/// Waits until no stored returned mail waits to be applied and `n` are stored in all.
async fn wait_until_applied(store: &Store, n: usize) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut seen = 0;
        for state in [
            ReportState::Applied,
            ReportState::Unmatched,
            ReportState::Ignored,
        ] {
            seen += store.inbound_reports(state, 1000).await.unwrap().len();
        }
        if seen >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {seen} of {n} returned mails applied"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

fn address(text: &str) -> RecipientAddress {
    RecipientAddress::parse(text).unwrap()
}

async fn bounces_complaints_and_mailed_unsubscribes_change_the_records_and_the_next_audience(
    db: Db,
) {
    let mut h = Harness::start_setup(Setup {
        // One hard bounce is enough to stop writing to an address, for this story.
        bounces_settings: "[directory]\nsuppress_after_hard_bounces = 1".into(),
        ..Setup::new(db)
    })
    .await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    let first = h.wait_until_delivered("TSB-36").await;
    let mut mails = h.mails();
    mails.sort_by(|a, b| a.recipient.cmp(&b.recipient));
    for mail in &mut mails {
        mail.return_path = mail.return_path.trim_matches(['<', '>']).to_owned();
    }
    let [gone, full, annoyed, leaving, untouched] = [0, 1, 2, 3, 4].map(|i| mails[i].clone());

    // The recipients' servers and clients send their mail back to the intake.
    let replies = [
        send(
            h.intake_addr(),
            &[&gone.return_path],
            &dsn(
                &gone.return_path,
                &gone.recipient,
                "failed",
                "5.1.1",
                "550 5.1.1 <mailbox> User unknown",
                &gone.message_id,
            ),
        )
        .await,
        send(
            h.intake_addr(),
            &[&full.return_path],
            &dsn(
                &full.return_path,
                &full.recipient,
                "delayed",
                "4.2.2",
                "452 4.2.2 Mailbox full",
                &full.message_id,
            ),
        )
        .await,
        send(
            h.intake_addr(),
            &[&annoyed.return_path],
            &complaint(
                &annoyed.return_path,
                &annoyed.recipient,
                &annoyed.message_id,
            ),
        )
        .await,
        send(
            h.intake_addr(),
            &[&mailto(&leaving)],
            &unsubscribe_mail(&leaving.recipient, &mailto(&leaving)),
        )
        .await,
    ];
    for session in &replies {
        assert_eq!(session.last_code(), 250, "{session:?}");
        assert!(session.last().contains("stored as"), "{session:?}");
    }
    let store = h.store().await;
    wait_until_applied(&store, 4).await;
    assert_eq!(
        store
            .inbound_reports(ReportState::Applied, 10)
            .await
            .unwrap()
            .len(),
        4
    );

    // The delivery records.
    let id: CircularId = "TSB-36".parse().unwrap();
    let record = |mail: &Mail| {
        let store = store.clone();
        let id = id.clone();
        let recipient = address(&mail.recipient);
        async move { store.delivery(&id, &recipient).await.unwrap().unwrap() }
    };
    let bounced = record(&gone).await;
    assert_eq!(bounced.state, DeliveryState::Bounced);
    let reply = bounced.reply.expect("the remote server's words");
    assert_eq!(
        (reply.code, reply.enhanced.as_deref()),
        (550, Some("5.1.1"))
    );
    assert!(reply.text.contains("User unknown"), "{reply:?}");
    assert_eq!(
        record(&full).await.state,
        DeliveryState::Sent,
        "a delay changes no state"
    );
    let history = store
        .delivery_history(&id, &address(&full.recipient))
        .await
        .unwrap();
    let events: Vec<DeliveryEvent> = history.iter().map(|(e, _, _)| *e).collect();
    assert_eq!(
        events,
        [
            DeliveryEvent::Reached(DeliveryState::Sent),
            DeliveryEvent::Delayed
        ],
        "the delay is an event on the sent record"
    );
    assert_eq!(record(&annoyed).await.state, DeliveryState::Complained);
    assert_eq!(record(&leaving).await.state, DeliveryState::Sent);
    assert_eq!(record(&untouched).await.state, DeliveryState::Sent);

    // The suppression list, each with its reason.
    let reason = |mail: &Mail| {
        let store = store.clone();
        let recipient = address(&mail.recipient);
        async move {
            store
                .suppression(&recipient)
                .await
                .unwrap()
                .map(|s| s.reason)
        }
    };
    assert_eq!(reason(&gone).await, Some(SuppressionReason::Bounced));
    assert_eq!(reason(&full).await, None);
    assert_eq!(reason(&annoyed).await, Some(SuppressionReason::Complained));
    assert_eq!(
        reason(&leaving).await,
        Some(SuppressionReason::Unsubscribed)
    );
    assert_eq!(reason(&untouched).await, None);

    // `status` counts them and shows the remote servers' words.
    let status = h.circulars_ok(&["status", "TSB-36"]);
    assert!(
        status.contains("bounced") && status.contains("complained"),
        "{status}"
    );
    assert!(status.contains("returned mail (newest first)"), "{status}");
    assert!(
        status.contains(&format!("{}: ", address(&gone.recipient))),
        "{status}"
    );
    assert!(
        status.contains("550 5.1.1 <mailbox> User unknown"),
        "{status}"
    );
    assert!(status.contains("delayed 4.2.2"), "{status}");
    assert!(status.contains("complained abuse"), "{status}");
    // `explain` shows the bounce and the suppression it led to.
    let explained = h.circulars_ok(&["explain", "TSB-36", &gone.recipient]);
    assert!(explained.contains("Delivery: bounced"), "{explained}");
    assert!(explained.contains("Now suppressed since"), "{explained}");
    assert!(
        explained.contains("because bounced (hard-bounced 1 times"),
        "{explained}"
    );

    // The next circular leaves the three out and still reaches the others.
    let next = h.write_sample_variant(37, None);
    h.circulars_ok(&["draft", &next.to_string_lossy()]);
    h.circulars_ok(&["issue", "TSB-37"]);
    let status = h.wait_until_delivered("TSB-37").await;
    assert_eq!(status.excluded, first.excluded + 3, "{status:?}");
    let reached: Vec<String> = h
        .mails()
        .into_iter()
        .filter(|m| m.message_id.starts_with("<TSB-37."))
        .map(|m| m.recipient)
        .collect();
    for left_out in [&gone, &annoyed, &leaving] {
        assert!(
            !reached.contains(&left_out.recipient),
            "{} got TSB-37",
            left_out.recipient
        );
    }
    for kept in [&full, &untouched] {
        assert!(
            reached.contains(&kept.recipient),
            "{} missed TSB-37",
            kept.recipient
        );
    }
    let explained = h.circulars_ok(&["explain", "TSB-37", &annoyed.recipient]);
    assert!(explained.contains("is not on the list"), "{explained}");
    assert!(explained.contains("complained"), "{explained}");

    // The same report sent again changes nothing more.
    let again = send(
        h.intake_addr(),
        &[&gone.return_path],
        &dsn(
            &gone.return_path,
            &gone.recipient,
            "failed",
            "5.1.1",
            "550 5.1.1 <mailbox> User unknown",
            &gone.message_id,
        ),
    )
    .await;
    assert_eq!(again.last_code(), 250, "{again:?}");
    store.close().await;
    h.stop_services();
}

on_both_databases!(
    bounces_complaints_and_mailed_unsubscribes_change_the_records_and_the_next_audience
);
