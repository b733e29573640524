//! The language a staff page speaks: English or French, chosen by the `?lang=` of the link the
//! language switch makes (remembered in the `lang` cookie), else the `lang` cookie, else the
//! browser's `Accept-Language`, else English.

use super::cookies::{read_cookie, CookiePolicy};
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, SET_COOKIE};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use circulars_core::domain::Language;
use std::time::Duration;

/// The cookie that remembers the language chosen with the switch.
pub const LANG_COOKIE: &str = "lang";
/// The query parameter the language switch's links carry (`?lang=fr`).
pub const LANG_QUERY: &str = "lang";
/// How long the `lang` cookie is kept: a year.
pub const LANG_COOKIE_MAX_AGE: Duration = Duration::from_secs(365 * 24 * 3600);

/// A language the staff console speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum ConsoleLanguage {
    /// English, the default.
    #[default]
    En,
    /// French.
    Fr,
}

impl ConsoleLanguage {
    /// Every language of the console, in the order the switch shows them.
    pub const ALL: [ConsoleLanguage; 2] = [ConsoleLanguage::En, ConsoleLanguage::Fr];

    /// The ISO 639-1 code (`lang` attribute, cookie, query parameter).
    pub fn code(self) -> &'static str {
        self.language().code()
    }

    /// The writing direction, for the `dir` attribute.
    pub fn dir(self) -> &'static str {
        if self.language().is_right_to_left() {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The language's name in itself, as the switch shows it ("English", "Français").
    pub fn name(self) -> &'static str {
        match self {
            ConsoleLanguage::En => "English",
            ConsoleLanguage::Fr => "Français",
        }
    }

    /// The same language among the six of circulars.
    pub fn language(self) -> Language {
        match self {
            ConsoleLanguage::En => Language::En,
            ConsoleLanguage::Fr => Language::Fr,
        }
    }

    /// The language of a code (`en`, `fr`; case and a region such as `fr-CH` ignored).
    pub fn from_code(code: &str) -> Option<ConsoleLanguage> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
        ConsoleLanguage::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The console's language the browser prefers most in an `Accept-Language` value (RFC 9110
    /// §12.5.4: weights `q=`, a `*` meaning any, `q=0` meaning not this one); `None` when it
    /// names none of them.
    pub fn from_accept_language(header: &str) -> Option<ConsoleLanguage> {
        let mut best: Option<(u16, ConsoleLanguage)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), parse_weight);
            let Some(weight) = weight.filter(|w| *w > 0) else {
                continue;
            };
            let language = if range == "*" {
                Some(ConsoleLanguage::default())
            } else {
                ConsoleLanguage::from_code(range)
            };
            if let Some(language) = language {
                // The first of equal weights wins: the browser lists them in its order.
                if best.is_none_or(|(w, _)| weight > w) {
                    best = Some((weight, language));
                }
            }
        }
        best.map(|(_, language)| language)
    }

    /// The page's language for a request: `?lang=` in `query`, else the `lang` cookie, else
    /// `Accept-Language`, else English.
    pub fn of_request(query: Option<&str>, headers: &HeaderMap) -> ConsoleLanguage {
        query
            .and_then(asked_in_query)
            .or_else(|| read_cookie(headers, LANG_COOKIE).and_then(ConsoleLanguage::from_code))
            .or_else(|| {
                headers
                    .get(ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(ConsoleLanguage::from_accept_language)
            })
            .unwrap_or_default()
    }
}

/// A weight (`0.8`) in thousandths, or `None` when it is not one.
fn parse_weight(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        // In range 0..=1000 after the check above, so the cast keeps the value.
        .then(|| (value * 1000.0).round() as u16)
}

/// The language a query string's `lang=` asks for, if it names one of the console's.
pub fn asked_in_query(query: &str) -> Option<ConsoleLanguage> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == LANG_QUERY)
        .and_then(|(_, v)| ConsoleLanguage::from_code(&v))
}

/// A layer for every staff route: when the request's query asks for a language (the switch's
/// links), the answer sets the `lang` cookie so that the following pages keep it.
pub async fn remember_language(
    State(cookies): State<CookiePolicy>,
    request: Request,
    next: Next,
) -> Response {
    let asked = request.uri().query().and_then(asked_in_query);
    let mut response = next.run(request).await;
    if let Some(language) = asked {
        match cookies.set(LANG_COOKIE, language.code(), Some(LANG_COOKIE_MAX_AGE)) {
            Ok(cookie) => {
                response.headers_mut().append(SET_COOKIE, cookie);
            }
            Err(e) => tracing::error!(%e, "cannot remember the language"),
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use ConsoleLanguage::{En, Fr};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn codes_are_read_whatever_their_case_or_region() {
        assert_eq!(ConsoleLanguage::from_code("fr"), Some(Fr));
        assert_eq!(ConsoleLanguage::from_code("FR-ch"), Some(Fr));
        assert_eq!(ConsoleLanguage::from_code("en_GB"), Some(En));
        assert_eq!(ConsoleLanguage::from_code("es"), None);
        assert_eq!(ConsoleLanguage::from_code(""), None);
        assert_eq!(Fr.name(), "Français");
        assert_eq!(Fr.dir(), "ltr");
    }

    #[test]
    fn the_browser_s_preferred_console_language_wins_by_weight() {
        let pick = ConsoleLanguage::from_accept_language;
        assert_eq!(pick("fr"), Some(Fr));
        assert_eq!(pick("fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5"), Some(Fr));
        assert_eq!(pick("de, en;q=0.5, fr;q=0.7"), Some(Fr));
        assert_eq!(pick("es, en-GB;q=0.9"), Some(En));
        assert_eq!(pick("fr;q=0, en;q=0.1"), Some(En), "q=0 refuses French");
        assert_eq!(pick("en;q=0.5, fr;q=0.5"), Some(En), "ties keep the order");
        assert_eq!(pick("de, es"), None);
        assert_eq!(pick("*"), Some(En));
        assert_eq!(pick("fr;q=abc"), None, "a broken weight counts as none");
        assert_eq!(pick(""), None);
    }

    #[test]
    fn the_query_beats_the_cookie_which_beats_the_browser() {
        let browser_fr = headers(&[("accept-language", "fr")]);
        assert_eq!(ConsoleLanguage::of_request(None, &browser_fr), Fr);
        let cookie_en = headers(&[("accept-language", "fr"), ("cookie", "x=1; lang=en")]);
        assert_eq!(ConsoleLanguage::of_request(None, &cookie_en), En);
        assert_eq!(
            ConsoleLanguage::of_request(Some("a=b&lang=fr"), &cookie_en),
            Fr
        );
        assert_eq!(
            ConsoleLanguage::of_request(Some("lang=xx"), &cookie_en),
            En,
            "an unknown code in the query is ignored"
        );
        assert_eq!(ConsoleLanguage::of_request(None, &HeaderMap::new()), En);
        let bad_cookie = headers(&[("accept-language", "fr"), ("cookie", "lang=de")]);
        assert_eq!(ConsoleLanguage::of_request(None, &bad_cookie), Fr);
    }
}
