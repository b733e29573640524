//! The claim on a delivery key in the `delivery-claims` bucket: taken before SMTP, made final
//! after it, and read on every redelivery, so a key already sent is never sent again, also
//! after JetStream's de-duplication window has passed.

use async_nats::jetstream::kv;
use chrono::{DateTime, Utc};
use circulars_shared::domain::{DeliveryKey, DeliveryState, SmtpReply};
use circulars_shared::events::DeliveryOutcome;
use circulars_shared::service::Failure;
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
        }
    }
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claim {
    /// Ours now, at this revision.
    Claimed(u64),
    /// Already sent or failed: nothing to send.
    AlreadyFinal(ClaimRecord),
    /// Another dispatcher changed the claim in the meantime: try later.
    Busy,
}

/// Claims `key` for `attempt`. A claim left at `sending` by a dispatcher that died is taken
/// over: that mail may have been accepted, which is the one duplicate the design allows.
pub async fn claim(bucket: &kv::Store, key: &DeliveryKey, attempt: u32) -> Result<Claim, Failure> {
    let claim_key = key.claim_key();
    let sending = ClaimRecord {
        state: DeliveryState::Sending,
        attempt,
        reply: None,
        detail: None,
        at: Utc::now(),
    };
    let value = encode(&sending)?;
    let entry = bucket
        .entry(claim_key.as_str())
        .await
        .map_err(|e| Failure::Retry(format!("reading claim {claim_key}: {e}")))?;
    match entry.filter(|e| e.operation == kv::Operation::Put) {
        None => match bucket.create(&claim_key, value).await {
            Ok(revision) => Ok(Claim::Claimed(revision)),
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(Claim::Busy),
            Err(e) => Err(Failure::Retry(format!("claiming {claim_key}: {e}"))),
        },
        Some(entry) => {
            let record: ClaimRecord = serde_json::from_slice(&entry.value).map_err(|e| {
                Failure::Poison(format!("claim {claim_key} holds no claim record: {e}"))
            })?;
            if record.state.is_final() {
                return Ok(Claim::AlreadyFinal(record));
            }
            match bucket.update(&claim_key, value, entry.revision).await {
                Ok(revision) => Ok(Claim::Claimed(revision)),
                Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(Claim::Busy),
                Err(e) => Err(Failure::Retry(format!("claiming {claim_key}: {e}"))),
            }
        }
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
        .map_err(|e| Failure::Retry(format!("recording claim {claim_key}: {e}")))
}

fn encode(record: &ClaimRecord) -> Result<bytes::Bytes, Failure> {
    serde_json::to_vec(record)
        .map(Into::into)
        .map_err(|e| Failure::Poison(format!("cannot encode claim: {e}")))
}
