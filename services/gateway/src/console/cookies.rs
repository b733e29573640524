//! The console's cookies: built `HttpOnly; SameSite=Strict; Path=/`, and `Secure` as
//! [`CookiePolicy`] says, and read back from the `Cookie` header.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use circulars_core::config::Config;
use std::time::Duration;

/// A cookie that cannot be built: its name or value holds a character a cookie cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cookie {name}: the name or the value holds a character a cookie cannot carry")]
pub struct BadCookie {
    /// The cookie's name, as given.
    pub name: String,
}

/// How the console's cookies are built.
///
/// **`Secure` when the console's public address is https.** The gateway itself serves plain
/// HTTP: TLS ends at the reverse proxy in front of it, so "served over TLS" cannot be read
/// from the connection, and a header such as `X-Forwarded-Proto` is only as true as the proxy
/// that sets it. What the operator configured is: `[mail] public_base_url`, the address the
/// mails' links and the console are reached at, which the configuration check already requires
/// to be https. So in practice every cookie is `Secure`. Browsers still keep `Secure` cookies
/// set by `http://127.0.0.1` and `http://localhost` (loopback counts as a secure context), so
/// the tests and a local run work. A session cookie may also take the `__Host-` name prefix
/// when [`CookiePolicy::is_secure`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookiePolicy {
    secure: bool,
}

impl CookiePolicy {
    /// The policy of a configuration: `Secure` when `[mail] public_base_url` is https.
    pub fn from_config(config: &Config) -> CookiePolicy {
        CookiePolicy::new(
            config
                .mail
                .public_base_url
                .get(..8)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://")),
        )
    }

    /// A policy that marks cookies `Secure` or not.
    pub fn new(secure: bool) -> CookiePolicy {
        CookiePolicy { secure }
    }

    /// Whether cookies are marked `Secure`.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// A `Set-Cookie` value: `name=value; Path=/; HttpOnly; SameSite=Strict`, `Max-Age` when
    /// given (else the cookie lasts as long as the browser session), `Secure` as the policy says.
    pub fn set(
        &self,
        name: &str,
        value: &str,
        max_age: Option<Duration>,
    ) -> Result<HeaderValue, BadCookie> {
        if !is_token(name) || !value.bytes().all(is_cookie_octet) {
            return Err(BadCookie {
                name: name.to_owned(),
            });
        }
        let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
        if let Some(age) = max_age {
            text.push_str(&format!("; Max-Age={}", age.as_secs()));
        }
        if self.secure {
            text.push_str("; Secure");
        }
        HeaderValue::from_str(&text).map_err(|_| BadCookie {
            name: name.to_owned(),
        })
    }

    /// A `Set-Cookie` value that removes cookie `name` (empty, `Max-Age=0`).
    pub fn clear(&self, name: &str) -> Result<HeaderValue, BadCookie> {
        self.set(name, "", Some(Duration::ZERO))
    }
}

/// The value of cookie `name` in the request's `Cookie` headers, if any.
pub fn read_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// Whether `name` is an RFC 9110 token (what a cookie's name must be).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether `b` may stand in a cookie's value (RFC 6265 §4.1.1 `cookie-octet`).
fn is_cookie_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: HeaderValue) -> String {
        v.to_str().unwrap().to_owned()
    }

    #[test]
    fn cookies_are_http_only_strict_and_site_wide_and_secure_when_asked() {
        let secure = CookiePolicy::new(true);
        assert_eq!(
            text(secure.set("session", "abc_DEF-123", None).unwrap()),
            "session=abc_DEF-123; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        let plain = CookiePolicy::new(false);
        assert_eq!(
            text(
                plain
                    .set("lang", "fr", Some(Duration::from_secs(60)))
                    .unwrap()
            ),
            "lang=fr; Path=/; HttpOnly; SameSite=Strict; Max-Age=60"
        );
        assert_eq!(
            text(secure.clear("session").unwrap()),
            "session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
        );
    }

    #[test]
    fn a_value_that_could_add_attributes_is_refused() {
        let policy = CookiePolicy::new(true);
        for value in ["a;Domain=evil.example", "a b", "a,b", "é", "a\"b", "a\\b"] {
            assert!(policy.set("lang", value, None).is_err(), "{value}");
        }
        assert!(policy.set("la ng", "x", None).is_err());
        assert!(policy.set("", "x", None).is_err());
        assert_eq!(
            policy.set("la=ng", "x", None).unwrap_err().to_string(),
            "cookie la=ng: the name or the value holds a character a cookie cannot carry"
        );
    }

    #[test]
    fn the_public_address_decides_secure() {
        let config = |url: &str| {
            Config::from_sources(
                Some(("c.toml", &format!("[mail]\npublic_base_url = \"{url}\"\n"))),
                Vec::new(),
            )
            .unwrap()
        };
        assert!(CookiePolicy::from_config(&config("https://circulars.example")).is_secure());
        assert!(!CookiePolicy::new(false).is_secure());
    }

    #[test]
    fn cookies_are_read_by_exact_name_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("xlang=de; a=1"));
        headers.append(COOKIE, HeaderValue::from_static("lang=\"fr\""));
        assert_eq!(read_cookie(&headers, "lang"), Some("fr"));
        assert_eq!(read_cookie(&headers, "a"), Some("1"));
        assert_eq!(read_cookie(&headers, "b"), None);
    }
}
