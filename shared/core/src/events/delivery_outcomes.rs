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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryOutcomes {
    /// The circular.
    pub circular: CircularId,
    /// The recipient batch of the job.
    pub batch: u32,
    /// The job's part of it.
    pub part: u32,
    /// One outcome per recipient of the job, in the job's order.
    pub outcomes: Vec<DeliveryOutcome>,
}

impl Contract for DeliveryOutcomes {
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        SUBJECT.to_owned()
    }

    /// `<circular>:outcomes:<batch>:<part>`.
    fn msg_id(&self) -> String {
        format!("{}:outcomes:{}:{}", self.circular, self.batch, self.part)
    }
}
