//! `delivery.batch`: what happened to every delivery of one batch job, in one event, for the
//! tracker (which records it as it records as many [`DeliveryOutcome`]s).

use super::{Contract, DeliveryOutcome};
use crate::domain::CircularId;
use serde::{Deserialize, Serialize};

/// The subject: under `delivery.`, so the `DELIVERIES` stream keeps it and the tracker reads
/// it beside the single outcomes (`delivery.<state>`; no state is named `batch`).
pub const SUBJECT: &str = "delivery.batch";

/// The outcomes of a batch job's first attempt, published once every recipient of the job has
/// one (sent, failed, deferred or cancelled). Its content is fixed once published: it is read
/// from the job's complete claim, so a re-publish carries the same outcomes under the same id.
///
/// A batch that takes long (a slow or rate-limited relay) also reports early, at most once a
/// second, the outcomes its claim holds so far (`early`: how many), so the records and the
/// dashboard move while it is sent. An early report is a view ahead of time: the complete
/// report still carries every outcome, and recording one twice changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryOutcomes {
    /// The circular.
    pub circular: CircularId,
    /// The recipient batch of the job.
    pub batch: u32,
    /// The job's part of it.
    pub part: u32,
    /// One outcome per recipient of the job, in the job's order (an early report: those
    /// known so far).
    pub outcomes: Vec<DeliveryOutcome>,
    /// On an early report, the number of outcomes the claim held when it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early: Option<u32>,
}

impl Contract for DeliveryOutcomes {
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        SUBJECT.to_owned()
    }

    /// `<circular>:outcomes:<batch>:<part>`, and `…:early:<n>` for an early report.
    fn msg_id(&self) -> String {
        let id = format!("{}:outcomes:{}:{}", self.circular, self.batch, self.part);
        match self.early {
            Some(n) => format!("{id}:early:{n}"),
            None => id,
        }
    }
}
