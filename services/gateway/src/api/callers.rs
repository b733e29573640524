//! Who may call a route, checked from the request's parts before its body is read, so that a
//! caller without the role gets 403 whatever the body: [`Admin`] (accounts, tokens, the
//! directory's staff operations) and [`DirectoryReader`] (admins and operators, who may search
//! the directory and explain an address); and the `?limit=&offset=` of the lists they read
//! ([`PageQuery`], [`page_bounds`], [`next_offset`]).

use super::directory::require_admin;
use super::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use circulars_core::domain::{Actor, Role};
use serde::Deserialize;
use utoipa::IntoParams;

/// The caller, an admin.
#[derive(Debug, Clone)]
pub struct Admin(pub Actor);

/// The caller, an admin or an operator.
#[derive(Debug, Clone)]
pub struct DirectoryReader(pub Actor);

/// The actor the authentication layer found (none: the route is not behind it, a bug
/// answered 401 rather than served).
fn actor(parts: &Parts) -> Result<Actor, ApiError> {
    parts
        .extensions
        .get::<Actor>()
        .cloned()
        .ok_or_else(ApiError::unauthenticated)
}

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Admin, ApiError> {
        let actor = actor(parts)?;
        require_admin(&actor)?;
        Ok(Admin(actor))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for DirectoryReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<DirectoryReader, ApiError> {
        let actor = actor(parts)?;
        if actor.has(Role::Admin) || actor.has(Role::Operator) {
            Ok(DirectoryReader(actor))
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "not_allowed",
                format!(
                    "{} may not do this: it needs the admin or the operator role",
                    actor.name()
                ),
            ))
        }
    }
}

/// The most rows one page of a short list (accounts, tokens) holds.
pub const MAX_SHORT_PAGE: u32 = 200;

/// `?limit=&offset=` of a list read whole from its library function (accounts, an account's
/// tokens: one row per member of staff), answered a page at a time like the others.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// How many at most (default 50, at most 200).
    pub limit: Option<u32>,
    /// How many to skip (default 0).
    pub offset: Option<u32>,
}

impl PageQuery {
    /// This page of `rows`, and the `offset` of the next one when there is one.
    pub fn of<T>(&self, rows: Vec<T>) -> (Vec<T>, Option<u32>) {
        let (limit, offset) = page_bounds(self.limit, self.offset, MAX_SHORT_PAGE);
        let mut rows: Vec<T> = rows
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize + 1)
            .collect();
        let next = next_offset(&mut rows, limit, offset);
        (rows, next)
    }
}

/// `?limit=&offset=` of a list: at most `max` (default 50), from `offset` (default 0).
pub fn page_bounds(limit: Option<u32>, offset: Option<u32>, max: u32) -> (u32, u32) {
    (limit.unwrap_or(50).clamp(1, max), offset.unwrap_or(0))
}

/// The `offset` of the next page when a query for `limit + 1` rows found more than `limit`
/// (the rows are cut to `limit`).
pub fn next_offset<T>(rows: &mut Vec<T>, limit: u32, offset: u32) -> Option<u32> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    more.then_some(offset + limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_bounded_and_says_where_the_next_starts() {
        assert_eq!(page_bounds(None, None, 200), (50, 0));
        assert_eq!(page_bounds(Some(0), Some(7), 200), (1, 7));
        assert_eq!(page_bounds(Some(900), None, 200), (200, 0));
        let mut rows = vec![1, 2, 3];
        assert_eq!(next_offset(&mut rows, 2, 10), Some(12));
        assert_eq!(rows, [1, 2]);
        assert_eq!(next_offset(&mut rows, 2, 12), None);
    }

    #[test]
    fn a_short_list_is_cut_into_pages_too() {
        let page = PageQuery {
            limit: Some(2),
            offset: Some(1),
        };
        assert_eq!(page.of(vec!['a', 'b', 'c', 'd']), (vec!['b', 'c'], Some(3)));
        assert_eq!(page.of(vec!['a', 'b', 'c']), (vec!['b', 'c'], None));
        assert_eq!(PageQuery::default().of(vec![1]), (vec![1], None));
    }
}
