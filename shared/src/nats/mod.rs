//! NATS plumbing: the connection every service shares, the JetStream topology declared at
//! start-up (create-or-update, so changed settings apply), and publishing with `Nats-Msg-Id`.
//!
//! - `local`: starts a nats-server child on a free loopback port (local runs and tests)

pub mod local;

use crate::events::Contract;
use async_nats::jetstream::{self, consumer, context::PublishAckFuture, kv, stream};
use std::time::Duration;

/// Stream of `circular.>`: issued circulars and their recipient batches.
pub const CIRCULARS_STREAM: &str = "CIRCULARS";
/// Work-queue stream of `mail.outbound.>`: one job per recipient, removed once acknowledged.
pub const MAIL_OUTBOUND_STREAM: &str = "MAIL_OUTBOUND";
/// Stream of `delivery.>`: every outcome, for the tracker (and later the dashboard).
pub const DELIVERIES_STREAM: &str = "DELIVERIES";
/// Key-value bucket where the dispatcher claims each delivery key before SMTP.
pub const CLAIMS_BUCKET: &str = "delivery-claims";

/// How long JetStream remembers a `Nats-Msg-Id` to drop a re-publish.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// A durable pull consumer of one service.
#[derive(Debug, Clone, Copy)]
pub struct ConsumerSpec {
    /// Its durable name.
    pub durable: &'static str,
    /// The stream it reads.
    pub stream: &'static str,
    /// The subjects it reads ("" for all of the stream).
    pub filter: &'static str,
    /// How long a delivered message may stay unacknowledged before redelivery.
    pub ack_wait: Duration,
    /// How many messages may be delivered and unacknowledged at once.
    pub max_ack_pending: i64,
}

/// The directory reads issued circulars.
pub const DIRECTORY_CONSUMER: ConsumerSpec = ConsumerSpec {
    durable: "directory",
    stream: CIRCULARS_STREAM,
    filter: "circular.issued",
    ack_wait: Duration::from_secs(120),
    max_ack_pending: 4,
};
/// The composer reads recipient batches.
pub const COMPOSER_CONSUMER: ConsumerSpec = ConsumerSpec {
    durable: "composer",
    stream: CIRCULARS_STREAM,
    filter: "circular.recipients.>",
    ack_wait: Duration::from_secs(120),
    max_ack_pending: 16,
};
/// The dispatcher reads mail jobs.
pub const DISPATCHER_CONSUMER: ConsumerSpec = ConsumerSpec {
    durable: "dispatcher",
    stream: MAIL_OUTBOUND_STREAM,
    filter: "",
    ack_wait: Duration::from_secs(60),
    max_ack_pending: 1024,
};
/// The tracker reads delivery outcomes.
pub const TRACKER_CONSUMER: ConsumerSpec = ConsumerSpec {
    durable: "tracker",
    stream: DELIVERIES_STREAM,
    filter: "",
    ack_wait: Duration::from_secs(30),
    max_ack_pending: 20_000,
};

/// Why talking to NATS failed.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The server could not be reached.
    #[error("cannot connect to NATS at {url}: {why}")]
    Connect {
        /// The URL tried.
        url: String,
        /// What the client said.
        why: String,
    },
    /// A stream, consumer or bucket could not be declared.
    #[error("cannot declare {what}: {why}")]
    Declare {
        /// Which.
        what: String,
        /// What the server said.
        why: String,
    },
    /// A publish was not acknowledged by JetStream.
    #[error("cannot publish on {subject}: {why}")]
    Publish {
        /// The subject.
        subject: String,
        /// What failed.
        why: String,
    },
    /// The payload could not be encoded.
    #[error(transparent)]
    Event(#[from] crate::events::EventError),
    /// Another JetStream call failed.
    #[error("JetStream: {0}")]
    JetStream(String),
}

/// A connection to NATS with its JetStream context.
#[derive(Clone, Debug)]
pub struct Bus {
    /// The core client.
    pub client: async_nats::Client,
    /// JetStream on that client.
    pub jetstream: jetstream::Context,
}

/// JetStream's acknowledgement of one publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// True when JetStream already had this `Nats-Msg-Id` and dropped the message.
    pub duplicate: bool,
}

impl Bus {
    /// Connects to `url` and declares the whole topology.
    pub async fn connect(url: &str, name: &str) -> Result<Bus, BusError> {
        let client = async_nats::ConnectOptions::new()
            .name(name)
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|e| BusError::Connect {
                url: url.to_owned(),
                why: e.to_string(),
            })?;
        let jetstream = jetstream::new(client.clone());
        let bus = Bus { client, jetstream };
        bus.declare().await?;
        Ok(bus)
    }

    /// Creates or updates every stream, durable consumer and bucket; safe to run from every
    /// service at every start.
    pub async fn declare(&self) -> Result<(), BusError> {
        let streams = [
            (
                CIRCULARS_STREAM,
                "circular.>",
                stream::RetentionPolicy::Limits,
            ),
            (
                MAIL_OUTBOUND_STREAM,
                "mail.outbound.>",
                stream::RetentionPolicy::WorkQueue,
            ),
            (
                DELIVERIES_STREAM,
                "delivery.>",
                stream::RetentionPolicy::Limits,
            ),
        ];
        for (name, subjects, retention) in streams {
            self.jetstream
                .create_or_update_stream(stream::Config {
                    name: name.to_owned(),
                    subjects: vec![subjects.to_owned()],
                    retention,
                    storage: stream::StorageType::File,
                    duplicate_window: DUPLICATE_WINDOW,
                    ..Default::default()
                })
                .await
                .map_err(|e| BusError::Declare {
                    what: format!("stream {name}"),
                    why: e.to_string(),
                })?;
        }
        for spec in [
            DIRECTORY_CONSUMER,
            COMPOSER_CONSUMER,
            DISPATCHER_CONSUMER,
            TRACKER_CONSUMER,
        ] {
            self.declare_consumer(spec).await?;
        }
        // The bucket is a stream with the key-value conventions (ADR-8). It is declared as a
        // stream because async-nats 0.51's `create_or_update_key_value` first asks for account
        // info, whose nats-server 2.9 reply it cannot parse.
        self.jetstream
            .create_or_update_stream(stream::Config {
                name: format!("KV_{CLAIMS_BUCKET}"),
                subjects: vec![format!("$KV.{CLAIMS_BUCKET}.>")],
                max_messages_per_subject: 1,
                storage: stream::StorageType::File,
                allow_rollup: true,
                deny_delete: true,
                allow_direct: true,
                discard: stream::DiscardPolicy::New,
                duplicate_window: Duration::from_secs(120),
                ..Default::default()
            })
            .await
            .map_err(|e| BusError::Declare {
                what: format!("bucket {CLAIMS_BUCKET}"),
                why: e.to_string(),
            })?;
        Ok(())
    }

    async fn declare_consumer(
        &self,
        spec: ConsumerSpec,
    ) -> Result<consumer::PullConsumer, BusError> {
        let declare_err = |why: String| BusError::Declare {
            what: format!("consumer {} on {}", spec.durable, spec.stream),
            why,
        };
        let stream = self
            .jetstream
            .get_stream(spec.stream)
            .await
            .map_err(|e| declare_err(e.to_string()))?;
        stream
            .create_consumer(consumer::pull::Config {
                durable_name: Some(spec.durable.to_owned()),
                filter_subject: spec.filter.to_owned(),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: spec.ack_wait,
                max_deliver: -1,
                max_ack_pending: spec.max_ack_pending,
                deliver_policy: consumer::DeliverPolicy::All,
                ..Default::default()
            })
            .await
            .map_err(|e| declare_err(e.to_string()))
    }

    /// The durable consumer of one service (declared again, so its settings are current).
    pub async fn consumer(&self, spec: ConsumerSpec) -> Result<consumer::PullConsumer, BusError> {
        self.declare_consumer(spec).await
    }

    /// The bucket of delivery claims.
    pub async fn claims(&self) -> Result<kv::Store, BusError> {
        self.jetstream
            .get_key_value(CLAIMS_BUCKET)
            .await
            .map_err(|e| BusError::JetStream(e.to_string()))
    }

    /// Sends `event` with its `Nats-Msg-Id`; the returned future resolves with JetStream's ack,
    /// so many publishes can be in flight before awaiting them.
    pub async fn send<C: Contract>(&self, event: &C) -> Result<PublishAckFuture, BusError> {
        let subject = event.subject();
        let payload = event.encode()?;
        self.jetstream
            .send_publish(
                subject.clone(),
                jetstream::message::PublishMessage::build()
                    .payload(payload.into())
                    .message_id(event.msg_id()),
            )
            .await
            .map_err(|e| BusError::Publish {
                subject,
                why: e.to_string(),
            })
    }

    /// Publishes `event` and waits until JetStream has stored it (or recognised a duplicate).
    pub async fn publish<C: Contract>(&self, event: &C) -> Result<Published, BusError> {
        let subject = event.subject();
        let ack = self.send(event).await?;
        confirm(&subject, ack).await
    }
}

/// Waits for one publish acknowledgement sent with [`Bus::send`].
pub async fn confirm(subject: &str, ack: PublishAckFuture) -> Result<Published, BusError> {
    let ack = ack.await.map_err(|e| BusError::Publish {
        subject: subject.to_owned(),
        why: e.to_string(),
    })?;
    Ok(Published {
        duplicate: ack.duplicate,
    })
}
