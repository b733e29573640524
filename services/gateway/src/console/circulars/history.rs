//! A circular's history as its page shows it: one row per entry of the audit trail (when,
//! who, from where, what), with what the entry's detail JSON says in words (the revision, the
//! state it left, the fields changed, the comment).

use super::{names, Moment};
use crate::console::PageContext;
use circulars_core::domain::CircularState;
use circulars_store::CircularAuditEntry;
use serde_json::Value;

/// One row of the history table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRow {
    /// When.
    pub at: Moment,
    /// Who: an account, or `system:<user>`.
    pub actor: String,
    /// From where, in words ("Console", "API", "Command line").
    pub via: String,
    /// What, in words ("Approved").
    pub step: String,
    /// The rest, in words; empty when there is nothing more.
    pub details: Vec<String>,
}

/// The rows of `entries`, in their order (oldest first).
pub fn rows(page: &PageContext, entries: &[CircularAuditEntry]) -> Vec<HistoryRow> {
    entries
        .iter()
        .map(|entry| HistoryRow {
            at: Moment::of(entry.at),
            actor: entry.actor.clone(),
            via: names::via(page, &entry.via),
            step: names::step(page, &entry.action),
            details: details(page, &entry.detail),
        })
        .collect()
}

/// What an entry's detail JSON says, in words: the revision, the state the step left, the
/// fields an edit changed, the comment of a send-back. A detail that is not a JSON object says
/// nothing.
pub fn details(page: &PageContext, detail: &str) -> Vec<String> {
    let Ok(Value::Object(detail)) = serde_json::from_str::<Value>(detail) else {
        return Vec::new();
    };
    let mut said = Vec::new();
    if let Some(revision) = detail.get("revision").and_then(Value::as_i64) {
        said.push(page.t_arg("history-revision", "revision", &revision.to_string()));
    }
    if let Some(was) = detail.get("was").and_then(Value::as_str) {
        let state = was
            .parse::<CircularState>()
            .map(|s| names::circular_state(page, s))
            .unwrap_or_else(|_| was.to_owned());
        said.push(page.t_arg("history-was", "state", &state));
    }
    if let Some(changed) = detail.get("changed").and_then(Value::as_array) {
        let fields: Vec<&str> = changed.iter().filter_map(Value::as_str).collect();
        if fields.is_empty() {
            said.push(page.t("history-nothing-changed"));
        } else {
            said.push(page.t_arg("history-changed", "fields", &fields.join(", ")));
        }
    }
    if let Some(comment) = detail.get("comment").and_then(Value::as_str) {
        said.push(page.t_arg("history-comment", "comment", comment));
    }
    said
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
            &format!("/staff/circulars/TSB-36?lang={lang}")
                .parse()
                .unwrap(),
            &HeaderMap::new(),
        )
    }

    #[test]
    fn an_edit_says_its_revision_the_state_it_left_and_the_fields_it_changed() {
        let detail =
            r#"{"revision":2,"was":"submitted","changed":["date","texts"],"source":"tsb-36.toml"}"#;
        assert_eq!(
            details(&page("en"), detail),
            [
                "revision 2",
                "previous state: Submitted for approval",
                "fields changed: date, texts"
            ]
        );
        assert_eq!(
            details(&page("fr"), detail),
            [
                "révision 2",
                "état précédent\u{a0}: Soumise pour approbation",
                "champs modifiés\u{a0}: date, texts"
            ]
        );
        assert_eq!(
            details(&page("en"), r#"{"revision":3,"changed":[]}"#),
            ["revision 3", "nothing changed"]
        );
    }

    #[test]
    fn a_send_back_says_its_comment_as_written() {
        let detail = r#"{"comment":"The date is wrong <b>here</b>"}"#;
        assert_eq!(
            details(&page("en"), detail),
            ["comment: “The date is wrong <b>here</b>”"]
        );
    }

    #[test]
    fn a_detail_that_says_nothing_known_shows_nothing() {
        for detail in ["{}", "", "null", "[1]", r#"{"was":7,"revision":"x"}"#] {
            assert!(details(&page("en"), detail).is_empty(), "{detail}");
        }
        assert_eq!(
            details(&page("en"), r#"{"was":"elsewhere"}"#),
            ["previous state: elsewhere"]
        );
    }

    #[test]
    fn each_entry_becomes_a_row_in_the_page_s_words() {
        let at = chrono::DateTime::parse_from_rfc3339("2025-03-12T09:30:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let entries = [CircularAuditEntry {
            at,
            actor: "bob".into(),
            via: "page".into(),
            action: "approved".into(),
            detail: r#"{"revision":1}"#.into(),
        }];
        let rows = rows(&page("fr"), &entries);
        assert_eq!(
            rows,
            [HistoryRow {
                at: Moment::of(at),
                actor: "bob".into(),
                via: "Console".into(),
                step: "Approuvée".into(),
                details: vec!["révision 1".into()],
            }]
        );
    }
}
