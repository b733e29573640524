//! The six official languages of the United Nations, the only languages a circular is written in.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One of the six official UN languages, named by its ISO 639-1 code on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Arabic, written right to left.
    Ar,
    /// Chinese (simplified script).
    Zh,
    /// English.
    En,
    /// French.
    Fr,
    /// Russian.
    Ru,
    /// Spanish.
    Es,
}

impl Language {
    /// All six, in the UN's alphabetical order of their English names' codes (ar, zh, en, fr, ru, es).
    pub const ALL: [Language; 6] = [
        Language::Ar,
        Language::Zh,
        Language::En,
        Language::Fr,
        Language::Ru,
        Language::Es,
    ];

    /// The ISO 639-1 code used in files, headers and on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Language::Ar => "ar",
            Language::Zh => "zh",
            Language::En => "en",
            Language::Fr => "fr",
            Language::Ru => "ru",
            Language::Es => "es",
        }
    }

    /// Whether the language is written right to left (Arabic).
    pub fn is_right_to_left(self) -> bool {
        self == Language::Ar
    }

    /// The language's name in itself, as a language switch shows it (`Français`).
    pub fn native_name(self) -> &'static str {
        match self {
            Language::Ar => "العربية",
            Language::Zh => "中文",
            Language::En => "English",
            Language::Fr => "Français",
            Language::Ru => "Русский",
            Language::Es => "Español",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text given is not one of the six language codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not one of the six languages (ar, zh, en, fr, ru, es)")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::ALL
            .into_iter()
            .find(|l| l.code() == s)
            .ok_or_else(|| UnknownLanguage(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_to_its_language() {
        for language in Language::ALL {
            assert_eq!(language.code().parse::<Language>(), Ok(language));
        }
    }

    #[test]
    fn other_codes_are_refused_by_name() {
        let err = "de".parse::<Language>().unwrap_err();
        assert!(err.to_string().contains("'de'"));
        assert!("EN".parse::<Language>().is_err());
    }

    #[test]
    fn only_arabic_is_right_to_left() {
        let rtl: Vec<_> = Language::ALL
            .into_iter()
            .filter(|l| l.is_right_to_left())
            .collect();
        assert_eq!(rtl, vec![Language::Ar]);
    }
}
