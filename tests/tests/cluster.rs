//! A site that runs beyond one machine, as its operator sees it: a three-node NATS JetStream
//! cluster keeping every stream on three nodes, PostgreSQL, and each service in a process of
//! its own, with two dispatchers and two trackers sharing the work.
//!
//! - A circular to a few hundred recipients goes out: each recipient is mailed once, both
//!   dispatchers sent part of it, both trackers recorded outcomes, and `circulars status` says
//!   what the SMTP server received.
//! - A circular to a few thousand is under way when a NATS node and a dispatcher are killed
//!   (SIGKILL) at once; the node comes back later. Everyone still gets the circular, and the
//!   copies beyond one stay within the bound docs/ARCHITECTURE.md states for that case
//!   ("The crash note"): the mails the killed dispatcher had in flight, at most its share of
//!   `smtp.concurrency`; the lost node adds none.
//!
//! The second story's circular goes to 3 000 recipients; [`RECIPIENTS_VARIABLE`] sets another
//! number, for the release build: `CIRCULARS_CLUSTER_RECIPIENTS=20000 cargo test --release -p
//! circulars-tests --test cluster -- --nocapture`.

use circulars_core::domain::DeliveryState;
use circulars_local_servers::LocalNatsCluster;
use circulars_tests::logs::LogsOnFailure;
use circulars_tests::{Db, Harness, Setup, PATIENCE};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The harness's `smtp.concurrency`: the mails in flight across the cluster at most, each
/// running dispatcher taking an equal share.
const SMTP_CONCURRENCY: usize = 8;
/// The environment variable giving the crash story's number of recipients (3 000 unset).
const RECIPIENTS_VARIABLE: &str = "CIRCULARS_CLUSTER_RECIPIENTS";
/// The dispatcher processes, by the names their logs take.
const DISPATCHERS: [&str; 2] = ["dispatcher-1", "dispatcher-2"];
/// The tracker processes, likewise.
const TRACKERS: [&str; 2] = ["tracker-1", "tracker-2"];

/// The site: the NATS cluster, and the harness (PostgreSQL, the capture SMTP server, the
/// services) configured for it. The harness is dropped first, stopping the services.
struct Site {
    h: Harness,
    cluster: LocalNatsCluster,
    cluster_dir: tempfile::TempDir,
    started: Instant,
}

impl Site {
    /// Starts the cluster, then every service in a process of its own (two dispatchers, two
    /// trackers), on PostgreSQL and three replicas of every stream; `relay_settings` are added
    /// to the capture relay's section. The clock starts once the binary is built.
    async fn start(relay_settings: &str) -> Site {
        circulars_tests::circulars_binary();
        let started = Instant::now();
        let cluster_dir = tempfile::tempdir().expect("a temporary folder");
        let cluster = LocalNatsCluster::start(cluster_dir.path(), 3).expect("the cluster starts");
        let mut h = Harness::start_setup(Setup {
            nats_settings: Some(format!("url = {:?}\nreplicas = 3", cluster.urls())),
            relay_settings: relay_settings.to_owned(),
            ..Setup::new(Db::Postgres)
        })
        .await;
        for service in ["gateway", "directory", "composer"] {
            h.serve(service);
        }
        for tracker in TRACKERS {
            // The trackers' debug lines say each batch of outcomes they recorded.
            h.serve_instance(
                "tracker",
                tracker,
                &[("RUST_LOG", "info,circulars_tracker=debug")],
            );
        }
        for dispatcher in DISPATCHERS {
            h.serve_instance("dispatcher", dispatcher, &[]);
        }
        Site {
            h,
            cluster,
            cluster_dir,
            started,
        }
    }

    /// Prints the end of each service's log and each node's when the story fails, before
    /// their folders are removed; declared after the site, so dropped before it.
    fn logs_on_failure(&self) -> LogsOnFailure {
        let mut logs = LogsOnFailure::of(&self.h);
        for i in 0..3 {
            logs.also(
                self.cluster_dir
                    .path()
                    .join(LocalNatsCluster::node_name(i))
                    .join("nats.log"),
            );
        }
        logs
    }

    /// Imports `contacts` generated recipients, drafts the sample circular and issues it.
    fn issue_to(&self, contacts: usize) {
        self.h.import_generated_directory(contacts);
        self.h.draft_sample_circular();
        self.h.circulars_ok(&["issue", CIRCULAR]);
    }

    /// Waits until the circular is complete and the work queue is empty, then stops the
    /// services (each must exit cleanly).
    async fn wait_until_over(&mut self) {
        let store = self.h.store().await;
        let deadline = Instant::now() + 2 * PATIENCE;
        loop {
            let status = store
                .circular_status(&CIRCULAR.parse().unwrap())
                .await
                .unwrap();
            if status.is_complete() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{CIRCULAR} did not finish: {status:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        store.close().await;
        self.h.wait_until_jobs_handled().await;
        self.h.stop_services();
    }
}

const CIRCULAR: &str = "TSB-36";

/// What the capture SMTP server received, per envelope recipient.
struct Received {
    /// The stored `.eml` files per recipient.
    files: BTreeMap<String, Vec<PathBuf>>,
}

impl Received {
    fn of(h: &Harness) -> Received {
        let received = Received {
            files: h.mail_files(),
        };
        assert_eq!(
            received.mails(),
            h.smtp().stored(),
            "one file per stored mail"
        );
        received
    }

    /// Mails stored.
    fn mails(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }

    /// Distinct recipients.
    fn recipients(&self) -> usize {
        self.files.len()
    }

    /// Mails beyond the first per recipient.
    fn extra_copies(&self) -> usize {
        self.mails() - self.recipients()
    }

    /// The recipients who got more than one mail, each copy with the Message-ID of the first.
    fn duplicated(&self) -> Vec<&String> {
        let duplicated: Vec<&String> = self
            .files
            .iter()
            .filter(|(_, f)| f.len() > 1)
            .map(|(r, _)| r)
            .collect();
        for recipient in &duplicated {
            let ids: BTreeSet<String> = self.files[*recipient]
                .iter()
                .map(|f| circulars_tests::parse_mail(f).message_id)
                .collect();
            assert_eq!(
                ids.len(),
                1,
                "the copies to {recipient} carry one Message-ID: {ids:?}"
            );
        }
        duplicated
    }
}

/// What `circulars status --json` says of the circular, checked against what the SMTP server
/// received: the audience is the distinct recipients, every one of them `sent` (none
/// unconfirmed), the circular complete.
fn status_matches(h: &Harness, received: &Received, contacts: usize) -> serde_json::Value {
    let status: serde_json::Value =
        serde_json::from_str(&h.circulars_ok(&["status", CIRCULAR, "--json"])).unwrap();
    let sent = status["total"][DeliveryState::Sent.wire_name()].as_u64();
    assert_eq!(
        status["audience"].as_u64(),
        Some(contacts as u64),
        "{status}"
    );
    assert_eq!(status["complete"], true, "{status}");
    assert_eq!(status["unconfirmed"].as_u64(), Some(0), "{status}");
    assert_eq!(
        (sent, status["total"]["total"].as_u64()),
        (
            Some(received.recipients() as u64),
            Some(received.recipients() as u64)
        ),
        "status counts as sent exactly the recipients the SMTP server received: {status}"
    );
    status
}

/// The recipients of the generated directory (`import_generated_directory`), each with at
/// least one mail and nobody else with any.
fn everyone_received(received: &Received, contacts: usize) {
    let audience: BTreeSet<String> = (0..contacts)
        .map(|n| format!("officer{n:05}@adm{:04}.example.org", n / 10))
        .collect();
    let strangers: Vec<&String> = received
        .files
        .keys()
        .filter(|r| !audience.contains(*r))
        .collect();
    assert!(
        strangers.is_empty(),
        "mail outside the audience: {strangers:?}"
    );
    let missing: Vec<&String> = audience
        .iter()
        .filter(|a| !received.files.contains_key(*a))
        .collect();
    assert!(
        missing.is_empty(),
        "{} recipients got no mail, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
}

/// Mails each dispatcher's log says it sent (its first-hand `batch finished` lines: a batch
/// finished again after a crash only publishes its outcomes again).
fn sent_by(h: &Harness, dispatcher: &str) -> usize {
    h.service_log(dispatcher)
        .lines()
        .filter(|l| l.contains("batch finished") && l.contains("again=false"))
        .filter_map(|l| field(l, "sent"))
        .sum()
}

/// Outcomes each tracker's log says it recorded (its `outcomes recorded` debug lines).
fn recorded_by(h: &Harness, tracker: &str) -> usize {
    h.service_log(tracker)
        .lines()
        .filter(|l| l.contains("outcomes recorded"))
        .filter_map(|l| field(l, "outcomes"))
        .sum()
}

/// The number after `name=` in a log line.
fn field(line: &str, name: &str) -> Option<usize> {
    let start = line.find(&format!(" {name}="))? + name.len() + 2;
    let digits: String = line[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_dispatchers_and_two_trackers_share_a_circular_and_mail_each_recipient_once() {
    const CONTACTS: usize = 500;
    // 50 mails a second for the whole cluster: the circular takes ten seconds, long enough
    // for both dispatchers to be pulling its jobs whatever the order they come to it.
    let mut site = Site::start("rate_per_second = 50").await;
    let _logs = site.logs_on_failure();
    site.issue_to(CONTACTS);
    site.wait_until_over().await;

    let h = &site.h;
    let received = Received::of(h);
    everyone_received(&received, CONTACTS);
    assert_eq!(
        (received.mails(), received.extra_copies()),
        (CONTACTS, 0),
        "one mail each: {:?}",
        received.duplicated()
    );
    status_matches(h, &received, CONTACTS);
    let sent: Vec<usize> = DISPATCHERS.iter().map(|d| sent_by(h, d)).collect();
    let recorded: Vec<usize> = TRACKERS.iter().map(|t| recorded_by(h, t)).collect();
    println!(
        "{CONTACTS} recipients, {} mails received; sent by the dispatchers {sent:?}, outcomes \
         recorded by the trackers {recorded:?}; {:.1} s",
        received.mails(),
        site.started.elapsed().as_secs_f64()
    );
    assert_eq!(
        sent.iter().sum::<usize>(),
        CONTACTS,
        "each mail sent by one dispatcher"
    );
    assert!(
        sent.iter().all(|n| *n > 0),
        "both dispatchers sent part: {sent:?}"
    );
    assert!(
        recorded.iter().all(|n| *n > 0),
        "both trackers recorded outcomes: {recorded:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_node_and_a_dispatcher_killed_mid_circular_lose_no_recipient_and_duplicate_within_the_bound(
) {
    let contacts: usize = match std::env::var(RECIPIENTS_VARIABLE) {
        Ok(n) => n
            .parse()
            .unwrap_or_else(|e| panic!("{RECIPIENTS_VARIABLE}={n}: {e}")),
        Err(_) => 3000,
    };
    let mut site = Site::start("").await;
    let _logs = site.logs_on_failure();
    site.issue_to(contacts);

    // Both dispatchers are sending (each has finished a batch) and a quarter has gone out.
    let deadline = Instant::now() + PATIENCE;
    while !DISPATCHERS
        .iter()
        .all(|d| site.h.service_log(d).contains("batch finished"))
    {
        assert!(Instant::now() < deadline, "a dispatcher never sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let at_kill = wait_until_stored(&site.h, contacts / 4).await;
    // The node the surviving dispatcher talks to, so that it loses its connection with claim
    // writes on their way; and the other dispatcher, with its mails in flight.
    let survivor = DISPATCHERS[0];
    let node = connected_node(&site.h, &site.cluster, survivor);
    let leaders = stream_leaders(&site.cluster.urls()).await;
    site.cluster.kill_node(node);
    site.h.kill_service(DISPATCHERS[1]);
    let killed_at = Instant::now();
    let after_kill = site.h.smtp().stored();
    assert!(
        after_kill < contacts / 2,
        "killed mid-circular ({after_kill} of {contacts} mails stored)"
    );
    // Down while a few hundred more go out through the two nodes left (at least 2 s, at most 20 s).
    while killed_at.elapsed() < Duration::from_secs(20) {
        if site.h.smtp().stored() >= after_kill + 300
            && killed_at.elapsed() >= Duration::from_secs(2)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let down_for = killed_at.elapsed();
    let at_restart = site.h.smtp().stored();
    site.cluster
        .start_node(node)
        .expect("the node starts again");
    site.wait_until_over().await;

    let h = &site.h;
    let received = Received::of(h);
    everyone_received(&received, contacts);
    status_matches(h, &received, contacts);
    let duplicated = received.duplicated();
    let sent: Vec<usize> = DISPATCHERS.iter().map(|d| sent_by(h, d)).collect();
    let log = h.service_log(survivor);
    let taken_over = log.matches("batch taken over").count();
    let left = log
        .matches("another dispatcher took the batch over")
        .count();
    let landed = log.matches("the claim write had landed").count();
    // The bound (docs/ARCHITECTURE.md, "The crash note"): the mails the killed dispatcher had
    // in flight, at most its share of `smtp.concurrency` when it died; losing a NATS node
    // adds none (a claim write whose answer it took is found landed when tried again).
    let bound = share_of(h, DISPATCHERS[1]);
    println!(
        "{contacts} recipients; node {} (the survivor's; leaders then: {leaders:?}) and {} killed \
         at {at_kill} mails stored ({after_kill} once dead), the node down {:.1} s (back at \
         {at_restart}); {} mails received by {} recipients: {} duplicates (bound {bound}, \
         the killed dispatcher's share of smtp.concurrency {SMTP_CONCURRENCY}), to \
         {duplicated:?}; sent first-hand by the dispatchers {sent:?}; the survivor took \
         {taken_over} batches over, left {left} as taken over, found {landed} claim writes \
         landed after a lost answer; {:.1} s",
        LocalNatsCluster::node_name(node),
        DISPATCHERS[1],
        down_for.as_secs_f64(),
        received.mails(),
        received.recipients(),
        received.extra_copies(),
        site.started.elapsed().as_secs_f64()
    );
    assert!(
        received.extra_copies() <= bound,
        "{} duplicates, more than the {bound} mails the killed dispatcher could have in \
         flight: {duplicated:?}",
        received.extra_copies()
    );
    assert_eq!(left, 0, "the survivor left no batch it still held");
}

/// The share of `smtp.concurrency` the dispatcher `instance` last took (its log's
/// `in_flight=` when the dispatchers counted themselves), all of it when it never shared.
fn share_of(h: &Harness, instance: &str) -> usize {
    h.service_log(instance)
        .lines()
        .rev()
        .filter(|l| l.contains("mails in flight are shared"))
        .find_map(|l| field(l, "in_flight"))
        .unwrap_or(SMTP_CONCURRENCY)
}

/// Waits until the capture SMTP server has stored at least `n` mails; returns how many.
async fn wait_until_stored(h: &Harness, n: usize) -> usize {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let stored = h.smtp().stored();
        if stored >= n {
            return stored;
        }
        assert!(
            Instant::now() < deadline,
            "only {stored} mails stored, waiting for {n}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The cluster node (0-based) the service process `instance` is connected to, from its
/// sockets: its established TCP connections (`/proc/<pid>/net/tcp`) whose inode is one of its
/// file descriptors (`/proc/<pid>/fd`) and whose remote port is a node's client port.
fn connected_node(h: &Harness, cluster: &LocalNatsCluster, instance: &str) -> usize {
    let pid = h.service_pid(instance).expect("the service runs");
    let sockets: HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("its descriptors are readable")
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_string_lossy().into_owned();
            Some(
                target
                    .strip_prefix("socket:[")?
                    .strip_suffix(']')?
                    .to_owned(),
            )
        })
        .collect();
    let ports: Vec<u16> = (0..3).map_while(|i| cluster.port(i)).collect();
    for table in ["tcp", "tcp6"] {
        let text = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            let (Some(remote), Some(state), Some(inode)) =
                (fields.get(2), fields.get(3), fields.get(9))
            else {
                continue;
            };
            let port = remote
                .rsplit_once(':')
                .and_then(|(_, p)| u16::from_str_radix(p, 16).ok());
            if *state == "01" && sockets.contains(*inode) {
                if let Some(node) = port.and_then(|p| ports.iter().position(|n| *n == p)) {
                    return node;
                }
            }
        }
    }
    panic!("{instance} (pid {pid}) holds no connection to a node of the cluster");
}

/// The leader node of the work queue and of the claims bucket, as the cluster reports them.
async fn stream_leaders(urls: &str) -> Vec<(String, String)> {
    let servers: Vec<&str> = urls.split(',').collect();
    let client = async_nats::connect(servers).await.unwrap();
    let jetstream = async_nats::jetstream::new(client);
    let mut leaders = Vec::new();
    for name in ["MAIL_OUTBOUND", "KV_delivery-claims"] {
        let mut stream = jetstream.get_stream(name).await.unwrap();
        let leader = stream
            .info()
            .await
            .unwrap()
            .cluster
            .clone()
            .and_then(|c| c.leader);
        leaders.push((name.to_owned(), leader.unwrap_or_else(|| "none".into())));
    }
    leaders
}
