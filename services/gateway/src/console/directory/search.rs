//! `GET /staff/directory?q=&offset=`: the directory searched by address, name, addressee key
//! or addressee name, a page of contacts at a time, each linking to its address's page.

use super::{address_href, failed, require_reader, FORGET_PATH, IMPORT_PATH};
use crate::console::form::{ErrorSummary, Field, InputKind};
use crate::console::page::{render, Layout};
use crate::console::posted::Posted;
use crate::console::staff::{Denied, Staff, StaffState, DIRECTORY_PATH};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use circulars_core::domain::Role;
use circulars_store::DirectoryMatch;

/// How many contacts a page of results shows.
pub const PAGE_SIZE: u32 = 50;

/// The search page's template.
#[derive(Template)]
#[template(path = "directory/search.html")]
pub struct SearchPage {
    /// The frame around the page.
    pub layout: Layout,
    /// The search box.
    pub query: Field,
    /// The results table's caption.
    pub caption: String,
    /// The contacts of this page of results.
    pub rows: Vec<MatchRow>,
    /// The previous page of results, when there is one.
    pub previous: Option<String>,
    /// The next page of results, when there is one.
    pub next: Option<String>,
    /// Said at the top after a person was forgotten.
    pub notice: Option<String>,
    /// Where an admin imports a file (none for operators).
    pub import_href: Option<&'static str>,
}

/// One contact found.
pub struct MatchRow {
    /// Its address's page.
    pub href: String,
    /// The address as written.
    pub address: String,
    /// The contact's name.
    pub name: String,
    /// Its role in its addressee.
    pub role: String,
    /// The addressee's key.
    pub addressee: String,
    /// The addressee's name.
    pub addressee_name: String,
    /// Active or inactive, in words.
    pub status: String,
}

/// What a search asks for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Search {
    /// The text searched for (empty: every contact).
    pub text: String,
    /// How many results to skip.
    pub offset: u32,
}

impl Search {
    /// The search of a query string (`q`, `offset`); an offset that is not a number is 0.
    pub fn of_query(query: &Posted) -> Search {
        Search {
            text: query.get("q").unwrap_or_default().trim().to_owned(),
            offset: query
                .get("offset")
                .and_then(|o| o.parse().ok())
                .unwrap_or(0),
        }
    }

    /// The link to this search at `offset`.
    pub fn href(&self, offset: u32) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !self.text.is_empty() {
            query.append_pair("q", &self.text);
        }
        if offset > 0 {
            query.append_pair("offset", &offset.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            DIRECTORY_PATH.to_owned()
        } else {
            format!("{DIRECTORY_PATH}?{query}")
        }
    }
}

impl SearchPage {
    /// The page of `search`'s results, with `error` beside the search box when the text could
    /// not be used (an address page asked for with something that is not an address).
    pub async fn build(
        state: &StaffState,
        staff: &Staff,
        search: &Search,
        error: Option<String>,
    ) -> Result<SearchPage, Denied> {
        let page = &staff.page;
        let mut found = state
            .ctx
            .store
            .search_directory(&search.text, PAGE_SIZE + 1, search.offset)
            .await
            .map_err(|e| failed(page, "searching the directory", &e))?;
        let next =
            (found.len() > PAGE_SIZE as usize).then(|| search.href(search.offset + PAGE_SIZE));
        found.truncate(PAGE_SIZE as usize);
        let previous =
            (search.offset > 0).then(|| search.href(search.offset.saturating_sub(PAGE_SIZE)));
        let query = Field::input("q", page.t("directory-search-label"), InputKind::Search)
            .with_hint(page.t("directory-search-hint"))
            .with_value(search.text.as_str())
            .with_error(error);
        let errors = ErrorSummary::of_fields([&query]);
        let caption = if search.text.is_empty() {
            page.t("directory-results-all")
        } else {
            page.t_arg("directory-results-caption", "query", &search.text)
        };
        Ok(SearchPage {
            layout: staff.layout("directory-title").with_errors(errors),
            query,
            caption,
            rows: found.iter().map(|m| row(staff, m)).collect(),
            previous,
            next,
            notice: None,
            import_href: staff.actor.has(Role::Admin).then_some(IMPORT_PATH),
        })
    }
}

/// A contact found, as the table shows it.
fn row(staff: &Staff, found: &DirectoryMatch) -> MatchRow {
    MatchRow {
        href: address_href(&found.address),
        address: found.address_written.clone(),
        name: found.name.clone(),
        role: found.role.clone(),
        addressee: found.addressee.to_string(),
        addressee_name: found.addressee_name.clone(),
        status: staff.page.t(if found.active {
            "directory-status-active"
        } else {
            "directory-status-inactive"
        }),
    }
}

/// `GET /staff/directory`: the search box and a page of results (every contact when nothing
/// is searched for); after a person was forgotten (`?forgotten=<pseudonym>`), a notice.
pub async fn page(
    State(state): State<StaffState>,
    staff: Staff,
    RawQuery(query): RawQuery,
) -> Result<Response, Denied> {
    require_reader(&staff)?;
    let query = Posted::parse(query.unwrap_or_default().as_bytes());
    let mut page = SearchPage::build(&state, &staff, &Search::of_query(&query), None).await?;
    page.notice = query
        .get("forgotten")
        .filter(|p| looks_like_pseudonym(p))
        .map(|pseudonym| staff.page.t_arg("forget-done", "pseudonym", pseudonym));
    Ok(render(StatusCode::OK, &page))
}

/// Whether `text` has the shape of a forgotten address's pseudonym (`forgotten-<hex>@…`), so
/// that a link cannot make the page announce anything else.
fn looks_like_pseudonym(text: &str) -> bool {
    text.len() <= 100
        && text.starts_with("forgotten-")
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '@'))
}

/// Where the forget form of an address leads (for the address page's link).
pub fn forget_href(address: &circulars_core::domain::RecipientAddress) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("address", address.as_str())
        .finish();
    format!("{FORGET_PATH}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_reads_its_query_and_links_its_pages() {
        let search = Search::of_query(&Posted::parse(b"q=+Adm+Freedonia+&offset=50&lang=fr"));
        assert_eq!(
            search,
            Search {
                text: "Adm Freedonia".into(),
                offset: 50
            }
        );
        assert_eq!(
            search.href(100),
            "/staff/directory?q=Adm+Freedonia&offset=100"
        );
        assert_eq!(search.href(0), "/staff/directory?q=Adm+Freedonia");
        let everything = Search::of_query(&Posted::parse(b"offset=minus"));
        assert_eq!(everything, Search::default());
        assert_eq!(everything.href(0), "/staff/directory");
    }

    #[test]
    fn only_a_pseudonym_is_announced_as_forgotten() {
        assert!(looks_like_pseudonym(
            "forgotten-0a1b2c3d4e5f60718293a4b5c6d7e8f9@forgotten.invalid"
        ));
        assert!(!looks_like_pseudonym("the director was fired"));
        assert!(!looks_like_pseudonym("forgotten-<b>@x"));
    }
}
