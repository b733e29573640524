//! What becomes of a stored report, applied in one transaction: its state, what it said about
//! the delivery, and its effect on the delivery records (bounced, complained, delayed) or on the
//! directory (suppressed, unsubscribed).

use super::{short_id, DeliveryReport, ReportKind, ReportState};
use crate::deliveries::{suppress_if_bounced, write_history, write_outcomes};
use crate::directory::{recipients_suppression, unsubscribe_on};
use crate::{timestamp, Store, StoreError, SuppressionReason};
use chrono::{DateTime, Utc};
use circulars_core::domain::{
    BounceReason, DeliveryEvent, DeliveryState, HardBounceRule, SmtpReply, TopicId,
};
use circulars_core::events::DeliveryOutcome;
use sqlx::AnyConnection;

/// What applying a report changes besides the report's own state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportEffect {
    /// A bounce, delay warning or complaint about one delivery (`report.kind` is not
    /// [`ReportKind::Unsubscribe`]).
    Delivery(DeliveryReport),
    /// A mailed unsubscribe: from `topic`, or from everything when `None`; `source` says how
    /// (`mailed unsubscribe from TSB-36`).
    Unsubscribe {
        /// What was said, with the delivery the address came from.
        report: DeliveryReport,
        /// The circular's topic, when it has one.
        topic: Option<TopicId>,
        /// The suppression's detail or the subscription's source.
        source: String,
    },
}

/// What becomes of one stored report, worked out before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDecision {
    /// The stored report.
    pub report: String,
    /// Its new state: `applied`, `unmatched` or `ignored`.
    pub state: ReportState,
    /// Why, in words, for operations.
    pub detail: String,
    /// What it changes (only when `applied`).
    pub effect: Option<ReportEffect>,
}

/// Who the audit trail names for what the tracker applies from returned mail.
pub const REPORT_ACTOR: &str = "tracker (returned mail)";

impl Store {
    /// Applies a decision about a stored report in one transaction: the report's state and
    /// detail, the delivery report, and its effect: a permanent failure makes the delivery
    /// `bounced` (a state that outranks `sent`, so a bounce stored before the `sent` record
    /// stays) and applies the hard-bounce `rule`; a
    /// complaint makes it `complained` and suppresses the address; a delay adds a `delayed`
    /// history entry; an unsubscribe unsubscribes. Returns false, changing nothing, when the
    /// report was applied before (a replay); an unknown report is an error.
    pub async fn apply_report(
        &self,
        decision: &ReportDecision,
        rule: HardBounceRule,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE inbound_reports SET state = $2, detail = $3 WHERE id = $1 AND state = 'received'",
        )
        .bind(&decision.report)
        .bind(decision.state.wire_name())
        .bind(&decision.detail)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            let known: Option<String> =
                sqlx::query_scalar("SELECT state FROM inbound_reports WHERE id = $1")
                    .bind(&decision.report)
                    .fetch_optional(&mut *tx)
                    .await?;
            return match known {
                Some(_) => Ok(false),
                None => Err(StoreError::UnknownReport(decision.report.clone())),
            };
        }
        let now = Utc::now();
        match &decision.effect {
            None => {}
            Some(ReportEffect::Delivery(report)) => {
                apply_delivery_report(&mut tx, report, rule, now).await?;
            }
            Some(ReportEffect::Unsubscribe {
                report,
                topic,
                source,
            }) => {
                insert_delivery_report(&mut tx, report).await?;
                unsubscribe_on(
                    &mut tx,
                    &report.delivery.address,
                    topic.as_ref(),
                    source,
                    REPORT_ACTOR,
                    &timestamp(now),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// Applies what a report says about one delivery (a bounce, a delay warning or a complaint):
/// see [`Store::apply_report`].
async fn apply_delivery_report(
    conn: &mut AnyConnection,
    report: &DeliveryReport,
    rule: HardBounceRule,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    insert_delivery_report(conn, report).await?;
    let key = &report.delivery;
    let attempt: Option<i64> = sqlx::query_scalar(
        "SELECT attempt FROM deliveries WHERE circular_id = $1 AND address_key = $2",
    )
    .bind(key.circular.as_str())
    .bind(key.address.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let attempt = attempt.map_or(1, |a| u32::try_from(a).unwrap_or(1).max(1));
    let reply = report_reply(report);
    let detail = Some(format!("returned mail {}", short_id(&report.report)));
    let state = match report.kind {
        ReportKind::Permanent => Some(DeliveryState::Bounced),
        ReportKind::Complaint => Some(DeliveryState::Complained),
        ReportKind::Temporary | ReportKind::Unsubscribe => None,
    };
    match state {
        Some(state) => {
            write_outcomes(
                conn,
                &[DeliveryOutcome {
                    circular: key.circular.clone(),
                    address: key.address.clone(),
                    state,
                    attempt,
                    at: report.at,
                    reply,
                    detail,
                    unconfirmed: 0,
                    bounce_reason: report
                        .bounce_reason
                        .filter(|_| state == DeliveryState::Bounced),
                }],
            )
            .await?
        }
        None => {
            write_history(
                conn,
                key,
                DeliveryEvent::Delayed,
                attempt,
                reply.as_ref(),
                detail.as_deref(),
                report.at,
            )
            .await?
        }
    }
    let now = timestamp(now);
    match report.kind {
        // Only a bounce whose reason says the address is dead counts towards the rule: a full
        // mailbox, a block or refused content never suppresses an address by itself.
        ReportKind::Permanent
            if DeliveryState::Bounced.is_hard_bounce(None, report.bounce_reason) =>
        {
            suppress_if_bounced(conn, &key.address, rule, &now).await?
        }
        ReportKind::Complaint => {
            let about = match &report.feedback_type {
                Some(t) => format!("complaint ({t})"),
                None => "complaint".to_owned(),
            };
            recipients_suppression(
                conn,
                &key.address,
                SuppressionReason::Complained,
                &format!("{about} about {}", key.circular),
                REPORT_ACTOR,
                &now,
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

async fn insert_delivery_report(
    conn: &mut sqlx::AnyConnection,
    report: &DeliveryReport,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO delivery_reports (report_id, circular_id, address_key, kind, status, diagnostic, remote_mta, feedback_type, at, bounce_reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (report_id, circular_id, address_key) DO NOTHING",
    )
    .bind(&report.report)
    .bind(report.delivery.circular.as_str())
    .bind(report.delivery.address.as_str())
    .bind(report.kind.wire_name())
    .bind(&report.status)
    .bind(&report.diagnostic)
    .bind(&report.remote_mta)
    .bind(&report.feedback_type)
    .bind(timestamp(report.at))
    .bind(report.bounce_reason.map(BounceReason::as_str))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The remote server's reply in a report, when its diagnostic gives an SMTP code
/// (`smtp; 550 5.1.1 user unknown`); the status stands in for an enhanced code it lacks.
fn report_reply(report: &DeliveryReport) -> Option<SmtpReply> {
    let diagnostic = report.diagnostic.as_deref()?;
    let text = match diagnostic.split_once(';') {
        Some((kind, rest)) if kind.trim().eq_ignore_ascii_case("smtp") => rest.trim(),
        _ => diagnostic.trim(),
    };
    let code: u16 = text.get(..3)?.parse().ok()?;
    if !(200..600).contains(&code) || text.as_bytes().get(3).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut reply = SmtpReply::new(code, text[3..].trim_start_matches(['-', ' ']));
    if reply.enhanced.is_none() {
        reply.enhanced = report.status.clone();
    }
    Some(reply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InboundReport;
    use crate::{report_id, ReportSource};
    use circulars_core::domain::DeliveryKey;

    #[tokio::test]
    async fn a_bounce_stored_before_the_sent_record_stays_and_the_history_keeps_the_order() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let store = Store::open(&url).await.unwrap();
        let raw = b"From: MAILER-DAEMON@mx.example.org\r\n\r\nbounce\r\n".to_vec();
        let id = report_id(&raw);
        store
            .store_inbound_report(&InboundReport {
                id: id.clone(),
                received_at: Utc::now(),
                source: ReportSource::Smtp,
                envelope_to: vec![],
                raw,
                form: "dsn".into(),
                kind: "permanent".into(),
            })
            .await
            .unwrap();
        let delivery = DeliveryKey::new(
            "TSB-36".parse().unwrap(),
            circulars_core::domain::RecipientAddress::parse("amina@example.org").unwrap(),
        );
        let sent_at = Utc::now() - chrono::Duration::minutes(5);
        let decision = ReportDecision {
            report: id.clone(),
            state: ReportState::Applied,
            detail: "bounced".into(),
            effect: Some(ReportEffect::Delivery(DeliveryReport {
                delivery: delivery.clone(),
                kind: ReportKind::Permanent,
                status: Some("5.1.1".into()),
                diagnostic: Some("smtp; 550 5.1.1 user unknown".into()),
                remote_mta: Some("mx.example.org".into()),
                feedback_type: None,
                bounce_reason: Some(BounceReason::UserUnknown),
                at: Utc::now(),
                report: id.clone(),
            })),
        };
        assert!(store
            .apply_report(&decision, HardBounceRule::new(3))
            .await
            .unwrap());
        assert!(
            !store
                .apply_report(&decision, HardBounceRule::new(3))
                .await
                .unwrap(),
            "a replay changes nothing"
        );
        // The tracker records the "250" afterwards: it happened before, and ranks lower.
        let sent = DeliveryOutcome {
            circular: delivery.circular.clone(),
            address: delivery.address.clone(),
            state: DeliveryState::Sent,
            attempt: 1,
            at: sent_at,
            reply: Some(SmtpReply::new(250, "2.0.0 Ok: queued as 1A2B")),
            detail: None,
            unconfirmed: 0,
            bounce_reason: None,
        };
        store
            .record_outcomes(&[sent], HardBounceRule::new(3))
            .await
            .unwrap();
        let record = store
            .delivery(&delivery.circular, &delivery.address)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.state, DeliveryState::Bounced);
        let reply = record.reply.unwrap();
        assert_eq!(
            (reply.code, reply.enhanced.as_deref()),
            (550, Some("5.1.1"))
        );
        let history: Vec<DeliveryEvent> = store
            .delivery_history(&delivery.circular, &delivery.address)
            .await
            .unwrap()
            .into_iter()
            .map(|entry| entry.event)
            .collect();
        assert_eq!(
            history,
            [
                DeliveryEvent::Reached(DeliveryState::Sent),
                DeliveryEvent::Reached(DeliveryState::Bounced)
            ]
        );
        assert_eq!(store.delivery_reports(&delivery).await.unwrap().len(), 1);
        let reason = Some(BounceReason::UserUnknown);
        let record = store
            .delivery(&delivery.circular, &delivery.address)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.bounce_reason, reason);
        let history = store
            .delivery_history(&delivery.circular, &delivery.address)
            .await
            .unwrap();
        let reasons: Vec<_> = history.iter().map(|entry| entry.bounce_reason).collect();
        assert_eq!(reasons, [None, reason]);
        assert_eq!(
            store.delivery_reports(&delivery).await.unwrap()[0].bounce_reason,
            reason
        );
    }

    /// A bounce of `address` for TSB-`number` with `reason`, applied under a rule that
    /// suppresses at the first hard bounce; answers whether the address is suppressed after.
    async fn bounce_once(store: &Store, number: u32, address: &str, reason: BounceReason) -> bool {
        let raw =
            format!("From: MAILER-DAEMON@mx.example.org\r\n\r\n{number} {address} {reason}\r\n")
                .into_bytes();
        let id = report_id(&raw);
        store
            .store_inbound_report(&InboundReport {
                id: id.clone(),
                received_at: Utc::now(),
                source: ReportSource::Smtp,
                envelope_to: vec![],
                raw,
                form: "dsn".into(),
                kind: "permanent".into(),
            })
            .await
            .unwrap();
        let address = circulars_core::domain::RecipientAddress::parse(address).unwrap();
        let decision = ReportDecision {
            report: id.clone(),
            state: ReportState::Applied,
            detail: "bounced".into(),
            effect: Some(ReportEffect::Delivery(DeliveryReport {
                delivery: DeliveryKey::new(
                    format!("TSB-{number}").parse().unwrap(),
                    address.clone(),
                ),
                kind: ReportKind::Permanent,
                status: None,
                diagnostic: None,
                remote_mta: None,
                feedback_type: None,
                bounce_reason: Some(reason),
                at: Utc::now(),
                report: id,
            })),
        };
        store
            .apply_report(&decision, HardBounceRule::new(1))
            .await
            .unwrap();
        store.suppression(&address).await.unwrap().is_some()
    }

    #[tokio::test]
    async fn only_a_bounce_whose_reason_kills_the_address_counts_towards_the_rule() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let store = Store::open(&url).await.unwrap();
        for (n, reason) in [
            BounceReason::MailboxFull,
            BounceReason::Blocked,
            BounceReason::ContentRejected,
            BounceReason::Policy,
            BounceReason::Undefined,
        ]
        .into_iter()
        .enumerate()
        {
            assert!(
                !bounce_once(&store, 40 + n as u32, "full@example.org", reason).await,
                "{reason} suppressed the address"
            );
        }
        assert!(bounce_once(&store, 40, "gone@example.org", BounceReason::UserUnknown).await);
        let suppression = store
            .suppression(
                &circulars_core::domain::RecipientAddress::parse("gone@example.org").unwrap(),
            )
            .await
            .unwrap()
            .unwrap();
        assert!(
            suppression.detail.contains("(user_unknown)"),
            "{}",
            suppression.detail
        );
        // The mailbox-full bounces before it do not count either once an address does die.
        assert!(bounce_once(&store, 50, "full@example.org", BounceReason::HostUnknown).await);
        let detail = store
            .suppression(
                &circulars_core::domain::RecipientAddress::parse("full@example.org").unwrap(),
            )
            .await
            .unwrap()
            .unwrap()
            .detail;
        assert!(detail.starts_with("hard-bounced 1 times"), "{detail}");
    }

    #[test]
    fn the_reply_in_a_diagnostic_is_read_when_it_has_a_code() {
        let report = |diagnostic: &str, status: Option<&str>| DeliveryReport {
            delivery: DeliveryKey::new(
                "TSB-36".parse().unwrap(),
                circulars_core::domain::RecipientAddress::parse("a@example.org").unwrap(),
            ),
            kind: ReportKind::Permanent,
            status: status.map(str::to_owned),
            diagnostic: Some(diagnostic.to_owned()),
            remote_mta: None,
            feedback_type: None,
            bounce_reason: None,
            at: Utc::now(),
            report: String::new(),
        };
        let reply = report_reply(&report("smtp; 550 5.1.1 <a@example.org> unknown", None)).unwrap();
        assert_eq!(
            (reply.code, reply.enhanced.as_deref()),
            (550, Some("5.1.1"))
        );
        let reply = report_reply(&report("SMTP; 552-Mailbox full", Some("5.2.2"))).unwrap();
        assert_eq!(
            (reply.code, reply.enhanced.as_deref(), reply.text.as_str()),
            (552, Some("5.2.2"), "Mailbox full")
        );
        assert_eq!(
            report_reply(&report("X-Postfix; host unreachable", Some("4.4.1"))),
            None
        );
        assert_eq!(report_reply(&report("smtp; 5501 odd", None)), None);
    }
}
