//! A circular's status as JSON, built once for `circulars status --json` and the operations
//! dashboard, with the dispatch state operators set for it.

use circulars_core::nats::control::DispatchState;
use circulars_core::nats::Bus;
use circulars_store::{CircularStatus, DeliveryReport, StateCounts};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// What operators set for a circular's sending, as far as could be learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dispatch {
    /// A draft: nothing to send.
    NotIssued,
    /// Read from the control bucket.
    Known(DispatchState),
    /// nats-server could not be asked (the counts come from the database alone); why.
    Unknown(String),
}

impl Dispatch {
    /// The dispatch state's wire name (`running`, `paused`, `cancelled`), when known.
    pub fn wire_name(&self) -> Option<&'static str> {
        match self {
            Dispatch::Known(state) => Some(state.wire_name()),
            Dispatch::NotIssued | Dispatch::Unknown(_) => None,
        }
    }
}

/// How long [`dispatch_of`] waits for nats-server before saying it does not know.
pub const DISPATCH_WAIT: Duration = Duration::from_secs(2);

/// The dispatch state of the circular of `status`: [`Dispatch::NotIssued`] for a draft,
/// otherwise asked of nats-server through `bus` (at most [`DISPATCH_WAIT`]), or
/// [`Dispatch::Unknown`] with the reason when there is no bus or it does not answer.
pub async fn dispatch_of(bus: Option<&Bus>, status: &CircularStatus) -> Dispatch {
    if status.issued_at.is_none() {
        return Dispatch::NotIssued;
    }
    let Some(bus) = bus else {
        return Dispatch::Unknown("no connection to nats-server".to_owned());
    };
    match tokio::time::timeout(DISPATCH_WAIT, bus.dispatch_state(&status.circular)).await {
        Ok(Ok(state)) => Dispatch::Known(state),
        Ok(Err(e)) => Dispatch::Unknown(e.to_string()),
        Err(_) => Dispatch::Unknown(format!(
            "nats-server did not answer within {} s",
            DISPATCH_WAIT.as_secs()
        )),
    }
}

/// The status as JSON: counts per state in total, per language and per category, keyed by
/// wire names, with `total` in each, the audience, whether delivery is complete and the
/// dispatch state.
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
        "unconfirmed": s.unconfirmed,
        "bounce_reasons": s.bounce_reasons.iter().map(|(r, n)| (r.as_str().to_owned(), json!(n))).collect::<Map<_, _>>(),
        "failure_reasons": s.failure_reasons.iter().map(|(r, n)| (r.as_str().to_owned(), json!(n))).collect::<Map<_, _>>(),
        "complete": s.is_complete(),
        "dispatch": dispatch.wire_name(),
        "total": counts(&s.total),
        "by_language": s.by_language.iter().map(|(l, c)| (l.code().to_owned(), counts(c))).collect::<Map<_, _>>(),
        "by_category": s.by_category.iter().map(|(k, c)| (k.id().to_owned(), counts(c))).collect::<Map<_, _>>(),
        "category_rows_overlap": true,
    })
}

/// Returned mail as JSON objects, in the order given: the address, the kind of report, what
/// the remote server said and when.
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
                    "bounce_reason": r.bounce_reason,
                    "at": r.at,
                    "report": r.report,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::domain::DeliveryState;

    fn status(issued: bool) -> CircularStatus {
        let mut total = StateCounts::default();
        total.0.insert(DeliveryState::Sent, 3);
        total.0.insert(DeliveryState::Deferred, 1);
        CircularStatus {
            circular: "TSB-36".parse().unwrap(),
            issued_at: issued.then(chrono::Utc::now),
            audience: Some(4),
            excluded: 1,
            unconfirmed: 0,
            bounce_reasons: Default::default(),
            failure_reasons: Default::default(),
            total,
            by_language: Default::default(),
            by_category: Default::default(),
        }
    }

    #[tokio::test]
    async fn a_draft_has_no_dispatch_state_and_an_issued_circular_without_a_bus_is_unknown() {
        assert_eq!(dispatch_of(None, &status(false)).await, Dispatch::NotIssued);
        assert!(matches!(
            dispatch_of(None, &status(true)).await,
            Dispatch::Unknown(why) if why.contains("nats-server")
        ));
    }

    #[test]
    fn the_json_counts_by_wire_name_with_totals_and_says_whether_delivery_is_complete() {
        let value = status_json(&status(true), &Dispatch::Known(DispatchState::Paused));
        assert_eq!(value["total"]["sent"], 3);
        assert_eq!(value["total"]["deferred"], 1);
        assert_eq!(value["total"]["total"], 4);
        assert_eq!(value["complete"], false);
        assert_eq!(value["dispatch"], "paused");
        let unknown = status_json(&status(true), &Dispatch::Unknown("down".into()));
        assert_eq!(unknown["dispatch"], Value::Null);
    }
}
