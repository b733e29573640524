//! The addresses and identifiers that name a delivery: the VERP envelope sender
//! (`bounce+<token>@…`), the mailto unsubscribe address (`unsubscribe+<token>@…`) and the
//! `Message-ID`; each made and read back.

use super::{DeliveryRef, Purpose, Token, TOKEN_LEN};
use crate::domain::DeliveryKey;

impl Purpose {
    /// The local-part prefix of the return addresses made for this purpose (`bounce+`).
    /// [`Purpose::Preferences`] and [`Purpose::PreferencesForm`] are only ever in a page or a
    /// link: their prefixes are never read back by [`parse_return_address`], so an address made
    /// with one reaches no one.
    pub fn address_prefix(self) -> &'static str {
        match self {
            Purpose::Bounce => "bounce+",
            Purpose::Unsubscribe => "unsubscribe+",
            Purpose::Preferences => "preferences+",
            Purpose::PreferencesForm => "preferences-form+",
        }
    }
}

/// `bounce+<token>@<domain>` or `unsubscribe+<token>@<domain>`: the VERP envelope sender of a
/// delivery and the mailto unsubscribe address of its `List-Unsubscribe`.
pub fn return_address(purpose: Purpose, token: &Token, domain: &str) -> String {
    format!("{}{token}@{domain}", purpose.address_prefix())
}

/// The purpose and token of an address that [`return_address`] could have made for `domain`
/// (the token not yet verified); `None` for any other address. Case is ignored, as mail
/// systems may change it.
pub fn parse_return_address(address: &str, domain: &str) -> Option<(Purpose, String)> {
    let (local, at) = address.trim().rsplit_once('@')?;
    if !at.eq_ignore_ascii_case(domain) {
        return None;
    }
    let local = local.to_ascii_lowercase();
    [Purpose::Bounce, Purpose::Unsubscribe]
        .into_iter()
        .find_map(|purpose| {
            let token = local.strip_prefix(purpose.address_prefix())?;
            (token.len() == TOKEN_LEN).then(|| (purpose, token.to_owned()))
        })
}

/// The `Message-ID` of a delivery, without angle brackets: `<circular>.<reference>@<domain>`,
/// the same for every attempt (so a receiver can recognise the one duplicate a crash may
/// cause), and naming the delivery, so a report quoting it can be matched when its envelope is
/// lost. It is not signed: it only matches reports that arrive without a VERP address.
pub fn message_id(delivery: &DeliveryKey, domain: &str) -> String {
    format!(
        "{}.{}@{domain}",
        delivery.circular,
        DeliveryRef::of(delivery).to_hex()
    )
}

/// The circular and reference in a `Message-ID` that [`message_id`] made for `domain`, with
/// or without angle brackets.
pub fn parse_message_id(message_id: &str, domain: &str) -> Option<(String, DeliveryRef)> {
    let id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let (left, at) = id.rsplit_once('@')?;
    if !at.eq_ignore_ascii_case(domain) {
        return None;
    }
    let (circular, reference) = left.rsplit_once('.')?;
    Some((circular.to_owned(), DeliveryRef::from_hex(reference)?))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::delivery;
    use super::super::Keyring;
    use super::*;

    #[test]
    fn return_addresses_and_message_ids_are_read_back() {
        let keys = Keyring::development();
        let token = keys.sign(&delivery(), Purpose::Bounce);
        let verp = return_address(Purpose::Bounce, &token, "circulars.itu.example");
        assert_eq!(
            parse_return_address(&verp.to_ascii_uppercase(), "Circulars.ITU.example"),
            Some((Purpose::Bounce, token.as_str().to_owned()))
        );
        assert_eq!(parse_return_address(&verp, "other.example"), None);
        let preferences = keys.sign(&delivery(), Purpose::Preferences);
        assert_eq!(
            parse_return_address(
                &return_address(Purpose::Preferences, &preferences, "circulars.itu.example"),
                "circulars.itu.example"
            ),
            None,
            "no mailbox reads a preferences token"
        );
        assert_eq!(
            parse_return_address(
                "bounce+short@circulars.itu.example",
                "circulars.itu.example"
            ),
            None
        );
        let id = message_id(&delivery(), "circulars.itu.example");
        assert_eq!(
            parse_message_id(&format!("<{id}>"), "circulars.itu.example"),
            Some(("TSB-36".to_owned(), DeliveryRef::of(&delivery())))
        );
        assert_eq!(parse_message_id(&id, "elsewhere.example"), None);
        assert_eq!(
            parse_message_id("TSB-36.zz@circulars.itu.example", "circulars.itu.example"),
            None
        );
    }
}
