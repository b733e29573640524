//! The value of each field of a directory record checked on its own: names and roles, languages,
//! categories, topic choices and addresses; each problem in words, several at once where a
//! field has several.

use super::sort_categories;
use circulars_core::domain::{
    Addressee, AddresseeKey, Category, Language, RecipientAddress, TopicId,
};
use circulars_store::ContactStatus;
use email_address::EmailAddress;

/// One problem, as the checks return them.
pub(super) fn one(e: impl ToString) -> Vec<String> {
    vec![e.to_string()]
}

/// An addressee's key.
pub(super) fn addressee_key(s: &str) -> Result<AddresseeKey, Vec<String>> {
    if s.is_empty() {
        return Err(vec!["is empty".into()]);
    }
    AddresseeKey::parse(s).map_err(one)
}

/// An addressee's name, on one line.
pub(super) fn addressee_name(s: &str) -> Result<Addressee, Vec<String>> {
    text(s, true).and_then(|s| Addressee::parse(&s).map_err(one))
}

/// A contact's status: `active`, `inactive` or `unsubscribed`.
pub(super) fn status(s: &str) -> Result<ContactStatus, Vec<String>> {
    if s.is_empty() {
        Err(vec![
            "is empty: write active, inactive or unsubscribed".into()
        ])
    } else {
        s.parse::<ContactStatus>().map_err(|e| vec![e])
    }
}

/// An optional language: empty, or one of the six.
pub(super) fn optional_language(s: &str) -> Result<Option<Language>, Vec<String>> {
    if s.is_empty() {
        Ok(None)
    } else {
        s.parse().map(Some).map_err(one)
    }
}

/// Free text: a name or a role, on one line.
pub(super) fn text(s: &str, required: bool) -> Result<String, Vec<String>> {
    if required && s.is_empty() {
        Err(one("is empty"))
    } else if s.chars().any(char::is_control) {
        Err(one(format!(
            "'{}' holds a line break or another control character",
            s.escape_debug()
        )))
    } else {
        Ok(s.to_owned())
    }
}

/// One or more known categories, separated by `;`, each once; sorted as in a "To" list.
pub(super) fn parse_categories(s: &str, custom: &[Category]) -> Result<Vec<Category>, Vec<String>> {
    let mut categories = Vec::new();
    let mut whys = Vec::new();
    for id in s.split(';').map(str::trim).filter(|id| !id.is_empty()) {
        match Category::known(id, custom) {
            Ok(c) if categories.contains(&c) => whys.push(format!("'{c}' is listed twice")),
            Ok(c) => categories.push(c),
            Err(e) => whys.push(e.to_string()),
        }
    }
    if categories.is_empty() && whys.is_empty() {
        whys.push("is empty: name at least one category, separated by ';'".into());
    }
    if !whys.is_empty() {
        return Err(whys);
    }
    sort_categories(&mut categories);
    Ok(categories)
}

/// Topic choices separated by `;`: `topic` opts in, `-topic` opts out; each existing topic at
/// most once; sorted by topic.
pub(super) fn parse_topics(
    s: &str,
    known: &[TopicId],
) -> Result<Vec<(TopicId, bool)>, Vec<String>> {
    let mut topics: Vec<(TopicId, bool)> = Vec::new();
    let mut whys = Vec::new();
    for item in s.split(';').map(str::trim).filter(|t| !t.is_empty()) {
        let (id, subscribed) = match item.strip_prefix('-') {
            Some(id) => (id.trim(), false),
            None => (item, true),
        };
        match TopicId::parse(id) {
            Err(e) => whys.push(e.to_string()),
            Ok(t) if !known.contains(&t) => whys.push(if known.is_empty() {
                format!("unknown topic '{t}' (the directory has no topics yet)")
            } else {
                format!(
                    "unknown topic '{t}' (known: {})",
                    known
                        .iter()
                        .map(TopicId::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
            Ok(t) if topics.iter().any(|(seen, _)| *seen == t) => {
                whys.push(format!("topic '{t}' is listed twice"))
            }
            Ok(t) => topics.push((t, subscribed)),
        }
    }
    if !whys.is_empty() {
        return Err(whys);
    }
    topics.sort();
    Ok(topics)
}

/// An address both RFC 5321/5322 (with RFC 6531's internationalised addresses) and the
/// delivery key accept, normalised.
pub(super) fn parse_address(s: &str) -> Result<RecipientAddress, Vec<String>> {
    if s.is_empty() {
        return Err(one("is empty"));
    }
    let options = email_address::Options::default()
        .without_display_text()
        .without_domain_literal()
        .with_required_tld();
    if let Err(e) = EmailAddress::parse_with_options(s, options) {
        return Err(one(format!(
            "'{s}' is not an e-mail address: {}",
            address_reason(e)
        )));
    }
    RecipientAddress::parse(s).map_err(one)
}

/// What `email_address` found wrong with an address, in words.
fn address_reason(e: email_address::Error) -> &'static str {
    use email_address::Error as E;
    match e {
        E::InvalidCharacter => "it holds a character not allowed where it is",
        E::MissingSeparator => "it needs an '@'",
        E::LocalPartEmpty => "the part before '@' is empty",
        E::LocalPartTooLong => "the part before '@' is longer than 64 octets",
        E::DomainEmpty => "the domain is empty",
        E::DomainTooLong => "the domain is longer than 254 octets",
        E::SubDomainEmpty => "the domain has an empty label (two dots in a row?)",
        E::SubDomainTooLong => "a label of the domain is longer than 63 octets",
        E::DomainTooFew => "the domain needs at least two labels (name.tld)",
        E::DomainInvalidSeparator => "a dot is misplaced in the domain",
        E::UnbalancedQuotes => "the quotes around the part before '@' are unbalanced",
        E::InvalidComment => "it holds a malformed comment",
        E::InvalidIPAddress | E::UnsupportedDomainLiteral => {
            "an IP address in brackets is not accepted: give a domain name"
        }
        E::UnsupportedDisplayName | E::MissingDisplayName | E::MissingEndBracket => {
            "write the bare address, without a name or '<…>'"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::testing::{assert_reports, parse, HEADER};

    #[test]
    fn internationalised_domains_are_accepted_and_bad_addresses_explained() {
        let csv = format!(
            "{HEADER}a,A,,academia,info@例子.广告,A,,,active,\n\
             b,B,,academia,Li Wei <li@example.org>,B,,,active,\n\
             c,C,,academia,li@[192.0.2.1],C,,,active,\n\
             d,D,,academia,li..wei@example.org,D,,,active,\n"
        );
        assert_reports(
            csv,
            &[
                "d.csv:3:5: address: 'Li Wei <li@example.org>' is not an e-mail address: write the bare address",
                "d.csv:4:5: address: 'li@[192.0.2.1]' is not an e-mail address: an IP address in brackets",
                "d.csv:5:5: address: 'li..wei@example.org' is not an e-mail address",
            ],
        );
        let good = format!("{HEADER}a,A,,academia,info@例子.广告,A,,,active,\n");
        assert_eq!(
            parse(&good).unwrap()[0].address.as_str(),
            "info@xn--fsqu00a.xn--4rr70v"
        );
    }

    #[test]
    fn internationalised_local_parts_pass_the_rfc_6531_check() {
        let options = email_address::Options::default()
            .without_display_text()
            .without_domain_literal()
            .with_required_tld();
        for address in ["用户@例子.广告", "josé@exämple.org"] {
            assert!(
                EmailAddress::parse_with_options(address, options).is_ok(),
                "{address}"
            );
        }
    }
}
