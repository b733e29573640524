//! An operator watches a circular go out on its delivery page without reloading: the page's
//! live stream sends the board again each time the tracker records more outcomes, ends on the
//! numbers `circulars status --json` prints, and resumes without repeating itself; a client
//! opening live pages without end is refused past its bound while others keep theirs; a pause
//! pressed on the page returns to it, paused; cancelling asks first, with the numbers; the
//! operations overview streams the circulars and relays, and its relay form refuses a rate
//! that is not a number or a relay that does not exist, and records the change it makes.

use circulars_tests::http::{EventStream, ServerEvent};
use circulars_tests::signed_in::{assert_page, new_account_signed_in, SignedIn};
use circulars_tests::{on_both_databases, Db, Harness, Setup, PATIENCE};
use serde_json::Value;
use std::time::{Duration, Instant};

const EVENTS: &str = "/staff/circulars/TSB-36/delivery/events";

/// Opens the delivery page's live stream as `who`, with the id of the last event seen.
async fn watch(h: &Harness, who: &SignedIn, last_seen: Option<&str>) -> EventStream {
    let cookie = who.cookie();
    let mut headers = vec![("Cookie", cookie.as_str())];
    if let Some(id) = last_seen {
        headers.push(("Last-Event-ID", id));
    }
    EventStream::open(&format!("{}{EVENTS}", h.gateway_url()), &headers)
        .await
        .unwrap_or_else(|refused| panic!("no live stream: {refused:?}"))
}

/// The rows of the board's first table (recipients per state): label and count.
fn per_state(board: &str) -> Vec<(String, u64)> {
    let table = &board[board.find("<tbody>").unwrap()..board.find("</tbody>").unwrap()];
    table
        .split("<tr>")
        .skip(1)
        .map(|row| {
            let cell = |open: &str| {
                let start = row.find(open).unwrap() + open.len();
                let start = start + row[start..].find('>').unwrap() + 1;
                row[start..start + row[start..].find('<').unwrap()].to_owned()
            };
            (cell("<th"), cell("<td").parse().unwrap())
        })
        .collect()
}

/// The English label of a delivery state's wire name, as the board writes it.
fn label(wire: &str) -> &'static str {
    match wire {
        "queued" => "Waiting to be sent",
        "sending" => "Being sent",
        "sent" => "Sent",
        "deferred" => "Deferred (to be tried again)",
        "failed" => "Failed",
        "cancelled" => "Cancelled",
        "bounced" => "Bounced",
        "complained" => "Reported as spam",
        other => panic!("a state the test does not know: {other}"),
    }
}

async fn an_operator_watches_the_counts_rise_live_and_end_on_the_status_numbers(db: Db) {
    let mut h = Harness::start_setup(Setup {
        // Slow enough to see the counts rise over several readings.
        relay_settings: "rate_per_second = 100".into(),
        ..Setup::new(db)
    })
    .await;
    h.import_generated_directory(600);
    h.serve("all");
    let olga = new_account_signed_in(&h, "olga", &["operator"]).await;
    h.draft_sample_circular();

    let mut live = watch(&h, &olga, None).await;
    let Some(first) = live.next(PATIENCE).await else {
        panic!("no board at once: {}", h.service_log("all"));
    };
    assert_eq!(first.event, "board");
    assert!(
        first.data.contains("This circular has not been issued"),
        "{}",
        first.data
    );
    h.circulars_ok(&["issue", "TSB-36"]);

    let finished = "Finished: all 600 recipients have a final state.";
    let mut boards: Vec<ServerEvent> = vec![first];
    let deadline = Instant::now() + PATIENCE * 2;
    while !boards.last().unwrap().data.contains(finished) {
        assert!(
            Instant::now() < deadline,
            "never finished: {:?}",
            boards.last()
        );
        if let Some(board) = live.next(PATIENCE).await {
            boards.push(board);
        }
    }
    let ids: Vec<u64> = boards
        .iter()
        .map(|b| b.id.as_deref().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids rise: {ids:?}");
    let sent_counts: Vec<u64> = boards
        .iter()
        .filter_map(|b| {
            b.data
                .contains("<tbody>")
                .then(|| per_state(&b.data))
                .and_then(|rows| rows.into_iter().find(|(l, _)| l == "Sent"))
                .map(|(_, n)| n)
        })
        .collect();
    assert!(
        sent_counts.len() >= 2 && sent_counts.windows(2).all(|w| w[0] <= w[1]),
        "the sent count rises over several boards without reload: {sent_counts:?}"
    );

    // The last board's numbers are `circulars status --json`'s.
    let status: Value =
        serde_json::from_str(&h.circulars_ok(&["status", "TSB-36", "--json"])).unwrap();
    let mut expected: Vec<(String, u64)> = status["total"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(state, _)| *state != "total")
        .map(|(state, n)| (label(state).to_owned(), n.as_u64().unwrap()))
        .collect();
    let mut shown = per_state(&boards.last().unwrap().data);
    expected.sort();
    shown.sort();
    assert_eq!(shown, expected, "{}", boards.last().unwrap().data);
    assert_eq!(status["complete"], true);

    // Reconnecting with the last id seen repeats nothing: what comes next, if anything (the
    // rate and the last hour's minutes move with the clock), is a newer reading.
    drop(live);
    let last = boards.last().unwrap().id.clone().unwrap();
    let mut resumed = watch(&h, &olga, Some(&last)).await;
    if let Some(next) = resumed.next(Duration::from_secs(7)).await {
        let next: u64 = next.id.unwrap().parse().unwrap();
        assert!(next > last.parse().unwrap(), "{next} after {last}");
    }
    h.stop_services();
}

async fn live_streams_are_bounded_per_client_and_pause_and_cancel_work_from_the_page(db: Db) {
    let mut h = Harness::start_setup(Setup {
        relay_settings: "rate_per_second = 20".into(),
        ..Setup::new(db)
    })
    .await;
    h.import_generated_directory(200);
    h.serve("all");
    let olga = new_account_signed_in(&h, "olga", &["operator"]).await;
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);

    let mut open = Vec::new();
    for _ in 0..circulars_gateway::live::streams::STREAMS_PER_CLIENT {
        open.push(watch(&h, &olga, None).await);
    }
    let cookie = olga.cookie();
    let url = format!("{}{EVENTS}", h.gateway_url());
    let refused = EventStream::open(&url, &[("Cookie", cookie.as_str())])
        .await
        .err()
        .expect("one stream too many is refused");
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(
        refused.body.contains("Too many live pages"),
        "{}",
        refused.body
    );
    let page = olga.get("/staff/circulars/TSB-36/delivery").await;
    assert_page(
        &page,
        200,
        &["data-live=\"/staff/circulars/TSB-36/delivery/events\""],
    );
    open.pop();
    let mut again = None;
    let deadline = Instant::now() + PATIENCE;
    while again.is_none() {
        assert!(Instant::now() < deadline, "a place never came back");
        again = EventStream::open(&url, &[("Cookie", cookie.as_str())])
            .await
            .ok();
    }
    let board = again.unwrap().next(PATIENCE).await.unwrap();
    assert_eq!(board.event, "board");
    assert!(board.data.contains("<p class=\"lead\">"), "{}", board.data);
    drop(open);

    // Pause from the delivery page: back to it, paused.
    let paused = olga
        .post("/staff/circulars/TSB-36/pause", &[("back", "delivery")])
        .await;
    assert_eq!(paused.status, 303, "{}", paused.body);
    assert_eq!(
        paused.header("location"),
        Some("/staff/circulars/TSB-36/delivery")
    );
    let page = olga.get("/staff/circulars/TSB-36/delivery").await;
    assert_page(
        &page,
        200,
        &[
            "Paused: nothing more is sent until an operator resumes sending.",
            "id=\"step-resume\"",
        ],
    );

    // Cancelling asks first, saying how many recipients it leaves without their mail (read
    // again until the mails in flight at the pause have finished).
    let deadline = Instant::now() + PATIENCE;
    loop {
        let ask = olga.get("/staff/circulars/TSB-36/cancel").await;
        let status: Value =
            serde_json::from_str(&h.circulars_ok(&["status", "TSB-36", "--json"])).unwrap();
        let waiting = 200 - status["total"]["sent"].as_u64().unwrap_or(0);
        let said = format!("{waiting} recipients of TSB-36 have no final state yet");
        if ask.body.contains(&said) {
            assert_page(&ask, 200, &[&said, "id=\"confirm-cancel\""]);
            break;
        }
        assert!(Instant::now() < deadline, "{said}: {}", ask.body);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cancelled = olga
        .post("/staff/circulars/TSB-36/cancel", &[("back", "delivery")])
        .await;
    assert_eq!(cancelled.status, 303, "{}", cancelled.body);
    let page = olga.get("/staff/circulars/TSB-36/delivery").await;
    assert_page(
        &page,
        200,
        &["Cancelled: every mail not yet sent is recorded as cancelled."],
    );

    // The overview streams too, and its relay form refuses what it cannot do, saying why.
    let overview = EventStream::open(
        &format!("{}/staff/dashboard/events", h.gateway_url()),
        &[("Cookie", cookie.as_str())],
    )
    .await
    .unwrap_or_else(|refused| panic!("no overview stream: {refused:?}"))
    .next(PATIENCE)
    .await
    .expect("the overview at once");
    for shown in [
        "href=\"/staff/circulars/TSB-36/delivery\"",
        "<th scope=\"row\">capture</th>",
    ] {
        assert!(overview.data.contains(shown), "{shown}: {}", overview.data);
    }
    let refused = olga
        .post(
            "/staff/dashboard/relay-limits",
            &[("relay", "capture"), ("rate", "fast")],
        )
        .await;
    assert_page(&refused, 422, &["“fast” is not a whole number."]);
    let refused = olga
        .post(
            "/staff/dashboard/relay-limits",
            &[("relay", "nowhere"), ("rate", "5")],
        )
        .await;
    assert_page(
        &refused,
        422,
        &["no relay named nowhere in the configuration"],
    );
    let set = olga
        .post(
            "/staff/dashboard/relay-limits",
            &[("relay", "capture"), ("rate", "7")],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.body);
    let audit = h.store().await.staff_audit("relay:capture").await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "relay.limits-set" && e.actor == "olga" && e.via == "page"),
        "{audit:?}"
    );
    let ana = new_account_signed_in(&h, "ana", &["drafter"]).await;
    let forbidden = ana
        .post(
            "/staff/dashboard/relay-limits",
            &[("relay", "capture"), ("rate", "1")],
        )
        .await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.body);
    h.stop_services();
}

on_both_databases!(
    an_operator_watches_the_counts_rise_live_and_end_on_the_status_numbers,
    live_streams_are_bounded_per_client_and_pause_and_cancel_work_from_the_page,
);
