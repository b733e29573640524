//! `GET /staff/circulars`: the circulars, most recently changed first, filtered by state and
//! by words of their id or subject (a `GET` form, see [`super::filter`]), a page of
//! [`PAGE_SIZE`] at a time with links to the previous and next pages. The home page once
//! signed in.

use super::filter::{Filter, PAGE_SIZE};
use super::{circular_path, failure, names, say, Moment};
use crate::console::form::{ErrorSummary, Field};
use crate::console::staff::{Denied, Staff, StaffState};
use crate::console::{render, Layout, PageContext, Words};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use circulars_core::domain::Language;
use fluent_bundle::FluentValue;
use std::collections::{BTreeMap, HashMap};

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
    /// The search for a series, an id or words of a subject.
    pub text: Field,
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
        .find_circulars(&filter.search(), PAGE_SIZE + 1, filter.offset())
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
    let field = filter.state_field(page, error);
    let status = if field.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let empty = if filter.page > 1 {
        page.t("circulars-empty-page")
    } else if filter.narrows() {
        page.t("circulars-empty-found")
    } else {
        page.t("circulars-empty")
    };
    let list = ListPage {
        layout: staff
            .layout("circulars-title")
            .with_errors(ErrorSummary::of_fields([&field])),
        state: field,
        text: filter.text_field(page),
        rows,
        caption: caption(&state.console.words, page, &filter),
        empty,
        previous: (filter.page > 1).then(|| filter.href(filter.page - 1)),
        next: has_next.then(|| filter.href(filter.page + 1)),
    };
    Ok(render(status, &list))
}

/// The table's caption: what the filter keeps, and the page.
fn caption(words: &Words, page: &PageContext, filter: &Filter) -> String {
    let mut args = vec![("page", FluentValue::from(filter.page))];
    if let Some(state) = filter.state {
        args.push((
            "state",
            FluentValue::from(names::circular_state(page, state)),
        ));
    }
    if !filter.text.is_empty() {
        args.push(("text", FluentValue::from(filter.text.clone())));
    }
    let id = match (filter.state.is_some(), filter.text.is_empty()) {
        (false, true) => "circulars-caption",
        (true, true) => "circulars-caption-in-state",
        (false, false) => "circulars-caption-found",
        (true, false) => "circulars-caption-in-state-found",
    };
    say(words, page, id, &args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::domain::CircularState;

    #[test]
    fn the_caption_says_what_the_filter_keeps_in_either_language() {
        let words = Words::embedded().unwrap();
        let page = |lang: &str| {
            PageContext::new(
                std::sync::Arc::new(Words::embedded().unwrap()),
                &format!("/staff/circulars?lang={lang}").parse().unwrap(),
                &axum::http::HeaderMap::new(),
            )
        };
        let filter = |state, text: &str| Filter {
            state,
            text: text.to_owned(),
            page: 2,
        };
        let en = page("en");
        assert_eq!(
            caption(&words, &en, &filter(None, "")),
            "Circulars, most recently changed first – page 2"
        );
        assert_eq!(
            caption(&words, &en, &filter(None, "TSB")),
            "Circulars whose id or subject holds “TSB”, most recently changed first – page 2"
        );
        assert_eq!(
            caption(&words, &en, &filter(Some(CircularState::Draft), "")),
            "Circulars in the state “Draft”, most recently changed first – page 2"
        );
        assert_eq!(
            caption(&words, &page("fr"), &filter(Some(CircularState::Draft), "appel")),
            "Lettres circulaires à l’état «\u{a0}Brouillon\u{a0}» dont la cote ou l’objet \
             contient «\u{a0}appel\u{a0}», de la plus récemment modifiée à la plus ancienne – page 2"
        );
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
