//! The hub: one subscription to `progress.>` per gateway process, and a feed per circular
//! being watched. A feed reads the circular's delivery when the tracker says it moved (at most
//! once per [`MIN_SPACING`]) and every [`REFRESH`] while watched (a pause or a retry coming due
//! moves no count), and keeps only the latest [`Snapshot`] in a `watch` channel, so a slow
//! browser skips to the newest numbers instead of queueing old ones.

use super::sse::{publish, Reading, Readings};
use chrono::Utc;
use circulars_core::domain::{CircularId, CircularState};
use circulars_core::events::PROGRESS_PREFIX;
use circulars_core::nats::Bus;
use circulars_operations::{board_of, dispatch_of, CircularBoard, OperationsError};
use circulars_store::{CircularStatus, DeliveryReport, Store};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// The least time between two readings of one circular, however often the tracker speaks.
pub const MIN_SPACING: Duration = Duration::from_secs(1);

/// How often a watched circular is read when the tracker says nothing.
pub const REFRESH: Duration = Duration::from_secs(5);

/// How many of the newest returned mails a snapshot holds.
pub const RETURNED_HELD: usize = 50;

/// A circular's delivery as the dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CircularLive {
    /// The counts, as `circulars status` reads them.
    pub status: CircularStatus,
    /// Where the circular stands (issued, paused, cancelled).
    pub state: CircularState,
    /// The newest returned mail, newest first.
    pub returned: Vec<DeliveryReport>,
    /// The rest of the board: throughput, rate and time left, retries, failures,
    /// complaints (its `status` is `circulars status --json`'s, from the same counts).
    pub board: CircularBoard,
}

/// One reading of a circular.
pub type Snapshot = Reading<CircularLive>;

/// What a watcher receives: `None` until the first reading.
pub type Watch = Readings<CircularLive>;

/// The feeds of the circulars being watched, fed by one subscription.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    bus: Bus,
    shutdown: CancellationToken,
    feeds: Mutex<HashMap<CircularId, Feed>>,
}

/// A circular's feed. It stays once made (a few hundred bytes per circular ever watched),
/// holding its last reading, so that a browser coming back to a circular nobody watched in
/// between is sent nothing until something changed.
struct Feed {
    sender: watch::Sender<Option<Arc<Snapshot>>>,
    nudge: Arc<Notify>,
    following: bool,
}

impl Hub {
    /// A hub reading from `store` until `shutdown`; [`Hub::listen`] connects it to the
    /// tracker's progress.
    pub fn new(store: Store, bus: Bus, shutdown: CancellationToken) -> Hub {
        Hub {
            inner: Arc::new(Inner {
                store,
                bus,
                shutdown,
                feeds: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Subscribes once to `progress.>` on the hub's bus and nudges the feed of each circular named,
    /// until the hub's shutdown; a subscription that ends is made again.
    pub fn listen(&self) {
        let inner = self.inner.clone();
        let bus = self.inner.bus.clone();
        let shutdown = self.inner.shutdown.clone();
        tokio::spawn(async move {
            let subject = format!("{PROGRESS_PREFIX}>");
            loop {
                match bus.client.subscribe(subject.clone()).await {
                    Ok(mut progress) => loop {
                        tokio::select! {
                            _ = shutdown.cancelled() => return,
                            message = progress.next() => match message {
                                Some(m) => inner.nudge(&m.subject),
                                None => break,
                            },
                        }
                    },
                    Err(e) => warn!(error = %e, "cannot subscribe to the tracker's progress"),
                }
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(MIN_SPACING) => {}
                }
            }
        });
    }

    /// The latest readings of circular `id`, starting its feed if nobody watched it.
    pub fn watch(&self, id: &CircularId) -> Watch {
        let mut feeds = self.inner.lock();
        let feed = feeds.entry(id.clone()).or_insert_with(|| Feed {
            sender: watch::channel(None).0,
            nudge: Arc::new(Notify::new()),
            following: false,
        });
        let receiver = feed.sender.subscribe();
        if !feed.following {
            feed.following = true;
            tokio::spawn(follow(
                self.inner.clone(),
                id.clone(),
                feed.sender.clone(),
                feed.nudge.clone(),
            ));
        }
        receiver
    }

    /// Reads circular `id` as its feed does (the page drawn before its stream opens).
    pub async fn reading(&self, id: &CircularId) -> Result<CircularLive, OperationsError> {
        self.inner.read(id).await
    }

    /// Cancelled when the gateway stops: every live stream ends then, so that stopping does
    /// not wait for browsers to close their pages.
    pub fn closing(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    /// How many circulars are followed now (for tests and logs).
    pub fn followed(&self) -> usize {
        self.inner.lock().values().filter(|f| f.following).count()
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CircularId, Feed>> {
        self.feeds.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The tracker said circular `subject` moved: its feed (if watched) reads it again.
    fn nudge(&self, subject: &str) {
        let Some(Ok(id)) = subject
            .strip_prefix(PROGRESS_PREFIX)
            .map(str::parse::<CircularId>)
        else {
            debug!(subject, "progress on a subject naming no circular");
            return;
        };
        if let Some(feed) = self.lock().get(&id).filter(|f| f.following) {
            feed.nudge.notify_one();
        }
    }

    /// Stops following `id` when nobody watches it any more; says whether it stopped.
    fn unwatched(&self, id: &CircularId, sender: &watch::Sender<Option<Arc<Snapshot>>>) -> bool {
        let mut feeds = self.lock();
        if sender.receiver_count() > 0 {
            return false;
        }
        if let Some(feed) = feeds.get_mut(id) {
            feed.following = false;
        }
        true
    }

    async fn read(&self, id: &CircularId) -> Result<CircularLive, OperationsError> {
        let state = self.store.existing_circular(id).await?.life.state;
        let status = self.store.circular_status(id).await?;
        let dispatch = dispatch_of(Some(&self.bus), &status).await;
        let board = board_of(&self.store, &status, &dispatch, Utc::now()).await?;
        Ok(CircularLive {
            returned: self.store.circular_reports(id, RETURNED_HELD + 1).await?,
            status,
            state,
            board,
        })
    }
}

/// Reads circular `id` into `sender` until nobody watches it.
async fn follow(
    inner: Arc<Inner>,
    id: CircularId,
    sender: watch::Sender<Option<Arc<Snapshot>>>,
    nudge: Arc<Notify>,
) {
    loop {
        match inner.read(&id).await {
            Ok(live) => publish(&sender, live),
            Err(e) => {
                warn!(circular = %id, error = %e, "cannot read the circular's delivery for the dashboard")
            }
        }
        tokio::select! {
            _ = nudge.notified() => {}
            _ = tokio::time::sleep(REFRESH) => {}
            _ = sender.closed() => {}
            _ = inner.shutdown.cancelled() => return,
        }
        if inner.unwatched(&id, &sender) {
            return;
        }
        tokio::time::sleep(MIN_SPACING).await;
    }
}
