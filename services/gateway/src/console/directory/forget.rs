//! `GET /staff/directory/forget?address=`: what forgetting a person does, and a button;
//! `POST`: the erasure, `circulars_contacts::personal::forget` as `circulars directory forget`
//! runs it, refused in the store's words while circulars to the address are in flight.

use super::search::{Search, SearchPage};
use super::{address_href, failed, page_actor, FORGET_PATH};
use crate::console::form::ErrorSummary;
use crate::console::page::{render, Layout};
use crate::console::posted::Posted;
use crate::console::sign_in::see_other;
use crate::console::staff::{Denied, Staff, StaffState, DIRECTORY_PATH};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use circulars_contacts::personal;
use circulars_core::domain::{RecipientAddress, Role};
use circulars_store::StoreError;

/// The confirmation page's template.
#[derive(Template)]
#[template(path = "directory/forget.html")]
pub struct ForgetPage {
    /// The frame around the page.
    pub layout: Layout,
    /// Where the form posts.
    pub action: &'static str,
    /// The session's CSRF token.
    pub csrf: String,
    /// The address to forget.
    pub address: String,
    /// Back to the address's page.
    pub back: String,
    /// Why the erasure was refused, when it was.
    pub refusal: Option<String>,
    /// Whether pseudonyms are keyed with the public development key.
    pub development_key: bool,
}

impl ForgetPage {
    /// The confirmation for `address`, with `refusal` when the erasure was refused.
    fn new(
        state: &StaffState,
        staff: &Staff,
        address: &RecipientAddress,
        refusal: Option<String>,
    ) -> ForgetPage {
        let mut errors = ErrorSummary::default();
        if let Some(refusal) = &refusal {
            errors.push("forget", refusal.clone());
        }
        ForgetPage {
            layout: staff.layout("forget-title").with_errors(errors),
            action: FORGET_PATH,
            csrf: staff.csrf.clone(),
            address: address.as_str().to_owned(),
            back: address_href(address),
            refusal,
            development_key: state
                .ctx
                .config
                .tokens
                .keyring()
                .map(|k| k.is_development())
                .unwrap_or(false),
        }
    }
}

/// The search page saying why `written` is not an address (400).
async fn not_an_address(
    state: &StaffState,
    staff: &Staff,
    written: &str,
    why: String,
) -> Result<Response, Denied> {
    let search = Search {
        text: written.to_owned(),
        offset: 0,
    };
    let page = SearchPage::build(state, staff, &search, Some(why)).await?;
    Ok(render(StatusCode::BAD_REQUEST, &page))
}

/// `GET /staff/directory/forget?address=…`: the confirmation.
pub async fn confirm(
    State(state): State<StaffState>,
    staff: Staff,
    RawQuery(query): RawQuery,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    let query = Posted::parse(query.unwrap_or_default().as_bytes());
    let written = query.get("address").unwrap_or_default().trim();
    match RecipientAddress::parse(written) {
        Ok(address) => Ok(render(
            StatusCode::OK,
            &ForgetPage::new(&state, &staff, &address, None),
        )),
        Err(e) => not_an_address(&state, &staff, written, e.to_string()).await,
    }
}

/// `POST /staff/directory/forget`: the person forgotten, then the directory saying under
/// which pseudonym; the confirmation again with the store's words while deliveries to the
/// address are in flight (409).
pub async fn submit(
    State(state): State<StaffState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, Denied> {
    staff.require(Role::Admin)?;
    let form = Posted::parse(&body);
    staff.check_csrf(form.get("csrf"))?;
    let written = form.get("address").unwrap_or_default().trim();
    let address = match RecipientAddress::parse(written) {
        Ok(address) => address,
        Err(e) => return not_an_address(&state, &staff, written, e.to_string()).await,
    };
    let keyring = state
        .ctx
        .config
        .tokens
        .keyring()
        .map_err(|e| failed(&staff.page, "reading the token keys", &e))?;
    match personal::forget(&state.ctx.store, &keyring, &address, &page_actor(&staff)).await {
        Ok((pseudonym, summary)) => {
            tracing::info!(staff = %staff.actor.name(), %pseudonym, ?summary, "a person forgotten from a page");
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("forgotten", pseudonym.as_str())
                .finish();
            Ok(see_other(&format!("{DIRECTORY_PATH}?{query}")))
        }
        Err(e @ StoreError::InFlight { .. }) => Ok(render(
            StatusCode::CONFLICT,
            &ForgetPage::new(&state, &staff, &address, Some(e.to_string())),
        )),
        Err(e) => Err(failed(&staff.page, "forgetting a person", &e)),
    }
}
