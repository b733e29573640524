//! What the circulars' pages call things, in the page's language: a circular's states, the
//! six languages, why an address is left out, the steps of the audit trail and where they
//! came from, delivery states and what returned mail meant. Each name is a literal message id here, so that the test of
//! `console::words` finds it in both `staff.ftl` files.

use crate::console::PageContext;
use circulars_core::domain::{CircularState, DeliveryState, Language};
use circulars_store::ReportKind;

/// A circular's state ("Submitted for approval").
pub fn circular_state(page: &PageContext, state: CircularState) -> String {
    match state {
        CircularState::Draft => page.t("circular-state-draft"),
        CircularState::Submitted => page.t("circular-state-submitted"),
        CircularState::Approved => page.t("circular-state-approved"),
        CircularState::Issued => page.t("circular-state-issued"),
        CircularState::Paused => page.t("circular-state-paused"),
        CircularState::Cancelled => page.t("circular-state-cancelled"),
    }
}

/// One of the six languages ("Arabic").
pub fn language(page: &PageContext, language: Language) -> String {
    match language {
        Language::Ar => page.t("circulars-language-ar"),
        Language::Zh => page.t("circulars-language-zh"),
        Language::En => page.t("circulars-language-en"),
        Language::Fr => page.t("circulars-language-fr"),
        Language::Ru => page.t("circulars-language-ru"),
        Language::Es => page.t("circulars-language-es"),
    }
}

/// A delivery state ("Sent").
pub fn delivery_state(page: &PageContext, state: DeliveryState) -> String {
    match state {
        DeliveryState::Queued => page.t("delivery-state-queued"),
        DeliveryState::Sending => page.t("delivery-state-sending"),
        DeliveryState::Sent => page.t("delivery-state-sent"),
        DeliveryState::Deferred => page.t("delivery-state-deferred"),
        DeliveryState::Failed => page.t("delivery-state-failed"),
        DeliveryState::Cancelled => page.t("delivery-state-cancelled"),
        DeliveryState::Bounced => page.t("delivery-state-bounced"),
        DeliveryState::Complained => page.t("delivery-state-complained"),
    }
}

/// What a returned mail meant ("Bounced").
pub fn report_kind(page: &PageContext, kind: ReportKind) -> String {
    match kind {
        ReportKind::Permanent => page.t("returned-kind-permanent"),
        ReportKind::Temporary => page.t("returned-kind-temporary"),
        ReportKind::Complaint => page.t("returned-kind-complaint"),
        ReportKind::Unsubscribe => page.t("returned-kind-unsubscribe"),
    }
}

/// Why an address is left out of an audience, by the resolver's word (`suppressed`); an
/// unknown word is shown as given.
pub fn exclusion(page: &PageContext, reason: &str) -> String {
    match reason {
        "suppressed" => page.t("exclusion-suppressed"),
        "inactive" => page.t("exclusion-inactive"),
        "opted-out" => page.t("exclusion-opted-out"),
        "not-opted-in" => page.t("exclusion-not-opted-in"),
        other => other.to_owned(),
    }
}

/// A step of the audit trail, by its stored word (`sent-back`); a word this build does not
/// know is shown as stored.
pub fn step(page: &PageContext, action: &str) -> String {
    match action {
        "drafted" => page.t("history-step-drafted"),
        "edited" => page.t("history-step-edited"),
        "submitted" => page.t("history-step-submitted"),
        "approved" => page.t("history-step-approved"),
        "sent-back" => page.t("history-step-sent-back"),
        "issued" => page.t("history-step-issued"),
        "paused" => page.t("history-step-paused"),
        "resumed" => page.t("history-step-resumed"),
        "cancelled" => page.t("history-step-cancelled"),
        other => other.to_owned(),
    }
}

/// Where a step came from, by its stored word (`page`, `api`, `cli`); an unknown word is
/// shown as stored.
pub fn via(page: &PageContext, via: &str) -> String {
    match via {
        "page" => page.t("history-via-page"),
        "api" => page.t("history-via-api"),
        "cli" => page.t("history-via-cli"),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::Words;
    use axum::http::HeaderMap;
    use std::sync::Arc;

    fn page(lang: &str) -> PageContext {
        PageContext::new(
            Arc::new(Words::embedded().unwrap()),
            &format!("/staff/circulars?lang={lang}").parse().unwrap(),
            &HeaderMap::new(),
        )
    }

    #[test]
    fn every_state_language_and_step_has_a_name_in_both_languages() {
        for lang in ["en", "fr"] {
            let page = page(lang);
            let mut names = Vec::new();
            names.extend(CircularState::ALL.map(|s| circular_state(&page, s)));
            names.extend(Language::ALL.map(|l| language(&page, l)));
            names.extend(DeliveryState::ALL.map(|s| delivery_state(&page, s)));
            names.extend(
                [
                    ReportKind::Permanent,
                    ReportKind::Temporary,
                    ReportKind::Complaint,
                    ReportKind::Unsubscribe,
                ]
                .map(|k| report_kind(&page, k)),
            );
            for action in [
                "drafted",
                "edited",
                "submitted",
                "approved",
                "sent-back",
                "issued",
                "paused",
                "resumed",
                "cancelled",
            ] {
                names.push(step(&page, action));
            }
            names.extend(["page", "api", "cli"].map(|v| via(&page, v)));
            names.extend(
                ["suppressed", "inactive", "opted-out", "not-opted-in"]
                    .map(|r| exclusion(&page, r)),
            );
            // A message missing from a file shows as its id.
            let prefixes = [
                "circular-state-",
                "circulars-language-",
                "delivery-state-",
                "returned-kind-",
                "history-",
                "exclusion-",
            ];
            for name in &names {
                assert!(
                    !name.is_empty() && !prefixes.iter().any(|p| name.starts_with(p)),
                    "{lang}: {name:?} is a message id, not a name"
                );
            }
            let mut distinct = names.clone();
            distinct.sort();
            distinct.dedup();
            assert!(distinct.len() > 30, "{lang}: {names:?}");
        }
        assert_eq!(
            circular_state(&page("fr"), CircularState::Submitted),
            "Soumise pour approbation"
        );
        assert_eq!(step(&page("en"), "sent-back"), "Sent back to the drafter");
        assert_eq!(
            step(&page("en"), "renamed"),
            "renamed",
            "an unknown step as stored"
        );
    }
}
