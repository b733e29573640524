//! The claim on a delivery key in the `delivery-claims` bucket: taken before SMTP, made final
//! after it, and read on every redelivery, so a key already sent is never sent again, also
//! after JetStream's de-duplication window has passed.

use async_nats::jetstream::kv;
use chrono::{DateTime, Utc};
use circulars_core::domain::{DeliveryKey, DeliveryState, SmtpReply};
use circulars_core::events::DeliveryOutcome;
use circulars_runtime::Failure;
use serde::{Deserialize, Serialize};

/// The value stored under a delivery's claim key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRecord {
    /// `sending` while SMTP is under way; then `sent`, `deferred` or `failed`.
    pub state: DeliveryState,
    /// The attempt.
    pub attempt: u32,
    /// The server's reply, when there was one.
    pub reply: Option<SmtpReply>,
    /// What failed when no server replied.
    pub detail: Option<String>,
    /// When the state was reached.
    pub at: DateTime<Utc>,
    /// When the first attempt began (retries give up a configured time after it).
    #[serde(default)]
    pub first_at: Option<DateTime<Utc>>,
    /// When a deferred mail is tried again.
    #[serde(default)]
    pub next_at: Option<DateTime<Utc>>,
    /// The relay of the attempt.
    #[serde(default)]
    pub relay: Option<String>,
    /// Attempts whose reply was lost after the whole message was sent (see
    /// [`DeliveryOutcome::unconfirmed`]).
    #[serde(default)]
    pub unconfirmed: u32,
}

impl ClaimRecord {
    /// The outcome event this record stands for.
    pub fn outcome(&self, key: &DeliveryKey) -> DeliveryOutcome {
        DeliveryOutcome {
            circular: key.circular.clone(),
            address: key.address.clone(),
            state: self.state,
            attempt: self.attempt,
            at: self.at,
            reply: self.reply.clone(),
            detail: self.detail.clone(),
            unconfirmed: self.unconfirmed,
            bounce_reason: crate::outcome::failure_reason(self.state, self.reply.as_ref()),
        }
    }
}

/// A claim as read, with the revision to take it over at.
#[derive(Debug, Clone)]
pub struct Found {
    /// The record.
    pub record: ClaimRecord,
    /// Its revision in the bucket.
    pub revision: u64,
}

/// Reads the claim of `key`, if any.
pub async fn read(bucket: &kv::Store, key: &DeliveryKey) -> Result<Option<Found>, Failure> {
    let claim_key = key.claim_key();
    let entry = bucket
        .entry(claim_key.as_str())
        .await
        .map_err(|e| Failure::Retry(format!("reading claim {claim_key}: {e}").into()))?;
    let Some(entry) = entry.filter(|e| e.operation == kv::Operation::Put) else {
        return Ok(None);
    };
    let record = serde_json::from_slice(&entry.value).map_err(|e| {
        Failure::Poison(format!("claim {claim_key} holds no claim record: {e}").into())
    })?;
    Ok(Some(Found {
        record,
        revision: entry.revision,
    }))
}

/// Writes `record` as the claim of `key` if it is still as `previous` found it; `None` when
/// another dispatcher changed it in the meantime (it is theirs now).
pub async fn take(
    bucket: &kv::Store,
    key: &DeliveryKey,
    previous: Option<&Found>,
    record: &ClaimRecord,
) -> Result<Option<u64>, Failure> {
    let claim_key = key.claim_key();
    let value = encode(record)?;
    match previous {
        None => match bucket.create(&claim_key, value).await {
            Ok(revision) => Ok(Some(revision)),
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(Failure::Retry(format!("claiming {claim_key}: {e}").into())),
        },
        Some(found) => match bucket.update(&claim_key, value, found.revision).await {
            Ok(revision) => Ok(Some(revision)),
            Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(None),
            Err(e) => Err(Failure::Retry(format!("claiming {claim_key}: {e}").into())),
        },
    }
}

/// Writes the attempt's result over the claim taken at `revision`.
pub async fn record(
    bucket: &kv::Store,
    key: &DeliveryKey,
    revision: u64,
    record: &ClaimRecord,
) -> Result<(), Failure> {
    let claim_key = key.claim_key();
    bucket
        .update(&claim_key, encode(record)?, revision)
        .await
        .map(|_| ())
        .map_err(|e| Failure::Retry(format!("recording claim {claim_key}: {e}").into()))
}

fn encode(record: &ClaimRecord) -> Result<bytes::Bytes, Failure> {
    serde_json::to_vec(record)
        .map(Into::into)
        .map_err(|e| Failure::Poison(format!("cannot encode claim: {e}").into()))
}
