//! The staff API's directory records, given as JSON objects with the columns of a file by name,
//! read into the same fields as a file's rows and checked alike.

use super::rows::{Checker, Place};
use circulars_core::domain::DirectoryIds;
use circulars_core::input::FileProblems;
use circulars_store::DirectoryRecord;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// One directory record as the API takes it: the columns of a file by name, with the
/// categories as a list and the topic choices as an object (`{"tsb-events": false}`); the
/// languages and the role may be left out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonRecord {
    /// The addressee's stable key.
    pub addressee: String,
    /// The addressee's name.
    pub addressee_name: String,
    /// The addressee's language.
    #[serde(default)]
    pub addressee_language: Option<String>,
    /// The addressee's categories.
    pub categories: Vec<String>,
    /// The contact's address.
    pub address: String,
    /// The contact's name.
    pub name: String,
    /// The contact's language.
    #[serde(default)]
    pub language: Option<String>,
    /// The contact's role.
    #[serde(default)]
    pub role: String,
    /// `active`, `inactive` or `unsubscribed`.
    pub status: String,
    /// Topic choices: true opts in, false opts out.
    #[serde(default)]
    pub topics: BTreeMap<String, bool>,
}

/// Checks records given as JSON (an API request's `records`) exactly as the rows of a file,
/// against `known`; each problem is named `records[i].field`, and `origin` (the request, e.g.
/// `api (by ana)`) names the records' source.
pub fn check_json_records(
    origin: &str,
    records: &[serde_json::Value],
    known: &DirectoryIds,
) -> Result<Vec<DirectoryRecord>, FileProblems> {
    let mut check = Checker::new(
        origin,
        Place::Json,
        known,
        HashSet::new(),
        FileProblems::new(origin),
    );
    if records.is_empty() {
        check
            .problems
            .push(None, "records", "is empty: give at least one record");
    }
    for (i, value) in records.iter().enumerate() {
        let record = match JsonRecord::deserialize(value) {
            Ok(record) => record,
            Err(e) => {
                check
                    .problems
                    .push(None, format!("records[{i}]"), e.to_string());
                continue;
            }
        };
        let categories = record.categories.join(";");
        let topics = record
            .topics
            .iter()
            .map(|(topic, on)| {
                if *on {
                    topic.clone()
                } else {
                    format!("-{topic}")
                }
            })
            .collect::<Vec<_>>()
            .join(";");
        let fields = [
            Some(record.addressee.trim()),
            Some(record.addressee_name.trim()),
            Some(
                record
                    .addressee_language
                    .as_deref()
                    .unwrap_or_default()
                    .trim(),
            ),
            Some(categories.as_str()),
            Some(record.address.trim()),
            Some(record.name.trim()),
            Some(record.language.as_deref().unwrap_or_default().trim()),
            Some(record.role.trim()),
            Some(record.status.trim()),
            Some(topics.as_str()),
        ];
        check.fields(i, &fields);
    }
    check.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::testing::{known, parse, HEADER};

    fn json(records: serde_json::Value) -> Result<Vec<DirectoryRecord>, FileProblems> {
        let records = records.as_array().cloned().unwrap_or_default();
        check_json_records("api (by ana)", &records, &known())
    }

    #[test]
    fn json_records_are_read_like_the_rows_of_a_file() {
        let records = json(serde_json::json!([
            {"addressee": "adm-x", "addressee_name": "Administration of X", "categories": ["member-states"],
             "address": "Ana@Example.ORG", "name": "Ana", "status": "active", "topics": {"tsb-events": false, "workshops": true}},
            {"addressee": "adm-x", "addressee_name": "Administration of X", "categories": ["member-states"],
             "address": "ben@example.org", "name": "Ben", "language": "fr", "role": "Director", "status": "inactive"}
        ]))
        .unwrap();
        let csv = parse(&format!(
            "{HEADER}adm-x,Administration of X,,member-states,Ana@Example.ORG,Ana,,,active,-tsb-events;workshops\n\
             adm-x,Administration of X,,member-states,ben@example.org,Ben,fr,Director,inactive,\n"
        ))
        .unwrap();
        assert_eq!(records.len(), 2);
        for (from_json, from_csv) in records.iter().zip(&csv) {
            let mut expected = from_csv.clone();
            expected.source = from_json.source.clone();
            assert_eq!(from_json, &expected);
        }
        assert_eq!(records[1].source, "api (by ana) records[1]");
    }

    #[test]
    fn each_bad_json_record_is_named_by_its_index_and_field() {
        let problems = json(serde_json::json!([
            {"addressee": "adm-x", "addressee_name": "X", "categories": ["member-states"],
             "address": "ana@example.org", "name": "Ana", "status": "active", "colour": "red"},
            {"addressee": "adm-x", "addressee_name": "X", "categories": ["member-states"],
             "address": "ana@example.org", "name": "Ana"},
            {"addressee": "adm-x", "addressee_name": "X", "categories": ["galaxies"],
             "address": "not an address", "name": "Ana", "language": "de", "status": "active"},
            {"addressee": "adm-y", "addressee_name": "Y", "categories": ["associates"],
             "address": "li@example.org", "name": "Li", "status": "active"},
            {"addressee": "adm-y", "addressee_name": "Y", "categories": ["associates"],
             "address": "li@example.org", "name": "Li", "status": "active"},
            "a text"
        ]))
        .unwrap_err()
        .to_string();
        let lines: Vec<&str> = problems.lines().skip(1).map(str::trim).collect();
        let expected = [
            "api (by ana): records[0]: unknown field `colour`",
            "api (by ana): records[1]: missing field `status`",
            "api (by ana): records[2].categories: unknown category 'galaxies'",
            "api (by ana): records[2].address: ",
            "api (by ana): records[2].language: ",
            "api (by ana): records[4].address: li@example.org is already listed for addressee 'adm-y' in records[3]",
            "api (by ana): records[5]: invalid type: string \"a text\"",
        ];
        assert_eq!(lines.len(), expected.len(), "{problems}");
        for (line, expected) in lines.iter().zip(expected) {
            assert!(
                line.starts_with(expected),
                "{line:?} does not start with {expected:?}"
            );
        }
        let empty = json(serde_json::json!([])).unwrap_err().to_string();
        assert!(empty.contains("records: is empty"), "{empty}");
    }
}
