//! What each relay did in the last minute, counted in memory as mail goes through it: one
//! slot per second over a minute, so reading the totals is 60 additions and counting a mail
//! one, whatever the traffic.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The window the totals cover.
pub const WINDOW: Duration = Duration::from_secs(60);

/// One relay's limits in force and mails of the last minute, as [`crate::Relays::activity`]
/// reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayCounts {
    /// The relay's name.
    pub relay: String,
    /// Mails per second at most (0: no limit), as in force now.
    pub rate_per_second: u32,
    /// Connections at once at most, as in force now.
    pub connections: u32,
    /// Mails the relay accepted in the last [`WINDOW`].
    pub sent_last_minute: u64,
    /// Mails it refused (any SMTP error) or never answered in the last [`WINDOW`].
    pub failed_last_minute: u64,
}

/// Mails accepted and failed per second over the last [`WINDOW`].
pub(crate) struct LastMinute {
    start: Instant,
    /// `(second since start, accepted, failed)`, the slot of second `s` at `s % 60`.
    slots: Mutex<[(u64, u64, u64); 60]>,
}

impl LastMinute {
    /// An empty window counting from `start`.
    pub(crate) fn new(start: Instant) -> LastMinute {
        LastMinute {
            start,
            slots: Mutex::new([(0, 0, 0); 60]),
        }
    }

    fn second(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.start).as_secs()
    }

    /// Counts one mail at `now`: accepted by the relay or not.
    pub(crate) fn count(&self, now: Instant, accepted: bool) {
        let second = self.second(now);
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = &mut slots[(second % 60) as usize];
        if slot.0 != second {
            *slot = (second, 0, 0);
        }
        if accepted {
            slot.1 += 1;
        } else {
            slot.2 += 1;
        }
    }

    /// Mails accepted and failed in the minute before `now` (this second included).
    pub(crate) fn totals(&self, now: Instant) -> (u64, u64) {
        let second = self.second(now);
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots
            .iter()
            .filter(|(s, _, _)| *s <= second && second - s < WINDOW.as_secs())
            .fold((0, 0), |(a, f), (_, sa, sf)| (a + sa, f + sf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_counts_for_sixty_seconds_then_drops_out() {
        let start = Instant::now();
        let window = LastMinute::new(start);
        let at = |s: u64| start + Duration::from_millis(s * 1000 + 500);
        window.count(at(0), true);
        window.count(at(0), false);
        window.count(at(10), true);
        window.count(at(59), true);
        assert_eq!(window.totals(at(59)), (3, 1));
        // Second 0 leaves the window at second 60; second 10 at second 70.
        assert_eq!(window.totals(at(60)), (2, 0));
        window.count(at(60), true);
        assert_eq!(window.totals(at(60)), (3, 0), "slot 0 reused for second 60");
        assert_eq!(window.totals(at(70)), (2, 0));
        assert_eq!(
            window.totals(at(200)),
            (0, 0),
            "a quiet relay counts nothing"
        );
    }
}
