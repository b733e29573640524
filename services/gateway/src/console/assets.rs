//! Files the pages load, compiled into the binary and served under `/staff/static/`: the
//! stylesheet, and the one script (`live.js`, which keeps a live page's board up to date from
//! its server-sent events; only pages that watch live load it).

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

/// Where the live pages' script is served.
pub const LIVE_SCRIPT_PATH: &str = "/staff/static/live.js";

/// The live pages' script, as compiled in.
pub const LIVE_SCRIPT: &str = include_str!("../../static/live.js");

/// `GET /staff/static/live.js`. Cached for an hour: it changes only with the binary.
pub async fn live_script() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        LIVE_SCRIPT,
    )
        .into_response()
}
