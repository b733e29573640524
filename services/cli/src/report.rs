//! `status`: a circular's delivery counts, dispatch state and returned mail, as `status` and
//! `run-sample` print them.

use anyhow::Result;
use circulars_contacts::explain::returned_line;
use circulars_core::config::Config;
use circulars_core::domain::{Category, CircularId, DeliveryState};
use circulars_core::nats::control::DispatchState;
use circulars_operations::status::{returned_json, status_json, Dispatch};
use circulars_store::{CircularStatus, DeliveryReport, StateCounts, Store};
use std::fmt::Write;

/// The line `status` prints about the dispatch state, if any (nothing for a circular sending
/// normally).
fn dispatch_line(dispatch: &Dispatch, circular: &str) -> Option<String> {
    match dispatch {
        Dispatch::NotIssued | Dispatch::Known(DispatchState::Running) => None,
        Dispatch::Known(DispatchState::Paused) => Some(format!(
            "paused: nothing more is sent until `circulars resume {circular}`"
        )),
        Dispatch::Known(DispatchState::Cancelled) => {
            Some("cancelled: every mail not yet sent is recorded as cancelled".to_owned())
        }
        Dispatch::Unknown(why) => Some(format!("paused or cancelled: unknown ({why})")),
    }
}

/// The status as tables: totals per state, then per language and per category.
pub fn status_text(s: &CircularStatus, dispatch: &Dispatch) -> String {
    let mut out = String::new();
    let issued = s
        .issued_at
        .map(|t| format!("issued {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_else(|| "draft, not issued".into());
    let audience = match s.audience {
        Some(n) => format!(
            "{n} recipients in the frozen audience, {} left out (unsubscribed)",
            s.excluded
        ),
        None if s.issued_at.is_some() => "audience being resolved".into(),
        None => "no audience yet".into(),
    };
    let _ = writeln!(out, "{}: {issued}; {audience}", s.circular);
    if let Some(line) = dispatch_line(dispatch, s.circular.as_str()) {
        let _ = writeln!(out, "{line}");
    }
    if s.unconfirmed > 0 {
        let _ = writeln!(
            out,
            "{} of the sent are unconfirmed: the relay's reply was lost after the message was sent, so it may have been delivered more than once",
            s.unconfirmed
        );
    }
    for (state, counts) in [
        ("bounced", &s.bounce_reasons),
        ("failed", &s.failure_reasons),
    ] {
        if !counts.is_empty() {
            let reasons: Vec<String> = counts
                .iter()
                .map(|(reason, n)| format!("{n} {reason}"))
                .collect();
            let _ = writeln!(out, "{state}, by reason: {}", reasons.join(", "));
        }
    }
    let states: Vec<DeliveryState> = s.total.states_present();
    let header = |first: &str| {
        let mut h = format!("{first:<28}");
        for st in &states {
            let _ = write!(h, "{:>10}", st.wire_name());
        }
        h + &format!("{:>10}\n", "total")
    };
    let row = |label: &str, counts: &StateCounts| {
        let mut r = format!("{label:<28}");
        for st in &states {
            let _ = write!(r, "{:>10}", counts.get(*st));
        }
        r + &format!("{:>10}\n", counts.total())
    };
    out.push('\n');
    out.push_str(&header("recipients"));
    out.push_str(&row("all (distinct recipients)", &s.total));
    out.push('\n');
    out.push_str(&header("language"));
    for (language, counts) in &s.by_language {
        out.push_str(&row(language.code(), counts));
    }
    out.push('\n');
    out.push_str(&header("category"));
    let mut categories: Vec<(&Category, &StateCounts)> = s.by_category.iter().collect();
    categories.sort_by_key(|(c, _)| c.rank());
    for (category, counts) in categories {
        out.push_str(&row(category.id(), counts));
    }
    out.push_str(
        "(a recipient in several categories is counted in each: category rows may overlap)\n",
    );
    out
}

/// How many of a circular's returned mails `status` lists.
pub const RETURNED_SHOWN: usize = 20;

/// The returned mail of a circular, newest first, one line each with the remote server's words;
/// nothing when there is none. `returned` holds at most [`RETURNED_SHOWN`] + 1 (one more says
/// that there are more).
pub fn returned_text(returned: &[DeliveryReport]) -> String {
    let mut out = String::new();
    if returned.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nreturned mail (newest first)");
    for r in returned.iter().take(RETURNED_SHOWN) {
        let _ = writeln!(out, "  {}: {}", r.delivery.address, returned_line(r));
    }
    if returned.len() > RETURNED_SHOWN {
        let _ = writeln!(
            out,
            "  … and more: `circulars status {} --json` lists them all",
            returned[0].delivery.circular
        );
    }
    out
}

/// `circulars status ID [--json]`: the circular's counts, its dispatch state and the newest
/// returned mail (all of it with `--json`).
pub async fn status(
    config: &Config,
    store: &Store,
    circular: &CircularId,
    json: bool,
) -> Result<()> {
    let status = store.circular_status(circular).await?;
    let dispatch = crate::dispatch::state_of(config, &status).await;
    if json {
        let mut value = status_json(&status, &dispatch);
        let returned = store.circular_reports(circular, usize::MAX >> 1).await?;
        value["returned"] = returned_json(&returned);
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        let returned = store.circular_reports(circular, RETURNED_SHOWN + 1).await?;
        print!("{}", status_text(&status, &dispatch));
        print!("{}", returned_text(&returned));
    }
    Ok(())
}
