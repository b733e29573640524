//! Deciding what an SMTP attempt means for the delivery, in one place: [`classify`] reads the
//! server's answer, [`decide`] turns it into the delivery's next state and retry time, and
//! [`failure_reason`] says why a failed one failed.

use chrono::{DateTime, TimeDelta, Utc};
use circulars_core::config::SmtpConfig;
use circulars_core::domain::{BounceReason, DeliveryState, SmtpReply};
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
    /// The whole message was sent and the relay's reply to it was lost (no reply in time, or
    /// the connection closed): the relay may have stored the mail.
    Unconfirmed {
        /// How the reply was lost.
        detail: String,
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
        Err(e @ SendError::ReplyLost { .. }) => Verdict::Unconfirmed {
            detail: e.to_string(),
        },
        Err(
            e @ (SendError::Connect { .. } | SendError::Timeout { .. } | SendError::Lost { .. }),
        ) => Verdict::Deferred {
            reply: None,
            detail: Some(e.to_string()),
        },
    }
}

/// Why a failed delivery failed, for its record: the relay's refusal read as a returned mail's
/// reason would be (`552 5.2.2` a full mailbox, `550 5.1.1` an unknown user), so that the
/// hard-bounce rule counts only the refusals that say the address is dead. A mail given up on
/// after temporary refusals keeps the reason of its last reply, not `expired`: its own relay's
/// outage must never suppress the audience. None for any other state, or without a reply.
pub fn failure_reason(state: DeliveryState, reply: Option<&SmtpReply>) -> Option<BounceReason> {
    let reply = reply.filter(|_| state == DeliveryState::Failed)?;
    let reason = circulars_bounce_reports::reason_of_reply(
        reply.code,
        reply.enhanced.as_deref(),
        &reply.text,
    );
    // The two sets are the same, kept equal by a test of the returned-mail library.
    reason.as_str().parse().ok()
}

/// Counts an attempt's outcome in `circulars_mails_total{state, relay}` (`relay` is `none` when
/// the mail was never handed to one): `sent` and `failed` once per mail, `deferred` once per
/// attempt to be tried again. Never the recipient: labels stay few and carry no address.
pub fn count(state: DeliveryState, relay: Option<&str>) {
    metrics::counter!(
        "circulars_mails_total",
        "state" => state.wire_name(),
        "relay" => relay.unwrap_or("none").to_owned()
    )
    .increment(1);
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
    /// Attempts so far (this one included) whose reply was lost after the whole message was
    /// sent, while that is all that is known: on a deferred decision, carried to the next
    /// attempt; on a `sent` one, the mark of an unconfirmed delivery. 0 once a reply came.
    pub unconfirmed: u32,
}

/// The attempt being judged: its number, when the first attempt began, and how many earlier
/// attempts lost their reply after the whole message was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// The attempt, from 1.
    pub number: u32,
    /// When the first attempt began (retries give up a configured time after it).
    pub first_at: DateTime<Utc>,
    /// Earlier attempts whose reply was lost after the message was sent.
    pub unconfirmed_before: u32,
}

/// Decides what `attempt`, judged `verdict` at `now`, leaves the delivery in:
/// - a deferred mail is tried again after the schedule's delay for this attempt, varied by
///   `jitter` (a fraction from -1 to 1 of `smtp.retry_jitter`), never later than
///   `smtp.give_up_after_secs` after the first attempt; one still refused then is `failed`
///   (or `sent`, unconfirmed, when an earlier attempt's message may have been stored);
/// - a reply lost after the whole message was sent is tried again at most
///   `smtp.unconfirmed_retries` times like a deferred mail, then recorded `sent` with the
///   count of attempts that reached that point: the relay may have the mail, so sending it
///   again could only add copies.
pub fn decide(
    verdict: Verdict,
    attempt: Attempt,
    now: DateTime<Utc>,
    smtp: &SmtpConfig,
    jitter: f64,
) -> Decision {
    let Attempt {
        number,
        first_at,
        unconfirmed_before,
    } = attempt;
    let settled = |state, reply, detail, unconfirmed| Decision {
        state,
        reply,
        detail,
        next_at: None,
        unconfirmed,
    };
    let (reply, detail, unconfirmed) = match verdict {
        // A reply came: the delivery is confirmed (or refused) whatever earlier attempts
        // lost; their history entries keep the count.
        Verdict::Sent(reply) => return settled(DeliveryState::Sent, Some(reply), None, 0),
        Verdict::Failed { reply, detail } => {
            return settled(DeliveryState::Failed, reply, detail, 0)
        }
        Verdict::Unconfirmed { detail } => {
            let reached = unconfirmed_before + 1;
            if reached > smtp.unconfirmed_retries {
                return settled(
                    DeliveryState::Sent,
                    None,
                    Some(may_have_been_delivered(reached, &detail)),
                    reached,
                );
            }
            (None, Some(detail), reached)
        }
        Verdict::Deferred { reply, detail } => (reply, detail, unconfirmed_before),
    };
    let deadline = first_at + TimeDelta::seconds(smtp.give_up_after_secs as i64);
    if now >= deadline {
        let hours = (now - first_at).num_minutes() as f64 / 60.0;
        let given_up = format!(
            "not accepted in {hours:.1} h ({number} attempts){}",
            detail.map(|d| format!("; last: {d}")).unwrap_or_default()
        );
        if unconfirmed > 0 {
            let detail = format!("{}; {given_up}", may_have_been_delivered(unconfirmed, ""));
            return settled(DeliveryState::Sent, reply, Some(detail), unconfirmed);
        }
        return settled(DeliveryState::Failed, reply, Some(given_up), 0);
    }
    let delay = smtp.retry_delay(number).as_secs_f64()
        * (1.0 + smtp.retry_jitter * jitter.clamp(-1.0, 1.0));
    let next = now + TimeDelta::milliseconds((delay * 1000.0) as i64);
    Decision {
        state: DeliveryState::Deferred,
        reply,
        detail,
        next_at: Some(next.min(deadline)),
        unconfirmed,
    }
}

/// The record of a mail whose reply was lost after `attempts` attempts sent the whole message.
fn may_have_been_delivered(attempts: u32, last: &str) -> String {
    let times = if attempts == 1 {
        "1 attempt".to_owned()
    } else {
        format!("{attempts} attempts")
    };
    let last = if last.is_empty() {
        String::new()
    } else {
        format!("; last: {last}")
    };
    format!("may have been delivered: the reply was lost after the message was sent ({times} reached that point){last}")
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

    fn at(number: u32, first_at: DateTime<Utc>) -> Attempt {
        Attempt {
            number,
            first_at,
            unconfirmed_before: 0,
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
        let d = decide(deferred(), at(1, first), first, &smtp(), 0.0);
        assert_eq!(d.state, DeliveryState::Deferred);
        assert_eq!(d.next_at, Some(first + TimeDelta::seconds(60)));
        let early = decide(deferred(), at(1, first), first, &smtp(), -1.0);
        assert_eq!(early.next_at, Some(first + TimeDelta::seconds(48)));
        let later = first + TimeDelta::seconds(3000);
        let capped = decide(deferred(), at(5, first), later, &smtp(), 1.0);
        assert_eq!(
            capped.next_at,
            Some(first + TimeDelta::seconds(3600)),
            "one last attempt at the deadline, not after it"
        );
        let given_up = decide(
            deferred(),
            at(6, first),
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
            at(1, now),
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
            at(1, now),
            now,
            &smtp(),
            0.0,
        );
        assert_eq!(
            (failed.state, failed.next_at),
            (DeliveryState::Failed, None)
        );
    }

    fn reply_lost() -> Verdict {
        Verdict::Unconfirmed {
            detail: "127.0.0.1:2525: no reply to the message within 600 s".into(),
        }
    }

    #[test]
    fn a_reply_lost_after_the_message_is_tried_again_as_configured_then_recorded_sent_unconfirmed()
    {
        let first = Utc::now();
        let once = decide(reply_lost(), at(1, first), first, &smtp(), 0.0);
        assert_eq!(
            (once.state, once.unconfirmed),
            (DeliveryState::Deferred, 1),
            "one retry by default"
        );
        assert_eq!(once.next_at, Some(first + TimeDelta::seconds(60)));
        let second = Attempt {
            unconfirmed_before: once.unconfirmed,
            ..at(2, first)
        };
        let twice = decide(reply_lost(), second, first, &smtp(), 0.0);
        assert_eq!(
            (twice.state, twice.unconfirmed, twice.next_at),
            (DeliveryState::Sent, 2, None)
        );
        assert_eq!(
            twice.detail.as_deref(),
            Some("may have been delivered: the reply was lost after the message was sent (2 attempts reached that point); last: 127.0.0.1:2525: no reply to the message within 600 s")
        );
        // Accepted on the retry: confirmed (the history keeps the attempt whose reply was lost).
        let accepted = decide(
            Verdict::Sent(SmtpReply::new(250, "2.0.0 Ok")),
            second,
            first,
            &smtp(),
            0.0,
        );
        assert_eq!(
            (accepted.state, accepted.unconfirmed),
            (DeliveryState::Sent, 0)
        );
        // No retries configured: the first lost reply is final.
        let none = SmtpConfig {
            unconfirmed_retries: 0,
            ..smtp()
        };
        let at_once = decide(reply_lost(), at(1, first), first, &none, 0.0);
        assert_eq!(
            (at_once.state, at_once.unconfirmed),
            (DeliveryState::Sent, 1)
        );
        // Refused for now until the deadline after a lost reply: it may have been delivered.
        let late = first + TimeDelta::seconds(3600);
        let given_up = decide(deferred(), second, late, &smtp(), 0.0);
        assert_eq!(
            (given_up.state, given_up.unconfirmed),
            (DeliveryState::Sent, 1)
        );
        assert!(given_up.detail.as_deref().is_some_and(|d| d
            .starts_with("may have been delivered")
            && d.contains("not accepted in 1.0 h")));
    }
}
