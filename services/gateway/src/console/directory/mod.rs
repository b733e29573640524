//! The directory's pages: admins search it, read what is held about an address, import a CSV
//! file (a dry run first) and forget a person; operators may search and explain. Every page
//! calls the library function the CLI calls (`circulars_contacts`), so the checks and the
//! words are the same.
//!
//! - [`search`]: `GET /staff/directory?q=`: contacts by address, name, addressee key or name
//! - [`address`]: `GET /staff/directory/address?address=&circular=`: the personal report and
//!   its audit trail (admins), and why the address is or is not on a circular's list
//! - [`import`]: `GET`/`POST /staff/directory/import`: a CSV file uploaded, checked as
//!   `circulars directory import` checks it, its report or its problems shown
//! - [`forget`]: `GET`/`POST /staff/directory/forget`: a confirmation, then the erasure
//!
//! Templates: `templates/directory/{search,address,import,forget}.html`.

pub mod address;
pub mod forget;
pub mod import;
pub mod search;

use super::staff::{render_failure, Denied, PageRoute, Staff, DIRECTORY_PATH};
use super::PageContext;
use circulars_core::domain::{RecipientAddress, Role};

/// Where the page about one address is.
pub const ADDRESS_PATH: &str = "/staff/directory/address";
/// Where a directory file is uploaded.
pub const IMPORT_PATH: &str = "/staff/directory/import";
/// Where a person is forgotten.
pub const FORGET_PATH: &str = "/staff/directory/forget";

/// The directory's pages. Searching and the address's page are open to admins and operators
/// (each checks [`require_reader`]); the rest is admins'.
pub fn routes() -> Vec<PageRoute> {
    let admin = Some(Role::Admin);
    vec![
        PageRoute::get(DIRECTORY_PATH, admin, search::page).or_role(Role::Operator),
        PageRoute::get(ADDRESS_PATH, admin, address::page).or_role(Role::Operator),
        PageRoute::get(IMPORT_PATH, Some(Role::Admin), import::form),
        PageRoute::post(IMPORT_PATH, Some(Role::Admin), import::submit),
        PageRoute::get(FORGET_PATH, Some(Role::Admin), forget::confirm),
        PageRoute::post(FORGET_PATH, Some(Role::Admin), forget::submit),
    ]
}

/// `Ok` for an admin or an operator (who reads everything), else the 403 page saying so.
pub fn require_reader(staff: &Staff) -> Result<(), Denied> {
    staff.require_either(Role::Admin, Some(Role::Operator))
}

/// The 500 page for a failure of `what`, logged with its cause.
pub fn failed(page: &PageContext, what: &str, cause: &dyn std::fmt::Display) -> Denied {
    tracing::error!(%cause, "{what} failed");
    Denied::from(render_failure(page))
}

/// Who the directory's audit trail records for an action on a page: `page (by ana)`, as the
/// CLI records `cli (by <user>)` and the API `api (by ana)`.
pub fn page_actor(staff: &Staff) -> String {
    format!("page (by {})", staff.actor.name())
}

/// The address page's link for `address`.
pub fn address_href(address: &RecipientAddress) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("address", address.as_str())
        .finish();
    format!("{ADDRESS_PATH}?{query}")
}

/// A point in time as the pages show it (`2026-12-05 14:03 UTC`).
pub fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_link_escapes_what_a_query_must() {
        let address = RecipientAddress::parse("a+b&c@Example.ORG").unwrap();
        assert_eq!(
            address_href(&address),
            "/staff/directory/address?address=a%2Bb%26c%40example.org"
        );
    }
}
