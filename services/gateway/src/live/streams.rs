//! A bound on the live streams one client address holds open: each stream holds a
//! connection and a feed's attention, so a client opening tabs without end (or a script) is
//! refused beyond [`STREAMS_PER_CLIENT`] while everyone else keeps theirs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// The most live streams one client address holds open at once.
pub const STREAMS_PER_CLIENT: usize = 6;

/// The open streams per client address.
#[derive(Clone, Debug)]
pub struct StreamPermits {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    limit: usize,
}

/// One open stream: dropping it (the stream ending) gives its place back.
#[derive(Debug)]
pub struct StreamPermit {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    client: IpAddr,
}

impl StreamPermits {
    /// At most `limit` streams per client address.
    pub fn new(limit: usize) -> StreamPermits {
        StreamPermits {
            open: Arc::new(Mutex::new(HashMap::new())),
            limit,
        }
    }

    /// A place for one more stream of `client`, or `None` when it holds `limit` already.
    pub fn take(&self, client: IpAddr) -> Option<StreamPermit> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let held = open.entry(client).or_insert(0);
        if *held >= self.limit {
            return None;
        }
        *held += 1;
        Some(StreamPermit {
            open: self.open.clone(),
            client,
        })
    }
}

impl Default for StreamPermits {
    fn default() -> StreamPermits {
        StreamPermits::new(STREAMS_PER_CLIENT)
    }
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(held) = open.get_mut(&self.client) {
            *held -= 1;
            if *held == 0 {
                open.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_holds_at_most_the_limit_and_gets_places_back_as_streams_end() {
        let permits = StreamPermits::new(2);
        let (one, other): (IpAddr, IpAddr) =
            ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        let first = permits.take(one).unwrap();
        let _second = permits.take(one).unwrap();
        assert!(permits.take(one).is_none(), "a third stream is refused");
        assert!(
            permits.take(other).is_some(),
            "another client is not slowed"
        );
        drop(first);
        assert!(permits.take(one).is_some(), "a place is given back");
    }
}
