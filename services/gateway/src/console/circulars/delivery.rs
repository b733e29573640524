//! What the delivery page shows of an issued circular ([`DeliveryBoard`]): the audience, how far
//! along it is, recipients per delivery state, per language and per category
//! (`Store::circular_status`, as `circulars status` shows them), and the newest returned mail
//! (`Store::circular_reports`) in the remote servers' words. The page and its live stream are
//! in [`super::watch`].

use super::pace::{pace, Pace};
use super::tables::{self, CountTable};
use super::view::Fact;
use super::{names, say, Moment};
use crate::console::{Layout, PageContext, Words};
use crate::live::CircularLive;
use askama::Template;
use circulars_core::domain::CircularState;
use circulars_store::{CircularStatus, DeliveryReport};
use fluent_bundle::FluentValue;

/// How many returned mails the page lists (the newest).
pub const RETURNED_SHOWN: usize = crate::live::feed::RETURNED_HELD;

/// A returned mail, as the table shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnedRow {
    /// The recipient's address.
    pub address: String,
    /// When it came back.
    pub at: Moment,
    /// What it meant, in words.
    pub kind: String,
    /// The remote server's status and diagnostic, as it wrote them.
    pub said: String,
    /// The server that said it, when known.
    pub remote: String,
}

/// The part of the delivery page that moves while mail goes out, drawn by
/// `circulars/board.html`: on the page, and again for each reading sent to a watching browser.
#[derive(Template)]
#[template(path = "circulars/board.html")]
pub struct DeliveryBoard {
    /// The page's words (the board is drawn in the watcher's language).
    pub layout: Layout,
    /// Whether the circular was issued (else nothing is counted).
    pub issued: bool,
    /// When issued, the audience, the dispatch state.
    pub facts: Vec<Fact>,
    /// How far along it is, in a sentence.
    pub progress: String,
    /// Recipients per state.
    pub per_state: CountTable,
    /// Per language and state.
    pub per_language: CountTable,
    /// Per category and state.
    pub per_category: CountTable,
    /// The returned mail's caption.
    pub returned_caption: String,
    /// The newest returned mail.
    pub returned: Vec<ReturnedRow>,
    /// Said when there is more returned mail than shown.
    pub returned_more: Option<String>,
    /// The rate, time left, retries, complaints, the last hour and the failures.
    pub pace: Pace,
}

/// The board of `live`, in the language of `page`, framed by `layout`'s words.
pub fn board(
    words: &Words,
    page: &PageContext,
    layout: Layout,
    live: &CircularLive,
) -> DeliveryBoard {
    let (status, returned) = (&live.status, &live.returned);
    DeliveryBoard {
        pace: pace(words, page, &live.board),
        layout,
        issued: status.issued_at.is_some(),
        facts: facts(words, page, status, live.state),
        progress: progress(words, page, status),
        per_state: tables::per_state(page, status),
        per_language: tables::per_language(page, status),
        per_category: tables::per_category(page, status),
        returned_caption: page.t("delivery-returned-caption"),
        returned: returned_rows(page, returned),
        returned_more: (returned.len() > RETURNED_SHOWN).then(|| {
            say(
                words,
                page,
                "delivery-returned-more",
                &[
                    ("shown", FluentValue::from(RETURNED_SHOWN)),
                    ("id", FluentValue::from(status.circular.to_string())),
                ],
            )
        }),
    }
}

/// How far along the delivery is, in a sentence: the audience still being frozen, the
/// recipients with a final state out of all of them, or finished.
pub fn progress(words: &Words, page: &PageContext, status: &CircularStatus) -> String {
    match status.audience {
        None if status.issued_at.is_none() => page.t("delivery-not-issued"),
        None => page.t("delivery-freezing"),
        Some(total) if status.is_complete() => say(
            words,
            page,
            "delivery-complete",
            &[("total", FluentValue::from(total))],
        ),
        Some(total) => say(
            words,
            page,
            "delivery-progress",
            &[
                ("finished", FluentValue::from(status.total.finished())),
                ("total", FluentValue::from(total)),
            ],
        ),
    }
}

/// The rows of `returned` (newest first), at most [`RETURNED_SHOWN`].
pub fn returned_rows(page: &PageContext, returned: &[DeliveryReport]) -> Vec<ReturnedRow> {
    returned
        .iter()
        .take(RETURNED_SHOWN)
        .map(|r| ReturnedRow {
            address: r.delivery.address.as_str().to_owned(),
            at: Moment::of(r.at),
            kind: names::report_kind(page, r.kind),
            said: [&r.feedback_type, &r.status, &r.diagnostic]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            remote: r.remote_mta.clone().unwrap_or_default(),
        })
        .collect()
}

/// The facts above the tables: when it was issued, its audience, the sent mails whose relay's
/// reply was lost (they may have arrived twice), and a pause or cancel.
fn facts(
    words: &Words,
    page: &PageContext,
    status: &CircularStatus,
    state: CircularState,
) -> Vec<Fact> {
    let mut facts = Vec::new();
    if let Some(at) = status.issued_at {
        facts.push(Fact {
            label: page.t("circular-fact-issued"),
            value: Moment::of(at).shown,
        });
    }
    if let Some(audience) = status.audience {
        facts.push(Fact {
            label: page.t("delivery-fact-audience"),
            value: say(
                words,
                page,
                "delivery-audience",
                &[
                    ("count", FluentValue::from(audience)),
                    ("excluded", FluentValue::from(status.excluded)),
                ],
            ),
        });
    }
    if status.unconfirmed > 0 {
        facts.push(Fact {
            label: page.t("delivery-fact-unconfirmed"),
            value: say(
                words,
                page,
                "delivery-unconfirmed",
                &[("count", FluentValue::from(status.unconfirmed))],
            ),
        });
    }
    let dispatch = match state {
        CircularState::Paused => Some(page.t("delivery-paused")),
        CircularState::Cancelled => Some(page.t("delivery-cancelled")),
        _ => None,
    };
    if let Some(dispatch) = dispatch {
        facts.push(Fact {
            label: page.t("circular-fact-state"),
            value: dispatch,
        });
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;
    use chrono::{DateTime, Utc};
    use circulars_core::domain::{CircularId, DeliveryKey, DeliveryState};
    use circulars_store::{ReportKind, StateCounts};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    fn page(lang: &str) -> PageContext {
        PageContext::new(
            Arc::new(Words::embedded().unwrap()),
            &format!("/staff/circulars/TSB-36/delivery?lang={lang}")
                .parse()
                .unwrap(),
            &HeaderMap::new(),
        )
    }

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-03-12T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn status(audience: Option<u64>, states: &[(DeliveryState, u64)]) -> CircularStatus {
        CircularStatus {
            circular: CircularId::new("TSB", 36).unwrap(),
            issued_at: Some(at()),
            audience,
            excluded: 0,
            unconfirmed: 0,
            bounce_reasons: BTreeMap::new(),
            failure_reasons: BTreeMap::new(),
            total: StateCounts(states.iter().copied().collect()),
            by_language: BTreeMap::new(),
            by_category: BTreeMap::new(),
        }
    }

    #[test]
    fn progress_says_how_far_along_in_either_language_with_plurals() {
        let words = Words::embedded().unwrap();
        let (en, fr) = (page("en"), page("fr"));
        let mut draft = status(None, &[]);
        draft.issued_at = None;
        assert_eq!(
            progress(&words, &en, &draft),
            "This circular has not been issued: nothing has been sent."
        );
        assert_eq!(
            progress(&words, &en, &status(None, &[])),
            "The audience is being frozen."
        );
        let halfway = status(
            Some(4),
            &[(DeliveryState::Sent, 1), (DeliveryState::Queued, 3)],
        );
        assert_eq!(
            progress(&words, &en, &halfway),
            "1 of 4 recipients have a final state."
        );
        assert_eq!(
            progress(&words, &fr, &halfway),
            "1 destinataire sur 4 a un état final."
        );
        let done = status(Some(258), &[(DeliveryState::Sent, 258)]);
        assert_eq!(
            progress(&words, &en, &done),
            "Finished: all 258 recipients have a final state."
        );
        let one = status(Some(1), &[(DeliveryState::Sent, 1)]);
        assert_eq!(
            progress(&words, &en, &one),
            "Finished: the one recipient has a final state."
        );
        assert_eq!(
            progress(&words, &fr, &done),
            "Terminé\u{a0}: les 258 destinataires ont un état final."
        );
    }

    #[test]
    fn sent_mails_whose_reply_was_lost_are_a_fact_of_their_own() {
        let words = Words::embedded().unwrap();
        let mut sent = status(Some(3), &[(DeliveryState::Sent, 3)]);
        let labels = |page: &PageContext, s: &CircularStatus| -> Vec<(String, String)> {
            facts(&words, page, s, CircularState::Issued)
                .into_iter()
                .map(|f| (f.label, f.value))
                .collect()
        };
        assert!(!labels(&page("en"), &sent)
            .iter()
            .any(|(label, _)| label == "Reply lost"));
        sent.unconfirmed = 2;
        let en = labels(&page("en"), &sent);
        assert!(
            en.contains(&(
                "Reply lost".into(),
                "2 sent mails: the relay’s reply was lost after the message went, so each may \
                 have arrived twice"
                    .into()
            )),
            "{en:?}"
        );
        sent.unconfirmed = 1;
        let fr = labels(&page("fr"), &sent);
        assert!(
            fr.contains(&(
                "Réponse perdue".into(),
                "1 message envoyé\u{a0}: la réponse du relais s’est perdue après l’envoi, il a \
                 donc pu arriver deux fois"
                    .into()
            )),
            "{fr:?}"
        );
    }

    #[test]
    fn returned_mail_shows_the_remote_server_s_own_words() {
        let report = DeliveryReport {
            delivery: DeliveryKey::new(
                CircularId::new("TSB", 36).unwrap(),
                circulars_core::domain::RecipientAddress::parse("gone@example.org").unwrap(),
            ),
            kind: ReportKind::Permanent,
            status: Some("5.1.1".into()),
            diagnostic: Some("smtp; 550 5.1.1 <gone@example.org> user unknown".into()),
            remote_mta: Some("mx.example.org".into()),
            feedback_type: None,
            bounce_reason: Some(circulars_core::domain::BounceReason::UserUnknown),
            at: at(),
            report: "abc".into(),
        };
        let rows = returned_rows(&page("en"), &vec![report; RETURNED_SHOWN + 1]);
        assert_eq!(rows.len(), RETURNED_SHOWN);
        assert_eq!(
            rows[0],
            ReturnedRow {
                address: "gone@example.org".into(),
                at: Moment::of(at()),
                kind: "Bounced".into(),
                said: "5.1.1 smtp; 550 5.1.1 <gone@example.org> user unknown".into(),
                remote: "mx.example.org".into(),
            }
        );
    }
}
