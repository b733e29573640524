//! The archive's pages: the list of a language's circulars, a circular's page (the letter and
//! its annexes), and the not-found page (an unknown language, naming the six; a circular not
//! published; a page of the list that does not exist).

use super::http::{cacheable, letter_page};
use super::layout::ArchiveLayout;
use super::{circular_path, list_path, ArchiveState, PAGE_SIZE};
use crate::console::render;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use circulars_core::domain::{CircularId, Language};
use circulars_store::ArchivedCircular;
use fluent_bundle::FluentValue;

/// A line of the list.
#[derive(Debug, Clone)]
pub struct ListEntry {
    /// The circular's page.
    pub href: String,
    /// Its id (`TSB-36`).
    pub id: String,
    /// Its subject in the list's language.
    pub subject: String,
    /// The date printed on it, in the list's language.
    pub date: String,
    /// The same date, `YYYY-MM-DD`.
    pub iso_date: String,
}

/// `templates/archive/list.html`.
#[derive(Template)]
#[template(path = "archive/list.html")]
pub struct ListPage {
    layout: ArchiveLayout,
    entries: Vec<ListEntry>,
    previous: Option<String>,
    next: Option<String>,
    page_label: String,
}

/// An annex as a circular's page lists it.
#[derive(Debug, Clone)]
pub struct AnnexLink {
    /// Where it downloads from.
    pub href: String,
    /// Its file name.
    pub file_name: String,
    /// Its type and size, in the page's language.
    pub about: String,
}

/// `templates/archive/circular.html`.
#[derive(Template)]
#[template(path = "archive/circular.html")]
pub struct CircularPage {
    layout: ArchiveLayout,
    date: String,
    iso_date: String,
    /// The letter's HTML as rendered, without the recipient's parts.
    letter: String,
    annexes: Vec<AnnexLink>,
}

/// `templates/archive/not_found.html`.
#[derive(Template)]
#[template(path = "archive/not_found.html")]
pub struct NotFoundPage {
    layout: ArchiveLayout,
    message: String,
    /// Whether to list the languages the archive exists in.
    languages: bool,
}

/// The 404 page of a path whose `{lang}` is `code`, no language of the archive: in English,
/// naming the six with a link to each list.
pub fn unknown_language(state: &ArchiveState, code: &str) -> Response {
    let layout = ArchiveLayout::new(
        state.words.clone(),
        Language::En,
        state.words.text(Language::En, "not-found-title", &[]),
        Language::ALL,
        list_path,
    )
    .without_feed();
    let message = layout.t_arg("unknown-language", "code", code);
    render(
        StatusCode::NOT_FOUND,
        &NotFoundPage {
            layout,
            message,
            languages: true,
        },
    )
}

/// The 404 (or other `status`) page in `language` saying `message`, linking the list.
pub fn not_found(
    state: &ArchiveState,
    language: Language,
    status: StatusCode,
    message: String,
) -> Response {
    let layout = ArchiveLayout::new(
        state.words.clone(),
        language,
        state.words.text(language, "not-found-title", &[]),
        Language::ALL,
        list_path,
    )
    .without_feed();
    render(
        status,
        &NotFoundPage {
            layout,
            message,
            languages: false,
        },
    )
}

/// A database failure, logged; the page says only that something went wrong.
pub fn store_failed(e: circulars_store::StoreError) -> Response {
    tracing::error!(%e, "public archive: database");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the archive is unavailable; try again later\n",
    )
        .into_response()
}

/// `GET /circulars/{lang}`: on to the list, `/circulars/{lang}/`.
pub async fn to_list(State(state): State<ArchiveState>, Path(code): Path<String>) -> Response {
    match code.parse::<Language>() {
        Ok(language) => Redirect::permanent(&list_path(language)).into_response(),
        Err(_) => unknown_language(&state, &code),
    }
}

/// The page number `?page=` asks for (1 without one), or the text that is not one.
fn page_number(query: Option<&str>) -> Result<u32, String> {
    let asked = query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "page")
            .map(|(_, v)| v.into_owned())
    });
    match asked {
        None => Ok(1),
        Some(text) => text.parse::<u32>().ok().filter(|n| *n >= 1).ok_or(text),
    }
}

/// `GET /circulars/{lang}/`: the issued circulars in the language, newest first, a page at a
/// time (`?page=N`).
pub async fn list(
    State(state): State<ArchiveState>,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Ok(language) = code.parse::<Language>() else {
        return unknown_language(&state, &code);
    };
    let bad_page = |text: &str, status| {
        let message = state.words.text(
            language,
            "bad-page",
            &[("page", FluentValue::from(text.to_owned()))],
        );
        not_found(&state, language, status, message)
    };
    let number = match page_number(query.as_deref()) {
        Ok(n) => n,
        Err(text) => return bad_page(&text, StatusCode::BAD_REQUEST),
    };
    let offset = (number - 1).saturating_mul(PAGE_SIZE);
    let found = match state.store.archive_page(PAGE_SIZE + 1, offset).await {
        Ok(found) => found,
        Err(e) => return store_failed(e),
    };
    if found.is_empty() && number > 1 {
        return bad_page(&number.to_string(), StatusCode::NOT_FOUND);
    }
    let more = found.len() > PAGE_SIZE as usize;
    let entries = found
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|c| ListEntry {
            href: circular_path(language, c.id.as_str()),
            id: c.id.to_string(),
            subject: subject_in(c, language),
            date: dated(&state, c, language),
            iso_date: c.date.format("%Y-%m-%d").to_string(),
        })
        .collect();
    let page_href = |n: u32| format!("{}?page={n}", list_path(language));
    let layout = ArchiveLayout::new(
        state.words.clone(),
        language,
        state.words.text(language, "archive-title", &[]),
        Language::ALL,
        |l| {
            if number > 1 {
                format!("{}?page={number}", list_path(l))
            } else {
                list_path(l)
            }
        },
    );
    let page = ListPage {
        page_label: layout.t_arg("page-number", "number", &number.to_string()),
        layout,
        entries,
        previous: (number > 1).then(|| page_href(number - 1)),
        next: more.then(|| page_href(number + 1)),
    };
    page_answer(&headers, &page, false)
}

/// The subject of `c` in `language` (its id when it has none there).
pub fn subject_in(c: &ArchivedCircular, language: Language) -> String {
    c.subjects
        .get(&language)
        .cloned()
        .unwrap_or_else(|| c.id.to_string())
}

/// The date printed on a circular, in `language`.
fn dated(state: &ArchiveState, c: &ArchivedCircular, language: Language) -> String {
    state.words.text(
        language,
        "circular-dated",
        &[(
            "date",
            FluentValue::from(c.date.format("%Y-%m-%d").to_string()),
        )],
    )
}

/// A page rendered as a cacheable answer, with the letter's policy when it holds a `letter`
/// (or a logged 500 when it cannot render).
fn page_answer<T: Template>(headers: &HeaderMap, page: &T, letter: bool) -> Response {
    match page.render() {
        Ok(html) if letter => letter_page(headers, html),
        Ok(html) => cacheable(headers, "text/html; charset=utf-8", html.into_bytes(), None),
        Err(e) => {
            tracing::error!(%e, "an archive page cannot render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    }
}

/// `GET /circulars/{lang}/{id}`: the circular's letter in the language, as rendered for the
/// mail but without any recipient's data, and its annexes; 404 when it is not published.
pub async fn circular(
    State(state): State<ArchiveState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Ok(language) = code.parse::<Language>() else {
        return unknown_language(&state, &code);
    };
    let unknown = || {
        let message = state.words.text(
            language,
            "unknown-circular",
            &[("id", FluentValue::from(id.clone()))],
        );
        not_found(&state, language, StatusCode::NOT_FOUND, message)
    };
    let Ok(circular_id) = id.parse::<CircularId>() else {
        return unknown();
    };
    let shown = match published(&state, &circular_id, language).await {
        Ok(Some(shown)) => shown,
        Ok(None) => return unknown(),
        Err(e) => return store_failed(e),
    };
    let (archived, letter, annexes) = shown;
    let annexes = annexes
        .into_iter()
        .map(|a| AnnexLink {
            href: format!(
                "{}/annexes/{}",
                circular_path(language, id.as_str()),
                a.position
            ),
            about: state.words.text(
                language,
                "annex-size",
                &[
                    ("type", FluentValue::from(a.content_type.clone())),
                    ("size", FluentValue::from(a.content.len().div_ceil(1000))),
                ],
            ),
            file_name: a.file_name,
        })
        .collect();
    let layout = ArchiveLayout::new(
        state.words.clone(),
        language,
        subject_in(&archived, language),
        archived.subjects.keys().copied(),
        |l| circular_path(l, circular_id.as_str()),
    );
    let page = CircularPage {
        layout,
        date: dated(&state, &archived, language),
        iso_date: archived.date.format("%Y-%m-%d").to_string(),
        letter,
        annexes,
    };
    page_answer(&headers, &page, true)
}

/// What a circular's page shows: the circular, its public letter and its annexes in the
/// page's language.
type Shown = (ArchivedCircular, String, Vec<circulars_store::Annex>);

/// The circular `id` as its page in `language` shows it, if published: the letter is the
/// stored rendition of that language, or (when no mail needed it) rendered now by the same
/// function, without storing it.
async fn published(
    state: &ArchiveState,
    id: &CircularId,
    language: Language,
) -> Result<Option<Shown>, circulars_store::StoreError> {
    let Some(archived) = state.store.archived_circular(id).await? else {
        return Ok(None);
    };
    let rendition = match state.store.rendition(id, language).await? {
        Some(rendition) => rendition,
        None => {
            let stored = state.store.existing_circular(id).await?;
            match circulars_render::render::render(&state.templates, &stored.circular, language) {
                Ok(rendition) => rendition,
                Err(e) => {
                    tracing::error!(%e, circular = %id, %language, "public archive: cannot render");
                    return Ok(None);
                }
            }
        }
    };
    let letter = match circulars_render::public::public_html(&rendition) {
        Ok(letter) => letter,
        Err(e) => {
            tracing::error!(%e, "public archive: a stored version cannot be shown");
            return Ok(None);
        }
    };
    let annexes = state.store.annexes(id, language).await?;
    Ok(Some((archived, letter, annexes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_number_is_one_by_default_and_a_bad_one_is_named() {
        assert_eq!(page_number(None), Ok(1));
        assert_eq!(page_number(Some("page=3")), Ok(3));
        assert_eq!(page_number(Some("x=1&page=2")), Ok(2));
        assert_eq!(page_number(Some("page=0")), Err("0".to_owned()));
        assert_eq!(page_number(Some("page=abc")), Err("abc".to_owned()));
    }
}
