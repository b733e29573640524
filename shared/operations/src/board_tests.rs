//! The board's arithmetic: minutes, the current rate and the time left, at a given `now`.

use super::*;
use chrono::TimeZone;

/// 10:42:30 UTC on the day of the tests.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 10, 42, 30).unwrap()
}

fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, hour, minute, second)
        .unwrap()
}

#[test]
fn the_throughput_has_one_entry_per_minute_of_the_last_hour_oldest_first_zeros_included() {
    let finished = [(at(10, 0, 0), 7), (at(10, 41, 0), 30), (at(10, 42, 0), 4)];
    let throughput = throughput_of(&finished, now());
    assert_eq!(throughput.len(), MINUTES_SHOWN);
    assert_eq!(throughput[0].minute, at(9, 43, 0), "the oldest first");
    assert_eq!(
        throughput[59].minute,
        at(10, 42, 0),
        "the current minute last"
    );
    assert_eq!(throughput[59].mails, 4);
    assert_eq!(throughput[58].mails, 30);
    assert_eq!(throughput[17].minute, at(10, 0, 0));
    assert_eq!(throughput[17].mails, 7);
    assert_eq!(throughput.iter().map(|m| m.mails).sum::<u64>(), 41);
    assert!(throughput
        .windows(2)
        .all(|w| w[1].minute - w[0].minute == TimeDelta::minutes(1)));
}

#[test]
fn minutes_before_the_hour_shown_are_left_out() {
    let finished = [(at(9, 42, 0), 100), (at(9, 43, 0), 1)];
    let throughput = throughput_of(&finished, now());
    assert_eq!(throughput.iter().map(|m| m.mails).sum::<u64>(), 1);
}

#[test]
fn the_rate_is_the_mean_of_the_last_five_whole_minutes_not_the_current_one() {
    let finished = [
        (at(10, 36, 0), 1000), // six minutes ago: outside the window
        (at(10, 37, 0), 60),
        (at(10, 38, 0), 60),
        (at(10, 39, 0), 0),
        (at(10, 40, 0), 120),
        (at(10, 41, 0), 60),
        (at(10, 42, 0), 500), // the current minute, not whole yet
    ];
    let throughput = throughput_of(&finished, now());
    let rate = rate_per_minute(&throughput, now(), Some(at(9, 0, 0)));
    assert_eq!(rate, 60.0);
}

#[test]
fn a_circular_issued_two_minutes_ago_is_measured_over_those_two_minutes() {
    let finished = [(at(10, 40, 0), 90), (at(10, 41, 0), 110)];
    let throughput = throughput_of(&finished, now());
    assert_eq!(
        rate_per_minute(&throughput, now(), Some(at(10, 40, 12))),
        100.0
    );
    assert_eq!(
        rate_per_minute(&throughput, now(), Some(at(10, 42, 1))),
        0.0,
        "issued in the current minute, nothing finished yet"
    );
    assert_eq!(rate_per_minute(&throughput, now(), None), 40.0);
}

#[test]
fn before_a_whole_minute_the_rate_is_the_current_minute_so_far() {
    let finished = [(at(10, 42, 0), 50)];
    let throughput = throughput_of(&finished, now());
    assert_eq!(
        rate_per_minute(&throughput, now(), Some(at(10, 42, 10))),
        150.0,
        "50 mails in the 20 s since the issue"
    );
    assert_eq!(
        rate_per_minute(&throughput, now(), Some(at(10, 42, 27))),
        0.0,
        "3 s say too little"
    );
}

#[test]
fn the_time_left_is_what_remains_at_the_current_rate_rounded_up() {
    assert_eq!(eta_seconds(600, 60.0), Some(600));
    assert_eq!(eta_seconds(1, 7.0), Some(9), "60/7 = 8.57 s, rounded up");
    assert_eq!(eta_seconds(100_000, 2_500.0), Some(2_400));
    assert_eq!(eta_seconds(0, 60.0), None, "complete");
    assert_eq!(eta_seconds(10, 0.0), None, "nothing moving");
    assert_eq!(eta_seconds(10, f64::NAN), None);
}

#[test]
fn a_minute_is_cut_at_its_start() {
    assert_eq!(minute_of(now()), at(10, 42, 0));
    assert_eq!(minute_of(at(10, 42, 0)), at(10, 42, 0));
    let before_epoch = DateTime::from_timestamp(-1, 0).unwrap();
    assert_eq!(minute_of(before_epoch).timestamp(), -60);
}

#[test]
fn a_failure_row_carries_the_servers_words() {
    use circulars_core::domain::{DeliveryState, RecipientAddress, SmtpReply};
    let row = FailureRow::from(Delivery {
        address: RecipientAddress::parse("nobody@ptt.latveria.example.net").unwrap(),
        state: DeliveryState::Failed,
        attempt: 1,
        reply: Some(SmtpReply::new(
            550,
            "5.1.1 <nobody@ptt.latveria.example.net>: User unknown",
        )),
        detail: None,
        at: now(),
        unconfirmed: 0,
        bounce_reason: None,
    });
    assert_eq!(row.state, "failed");
    assert_eq!(
        (row.code, row.enhanced.as_deref(), row.text.as_deref()),
        (
            Some(550),
            Some("5.1.1"),
            Some("<nobody@ptt.latveria.example.net>: User unknown")
        )
    );
    let json = serde_json::to_value(&row).unwrap();
    assert_eq!(json["address"], "nobody@ptt.latveria.example.net");
    assert_eq!(json["at"], "2026-12-05T10:42:30Z");
}
