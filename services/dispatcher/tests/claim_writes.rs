//! A batch claim write tried again after its answer was lost (the NATS node it went through
//! died) may find that the first try landed: the claim then holds exactly this write, and the
//! batch is still this dispatcher's. Read as "another dispatcher took it over", the batch
//! was left and its mails in flight were sent a second time by the next owner (seen on a
//! three-node cluster with a node killed, `tests/tests/cluster.rs`).

use async_nats::jetstream::kv;
use chrono::{TimeDelta, Utc};
use circulars_core::config::NatsConfig;
use circulars_core::domain::{DeliveryState, SmtpReply};
use circulars_core::nats::Bus;
use circulars_dispatcher::batch_claims::{self, BatchClaim, MailResult};
use circulars_local_servers::LocalNatsServer;

const KEY: &str = "TSB-36.job.1.1";

fn sent() -> MailResult {
    MailResult {
        state: DeliveryState::Sent,
        reply: Some(SmtpReply::new(250, "2.0.0 Ok: queued as 1")),
        detail: None,
        at: Utc::now(),
        relay: Some("capture".into()),
        next_at: None,
        unconfirmed: 0,
    }
}

/// A nats-server of the test's own (kept running while the first value lives) and its
/// `delivery-claims` bucket.
async fn claims_bucket() -> ((LocalNatsServer, tempfile::TempDir), kv::Store) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let nats = LocalNatsServer::start(dir.path()).expect("nats-server starts");
    let bus = Bus::connect(&NatsConfig::single(&nats.url()), "claim writes")
        .await
        .expect("NATS connects");
    let claims = bus.claims().await.expect("the claims bucket");
    ((nats, dir), claims)
}

#[tokio::test]
async fn a_write_tried_again_after_its_answer_was_lost_finds_it_landed_and_keeps_the_batch() {
    let (_nats, claims) = claims_bucket().await;
    let now = Utc::now();
    let mut claim = BatchClaim::new("d1", now, now + TimeDelta::seconds(15), 2);
    let taken = batch_claims::create(&claims, KEY, &claim).await.unwrap();
    let taken = taken.expect("the claim is new");

    // The first try lands; its answer is lost on the way back.
    claim.results[0] = Some(sent());
    let landed = batch_claims::update(&claims, KEY, &claim, taken)
        .await
        .unwrap()
        .expect("the first try lands");

    // Tried again at the revision it was made at: refused on the revision, as a takeover
    // would be, but the claim holds exactly this write.
    let plain = batch_claims::update(&claims, KEY, &claim, taken)
        .await
        .unwrap();
    assert_eq!(plain, None, "a plain update cannot tell it from a takeover");
    let again = batch_claims::update_again(&claims, KEY, &claim, taken)
        .await
        .unwrap();
    assert_eq!(
        again,
        Some(landed),
        "the write is ours, at the revision it landed at"
    );

    // The next write follows from there.
    claim.results[1] = Some(sent());
    assert!(batch_claims::update(&claims, KEY, &claim, landed)
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn a_write_tried_again_after_another_dispatcher_took_the_batch_over_is_refused() {
    let (_nats, claims) = claims_bucket().await;
    let now = Utc::now();
    let mine = BatchClaim::new("d1", now, now, 2);
    let taken = batch_claims::create(&claims, KEY, &mine)
        .await
        .unwrap()
        .expect("the claim is new");

    // Its lease ended; another dispatcher took the batch over and recorded a result.
    let mut theirs = mine.clone();
    theirs.owner = "d2".into();
    theirs.lease_until = now + TimeDelta::seconds(15);
    let theirs_at = batch_claims::update(&claims, KEY, &theirs, taken)
        .await
        .unwrap()
        .expect("taken over");
    theirs.results[1] = Some(sent());
    batch_claims::update(&claims, KEY, &theirs, theirs_at)
        .await
        .unwrap()
        .expect("recorded");

    let mut late = mine;
    late.results[0] = Some(sent());
    let again = batch_claims::update_again(&claims, KEY, &late, taken)
        .await
        .unwrap();
    assert_eq!(again, None, "the batch is the other dispatcher's now");
}
