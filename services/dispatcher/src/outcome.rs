//! Deciding what an SMTP attempt means for the delivery, in one place: [`classify`] reads the
//! server's answer, [`decide`] turns it into the delivery's next state and retry time.

use chrono::{DateTime, TimeDelta, Utc};
use circulars_core::config::SmtpConfig;
use circulars_core::domain::{DeliveryState, SmtpReply};
use circulars_relays::SendError;

/// What one SMTP attempt means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted (2xx): the reply carries the relay's queue id.
    Sent(SmtpReply),
    /// Refused for now (4xx, connection lost, timeout): try again later.
    Deferred {
        /// The reply, when the server gave one.
        reply: Option<SmtpReply>,
        /// What failed, when no server replied.
        detail: Option<String>,
    },
    /// Refused for good (5xx), or a mail that can never be sent.
    Failed {
        /// The reply, when the server gave one.
        reply: Option<SmtpReply>,
        /// What failed, when no server replied.
        detail: Option<String>,
    },
}

/// Classifies the result of sending one mail: 2xx sent, 5xx failed, 4xx and every transport
/// problem (connection, timeout, TLS) deferred; a mail that cannot be sent as it is failed,
/// since sending it again cannot help. A reply lost after the whole message was written is
/// deferred too, for now, though the relay may have stored the mail
/// ([`SendError::reply_lost`]).
pub fn classify(result: &Result<SmtpReply, SendError>) -> Verdict {
    match result {
        Ok(reply) => Verdict::Sent(reply.clone()),
        Err(SendError::Refused { reply, .. }) if reply.code >= 500 => Verdict::Failed {
            reply: Some(reply.clone()),
            detail: None,
        },
        Err(SendError::Refused { reply, .. }) => Verdict::Deferred {
            reply: Some(reply.clone()),
            detail: None,
        },
        Err(e @ SendError::Unsendable { .. }) => Verdict::Failed {
            reply: None,
            detail: Some(e.to_string()),
        },
        Err(
            e @ (SendError::Connect { .. }
            | SendError::Timeout { .. }
            | SendError::Lost { .. }
            | SendError::ReplyLost { .. }),
        ) => Verdict::Deferred {
            reply: None,
            detail: Some(e.to_string()),
        },
    }
}

/// What an attempt leaves the delivery in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// `sent`, `failed` or `deferred`.
    pub state: DeliveryState,
    /// The server's reply, when it gave one.
    pub reply: Option<SmtpReply>,
    /// What failed when no server replied, or why a mail was given up.
    pub detail: Option<String>,
    /// For deferred mail: when to try again.
    pub next_at: Option<DateTime<Utc>>,
}

/// Decides what attempt `attempt` (begun `first_at`, judged `verdict` at `now`) leaves the
/// delivery in: a deferred mail is tried again after the schedule's delay for this attempt,
/// varied by `jitter` (a fraction from -1 to 1 of `smtp.retry_jitter`), never later than
/// `smtp.give_up_after_secs` after the first attempt; one still refused then is `failed`.
pub fn decide(
    verdict: Verdict,
    attempt: u32,
    first_at: DateTime<Utc>,
    now: DateTime<Utc>,
    smtp: &SmtpConfig,
    jitter: f64,
) -> Decision {
    match verdict {
        Verdict::Sent(reply) => Decision {
            state: DeliveryState::Sent,
            reply: Some(reply),
            detail: None,
            next_at: None,
        },
        Verdict::Failed { reply, detail } => Decision {
            state: DeliveryState::Failed,
            reply,
            detail,
            next_at: None,
        },
        Verdict::Deferred { reply, detail } => {
            let deadline = first_at + TimeDelta::seconds(smtp.give_up_after_secs as i64);
            if now >= deadline {
                let hours = (now - first_at).num_minutes() as f64 / 60.0;
                return Decision {
                    state: DeliveryState::Failed,
                    reply,
                    detail: Some(format!(
                        "not accepted in {hours:.1} h ({attempt} attempts){}",
                        detail.map(|d| format!("; last: {d}")).unwrap_or_default()
                    )),
                    next_at: None,
                };
            }
            let delay = smtp.retry_delay(attempt).as_secs_f64()
                * (1.0 + smtp.retry_jitter * jitter.clamp(-1.0, 1.0));
            let next = now + TimeDelta::milliseconds((delay * 1000.0) as i64);
            Decision {
                state: DeliveryState::Deferred,
                reply,
                detail,
                next_at: Some(next.min(deadline)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp() -> SmtpConfig {
        SmtpConfig {
            retry_delays_secs: vec![60, 600],
            retry_jitter: 0.2,
            give_up_after_secs: 3600,
            ..SmtpConfig::default()
        }
    }

    fn deferred() -> Verdict {
        Verdict::Deferred {
            reply: Some(SmtpReply::new(451, "4.7.1 Greylisted, try again later")),
            detail: None,
        }
    }

    #[test]
    fn deferred_mail_follows_the_schedule_with_jitter_and_is_given_up_at_the_deadline() {
        let first = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let d = decide(deferred(), 1, first, first, &smtp(), 0.0);
        assert_eq!(d.state, DeliveryState::Deferred);
        assert_eq!(d.next_at, Some(first + TimeDelta::seconds(60)));
        let early = decide(deferred(), 1, first, first, &smtp(), -1.0);
        assert_eq!(early.next_at, Some(first + TimeDelta::seconds(48)));
        let later = first + TimeDelta::seconds(3000);
        let capped = decide(deferred(), 5, first, later, &smtp(), 1.0);
        assert_eq!(
            capped.next_at,
            Some(first + TimeDelta::seconds(3600)),
            "one last attempt at the deadline, not after it"
        );
        let given_up = decide(
            deferred(),
            6,
            first,
            first + TimeDelta::seconds(3600),
            &smtp(),
            0.0,
        );
        assert_eq!(given_up.state, DeliveryState::Failed);
        assert_eq!(given_up.reply.as_ref().map(|r| r.code), Some(451));
        assert_eq!(
            given_up.detail.as_deref(),
            Some("not accepted in 1.0 h (6 attempts)")
        );
    }

    #[test]
    fn sent_and_failed_are_kept_as_the_server_said() {
        let now = Utc::now();
        let sent = decide(
            Verdict::Sent(SmtpReply::new(250, "2.0.0 Ok: queued as 4XYZ")),
            1,
            now,
            now,
            &smtp(),
            0.0,
        );
        assert_eq!(sent.state, DeliveryState::Sent);
        assert_eq!(sent.reply.unwrap().text, "Ok: queued as 4XYZ");
        let failed = decide(
            Verdict::Failed {
                reply: Some(SmtpReply::new(550, "5.1.1 User unknown")),
                detail: None,
            },
            1,
            now,
            now,
            &smtp(),
            0.0,
        );
        assert_eq!(
            (failed.state, failed.next_at),
            (DeliveryState::Failed, None)
        );
    }
}
