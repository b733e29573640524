//! The Atom feed of each language (RFC 4287), `GET /circulars/{lang}/feed.atom`: the newest
//! `FEED_ENTRIES` published circulars, each an entry with a stable `tag:` id (RFC 4151), its
//! issue time as `published` and `updated`, and `alternate` links to its page in this language
//! and, with `hreflang`, in every other language it is published in. Links are absolute, from
//! `[mail] public_base_url`. With nothing issued the feed is valid and empty; its `updated` is
//! then the Unix epoch (it has never changed).

use super::http::cacheable;
use super::pages::{store_failed, subject_in, unknown_language};
use super::{circular_path, feed_path, list_path, ArchiveState, FEED_ENTRIES};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use circulars_core::domain::{escape_html as escape, Language};
use circulars_store::ArchivedCircular;
use std::fmt::Write;

/// The media type of an Atom feed.
pub const ATOM_TYPE: &str = "application/atom+xml; charset=utf-8";
/// The year in the feeds' `tag:` ids: when the archive's host started minting them.
pub const TAG_YEAR: &str = "2026";

/// The host of a base URL (`https://circulars.itu.example:8443/x` → `circulars.itu.example`),
/// the authority of the `tag:` ids.
pub fn authority(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    host.split(':').next().unwrap_or(host)
}

/// The feed's id in `language`: `tag:<host>,2026:circulars/<lang>`.
pub fn feed_id(base_url: &str, language: Language) -> String {
    format!(
        "tag:{},{TAG_YEAR}:circulars/{language}",
        authority(base_url)
    )
}

/// An entry's id: `tag:<host>,2026:circulars/<lang>/<id>`; stable for as long as the host is.
pub fn entry_id(base_url: &str, language: Language, id: &str) -> String {
    format!("{}/{id}", feed_id(base_url, language))
}

/// A time as Atom writes it (RFC 3339, UTC, whole seconds).
fn atom_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The feed's XML.
pub fn atom(
    base_url: &str,
    language: Language,
    title: &str,
    author: &str,
    entries: &[ArchivedCircular],
) -> String {
    let updated = entries
        .iter()
        .map(|c| c.issued_at)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let mut x = String::new();
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{language}\">\n\
         <id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n\
         <author><name>{}</name></author>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" hreflang=\"{language}\" href=\"{}\"/>\n",
        escape(&feed_id(base_url, language)),
        escape(title),
        atom_time(updated),
        escape(author),
        escape(&format!("{base_url}{}", feed_path(language))),
        escape(&format!("{base_url}{}", list_path(language))),
    );
    for other in Language::ALL.into_iter().filter(|l| *l != language) {
        let _ = writeln!(
            x,
            "<link rel=\"alternate\" type=\"application/atom+xml\" hreflang=\"{other}\" href=\"{}\"/>",
            escape(&format!("{base_url}{}", feed_path(other)))
        );
    }
    for c in entries {
        let id = c.id.as_str();
        let _ = write!(
            x,
            "<entry>\n<id>{}</id>\n<title>{}</title>\n<published>{}</published>\n<updated>{}</updated>\n",
            escape(&entry_id(base_url, language, id)),
            escape(&subject_in(c, language)),
            atom_time(c.issued_at),
            atom_time(c.issued_at),
        );
        let _ = writeln!(
            x,
            "<link rel=\"alternate\" type=\"text/html\" hreflang=\"{language}\" href=\"{}\"/>",
            escape(&format!("{base_url}{}", circular_path(language, id)))
        );
        for other in c.subjects.keys().filter(|l| **l != language) {
            let _ = writeln!(
                x,
                "<link rel=\"alternate\" type=\"text/html\" hreflang=\"{other}\" href=\"{}\"/>",
                escape(&format!("{base_url}{}", circular_path(*other, id)))
            );
        }
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

/// `GET /circulars/{lang}/feed.atom`.
pub async fn feed(
    State(state): State<ArchiveState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(language) = code.parse::<Language>() else {
        return unknown_language(&state, &code);
    };
    let entries = match state.store.archive_page(FEED_ENTRIES, 0).await {
        Ok(found) => found,
        Err(e) => return store_failed(e),
    };
    let xml = atom(
        &state.base_url,
        language,
        &state.words.plain(language, "feed-title"),
        &state.words.plain(language, "feed-author"),
        &entries,
    );
    let updated = entries.iter().map(|c| c.issued_at).max();
    cacheable(&headers, ATOM_TYPE, xml.into_bytes(), updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_tag_uris_of_the_public_host() {
        assert_eq!(
            authority("https://circulars.itu.example"),
            "circulars.itu.example"
        );
        assert_eq!(
            authority("https://u@circulars.itu.example:8443/base"),
            "circulars.itu.example"
        );
        assert_eq!(
            entry_id("https://circulars.itu.example", Language::Fr, "TSB-36"),
            "tag:circulars.itu.example,2026:circulars/fr/TSB-36"
        );
    }

    #[test]
    fn an_empty_feed_has_every_required_element() {
        let xml = atom("https://c.example", Language::Ar, "T & <t>", "A", &[]);
        for part in [
            "<id>tag:c.example,2026:circulars/ar</id>",
            "<title>T &amp; &lt;t&gt;</title>",
            "<updated>1970-01-01T00:00:00Z</updated>",
            "<author><name>A</name></author>",
            "rel=\"self\" type=\"application/atom+xml\" href=\"https://c.example/circulars/ar/feed.atom\"",
            "hreflang=\"ar\" href=\"https://c.example/circulars/ar/\"",
        ] {
            assert!(xml.contains(part), "{part} in {xml}");
        }
        assert!(!xml.contains("<entry>"));
    }
}
