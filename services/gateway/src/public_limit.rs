//! The public pages (the recipients' preferences, the archive and its feeds) rate limited per
//! client address: a client that asks more than its limit a minute (a burst of as many,
//! refilled evenly) gets 429 with a short page and a `Retry-After`, and is logged; every other
//! address keeps its own bucket, so nobody else is slowed. Each surface has its own limiter,
//! of `[gateway] preferences_per_client_per_minute` (60) and `archive_per_client_per_minute`
//! (300).

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use tracing::warn;

/// How many addresses are kept before the buckets of quiet ones are dropped.
const KEYS_BEFORE_CLEANING: usize = 10_000;

/// One bucket per client address.
#[derive(Debug)]
pub struct PagesLimiter {
    per_client: DefaultKeyedRateLimiter<IpAddr>,
}

impl PagesLimiter {
    /// A limiter of `per_minute` requests a minute per client address.
    pub fn new(per_minute: NonZeroU32) -> PagesLimiter {
        PagesLimiter {
            per_client: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    /// Counts one request of `client`; `Err` with the seconds to wait when its bucket is empty.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        if self.per_client.len() > KEYS_BEFORE_CLEANING {
            self.per_client.retain_recent();
        }
        self.per_client.check_key(&client).map_err(|not_until| {
            let clock = governor::clock::DefaultClock::default();
            not_until.wait_time_from(clock.now()).as_secs().max(1)
        })
    }
}

/// The layer: refuses a client over its limit with 429, before the handler runs.
pub async fn limit(
    State(limiter): State<Arc<PagesLimiter>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match limiter.check(client.ip()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            warn!(client = %client.ip(), path = %request.uri().path().chars().take(20).collect::<String>(), "public pages: too many requests");
            (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    (CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                    (CACHE_CONTROL, "no-store".to_owned()),
                    (RETRY_AFTER, wait.to_string()),
                ],
                "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n\
                 <title>Too many requests – ITU circulars</title>\n</head>\n<body>\n<main>\n\
                 <h1>Too many requests</h1>\n<p>Too many pages were asked from your address. \
                 Nothing has been changed. Please wait a minute and try again.</p>\n</main>\n\
                 </body>\n</html>\n",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_over_its_limit_is_refused_and_others_are_not_slowed() {
        let limiter = PagesLimiter::new(NonZeroU32::new(3).unwrap());
        let flood: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(limiter.check(flood), Ok(()));
        }
        assert!(limiter.check(flood).unwrap_err() >= 1);
        for _ in 0..3 {
            assert_eq!(limiter.check(other), Ok(()));
        }
    }
}
