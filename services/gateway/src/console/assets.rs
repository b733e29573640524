//! Files the pages load, compiled into the binary and served under `/staff/static/`: today the
//! one stylesheet. (A vendored htmx would be served the same way.)

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// Where the stylesheet is served (the layout links it).
pub const STYLESHEET_PATH: &str = "/staff/static/console.css";

/// The stylesheet, as compiled in.
pub const STYLESHEET: &str = include_str!("../../static/console.css");

/// `GET /staff/static/console.css`. Cached for an hour: it changes only with the binary.
pub async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}
