//! A cap on how many of something run at once (the connections to a relay, a dispatcher's
//! mails in flight) that can be lowered and raised while they run: a semaphore of the most
//! ever allowed, of which the permits above the cap in force are withheld. A lower cap waits
//! for what runs to finish; nothing is interrupted.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore};
use tracing::info;

/// A semaphore whose size can change while its permits are held.
pub struct Cap {
    /// What it caps, for the log (`relay main connections`, `mails in flight`).
    what: String,
    /// The most ever allowed: the permits the semaphore was made with.
    most: usize,
    /// The cap in force, within `1..=most`.
    allowed: AtomicUsize,
    semaphore: Arc<Semaphore>,
    /// Permits taken out of use to lower the cap.
    withheld: Arc<Mutex<Vec<OwnedSemaphorePermit>>>,
    /// Counts [`Cap::set`] calls, so a lowering still waiting yields to a later change.
    generation: Arc<AtomicU64>,
}

impl Cap {
    /// A cap of `most` (at least one), all of it allowed.
    pub fn new(what: impl Into<String>, most: usize) -> Cap {
        let most = most.max(1);
        Cap {
            what: what.into(),
            most,
            allowed: AtomicUsize::new(most),
            semaphore: Arc::new(Semaphore::new(most)),
            withheld: Arc::new(Mutex::new(Vec::new())),
            generation: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The most it can ever allow.
    pub fn most(&self) -> usize {
        self.most
    }

    /// The cap in force.
    pub fn allowed(&self) -> usize {
        self.allowed.load(Ordering::SeqCst)
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        self.semaphore.available_permits()
    }

    /// Waits for a permit, given back when the returned value is dropped; fails only once
    /// the cap is closed.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.semaphore.clone().acquire_owned().await
    }

    /// Puts a cap of `allowed` in force (within `1..=most`): withheld permits are given back
    /// at once; permits to withhold are taken in the background, as what runs finishes.
    /// Must be called within a Tokio runtime.
    pub fn set(&self, allowed: usize) {
        let allowed = allowed.clamp(1, self.most);
        self.allowed.store(allowed, Ordering::SeqCst);
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let withhold = self.most - allowed;
        let mut withheld = self.withheld.lock().unwrap_or_else(PoisonError::into_inner);
        let held: usize = withheld.iter().map(|p| p.num_permits()).sum();
        if held > withhold {
            withheld.clear();
        }
        let held: usize = withheld.iter().map(|p| p.num_permits()).sum();
        let missing = withhold - held;
        drop(withheld);
        if missing == 0 {
            return;
        }
        let semaphore = self.semaphore.clone();
        let withheld = self.withheld.clone();
        let current = self.generation.clone();
        let what = self.what.clone();
        tokio::spawn(async move {
            if let Ok(permits) = semaphore.acquire_many_owned(missing as u32).await {
                if current.load(Ordering::SeqCst) == generation {
                    withheld
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(permits);
                    info!(cap = allowed, "{what} lowered");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn settles_at(cap: &Cap, expected: usize) -> usize {
        for _ in 0..100 {
            if cap.available() == expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        cap.available()
    }

    #[tokio::test]
    async fn a_lower_cap_waits_for_what_runs_and_a_higher_one_gives_back_at_once() {
        let cap = Cap::new("test", 4);
        let running = cap.acquire().await.unwrap();
        cap.set(1);
        assert_eq!(cap.allowed(), 1);
        // Three free permits withheld; the one in use is not taken away.
        assert_eq!(settles_at(&cap, 0).await, 0);
        drop(running);
        assert_eq!(settles_at(&cap, 1).await, 1);
        cap.set(3);
        assert_eq!(settles_at(&cap, 3).await, 3);
        cap.set(0);
        assert_eq!(cap.allowed(), 1, "never below one");
        cap.set(9);
        assert_eq!(cap.allowed(), 4, "never above the most");
        assert_eq!(settles_at(&cap, 4).await, 4);
    }
}
