//! What happens to each mail is recorded with the server's own words, and nothing is sent twice:
//! not when staff issue again, not when JetStream hands the dispatcher a job again.

use async_nats::jetstream::message::PublishMessage;
use circulars_capture_smtp::RecipientRules;
use circulars_core::domain::{
    BounceReason, DeliveryEvent, DeliveryState, Language, RecipientAddress,
};
use circulars_core::events::{BatchJob, Contract, DeliveryOutcome, DeliveryOutcomes, MailJob};
use circulars_store::SuppressionReason;
use circulars_tests::{on_both_databases, Db, Harness};

const DIRECTORY: &str = "addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics\n\
adm-freedonia,Administration of Freedonia,,member-states,amina.diallo@ptt.freedonia.example.org,Amina Diallo,fr,,active,\n\
adm-sylvania,Administration of Sylvania,,member-states,li.wei@miit.sylvania.example.com,Li Wei,zh,,active,\n\
adm-latveria,Administration of Latveria,,member-states,nobody-here@ptt.latveria.example.net,Vera Novak,ru,,active,\n\
example-telecom,Example Telecom,,sector-members,k.haddad@example.org,Karim Haddad,ar,,active,\n";

/// Publishes `event` under `msg_id` instead of its own id, as a re-publish after JetStream's
/// de-duplication window would arrive.
async fn publish_under_a_new_id<C: Contract>(
    bus: &circulars_core::nats::Bus,
    event: &C,
    msg_id: &str,
) {
    let ack = bus
        .jetstream
        .send_publish(
            event.subject(),
            PublishMessage::build()
                .payload(event.encode().unwrap().into())
                .message_id(msg_id),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    assert!(!ack.duplicate);
}

/// Outcome events the tracker has not yet acknowledged.
async fn tracker_pending(bus: &circulars_core::nats::Bus) -> u64 {
    let mut consumer: async_nats::jetstream::consumer::PullConsumer = bus
        .jetstream
        .get_consumer_from_stream(
            circulars_core::nats::TRACKER_CONSUMER.durable,
            circulars_core::nats::DELIVERIES_STREAM,
        )
        .await
        .unwrap();
    let info = consumer.info().await.unwrap();
    info.num_pending + info.num_ack_pending as u64
}

fn issue_small_circular(h: &Harness) {
    let csv = h.dir().join("directory.csv");
    std::fs::write(&csv, DIRECTORY).unwrap();
    h.circulars_ok(&["directory", "import", csv.to_str().unwrap()]);
    h.draft_sample_circular();
    // Before issuing, explain answers from today's directory (a dry run).
    let why = h.circulars_ok(&["explain", "TSB-36", "li.wei@miit.sylvania.example.com"]);
    assert!(
        why.contains("in a dry run on today's directory (not issued yet)"),
        "{why}"
    );
    assert!(why.contains("category member-states"), "{why}");
    h.circulars_ok(&["issue", "TSB-36"]);
}

async fn a_recipient_refused_with_5xx_is_recorded_failed_with_the_servers_reply(db: Db) {
    let rules = RecipientRules::new().reply(
        "nobody-here@ptt.latveria.example.net",
        550,
        "5.1.1 <nobody-here@ptt.latveria.example.net>: Recipient address rejected: User unknown",
    );
    let mut h = Harness::start_with(db, rules).await;
    h.serve("all");
    issue_small_circular(&h);

    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(status.total.get(DeliveryState::Sent), 3);
    assert_eq!(status.total.get(DeliveryState::Failed), 1);
    assert_eq!(
        status.by_language[&Language::Ru].get(DeliveryState::Failed),
        1
    );

    let store = h.store().await;
    let record = store
        .delivery(
            &"TSB-36".parse().unwrap(),
            &RecipientAddress::parse("nobody-here@ptt.latveria.example.net").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.state, DeliveryState::Failed);
    assert_eq!(record.bounce_reason, Some(BounceReason::UserUnknown));
    let reply = record.reply.unwrap();
    assert_eq!(
        (reply.code, reply.enhanced.as_deref()),
        (550, Some("5.1.1"))
    );
    assert_eq!(
        reply.text,
        "<nobody-here@ptt.latveria.example.net>: Recipient address rejected: User unknown"
    );

    let why = h.circulars_ok(&["explain", "TSB-36", "nobody-here@ptt.latveria.example.net"]);
    assert!(
        why.contains("Delivery: failed (attempt 1), reason user_unknown: 550 5.1.1 <nobody-here"),
        "{why}"
    );
    let recipients: Vec<String> = h.mails().into_iter().map(|m| m.recipient).collect();
    assert_eq!(
        recipients.len(),
        3,
        "the others are unaffected: {recipients:?}"
    );
    assert!(!recipients.contains(&"nobody-here@ptt.latveria.example.net".to_owned()));
    h.stop_services();
}

async fn a_job_handed_over_again_never_sends_a_second_mail(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    issue_small_circular(&h);
    h.wait_until_delivered("TSB-36").await;
    assert_eq!(h.mails().len(), 4);

    // The same job again: JetStream recognises its Nats-Msg-Id and drops it. The four
    // recipients are the first part of the first recipient batch, in the audience's order.
    let bus = h.bus().await;
    let circular = "TSB-36".parse().unwrap();
    let store = h.store().await;
    let audience = store.audience_page(&circular, None, 500).await.unwrap();
    let part = BatchJob::parts(&circular, 1, &audience).remove(0);
    let amina = RecipientAddress::parse("amina.diallo@ptt.freedonia.example.org").unwrap();
    assert!(part.recipients.iter().any(|r| r.address == amina));
    let job = MailJob::Batch(part);
    assert!(
        bus.publish(&job).await.unwrap().duplicate,
        "the job id is <circular>:job:<batch>:<part>"
    );

    // The same job after JetStream's de-duplication window (a new message id): the batch's
    // claim is complete, so the dispatcher only publishes its outcomes again.
    publish_under_a_new_id(&bus, &job, "after-the-window").await;
    h.wait_until_jobs_handled().await;
    assert_eq!(h.mails().len(), 4, "no second mail");

    // Those outcomes arriving again after the window (a new id) record nothing twice.
    let outcomes = DeliveryOutcomes {
        circular: circular.clone(),
        batch: 1,
        part: 1,
        outcomes: store
            .deliveries_in_state(&circular, DeliveryState::Sent)
            .await
            .unwrap()
            .into_iter()
            .map(|d| DeliveryOutcome {
                circular: circular.clone(),
                address: d.address,
                state: d.state,
                attempt: d.attempt,
                at: d.at,
                reply: d.reply,
                detail: d.detail,
                unconfirmed: 0,
                bounce_reason: d.bounce_reason,
            })
            .collect(),
        early: None,
    };
    assert_eq!(outcomes.outcomes.len(), 4);
    publish_under_a_new_id(&bus, &outcomes, "outcomes-after-the-window").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while tracker_pending(&bus).await > 0 {
        assert!(std::time::Instant::now() < deadline, "the tracker reads it");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let history = store.delivery_history(&circular, &amina).await.unwrap();
    let states: Vec<_> = history.iter().map(|e| (e.event, e.attempt)).collect();
    assert_eq!(
        states,
        [(DeliveryEvent::Reached(DeliveryState::Sent), 1)],
        "one sent record, once"
    );
    h.stop_services();
}

async fn the_services_as_separate_processes_deliver_the_same_result(db: Db) {
    let mut h = Harness::start(db).await;
    for service in ["tracker", "dispatcher", "composer", "directory", "gateway"] {
        h.serve(service);
    }
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);

    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!((status.audience, status.excluded), (Some(258), 11));
    assert_eq!(status.total.get(DeliveryState::Sent), 258);
    let mails = h.mails();
    let store = h.store().await;
    let audience = store
        .audience_page(&"TSB-36".parse().unwrap(), None, 1000)
        .await
        .unwrap();
    let mut expected: Vec<(String, String)> = audience
        .iter()
        .map(|r| (r.address.to_string(), r.language.code().to_owned()))
        .collect();
    let mut got: Vec<(String, String)> = mails
        .iter()
        .map(|m| (m.recipient.clone(), m.language.clone()))
        .collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "one mail per recipient, in their language");
    h.stop_services();
}

async fn each_recipient_gets_the_annexes_of_their_language_and_the_list_headers(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    let csv = h.dir().join("directory.csv");
    std::fs::write(&csv, DIRECTORY).unwrap();
    h.circulars_ok(&["directory", "import", csv.to_str().unwrap()]);
    let sample =
        std::fs::read_to_string(circulars_tests::workspace().join("samples/circulars/tsb-36.toml"))
            .unwrap();
    let circular = h.dir().join("tsb-36.toml");
    std::fs::write(
        &circular,
        sample.replace(
            "signatory = \"Seizo Onoe\"",
            "signatory = \"Seizo Onoe\"\nannexes = [\"annex1.pdf\"]",
        ),
    )
    .unwrap();
    std::fs::write(h.dir().join("annex1.pdf"), b"%PDF-1.4 registration form").unwrap();
    std::fs::write(
        h.dir().join("annex1.fr.pdf"),
        b"%PDF-1.4 formulaire d'inscription",
    )
    .unwrap();
    h.circulars_ok(&["draft", circular.to_str().unwrap()]);
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;

    let mails = h.mails();
    assert_eq!(mails.len(), 4);
    for mail in &mails {
        let expected: &[u8] = if mail.language == "fr" {
            b"%PDF-1.4 formulaire d'inscription"
        } else {
            b"%PDF-1.4 registration form"
        };
        assert_eq!(
            mail.attachments,
            vec![("annex1.pdf".to_owned(), expected.to_vec())],
            "{}",
            mail.recipient
        );
        assert!(
            mail.return_path.starts_with("<bounce+")
                && mail.return_path.ends_with("@circulars.itu.example>"),
            "{}",
            mail.return_path
        );
        assert!(
            mail.list_unsubscribe
                .starts_with("<https://circulars.itu.example/unsubscribe/"),
            "{}",
            mail.list_unsubscribe
        );
        assert_eq!(mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");
        assert_eq!(mail.reply_to, "ai-calls@itu.example");
        let link = mail
            .list_unsubscribe
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap();
        assert!(
            mail.text.contains(link) && mail.html.contains(link),
            "the footer carries the same link"
        );
    }
    let store = h.store().await;
    let stored = store
        .annex_file_count(&"TSB-36".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        stored, 2,
        "the fallback and the French file are stored once each"
    );
    let french = mails.iter().find(|m| m.language == "fr").unwrap();
    assert!(french.text.contains("Annexe: 1"), "{}", french.text);
    assert!(
        french.text.contains("Administration of Freedonia"),
        "the addressee slot is filled"
    );
    h.stop_services();
}

async fn an_address_refused_for_good_three_times_is_suppressed_and_left_out_after(db: Db) {
    let rules = RecipientRules::new().reply(
        "nobody-here@ptt.latveria.example.net",
        550,
        "5.1.1 User unknown",
    );
    let mut h = Harness::start_with(db, rules).await;
    h.serve("all");
    issue_small_circular(&h);
    h.wait_until_delivered("TSB-36").await;
    let store = h.store().await;
    let nobody = RecipientAddress::parse("nobody-here@ptt.latveria.example.net").unwrap();
    for number in [37, 38] {
        assert!(store.suppression(&nobody).await.unwrap().is_none());
        let file = h.write_sample_variant(number, None);
        h.circulars_ok(&["draft", file.to_str().unwrap()]);
        h.circulars_ok(&["issue", &format!("TSB-{number}")]);
        h.wait_until_delivered(&format!("TSB-{number}")).await;
    }
    // The third hard bounce suppresses the address (the default rule: after 3).
    let suppression = store.suppression(&nobody).await.unwrap().unwrap();
    assert_eq!(suppression.reason, SuppressionReason::Bounced);
    assert!(
        suppression
            .detail
            .starts_with("hard-bounced 3 times (suppressed after 3); latest: TSB-3"),
        "{}",
        suppression.detail
    );
    let trail = store.audit_trail(nobody.as_str()).await.unwrap();
    let added = trail.last().unwrap();
    assert_eq!(
        (added.action.as_str(), added.actor.as_str()),
        ("suppression.added", "tracker (hard bounces)")
    );

    let file = h.write_sample_variant(39, None);
    h.circulars_ok(&["draft", file.to_str().unwrap()]);
    h.circulars_ok(&["issue", "TSB-39"]);
    let status = h.wait_until_delivered("TSB-39").await;
    assert_eq!(status.audience, Some(3));
    assert_eq!(status.total.get(DeliveryState::Sent), 3);
    let why = h.circulars_ok(&["explain", "TSB-39", nobody.as_str()]);
    assert!(
        why.contains("because bounced (hard-bounced 3 times"),
        "{why}"
    );

    // The mailbox works again: staff lift the suppression. One the recipient asked for stays.
    let lifted = h.circulars_ok(&["directory", "unsuppress", nobody.as_str()]);
    assert!(lifted.contains("receives circulars again"), "{lifted}");
    assert!(store.suppression(&nobody).await.unwrap().is_none());
    let li = RecipientAddress::parse("li.wei@miit.sylvania.example.com").unwrap();
    store
        .suppress(
            &li,
            SuppressionReason::Unsubscribed,
            "one-click unsubscribe from TSB-39",
            "recipient (one-click)",
        )
        .await
        .unwrap();
    let refused = h.circulars(&["directory", "unsuppress", li.as_str()]);
    assert!(!refused.success);
    assert!(
        refused
            .stderr
            .contains("is suppressed because it unsubscribed on"),
        "{}",
        refused.stderr
    );
    assert!(store.suppression(&li).await.unwrap().is_some());
}

/// How many messages a stream has taken in since it was made (its last sequence number).
async fn published(bus: &circulars_core::nats::Bus, stream: &str) -> u64 {
    let mut stream = bus.jetstream.get_stream(stream).await.unwrap();
    stream.info().await.unwrap().state.last_sequence
}

async fn a_circular_costs_well_under_one_jetstream_operation_per_recipient(db: Db) {
    const CONTACTS: usize = 2000;
    let mut h = Harness::start(db).await;
    h.serve("all");
    h.import_generated_directory(CONTACTS);
    h.draft_sample_circular();
    let issued = std::time::Instant::now();
    h.circulars_ok(&["issue", "TSB-36"]);
    let status = h.wait_until_delivered("TSB-36").await;
    let took = issued.elapsed();
    assert_eq!(status.total.get(DeliveryState::Sent), CONTACTS as u64);
    h.wait_until_jobs_handled().await;

    let bus = h.bus().await;
    let jobs = published(&bus, circulars_core::nats::MAIL_OUTBOUND_STREAM).await;
    let claim_writes = published(&bus, "KV_delivery-claims").await;
    let outcome_events = published(&bus, circulars_core::nats::DELIVERIES_STREAM).await;
    // Each job and each outcome event is published, delivered and acknowledged once (no
    // redelivery in a quiet run); each claim write is one operation. Progress acks are sent
    // only for a batch held a third of ack_wait (15 s here): none.
    let operations = 3 * jobs + claim_writes + 3 * outcome_events;
    let per_recipient = operations as f64 / CONTACTS as f64;
    println!(
        "{CONTACTS} recipients: {jobs} jobs, {claim_writes} claim writes, {outcome_events} \
         outcome events: {operations} JetStream operations, {per_recipient:.3} per recipient \
         (8 before batches); issue to the last outcome recorded {:.1} s",
        took.as_secs_f64()
    );
    assert_eq!(jobs, CONTACTS.div_ceil(50) as u64, "jobs of 50 recipients");
    assert_eq!(outcome_events, jobs, "one outcome event per job");
    assert!(
        per_recipient < 0.5,
        "{per_recipient:.3} JetStream operations per recipient"
    );
    h.stop_services();
}

on_both_databases!(
    a_circular_costs_well_under_one_jetstream_operation_per_recipient,
    an_address_refused_for_good_three_times_is_suppressed_and_left_out_after,
    a_recipient_refused_with_5xx_is_recorded_failed_with_the_servers_reply,
    a_job_handed_over_again_never_sends_a_second_mail,
    the_services_as_separate_processes_deliver_the_same_result,
    each_recipient_gets_the_annexes_of_their_language_and_the_list_headers,
);
