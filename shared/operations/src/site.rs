//! The dashboard's board across circulars: each relay with its limits and the mails of the
//! last minute summed over the dispatchers that report, returned mail kept as unmatched, and
//! the intake's refusals. Built from what the caller collected from `relay-activity.<relay>`
//! (the gateway's one subscription) and from the database: nothing here talks to NATS.

use crate::OperationsError;
use chrono::{DateTime, TimeDelta, Utc};
use circulars_core::config::RelayConfig;
use circulars_core::events::RelayActivity;
use circulars_core::nats::control::RelayLimits;
use circulars_store::{IntakeRefusal, ReportState, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// A dispatcher's report older than this is left out: it stopped, or lost nats-server (each
/// reports every two seconds).
pub const STALE_AFTER: TimeDelta = TimeDelta::seconds(10);
/// How many unmatched reports the board lists.
pub const NEWEST_UNMATCHED: usize = 10;

/// What operations watch across circulars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteBoard {
    /// Every configured relay, by name.
    pub relays: Vec<RelayRow>,
    /// Returned mail that names no delivery we sent.
    pub unmatched: UnmatchedReports,
    /// The intake's refusals by reason, every reason listed.
    pub refusals: Vec<RefusalCount>,
}

/// One relay: its limits in force and the mails of the last minute over every dispatcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayRow {
    /// The relay's name (`[smtp.relays.NAME]`).
    pub relay: String,
    /// Mails per second at most (0: no limit), as the newest report says, else as set.
    pub rate_per_second: u32,
    /// Connections at once at most per dispatcher, as the newest report says, else as set.
    pub connections: u32,
    /// Mails the relay accepted in the last minute, summed over the dispatchers.
    pub sent_last_minute: u64,
    /// Mails that failed through it in the last minute, summed over the dispatchers.
    pub failed_last_minute: u64,
    /// How many dispatchers reported on it within [`STALE_AFTER`].
    pub dispatchers: u32,
    /// When the newest of those reports was made (`None`: no dispatcher reports).
    pub seen_at: Option<DateTime<Utc>>,
}

/// Returned mail kept as unmatched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedReports {
    /// How many there are.
    pub count: u64,
    /// The newest [`NEWEST_UNMATCHED`], newest first.
    pub newest: Vec<UnmatchedRow>,
}

/// One unmatched returned mail, without its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedRow {
    /// The report's id (`circulars bounces show` takes its first twelve characters).
    pub id: String,
    /// When it came in.
    pub received_at: DateTime<Utc>,
    /// The addresses it was delivered to, comma-separated.
    pub envelope_to: String,
    /// The form the parser recognised.
    pub form: String,
    /// What the parser made of it.
    pub kind: String,
    /// Why it matched nothing, in words.
    pub detail: Option<String>,
}

/// The intake's refusals for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusalCount {
    /// The stable key (`recipient-refused`, `too-big`, …; see `circulars_store::IntakeRefusal`).
    pub reason: String,
    /// In this clock hour (UTC), since hh:00.
    pub last_hour: u64,
    /// In the last 24 clock hours, this one included.
    pub last_day: u64,
}

/// The board at `now`: `relays` as configured, `limits` in force (from
/// [`crate::relays::relay_limits_in_force`], for relays no dispatcher reports on), the latest
/// `activity` collected (one report per dispatcher and relay is enough; older ones of the same
/// dispatcher are ignored), and the database's unmatched reports and refusals.
pub async fn site_board(
    store: &Store,
    relays: &BTreeMap<String, RelayConfig>,
    limits: &[(String, RelayLimits)],
    activity: &[RelayActivity],
    now: DateTime<Utc>,
) -> Result<SiteBoard, OperationsError> {
    let count = store.inbound_report_count(ReportState::Unmatched).await?;
    let newest = store
        .newest_inbound_reports(ReportState::Unmatched, NEWEST_UNMATCHED)
        .await?
        .into_iter()
        .map(|r| UnmatchedRow {
            id: r.id,
            received_at: r.received_at,
            envelope_to: r.envelope_to,
            form: r.form,
            kind: r.kind,
            detail: r.detail,
        })
        .collect();
    let hour = store.intake_refusals_since(now).await?;
    let day = store
        .intake_refusals_since(now - TimeDelta::hours(23))
        .await?;
    Ok(SiteBoard {
        relays: relay_rows(relays, limits, activity, now),
        unmatched: UnmatchedReports { count, newest },
        refusals: refusal_counts(&hour, &day),
    })
}

/// Every configured relay with its latest reports summed (see [`site_board`]).
pub fn relay_rows(
    relays: &BTreeMap<String, RelayConfig>,
    limits: &[(String, RelayLimits)],
    activity: &[RelayActivity],
    now: DateTime<Utc>,
) -> Vec<RelayRow> {
    // The newest fresh report of each dispatcher on each relay.
    let mut latest: BTreeMap<(&str, &str), &RelayActivity> = BTreeMap::new();
    for report in activity {
        let age = now - report.at;
        if age > STALE_AFTER || !relays.contains_key(&report.relay) {
            continue;
        }
        let key = (report.relay.as_str(), report.dispatcher.as_str());
        if latest.get(&key).is_none_or(|seen| seen.at < report.at) {
            latest.insert(key, report);
        }
    }
    relays
        .iter()
        .map(|(name, config)| {
            let set = limits.iter().find(|(n, _)| n == name).map(|(_, l)| *l);
            let mut row = RelayRow {
                relay: name.clone(),
                rate_per_second: set.map_or(config.rate_per_second, |l| l.rate_per_second),
                connections: set.map_or(config.connections, |l| l.connections),
                sent_last_minute: 0,
                failed_last_minute: 0,
                dispatchers: 0,
                seen_at: None,
            };
            for (_, report) in latest.iter().filter(|((r, _), _)| r == name) {
                row.sent_last_minute += report.sent_last_minute;
                row.failed_last_minute += report.failed_last_minute;
                row.dispatchers += 1;
                if row.seen_at.is_none_or(|seen| seen < report.at) {
                    row.seen_at = Some(report.at);
                    row.rate_per_second = report.rate_per_second;
                    row.connections = report.connections;
                }
            }
            row
        })
        .collect()
}

/// Every reason with its counts of the hour and the day (zeros included, so the board's
/// rows stay put); a reason the database holds that this build does not know comes last.
fn refusal_counts(hour: &[(String, u64)], day: &[(String, u64)]) -> Vec<RefusalCount> {
    let find = |counts: &[(String, u64)], key: &str| {
        counts.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n)
    };
    let mut keys: Vec<String> = IntakeRefusal::ALL
        .iter()
        .map(|r| r.key().to_owned())
        .collect();
    for (key, _) in day.iter().chain(hour) {
        if !keys.contains(key) {
            keys.push(key.clone());
        }
    }
    keys.into_iter()
        .map(|reason| RefusalCount {
            last_hour: find(hour, &reason),
            last_day: find(day, &reason),
            reason,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn relays() -> BTreeMap<String, RelayConfig> {
        [("main", 6, 40), ("backup", 2, 0)]
            .into_iter()
            .map(|(name, connections, rate_per_second)| {
                let config = RelayConfig {
                    connections,
                    rate_per_second,
                    ..RelayConfig::default()
                };
                (name.to_owned(), config)
            })
            .collect()
    }

    fn report(relay: &str, dispatcher: &str, at: DateTime<Utc>, sent: u64) -> RelayActivity {
        RelayActivity {
            relay: relay.into(),
            dispatcher: dispatcher.into(),
            rate_per_second: 20,
            connections: 3,
            sent_last_minute: sent,
            failed_last_minute: 1,
            at,
        }
    }

    #[test]
    fn each_dispatchers_latest_fresh_report_is_summed_per_relay() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap();
        let s = |n: i64| now - TimeDelta::seconds(n);
        let activity = [
            report("main", "a:1", s(4), 100),
            report("main", "a:1", s(2), 120),
            report("main", "b:2", s(1), 30),
            report("main", "c:3", s(11), 999),
            report("elsewhere", "a:1", s(1), 5),
        ];
        let limits = [(
            "backup".to_owned(),
            RelayLimits {
                rate_per_second: 5,
                connections: 1,
            },
        )];
        let rows = relay_rows(&relays(), &limits, &activity, now);
        assert_eq!(
            rows,
            [
                RelayRow {
                    relay: "backup".into(),
                    rate_per_second: 5,
                    connections: 1,
                    sent_last_minute: 0,
                    failed_last_minute: 0,
                    dispatchers: 0,
                    seen_at: None,
                },
                RelayRow {
                    relay: "main".into(),
                    rate_per_second: 20,
                    connections: 3,
                    sent_last_minute: 150,
                    failed_last_minute: 2,
                    dispatchers: 2,
                    seen_at: Some(s(1)),
                },
            ],
            "a:1 counted once (its newest), c:3 stale, an unknown relay ignored"
        );
    }

    #[test]
    fn a_relay_without_reports_shows_its_configured_limits() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap();
        let stale = [report("main", "a:1", now - TimeDelta::seconds(30), 7)];
        let rows = relay_rows(&relays(), &[], &stale, now);
        let main = &rows[1];
        assert_eq!(
            (
                main.rate_per_second,
                main.connections,
                main.sent_last_minute,
                main.dispatchers
            ),
            (40, 6, 0, 0)
        );
    }

    #[test]
    fn every_refusal_reason_is_listed_even_without_refusals() {
        let hour = [("too-big".to_owned(), 1)];
        let day = [("too-big".to_owned(), 4), ("from-the-future".to_owned(), 2)];
        let counts = refusal_counts(&hour, &day);
        assert_eq!(counts.len(), IntakeRefusal::ALL.len() + 1);
        let too_big = counts.iter().find(|c| c.reason == "too-big").unwrap();
        assert_eq!((too_big.last_hour, too_big.last_day), (1, 4));
        assert_eq!(counts.last().unwrap().reason, "from-the-future");
        assert_eq!(counts[0].last_day, 0);
    }
}
