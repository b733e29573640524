//! Annex downloads: `GET /circulars/{lang}/{id}/annexes/{position}`, the file of a published
//! circular's annex in that language, with its stored content type and a
//! `Content-Disposition: attachment` naming the file (RFC 6266, with the RFC 8187 form for
//! names beyond ASCII).

use super::http::cacheable;
use super::pages::{not_found, store_failed, unknown_language};
use super::ArchiveState;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_DISPOSITION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use circulars_core::domain::{CircularId, Language};
use fluent_bundle::FluentValue;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

/// The content type served when the stored one is not a valid header value.
const FALLBACK_TYPE: &str = "application/octet-stream";

/// `Content-Disposition` of a download named `file_name`: an ASCII `filename` (other
/// characters as `_`, quotes and backslashes too) and the exact name as `filename*`.
pub fn attachment(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact = utf8_percent_encode(file_name, NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{exact}")
}

/// `GET /circulars/{lang}/{id}/annexes/{position}`.
pub async fn annex(
    State(state): State<ArchiveState>,
    Path((code, id, position)): Path<(String, String, String)>,
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
    let (Ok(circular), Ok(position)) = (id.parse::<CircularId>(), position.parse::<u32>()) else {
        return unknown();
    };
    match state.store.archived_circular(&circular).await {
        Ok(Some(_)) => {}
        Ok(None) => return unknown(),
        Err(e) => return store_failed(e),
    }
    let annexes = match state.store.annexes(&circular, language).await {
        Ok(annexes) => annexes,
        Err(e) => return store_failed(e),
    };
    let Some(annex) = annexes.into_iter().find(|a| a.position == position) else {
        return unknown();
    };
    let content_type = HeaderValue::from_str(&annex.content_type)
        .map(|_| annex.content_type.as_str())
        .unwrap_or(FALLBACK_TYPE);
    let mut response = cacheable(&headers, content_type, annex.content.clone(), None);
    if let Ok(value) = HeaderValue::from_str(&attachment(&annex.file_name)) {
        response.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_is_given_plainly_and_exactly() {
        assert_eq!(
            attachment("annex1.pdf"),
            "attachment; filename=\"annex1.pdf\"; filename*=UTF-8''annex1%2Epdf"
        );
        assert_eq!(
            attachment("Приложение \"1\".pdf"),
            "attachment; filename=\"__________ _1_.pdf\"; filename*=UTF-8''%D0%9F%D1%80%D0%B8%D0%BB%D0%BE%D0%B6%D0%B5%D0%BD%D0%B8%D0%B5%20%221%22%2Epdf"
        );
    }
}
