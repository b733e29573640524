//! The pace of a circular's sending, as the delivery page shows it under the counts: the rate
//! and the time left at that rate, the retry queue and the complaints (as facts), the mails
//! finished minute by minute over the last hour (a bar chart, with its numbers in words for
//! those who cannot see it), and the newest failures with the remote servers' words — all from
//! `circulars_operations::CircularBoard`.

use super::view::Fact;
use super::{names, say, Moment};
use crate::console::{PageContext, Words};
use circulars_core::domain::DeliveryState;
use circulars_operations::{CircularBoard, FailureRow, MinuteCount};
use fluent_bundle::FluentValue;

/// The chart's drawing height, in its own units (the bars' tallest).
pub const CHART_HEIGHT: u64 = 100;

/// The width of one minute's bar, gap included, in the chart's units.
pub const BAR_STEP: u64 = 10;

/// One minute's bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// Its left edge.
    pub x: u64,
    /// Its top edge.
    pub y: u64,
    /// Its height.
    pub height: u64,
    /// What it shows, in words (the bar's tooltip).
    pub title: String,
}

/// The mails finished per minute, drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    /// The chart's width in its units.
    pub width: u64,
    /// The chart's height in its units.
    pub height: u64,
    /// One bar per minute, oldest first.
    pub bars: Vec<Bar>,
    /// The chart in words (its accessible name).
    pub label: String,
}

/// A failed or bounced delivery, as the failures table shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailureShown {
    /// The recipient's address.
    pub address: String,
    /// When.
    pub at: Moment,
    /// Failed or bounced, in words.
    pub state: String,
    /// The remote server's reply (code, enhanced code, text) and what else was recorded.
    pub said: String,
}

/// What the delivery page shows of the pace.
#[derive(Clone, Debug)]
pub struct Pace {
    /// The rate, the time left, the retry queue, the complaints.
    pub facts: Vec<Fact>,
    /// The last hour, minute by minute.
    pub chart: Chart,
    /// The newest failures and bounces.
    pub failures: Vec<FailureShown>,
}

/// The pace of `board`, in the language of `page`.
pub fn pace(words: &Words, page: &PageContext, board: &CircularBoard) -> Pace {
    let mut facts = vec![Fact {
        label: page.t("pace-rate"),
        value: say(
            words,
            page,
            "pace-rate-value",
            &[("rate", FluentValue::from(board.per_minute.round() as u64))],
        ),
    }];
    if let Some(seconds) = board.eta_seconds {
        facts.push(Fact {
            label: page.t("pace-time-left"),
            value: say(
                words,
                page,
                "pace-time-left-value",
                &[("minutes", FluentValue::from(seconds.div_ceil(60)))],
            ),
        });
    }
    facts.push(Fact {
        label: page.t("pace-retries"),
        value: match board.retries.next_at {
            Some(next) if board.retries.deferred > 0 => say(
                words,
                page,
                "pace-retries-value",
                &[
                    ("count", FluentValue::from(board.retries.deferred)),
                    ("next", FluentValue::from(Moment::of(next).shown)),
                ],
            ),
            _ => page.t("pace-retries-none"),
        },
    });
    facts.push(Fact {
        label: page.t("pace-complaints"),
        value: board.complaints.to_string(),
    });
    Pace {
        facts,
        chart: chart(words, page, &board.throughput),
        failures: board.failures.iter().map(|f| failure(page, f)).collect(),
    }
}

/// The bars of `minutes`, scaled to the busiest one.
pub fn chart(words: &Words, page: &PageContext, minutes: &[MinuteCount]) -> Chart {
    let peak = minutes.iter().map(|m| m.mails).max().unwrap_or(0);
    let total: u64 = minutes.iter().map(|m| m.mails).sum();
    let bars = minutes
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let height = (m.mails * CHART_HEIGHT).checked_div(peak).unwrap_or(0);
            Bar {
                x: i as u64 * BAR_STEP,
                y: CHART_HEIGHT - height,
                height,
                title: format!("{} UTC: {}", m.minute.format("%H:%M"), m.mails),
            }
        })
        .collect();
    Chart {
        width: minutes.len() as u64 * BAR_STEP,
        height: CHART_HEIGHT,
        bars,
        label: say(
            words,
            page,
            "pace-chart-label",
            &[
                ("total", FluentValue::from(total)),
                ("peak", FluentValue::from(peak)),
            ],
        ),
    }
}

/// A failure row in words.
fn failure(page: &PageContext, row: &FailureRow) -> FailureShown {
    let state = match row.state.as_str() {
        "bounced" => DeliveryState::Bounced,
        _ => DeliveryState::Failed,
    };
    let code = row.code.map(|c| c.to_string());
    let said = [&code, &row.enhanced, &row.text, &row.detail]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    FailureShown {
        address: row.address.clone(),
        at: Moment::of(row.at),
        state: names::delivery_state(page, state),
        said,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeDelta, Utc};
    use std::sync::Arc;

    fn page() -> PageContext {
        PageContext::new(
            Arc::new(Words::embedded().unwrap()),
            &"/staff/circulars/TSB-36/delivery".parse().unwrap(),
            &axum::http::HeaderMap::new(),
        )
    }

    #[test]
    fn the_busiest_minute_fills_the_chart_and_the_chart_says_its_numbers_in_words() {
        let start = DateTime::parse_from_rfc3339("2025-03-12T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let minutes: Vec<MinuteCount> = [0, 40, 80, 20]
            .iter()
            .enumerate()
            .map(|(i, &mails)| MinuteCount {
                minute: start + TimeDelta::minutes(i as i64),
                mails,
            })
            .collect();
        let words = Words::embedded().unwrap();
        let chart = chart(&words, &page(), &minutes);
        let heights: Vec<u64> = chart.bars.iter().map(|b| b.height).collect();
        assert_eq!(heights, [0, 50, 100, 25]);
        assert!(chart.bars.iter().all(|b| b.y + b.height == CHART_HEIGHT));
        assert_eq!(chart.bars[2].title, "09:02 UTC: 80");
        assert_eq!(chart.width, 40);
        assert_eq!(
            chart.label,
            "Mails that reached a final state, minute by minute over the last hour: 140 in all, at most 80 in one minute."
        );
        let empty = super::chart(&words, &page(), &minutes[..1]);
        assert_eq!(empty.bars[0].height, 0, "no division by a zero peak");
    }
}
