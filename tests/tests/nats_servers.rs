//! The services are told every node of a NATS cluster (`[nats] url` as a comma-separated list,
//! as `CIRCULARS__NATS__URL` too) and take the one that answers: here the first listed is down,
//! and the circular is delivered through the second as if it were the only one. On a real
//! three-node cluster, with three replicas, a circular is delivered with a node down.

use circulars_core::domain::DeliveryState;
use circulars_local_servers::{free_port, LocalNatsCluster};
use circulars_tests::{on_both_databases, Db, Harness, Setup};
use futures::StreamExt;

/// A small directory: the story is about the connection, not the audience.
const DIRECTORY: &str = "addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics\n\
adm-freedonia,Administration of Freedonia,,member-states,amina.diallo@ptt.freedonia.example.org,Amina Diallo,fr,,active,\n\
adm-sylvania,Administration of Sylvania,,member-states,li.wei@miit.sylvania.example.com,Li Wei,zh,,active,\n\
example-telecom,Example Telecom,,sector-members,k.haddad@example.org,Karim Haddad,ar,,active,\n";

async fn a_list_of_servers_whose_first_is_down_still_delivers(db: Db) {
    let mut h = Harness::start(db).await;
    let down = free_port().expect("a free port");
    let servers = format!("nats://127.0.0.1:{down}, {}", h.nats_url());
    h.serve_with_env("all", &[("CIRCULARS__NATS__URL", servers.as_str())]);
    h.import_directory(DIRECTORY);
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    let status = h.wait_until_delivered("TSB-36").await;
    let audience = status.audience.expect("the audience is frozen");
    assert_eq!(audience, 3);
    assert_eq!(status.total.get(DeliveryState::Sent), audience);
    assert_eq!(h.mails().len() as u64, audience);
    h.stop_services();
}

on_both_databases!(a_list_of_servers_whose_first_is_down_still_delivers);

/// A site on a three-node cluster: every stream kept on three nodes. The services start while
/// the cluster is still electing its first leader (they wait for it), deliver a circular, and
/// deliver the next one with a node stopped; the node rejoins.
async fn a_three_node_cluster_with_three_replicas_delivers_with_a_node_down(db: Db) {
    let cluster_dir = tempfile::tempdir().unwrap();
    let mut cluster = LocalNatsCluster::start(cluster_dir.path(), 3).expect("the cluster starts");
    let mut h = Harness::start_setup(Setup {
        nats_settings: Some(format!("url = {:?}\nreplicas = 3", cluster.urls())),
        ..Setup::new(db)
    })
    .await;
    h.serve("all");
    h.import_directory(DIRECTORY);
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    let status = h.wait_until_delivered("TSB-36").await;
    assert_eq!(status.total.get(DeliveryState::Sent), 3);

    let streams = stream_replicas(&cluster.urls()).await;
    assert!(
        streams.iter().all(|(_, replicas)| *replicas == 3),
        "every stream and bucket on three nodes: {streams:?}"
    );

    cluster.stop_node(0);
    let next = h.write_sample_variant(37, None);
    h.circulars_ok(&["draft", &next.to_string_lossy()]);
    h.circulars_ok(&["issue", "TSB-37"]);
    let status = h.wait_until_delivered("TSB-37").await;
    assert_eq!(status.total.get(DeliveryState::Sent), 3);
    assert_eq!(h.mails().len(), 6, "each recipient got each circular once");
    cluster.start_node(0).expect("the node starts again");
    h.stop_services();
}

/// Each stream's name and replica count, as the cluster reports them.
async fn stream_replicas(urls: &str) -> Vec<(String, usize)> {
    let servers: Vec<&str> = urls.split(',').collect();
    let client = async_nats::connect(servers).await.unwrap();
    let jetstream = async_nats::jetstream::new(client);
    let mut names = jetstream.stream_names();
    let mut found = Vec::new();
    while let Some(name) = names.next().await {
        let name = name.unwrap();
        let mut stream = jetstream.get_stream(&name).await.unwrap();
        let info = stream.info().await.unwrap();
        found.push((name, info.config.num_replicas));
    }
    found.sort();
    found
}

on_both_databases!(a_three_node_cluster_with_three_replicas_delivers_with_a_node_down);
