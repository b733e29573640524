//! Mail comes back after a circular was sent: a mailbox that does not exist, one that is full
//! for now, a recipient who marks the circular as spam, one who unsubscribes by mail. The
//! bounce intake takes each in over SMTP, the tracker applies it, and the secretariat sees it on
//! the delivery records, in `status` and `explain`, and in the next circular's audience.
//! Returned mail that matches nothing is kept for operations; bad input is refused or kept,
//! and the intake keeps serving.

use circulars_core::domain::{CircularId, DeliveryEvent, DeliveryState, RecipientAddress};
use circulars_store::{ReportState, Store, SuppressionReason};
use circulars_tests::intake::{dsn, send, wait_until_applied};
use circulars_tests::{on_both_databases, Db, Harness, Mail, Setup, PATIENCE};
use std::collections::BTreeMap;
use std::time::Instant;

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

/// Waits until the intake's refusals of this hour (count per reason key) are as `wanted`.
async fn wait_for_refusals(store: &Store, wanted: impl Fn(&BTreeMap<String, u64>) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let counted: BTreeMap<String, u64> = store
            .intake_refusals_since(chrono::Utc::now())
            .await
            .unwrap()
            .into_iter()
            .collect();
        if wanted(&counted) {
            return;
        }
        assert!(Instant::now() < deadline, "refusals counted: {counted:?}");
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
    let events: Vec<DeliveryEvent> = history.iter().map(|entry| entry.event).collect();
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

    // Forgetting the bounced address erases the returned message and every trace of it.
    let bounce_report = store
        .delivery_reports(&circulars_core::domain::DeliveryKey::new(
            id.clone(),
            address(&gone.recipient),
        ))
        .await
        .unwrap()
        .remove(0)
        .report;
    h.circulars_ok(&["directory", "forget", &gone.recipient]);
    assert_eq!(h.traces_of(&gone.recipient).await, Vec::<String>::new());
    assert_eq!(
        store.inbound_report_raw(&bounce_report).await.unwrap(),
        Some(Vec::new()),
        "the message is erased, the report stays"
    );
    store.close().await;
    h.stop_services();
}

on_both_databases!(
    bounces_complaints_and_mailed_unsubscribes_change_the_records_and_the_next_audience
);

/// Each bad message's fate: refused at the door, or stored and kept with the reason.
async fn bad_returned_mail_is_refused_or_kept_with_the_reason_and_the_intake_keeps_serving() {
    let mut h = Harness::start(Db::Sqlite).await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;
    let mut mails = h.mails();
    mails.sort_by(|a, b| a.recipient.cmp(&b.recipient));
    for mail in &mut mails {
        mail.return_path = mail.return_path.trim_matches(['<', '>']).to_owned();
    }
    let [first, second, third] = [0, 1, 2].map(|i| mails[i].clone());
    let good = |mail: &Mail| {
        dsn(
            &mail.return_path,
            &mail.recipient,
            "failed",
            "5.1.1",
            "550 5.1.1 User unknown",
            &mail.message_id,
        )
    };

    // A forged token and a stranger's address are refused at RCPT; nothing is stored.
    let at = first.return_path.find('@').unwrap();
    let mut forged = first.return_path.clone();
    let flip = if &forged[at - 1..at] == "a" { "b" } else { "a" };
    forged.replace_range(at - 1..at, flip);
    for recipient in [
        forged.as_str(),
        "postmaster@circulars.itu.example",
        "someone@example.org",
    ] {
        let session = send(h.intake_addr(), &[recipient], &good(&first)).await;
        assert!(
            session.replies.iter().any(|r| r.starts_with("550 5.1.1")),
            "{recipient}: {session:?}"
        );
        assert_ne!(session.last_code(), 250, "{session:?}");
    }
    // A 30 MB message is read and refused as too big.
    let mut huge = good(&first);
    huge.truncate(huge.len() - "--dsn-part--\r\n".len());
    let line = "X".repeat(998) + "\r\n";
    while huge.len() < 30 * 1024 * 1024 {
        huge.extend_from_slice(line.as_bytes());
    }
    let session = send(h.intake_addr(), &[&first.return_path], &huge).await;
    assert!(
        session.last().starts_with("552 5.3.4"),
        "{:?}",
        session.replies.last()
    );
    let store = h.store().await;
    assert!(store
        .inbound_reports(ReportState::Received, 10)
        .await
        .unwrap()
        .is_empty());

    // A report cut before its status part, one naming no address, and one whose headers are
    // not UTF-8: stored, and kept as unmatched or applied.
    let full = good(&second);
    let cut = full
        .windows(b"Content-Type: message/delivery-status".len())
        .position(|w| w == b"Content-Type: message/delivery-status")
        .unwrap();
    let truncated = full[..cut].to_vec();
    let no_address = String::from_utf8(good(&third))
        .unwrap()
        .replace(
            &format!("Final-Recipient: rfc822; {}\r\n", third.recipient),
            "",
        )
        .replace(
            &format!("Message-ID: {}", third.message_id),
            "Message-ID: <other@example.org>",
        )
        .into_bytes();
    let mut not_utf8 = good(&first);
    let subject = b"Subject: Undelivered Mail Returned to Sender";
    let s = not_utf8
        .windows(subject.len())
        .position(|w| w == subject)
        .unwrap();
    not_utf8.splice(s + 9..s + 9, b"\xff\xfe \xc3( ".iter().copied());
    for (verp, message) in [
        (&second.return_path, &truncated),
        (&third.return_path, &no_address),
        (&first.return_path, &not_utf8),
    ] {
        let session = send(h.intake_addr(), &[verp], message).await;
        assert_eq!(session.last_code(), 250, "{session:?}");
    }
    wait_until_applied(&store, 3).await;
    let unmatched = store
        .inbound_reports(ReportState::Unmatched, 10)
        .await
        .unwrap();
    assert_eq!(unmatched.len(), 2, "{unmatched:?}");
    for report in &unmatched {
        let detail = report.detail.as_deref().unwrap_or_default();
        assert!(detail.contains("names no recipient"), "{detail}");
    }
    let id: CircularId = "TSB-36".parse().unwrap();
    let state = |mail: &Mail| {
        let (store, id, recipient) = (store.clone(), id.clone(), address(&mail.recipient));
        async move {
            store
                .delivery(&id, &recipient)
                .await
                .unwrap()
                .unwrap()
                .state
        }
    };
    assert_eq!(
        state(&first).await,
        DeliveryState::Bounced,
        "not UTF-8, still read"
    );
    assert_eq!(
        state(&second).await,
        DeliveryState::Sent,
        "truncated: nothing applied"
    );
    assert_eq!(
        state(&third).await,
        DeliveryState::Sent,
        "no address: nobody blamed"
    );
    // Operations see the unmatched ones with the reason, and each message as it came.
    let listed = h.circulars_ok(&["bounces", "list"]);
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(listed.contains("names no recipient"), "{listed}");
    let shown = h.circulars(&["bounces", "show", &unmatched[0].id[..12]]);
    assert!(shown.success, "{}", shown.stderr);
    assert!(shown.stdout.contains("Undelivered Mail Returned to Sender"));
    // Each refusal was logged with its reason, and the intake still takes good mail.
    let log = h.service_log("all");
    assert!(log.contains("recipient refused"), "{log}");
    assert!(log.contains("token not signed by our keys"), "{log}");
    assert!(log.contains("message too big"), "{log}");
    assert!(log.contains("returned mail kept as unmatched"), "{log}");
    // ... and counted for the dashboard, without the client's address.
    wait_for_refusals(&store, |counted| {
        counted.len() == 2
            && counted.get("recipient-refused") == Some(&3)
            && counted.get("too-big") == Some(&1)
    })
    .await;
    let session = send(h.intake_addr(), &[&third.return_path], &good(&third)).await;
    assert_eq!(session.last_code(), 250, "{session:?}");
    wait_until_applied(&store, 4).await;
    let bounced = store
        .delivery(&id, &address(&third.recipient))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bounced.state, DeliveryState::Bounced);
    store.close().await;
    h.stop_services();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_returned_mail_is_refused_or_kept_and_the_intake_keeps_serving() {
    bad_returned_mail_is_refused_or_kept_with_the_reason_and_the_intake_keeps_serving().await
}

/// Sites whose returned mail lands in a mailbox: the tracker polls it over IMAP, and an old
/// mbox is imported by hand. Neither has the intake's envelope: the tracker reads the VERP
/// address the mailbox was delivered to, else the Message-ID the report quotes.
async fn returned_mail_from_a_mailbox_or_a_file_is_matched_and_applied() {
    let imap_dir = tempfile::tempdir().unwrap();
    let imap = circulars_tests::imap::ImapServer::start(imap_dir.path());
    let mut h = Harness::start_setup(Setup {
        bounces_settings: format!(
            "[bounces.mailbox]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n\
             username = {:?}\npassword = {:?}\npoll_secs = 1",
            imap.port(),
            imap.username(),
            imap.password()
        ),
        ..Setup::new(Db::Sqlite)
    })
    .await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;
    let mut mails = h.mails();
    mails.sort_by(|a, b| a.recipient.cmp(&b.recipient));
    for mail in &mut mails {
        mail.return_path = mail.return_path.trim_matches(['<', '>']).to_owned();
    }
    let [by_verp, by_message_id, from_file, unknown] = [0, 1, 2, 3].map(|i| mails[i].clone());

    // In the mailbox: one delivered to its VERP address, one to a plain bounce address that
    // quotes the original Message-ID, and an out-of-office reply.
    imap.deliver(&dsn(
        &by_verp.return_path,
        &by_verp.recipient,
        "failed",
        "5.1.1",
        "550 5.1.1 User unknown",
        "<lost@elsewhere.example>",
    ));
    imap.deliver(&dsn(
        "bounces@itu.example",
        &by_message_id.recipient,
        "failed",
        "5.2.1",
        "550 5.2.1 Mailbox disabled",
        &by_message_id.message_id,
    ));
    imap.deliver(
        b"From: someone@example.org\r\nTo: bounces@itu.example\r\nSubject: Out of office\r\n\
          Auto-Submitted: auto-replied\r\n\r\nI am away until Monday.\r\n",
    );
    let store = h.store().await;
    wait_until_applied(&store, 3).await;
    let deadline = Instant::now() + PATIENCE;
    while imap.messages_left() > 0 {
        assert!(Instant::now() < deadline, "the mailbox is never emptied");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let id: CircularId = "TSB-36".parse().unwrap();
    let state = |mail: &Mail| {
        let (store, id, recipient) = (store.clone(), id.clone(), address(&mail.recipient));
        async move {
            store
                .delivery(&id, &recipient)
                .await
                .unwrap()
                .unwrap()
                .state
        }
    };
    assert_eq!(state(&by_verp).await, DeliveryState::Bounced);
    assert_eq!(state(&by_message_id).await, DeliveryState::Bounced);
    assert_eq!(
        store
            .inbound_reports(ReportState::Ignored, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // An mbox imported by hand: one report quoting a Message-ID of ours, one quoting none.
    let mbox = h.dir().join("returned.mbox");
    let mut text = Vec::new();
    for message in [
        dsn(
            "bounces@itu.example",
            &from_file.recipient,
            "failed",
            "5.1.1",
            "550 5.1.1 No such user",
            &from_file.message_id,
        ),
        dsn(
            "bounces@itu.example",
            &unknown.recipient,
            "failed",
            "5.1.1",
            "550 5.1.1 No such user",
            "<not-ours@example.org>",
        ),
    ] {
        text.extend_from_slice(b"From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n");
        text.extend_from_slice(&message);
        text.extend_from_slice(b"\n");
    }
    std::fs::write(&mbox, text).unwrap();
    let imported = h.circulars_ok(&["bounces", "import", &mbox.to_string_lossy()]);
    let lines: Vec<serde_json::Value> = imported
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{imported}");
    assert_eq!(lines[0]["state"], "applied", "{imported}");
    assert_eq!(lines[1]["state"], "unmatched", "{imported}");
    assert!(
        lines[1]["detail"]
            .as_str()
            .unwrap()
            .contains("not one of ours"),
        "{imported}"
    );
    assert_eq!(state(&from_file).await, DeliveryState::Bounced);
    assert_eq!(state(&unknown).await, DeliveryState::Sent);
    // Imported again: the same reports, nothing applied twice.
    let again = h.circulars_ok(&["bounces", "import", &mbox.to_string_lossy()]);
    assert!(
        again
            .lines()
            .all(|l| l.contains("\"new\":false") && l.contains("\"state\":null")),
        "{again}"
    );
    store.close().await;
    h.stop_services();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returned_mail_from_a_mailbox_or_a_file_is_matched() {
    returned_mail_from_a_mailbox_or_a_file_is_matched_and_applied().await
}

/// The intake cannot be flooded: sessions beyond the limit from one client are turned away,
/// and messages beyond the rate are deferred; a slow client is cut off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_intake_limits_connections_and_messages_per_client() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut h = Harness::start_setup(Setup {
        bounces_settings: "max_connections_per_client = 2\nmessages_per_minute_per_client = 2\n\
                           idle_timeout_secs = 1"
            .into(),
        ..Setup::new(Db::Sqlite)
    })
    .await;
    h.serve("intake");
    async fn greeting(stream: &mut tokio::net::TcpStream) -> String {
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).await.unwrap();
        line
    }
    let open = || tokio::net::TcpStream::connect(h.intake_addr());
    // Three sessions open at once: the third is one too many.
    let mut streams = [
        open().await.unwrap(),
        open().await.unwrap(),
        open().await.unwrap(),
    ];
    let mut lines = Vec::new();
    for stream in &mut streams {
        lines.push(greeting(stream).await);
    }
    lines.sort();
    assert!(
        lines[0].starts_with("220 ") && lines[1].starts_with("220 "),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("421 4.7.0 too many connections from your address"),
        "{lines:?}"
    );
    drop(streams);

    // Once the server has seen those sessions end, a client may connect again.
    let deadline = Instant::now() + PATIENCE;
    while !greeting(&mut open().await.unwrap())
        .await
        .starts_with("220 ")
    {
        assert!(
            Instant::now() < deadline,
            "the closed sessions are never let go"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Two messages a minute: the third is deferred before its data is sent.
    let keys = circulars_core::tokens::Keyring::development();
    let delivery = circulars_core::domain::DeliveryKey::new(
        "TSB-36".parse().unwrap(),
        address("amara.osei@dtc.aldoria.example"),
    );
    let verp = circulars_core::tokens::return_address(
        circulars_core::tokens::Purpose::Bounce,
        &keys.sign(&delivery, circulars_core::tokens::Purpose::Bounce),
        "circulars.itu.example",
    );
    let message = dsn(
        &verp,
        "amara.osei@dtc.aldoria.example",
        "failed",
        "5.1.1",
        "550 5.1.1 x",
        "<x@y>",
    );
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(send(h.intake_addr(), &[&verp], &message).await.last_code());
    }
    assert_eq!(codes, [250, 250, 451]);
    let log = h.service_log("intake");
    assert!(log.contains("message rate limit reached"), "{log}");
    // Each refusal is counted for the dashboard.
    let store = h.store().await;
    // (the client that tried again before its sessions were seen to end was turned away too)
    wait_for_refusals(&store, |counted| {
        counted.len() == 2
            && counted.get("client-refused") >= Some(&1)
            && counted.get("rate-limited") == Some(&1)
    })
    .await;
    store.close().await;

    // A client that says nothing is closed after the idle timeout.
    let mut silent = open().await.unwrap();
    assert!(greeting(&mut silent).await.starts_with("220 "));
    assert!(greeting(&mut silent)
        .await
        .starts_with("421 4.4.2 idle timeout"));
    h.stop_services();
}
