//! The event contracts: every NATS subject the services exchange, its payload and its
//! `Nats-Msg-Id` rule, defined once here and used everywhere.
//!
//! | subject                         | payload            | stream          | Nats-Msg-Id                               |
//! |---------------------------------|--------------------|-----------------|-------------------------------------------|
//! | `circular.issued`               | [`CircularIssued`] | `CIRCULARS`     | `<circular>:issued`                       |
//! | `circular.recipients.<circular>`| [`RecipientBatch`] | `CIRCULARS`     | `<circular>:recipients:<batch>`           |
//! | `mail.outbound.<circular>`      | [`MailJob`]        | `MAIL_OUTBOUND` | `<circular>:job:<batch>:<part>`; a retry `<circular>:<address>:<n>`|
//! | `delivery.<state>`              | [`DeliveryOutcome`]| `DELIVERIES`    | `<circular>:<address>:<state>:<attempt>`  |
//! | `delivery.batch`                | [`DeliveryOutcomes`]| `DELIVERIES`   | `<circular>:outcomes:<batch>:<part>`      |
//! | `report.received`               | [`ReportReceived`] | `REPORTS`       | `<report>:received`                       |
//! | `relay-activity.<relay>`        | [`RelayActivity`]  | none: core NATS | none (every [`RELAY_ACTIVITY_INTERVAL`])  |
//! | `progress.<circular>`           | a circular's status| none: core NATS | none (see [`PROGRESS_PREFIX`])            |
//!
//! Every payload is JSON with a version field `v`; a consumer refuses versions it does not know.

mod circular_issued;
mod delivery_outcome;
mod delivery_outcomes;
mod mail_job;
mod recipient_batch;
mod relay_activity;
mod report_received;

pub use circular_issued::CircularIssued;
pub use delivery_outcome::DeliveryOutcome;
pub use delivery_outcomes::{DeliveryOutcomes, SUBJECT as DELIVERY_OUTCOMES_SUBJECT};
pub use mail_job::{BatchJob, MailJob, RetryJob, JOB_SIZE, SUBJECT_PREFIX as MAIL_JOB_PREFIX};

/// Core NATS (not JetStream) subject prefix of a circular's delivery progress: the tracker
/// publishes the circular's status (`store::CircularStatus` as JSON) on `progress.<circular>`
/// after it records outcomes, at most once a second and when the circular is complete.
pub const PROGRESS_PREFIX: &str = "progress.";
pub use recipient_batch::{RecipientBatch, BATCH_SIZE};
pub use relay_activity::{
    RelayActivity, INTERVAL as RELAY_ACTIVITY_INTERVAL, SUBJECT_PREFIX as RELAY_ACTIVITY_PREFIX,
};
pub use report_received::ReportReceived;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A payload that travels on a NATS subject.
pub trait Contract: Serialize + DeserializeOwned {
    /// The payload version this code writes and reads.
    const VERSION: u16;

    /// The subject to publish this payload on.
    fn subject(&self) -> String;

    /// The `Nats-Msg-Id` that lets JetStream drop a re-publish of the same fact.
    fn msg_id(&self) -> String;

    /// The JSON bytes on the wire, with the version field.
    fn encode(&self) -> Result<Vec<u8>, EventError> {
        serde_json::to_vec(&Versioned {
            v: Self::VERSION,
            body: self,
        })
        .map_err(EventError::Encode)
    }

    /// Reads a payload received on `subject`, refusing unknown versions and malformed JSON.
    fn decode(subject: &str, bytes: &[u8]) -> Result<Self, EventError> {
        let malformed = |source| EventError::Malformed {
            subject: subject.to_owned(),
            source,
        };
        let Version { v } = serde_json::from_slice(bytes).map_err(malformed)?;
        if v != Self::VERSION {
            return Err(EventError::Version {
                subject: subject.to_owned(),
                found: v,
                known: Self::VERSION,
            });
        }
        let Versioned { body, .. } =
            serde_json::from_slice::<Versioned<Self>>(bytes).map_err(malformed)?;
        Ok(body)
    }
}

/// Why an event could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The payload could not be serialised (a bug, not bad input).
    #[error("cannot encode event: {0}")]
    Encode(#[source] serde_json::Error),
    /// The bytes are not the payload the subject carries.
    #[error("malformed payload on {subject}: {source}")]
    Malformed {
        /// Where it arrived.
        subject: String,
        /// What the JSON parser said.
        source: serde_json::Error,
    },
    /// The payload is of a version this code does not read.
    #[error("payload on {subject} has version {found}, this build reads version {known}")]
    Version {
        /// Where it arrived.
        subject: String,
        /// The version found.
        found: u16,
        /// The version this build reads.
        known: u16,
    },
    /// No contract is published on this subject.
    #[error("no event is published on subject {0}")]
    UnknownSubject(String),
}

/// Any event, decoded from its subject: the single dispatch point for code that reads several.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// See [`CircularIssued`].
    CircularIssued(CircularIssued),
    /// See [`RecipientBatch`].
    RecipientBatch(RecipientBatch),
    /// See [`MailJob`].
    MailJob(MailJob),
    /// See [`DeliveryOutcome`].
    DeliveryOutcome(DeliveryOutcome),
    /// See [`DeliveryOutcomes`].
    DeliveryOutcomes(DeliveryOutcomes),
    /// See [`ReportReceived`].
    ReportReceived(ReportReceived),
    /// See [`RelayActivity`].
    RelayActivity(RelayActivity),
}

impl Event {
    /// Decodes a message by the subject it arrived on.
    pub fn decode(subject: &str, bytes: &[u8]) -> Result<Event, EventError> {
        if subject == circular_issued::SUBJECT {
            CircularIssued::decode(subject, bytes).map(Event::CircularIssued)
        } else if subject.starts_with(recipient_batch::SUBJECT_PREFIX) {
            RecipientBatch::decode(subject, bytes).map(Event::RecipientBatch)
        } else if subject.starts_with(mail_job::SUBJECT_PREFIX) {
            MailJob::decode(subject, bytes).map(Event::MailJob)
        } else if subject == delivery_outcomes::SUBJECT {
            DeliveryOutcomes::decode(subject, bytes).map(Event::DeliveryOutcomes)
        } else if subject.starts_with(delivery_outcome::SUBJECT_PREFIX) {
            DeliveryOutcome::decode(subject, bytes).map(Event::DeliveryOutcome)
        } else if subject == report_received::SUBJECT {
            ReportReceived::decode(subject, bytes).map(Event::ReportReceived)
        } else if subject.starts_with(RELAY_ACTIVITY_PREFIX) {
            RelayActivity::decode(subject, bytes).map(Event::RelayActivity)
        } else {
            Err(EventError::UnknownSubject(subject.to_owned()))
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Versioned<T> {
    v: u16,
    #[serde(flatten)]
    body: T,
}

#[derive(Deserialize)]
struct Version {
    v: u16,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DeliveryState, Language, Recipient, RecipientAddress, SmtpReply};
    use chrono::{TimeZone, Utc};

    fn recipient() -> Recipient {
        Recipient {
            address: RecipientAddress::parse("amina@Example.org").unwrap(),
            name: "Amina Diallo".into(),
            language: Language::Fr,
            addressee: "Administration of Freedonia".parse().unwrap(),
        }
    }

    #[test]
    fn every_event_round_trips_through_its_subject() {
        let at = Utc.with_ymd_and_hms(2025, 3, 12, 9, 0, 0).unwrap();
        let failed = DeliveryOutcome {
            circular: "TSB-36".parse().unwrap(),
            address: recipient().address,
            state: DeliveryState::Failed,
            attempt: 1,
            at,
            reply: Some(SmtpReply::new(550, "5.1.1 User unknown")),
            detail: None,
            unconfirmed: 0,
            bounce_reason: None,
        };
        let events = vec![
            Event::CircularIssued(CircularIssued {
                circular: "TSB-36".parse().unwrap(),
                issued_at: at,
            }),
            Event::RecipientBatch(RecipientBatch {
                circular: "TSB-36".parse().unwrap(),
                batch: 2,
                recipients: vec![recipient()],
            }),
            Event::MailJob(MailJob::Batch(BatchJob {
                circular: "TSB-36".parse().unwrap(),
                batch: 2,
                part: 1,
                recipients: vec![recipient()],
            })),
            Event::DeliveryOutcome(failed.clone()),
            Event::DeliveryOutcome(DeliveryOutcome {
                state: DeliveryState::Bounced,
                bounce_reason: Some(crate::domain::BounceReason::MailboxFull),
                ..failed.clone()
            }),
            Event::DeliveryOutcomes(DeliveryOutcomes {
                circular: "TSB-36".parse().unwrap(),
                batch: 2,
                part: 1,
                outcomes: vec![failed.clone()],
                early: None,
            }),
            Event::DeliveryOutcomes(DeliveryOutcomes {
                circular: "TSB-36".parse().unwrap(),
                batch: 2,
                part: 1,
                outcomes: vec![failed],
                early: Some(1),
            }),
            Event::ReportReceived(ReportReceived {
                report: "ab".repeat(32),
                source: crate::domain::ReportSource::Smtp,
                envelope_to: vec!["bounce+x@circulars.itu.example".into()],
            }),
            Event::RelayActivity(RelayActivity {
                relay: "main".into(),
                dispatcher: "mail-1:4242".into(),
                rate_per_second: 40,
                connections: 4,
                sent_last_minute: 1200,
                failed_last_minute: 3,
                at,
            }),
        ];
        let mut subjects = Vec::new();
        for event in events {
            let (subject, bytes) = match &event {
                Event::CircularIssued(e) => (e.subject(), e.encode().unwrap()),
                Event::RecipientBatch(e) => (e.subject(), e.encode().unwrap()),
                Event::MailJob(e) => (e.subject(), e.encode().unwrap()),
                Event::DeliveryOutcome(e) => (e.subject(), e.encode().unwrap()),
                Event::DeliveryOutcomes(e) => (e.subject(), e.encode().unwrap()),
                Event::ReportReceived(e) => (e.subject(), e.encode().unwrap()),
                Event::RelayActivity(e) => (e.subject(), e.encode().unwrap()),
            };
            assert_eq!(Event::decode(&subject, &bytes).unwrap(), event);
            subjects.push(subject);
        }
        assert_eq!(
            subjects,
            [
                "circular.issued",
                "circular.recipients.TSB-36",
                "mail.outbound.TSB-36",
                "delivery.failed",
                "delivery.bounced",
                "delivery.batch",
                "delivery.batch",
                "report.received",
                "relay-activity.main"
            ]
        );
    }

    #[test]
    fn unknown_versions_and_garbage_are_refused_with_the_subject() {
        let err = CircularIssued::decode(
            "circular.issued",
            br#"{"v":9,"circular":"TSB-36","issued_at":"2025-03-12T09:00:00Z"}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "payload on circular.issued has version 9, this build reads version 1"
        );
        let err = CircularIssued::decode("circular.issued", b"not json").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("malformed payload on circular.issued"));
        let err = CircularIssued::decode("circular.issued", br#"{"v":1,"circular":"bad id"}"#)
            .unwrap_err();
        assert!(err.to_string().contains("bad id"), "{err}");
        assert!(matches!(
            Event::decode("other.thing", b"{}"),
            Err(EventError::UnknownSubject(_))
        ));
    }
}
