//! What the list of circulars is asked for (`?state=&q=&page=`): a state or all, words to find
//! in the id or a subject (a series `TSB`, an id `TSB-36`, words of a subject), and a page;
//! the filter form's two fields; the addresses of the other pages, the filter kept.

use super::names;
use crate::console::form::{Choice, Field, InputKind};
use crate::console::staff::CIRCULARS_PATH;
use crate::console::PageContext;
use circulars_core::domain::CircularState;
use circulars_store::CircularSearch;
use std::collections::HashMap;

/// How many circulars a page lists.
pub const PAGE_SIZE: u32 = 25;
/// The highest page number read (beyond, the last one is asked for): keeps the offset in range.
pub const LAST_PAGE: u32 = 1_000_000;
/// The filter's field: the state.
pub const STATE_FIELD: &str = "state";
/// The filter's field: the series, id or words of a subject.
pub const TEXT_FIELD: &str = "q";
/// The longest text searched for (a longer one is cut): a search is a few words.
pub const TEXT_LIMIT: usize = 200;
/// The page number's query parameter.
pub const PAGE_QUERY: &str = "page";

/// What the query asks for: a state (or all), words to find, and a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Only circulars in this state; `None`: all.
    pub state: Option<CircularState>,
    /// The series, id or words of a subject, as typed (trimmed); empty: any.
    pub text: String,
    /// The page, from 1.
    pub page: u32,
}

impl Filter {
    /// Reads `?state=&q=&page=`: an empty or missing state is all of them, a page that is not a
    /// positive number the first; a state that names none is all of them, with the error said.
    pub fn read(query: &HashMap<String, String>) -> (Filter, Option<String>) {
        let page = query
            .get(PAGE_QUERY)
            .and_then(|p| p.trim().parse::<u32>().ok())
            .unwrap_or(1)
            .clamp(1, LAST_PAGE);
        let (state, error) = match query.get(STATE_FIELD).map(|s| s.trim()) {
            None | Some("") => (None, None),
            Some(s) => match s.parse::<CircularState>() {
                Ok(state) => (Some(state), None),
                Err(e) => (None, Some(e.to_string())),
            },
        };
        let text = query
            .get(TEXT_FIELD)
            .map(|t| t.trim().chars().take(TEXT_LIMIT).collect())
            .unwrap_or_default();
        (Filter { state, text, page }, error)
    }

    /// How many circulars to skip.
    pub fn offset(&self) -> u32 {
        (self.page - 1) * PAGE_SIZE
    }

    /// The store's search for this filter.
    pub fn search(&self) -> CircularSearch {
        CircularSearch::new(self.state, &self.text)
    }

    /// Whether it leaves some circulars out (a state or words).
    pub fn narrows(&self) -> bool {
        self.state.is_some() || !self.text.is_empty()
    }

    /// The address of page `page` of this filter.
    pub fn href(&self, page: u32) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(state) = self.state {
            query.append_pair(STATE_FIELD, state.as_str());
        }
        if !self.text.is_empty() {
            query.append_pair(TEXT_FIELD, &self.text);
        }
        if page > 1 {
            query.append_pair(PAGE_QUERY, &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            CIRCULARS_PATH.to_owned()
        } else {
            format!("{CIRCULARS_PATH}?{query}")
        }
    }

    /// The state filter's select: all states, then each state in words, the one asked
    /// selected, with `error` beside it.
    pub fn state_field(&self, page: &PageContext, error: Option<String>) -> Field {
        let mut choices = vec![Choice {
            value: String::new(),
            label: page.t("circulars-filter-all"),
        }];
        choices.extend(CircularState::ALL.map(|state| Choice {
            value: state.as_str().to_owned(),
            label: names::circular_state(page, state),
        }));
        Field::select(STATE_FIELD, page.t("circulars-filter-state"), choices)
            .with_value(self.state.map(CircularState::as_str).unwrap_or(""))
            .with_error(error)
    }

    /// The search field, showing the words asked for.
    pub fn text_field(&self, page: &PageContext) -> Field {
        Field::input(
            TEXT_FIELD,
            page.t("circulars-filter-text"),
            InputKind::Search,
        )
        .with_hint(page.t("circulars-filter-text-hint"))
        .with_autocomplete("off")
        .with_value(self.text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn filter(state: Option<CircularState>, text: &str, page: u32) -> Filter {
        Filter {
            state,
            text: text.to_owned(),
            page,
        }
    }

    #[test]
    fn the_filter_reads_a_state_words_and_a_page_and_forgives_the_rest() {
        assert_eq!(Filter::read(&query(&[])), (filter(None, "", 1), None));
        assert_eq!(
            Filter::read(&query(&[
                ("state", "submitted"),
                ("q", "  TSB experts "),
                ("page", "3"),
                ("lang", "fr")
            ])),
            (
                filter(Some(CircularState::Submitted), "TSB experts", 3),
                None
            )
        );
        for page in ["0", "-2", "two", ""] {
            assert_eq!(Filter::read(&query(&[("page", page)])).0.page, 1, "{page}");
        }
        assert_eq!(
            Filter::read(&query(&[("page", "4294967295")])).0.page,
            LAST_PAGE
        );
        let long = "é".repeat(TEXT_LIMIT + 10);
        assert_eq!(
            Filter::read(&query(&[("q", &long)])).0.text.chars().count(),
            TEXT_LIMIT
        );
        let (read, error) = Filter::read(&query(&[("state", "lost")]));
        assert_eq!(read.state, None);
        assert_eq!(
            error.as_deref(),
            Some("'lost' is not a circular state (draft, submitted, approved, issued, paused, cancelled)")
        );
    }

    #[test]
    fn pages_link_to_each_other_keeping_the_filter() {
        let drafts = filter(Some(CircularState::Draft), "", 2);
        assert_eq!(drafts.offset(), PAGE_SIZE);
        assert_eq!(drafts.href(1), "/staff/circulars?state=draft");
        assert_eq!(drafts.href(3), "/staff/circulars?state=draft&page=3");
        let all = filter(None, "", 1);
        assert!(!all.narrows());
        assert_eq!(all.offset(), 0);
        assert_eq!(all.href(1), "/staff/circulars");
        assert_eq!(all.href(2), "/staff/circulars?page=2");
        let words = filter(None, "appel & experts", 1);
        assert!(words.narrows());
        assert_eq!(words.href(2), "/staff/circulars?q=appel+%26+experts&page=2");
        assert_eq!(words.search().words, ["appel", "&", "experts"]);
        assert!(filter(None, "", LAST_PAGE).offset() < u32::MAX - PAGE_SIZE);
    }
}
