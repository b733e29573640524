//! Operations watch a circular go out on the dashboard's board: its numbers are those
//! `circulars status --json` prints, while paused and once delivered; the mails finished minute
//! by minute add up to the recipients finished; a refused recipient is listed with the remote
//! server's words; the overview lists the circular (the store's queries behind the board are
//! in `operations_progress.rs`).

use chrono::Utc;
use circulars_capture_smtp::RecipientRules;
use circulars_core::domain::{Circular, CircularId, DeliveryState, Language};
use circulars_core::nats::control::DispatchState;
use circulars_operations::{circular_board, dispatch_of, sending_circulars, Dispatch};
use circulars_store::Store;
use circulars_tests::{
    on_both_databases, workspace, Db, Harness, Setup, DIRECTORY_HEADER, PATIENCE,
};
use serde_json::Value;
use std::time::{Duration, Instant};

const RECIPIENTS: usize = 60;
const REFUSED: &str = "nobody-here@ptt.latveria.example.net";

fn directory() -> String {
    let languages = ["ar", "zh", "en", "fr", "ru", "es"];
    let mut csv = DIRECTORY_HEADER.to_owned();
    for n in 0..RECIPIENTS {
        csv.push_str(&format!(
            "adm-{n},Administration {n},,member-states,officer{n}@adm{n}.example.org,Officer {n},{},,active,\n",
            languages[n % 6]
        ));
    }
    csv.push_str(&format!(
        "adm-latveria,Administration of Latveria,,member-states,{REFUSED},Vera Novak,ru,,active,\n"
    ));
    csv
}

fn english_subject() -> String {
    let path = workspace().join("samples/circulars/tsb-36.toml");
    let circular =
        Circular::from_toml("tsb-36.toml", &std::fs::read_to_string(path).unwrap()).unwrap();
    circular.text(Language::En).unwrap().subject.clone()
}

/// What `circulars status ID --json` prints, split into the status and its `returned` list.
fn printed_status(h: &Harness, id: &str) -> (Value, Value) {
    let mut printed: Value =
        serde_json::from_str(&h.circulars_ok(&["status", id, "--json"])).unwrap();
    let returned = printed.as_object_mut().unwrap().remove("returned").unwrap();
    (printed, returned)
}

/// Waits until `circular`'s counts stop moving (no mail sending, the same counts a second
/// apart): a pause lets the mails in flight finish.
async fn wait_until_still(store: &Store, circular: &CircularId) {
    let deadline = Instant::now() + PATIENCE;
    let mut before = store.circular_status(circular).await.unwrap();
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = store.circular_status(circular).await.unwrap();
        if now == before && now.total.get(DeliveryState::Sending) == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "still moving: {now:?}");
        before = now;
    }
}

async fn the_board_shows_the_numbers_of_circulars_status_while_paused_and_once_delivered(db: Db) {
    let rules = RecipientRules::new().reply(
        REFUSED,
        550,
        "5.1.1 <nobody-here@ptt.latveria.example.net>: Recipient address rejected: User unknown",
    );
    let mut h = Harness::start_setup(Setup {
        rules,
        // Slow enough to pause half-way.
        relay_settings: "rate_per_second = 20".into(),
        ..Setup::new(db)
    })
    .await;
    h.serve("all");
    let csv = h.dir().join("directory.csv");
    std::fs::write(&csv, directory()).unwrap();
    h.circulars_ok(&["directory", "import", csv.to_str().unwrap()]);
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    let store = h.store().await;
    let bus = h.bus().await;
    let tsb36: CircularId = "TSB-36".parse().unwrap();

    // Paused half-way: the board's counts are the printed ones, and no time is promised.
    let deadline = Instant::now() + PATIENCE;
    while store
        .circular_status(&tsb36)
        .await
        .unwrap()
        .total
        .finished()
        < 10
    {
        assert!(Instant::now() < deadline, "nothing finished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    h.circulars_ok(&["pause", "TSB-36"]);
    wait_until_still(&store, &tsb36).await;
    let status = store.circular_status(&tsb36).await.unwrap();
    let dispatch = dispatch_of(Some(&bus), &status).await;
    assert_eq!(dispatch, Dispatch::Known(DispatchState::Paused));
    let board = circular_board(&store, &tsb36, &dispatch, Utc::now())
        .await
        .unwrap();
    let (printed, _) = printed_status(&h, "TSB-36");
    assert_eq!(board.status, printed);
    assert_eq!(board.status["dispatch"], "paused");
    assert_eq!(board.status["complete"], false);
    assert_eq!(board.eta_seconds, None, "paused: no time left is promised");
    let finished = status.total.finished();
    assert!(
        finished < RECIPIENTS as u64 + 1,
        "paused half-way: {status:?}"
    );
    let overview = sending_circulars(&store).await.unwrap();
    assert_eq!(overview.len(), 1, "{overview:?}");
    assert_eq!(
        (overview[0].circular.as_str(), overview[0].state.as_str()),
        ("TSB-36", "paused")
    );
    assert_eq!(overview[0].finished, finished);
    assert!(!overview[0].complete);

    // Resumed and delivered: the same numbers again, now complete.
    h.circulars_ok(&["resume", "TSB-36"]);
    let status = h.wait_until_delivered("TSB-36").await;
    let dispatch = dispatch_of(Some(&bus), &status).await;
    let board = circular_board(&store, &tsb36, &dispatch, Utc::now())
        .await
        .unwrap();
    let (printed, returned) = printed_status(&h, "TSB-36");
    assert_eq!(board.status, printed);
    assert_eq!(board.returned, returned, "no returned mail yet: both empty");
    assert_eq!(board.status["complete"], true);
    assert_eq!(board.status["total"]["sent"], RECIPIENTS as u64);
    assert_eq!(board.status["total"]["failed"], 1);
    assert_eq!(board.throughput.len(), 60);
    assert_eq!(
        board.throughput.iter().map(|m| m.mails).sum::<u64>(),
        status.total.finished(),
        "every recipient finished within the hour, each counted once"
    );
    assert_eq!(status.total.finished(), RECIPIENTS as u64 + 1);
    assert_eq!(board.eta_seconds, None, "complete");
    assert_eq!(board.retries.deferred, 0);
    assert_eq!(board.retries.next_at, None);
    assert_eq!(board.complaints, 0);
    assert_eq!(board.failures.len(), 1);
    let refused = &board.failures[0];
    assert_eq!(
        (
            refused.address.as_str(),
            refused.state.as_str(),
            refused.code
        ),
        (REFUSED, "failed", Some(550))
    );
    assert_eq!(refused.enhanced.as_deref(), Some("5.1.1"));
    assert!(
        refused
            .text
            .as_deref()
            .is_some_and(|t| t.contains("Recipient address rejected: User unknown")),
        "{refused:?}"
    );
    // What the gateway sends: JSON whose status is the printed status.
    let sent = serde_json::to_value(&board).unwrap();
    assert_eq!(sent["status"], printed);

    let overview = sending_circulars(&store).await.unwrap();
    assert_eq!(overview.len(), 1, "finished lately: {overview:?}");
    let line = &overview[0];
    assert_eq!(line.subject, english_subject());
    assert_eq!(
        (line.audience, line.finished, line.complete),
        (Some(RECIPIENTS as u64 + 1), RECIPIENTS as u64 + 1, true)
    );
    assert_eq!(line.state, "issued");
    store.close().await;
    h.stop_services();
}

on_both_databases!(the_board_shows_the_numbers_of_circulars_status_while_paused_and_once_delivered,);
