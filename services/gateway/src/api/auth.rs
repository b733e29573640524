//! Who is calling the API: a session cookie of the console or an API token
//! (`Authorization: Bearer`), resolved before anything of the request is read, so that an
//! anonymous call gets 401 whatever its path, id or body. A call carried by a session cookie
//! that changes something must also send the session's CSRF token (`X-CSRF-Token`), as the
//! console's forms do in a hidden field.

use super::error::ApiError;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use circulars_core::domain::{Actor, Via};
use circulars_store::Store;

/// The header a session-carried API call that changes something sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Resolves the caller into an [`Actor`] (a request extension) or answers 401 (403 for a
/// session call without its CSRF token, or an account without any role).
pub async fn require_staff(State(store): State<Store>, mut req: Request, next: Next) -> Response {
    match caller(&store, req.method(), req.headers()).await {
        Ok(actor) => {
            req.extensions_mut().insert(actor);
            next.run(req).await
        }
        Err(refused) => refused.into_response(),
    }
}

/// The caller of a request, by token or session.
async fn caller(store: &Store, method: &Method, headers: &HeaderMap) -> Result<Actor, ApiError> {
    let failed = |e: circulars_staff::StaffError| ApiError::internal(&e);
    let actor = if let Some(bearer) = bearer(headers) {
        let account = circulars_staff::authenticate_token(store, bearer)
            .await
            .map_err(failed)?
            .ok_or_else(ApiError::unauthenticated)?;
        Actor::account(account.name, account.roles, Via::Api)
    } else if let Some(cookie) = crate::console::session::session_cookie(headers) {
        let signed_in = circulars_staff::session(store, cookie)
            .await
            .map_err(failed)?
            .ok_or_else(ApiError::unauthenticated)?;
        let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !safe && !sent.is_some_and(|sent| signed_in.csrf_token.matches(sent)) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "a call signed in by the console's session must send its CSRF token (X-CSRF-Token)",
            ));
        }
        signed_in.actor(Via::Api)
    } else {
        return Err(ApiError::unauthenticated());
    };
    if actor.roles.is_empty() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("{} holds no role: an admin gives it one", actor.name()),
        ));
    }
    Ok(actor)
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}
