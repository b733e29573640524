//! `GET /staff/circulars`: the circulars, most recently changed first, filtered by state (a
//! `GET` form: a select and a button), a page of [`PAGE_SIZE`] at a time with links to the
//! previous and next pages. The home page once signed in.

use super::{circular_path, failure, names, say, Moment};
use crate::console::form::{Choice, ErrorSummary, Field};
use crate::console::staff::{Denied, Staff, StaffState, CIRCULARS_PATH};
use crate::console::{render, Layout, PageContext};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use circulars_core::domain::{CircularState, Language};
use fluent_bundle::FluentValue;
use std::collections::{BTreeMap, HashMap};

/// How many circulars a page lists.
pub const PAGE_SIZE: u32 = 25;
/// The highest page number read (beyond, the last one is asked for): keeps the offset in range.
pub const LAST_PAGE: u32 = 1_000_000;
/// The filter's field: the state.
pub const STATE_FIELD: &str = "state";
/// The page number's query parameter.
pub const PAGE_QUERY: &str = "page";

/// What the query asks for: a state (or all) and a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Only circulars in this state; `None`: all.
    pub state: Option<CircularState>,
    /// The page, from 1.
    pub page: u32,
}

impl Filter {
    /// Reads `?state=&page=`: an empty or missing state is all of them, a page that is not a
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
        (Filter { state, page }, error)
    }

    /// How many circulars to skip.
    pub fn offset(&self) -> u32 {
        (self.page - 1) * PAGE_SIZE
    }

    /// The address of page `page` of this filter.
    pub fn href(&self, page: u32) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(state) = self.state {
            query.append_pair(STATE_FIELD, state.as_str());
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
}

/// The subject to show from a circular's `subjects`: in `language` when it has it, else in
/// English, else in the first language it has; with the language it is in.
pub fn subject_in(
    subjects: &BTreeMap<Language, String>,
    language: Language,
) -> Option<(Language, &str)> {
    [language, Language::En]
        .into_iter()
        .find_map(|l| subjects.get(&l).map(|s| (l, s.as_str())))
        .or_else(|| subjects.iter().next().map(|(l, s)| (*l, s.as_str())))
}

/// The `dir` of text in `language`.
pub fn direction(language: Language) -> &'static str {
    if language.is_right_to_left() {
        "rtl"
    } else {
        "ltr"
    }
}

/// A row of the table.
#[derive(Clone, Debug)]
pub struct Row {
    /// `TSB-36`.
    pub id: String,
    /// The circular's page.
    pub href: String,
    /// The subject shown.
    pub subject: String,
    /// The subject's language code (its `lang`).
    pub subject_lang: &'static str,
    /// The subject's writing direction (its `dir`).
    pub subject_dir: &'static str,
    /// The state, in words.
    pub state: String,
    /// The revision.
    pub revision: i64,
    /// Who drafted it.
    pub drafted_by: String,
    /// When it last changed.
    pub updated: Moment,
}

/// The list's template.
#[derive(Template)]
#[template(path = "circulars/list.html")]
pub struct ListPage {
    /// The frame.
    pub layout: Layout,
    /// The state filter.
    pub state: Field,
    /// This page's circulars.
    pub rows: Vec<Row>,
    /// The table's caption.
    pub caption: String,
    /// What the page says when there is no row.
    pub empty: String,
    /// The previous page's address, when there is one.
    pub previous: Option<String>,
    /// The next page's address, when there is one.
    pub next: Option<String>,
}

/// The state filter's select: all states, then each state in words, the one asked selected.
fn state_field(page: &PageContext, filter: &Filter, error: Option<String>) -> Field {
    let mut choices = vec![Choice {
        value: String::new(),
        label: page.t("circulars-filter-all"),
    }];
    choices.extend(CircularState::ALL.map(|state| Choice {
        value: state.as_str().to_owned(),
        label: names::circular_state(page, state),
    }));
    Field::select(STATE_FIELD, page.t("circulars-filter-state"), choices)
        .with_value(filter.state.map(CircularState::as_str).unwrap_or(""))
        .with_error(error)
}

/// `GET /staff/circulars`.
pub async fn page(
    State(state): State<StaffState>,
    staff: Staff,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Denied> {
    let (filter, error) = Filter::read(&query);
    let mut found = state
        .ctx
        .store
        .circulars(filter.state, PAGE_SIZE + 1, filter.offset())
        .await
        .map_err(|e| failure(&staff, &e))?;
    let has_next = found.len() > PAGE_SIZE as usize;
    found.truncate(PAGE_SIZE as usize);
    let page = &staff.page;
    let rows = found
        .into_iter()
        .map(|c| {
            let (language, subject) = subject_in(&c.subjects, page.language().language())
                .map(|(l, s)| (l, s.to_owned()))
                .unwrap_or((Language::En, String::new()));
            Row {
                href: circular_path(&c.id),
                id: c.id.to_string(),
                subject,
                subject_lang: language.code(),
                subject_dir: direction(language),
                state: names::circular_state(page, c.state),
                revision: c.revision,
                drafted_by: c.drafted_by,
                updated: Moment::of(c.updated_at),
            }
        })
        .collect();
    let field = state_field(page, &filter, error);
    let words = &state.console.words;
    let number = || ("page", FluentValue::from(filter.page));
    let caption = match filter.state {
        Some(s) => say(
            words,
            page,
            "circulars-caption-in-state",
            &[
                ("state", FluentValue::from(names::circular_state(page, s))),
                number(),
            ],
        ),
        None => say(words, page, "circulars-caption", &[number()]),
    };
    let empty = if filter.page > 1 {
        page.t("circulars-empty-page")
    } else if filter.state.is_some() {
        page.t("circulars-empty-in-state")
    } else {
        page.t("circulars-empty")
    };
    let status = if field.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let list = ListPage {
        layout: staff
            .layout("circulars-title")
            .with_errors(ErrorSummary::of_fields([&field])),
        state: field,
        rows,
        caption,
        empty,
        previous: (filter.page > 1).then(|| filter.href(filter.page - 1)),
        next: has_next.then(|| filter.href(filter.page + 1)),
    };
    Ok(render(status, &list))
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

    #[test]
    fn the_filter_reads_a_state_and_a_page_and_forgives_the_rest() {
        assert_eq!(
            Filter::read(&query(&[])),
            (
                Filter {
                    state: None,
                    page: 1
                },
                None
            )
        );
        assert_eq!(
            Filter::read(&query(&[("state", "submitted"), ("page", "3"), ("lang", "fr")])),
            (
                Filter {
                    state: Some(CircularState::Submitted),
                    page: 3
                },
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
        let (filter, error) = Filter::read(&query(&[("state", "lost")]));
        assert_eq!(filter.state, None);
        assert_eq!(
            error.as_deref(),
            Some("'lost' is not a circular state (draft, submitted, approved, issued, paused, cancelled)")
        );
    }

    #[test]
    fn pages_link_to_each_other_keeping_the_filter() {
        let filter = Filter {
            state: Some(CircularState::Draft),
            page: 2,
        };
        assert_eq!(filter.offset(), PAGE_SIZE);
        assert_eq!(filter.href(1), "/staff/circulars?state=draft");
        assert_eq!(filter.href(3), "/staff/circulars?state=draft&page=3");
        let all = Filter {
            state: None,
            page: 1,
        };
        assert_eq!(all.offset(), 0);
        assert_eq!(all.href(1), "/staff/circulars");
        assert_eq!(all.href(2), "/staff/circulars?page=2");
        let last = Filter {
            state: None,
            page: LAST_PAGE,
        };
        assert!(last.offset() < u32::MAX - PAGE_SIZE);
    }

    #[test]
    fn the_subject_is_in_the_page_s_language_else_english_else_any() {
        let subjects: BTreeMap<Language, String> = [
            (Language::En, "Call for experts".to_owned()),
            (Language::Fr, "Appel à experts".to_owned()),
            (Language::Ar, "دعوة".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            subject_in(&subjects, Language::Fr),
            Some((Language::Fr, "Appel à experts"))
        );
        assert_eq!(
            subject_in(&subjects, Language::Ru),
            Some((Language::En, "Call for experts"))
        );
        let arabic_only: BTreeMap<Language, String> =
            [(Language::Ar, "دعوة".to_owned())].into_iter().collect();
        assert_eq!(
            subject_in(&arabic_only, Language::En),
            Some((Language::Ar, "دعوة"))
        );
        assert_eq!(subject_in(&BTreeMap::new(), Language::En), None);
    }
}
