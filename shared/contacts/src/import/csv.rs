//! Directory files read into rows: the encoding, the quoting and the header checked, each row
//! placed on the line it starts on, and the rows handed to the checks of [`super::rows`].

use super::rows::{Checker, Place};
use super::COLUMNS;
use circulars_core::domain::DirectoryIds;
use circulars_core::input::FileProblems;
use circulars_store::DirectoryRecord;
use csv_core::ReadFieldResult;
use std::collections::HashSet;

/// The columns of the directory files before addressees had keys, recognised to say so.
const OLD_COLUMNS: [&str; 6] = [
    "address",
    "name",
    "language",
    "addressee",
    "categories",
    "status",
];

/// A row as the csv crate read it, with the line it starts on.
type Row = (usize, csv::ByteRecord);

/// Parses a directory file's bytes, with categories and topics checked against `known`;
/// `file` names it in errors, which list every problem as `file:line:column: column-name: why`.
pub fn parse_records(
    file: &str,
    bytes: &[u8],
    known: &DirectoryIds,
) -> Result<Vec<DirectoryRecord>, FileProblems> {
    let mut problems = FileProblems::new(file);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        problems.push_at(
            1,
            1,
            "file",
            "is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8 \
             (\"CSV UTF-8\" in Excel)",
        );
        return problems.into_result(Vec::new());
    }
    // Excel and Notepad start UTF-8 files with a byte order mark: it is not part of the header.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (rows, misquoted) = read_rows(bytes, &mut problems);

    let mut rows = rows.into_iter();
    let Some((header_line, header)) = rows.next() else {
        if problems.problems.is_empty() {
            problems.push_at(
                1,
                1,
                "file",
                format!("holds no rows, not even the header {}", COLUMNS.join(",")),
            );
        }
        return problems.into_result(Vec::new());
    };
    if !check_header(header_line, &header, &mut problems) {
        return problems.into_result(Vec::new());
    }

    let mut check = Checker::new(file, Place::Csv, known, misquoted, problems);
    let mut data_rows = 0;
    for (line, record) in rows {
        data_rows += 1;
        check.row(line, &record);
    }
    if data_rows == 0 && check.problems.problems.is_empty() {
        check
            .problems
            .push_at(header_line + 1, 1, "file", "holds no rows after the header");
    }
    check.into_result()
}

/// The rows of a file (without the BOM), blank ones left out, with the quoting mistakes and
/// the rows the csv crate cannot read recorded in `problems`; also the fields (by row line and
/// column) whose quoting is wrong.
fn read_rows(bytes: &[u8], problems: &mut FileProblems) -> (Vec<Row>, HashSet<(usize, usize)>) {
    let lines = Lines::of(bytes);
    let quoting = check_quoting(bytes, &lines);
    let mut misquoted = HashSet::new();
    for q in quoting.problems {
        let field = COLUMNS.get(q.column - 1).copied().unwrap_or("row");
        problems.push_at(q.line, q.column, field, q.message);
        misquoted.insert((q.row_line, q.column));
    }
    let mut rows = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    for result in reader.byte_records() {
        match result {
            Ok(record) => {
                let at = record.position().map_or(0, |p| p.byte() as usize);
                rows.push((lines.record_line(bytes, at), record));
            }
            Err(e) => {
                let at = e.position().map_or(0, |p| p.byte() as usize);
                problems.push_at(lines.record_line(bytes, at), 1, "row", e.to_string());
            }
        }
    }
    if quoting.unterminated {
        // The open quote swallowed the rest of the file into the last record; its problem
        // is reported, and its fields would only add noise.
        rows.pop();
    }
    // Spreadsheets export rows left blank as commas only.
    rows.retain(|(_, record)| !record.iter().all(|f| f.trim_ascii().is_empty()));
    (rows, misquoted)
}

/// Whether the header names [`COLUMNS`] exactly; when not, says so at its first wrong column.
fn check_header(line: usize, header: &csv::ByteRecord, problems: &mut FileProblems) -> bool {
    let names: Vec<String> = header
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_owned())
        .collect();
    if names == COLUMNS {
        return true;
    }
    let column = names
        .iter()
        .zip(COLUMNS)
        .position(|(name, expected)| name != expected)
        .unwrap_or(names.len().min(COLUMNS.len()))
        + 1;
    let mut message = format!(
        "expected the columns {}, found {}",
        COLUMNS.join(","),
        names.join(",")
    );
    if names == OLD_COLUMNS {
        message.push_str(
            " (the former layout, without addressee keys: see docs/FORMATS.md for this one)",
        );
    }
    problems.push_at(line, column, "header", message);
    false
}

/// Where each line starts, to turn byte offsets into 1-based line numbers; a line ends at
/// `\n`, `\r\n` or a lone `\r`.
struct Lines(Vec<usize>);

impl Lines {
    fn of(bytes: &[u8]) -> Lines {
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        Lines(starts)
    }

    /// The line of byte `at`.
    fn line(&self, at: usize) -> usize {
        self.0.partition_point(|&start| start <= at)
    }

    /// The line of the record the csv crate places at byte `at`: it places a record after the
    /// `\r` ending the one before, so `\r\n` files would count one line short without skipping
    /// the line ends (and blank lines) first.
    fn record_line(&self, bytes: &[u8], at: usize) -> usize {
        let start = bytes
            .get(at..)
            .and_then(|rest| rest.iter().position(|b| !matches!(b, b'\r' | b'\n')))
            .map_or(at, |skip| at + skip);
        self.line(start)
    }
}

/// A quoting mistake: the csv crate reads past them without a word (keeping stray quotes as
/// text, and letting an unclosed quote swallow the rest of the file).
struct QuoteProblem {
    /// The line of the quote at fault.
    line: usize,
    /// The line its row starts on.
    row_line: usize,
    column: usize,
    message: &'static str,
}

/// The quoting mistakes of a file.
#[derive(Default)]
struct Quoting {
    problems: Vec<QuoteProblem>,
    /// A quoted field runs to the end of the file (it is in the last record the csv crate reads).
    unterminated: bool,
}

/// A quoting mistake the csv crate reads past.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mistake {
    /// A quote inside a field that does not start with one.
    StrayQuote,
    /// A quote after spaces at the start of a field.
    QuoteAfterSpace,
    /// Text after the closing quote of a quoted field.
    TextAfterQuote,
    /// A quoted field that runs to the end of the file.
    NeverClosed,
}

impl Mistake {
    fn message(self) -> &'static str {
        match self {
            Mistake::StrayQuote => {
                "a '\"' inside a field that does not start with one: quote the whole field and \
                 double each '\"' inside it (\"Jean \"\"JJ\"\" Dupont\")"
            }
            Mistake::QuoteAfterSpace => {
                "a '\"' after a space: a quoted field starts with '\"' right after the comma"
            }
            Mistake::TextAfterQuote => {
                "text after the closing '\"' of a quoted field: a '\"' inside a quoted field is \
                 written twice (\"\")"
            }
            Mistake::NeverClosed => {
                "the quoted field opened on this line is never closed: it runs to the end of the \
                 file; add the closing '\"'"
            }
        }
    }
}

/// Finds what the csv crate reads past: its own parser (csv-core, with the csv crate's
/// default settings, as [`read_rows`] uses them) splits the file into fields, and each field
/// as written is checked by [`misquoting`].
fn check_quoting(bytes: &[u8], lines: &Lines) -> Quoting {
    let mut reader = csv_core::Reader::new();
    // Where csv-core writes the fields' text, which is not needed: the csv crate's records
    // hold it.
    let mut text = [0; 4096];
    let mut quoting = Quoting::default();
    let (mut start, mut at, mut column, mut row_line) = (0, 0, 1, 1);
    loop {
        let input = &bytes[at..];
        let (result, read, _) = reader.read_field(input, &mut text);
        at += read;
        let record_end = match result {
            ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => continue,
            ReadFieldResult::End => break,
            ReadFieldResult::Field { record_end } => record_end,
        };
        // The field as written: without the byte that ended it (a comma or a line end, unless
        // the file ended it), and, at the start of a row, without the line ends before it
        // (the end of a `\r\n`, or blank lines).
        let mut field = start..at - usize::from(!input.is_empty());
        if column == 1 {
            field.start += bytes[field.clone()]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            row_line = lines.line(field.start);
        }
        if let Some((offset, mistake)) = misquoting(&bytes[field.clone()]) {
            quoting.unterminated |= mistake == Mistake::NeverClosed;
            quoting.problems.push(QuoteProblem {
                line: lines.line(field.start + offset),
                row_line,
                column,
                message: mistake.message(),
            });
        }
        start = at;
        column = if record_end { 1 } else { column + 1 };
    }
    quoting
}

/// The quoting mistake in one field as written (without the comma or line end after it), with
/// the offset of the quote or text at fault.
fn misquoting(field: &[u8]) -> Option<(usize, Mistake)> {
    let space = |b: &u8| *b == b' ' || *b == b'\t';
    if field.first() != Some(&b'"') {
        let quote = field.iter().position(|&b| b == b'"')?;
        let mistake = if field[..quote].iter().all(space) {
            Mistake::QuoteAfterSpace
        } else {
            Mistake::StrayQuote
        };
        return Some((quote, mistake));
    }
    // A quoted field ends at its first quote that is not doubled.
    let mut i = 1;
    let closing = loop {
        match (field.get(i), field.get(i + 1)) {
            (None, _) => return Some((0, Mistake::NeverClosed)),
            (Some(b'"'), Some(b'"')) => i += 2,
            (Some(b'"'), _) => break i,
            _ => i += 1,
        }
    };
    let text = field[closing + 1..].iter().position(|b| !space(b))?;
    Some((closing + 1 + text, Mistake::TextAfterQuote))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::testing::{known, parse, report, HEADER};
    use std::path::Path;

    #[test]
    fn a_wrong_column_count_is_refused_where_the_row_ends() {
        let csv = format!(
            "{HEADER}a,A,,academia,a@example.org,A,,,active\n\
             b,B,,academia,b@example.org,B,,,active,,extra\n\
             c,C,,academia,c@example.org,C,,,active,\n"
        );
        assert_eq!(
            report(csv),
            [
                "d.csv:2:10: row: has 9 fields, expected 10 (addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics)",
                "d.csv:3:11: row: has 11 fields, expected 10 (addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics)",
            ]
        );
    }

    #[test]
    fn a_wrong_header_is_refused_at_its_first_wrong_column() {
        assert_eq!(
            report("addressee,addressee_name,language\nx\n"),
            ["d.csv:1:3: header: expected the columns addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics, found addressee,addressee_name,language"]
        );
        let old = report(
            "address,name,language,addressee,categories,status\n\
             a@example.org,A,en,X,academia,active\n",
        );
        assert_eq!(old.len(), 1);
        assert!(old[0].starts_with("d.csv:1:1: header:"), "{old:?}");
        assert!(
            old[0].ends_with(
                "(the former layout, without addressee keys: see docs/FORMATS.md for this one)"
            ),
            "{old:?}"
        );
    }

    #[test]
    fn an_empty_file_or_a_header_alone_holds_no_rows() {
        assert_eq!(
            report(""),
            ["d.csv:1:1: file: holds no rows, not even the header addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics"]
        );
        assert_eq!(report("\n\n"), report(""));
        assert_eq!(
            report(HEADER),
            ["d.csv:2:1: file: holds no rows after the header"]
        );
        assert_eq!(
            report(format!("{HEADER},,,,,,,,,\n")),
            ["d.csv:2:1: file: holds no rows after the header"],
            "rows of commas only are blank"
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_utf16_is_named() {
        let csv = format!("\u{feff}{HEADER}a,A,,academia,a@example.org,A,,,active,\n");
        assert_eq!(parse(&csv).unwrap().len(), 1);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(HEADER.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            report(utf16),
            ["d.csv:1:1: file: is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8 (\"CSV UTF-8\" in Excel)"]
        );
    }

    #[test]
    fn invalid_utf8_is_named_by_line_and_column() {
        let mut csv = HEADER.as_bytes().to_vec();
        csv.extend_from_slice(b"a,A,,academia,a@example.org,Jos\xE9 Mart\xEDnez,,,active,\n");
        csv.extend_from_slice(b"b,B,,academia,b@example.org,B,,,active,\n");
        assert_eq!(
            report(csv),
            ["d.csv:2:6: name: is not UTF-8 (byte 0xE9 after 'Jos'): save the file as UTF-8 (\"CSV UTF-8\" in Excel)"]
        );
    }

    #[test]
    fn a_quote_left_open_is_named_where_it_opens_not_swallowed() {
        let csv = format!(
            "{HEADER}a,A,,academia,a@example.org,A,,,active,\n\
             b,\"B, Ltd,,academia,b@example.org,B,,,active,\n\
             c,C,,academia,c@example.org,C,,,active,\n"
        );
        assert_eq!(
            report(csv),
            ["d.csv:3:2: addressee_name: the quoted field opened on this line is never closed: it runs to the end of the file; add the closing '\"'"]
        );
        // The same in the last field of the last row, with Windows line ends.
        let csv = format!(
            "{}a,A,,academia,a@example.org,A,,,active,\"tsb-events\r\n",
            HEADER.replace('\n', "\r\n")
        );
        assert_eq!(
            report(csv),
            ["d.csv:2:10: topics: the quoted field opened on this line is never closed: it runs to the end of the file; add the closing '\"'"]
        );
    }

    #[test]
    fn stray_quotes_are_refused() {
        let csv = format!(
            "{HEADER}a,Jean \"JJ\" Dupont SA,,academia,a@example.org,A,,,active,\n\
             b,B,,academia,b@example.org,\"Brien\" Liam,,,active,\n\
             c,C,,academia,c@example.org,C,,,active, \"tsb-events\"\n\
             d,\"D, Ltd\"  ,,academia,d@example.org,D,,,active,\n"
        );
        assert_eq!(
            report(csv),
            [
                "d.csv:2:2: addressee_name: a '\"' inside a field that does not start with one: quote the whole field and double each '\"' inside it (\"Jean \"\"JJ\"\" Dupont\")",
                "d.csv:3:6: name: text after the closing '\"' of a quoted field: a '\"' inside a quoted field is written twice (\"\")",
                "d.csv:4:10: topics: a '\"' after a space: a quoted field starts with '\"' right after the comma",
            ],
            "spaces after a closing quote are fine (row 5)"
        );
    }

    #[test]
    fn lines_are_counted_right_with_windows_line_ends_and_quoted_line_breaks() {
        let csv = format!(
            "{}a,\"A\r\nB\",,academia,a@example.org,A,,,active,\r\n\r\nb,B,,academia,b@example,B,,,active,\r\n",
            HEADER.replace('\n', "\r\n")
        );
        assert_eq!(
            report(csv),
            [
                "d.csv:2:2: addressee_name: 'A\\r\\nB' holds a line break or another control character",
                "d.csv:5:5: address: 'b@example' is not an e-mail address: the domain needs at least two labels (name.tld)",
            ]
        );
    }

    #[test]
    fn the_samples_are_valid_directory_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/directory");
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                let bytes = std::fs::read(&path).unwrap();
                let records = parse_records(&path.display().to_string(), &bytes, &known())
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(!records.is_empty(), "{}", path.display());
                files += 1;
            }
        }
        assert!(files > 0, "no samples in {}", dir.display());
    }
}
