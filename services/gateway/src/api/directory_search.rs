//! `/api/v1/directory/search` and `/explain`, for admins and operators: contacts found by
//! address, name, addressee key or name (a page at a time), and why an address is or is not on
//! a circular's list (`circulars_contacts::explain`, with the words of `circulars explain`).

use super::callers::{next_offset, page_bounds, DirectoryReader};
use super::circulars::circular_id;
use super::error::{ApiError, ErrorBody};
use super::json::ApiQuery;
use super::ApiState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use circulars_contacts::explain::{explain as explain_address, Explanation};
use circulars_core::domain::RecipientAddress;
use circulars_store::DirectoryMatch;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The most contacts one page of a search holds.
pub const MAX_PAGE: u32 = 200;

/// `?q=&limit=&offset=` of a search.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Text that the address, the name, the addressee's key or its name contains (ASCII letters
    /// compared without case); empty or absent: every contact.
    pub q: Option<String>,
    /// How many at most (default 50, at most 200).
    pub limit: Option<u32>,
    /// How many to skip (default 0).
    pub offset: Option<u32>,
}

/// One page of contacts found, by address then addressee.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    /// The contacts of this page.
    pub items: Vec<ContactFound>,
    /// The `offset` of the next page, when there is one.
    pub next_offset: Option<u32>,
}

/// A contact found, with its addressee.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactFound {
    /// The normalised address (what `/directory/addresses/{address}` takes).
    pub address: String,
    /// The address as written.
    pub address_written: String,
    /// The contact's name.
    pub name: String,
    /// Its role in the addressee.
    pub role: String,
    /// Whether it receives its addressee's circulars.
    pub active: bool,
    /// The addressee's key.
    pub addressee: String,
    /// The addressee's name.
    pub addressee_name: String,
}

impl From<DirectoryMatch> for ContactFound {
    fn from(m: DirectoryMatch) -> ContactFound {
        ContactFound {
            address: m.address.as_str().to_owned(),
            address_written: m.address_written,
            name: m.name,
            role: m.role,
            active: m.active,
            addressee: m.addressee.to_string(),
            addressee_name: m.addressee_name,
        }
    }
}

/// Searches the directory.
#[utoipa::path(get, path = "/api/v1/directory/search", tag = "directory", params(SearchQuery),
    responses((status = 200, body = SearchPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn search(
    _reader: DirectoryReader,
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<SearchPage>, ApiError> {
    let (limit, offset) = page_bounds(query.limit, query.offset, MAX_PAGE);
    let text = query.q.unwrap_or_default();
    let mut rows = state
        .ctx
        .store
        .search_directory(&text, limit + 1, offset)
        .await?;
    let next_offset = next_offset(&mut rows, limit, offset);
    Ok(Json(SearchPage {
        items: rows.into_iter().map(ContactFound::from).collect(),
        next_offset,
    }))
}

/// `?circular=&address=` of an explanation.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExplainQuery {
    /// The circular, e.g. TSB-36.
    pub circular: String,
    /// The e-mail address.
    pub address: String,
}

/// Why an address is, or is not, on a circular's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplanationView {
    /// The circular.
    pub circular: String,
    /// The address, normalised.
    pub address: String,
    /// `listed`, `excluded`, `in_no_category` or `unknown` (in no contact of the directory).
    pub outcome: &'static str,
    /// Whether this is the frozen audience of the issued circular (else a dry run on today's
    /// directory).
    pub frozen: bool,
    /// Listed: each category and contact that put it there.
    pub reasons: Vec<String>,
    /// Excluded: why (`suppressed`, `inactive`, `opted-out`, `not-opted-in`).
    pub exclusion_reason: Option<String>,
    /// Excluded: the details, in words.
    pub exclusion_detail: Option<String>,
    /// Listed and issued: the delivery's state so far.
    pub delivery: Option<String>,
    /// Bounced: why the returned mail says it failed (`user_unknown`, `mailbox_full`, …).
    pub bounce_reason: Option<String>,
    /// The whole explanation in the words of `circulars explain`.
    pub text: String,
}

impl ExplanationView {
    /// `explained` of `address` for `circular`.
    fn of(
        circular: String,
        address: &RecipientAddress,
        explained: &Explanation,
    ) -> ExplanationView {
        let mut view = ExplanationView {
            circular,
            address: address.as_str().to_owned(),
            outcome: "unknown",
            frozen: false,
            reasons: Vec::new(),
            exclusion_reason: None,
            exclusion_detail: None,
            delivery: None,
            bounce_reason: None,
            text: explained.to_string(),
        };
        match explained {
            Explanation::Listed {
                member,
                delivery,
                frozen,
                ..
            } => {
                view.outcome = "listed";
                view.frozen = *frozen;
                view.reasons = member
                    .reasons
                    .iter()
                    .map(|r| format!("{} via {} ({})", r.category, r.addressee_key, r.source))
                    .collect();
                view.bounce_reason = delivery
                    .as_ref()
                    .and_then(|d| d.bounce_reason)
                    .map(|reason| reason.as_str().to_owned());
                view.delivery = match delivery {
                    Some(d) => Some(d.state.to_string()),
                    None if *frozen => Some("queued".to_owned()),
                    None => None,
                };
            }
            Explanation::Excluded { exclusion, frozen } => {
                view.outcome = "excluded";
                view.frozen = *frozen;
                view.exclusion_reason = Some(exclusion.reason.clone());
                view.exclusion_detail = Some(exclusion.detail.clone());
            }
            Explanation::InNoCategory { frozen_at, .. } => {
                view.outcome = "in_no_category";
                view.frozen = frozen_at.is_some();
            }
            Explanation::Unknown { frozen_at } => view.frozen = frozen_at.is_some(),
        }
        view
    }
}

/// Reads an address given by a caller, naming `field` when it is not one (422).
pub fn address_of(written: &str, field: &str) -> Result<RecipientAddress, ApiError> {
    RecipientAddress::parse(written.trim()).map_err(|e| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()).at(field)
    })
}

/// Explains why an address is, or is not, on a circular's list.
#[utoipa::path(get, path = "/api/v1/directory/explain", tag = "directory", params(ExplainQuery),
    responses((status = 200, body = ExplanationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn explain(
    _reader: DirectoryReader,
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<ExplainQuery>,
) -> Result<Json<ExplanationView>, ApiError> {
    let circular = circular_id(query.circular.trim())?;
    let address = address_of(&query.address, "address")?;
    let explained = explain_address(&state.ctx.store, &circular, &address).await?;
    Ok(Json(ExplanationView::of(
        circular.to_string(),
        &address,
        &explained,
    )))
}
