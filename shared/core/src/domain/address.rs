//! Recipient e-mail addresses and their normalised form, the second half of every delivery key.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not an acceptable recipient address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// There is no `@`, or more than one outside a quoted local part.
    #[error("'{0}' is not an e-mail address: it needs exactly one '@'")]
    NotOneAt(String),
    /// The part before `@` is empty, too long or has characters mail servers refuse.
    #[error("'{address}' has an invalid local part: {why}")]
    LocalPart {
        /// The address as given.
        address: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The part after `@` is not a valid (internationalised) domain name.
    #[error("'{address}' has an invalid domain: {why}")]
    Domain {
        /// The address as given.
        address: String,
        /// What is wrong with it.
        why: &'static str,
    },
}

/// A recipient's address, validated, in the normalised form used as the delivery key:
/// the domain lower-cased and IDNA-encoded (`xn--…`), the local part kept exactly as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecipientAddress(String);

/// Characters RFC 5322 allows in an unquoted (dot-atom) local part besides letters and digits.
const ATEXT_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";

impl RecipientAddress {
    /// The address as a page or a log line may show it: the first character of the local
    /// part, `***`, and the domain (`a***@example.org`).
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }

    /// Parses and normalises an address as written in a directory file or on the command line.
    pub fn parse(written: &str) -> Result<Self, AddressError> {
        let (local, domain) = match written.rsplit_once('@') {
            Some((l, d)) if !l.contains('@') => (l, d),
            _ => return Err(AddressError::NotOneAt(written.to_owned())),
        };
        let local_err = |why| AddressError::LocalPart {
            address: written.to_owned(),
            why,
        };
        if local.is_empty() {
            return Err(local_err("it is empty"));
        }
        if local.len() > 64 {
            return Err(local_err("it is longer than 64 octets"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(local_err(
                "a dot may not start or end it, nor follow another dot",
            ));
        }
        // RFC 6531 adds every non-ASCII character to the atext of RFC 5322 (mail to such an
        // address needs a relay offering SMTPUTF8); controls and spaces stay out.
        if !local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || c == '.'
                || ATEXT_SPECIALS.contains(c)
                || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
        }) {
            return Err(local_err(
                "only letters, digits and !#$%&'*+-/=?^_`{|}~. are accepted (no spaces, quotes \
                 or controls)",
            ));
        }
        let domain_err = |why| AddressError::Domain {
            address: written.to_owned(),
            why,
        };
        if domain.is_empty() {
            return Err(domain_err("it is empty"));
        }
        let ascii = idna::domain_to_ascii(domain)
            .map_err(|_| domain_err("it is not a valid internationalised domain name"))?;
        if ascii.len() > 253 {
            return Err(domain_err("it is longer than 253 octets"));
        }
        let labels: Vec<&str> = ascii.split('.').collect();
        if labels.len() < 2 {
            return Err(domain_err("it needs at least two labels (name.tld)"));
        }
        for label in &labels {
            if label.is_empty() || label.len() > 63 {
                return Err(domain_err("each label must have 1 to 63 characters"));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(domain_err("a label may not start or end with '-'"));
            }
            if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(domain_err("labels hold only letters, digits and '-'"));
            }
        }
        Ok(RecipientAddress(format!("{local}@{ascii}")))
    }

    /// The normalised address, as sent in `RCPT TO` and used in delivery keys.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the local part has characters beyond ASCII (RFC 6531): mail to it needs a relay
    /// that offers SMTPUTF8.
    pub fn is_internationalised(&self) -> bool {
        !self.0.is_ascii()
    }

    /// The part after the `@`, already lower-case ASCII.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl fmt::Display for RecipientAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RecipientAddress {
    type Error = AddressError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        RecipientAddress::parse(&value)
    }
}

impl From<RecipientAddress> for String {
    fn from(value: RecipientAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(s: &str) -> String {
        RecipientAddress::parse(s)
            .map(|a| a.as_str().to_owned())
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn domain_is_lower_cased_and_local_part_kept_as_written() {
        assert_eq!(normalised("R.Lopez@Example.ORG"), "R.Lopez@example.org");
        assert_eq!(
            normalised("r.lopez@example.org"),
            "r.lopez@example.org",
            "a local part differing in case is another mailbox"
        );
    }

    #[test]
    fn internationalised_domains_are_idna_encoded() {
        assert_eq!(
            normalised("info@bücher.example"),
            "info@xn--bcher-kva.example"
        );
        assert_eq!(
            normalised("info@XN--BCHER-KVA.example"),
            "info@xn--bcher-kva.example"
        );
    }

    #[test]
    fn internationalised_local_parts_are_kept_as_written() {
        let a = RecipientAddress::parse("José.García@Correo.España.example").unwrap();
        assert_eq!(a.as_str(), "José.García@correo.xn--espaa-rta.example");
        assert!(a.is_internationalised());
        assert_eq!(normalised("用户@例子.广告"), "用户@xn--fsqu00a.xn--4rr70v");
        assert!(!RecipientAddress::parse("jose@example.org")
            .unwrap()
            .is_internationalised());
        let too_long = format!("{}@example.org", "é".repeat(33));
        assert!(
            RecipientAddress::parse(&too_long).is_err(),
            "64 octets, not characters"
        );
    }

    #[test]
    fn malformed_addresses_are_refused_with_the_reason() {
        for (bad, expected) in [
            ("no-at.example.org", "exactly one '@'"),
            ("@example.org", "local part: it is empty"),
            ("a..b@example.org", "dot"),
            ("a b@example.org", "only letters"),
            ("a\u{a0}b@example.org", "no spaces"),
            ("a\u{7}b@example.org", "controls"),
            ("someone@", "domain: it is empty"),
            ("someone@localhost", "two labels"),
            ("someone@-bad.example", "'-'"),
            ("someone@exa_mple.org", "invalid"),
        ] {
            let err = RecipientAddress::parse(bad).unwrap_err().to_string();
            assert!(err.contains(expected), "{bad}: {err}");
            assert!(err.contains(bad), "the error names the address: {err}");
        }
    }

    #[test]
    fn serde_round_trip_validates() {
        let a: RecipientAddress = serde_json::from_str("\"x@Example.net\"").unwrap();
        assert_eq!(a.as_str(), "x@example.net");
        assert!(serde_json::from_str::<RecipientAddress>("\"nope\"").is_err());
    }
}
