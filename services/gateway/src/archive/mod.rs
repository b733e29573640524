//! The public archive: the issued circulars in each of the six languages, for anyone, with no
//! sign-in and no script. Circulars withheld by their file (`archive = false`) or cancelled are
//! not shown (their pages are 404).
//!
//! - `GET /circulars/{lang}/`: the list, newest issue first, [`PAGE_SIZE`] a page (`?page=2`)
//! - `GET /circulars/{lang}/{id}`: one circular's page: the letter as rendered for the mail,
//!   without any recipient's data (`circulars_render::public`), and its annexes
//! - `GET /circulars/{lang}/{id}/annexes/{position}`: an annex file, as an attachment
//! - `GET /circulars/{lang}/feed.atom`: the language's Atom feed (RFC 4287)
//! - `/circulars` and `/circulars/{lang}`: redirects to the English list and to the list
//!
//! An unknown language code is a 404 page naming the six. Every answer carries the console's
//! security headers; pages and feeds are cacheable for a few minutes and carry an `ETag`.
//!
//! # Layout
//! - [`words`]: the Fluent bundles of `locales/<lang>/archive.ftl`, checked as a set
//! - [`layout`]: [`ArchiveLayout`], what `templates/archive/base.html` draws around a page
//! - [`pages`]: the list, a circular's page, the not-found page (templates in
//!   `templates/archive/`)
//! - [`annexes`]: annex downloads
//! - [`feed`]: the Atom feed
//! - [`http`]: the headers of public answers (policy, caching, `ETag` and `304`)

pub mod annexes;
pub mod feed;
pub mod http;
pub mod layout;
pub mod pages;
pub mod words;

pub use layout::ArchiveLayout;
pub use words::ArchiveWords;

use crate::public_limit::{self, PagesLimiter};
use axum::middleware::map_response;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use circulars_core::config::Config;
use circulars_core::domain::Language;
use circulars_render::templates::{TemplateError, Templates};
use circulars_store::Store;
use std::sync::Arc;

/// How many circulars a page of the list shows.
pub const PAGE_SIZE: u32 = 20;
/// How many circulars (the newest) a feed holds.
pub const FEED_ENTRIES: u32 = 50;
/// Where the archive's pages are.
pub const ROOT: &str = "/circulars";

/// What the archive's handlers share.
#[derive(Clone, Debug)]
pub struct ArchiveState {
    /// The database.
    pub store: Store,
    /// The archive's words.
    pub words: Arc<ArchiveWords>,
    /// The circular's wording (`circular.ftl`), to render a language no mail needed.
    pub templates: Arc<Templates>,
    /// `[mail] public_base_url` without its trailing `/`: the start of the feeds' links.
    pub base_url: String,
}

impl ArchiveState {
    /// The state of a configuration, with the compiled-in words.
    pub fn new(config: &Config, store: Store) -> Result<ArchiveState, TemplateError> {
        Ok(ArchiveState {
            store,
            words: Arc::new(ArchiveWords::embedded()?),
            templates: Arc::new(Templates::embedded()?),
            base_url: config.mail.public_base_url.trim_end_matches('/').to_owned(),
        })
    }
}

/// The path of the list in `language` (`/circulars/fr/`).
pub fn list_path(language: Language) -> String {
    format!("{ROOT}/{language}/")
}

/// The path of a circular's page in `language` (`/circulars/fr/TSB-36`).
pub fn circular_path(language: Language, id: &str) -> String {
    format!("{ROOT}/{language}/{id}")
}

/// The path of the feed in `language` (`/circulars/fr/feed.atom`).
pub fn feed_path(language: Language) -> String {
    format!("{ROOT}/{language}/feed.atom")
}

/// The archive's routes, each answer with the security headers of [`http::public_headers`],
/// each client address limited to `per_minute` requests a minute.
pub fn routes(state: ArchiveState, per_minute: std::num::NonZeroU32) -> Router {
    Router::new()
        .route(
            ROOT,
            get(|| async { Redirect::permanent("/circulars/en/") }),
        )
        .route(
            "/circulars/",
            get(|| async { Redirect::permanent("/circulars/en/") }),
        )
        .route("/circulars/{lang}", get(pages::to_list))
        .route("/circulars/{lang}/", get(pages::list))
        .route("/circulars/{lang}/feed.atom", get(feed::feed))
        .route("/circulars/{lang}/{id}", get(pages::circular))
        .route(
            "/circulars/{lang}/{id}/annexes/{position}",
            get(annexes::annex),
        )
        .layer(map_response(http::public_headers))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(PagesLimiter::new(per_minute)),
            public_limit::limit,
        ))
}
