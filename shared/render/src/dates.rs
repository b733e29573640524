//! Dates of circulars as printed in each language (the date line, "of <date>" after a
//! reference), formatted with ICU4X's compiled CLDR data, and the Fluent function `DATE`.
//!
//! Every language uses ICU's long year-month-day date ([`YMD::long`]) in the Gregorian calendar,
//! in the locale [`date_locale`] picks. Month names and the order of day, month and year all
//! come from ICU; this module holds no month table. Three adjustments, all checked by the tests
//! against `wording.md` §2, §9 and §10:
//!
//! - **Russian**: ICU's long pattern is CLDR's `d MMMM y 'г'.` ("12 марта 2025 г.", with a
//!   narrow no-break space before "г."), and no ICU length or field set gives "года". ITU
//!   circulars write "12 марта 2025 года" and keep "г." for citations, so [`format_date`]
//!   replaces that trailing "г." with "года" (in `russian_year_word`).
//! - **French**: CLDR writes the first day of a month as "1" ("1 janvier 2025"); French writes
//!   it as the ordinal "1er" ("Genève, le 1er janvier 2025", wording.md §10), so the day of a
//!   first of the month becomes "1er" (in `french_first_day`). Other days stay cardinal.
//! - **Arabic**: the locale is `ar-u-nu-latn` so the digits are Western ("12 مارس 2025"), as in
//!   ITU's Arabic documents; ICU's month names for `ar` are the standard set (مارس, ديسمبر).
//!   The long Arabic date from ICU holds no direction marks today (its numeric medium and short
//!   patterns do hold U+200F), but any invisible direction mark (U+200E, U+200F, U+061C) is
//!   stripped from every language's date so the plain text stays clean; the date's direction is
//!   left to the templates (Fluent's bidi isolation around placeables).
//!
//! A formatter is built on each call (about a hundred microseconds in a debug build): ICU4X
//! formatters are neither `Send` nor `Sync` without icu's `sync` feature, so they cannot sit in
//! a `static` or in the Fluent function, which fluent-bundle's concurrent bundle requires to
//! be `Send + Sync`.

use chrono::{Datelike, NaiveDate};
use circulars_core::domain::Language;
use fluent_bundle::{FluentArgs, FluentValue};
use icu_calendar::error::RangeError;
use icu_calendar::{Date, Gregorian};
use icu_datetime::fieldsets::YMD;
use icu_datetime::{DateTimeFormatterLoadError, FixedCalendarDateTimeFormatter};
use icu_locale::{locale, Locale};
use tracing::warn;

/// Why a date could not be formatted.
#[derive(Debug, thiserror::Error)]
pub enum DateError {
    /// ICU's calendar cannot hold the date (ICU takes the years -9999..=9999 only).
    #[error("the date {date} cannot be formatted in {language}: {source}")]
    OutOfRange {
        /// The date asked for.
        date: NaiveDate,
        /// The language it was asked in.
        language: Language,
        /// ICU's reason.
        #[source]
        source: RangeError,
    },
    /// ICU has no long date formatter for the language's locale in its compiled data.
    #[error("no ICU date formatter for {language} to format {date}: {source}")]
    Formatter {
        /// The date asked for.
        date: NaiveDate,
        /// The language it was asked in.
        language: Language,
        /// ICU's reason.
        #[source]
        source: DateTimeFormatterLoadError,
    },
}

/// The locale whose date pattern a language's circulars use (en → en-GB, not en-US, …).
///
/// Arabic asks for the Latin numbering system (`ar-u-nu-latn`): ITU's Arabic documents write
/// dates with Western digits ("15 ديسمبر 2016").
pub fn date_locale(language: Language) -> Locale {
    match language {
        Language::Ar => locale!("ar-u-nu-latn"),
        Language::Zh => locale!("zh-Hans"),
        Language::En => locale!("en-GB"),
        Language::Fr => locale!("fr"),
        Language::Ru => locale!("ru"),
        Language::Es => locale!("es"),
    }
}

/// The date as printed in a circular's date line in `language`, e.g. "12 March 2025".
///
/// The six forms of 2025-03-12: ar "12 مارس 2025", zh "2025年3月12日", en "12 March 2025",
/// fr "12 mars 2025" (the template adds "le"), ru "12 марта 2025 года", es "12 de marzo de 2025".
pub fn format_date(language: Language, date: NaiveDate) -> Result<String, DateError> {
    // chrono guarantees 1..=12 and 1..=31, so the narrowing casts are lossless.
    let icu_date = Date::try_new_gregorian(date.year(), date.month() as u8, date.day() as u8)
        .map_err(|source| DateError::OutOfRange {
            date,
            language,
            source,
        })?;
    let formatter = FixedCalendarDateTimeFormatter::<Gregorian, YMD>::try_new(
        date_locale(language).into(),
        YMD::long(),
    )
    .map_err(|source| DateError::Formatter {
        date,
        language,
        source,
    })?;
    let text = strip_direction_marks(&formatter.format(&icu_date).to_string());
    Ok(match language {
        Language::Ru => russian_year_word(text),
        Language::Fr if date.day() == 1 => french_first_day(text),
        _ => text,
    })
}

/// A Fluent function `DATE($date)` taking an ISO date string ("2025-03-12"), formatted for the
/// bundle's language with [`format_date`]; the caller registers it with
/// `bundle.add_function("DATE", date_function(language))`.
///
/// Named arguments are ignored. On a bad argument (none, more than one, not a string, not an
/// ISO `YYYY-MM-DD` date, or a date ICU cannot format) the function logs a warning naming the
/// problem and returns [`FluentValue::Error`], as Fluent's own `NUMBER` does; fluent-bundle
/// then prints the placeable as `DATE()` (e.g. "Genève, le DATE()") and adds nothing to the
/// formatting errors, so a broken date is visible in the text rather than silently empty.
pub fn date_function(
    language: Language,
) -> impl for<'a> Fn(&[FluentValue<'a>], &FluentArgs<'_>) -> FluentValue<'a> + Send + Sync + 'static
{
    move |positional, _named| {
        let [FluentValue::String(iso)] = positional else {
            warn!(
                %language,
                arguments = ?positional,
                "DATE() takes one ISO date string, e.g. DATE($date) with $date = \"2025-03-12\""
            );
            return FluentValue::Error;
        };
        let date = match iso.parse::<NaiveDate>() {
            Ok(date) => date,
            Err(e) => {
                warn!(%language, argument = %iso, "DATE(): not an ISO date (YYYY-MM-DD): {e}");
                return FluentValue::Error;
            }
        };
        match format_date(language, date) {
            Ok(text) => FluentValue::from(text),
            Err(e) => {
                warn!(%language, argument = %iso, "DATE(): {e}");
                FluentValue::Error
            }
        }
    }
}

/// The invisible direction marks ICU may put in a formatted date: LEFT-TO-RIGHT MARK,
/// RIGHT-TO-LEFT MARK and ARABIC LETTER MARK.
const DIRECTION_MARKS: [char; 3] = ['\u{200E}', '\u{200F}', '\u{061C}'];

/// `text` without [`DIRECTION_MARKS`].
fn strip_direction_marks(text: &str) -> String {
    text.chars()
        .filter(|c| !DIRECTION_MARKS.contains(c))
        .collect()
}

/// The end of ICU's long Russian date: a narrow no-break space and "г." (CLDR `'г'.`).
const RUSSIAN_YEAR_ABBREVIATION: &str = "\u{202F}г.";

/// What ITU's Russian circulars write after the year (wording.md §9: "16 января 2019 года").
const RUSSIAN_YEAR_WORD: &str = " года";

/// ICU's "12 марта 2025 г." becomes "12 марта 2025 года". If a future ICU no longer ends in
/// "г.", its text is kept as is (the tests will tell).
fn russian_year_word(text: String) -> String {
    match text.strip_suffix(RUSSIAN_YEAR_ABBREVIATION) {
        Some(day_month_year) => format!("{day_month_year}{RUSSIAN_YEAR_WORD}"),
        None => text,
    }
}

/// ICU's French day "1" (before the month) as the ordinal "1er": "1 janvier 2025" becomes
/// "1er janvier 2025". Called for the first of a month only; if ICU's text does not start with
/// "1" and a space, it is kept as is (the tests will tell).
fn french_first_day(text: String) -> String {
    match text.strip_prefix('1') {
        Some(rest) if rest.starts_with(char::is_whitespace) => format!("1er{rest}"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_bundle::concurrent::FluentBundle;
    use fluent_bundle::FluentResource;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn dates_12_march_2025_in_six_languages() {
        let expected = [
            (Language::Ar, "12 مارس 2025"),
            (Language::Zh, "2025年3月12日"),
            (Language::En, "12 March 2025"),
            (Language::Fr, "12 mars 2025"),
            (Language::Ru, "12 марта 2025 года"),
            (Language::Es, "12 de marzo de 2025"),
        ];
        for (language, text) in expected {
            assert_eq!(
                format_date(language, ymd(2025, 3, 12)).expect("formats"),
                text,
                "{language}"
            );
        }
    }

    #[test]
    fn dates_15_december_2016_in_six_languages() {
        let expected = [
            (Language::Ar, "15 ديسمبر 2016"),
            (Language::Zh, "2016年12月15日"),
            (Language::En, "15 December 2016"),
            (Language::Fr, "15 décembre 2016"),
            (Language::Ru, "15 декабря 2016 года"),
            (Language::Es, "15 de diciembre de 2016"),
        ];
        for (language, text) in expected {
            assert_eq!(
                format_date(language, ymd(2016, 12, 15)).expect("formats"),
                text,
                "{language}"
            );
        }
    }

    #[test]
    fn dates_single_digit_day_has_no_leading_zero() {
        assert_eq!(
            format_date(Language::Ar, ymd(2014, 9, 4)).expect("formats"),
            "4 سبتمبر 2014"
        );
        assert_eq!(
            format_date(Language::Ru, ymd(2019, 1, 16)).expect("formats"),
            "16 января 2019 года"
        );
        assert_eq!(
            format_date(Language::Fr, ymd(1995, 10, 16)).expect("formats"),
            "16 octobre 1995"
        );
    }

    #[test]
    fn dates_outputs_hold_only_plain_spaces_and_no_direction_marks() {
        for language in Language::ALL {
            let text = format_date(language, ymd(2025, 3, 12)).expect("formats");
            assert!(
                !text
                    .chars()
                    .any(|c| DIRECTION_MARKS.contains(&c) || (c.is_whitespace() && c != ' ')),
                "{language}: {:?}",
                text.chars()
                    .map(|c| format!("U+{:04X}", c as u32))
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn dates_french_first_of_the_month_is_1er() {
        assert_eq!(
            format_date(Language::Fr, ymd(2025, 1, 1)).expect("formats"),
            "1er janvier 2025"
        );
        assert_eq!(
            format_date(Language::Fr, ymd(2025, 3, 11)).expect("formats"),
            "11 mars 2025",
            "only the first: 11 stays cardinal"
        );
        assert_eq!(
            format_date(Language::Fr, ymd(2025, 3, 21)).expect("formats"),
            "21 mars 2025"
        );
        // Other languages keep the cardinal (wording.md §2: "1 يناير 2018", "1 ноября 2011 года").
        assert_eq!(
            format_date(Language::En, ymd(2025, 1, 1)).expect("formats"),
            "1 January 2025"
        );
        assert_eq!(
            format_date(Language::Ru, ymd(2011, 11, 1)).expect("formats"),
            "1 ноября 2011 года"
        );
        assert_eq!(
            format_date(Language::Ar, ymd(2018, 1, 1)).expect("formats"),
            "1 يناير 2018"
        );
        assert_eq!(french_first_day("12 mars".to_owned()), "12 mars");
    }

    #[test]
    fn dates_direction_marks_are_stripped() {
        assert_eq!(
            strip_direction_marks("\u{200F}12\u{200E} مارس\u{061C} 2025"),
            "12 مارس 2025"
        );
    }

    #[test]
    fn dates_russian_year_word_replaces_only_the_trailing_abbreviation() {
        assert_eq!(
            russian_year_word("12 марта 2025\u{202F}г.".to_owned()),
            "12 марта 2025 года"
        );
        assert_eq!(
            russian_year_word("12 марта 2025".to_owned()),
            "12 марта 2025"
        );
    }

    #[test]
    fn dates_out_of_icu_range_is_an_error_naming_date_and_language() {
        // ICU's calendars take the years -9999..=9999; chrono goes further.
        let error = format_date(Language::Ru, ymd(10000, 1, 1)).expect_err("out of range");
        assert!(matches!(error, DateError::OutOfRange { .. }), "{error:?}");
        let message = error.to_string();
        assert!(
            message.contains("+10000-01-01") && message.contains("ru"),
            "{message}"
        );
    }

    #[test]
    fn dates_locales() {
        assert_eq!(date_locale(Language::En).to_string(), "en-GB");
        assert_eq!(date_locale(Language::Ar).to_string(), "ar-u-nu-latn");
    }

    fn french_bundle() -> FluentBundle<FluentResource> {
        let resource = FluentResource::try_new("line = Genève, le { DATE($date) }\n".to_owned())
            .expect("parses");
        let mut bundle =
            FluentBundle::new_concurrent(vec!["fr".parse().expect("language identifier")]);
        bundle.set_use_isolating(false);
        bundle.add_resource(resource).expect("adds");
        bundle
            .add_function("DATE", date_function(Language::Fr))
            .expect("registers");
        bundle
    }

    fn line(bundle: &FluentBundle<FluentResource>, date: FluentValue<'_>) -> (String, usize) {
        let mut args = FluentArgs::new();
        args.set("date", date);
        let pattern = bundle
            .get_message("line")
            .and_then(|m| m.value())
            .expect("message");
        let mut errors = vec![];
        let text = bundle
            .format_pattern(pattern, Some(&args), &mut errors)
            .into_owned();
        (text, errors.len())
    }

    #[test]
    fn dates_fluent_function_formats_iso_date() {
        let bundle = french_bundle();
        assert_eq!(
            line(&bundle, "2025-03-12".into()),
            ("Genève, le 12 mars 2025".to_owned(), 0)
        );
    }

    #[test]
    fn dates_fluent_function_writes_the_french_first_as_1er() {
        let bundle = french_bundle();
        assert_eq!(
            line(&bundle, "2025-01-01".into()),
            ("Genève, le 1er janvier 2025".to_owned(), 0)
        );
    }

    #[test]
    fn dates_fluent_function_bad_argument_prints_date_call() {
        let bundle = french_bundle();
        for bad in [
            FluentValue::from("2025-13-45"),
            FluentValue::from("12 March 2025"),
            FluentValue::from(20250312),
        ] {
            assert_eq!(line(&bundle, bad), ("Genève, le DATE()".to_owned(), 0));
        }
    }

    #[test]
    fn dates_fluent_function_bad_argument_is_fluent_error() {
        let date = date_function(Language::En);
        let none = FluentArgs::new();
        assert!(matches!(
            date(&["not a date".into()], &none),
            FluentValue::Error
        ));
        assert!(matches!(date(&[], &none), FluentValue::Error));
        assert!(matches!(
            date(&["2025-03-12".into(), "2025-03-13".into()], &none),
            FluentValue::Error
        ));
        assert_eq!(
            date(&["2016-12-15".into()], &none),
            FluentValue::from("15 December 2016")
        );
    }
}
