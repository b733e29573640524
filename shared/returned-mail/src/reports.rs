//! Returned mail applied: each `report.received` is matched to the delivery it is about and
//! applied in one transaction ([`Store::apply_report`]), or kept as `unmatched` or `ignored`
//! with the reason, never dropped.
//!
//! Matching, in this order:
//! 1. a mailed unsubscribe: an `unsubscribe+<token>@<return domain>` recipient whose token
//!    verifies unsubscribes the delivery's address (from the circular's topic, or from
//!    everything);
//! 2. a report that is not a bounce (an auto-reply, ordinary mail) is `ignored`;
//! 3. the delivery: by the VERP token of a `bounce+<token>@<return domain>` recipient (the
//!    intake's `RCPT TO`, else the headers the report was delivered with), else by the
//!    original `Message-ID` the report quotes;
//! 4. what the report says about that delivery's address (a report naming no address is
//!    attributed to nobody: `unmatched`).

use chrono::{DateTime, Utc};
use circulars_bounce_reports::{Finding, Kind, Reason, Report};
use circulars_contacts::unsubscribe::Unsubscriber;
use circulars_core::domain::{BounceReason, DeliveryKey, HardBounceRule, RecipientAddress};
use circulars_core::events::{Contract, ReportReceived};
use circulars_core::tokens::DeliveryRef;
use circulars_core::tokens::{parse_message_id, parse_return_address, Keyring, Purpose};
use circulars_runtime::Failure;
use circulars_store::{
    short_id, DeliveryReport, ReportDecision, ReportEffect, ReportKind, ReportState, Store,
    StoreError,
};
use tracing::{info, warn};

/// How the tracker says a mailed unsubscribe was made (the suppression's detail).
pub const MAILED_UNSUBSCRIBE: &str = "mailed unsubscribe";

/// What the tracker needs to match returned mail to deliveries.
#[derive(Clone, Debug)]
pub struct Matcher {
    /// The database.
    pub store: Store,
    /// The keys that verify VERP and unsubscribe tokens.
    pub keyring: Keyring,
    /// `mail.return_domain`: the domain of VERP and unsubscribe addresses.
    pub return_domain: String,
    /// `mail.message_id_domain`: the domain of our `Message-ID`s.
    pub message_id_domain: String,
}

/// How a delivery was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// By the signed token of a VERP address.
    Verp,
    /// By the `Message-ID` of the returned message.
    MessageId,
}

impl Found {
    fn words(self) -> &'static str {
        match self {
            Found::Verp => "VERP address",
            Found::MessageId => "Message-ID",
        }
    }
}

impl Matcher {
    /// Decides what `event` does, reading only; `report` is what the parser found in it and
    /// `at` is when it came in.
    pub async fn decide(
        &self,
        event: &ReportReceived,
        report: &Report,
        at: DateTime<Utc>,
    ) -> Result<ReportDecision, StoreError> {
        let decision = |(state, detail, effect): Verdict| ReportDecision {
            report: event.report.clone(),
            state,
            detail,
            effect,
        };
        let addresses: Vec<&str> = event
            .envelope_to
            .iter()
            .chain(&report.addressed_to)
            .map(String::as_str)
            .collect();
        let mut refused = Vec::new();
        if let Some(delivery) = self
            .delivery_of(&addresses, Purpose::Unsubscribe, &mut refused)
            .await?
        {
            return Ok(decision(self.unsubscribe(delivery, event, at).await?));
        }
        if report.kind == Kind::NotBounce
            && report.findings.iter().all(|f| f.kind == Kind::NotBounce)
        {
            let detail = format!("not a bounce ({})", report.form.as_str());
            return Ok(decision((ReportState::Ignored, detail, None)));
        }
        let found = match self
            .delivery_of(&addresses, Purpose::Bounce, &mut refused)
            .await?
        {
            Some(delivery) => Some((delivery, Found::Verp)),
            None => self
                .delivery_of_message_id(report)
                .await?
                .map(|d| (d, Found::MessageId)),
        };
        let Some((delivery, found)) = found else {
            let why = match (refused.is_empty(), &report.original_message_id) {
                (true, None) => "no VERP address and no Message-ID of ours".to_owned(),
                (true, Some(id)) => {
                    format!("no VERP address; Message-ID <{id}> is not one of ours")
                }
                (false, _) => refused.join("; "),
            };
            let detail = format!("matches no delivery: {why}");
            return Ok(decision((ReportState::Unmatched, detail, None)));
        };
        Ok(decision(about_delivery(
            report,
            delivery,
            found,
            &event.report,
            at,
        )))
    }

    /// A mailed unsubscribe of `delivery`'s address: what the link would do.
    async fn unsubscribe(
        &self,
        delivery: DeliveryKey,
        event: &ReportReceived,
        at: DateTime<Utc>,
    ) -> Result<Verdict, StoreError> {
        let plan = Unsubscriber::new(self.store.clone(), self.keyring.clone())
            .plan(delivery.clone())
            .await?;
        let detail = format!(
            "mailed unsubscribe: {} {} (from {})",
            delivery.address.masked(),
            plan.describe_scope(),
            delivery.circular
        );
        let effect = ReportEffect::Unsubscribe {
            report: DeliveryReport {
                delivery,
                kind: ReportKind::Unsubscribe,
                status: None,
                diagnostic: None,
                remote_mta: None,
                feedback_type: None,
                bounce_reason: None,
                at,
                report: event.report.clone(),
            },
            topic: plan.scope.topic().cloned(),
            source: plan.source(MAILED_UNSUBSCRIBE),
        };
        Ok((ReportState::Applied, detail, Some(effect)))
    }

    /// The delivery named by the first return address made for `purpose` whose token verifies
    /// and names a delivery of a frozen audience; why the others did not, in `refused`.
    async fn delivery_of(
        &self,
        addresses: &[&str],
        purpose: Purpose,
        refused: &mut Vec<String>,
    ) -> Result<Option<DeliveryKey>, StoreError> {
        for address in addresses {
            let Some((made_for, token)) = parse_return_address(address, &self.return_domain) else {
                continue;
            };
            if made_for != purpose {
                continue;
            }
            let verified = match self.keyring.verify(&token) {
                Ok(v) if v.purpose == purpose => v,
                Ok(v) => {
                    refused.push(format!("{purpose} address with a {} token", v.purpose));
                    continue;
                }
                Err(e) => {
                    refused.push(format!("{purpose} address with an invalid token ({e})"));
                    continue;
                }
            };
            match self.store.delivery_by_ref(&verified.delivery).await? {
                Some(delivery) => return Ok(Some(delivery)),
                None => refused.push(format!(
                    "{purpose} token names delivery {} of no frozen audience",
                    verified.delivery
                )),
            }
        }
        Ok(None)
    }

    /// The delivery whose `Message-ID` the report quotes, when it is one of ours.
    async fn delivery_of_message_id(
        &self,
        report: &Report,
    ) -> Result<Option<DeliveryKey>, StoreError> {
        let Some(id) = &report.original_message_id else {
            return Ok(None);
        };
        let Some((circular, reference)) = parse_message_id(id, &self.message_id_domain) else {
            return Ok(None);
        };
        Ok(self
            .store
            .delivery_by_ref(&reference)
            .await?
            .filter(|d| d.circular.as_str() == circular))
    }
}

/// What the report says about `address`: the most serious of the findings naming it (as the
/// address we sent to or the one it finally went to); when none names it, the most serious
/// of all (the delivery is already known by its token or Message-ID: a forwarding address is
/// named instead of ours). `None` when the report names no address at all.
fn finding_for<'r>(report: &'r Report, address: &RecipientAddress) -> Option<&'r Finding> {
    let is = |text: &str| RecipientAddress::parse(text).is_ok_and(|a| &a == address);
    let naming: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| is(&f.recipient) || f.final_recipient.as_deref().is_some_and(is))
        .collect();
    let candidates = if naming.is_empty() {
        report.findings.iter().collect()
    } else {
        naming
    };
    candidates.into_iter().max_by_key(|f| f.kind.seriousness())
}

/// What a report says about the delivery it was matched to: applied with the finding that
/// names its address, or kept (`ignored`, `unmatched`) with the reason.
fn about_delivery(
    report: &Report,
    delivery: DeliveryKey,
    found: Found,
    report_id: &str,
    at: DateTime<Utc>,
) -> Verdict {
    let Some(finding) = finding_for(report, &delivery.address) else {
        let detail = format!(
            "names no recipient (a {} {} for {} of {}, found by {})",
            report.kind.as_str(),
            report.form.as_str(),
            delivery.address.masked(),
            delivery.circular,
            found.words()
        );
        return (ReportState::Unmatched, detail, None);
    };
    let (kind, done) = match finding.kind {
        Kind::Permanent => (ReportKind::Permanent, "bounced"),
        Kind::Temporary => (ReportKind::Temporary, "delayed"),
        Kind::Complaint => (ReportKind::Complaint, "complained"),
        Kind::NotBounce => {
            let detail = format!(
                "not a failure ({}, action {})",
                report.form.as_str(),
                finding.action.as_deref().unwrap_or("none")
            );
            return (ReportState::Ignored, detail, None);
        }
        Kind::Unknown => {
            let detail = format!(
                "cannot tell whether the failure for {} of {} is permanent or temporary",
                delivery.address.masked(),
                delivery.circular
            );
            return (ReportState::Unmatched, detail, None);
        }
    };
    let status = finding.status.as_deref().map(|s| format!(": {s}"));
    let detail = format!(
        "{done} for {} of {} (found by {}){} ({})",
        delivery.address.masked(),
        delivery.circular,
        found.words(),
        status.unwrap_or_default(),
        finding.reason
    );
    let effect = ReportEffect::Delivery(DeliveryReport {
        delivery,
        kind,
        status: finding.status.clone(),
        diagnostic: finding.diagnostic.clone(),
        remote_mta: finding.remote_mta.clone(),
        feedback_type: finding.feedback_type.clone(),
        bounce_reason: Some(bounce_reason(finding.reason)),
        at,
        report: report_id.to_owned(),
    });
    (ReportState::Applied, detail, Some(effect))
}

/// The parser's reason as the records keep it (the contracts crate depends on no parser, so it
/// has the same set of its own).
fn bounce_reason(reason: Reason) -> BounceReason {
    match reason {
        Reason::UserUnknown => BounceReason::UserUnknown,
        Reason::MailboxFull => BounceReason::MailboxFull,
        Reason::HostUnknown => BounceReason::HostUnknown,
        Reason::HasMoved => BounceReason::HasMoved,
        Reason::Expired => BounceReason::Expired,
        Reason::Suspended => BounceReason::Suspended,
        Reason::Blocked => BounceReason::Blocked,
        Reason::ContentRejected => BounceReason::ContentRejected,
        Reason::Policy => BounceReason::Policy,
        Reason::MessageTooBig => BounceReason::MessageTooBig,
        Reason::SystemError => BounceReason::SystemError,
        Reason::Complaint => BounceReason::Complaint,
        Reason::Other => BounceReason::Other,
        Reason::Undefined => BounceReason::Undefined,
    }
}

/// What a report comes to: its state, the reason in words, and what it changes.
type Verdict = (ReportState, String, Option<ReportEffect>);

/// Applies one `report.received` message: the stored report is read back and parsed, then
/// applied (see [`apply_event`]). A report no longer stored (its address was forgotten since)
/// has nothing left to apply.
pub async fn apply(
    matcher: &Matcher,
    subject: &str,
    payload: &[u8],
    rule: HardBounceRule,
) -> Result<(), Failure> {
    let event = ReportReceived::decode(subject, payload)?;
    let parsed = match crate::intake::parse_stored(&matcher.store, &event.report).await {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            warn!(
                report = short_id(&event.report),
                "returned mail no longer stored; nothing to apply"
            );
            return Ok(());
        }
        Err(crate::intake::IntakeError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(Failure::Retry(e.into())),
    };
    apply_event(matcher, &event, &parsed, rule).await?;
    Ok(())
}

/// Decides what a stored report does, writes it, and logs one line saying what became of it;
/// returns the decision, or `None` when the report was applied before (nothing changed).
pub async fn apply_event(
    matcher: &Matcher,
    event: &ReportReceived,
    report: &Report,
    rule: HardBounceRule,
) -> Result<Option<ReportDecision>, StoreError> {
    let decision = matcher.decide(event, report, Utc::now()).await?;
    let applied = matcher.store.apply_report(&decision, rule).await?;
    let report = short_id(&event.report);
    name_in_span(report, &decision);
    if !applied {
        info!(report, "returned mail already applied; nothing changed");
        return Ok(None);
    }
    // The report's kind when applied (permanent, temporary, complaint, unsubscribe), else what
    // became of it (unmatched, ignored).
    let kind = match &decision.effect {
        Some(ReportEffect::Delivery(r) | ReportEffect::Unsubscribe { report: r, .. }) => {
            r.kind.wire_name()
        }
        None => decision.state.wire_name(),
    };
    metrics::counter!("circulars_returned_mail_total", "kind" => kind).increment(1);
    match decision.state {
        ReportState::Unmatched => {
            warn!(report, source = %event.source, detail = %decision.detail, "returned mail kept as unmatched")
        }
        state => {
            info!(report, source = %event.source, state = state.wire_name(), detail = %decision.detail, "returned mail applied")
        }
    }
    Ok(Some(decision))
}

/// Names the report, what became of it, and the delivery it was matched to (its circular and
/// reference, never the address) in the current span, where it has those fields (the
/// tracker's `apply_report`).
fn name_in_span(report: &str, decision: &ReportDecision) {
    let span = tracing::Span::current();
    span.record("report", report);
    span.record("state", decision.state.wire_name());
    if let Some(ReportEffect::Delivery(r) | ReportEffect::Unsubscribe { report: r, .. }) =
        &decision.effect
    {
        span.record("circular", tracing::field::display(&r.delivery.circular));
        span.record(
            "delivery",
            tracing::field::display(DeliveryRef::of(&r.delivery)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_records_keep_the_parser_s_reasons_by_the_same_names_and_kill_the_same_addresses() {
        for reason in Reason::ALL {
            let kept = bounce_reason(reason);
            assert_eq!(kept.as_str(), reason.as_str());
            assert_eq!(kept.kills_address(), reason.kills_address(), "{reason}");
        }
        assert_eq!(Reason::ALL.len(), BounceReason::ALL.len());
    }
}
