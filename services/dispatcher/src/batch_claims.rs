//! The claim of a batch job in the `delivery-claims` bucket, under
//! `<circular>.job.<batch>.<part>` ([`BatchJob::claim_key`]): which dispatcher holds the batch
//! and until when, and each recipient's result once it is known. Created when the job is first
//! taken, then only changed by compare-and-set on its revision, so a dispatcher that lost the
//! batch to another learns it at its next write.
//!
//! A recipient without a result is not done: whoever holds the batch (re)sends it. There is no
//! per-mail `sending` write: the mails sent whose result is not yet written are the only ones
//! a crash can send twice, and each keeps its in-flight permit until the write holding its
//! result is acknowledged.

use async_nats::jetstream::kv;
use chrono::{DateTime, Utc};
use circulars_core::domain::{CircularId, DeliveryState, Recipient, SmtpReply};
use circulars_core::events::{BatchJob, DeliveryOutcome, DeliveryOutcomes};
use circulars_runtime::Failure;
use serde::{Deserialize, Serialize};

/// The value stored under a batch job's claim key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchClaim {
    /// The dispatcher process holding the batch (its random id, see `Dispatcher::owner`).
    pub owner: String,
    /// Until when the owner holds it; extended by each of its writes. Another dispatcher
    /// handed the job takes the batch over only once this has passed.
    pub lease_until: DateTime<Utc>,
    /// When the batch was first taken: the first attempt of each of its deliveries (retries
    /// give up a configured time after it).
    pub first_at: DateTime<Utc>,
    /// Per recipient, in the job's order: its result once known (every result is of the
    /// first attempt; later attempts have claims of their own).
    pub results: Vec<Option<MailResult>>,
}

/// What the first attempt to one recipient of a batch came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailResult {
    /// `sent`, `failed`, `deferred` or `cancelled`.
    pub state: DeliveryState,
    /// The server's reply, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<SmtpReply>,
    /// What failed when no server replied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// When the state was reached.
    pub at: DateTime<Utc>,
    /// The relay of the attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<String>,
    /// For deferred mail: when it is tried again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at: Option<DateTime<Utc>>,
    /// Attempts whose reply was lost after the whole message was sent (see
    /// [`DeliveryOutcome::unconfirmed`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unconfirmed: u32,
}

impl MailResult {
    /// The outcome event of this first attempt to `recipient`.
    fn outcome(&self, circular: &CircularId, recipient: &Recipient) -> DeliveryOutcome {
        DeliveryOutcome {
            circular: circular.clone(),
            address: recipient.address.clone(),
            state: self.state,
            attempt: 1,
            at: self.at,
            reply: self.reply.clone(),
            detail: self.detail.clone(),
            unconfirmed: self.unconfirmed,
            bounce_reason: crate::outcome::failure_reason(self.state, self.reply.as_ref()),
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl BatchClaim {
    /// A claim of `recipients` results not yet known, held by `owner` until `lease_until`.
    pub fn new(
        owner: &str,
        first_at: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        recipients: usize,
    ) -> BatchClaim {
        BatchClaim {
            owner: owner.to_owned(),
            lease_until,
            first_at,
            results: vec![None; recipients],
        }
    }

    /// Whether every recipient has a result.
    pub fn is_complete(&self) -> bool {
        self.results.iter().all(Option::is_some)
    }

    /// The outcome event of a complete claim (`None` while a result is missing).
    pub fn outcomes(&self, job: &BatchJob) -> Option<DeliveryOutcomes> {
        let outcomes = job
            .recipients
            .iter()
            .zip(&self.results)
            .map(|(recipient, result)| result.as_ref().map(|r| r.outcome(&job.circular, recipient)))
            .collect::<Option<Vec<_>>>()?;
        Some(DeliveryOutcomes {
            circular: job.circular.clone(),
            batch: job.batch,
            part: job.part,
            outcomes,
            early: None,
        })
    }

    /// The outcomes known so far, as an early report (see [`DeliveryOutcomes`]).
    pub fn early_outcomes(&self, job: &BatchJob) -> DeliveryOutcomes {
        let outcomes: Vec<DeliveryOutcome> = job
            .recipients
            .iter()
            .zip(&self.results)
            .filter_map(|(recipient, result)| Some((recipient, result.as_ref()?)))
            .map(|(recipient, r)| r.outcome(&job.circular, recipient))
            .collect();
        DeliveryOutcomes {
            circular: job.circular.clone(),
            batch: job.batch,
            part: job.part,
            early: Some(outcomes.len() as u32),
            outcomes,
        }
    }
}

/// Reads the claim under `key` with its revision, if any.
pub async fn read(bucket: &kv::Store, key: &str) -> Result<Option<(BatchClaim, u64)>, Failure> {
    let entry = bucket
        .entry(key)
        .await
        .map_err(|e| Failure::Retry(format!("reading claim {key}: {e}").into()))?;
    let Some(entry) = entry.filter(|e| e.operation == kv::Operation::Put) else {
        return Ok(None);
    };
    let claim = serde_json::from_slice(&entry.value)
        .map_err(|e| Failure::Poison(format!("claim {key} holds no batch claim: {e}").into()))?;
    Ok(Some((claim, entry.revision)))
}

/// Creates the claim under `key`; `None` when a claim exists already.
pub async fn create(
    bucket: &kv::Store,
    key: &str,
    claim: &BatchClaim,
) -> Result<Option<u64>, Failure> {
    match bucket.create(key, encode(claim)?).await {
        Ok(revision) => Ok(Some(revision)),
        Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(Failure::Retry(format!("claiming {key}: {e}").into())),
    }
}

/// Writes `claim` over the one at `revision`; `None` when it changed since (another
/// dispatcher took the batch over).
pub async fn update(
    bucket: &kv::Store,
    key: &str,
    claim: &BatchClaim,
    revision: u64,
) -> Result<Option<u64>, Failure> {
    match bucket.update(key, encode(claim)?, revision).await {
        Ok(revision) => Ok(Some(revision)),
        Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(None),
        Err(e) => Err(Failure::Retry(format!("writing claim {key}: {e}").into())),
    }
}

/// Writes `claim` over the one at `revision` again after a try whose answer never came (the
/// connection, or the NATS node it went through, was lost): that try may have landed. Refused
/// on the revision, the claim is read back, and when it holds exactly `claim`, the earlier try
/// did land and its revision is returned; `None` only when another dispatcher changed it.
pub async fn update_again(
    bucket: &kv::Store,
    key: &str,
    claim: &BatchClaim,
    revision: u64,
) -> Result<Option<u64>, Failure> {
    if let Some(revision) = update(bucket, key, claim, revision).await? {
        return Ok(Some(revision));
    }
    let entry = bucket
        .entry(key)
        .await
        .map_err(|e| Failure::Retry(format!("reading claim {key}: {e}").into()))?;
    let ours = encode(claim)?;
    let landed = entry
        .filter(|e| e.operation == kv::Operation::Put && e.value == ours)
        .map(|e| e.revision);
    if landed.is_some() {
        tracing::info!(key, "the claim write had landed; only its answer was lost");
    }
    Ok(landed)
}

fn encode(claim: &BatchClaim) -> Result<bytes::Bytes, Failure> {
    serde_json::to_vec(claim)
        .map(Into::into)
        .map_err(|e| Failure::Poison(format!("cannot encode claim: {e}").into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::domain::{Language, Recipient, RecipientAddress};

    fn job(n: usize) -> BatchJob {
        BatchJob {
            circular: "TSB-36".parse().unwrap(),
            batch: 3,
            part: 2,
            recipients: (0..n)
                .map(|i| Recipient {
                    address: RecipientAddress::parse(&format!("r{i}@example.org")).unwrap(),
                    name: format!("R {i}"),
                    language: Language::En,
                    addressee: "Administration of Freedonia".parse().unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_outcome_event_exists_only_once_every_recipient_has_a_result() {
        let now = Utc::now();
        let job = job(2);
        let mut claim = BatchClaim::new("d1", now, now, 2);
        let sent = MailResult {
            state: DeliveryState::Sent,
            reply: Some(SmtpReply::new(250, "2.0.0 Ok: queued as 1")),
            detail: None,
            at: now,
            relay: Some("main".into()),
            next_at: None,
            unconfirmed: 0,
        };
        claim.results[1] = Some(sent.clone());
        assert!(!claim.is_complete());
        assert_eq!(claim.outcomes(&job), None);
        claim.results[0] = Some(MailResult {
            state: DeliveryState::Deferred,
            next_at: Some(now),
            ..sent
        });
        let outcomes = claim.outcomes(&job).unwrap();
        let states: Vec<_> = outcomes.outcomes.iter().map(|o| o.state).collect();
        assert_eq!(states, [DeliveryState::Deferred, DeliveryState::Sent]);
        assert_eq!(outcomes.outcomes[1].address, job.recipients[1].address);
    }

    #[test]
    fn a_result_not_yet_known_is_written_as_null_and_read_back() {
        let now = Utc::now();
        let claim = BatchClaim::new("d1", now, now, 3);
        let text = serde_json::to_string(&claim).unwrap();
        assert!(text.contains(r#""results":[null,null,null]"#), "{text}");
        assert_eq!(serde_json::from_str::<BatchClaim>(&text).unwrap(), claim);
    }
}
