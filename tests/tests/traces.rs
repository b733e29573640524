//! An operator runs each service as its own process and points them at the site's
//! OpenTelemetry collector (`[telemetry] otlp_endpoint`; here the test plays the collector). A
//! member of staff issues a circular over the API; when it has been delivered and the services
//! have stopped (flushing what they still held), the collector shows one trace for the
//! circular: the gateway's `issue`, the directory's `freeze_audience`, the composer's
//! `compose`, the dispatcher's `dispatch_batch` with a `mail_attempt` per recipient, and the
//! tracker's `record_outcomes`, each hop the child of the span that published its message in
//! another process. One recipient's server greylists the first attempt, quoting the address in
//! its reply: the later attempt is a `dispatch_retry` naming the same delivery, its record
//! follows it into the tracker. Another recipient's server returns the mail as unknown: the
//! tracker's `apply_report` names the circular and the delivery it matched the report to. The
//! spans name the circular, each delivery by its reference and the language, and never a
//! recipient's address.

use circulars_capture_smtp::RecipientRules;
use circulars_core::domain::{CircularId, DeliveryKey, RecipientAddress};
use circulars_core::tokens::DeliveryRef;
use circulars_tests::collector::{Collector, ReceivedSpan};
use circulars_tests::http::request;
use circulars_tests::intake::{dsn, send, wait_until_applied};
use circulars_tests::{Db, Harness};
use std::collections::BTreeSet;

/// Four recipients in four languages.
const DIRECTORY: &str = "addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics\n\
adm-freedonia,Administration of Freedonia,,member-states,amina.diallo@ptt.freedonia.example.org,Amina Diallo,fr,,active,\n\
adm-sylvania,Administration of Sylvania,,member-states,li.wei@miit.sylvania.example.com,Li Wei,zh,,active,\n\
example-telecom,Example Telecom,,sector-members,k.haddad@example.org,Karim Haddad,ar,,active,\n\
adm-ruritania,Administration of Ruritania,,member-states,m.garcia@mintel.ruritania.example.net,Marta García,es,,active,\n";

/// The recipient whose server defers the first attempt.
const GREYLISTED: &str = "li.wei@miit.sylvania.example.com";

/// The recipient whose server returns the mail: no such user.
const UNKNOWN: &str = "k.haddad@example.org";

/// The services of a site, each a process of its own.
const SERVICES: [&str; 5] = ["gateway", "directory", "composer", "dispatcher", "tracker"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_circulars_trace_crosses_the_services_and_names_no_recipient() {
    let collector = Collector::start().await;
    let greylisting = RecipientRules::new().reply_times(
        GREYLISTED,
        451,
        &format!("4.7.1 <{GREYLISTED}>: Recipient address rejected: Greylisted"),
        1,
    );
    let mut h = Harness::start_with(Db::Sqlite, greylisting).await;
    h.import_directory(DIRECTORY);
    h.draft_sample_circular();
    let otlp = [(
        "CIRCULARS__TELEMETRY__OTLP_ENDPOINT",
        collector.endpoint.as_str(),
    )];
    for service in SERVICES {
        h.serve_with_env(service, &otlp);
    }

    let bearer = format!("Bearer {}", h.staff_token("olga", &["operator"]));
    let issued = request(
        "POST",
        &format!("{}/api/v1/circulars/TSB-36/issue", h.gateway_url()),
        &[("Authorization", bearer.as_str())],
        b"",
    )
    .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    let status = h.wait_until_delivered("TSB-36").await;
    let mails = h.mails();
    assert_eq!(status.audience, Some(4));
    assert_eq!(mails.len(), 4);
    h.serve("intake");
    let returned = mails.iter().find(|m| m.recipient == UNKNOWN).unwrap();
    let return_path = returned.verp();
    let report = dsn(
        return_path,
        UNKNOWN,
        "failed",
        "5.1.1",
        &format!("smtp; 550 5.1.1 <{UNKNOWN}>: user unknown"),
        &returned.message_id,
    );
    let session = send(h.intake_addr(), &[return_path], &report).await;
    assert_eq!(
        session.last_code(),
        250,
        "{session:?}\n{}",
        h.service_log("intake")
    );
    let store = h.store().await;
    wait_until_applied(&store, 1).await;
    store.close().await;
    // Stopping is what flushes the spans the services still hold.
    h.stop_services();
    let spans = collector.spans();
    assert!(collector.requests() > 0, "no export reached the collector");

    // One trace, begun where the circular was issued.
    let issue = only(&spans, "issue");
    assert_eq!(issue.service, "circulars-gateway");
    assert_eq!(issue.attribute("circular"), Some("TSB-36"));
    let trace: Vec<&ReceivedSpan> = spans
        .iter()
        .filter(|s| s.trace_id == issue.trace_id)
        .collect();
    let services: BTreeSet<&str> = trace.iter().map(|s| s.service.as_str()).collect();
    let expected: BTreeSet<&str> = [
        "circulars-gateway",
        "circulars-directory",
        "circulars-composer",
        "circulars-dispatcher",
        "circulars-tracker",
    ]
    .into();
    assert_eq!(services, expected, "the services in the circular's trace");

    // Each hop is the child of the span that published its message, in another process: a
    // service that did not follow the message's trace context would start a trace of its own.
    let freeze = children(&spans, "freeze_audience", &[issue], "circulars-directory");
    let compose = children(&spans, "compose", &freeze, "circulars-composer");
    let batches = children(&spans, "dispatch_batch", &compose, "circulars-dispatcher");
    let recorded = children(&spans, "record_outcomes", &batches, "circulars-tracker");
    let attempts = children(&spans, "mail_attempt", &batches, "circulars-dispatcher");
    for span in freeze
        .iter()
        .chain(&compose)
        .chain(&batches)
        .chain(&recorded)
    {
        assert_eq!(span.attribute("circular"), Some("TSB-36"), "{span:?}");
    }
    let rendered: BTreeSet<&str> = trace
        .iter()
        .filter(|s| s.name == "render")
        .filter_map(|s| s.attribute("language"))
        .collect();
    assert_eq!(
        rendered,
        ["ar", "es", "fr", "zh"].into(),
        "a render span per language"
    );

    // Each mail attempt names the circular, the delivery by its reference, and the language.
    let circular: CircularId = "TSB-36".parse().unwrap();
    let deliveries: BTreeSet<(String, String)> = mails
        .iter()
        .map(|m| {
            let address = RecipientAddress::parse(&m.recipient).unwrap();
            let key = DeliveryKey::new(circular.clone(), address);
            (DeliveryRef::of(&key).to_hex(), m.language.clone())
        })
        .collect();
    let attempted: BTreeSet<(String, String)> = attempts
        .iter()
        .map(|s| {
            assert_eq!(s.attribute("circular"), Some("TSB-36"), "{s:?}");
            let field = |k| s.attribute(k).unwrap_or_default().to_owned();
            (field("delivery"), field("language"))
        })
        .collect();
    assert_eq!(
        attempted, deliveries,
        "one attempt per recipient, by reference"
    );

    // The returned mail's report names the circular and the delivery it was matched to.
    let unknown = DeliveryKey::new(circular.clone(), RecipientAddress::parse(UNKNOWN).unwrap());
    let applied = only(&spans, "apply_report");
    assert_eq!(applied.service, "circulars-tracker");
    assert_eq!(
        (
            applied.attribute("circular"),
            applied.attribute("delivery"),
            applied.attribute("state")
        ),
        (
            Some("TSB-36"),
            Some(DeliveryRef::of(&unknown).to_hex().as_str()),
            Some("applied")
        ),
        "{applied:?}"
    );

    // The greylisted delivery's second attempt names the same delivery and language; it is a
    // trace of its own (a parked retry keeps no trace context), which the tracker follows.
    let greylisted = DeliveryKey::new(circular, RecipientAddress::parse(GREYLISTED).unwrap());
    let greylisted = DeliveryRef::of(&greylisted).to_hex();
    let retries: Vec<&ReceivedSpan> = spans
        .iter()
        .filter(|s| s.name == "dispatch_retry")
        .collect();
    assert!(!retries.is_empty(), "no dispatch_retry span");
    for retry in &retries {
        assert_eq!(retry.service, "circulars-dispatcher");
        assert_eq!(
            (
                retry.attribute("circular"),
                retry.attribute("delivery"),
                retry.attribute("language")
            ),
            (Some("TSB-36"), Some(greylisted.as_str()), Some("zh")),
            "{retry:?}"
        );
    }
    let recorded = children(&spans, "record_outcome", &retries, "circulars-tracker");
    assert!(recorded
        .iter()
        .all(|s| s.attribute("delivery") == Some(greylisted.as_str())));

    // No span of any service names a recipient, in its name or any attribute.
    for span in &spans {
        for text in std::iter::once(&span.name).chain(span.attributes.values()) {
            let text = text.to_lowercase();
            for mail in &mails {
                assert!(
                    !text.contains(&mail.recipient.to_lowercase()),
                    "{} in {span:?}",
                    mail.recipient
                );
            }
            assert!(!text.contains('@'), "an address in {span:?}");
        }
    }
}

/// The one span called `name`.
fn only<'a>(spans: &'a [ReceivedSpan], name: &str) -> &'a ReceivedSpan {
    let found: Vec<&ReceivedSpan> = spans.iter().filter(|s| s.name == name).collect();
    assert_eq!(found.len(), 1, "one {name} span: {found:?}");
    found[0]
}

/// The spans called `name` (at least one), each exported by `service`, in the parents' trace
/// and the child of one of `parents`.
fn children<'a>(
    spans: &'a [ReceivedSpan],
    name: &str,
    parents: &[&ReceivedSpan],
    service: &str,
) -> Vec<&'a ReceivedSpan> {
    let found: Vec<&ReceivedSpan> = spans.iter().filter(|s| s.name == name).collect();
    assert!(!found.is_empty(), "no {name} span among {spans:#?}");
    for span in &found {
        assert_eq!(span.service, service, "{span:?}");
        let parent = parents.iter().find(|p| p.span_id == span.parent_span_id);
        let parent = parent.unwrap_or_else(|| {
            panic!("{name} is not the child of a span that published its message: {span:?}")
        });
        assert_eq!(span.trace_id, parent.trace_id, "{span:?}");
    }
    found
}
