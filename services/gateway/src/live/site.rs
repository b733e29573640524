//! The site's board, live: one subscription per gateway process to the dispatchers' relay
//! reports (`relay-activity.>`, the latest kept per dispatcher and relay), and one feed of the
//! operations overview (the circulars in delivery, the relays, unmatched returned mail, the
//! intake's refusals) read every [`SITE_REFRESH`] while someone watches it and when a relay
//! report arrives (at most once per [`super::feed::MIN_SPACING`]).

use super::feed::MIN_SPACING;
use super::sse::{publish, Reading, Readings};
use chrono::Utc;
use circulars_core::config::RelayConfig;
use circulars_core::events::{Contract, RelayActivity, RELAY_ACTIVITY_PREFIX};
use circulars_core::nats::Bus;
use circulars_operations::relays::relay_limits_in_force;
use circulars_operations::site::{site_board, SiteBoard};
use circulars_operations::{sending_circulars, OperationsError, SendingCircular};
use circulars_store::Store;
use futures::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// How often the overview is read while watched, whatever the relays say.
pub const SITE_REFRESH: Duration = Duration::from_secs(2);

/// The overview at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteLive {
    /// The circulars being sent, and those finished in the last day.
    pub sending: Vec<SendingCircular>,
    /// The relays, unmatched returned mail and refusals.
    pub site: SiteBoard,
}

/// One reading of the overview.
pub type SiteSnapshot = Reading<SiteLive>;

/// The overview's feed and the relay reports it is drawn from.
#[derive(Clone)]
pub struct SiteHub {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    bus: Bus,
    relays: BTreeMap<String, RelayConfig>,
    shutdown: CancellationToken,
    reports: Mutex<HashMap<(String, String), RelayActivity>>,
    sender: watch::Sender<Option<Arc<SiteSnapshot>>>,
    following: Mutex<bool>,
    nudge: Notify,
}

impl SiteHub {
    /// The overview of `relays` (as configured) read from `store` and `bus` until `shutdown`.
    pub fn new(
        store: Store,
        bus: Bus,
        relays: BTreeMap<String, RelayConfig>,
        shutdown: CancellationToken,
    ) -> SiteHub {
        SiteHub {
            inner: Arc::new(Inner {
                store,
                bus,
                relays,
                shutdown,
                reports: Mutex::new(HashMap::new()),
                sender: watch::channel(None).0,
                following: Mutex::new(false),
                nudge: Notify::new(),
            }),
        }
    }

    /// Subscribes once to the relay reports, keeping the latest per dispatcher and relay.
    pub fn listen(&self) {
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let subject = format!("{RELAY_ACTIVITY_PREFIX}>");
            loop {
                match inner.bus.client.subscribe(subject.clone()).await {
                    Ok(mut reports) => loop {
                        tokio::select! {
                            _ = inner.shutdown.cancelled() => return,
                            report = reports.next() => match report {
                                Some(m) => inner.keep(&m.subject, &m.payload),
                                None => break,
                            },
                        }
                    },
                    Err(e) => warn!(error = %e, "cannot subscribe to the relay reports"),
                }
                tokio::select! {
                    _ = inner.shutdown.cancelled() => return,
                    _ = tokio::time::sleep(MIN_SPACING) => {}
                }
            }
        });
    }

    /// The latest readings of the overview, starting its feed if nobody watched it.
    pub fn watch(&self) -> Readings<SiteLive> {
        let receiver = self.inner.sender.subscribe();
        let mut following = self.inner.following();
        if !*following {
            *following = true;
            tokio::spawn(follow(self.inner.clone()));
        }
        receiver
    }

    /// Reads the overview as its feed does (the page drawn before its stream opens).
    pub async fn reading(&self) -> Result<SiteLive, OperationsError> {
        self.inner.read().await
    }

    /// The relays as configured (the limits form lists them).
    pub fn relays(&self) -> &BTreeMap<String, RelayConfig> {
        &self.inner.relays
    }
}

impl Inner {
    fn following(&self) -> std::sync::MutexGuard<'_, bool> {
        self.following
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps a relay report (the newest per dispatcher and relay) and nudges the feed.
    fn keep(&self, subject: &str, payload: &[u8]) {
        match RelayActivity::decode(subject, payload) {
            Ok(report) => {
                let key = (report.relay.clone(), report.dispatcher.clone());
                let mut reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
                // Reports older than a minute are of dispatchers gone: dropped, not summed.
                let now = Utc::now();
                reports.retain(|_, r| now - r.at < chrono::TimeDelta::minutes(1));
                reports.insert(key, report);
                drop(reports);
                self.nudge.notify_one();
            }
            Err(e) => debug!(subject, error = %e, "a relay report that does not read"),
        }
    }

    async fn read(&self) -> Result<SiteLive, OperationsError> {
        let limits = relay_limits_in_force(&self.bus, &self.relays).await?;
        let reports: Vec<RelayActivity> = self
            .reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        let site = site_board(&self.store, &self.relays, &limits, &reports, Utc::now()).await?;
        Ok(SiteLive {
            sending: sending_circulars(&self.store).await?,
            site,
        })
    }
}

/// Reads the overview into the feed until nobody watches it.
async fn follow(inner: Arc<Inner>) {
    loop {
        match inner.read().await {
            Ok(live) => publish(&inner.sender, live),
            Err(e) => warn!(error = %e, "cannot read the operations overview"),
        }
        tokio::select! {
            _ = inner.nudge.notified() => {}
            _ = tokio::time::sleep(SITE_REFRESH) => {}
            _ = inner.sender.closed() => {}
            _ = inner.shutdown.cancelled() => return,
        }
        {
            let mut following = inner.following();
            if inner.sender.receiver_count() == 0 {
                *following = false;
                return;
            }
        }
        tokio::time::sleep(MIN_SPACING).await;
    }
}
