//! The count tables of the issue and delivery pages, built from the directory's dry run and the
//! store's delivery status: a caption, column headings, one row per category, language or
//! state (each with its row heading) and a total row. `templates/circulars/tables.html` draws
//! them with `<th scope>` on both axes.

use super::names;
use crate::console::PageContext;
use circulars_contacts::audience::AudienceCounts;
use circulars_core::domain::{Category, DeliveryState, Language};
use circulars_store::{CircularStatus, StateCounts};
use std::collections::BTreeMap;

/// A table of counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountTable {
    /// What the table shows.
    pub caption: String,
    /// The heading of the row headings' column.
    pub corner: String,
    /// The headings of the count columns.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<CountRow>,
    /// The total row, when there is one.
    pub total: Option<CountRow>,
}

/// A row of a [`CountTable`]: its heading and one count per column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountRow {
    /// The row's heading.
    pub label: String,
    /// The counts, one per column.
    pub counts: Vec<u64>,
}

impl CountRow {
    fn new(label: String, counts: Vec<u64>) -> CountRow {
        CountRow { label, counts }
    }
}

/// Categories in the order of the standard "To" list, then staff's own by id.
fn by_rank<T>(map: &BTreeMap<Category, T>) -> Vec<(&Category, &T)> {
    let mut rows: Vec<_> = map.iter().collect();
    rows.sort_by_key(|(category, _)| (category.rank(), (*category).clone()));
    rows
}

/// The audience as it would freeze now: categories as rows, the six languages as columns, a
/// total column; the total row counts each recipient once.
pub fn audience(page: &PageContext, counts: &AudienceCounts) -> CountTable {
    let mut columns: Vec<String> = Language::ALL
        .iter()
        .map(|l| names::language(page, *l))
        .collect();
    columns.push(page.t("table-total"));
    let per_language = |of: &BTreeMap<Language, u64>, total: u64| {
        let mut row: Vec<u64> = Language::ALL
            .iter()
            .map(|l| of.get(l).copied().unwrap_or(0))
            .collect();
        row.push(total);
        row
    };
    let empty = BTreeMap::new();
    let rows = by_rank(&counts.by_category)
        .into_iter()
        .map(|(category, total)| {
            let of = counts.by_category_language.get(category).unwrap_or(&empty);
            CountRow::new(category.id().to_owned(), per_language(of, *total))
        })
        .collect();
    CountTable {
        caption: page.t("issue-audience-caption"),
        corner: page.t("table-category"),
        columns,
        rows,
        total: Some(CountRow::new(
            page.t("table-all-recipients"),
            per_language(&counts.by_language, counts.recipients),
        )),
    }
}

/// The addresses left out of the audience, per reason; `None` when none is.
pub fn exclusions(page: &PageContext, counts: &AudienceCounts) -> Option<CountTable> {
    if counts.excluded.is_empty() {
        return None;
    }
    Some(CountTable {
        caption: page.t("issue-excluded-caption"),
        corner: page.t("table-reason"),
        columns: vec![page.t("table-addresses")],
        rows: counts
            .excluded
            .iter()
            .map(|(reason, n)| CountRow::new(names::exclusion(page, reason), vec![*n]))
            .collect(),
        total: Some(CountRow::new(
            page.t("table-total"),
            vec![counts.excluded.values().sum()],
        )),
    })
}

/// Recipients per delivery state: one row per state that holds any, and the total.
pub fn per_state(page: &PageContext, status: &CircularStatus) -> CountTable {
    CountTable {
        caption: page.t("delivery-state-caption"),
        corner: page.t("table-state"),
        columns: vec![page.t("table-recipients")],
        rows: status
            .total
            .states_present()
            .into_iter()
            .map(|state| {
                CountRow::new(
                    names::delivery_state(page, state),
                    vec![status.total.get(state)],
                )
            })
            .collect(),
        total: Some(CountRow::new(
            page.t("table-total"),
            vec![status.total.total()],
        )),
    }
}

/// Recipients per language and delivery state (the states that hold any recipient).
pub fn per_language(page: &PageContext, status: &CircularStatus) -> CountTable {
    let states = status.total.states_present();
    CountTable {
        caption: page.t("delivery-language-caption"),
        corner: page.t("table-language"),
        columns: state_columns(page, &states),
        rows: status
            .by_language
            .iter()
            .map(|(language, counts)| {
                CountRow::new(names::language(page, *language), row(&states, counts))
            })
            .collect(),
        total: Some(CountRow::new(
            page.t("table-all-recipients"),
            row(&states, &status.total),
        )),
    }
}

/// Recipients per category and delivery state; a recipient in two categories counts in both,
/// so there is no total row.
pub fn per_category(page: &PageContext, status: &CircularStatus) -> CountTable {
    let states = status.total.states_present();
    CountTable {
        caption: page.t("delivery-category-caption"),
        corner: page.t("table-category"),
        columns: state_columns(page, &states),
        rows: by_rank(&status.by_category)
            .into_iter()
            .map(|(category, counts)| CountRow::new(category.id().to_owned(), row(&states, counts)))
            .collect(),
        total: None,
    }
}

/// The headings of `states` and the total.
fn state_columns(page: &PageContext, states: &[DeliveryState]) -> Vec<String> {
    let mut columns: Vec<String> = states
        .iter()
        .map(|s| names::delivery_state(page, *s))
        .collect();
    columns.push(page.t("table-total"));
    columns
}

/// The counts of `states`, then the total.
fn row(states: &[DeliveryState], counts: &StateCounts) -> Vec<u64> {
    let mut row: Vec<u64> = states.iter().map(|s| counts.get(*s)).collect();
    row.push(counts.total());
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::Words;
    use axum::http::HeaderMap;
    use circulars_core::domain::CircularId;
    use std::sync::Arc;

    fn page() -> PageContext {
        PageContext::new(
            Arc::new(Words::embedded().unwrap()),
            &"/staff/circulars/TSB-36/issue".parse().unwrap(),
            &HeaderMap::new(),
        )
    }

    fn category(id: &str) -> Category {
        Category::parse(id).unwrap()
    }

    #[test]
    fn the_audience_is_a_category_by_language_table_in_the_standard_order() {
        let mut counts = AudienceCounts {
            recipients: 5,
            ..AudienceCounts::default()
        };
        for (c, l, n) in [
            ("academia", Language::Fr, 1),
            ("member-states", Language::En, 2),
            ("member-states", Language::Ar, 1),
            ("our-own", Language::Es, 1),
        ] {
            *counts.by_category.entry(category(c)).or_default() += n;
            *counts
                .by_category_language
                .entry(category(c))
                .or_default()
                .entry(l)
                .or_default() += n;
            *counts.by_language.entry(l).or_default() += n;
        }
        let table = audience(&page(), &counts);
        assert_eq!(
            table.columns,
            ["Arabic", "Chinese", "English", "French", "Russian", "Spanish", "Total"]
        );
        let rows: Vec<(&str, &[u64])> = table
            .rows
            .iter()
            .map(|r| (r.label.as_str(), r.counts.as_slice()))
            .collect();
        assert_eq!(
            rows,
            [
                ("member-states", &[1, 0, 2, 0, 0, 0, 3][..]),
                ("academia", &[0, 0, 0, 1, 0, 0, 1][..]),
                ("our-own", &[0, 0, 0, 0, 0, 1, 1][..]),
            ]
        );
        let total = table.total.unwrap();
        assert_eq!(total.label, "All recipients");
        assert_eq!(total.counts, [1, 0, 2, 1, 0, 1, 5]);
    }

    #[test]
    fn exclusions_are_counted_per_reason_in_words_and_absent_when_none() {
        let mut counts = AudienceCounts::default();
        assert_eq!(exclusions(&page(), &counts), None);
        counts.excluded.insert("suppressed".into(), 2);
        counts.excluded.insert("opted-out".into(), 1);
        let table = exclusions(&page(), &counts).unwrap();
        let rows: Vec<(&str, u64)> = table
            .rows
            .iter()
            .map(|r| (r.label.as_str(), r.counts[0]))
            .collect();
        assert_eq!(rows, [("Opted out of the topic", 1), ("Suppressed", 2)]);
        assert_eq!(table.total.unwrap().counts, [3]);
    }

    fn counts(pairs: &[(DeliveryState, u64)]) -> StateCounts {
        StateCounts(pairs.iter().copied().collect())
    }

    #[test]
    fn the_delivery_tables_show_the_states_that_hold_anyone() {
        let status = CircularStatus {
            circular: CircularId::new("TSB", 36).unwrap(),
            issued_at: None,
            audience: Some(4),
            excluded: 0,
            unconfirmed: 0,
            bounce_reasons: BTreeMap::new(),
            failure_reasons: BTreeMap::new(),
            total: counts(&[(DeliveryState::Sent, 3), (DeliveryState::Bounced, 1)]),
            by_language: [
                (Language::En, counts(&[(DeliveryState::Sent, 2)])),
                (
                    Language::Fr,
                    counts(&[(DeliveryState::Sent, 1), (DeliveryState::Bounced, 1)]),
                ),
            ]
            .into_iter()
            .collect(),
            by_category: [
                (category("academia"), counts(&[(DeliveryState::Sent, 1)])),
                (
                    category("member-states"),
                    counts(&[(DeliveryState::Sent, 3), (DeliveryState::Bounced, 1)]),
                ),
            ]
            .into_iter()
            .collect(),
        };
        let states = per_state(&page(), &status);
        let rows: Vec<(&str, u64)> = states
            .rows
            .iter()
            .map(|r| (r.label.as_str(), r.counts[0]))
            .collect();
        assert_eq!(rows, [("Sent", 3), ("Bounced", 1)]);
        assert_eq!(states.total.unwrap().counts, [4]);

        let languages = per_language(&page(), &status);
        assert_eq!(languages.columns, ["Sent", "Bounced", "Total"]);
        assert_eq!(languages.rows[1].label, "French");
        assert_eq!(languages.rows[1].counts, [1, 1, 2]);
        assert_eq!(languages.total.unwrap().counts, [3, 1, 4]);

        let categories = per_category(&page(), &status);
        assert_eq!(categories.rows[0].label, "member-states");
        assert_eq!(categories.rows[0].counts, [3, 1, 4]);
        assert_eq!(categories.total, None, "category rows overlap: no total");
    }

    #[test]
    fn nothing_recorded_yet_shows_as_queued() {
        let status = CircularStatus {
            circular: CircularId::new("TSB", 36).unwrap(),
            issued_at: None,
            audience: None,
            excluded: 0,
            unconfirmed: 0,
            bounce_reasons: BTreeMap::new(),
            failure_reasons: BTreeMap::new(),
            total: StateCounts::default(),
            by_language: BTreeMap::new(),
            by_category: BTreeMap::new(),
        };
        let table = per_state(&page(), &status);
        assert_eq!(table.rows[0].label, "Waiting to be sent");
        assert_eq!(table.rows[0].counts, [0]);
    }
}
