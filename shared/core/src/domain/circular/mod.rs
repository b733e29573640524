//! A circular: its designation, reference, date, contact, addressee categories and its text in
//! each of the six languages. Its loader from the circular files staff write (TOML) is in
//! `loader`.

mod loader;

use super::{Category, Language, TopicId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A circular's identifier, its series and number (`TSB-36`); also a NATS subject token.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CircularId(String);

/// The text is not a circular id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a circular id: expected SERIES-NUMBER such as TSB-36 (letters, digits, one '-')"
)]
pub struct BadCircularId(pub String);

impl CircularId {
    /// The id of circular `number` of `series`.
    pub fn new(series: &str, number: u32) -> Result<Self, BadCircularId> {
        format!("{series}-{number}").parse()
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CircularId {
    type Err = BadCircularId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = s.len() <= 40
            && s.split_once('-').is_some_and(|(series, number)| {
                !series.is_empty()
                    && series
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                    && !number.is_empty()
                    && number.chars().all(|c| c.is_ascii_digit())
            });
        if ok {
            Ok(CircularId(s.to_owned()))
        } else {
            Err(BadCircularId(s.to_owned()))
        }
    }
}

impl fmt::Display for CircularId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CircularId {
    type Error = BadCircularId;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<CircularId> for String {
    fn from(value: CircularId) -> Self {
        value.0
    }
}

/// The person recipients may contact about the circular.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Full name, as printed in the contact block.
    pub name: String,
    /// Telephone number, as printed.
    pub tel: Option<String>,
    /// Fax number, as printed.
    pub fax: Option<String>,
    /// E-mail address, as printed (and later the `Reply-To`).
    pub email: String,
}

/// The parts of a circular that differ by language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageText {
    /// The reference line in this language, when it differs from the circular's default.
    pub reference: Option<String>,
    /// The subject, one line.
    pub subject: String,
    /// The body, paragraphs separated by blank lines.
    pub body: String,
    /// The signatory's name as this language writes it (`李在摄`, `شاسوب لي`), when it differs
    /// from the common form in [`Circular::signatory`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatory: Option<String>,
    /// The contact's name as this language writes it, when it differs from [`Contact::name`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
}

/// A circular as drafted by the secretariat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Circular {
    /// `SERIES-NUMBER`, e.g. `TSB-36`.
    pub id: CircularId,
    /// The issuing series (`TSB`).
    pub series: String,
    /// The number within the series.
    pub number: u32,
    /// The default reference line (`TSB Events/FW`).
    pub reference: String,
    /// The date printed on the circular.
    pub date: NaiveDate,
    /// The contact block.
    pub contact: Contact,
    /// The addressee categories, in the order of the standard "To" list.
    pub categories: Vec<Category>,
    /// The categories that receive a copy ("Copy:" list), in list order; never also in `categories`.
    #[serde(default)]
    pub copy: Vec<Category>,
    /// Who signs (printed above the signature title), e.g. the Director's name.
    #[serde(default)]
    pub signatory: Option<String>,
    /// The annexes' file names, in order (`annex1.pdf`); a language may have its own version
    /// (`annex1.fr.pdf`) beside the file.
    #[serde(default)]
    pub annexes: Vec<String>,
    /// The topic of an optional circular (recipients may opt out); none for an official one.
    #[serde(default)]
    pub topic: Option<TopicId>,
    /// The language of recipients whose contact and addressee name none.
    #[serde(default = "english")]
    pub fallback_language: Language,
    /// Whether the circular, once issued, is published in the public archive and its feeds
    /// (`archive = false` in the file withholds it); true by default.
    #[serde(default = "published")]
    pub archive: bool,
    /// The text in each of the six languages (all six are required).
    pub texts: BTreeMap<Language, LanguageText>,
}

fn english() -> Language {
    Language::En
}

fn published() -> bool {
    true
}

/// The categories and topics staff added to the directory, which a circular file may name
/// beside the standard categories.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryIds {
    /// Categories beyond the standard ones.
    pub custom_categories: Vec<Category>,
    /// Every topic.
    pub topics: Vec<TopicId>,
}

impl Circular {
    /// Every category that receives the circular: the addressees, then the copies.
    pub fn audience_categories(&self) -> Vec<Category> {
        self.categories.iter().chain(&self.copy).cloned().collect()
    }

    /// The text in `language`; every stored circular has all six.
    pub fn text(&self, language: Language) -> Option<&LanguageText> {
        self.texts.get(&language)
    }

    /// Who signs, as `language` writes the name: its own form, else the common one.
    pub fn signatory_in(&self, language: Language) -> Option<&str> {
        self.text(language)
            .and_then(|t| t.signatory.as_deref())
            .or(self.signatory.as_deref())
    }

    /// The contact's name as `language` writes it: its own form, else the common one.
    pub fn contact_name_in(&self, language: Language) -> &str {
        self.text(language)
            .and_then(|t| t.contact_name.as_deref())
            .unwrap_or(&self.contact.name)
    }

    /// The reference line in `language`.
    pub fn reference_in(&self, language: Language) -> &str {
        self.text(language)
            .and_then(|t| t.reference.as_deref())
            .unwrap_or(&self.reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circular_ids_are_series_dash_number() {
        assert!("TSB-36".parse::<CircularId>().is_ok());
        for bad in ["tsb-36", "TSB36", "TSB-", "-36", "TSB-3.6", "TSB-36-1"] {
            assert!(bad.parse::<CircularId>().is_err(), "{bad}");
        }
    }
}
