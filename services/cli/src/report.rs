//! `status`: a circular's delivery counts, dispatch state and returned mail, as `status` and
//! `run-sample` print them.

use anyhow::Result;
use circulars_contacts::explain::returned_line;
use circulars_core::config::Config;
use circulars_core::domain::{Category, CircularId, DeliveryState};
use circulars_core::nats::control::DispatchState;
use circulars_store::{CircularStatus, DeliveryReport, StateCounts, Store};
use serde_json::{json, Map, Value};
use std::fmt::Write;

/// The status as tables: totals per state, then per language and per category.
/// What operators set for a circular's sending, as far as `status` could learn it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dispatch {
    /// A draft: nothing to send.
    NotIssued,
    /// Read from the control bucket.
    Known(DispatchState),
    /// nats-server could not be asked (the counts come from the database alone).
    Unknown(String),
}

impl Dispatch {
    /// The line `status` prints about it, if any (nothing for a circular sending normally).
    fn line(&self, circular: &str) -> Option<String> {
        match self {
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

    fn wire_name(&self) -> Option<&'static str> {
        match self {
            Dispatch::Known(state) => Some(state.wire_name()),
            Dispatch::NotIssued | Dispatch::Unknown(_) => None,
        }
    }
}

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
    if let Some(line) = dispatch.line(s.circular.as_str()) {
        let _ = writeln!(out, "{line}");
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

/// The returned mail as JSON objects.
pub fn returned_json(returned: &[DeliveryReport]) -> Value {
    Value::Array(
        returned
            .iter()
            .map(|r| {
                json!({
                    "address": r.delivery.address.as_str(),
                    "kind": r.kind.wire_name(),
                    "status": r.status,
                    "diagnostic": r.diagnostic,
                    "remote_mta": r.remote_mta,
                    "feedback_type": r.feedback_type,
                    "at": r.at,
                    "report": r.report,
                })
            })
            .collect(),
    )
}

/// The status as JSON: the same counts, keyed by wire names.
pub fn status_json(s: &CircularStatus, dispatch: &Dispatch) -> Value {
    let counts = |c: &StateCounts| {
        let mut m: Map<String, Value> =
            c.0.iter()
                .map(|(st, n)| (st.wire_name().to_owned(), json!(n)))
                .collect();
        m.insert("total".into(), json!(c.total()));
        Value::Object(m)
    };
    json!({
        "circular": s.circular.as_str(),
        "issued_at": s.issued_at,
        "audience": s.audience,
        "excluded": s.excluded,
        "complete": s.is_complete(),
        "dispatch": dispatch.wire_name(),
        "total": counts(&s.total),
        "by_language": s.by_language.iter().map(|(l, c)| (l.code().to_owned(), counts(c))).collect::<Map<_, _>>(),
        "by_category": s.by_category.iter().map(|(k, c)| (k.id().to_owned(), counts(c))).collect::<Map<_, _>>(),
        "category_rows_overlap": true,
    })
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
    let dispatch = if status.issued_at.is_some() {
        crate::dispatch::state_of(config, circular).await
    } else {
        Dispatch::NotIssued
    };
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
