//! The services are told every node of a NATS cluster (`[nats] url` as a comma-separated list,
//! as `CIRCULARS__NATS__URL` too) and take the one that answers: here the first listed is down,
//! and the circular is delivered through the second as if it were the only one.

use circulars_core::domain::DeliveryState;
use circulars_local_servers::free_port;
use circulars_tests::{on_both_databases, Db, Harness};

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
    let csv = h.dir().join("directory.csv");
    std::fs::write(&csv, DIRECTORY).unwrap();
    h.circulars_ok(&["directory", "import", csv.to_str().unwrap()]);
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
