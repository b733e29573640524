//! What the tests of the import share: a header, the directory's categories and topics, and
//! a file's records or problems.

use super::parse_records;
use circulars_core::domain::{Category, DirectoryIds, TopicId};
use circulars_core::input::FileProblems;
use circulars_store::DirectoryRecord;

/// The header of a directory file, with its line end.
pub(super) const HEADER: &str =
    "addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics\n";

/// The directory's categories and topics the files may name.
pub(super) fn known() -> DirectoryIds {
    DirectoryIds {
        custom_categories: vec![Category::parse("regional-offices").unwrap()],
        topics: vec![
            TopicId::parse("tsb-events").unwrap(),
            TopicId::parse("workshops").unwrap(),
        ],
    }
}

/// The records of a file, or its problems.
pub(super) fn parse(csv: &str) -> Result<Vec<DirectoryRecord>, FileProblems> {
    parse_records("d.csv", csv.as_bytes(), &known())
}

/// The report's problem lines, without the leading spaces.
pub(super) fn report(csv: impl AsRef<[u8]>) -> Vec<String> {
    parse_records("d.csv", csv.as_ref(), &known())
        .unwrap_err()
        .to_string()
        .lines()
        .skip(1)
        .map(|l| l.trim().to_owned())
        .collect()
}

/// Asserts that the report of a file holds a problem starting with each of `expected`.
pub(super) fn assert_reports(csv: impl AsRef<[u8]>, expected: &[&str]) {
    let got = report(csv);
    for e in expected {
        assert!(
            got.iter().any(|g| g.starts_with(e)),
            "missing {e:?} in:\n{}",
            got.join("\n")
        );
    }
}
