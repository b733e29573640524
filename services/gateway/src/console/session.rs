//! The console's session cookie: its name, and reading it back.

use axum::http::HeaderMap;

/// The session cookie's name (its value is the random secret the store keeps the SHA-256 of).
pub const SESSION_COOKIE: &str = "circulars_session";

/// The value of the session cookie a request carries, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    super::cookies::read_cookie(headers, SESSION_COOKIE).filter(|v| !v.is_empty())
}
