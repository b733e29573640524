//! Reading directory CSV files (`address,name,language,addressee,categories,status`): every
//! row checked, every problem named by file, line and column; a file with any problem is
//! refused whole, and a good one is stored in one transaction.

use circulars_shared::domain::{Addressee, Category, Language, RecipientAddress};
use circulars_shared::input::FileProblems;
use circulars_shared::store::{DirectoryEntry, EntryStatus, ImportSummary, Store};
use std::collections::HashMap;
use std::path::Path;

/// The columns of a directory file, in order.
pub const COLUMNS: [&str; 6] = [
    "address",
    "name",
    "language",
    "addressee",
    "categories",
    "status",
];

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read {file}: {why}")]
    Read {
        /// The file.
        file: String,
        /// The system's reason.
        why: String,
    },
    /// The file has problems; nothing of it was stored.
    #[error(transparent)]
    Invalid(#[from] FileProblems),
    /// The database refused the import; nothing of it was stored.
    #[error(transparent)]
    Store(#[from] circulars_shared::store::StoreError),
}

/// Reads and checks a directory file, then stores all its entries at once.
pub async fn import_file(store: &Store, path: &Path) -> Result<ImportSummary, ImportError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ImportError::Read {
        file: file.clone(),
        why: e.to_string(),
    })?;
    let entries = parse_entries(&file, &bytes)?;
    Ok(store.import_entries(&entries).await?)
}

/// Parses a directory file's bytes; `file` names it in errors.
pub fn parse_entries(file: &str, bytes: &[u8]) -> Result<Vec<DirectoryEntry>, FileProblems> {
    let mut problems = FileProblems::new(file);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    match reader.headers() {
        Ok(h) if h.iter().eq(COLUMNS) => {}
        Ok(h) => {
            problems.push(
                Some(1),
                "header",
                format!(
                    "expected the columns {}, found {}",
                    COLUMNS.join(","),
                    h.iter().collect::<Vec<_>>().join(",")
                ),
            );
            return Err(problems);
        }
        Err(e) => {
            problems.push(Some(1), "header", csv_reason(&e));
            return Err(problems);
        }
    }
    let mut entries = Vec::new();
    let mut seen: HashMap<(Addressee, RecipientAddress), usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                problems.push(line, "row", csv_reason(&e));
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        if record.len() != COLUMNS.len() {
            problems.push(
                Some(line),
                "row",
                format!("has {} fields, expected {}", record.len(), COLUMNS.len()),
            );
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or_default();
        let mut bad =
            |column: &str, message: String| problems.push(Some(line), column.to_owned(), message);

        let address = RecipientAddress::parse(field(0))
            .map_err(|e| bad("address", e.to_string()))
            .ok();
        let name = field(1).to_owned();
        if name.is_empty() {
            bad("name", "is empty".into());
        }
        let language = field(2)
            .parse::<Language>()
            .map_err(|e| bad("language", e.to_string()))
            .ok();
        let addressee = Addressee::parse(field(3))
            .map_err(|e| bad("addressee", e.to_string()))
            .ok();
        let mut categories = Vec::new();
        for id in field(4).split(';').map(str::trim) {
            match Category::parse(id) {
                Ok(c) if !categories.contains(&c) => categories.push(c),
                Ok(c) => bad("categories", format!("'{c}' is listed twice")),
                Err(_) if id.is_empty() => bad(
                    "categories",
                    "name at least one category, separated by ';'".into(),
                ),
                Err(e) => bad("categories", e.to_string()),
            }
        }
        let status = field(5)
            .parse::<EntryStatus>()
            .map_err(|e| bad("status", e))
            .ok();

        if let (Some(address), Some(language), Some(status), Some(addressee)) =
            (address, language, status, addressee)
        {
            if let Some(first) = seen.insert((addressee.clone(), address.clone()), line) {
                bad(
                    "address",
                    format!("{address} is already listed for '{addressee}' on line {first}"),
                );
                continue;
            }
            entries.push(DirectoryEntry {
                addressee,
                address_written: field(0).to_owned(),
                address,
                name,
                language,
                status,
                categories,
                source: format!("{file}:{line}"),
            });
        }
    }
    if entries.is_empty() && problems.problems.is_empty() {
        problems.push(None, "file", "holds no entries");
    }
    problems.into_result(entries)
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "address,name,language,addressee,categories,status\n";

    #[test]
    fn good_rows_become_entries_with_their_source() {
        let csv = format!(
            "{HEADER}amina@Example.org,Amina Diallo,fr,Administration of Freedonia,member-states;permanent-missions,active\n\
             \"o'brien@example.net\",\"Brien, Liam\",en,\"Globex, Inc.\",sector-members,unsubscribed\n"
        );
        let entries = parse_entries("d.csv", csv.as_bytes()).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].address.as_str(), "amina@example.org");
        assert_eq!(entries[0].address_written, "amina@Example.org");
        assert_eq!(entries[0].categories.len(), 2);
        assert_eq!(entries[0].source, "d.csv:2");
        assert_eq!(entries[1].name, "Brien, Liam");
        assert_eq!(entries[1].status, EntryStatus::Unsubscribed);
    }

    #[test]
    fn every_bad_field_is_named_with_its_line() {
        let csv = format!(
            "{HEADER}not-an-address,A,fr,X,member-states,active\n\
             b@example.org,B,de,X,member-state,gone\n\
             c@example.org,,en,,,active\n\
             d@example.org,D,en,X\n"
        );
        let report = parse_entries("d.csv", csv.as_bytes())
            .unwrap_err()
            .to_string();
        for expected in [
            "d.csv:2: address: 'not-an-address' is not an e-mail address",
            "d.csv:3: language: 'de' is not one of the six languages",
            "d.csv:3: categories: unknown category 'member-state'",
            "d.csv:3: status: 'gone' is not a status",
            "d.csv:4: name: is empty",
            "d.csv:4: addressee: is empty",
            "d.csv:4: categories: name at least one category",
            "d.csv:5: row: has 4 fields, expected 6",
        ] {
            assert!(
                report.contains(expected),
                "missing {expected:?} in:\n{report}"
            );
        }
    }

    #[test]
    fn a_wrong_header_or_a_repeated_entry_is_refused() {
        let report = parse_entries("d.csv", b"email,name\nx@example.org,X\n")
            .unwrap_err()
            .to_string();
        assert!(report.contains("d.csv:1: header: expected the columns address,name,language,addressee,categories,status"), "{report}");
        let csv = format!(
            "{HEADER}a@example.org,A,fr,X,academia,active\na@EXAMPLE.org,A,fr,X,academia,active\n"
        );
        let report = parse_entries("d.csv", csv.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            report.contains("d.csv:3: address: a@example.org is already listed for 'X' on line 2"),
            "{report}"
        );
    }
}
