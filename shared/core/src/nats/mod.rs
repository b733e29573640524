//! NATS plumbing: the connection every service shares, the JetStream topology declared at
//! start-up (create-or-update, so changed settings apply), and publishing with `Nats-Msg-Id`
//! and the trace context.
//!
//! - `control`: the `dispatch-control` bucket: pause, resume or cancel a circular, relay limits

pub mod control;

use crate::config::NatsConfig;
use crate::events::Contract;
use crate::BoxError;
use async_nats::jetstream::{self, consumer, context::PublishAckFuture, kv, stream};
use std::time::Duration;

/// Stream of `circular.>`: issued circulars and their recipient batches.
pub const CIRCULARS_STREAM: &str = "CIRCULARS";
/// Work-queue stream of `mail.outbound.>`: one job per recipient, removed once acknowledged.
pub const MAIL_OUTBOUND_STREAM: &str = "MAIL_OUTBOUND";
/// Stream of `delivery.>`: every outcome, for the tracker (and later the dashboard).
pub const DELIVERIES_STREAM: &str = "DELIVERIES";
/// Stream of `report.>`: returned mail stored by the intake, the mailbox poller or an import,
/// for the tracker to apply.
pub const REPORTS_STREAM: &str = "REPORTS";
/// Every stream the services declare, which a ready service finds on the server.
pub const STREAMS: [&str; 4] = [
    CIRCULARS_STREAM,
    MAIL_OUTBOUND_STREAM,
    DELIVERIES_STREAM,
    REPORTS_STREAM,
];
/// Key-value bucket where the dispatcher claims each delivery key before SMTP.
pub const CLAIMS_BUCKET: &str = "delivery-claims";
/// Key-value bucket of operators' commands to the dispatchers (see [`control`]).
pub const CONTROL_BUCKET: &str = "dispatch-control";
/// Key-value bucket of the dispatchers running: each keeps its key fresh, and the count of
/// keys is how many share the cluster's relay limits and mails in flight.
pub const DISPATCHERS_BUCKET: &str = "dispatchers";
/// How long a dispatcher's key lives without being written again: a dispatcher that died is
/// no longer counted after this.
pub const DISPATCHERS_LEASE: Duration = Duration::from_secs(10);

/// How long outcome events stay in `DELIVERIES` after the tracker has them: long enough for a
/// tracker stopped over a holiday to catch up, short enough that `forget` is complete soon.
pub const DELIVERIES_MAX_AGE: Duration = Duration::from_secs(14 * 24 * 3600);
/// How long report events stay in `REPORTS`: the database keeps every report, and the tracker
/// publishes again, when it starts, each one still waiting to be applied.
pub const REPORTS_MAX_AGE: Duration = DELIVERIES_MAX_AGE;
/// How long a delivery claim is kept: beyond the longest retry schedule, so a job handed over
/// again is always recognised; after that the database record alone remembers the delivery.
pub const CLAIMS_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);

/// How long JetStream remembers a `Nats-Msg-Id` to drop a re-publish.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// How long [`Bus::connect`] keeps declaring the topology while JetStream is not ready (a
/// cluster electing its first leader, a node restarting) before it gives up.
pub const DECLARE_PATIENCE: Duration = Duration::from_secs(60);

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
/// The dispatcher reads each circular's mail jobs through a consumer of its own,
/// `dispatch-<circular>` on `mail.outbound.<circular>`, so one circular can be paused alone.
pub const DISPATCH_CONSUMER_PREFIX: &str = "dispatch-";
/// The tracker reads delivery outcomes.
pub const TRACKER_CONSUMER: ConsumerSpec = ConsumerSpec {
    durable: "tracker",
    stream: DELIVERIES_STREAM,
    filter: "",
    ack_wait: Duration::from_secs(30),
    max_ack_pending: 20_000,
};
/// The tracker reads returned mail, one report at a time.
pub const TRACKER_REPORTS_CONSUMER: ConsumerSpec = ConsumerSpec {
    durable: "tracker-reports",
    stream: REPORTS_STREAM,
    filter: "",
    ack_wait: Duration::from_secs(60),
    max_ack_pending: 64,
};

/// Why talking to NATS failed.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The server could not be reached.
    #[error("cannot connect to NATS at {url}: {source}")]
    Connect {
        /// The URL tried.
        url: String,
        /// What the client said.
        source: async_nats::ConnectError,
    },
    /// A stream, consumer or bucket could not be declared.
    #[error("cannot declare {what}: {source}")]
    Declare {
        /// Which.
        what: String,
        /// What the server said.
        source: BoxError,
    },
    /// A publish was not acknowledged by JetStream.
    #[error("cannot publish on {subject}: {source}")]
    Publish {
        /// The subject.
        subject: String,
        /// What failed.
        source: BoxError,
    },
    /// JetStream already had a message with this id and dropped the new one.
    #[error("JetStream dropped {msg_id} on {subject} as a duplicate of a message it already has")]
    Duplicate {
        /// The subject.
        subject: String,
        /// The `Nats-Msg-Id`.
        msg_id: String,
    },
    /// The payload could not be encoded.
    #[error(transparent)]
    Event(#[from] crate::events::EventError),
    /// Another JetStream call failed.
    #[error("JetStream: {what}: {source}")]
    JetStream {
        /// What was being done.
        what: String,
        /// What the client said.
        source: BoxError,
    },
    /// The dispatch-control bucket holds what is not ours, or refuses a change (see
    /// [`control`]); the sentence names the key.
    #[error("{0}")]
    Control(String),
}

impl BusError {
    /// A JetStream call described by `what` failed with the client's error: for `map_err`.
    pub fn jetstream<E: Into<BoxError>>(what: impl Into<String>) -> impl FnOnce(E) -> BusError {
        let what = what.into();
        move |source| BusError::JetStream {
            what,
            source: source.into(),
        }
    }
}

/// A connection to NATS with its JetStream context.
#[derive(Clone, Debug)]
pub struct Bus {
    /// The core client.
    pub client: async_nats::Client,
    /// JetStream on that client.
    pub jetstream: jetstream::Context,
    /// How many copies of each stream and bucket are declared (`[nats] replicas`).
    replicas: usize,
}

/// JetStream's acknowledgement of one publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// True when JetStream already had this `Nats-Msg-Id` and dropped the message.
    pub duplicate: bool,
}

impl Bus {
    /// Connects to one of the servers `[nats]` lists (and moves to another when it goes away),
    /// then declares the whole topology with its replica count. A server not up yet is waited
    /// for; so is JetStream while a cluster has no leader yet (see [`DECLARE_PATIENCE`]), so that
    /// the services start in any order.
    pub async fn connect(nats: &NatsConfig, name: &str) -> Result<Bus, BusError> {
        let client = async_nats::ConnectOptions::new()
            .name(name)
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(nats.servers())
            .await
            .map_err(|source| BusError::Connect {
                url: nats.url.clone(),
                source,
            })?;
        let jetstream = jetstream::new(client.clone());
        let bus = Bus {
            client,
            jetstream,
            replicas: nats.replicas,
        };
        bus.declare_patiently().await?;
        Ok(bus)
    }

    /// [`Bus::declare`], tried again for up to [`DECLARE_PATIENCE`] while it fails: a
    /// cluster's JetStream answers "no suitable peers" or times out until its nodes have met.
    async fn declare_patiently(&self) -> Result<(), BusError> {
        let deadline = tokio::time::Instant::now() + DECLARE_PATIENCE;
        let mut pause = Duration::from_millis(250);
        loop {
            match self.declare().await {
                Ok(()) => return Ok(()),
                Err(e) if tokio::time::Instant::now() + pause < deadline => {
                    tracing::warn!(error = %e, "JetStream is not ready yet; declaring again in {pause:?}");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
                Err(e) => return Err(e),
            }
        }
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
            (REPORTS_STREAM, "report.>", stream::RetentionPolicy::Limits),
        ];
        for (name, subjects, retention) in streams {
            let max_age = match name {
                DELIVERIES_STREAM => DELIVERIES_MAX_AGE,
                REPORTS_STREAM => REPORTS_MAX_AGE,
                _ => Duration::ZERO,
            };
            self.jetstream
                .create_or_update_stream(stream::Config {
                    name: name.to_owned(),
                    subjects: vec![subjects.to_owned()],
                    retention,
                    storage: stream::StorageType::File,
                    duplicate_window: DUPLICATE_WINDOW,
                    max_age,
                    num_replicas: self.replicas,
                    ..Default::default()
                })
                .await
                .map_err(|e| BusError::Declare {
                    what: format!("stream {name}"),
                    source: e.into(),
                })?;
        }
        // A dispatcher of an earlier version read all circulars through one consumer,
        // `dispatcher`, which a work-queue stream cannot keep beside the per-circular ones.
        if let Ok(stream) = self
            .jetstream
            .get_stream_no_info(MAIL_OUTBOUND_STREAM)
            .await
        {
            let _ = stream.delete_consumer("dispatcher").await;
        }
        for spec in [
            DIRECTORY_CONSUMER,
            COMPOSER_CONSUMER,
            TRACKER_CONSUMER,
            TRACKER_REPORTS_CONSUMER,
        ] {
            self.declare_consumer(spec).await?;
        }
        self.declare_bucket(CLAIMS_BUCKET, CLAIMS_MAX_AGE).await?;
        self.declare_bucket(CONTROL_BUCKET, Duration::ZERO).await?;
        self.declare_bucket(DISPATCHERS_BUCKET, DISPATCHERS_LEASE)
            .await
    }

    /// Declares a key-value bucket keeping one value per key. It is a stream with the
    /// key-value conventions (ADR-8), declared as a stream because async-nats 0.51's
    /// `create_or_update_key_value` first asks for account info, whose nats-server 2.9 reply
    /// it cannot parse.
    async fn declare_bucket(&self, bucket: &str, max_age: Duration) -> Result<(), BusError> {
        self.jetstream
            .create_or_update_stream(stream::Config {
                name: format!("KV_{bucket}"),
                subjects: vec![format!("$KV.{bucket}.>")],
                max_age,
                max_messages_per_subject: 1,
                storage: stream::StorageType::File,
                allow_rollup: true,
                deny_delete: true,
                allow_direct: true,
                discard: stream::DiscardPolicy::New,
                // JetStream refuses a window longer than the bucket's lifetime of a value.
                duplicate_window: match max_age {
                    Duration::ZERO => Duration::from_secs(120),
                    max_age => max_age.min(Duration::from_secs(120)),
                },
                num_replicas: self.replicas,
                ..Default::default()
            })
            .await
            .map_err(|e| BusError::Declare {
                what: format!("bucket {bucket}"),
                source: e.into(),
            })?;
        Ok(())
    }

    async fn declare_consumer(
        &self,
        spec: ConsumerSpec,
    ) -> Result<consumer::PullConsumer, BusError> {
        let declare_err = |source: BoxError| BusError::Declare {
            what: format!("consumer {} on {}", spec.durable, spec.stream),
            source,
        };
        let stream = self
            .jetstream
            .get_stream(spec.stream)
            .await
            .map_err(|e| declare_err(e.into()))?;
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
            .map_err(|e| declare_err(e.into()))
    }

    /// The messages of a service's durable consumer (declared first), as they come.
    pub async fn messages(&self, spec: ConsumerSpec) -> Result<consumer::pull::Stream, BusError> {
        self.declare_consumer(spec)
            .await?
            .messages()
            .await
            .map_err(BusError::jetstream(format!(
                "messages of consumer {}",
                spec.durable
            )))
    }

    /// The bucket of delivery claims.
    pub async fn claims(&self) -> Result<kv::Store, BusError> {
        self.bucket(CLAIMS_BUCKET).await
    }

    /// The bucket of operators' commands to the dispatchers.
    pub async fn control(&self) -> Result<kv::Store, BusError> {
        self.bucket(CONTROL_BUCKET).await
    }

    /// The bucket of the dispatchers running.
    pub async fn dispatchers(&self) -> Result<kv::Store, BusError> {
        self.bucket(DISPATCHERS_BUCKET).await
    }

    async fn bucket(&self, name: &str) -> Result<kv::Store, BusError> {
        self.jetstream
            .get_key_value(name)
            .await
            .map_err(BusError::jetstream(format!("bucket {name}")))
    }

    /// The durable consumer of one circular's mail jobs, created when missing.
    pub async fn dispatch_consumer(
        &self,
        circular: &crate::domain::CircularId,
        max_ack_pending: i64,
        ack_wait: Duration,
    ) -> Result<consumer::PullConsumer, BusError> {
        let durable = format!("{DISPATCH_CONSUMER_PREFIX}{circular}");
        let declare_err = |source: BoxError| BusError::Declare {
            what: format!("consumer {durable} on {MAIL_OUTBOUND_STREAM}"),
            source,
        };
        let stream = self
            .jetstream
            .get_stream_no_info(MAIL_OUTBOUND_STREAM)
            .await
            .map_err(|e| declare_err(e.into()))?;
        stream
            .create_consumer(consumer::pull::Config {
                durable_name: Some(durable.clone()),
                filter_subject: format!("{}{circular}", crate::events::MAIL_JOB_PREFIX),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait,
                max_deliver: -1,
                max_ack_pending,
                deliver_policy: consumer::DeliverPolicy::All,
                ..Default::default()
            })
            .await
            .map_err(|e| declare_err(e.into()))
    }

    /// The circulars with mail jobs waiting in `MAIL_OUTBOUND`, and how many each.
    pub async fn circulars_with_jobs(
        &self,
    ) -> Result<Vec<(crate::domain::CircularId, u64)>, BusError> {
        use futures::TryStreamExt;
        let stream = self
            .jetstream
            .get_stream_no_info(MAIL_OUTBOUND_STREAM)
            .await
            .map_err(BusError::jetstream(MAIL_OUTBOUND_STREAM))?;
        let subjects: Vec<(String, usize)> = stream
            .info_with_subjects(format!("{}>", crate::events::MAIL_JOB_PREFIX))
            .await
            .map_err(BusError::jetstream("subjects with mail jobs"))?
            .try_collect()
            .await
            .map_err(BusError::jetstream("subjects with mail jobs"))?;
        Ok(subjects
            .into_iter()
            .filter_map(|(subject, n)| {
                let id = subject.strip_prefix(crate::events::MAIL_JOB_PREFIX)?;
                Some((id.parse().ok()?, n as u64))
            })
            .collect())
    }

    /// Removes a circular's consumer once it has nothing left (found again when jobs come).
    pub async fn drop_dispatch_consumer(
        &self,
        circular: &crate::domain::CircularId,
    ) -> Result<(), BusError> {
        let stream = self
            .jetstream
            .get_stream_no_info(MAIL_OUTBOUND_STREAM)
            .await
            .map_err(BusError::jetstream(MAIL_OUTBOUND_STREAM))?;
        stream
            .delete_consumer(&format!("{DISPATCH_CONSUMER_PREFIX}{circular}"))
            .await
            .map(|_| ())
            .map_err(BusError::jetstream(format!(
                "deleting consumer {DISPATCH_CONSUMER_PREFIX}{circular}"
            )))
    }

    /// Sends `event` with its `Nats-Msg-Id` and the current span's trace context (see
    /// [`crate::telemetry::inject`]); the returned future resolves with JetStream's ack,
    /// so many publishes can be in flight before awaiting them.
    pub async fn send<C: Contract>(&self, event: &C) -> Result<PublishAckFuture, BusError> {
        let subject = event.subject();
        let payload = event.encode()?;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, event.msg_id());
        crate::telemetry::inject(&mut headers);
        self.jetstream
            .send_publish(
                subject.clone(),
                jetstream::message::PublishMessage::build()
                    .payload(payload.into())
                    .headers(headers),
            )
            .await
            .map_err(|e| BusError::Publish {
                subject,
                source: e.into(),
            })
    }

    /// Publishes `event` and waits until JetStream has stored it (or recognised a duplicate).
    pub async fn publish<C: Contract>(&self, event: &C) -> Result<Published, BusError> {
        let subject = event.subject();
        let ack = self.send(event).await?;
        confirm(&subject, ack).await
    }

    /// Publishes an event that must be new: a duplicate ack means JetStream dropped it as one
    /// it already had, which for a new event is an error ([`BusError::Duplicate`]), never a
    /// silent drop.
    pub async fn publish_new<C: Contract>(&self, event: &C) -> Result<(), BusError> {
        let subject = event.subject();
        let ack = self.send(event).await?;
        confirm_new(&subject, &event.msg_id(), ack).await
    }
}

/// Waits for the acknowledgement of an event that must be new (see [`Bus::publish_new`]).
pub async fn confirm_new(
    subject: &str,
    msg_id: &str,
    ack: PublishAckFuture,
) -> Result<(), BusError> {
    if confirm(subject, ack).await?.duplicate {
        return Err(BusError::Duplicate {
            subject: subject.to_owned(),
            msg_id: msg_id.to_owned(),
        });
    }
    Ok(())
}

/// Waits for one publish acknowledgement sent with [`Bus::send`].
pub async fn confirm(subject: &str, ack: PublishAckFuture) -> Result<Published, BusError> {
    let ack = ack.await.map_err(|e| BusError::Publish {
        subject: subject.to_owned(),
        source: e.into(),
    })?;
    Ok(Published {
        duplicate: ack.duplicate,
    })
}
