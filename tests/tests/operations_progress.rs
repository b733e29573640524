//! The store's queries behind the dashboard's board, on a history written at chosen times:
//! each delivery finished once, in the minute it first reached a final state; the retry
//! queue; the newest failures; complaints; the circulars in delivery and those finished
//! lately. On SQLite and PostgreSQL.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use circulars_core::domain::{
    Circular, CircularId, CircularState, DeliveryState, HardBounceRule, Language, Recipient,
    RecipientAddress, SmtpReply, Via,
};
use circulars_core::events::{DeliveryOutcome, RetryJob};
use circulars_operations::sending_circulars;
use circulars_store::{
    report_id, AudienceQuery, DeliveryReport, InboundReport, ReportDecision, ReportEffect,
    ReportKind, ReportSource, ReportState, Store,
};
use circulars_tests::{on_both_databases, test_database, workspace, Db};

/// 10:42:30 UTC: the stories' "now".
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 10, 42, 30).unwrap()
}

fn ago(seconds: i64) -> DateTime<Utc> {
    now() - TimeDelta::seconds(seconds)
}

fn address(local: &str) -> RecipientAddress {
    RecipientAddress::parse(&format!("{local}@example.org")).unwrap()
}

fn outcome(
    circular: &str,
    local: &str,
    state: DeliveryState,
    attempt: u32,
    at: DateTime<Utc>,
) -> DeliveryOutcome {
    let reply = match state {
        DeliveryState::Sent => Some(SmtpReply::new(250, "2.0.0 Ok: queued")),
        DeliveryState::Deferred => Some(SmtpReply::new(451, "4.7.1 Greylisted, try later")),
        DeliveryState::Failed => Some(SmtpReply::new(550, "5.1.1 User unknown")),
        DeliveryState::Bounced => Some(SmtpReply::new(550, "5.2.2 Mailbox full")),
        _ => None,
    };
    DeliveryOutcome {
        circular: circular.parse().unwrap(),
        address: address(local),
        state,
        attempt,
        at,
        reply,
        detail: None,
        unconfirmed: 0,
        bounce_reason: None,
    }
}

fn job(local: &str, attempt: u32) -> RetryJob {
    RetryJob {
        circular: "TSB-36".parse().unwrap(),
        recipient: Recipient {
            address: address(local),
            name: local.to_owned(),
            language: Language::Fr,
            addressee: "adm-freedonia".parse().unwrap(),
        },
        attempt,
        first_at: None,
        unconfirmed: 0,
    }
}

/// A complaint about `local`'s delivery of TSB-36, stored and applied.
async fn complaint(store: &Store, local: &str, raw: &str) {
    let raw = raw.as_bytes().to_vec();
    let id = report_id(&raw);
    store
        .store_inbound_report(&InboundReport {
            id: id.clone(),
            received_at: now(),
            source: ReportSource::Smtp,
            envelope_to: vec![],
            raw,
            form: "arf".into(),
            kind: "complaint".into(),
        })
        .await
        .unwrap();
    let decision = ReportDecision {
        report: id.clone(),
        state: ReportState::Applied,
        detail: "complaint".into(),
        effect: Some(ReportEffect::Delivery(DeliveryReport {
            delivery: circulars_core::domain::DeliveryKey::new(
                "TSB-36".parse().unwrap(),
                address(local),
            ),
            kind: ReportKind::Complaint,
            status: None,
            diagnostic: None,
            remote_mta: None,
            feedback_type: Some("abuse".into()),
            bounce_reason: Some(circulars_core::domain::BounceReason::Complaint),
            at: now(),
            report: id,
        })),
    };
    assert!(store
        .apply_report(&decision, HardBounceRule::new(3))
        .await
        .unwrap());
}

async fn the_store_counts_each_delivery_once_in_the_minute_it_finished(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let (url, _database) = test_database(db, dir.path()).await;
    let store = Store::open(&url).await.unwrap();
    let tsb36: CircularId = "TSB-36".parse().unwrap();
    use DeliveryState::*;
    store
        .record_outcomes(
            &[
                // Finished two hours ago: outside the hour.
                outcome("TSB-36", "early", Sent, 1, ago(7200)),
                // Three minutes ago (10:39).
                outcome("TSB-36", "amina", Sending, 1, ago(200)),
                outcome("TSB-36", "amina", Sent, 1, ago(190)),
                // Deferred, then sent two minutes ago (10:40): once.
                outcome("TSB-36", "li.wei", Deferred, 1, ago(185)),
                outcome("TSB-36", "li.wei", Sent, 2, ago(130)),
                // Sent two minutes ago, bounced a minute later: finished when sent.
                outcome("TSB-36", "karim", Sent, 1, ago(125)),
                outcome("TSB-36", "karim", Bounced, 1, ago(80)),
                // Refused a minute ago (10:41).
                outcome("TSB-36", "vera", Failed, 1, ago(70)),
                // Another circular is not counted.
                outcome("TSB-37", "amina", Sent, 1, ago(60)),
            ],
            HardBounceRule::new(3),
        )
        .await
        .unwrap();
    let minute = |h, m| Utc.with_ymd_and_hms(2026, 12, 5, h, m, 0).unwrap();
    assert_eq!(
        store
            .finished_per_minute(&tsb36, now() - TimeDelta::minutes(60))
            .await
            .unwrap(),
        [
            (minute(10, 39), 1),
            (minute(10, 40), 2),
            (minute(10, 41), 1)
        ]
    );

    let failures = store.failed_deliveries(&tsb36, 20).await.unwrap();
    let listed: Vec<(&str, DeliveryState, Option<u16>)> = failures
        .iter()
        .map(|d| {
            (
                d.address.as_str(),
                d.state,
                d.reply.as_ref().map(|r| r.code),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("vera@example.org", Failed, Some(550)),
            ("karim@example.org", Bounced, Some(550))
        ],
        "newest first"
    );
    assert_eq!(store.failed_deliveries(&tsb36, 1).await.unwrap().len(), 1);

    let empty = store.parked_retry_queue(&tsb36).await.unwrap();
    assert_eq!((empty.parked, empty.next_due), (0, None));
    store
        .park_retry(&job("li.wei", 2), ago(-300))
        .await
        .unwrap();
    store.park_retry(&job("olga", 3), ago(-60)).await.unwrap();
    let queue = store.parked_retry_queue(&tsb36).await.unwrap();
    assert_eq!((queue.parked, queue.next_due), (2, Some(ago(-60))));

    assert_eq!(store.complaints(&tsb36).await.unwrap(), 0);
    complaint(&store, "amina", "abuse report 1").await;
    complaint(&store, "amina", "abuse report 2").await;
    complaint(&store, "li.wei", "abuse report 3").await;
    assert_eq!(
        store.complaints(&tsb36).await.unwrap(),
        2,
        "recipients who complained, each once"
    );
    store.close().await;
}

async fn the_overview_lists_circulars_in_delivery_and_those_finished_lately(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let (url, _database) = test_database(db, dir.path()).await;
    let store = Store::open(&url).await.unwrap();
    let sample =
        std::fs::read_to_string(workspace().join("samples/circulars/tsb-36.toml")).unwrap();
    let real_now = Utc::now();
    // TSB-1: issued three days ago, delivered (to nobody); TSB-2: an hour ago, delivered;
    // TSB-3: issued two days ago, its audience not frozen yet; TSB-4: a draft. (A paused
    // circular half-sent is on the overview in the story above.)
    for number in 1..=4u32 {
        let mut circular = Circular::from_toml("tsb-36.toml", &sample).unwrap();
        circular.number = number;
        circular.id = CircularId::new("TSB", number).unwrap();
        store
            .save_draft(&circular, "tsb.toml", &[], "ana", Via::Cli)
            .await
            .unwrap();
        let issued_at = match number {
            1 => real_now - TimeDelta::days(3),
            2 => real_now - TimeDelta::hours(1),
            4 => continue,
            _ => real_now - TimeDelta::days(2),
        };
        store
            .mark_issued(
                &circular.id,
                issued_at,
                &[CircularState::Draft],
                "olga",
                Via::Cli,
            )
            .await
            .unwrap();
        if number != 3 {
            let nobody = AudienceQuery {
                categories: vec![],
                topic: None,
                page_size: 100,
            };
            store
                .freeze_audience(&circular.id, &nobody, |_| panic!("the directory is empty"))
                .await
                .unwrap();
        }
    }
    let overview = sending_circulars(&store).await.unwrap();
    let listed: Vec<(&str, bool)> = overview
        .iter()
        .map(|c| (c.circular.as_str(), c.complete))
        .collect();
    assert_eq!(
        listed,
        [("TSB-2", true), ("TSB-3", false)],
        "newest issued first"
    );
    store.close().await;
}

on_both_databases!(
    the_store_counts_each_delivery_once_in_the_minute_it_finished,
    the_overview_lists_circulars_in_delivery_and_those_finished_lately,
);
