//! `mail.outbound.<circular>`: mail to send, in one of two shapes, never the mail itself (the
//! language version is stored once):
//! - a [`BatchJob`]: the first attempt of up to [`JOB_SIZE`] recipients, one part of a
//!   recipient batch, claimed as a whole under [`BatchJob::claim_key`];
//! - a [`RetryJob`]: a later attempt of one delivery, claimed under its delivery key.
//!
//! Version 2. Version 1 carried one recipient and its attempt (the shape of [`RetryJob`]); a
//! version-1 job still queued when the dispatcher is upgraded is read as a [`RetryJob`] and
//! handled, attempt 1 included, through its delivery's own claim.

use super::{Contract, EventError};
use crate::domain::{CircularId, DeliveryKey, Recipient};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The subject prefix; the circular id follows, so one circular can be paused on its own.
pub const SUBJECT_PREFIX: &str = "mail.outbound.";

/// How many recipients one batch job carries at most: a [`super::RecipientBatch`] of 500 is
/// queued as ten jobs. Tens, so that one claim write, one outcome event and one job message
/// serve many mails, yet a batch still finishes in seconds at a relay's pace.
pub const JOB_SIZE: usize = 50;

/// Mail to send for one circular.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailJob {
    /// The first attempt of a part of a recipient batch.
    Batch(BatchJob),
    /// A later attempt of one delivery (deferred before).
    Retry(RetryJob),
}

/// The first attempt to send the circular to part of one recipient batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchJob {
    /// The circular.
    pub circular: CircularId,
    /// The recipient batch it comes from (see [`super::RecipientBatch::batch`]).
    pub batch: u32,
    /// Which part of that batch, from 1 ([`JOB_SIZE`] recipients a part, the last fewer).
    pub part: u32,
    /// Who gets it and in which language, in the batch's order.
    pub recipients: Vec<Recipient>,
}

impl BatchJob {
    /// The parts of a recipient batch: `recipients` cut into jobs of [`JOB_SIZE`], numbered
    /// from 1, always the same way for the same batch.
    pub fn parts(circular: &CircularId, batch: u32, recipients: &[Recipient]) -> Vec<BatchJob> {
        recipients
            .chunks(JOB_SIZE)
            .zip(1..)
            .map(|(chunk, part)| BatchJob {
                circular: circular.clone(),
                batch,
                part,
                recipients: chunk.to_vec(),
            })
            .collect()
    }

    /// The key of its claim in the `delivery-claims` bucket: `<circular>.job.<batch>.<part>`
    /// (a delivery's key is `<circular>.<hex digits>`, which never holds `job`).
    pub fn claim_key(&self) -> String {
        format!("{}.job.{}.{}", self.circular, self.batch, self.part)
    }

    /// The delivery key of each recipient, in order.
    pub fn keys(&self) -> impl Iterator<Item = DeliveryKey> + '_ {
        self.recipients
            .iter()
            .map(|r| DeliveryKey::new(self.circular.clone(), r.address.clone()))
    }
}

/// A later attempt to send the circular to one recipient. Parked as this in the database
/// (`delivery_retries`) until it is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryJob {
    /// The circular.
    pub circular: CircularId,
    /// Who gets it and in which language.
    pub recipient: Recipient,
    /// The attempt this is, from 2 (1 only for a job queued by an earlier version).
    pub attempt: u32,
    /// When the first attempt began, when it was made in a batch (whose claim holds it): the
    /// retries give up a configured time after it. Later attempts read it from the
    /// delivery's own claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_at: Option<DateTime<Utc>>,
    /// Earlier attempts whose reply was lost after the whole message was sent: the relay may
    /// have the mail, so it is tried again only `smtp.unconfirmed_retries` times in all.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unconfirmed: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl RetryJob {
    /// The delivery this job is for.
    pub fn key(&self) -> DeliveryKey {
        DeliveryKey::new(self.circular.clone(), self.recipient.address.clone())
    }
}

impl MailJob {
    /// The circular.
    pub fn circular(&self) -> &CircularId {
        match self {
            MailJob::Batch(b) => &b.circular,
            MailJob::Retry(r) => &r.circular,
        }
    }
}

impl Contract for MailJob {
    const VERSION: u16 = 2;

    fn subject(&self) -> String {
        format!("{SUBJECT_PREFIX}{}", self.circular())
    }

    /// `<circular>:job:<batch>:<part>` for a batch job; `<circular>:<address>:<n>` for a retry
    /// (`<circular>:<address>` for attempt 1, as version 1 had it).
    fn msg_id(&self) -> String {
        match self {
            MailJob::Batch(b) => format!("{}:job:{}:{}", b.circular, b.batch, b.part),
            MailJob::Retry(r) if r.attempt <= 1 => r.key().job_msg_id(),
            MailJob::Retry(r) => r.key().retry_msg_id(r.attempt),
        }
    }

    /// Reads version 2, and version 1 (one recipient) as a [`RetryJob`].
    fn decode(subject: &str, bytes: &[u8]) -> Result<Self, EventError> {
        #[derive(Deserialize)]
        struct Version {
            v: u16,
        }
        let malformed = |source| EventError::Malformed {
            subject: subject.to_owned(),
            source,
        };
        let Version { v } = serde_json::from_slice(bytes).map_err(malformed)?;
        match v {
            1 => serde_json::from_slice::<RetryJob>(bytes)
                .map(MailJob::Retry)
                .map_err(malformed),
            Self::VERSION => {
                #[derive(Deserialize)]
                struct Versioned {
                    #[serde(flatten)]
                    body: MailJob,
                }
                serde_json::from_slice::<Versioned>(bytes)
                    .map(|w| w.body)
                    .map_err(malformed)
            }
            found => Err(EventError::Version {
                subject: subject.to_owned(),
                found,
                known: Self::VERSION,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Language, RecipientAddress};

    fn recipient(n: usize) -> Recipient {
        Recipient {
            address: RecipientAddress::parse(&format!("r{n}@example.org")).unwrap(),
            name: format!("R {n}"),
            language: Language::En,
            addressee: "Administration of Freedonia".parse().unwrap(),
        }
    }

    #[test]
    fn a_recipient_batch_is_cut_into_numbered_parts_of_the_job_size() {
        let circular: CircularId = "TSB-36".parse().unwrap();
        let recipients: Vec<Recipient> = (0..123).map(recipient).collect();
        let parts = BatchJob::parts(&circular, 7, &recipients);
        let sizes: Vec<(u32, usize)> = parts.iter().map(|p| (p.part, p.recipients.len())).collect();
        assert_eq!(sizes, [(1, 50), (2, 50), (3, 23)]);
        assert_eq!(parts[2].recipients[0], recipients[100]);
        assert_eq!(parts[1].claim_key(), "TSB-36.job.7.2");
        assert_eq!(MailJob::Batch(parts[1].clone()).msg_id(), "TSB-36:job:7:2");
    }

    #[test]
    fn a_version_1_job_is_read_as_a_retry_of_its_attempt() {
        // What version 1 wrote: one recipient and its attempt.
        let mut v1 = serde_json::json!({"v": 1, "circular": "TSB-36", "attempt": 1});
        v1["recipient"] = serde_json::to_value(recipient(1)).unwrap();
        let v1 = serde_json::to_vec(&v1).unwrap();
        let job = MailJob::decode("mail.outbound.TSB-36", &v1).unwrap();
        let MailJob::Retry(retry) = &job else {
            panic!("{job:?}")
        };
        assert_eq!((retry.attempt, retry.first_at), (1, None));
        assert_eq!(job.msg_id(), "TSB-36:r1@example.org");
    }

    #[test]
    fn both_shapes_round_trip_with_their_kind() {
        let retry = MailJob::Retry(RetryJob {
            circular: "TSB-36".parse().unwrap(),
            recipient: recipient(1),
            attempt: 3,
            first_at: Some(Utc::now()),
            unconfirmed: 1,
        });
        let bytes = retry.encode().unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains(r#""kind":"retry""#));
        assert_eq!(
            MailJob::decode("mail.outbound.TSB-36", &bytes).unwrap(),
            retry
        );
        assert_eq!(retry.msg_id(), "TSB-36:r1@example.org:3");
    }
}
