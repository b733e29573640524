//! The hard-bounce rule: an address whose mail has bounced hard often enough is suppressed, so
//! that later circulars leave it out. What counts as a hard bounce is
//! [`DeliveryState::is_hard_bounce`](super::DeliveryState::is_hard_bounce); when to suppress,
//! and what the suppression says, is decided here. The store applies the rule in the
//! transaction that records the bounce, so no bounce is counted without its consequence.

use std::fmt::Write;

/// One hard bounce of an address, as the rule reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardBounce {
    /// The circular that bounced.
    pub circular: String,
    /// What the remote server said (the reply), or the state when it said nothing.
    pub said: String,
}

/// Suppress an address after `threshold` hard bounces (`[directory]
/// suppress_after_hard_bounces`; 0: never).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HardBounceRule {
    threshold: u32,
}

impl HardBounceRule {
    /// Who the suppression's audit entry names.
    pub const ACTOR: &'static str = "tracker (hard bounces)";

    /// How many hard bounces the suppression's detail lists (the newest).
    const LISTED: usize = 3;

    /// The rule with its threshold (0: never suppress).
    pub fn new(threshold: u32) -> HardBounceRule {
        HardBounceRule { threshold }
    }

    /// Whether the rule never suppresses.
    pub fn is_off(self) -> bool {
        self.threshold == 0
    }

    /// The suppression's detail when `bounces` (every hard bounce of one address, newest
    /// first) reach the threshold; `None` when they do not, or the rule is off.
    pub fn suppression(self, bounces: &[HardBounce]) -> Option<String> {
        if self.is_off() || bounces.len() < self.threshold as usize {
            return None;
        }
        let mut detail = format!(
            "hard-bounced {} times (suppressed after {}); latest: ",
            bounces.len(),
            self.threshold
        );
        for (i, bounce) in bounces.iter().take(Self::LISTED).enumerate() {
            let separator = if i == 0 { "" } else { "; " };
            let _ = write!(detail, "{separator}{}: {}", bounce.circular, bounce.said);
        }
        Some(detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounces(n: usize) -> Vec<HardBounce> {
        (0..n)
            .map(|i| HardBounce {
                circular: format!("TSB-{}", 40 - i),
                said: "550 5.1.1 User unknown".into(),
            })
            .collect()
    }

    #[test]
    fn an_address_is_suppressed_at_the_threshold_naming_the_newest_three() {
        let rule = HardBounceRule::new(3);
        assert_eq!(rule.suppression(&bounces(2)), None);
        assert_eq!(
            rule.suppression(&bounces(4)).as_deref(),
            Some(
                "hard-bounced 4 times (suppressed after 3); latest: \
                 TSB-40: 550 5.1.1 User unknown; TSB-39: 550 5.1.1 User unknown; \
                 TSB-38: 550 5.1.1 User unknown"
            )
        );
    }

    #[test]
    fn a_threshold_of_zero_never_suppresses() {
        let rule = HardBounceRule::new(0);
        assert!(rule.is_off());
        assert_eq!(rule.suppression(&bounces(10)), None);
    }
}
