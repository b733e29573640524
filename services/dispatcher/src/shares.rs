//! The dispatchers of a cluster sharing its limits. Each running dispatcher keeps a key in
//! the `dispatchers` bucket fresh every [`HEARTBEAT`] (a key not written again for
//! [`DISPATCHERS_LEASE`](circulars_core::nats::DISPATCHERS_LEASE) expires), counts the keys, and takes an equal share of every relay's
//! `rate_per_second` and `connections` and of `smtp.concurrency`, the mails in flight: so the
//! limits configured (or set by operators) hold for the whole cluster, however many
//! dispatchers run.
//!
//! - A dispatcher joining writes its key and, when others run, waits one heartbeat before
//!   its first mail, so they have lowered their share by the time it takes its own.
//! - A dispatcher stopping deletes its key once its last mail is done, so the others take up
//!   its share at once.
//! - A dispatcher that died is counted until its lease ends: the others run below the limits
//!   for up to that lease, never above them.
//! - While NATS cannot be reached the share last counted stays in force.
//!
//! A share of the connections or of the mails in flight is at least one, so with more
//! dispatchers than a relay's `connections` each still has one, and the relay sees one per
//! dispatcher.

use crate::Dispatcher;
use async_nats::jetstream::kv;
use circulars_core::nats::BusError;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// How often a dispatcher writes its key and counts the others.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(2);

/// This dispatcher's key in the `dispatchers` bucket.
pub(crate) struct Membership {
    bucket: kv::Store,
    key: String,
}

impl Membership {
    /// Writes this dispatcher's key, takes its share, and waits one heartbeat when others
    /// run, so that the cluster never sends above its limits while they learn of it.
    pub(crate) async fn join(d: &Dispatcher) -> Result<Membership, BusError> {
        let membership = Membership {
            bucket: d.ctx.bus.dispatchers().await?,
            key: key_of(&d.owner),
        };
        membership.renew(d).await?;
        let dispatchers = membership.count().await?;
        apply(d, dispatchers);
        if dispatchers > 1 {
            tokio::time::sleep(HEARTBEAT).await;
        }
        Ok(membership)
    }

    /// Renews the key and follows the count every heartbeat until `leaving`.
    pub(crate) async fn keep(&self, d: Arc<Dispatcher>, leaving: CancellationToken) {
        let mut every = tokio::time::interval(HEARTBEAT);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = leaving.cancelled() => return,
                _ = every.tick() => {}
            }
            let counted = match self.renew(&d).await {
                Ok(()) => self.count().await,
                Err(e) => Err(e),
            };
            match counted {
                Ok(dispatchers) => apply(&d, dispatchers),
                Err(e) => {
                    warn!(error = %e, "cannot count the dispatchers; the share in force stays")
                }
            }
        }
    }

    /// Deletes the key, so the others take up this dispatcher's share now rather than when
    /// its lease ends.
    pub(crate) async fn leave(self) {
        if let Err(e) = self.bucket.delete(&self.key).await {
            warn!(error = %e, "cannot remove this dispatcher from the dispatchers bucket; its lease will end");
        }
    }

    async fn renew(&self, d: &Dispatcher) -> Result<(), BusError> {
        self.bucket
            .put(&self.key, d.owner.clone().into())
            .await
            .map(|_| ())
            .map_err(BusError::jetstream("dispatchers bucket: renew"))
    }

    /// The dispatchers whose lease runs, this one included.
    async fn count(&self) -> Result<u32, BusError> {
        let mut keys = self
            .bucket
            .keys()
            .await
            .map_err(BusError::jetstream("dispatchers bucket: keys"))?;
        let mut count = 0u32;
        while let Some(key) = keys.next().await {
            key.map_err(BusError::jetstream("dispatchers bucket: keys"))?;
            count += 1;
        }
        Ok(count.max(1))
    }
}

/// Takes this dispatcher's share when `dispatchers` run.
fn apply(d: &Dispatcher, dispatchers: u32) {
    metrics::gauge!("circulars_dispatchers_sharing_limits").set(f64::from(dispatchers));
    let in_flight = in_flight_share(d, dispatchers);
    if d.relays.share() == dispatchers && d.in_flight.allowed() == in_flight {
        return;
    }
    d.relays.set_share(dispatchers);
    d.in_flight.set(in_flight);
    info!(
        dispatchers,
        in_flight, "the relay limits and mails in flight are shared by {dispatchers} dispatcher(s)"
    );
}

/// This dispatcher's mails in flight when `dispatchers` share `smtp.concurrency`.
fn in_flight_share(d: &Dispatcher, dispatchers: u32) -> usize {
    (d.in_flight.most() / dispatchers.max(1) as usize).max(1)
}

/// A bucket key for an owner (`host:pid:random`): key-value keys allow letters, digits and
/// `-_=./` only.
fn key_of(owner: &str) -> String {
    owner
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::key_of;

    #[test]
    fn an_owner_becomes_a_valid_key() {
        assert_eq!(
            key_of("mail-1.example:4242:0a1b"),
            "mail-1_example_4242_0a1b"
        );
        assert_eq!(key_of("höst:1:ff"), "h_st_1_ff");
    }
}
