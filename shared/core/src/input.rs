//! Problems found in a file from outside (circular TOML, directory CSV, configuration), each
//! named by file, line (and column, where the format has columns) and field, so one error report
//! lists everything that is wrong at once.

use std::fmt;

/// One thing wrong in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The 1-based line, when the place is known.
    pub line: Option<usize>,
    /// The 1-based column, when the format has them (in CSV files: the field's number in its row).
    pub column: Option<usize>,
    /// The field, key or column at fault (`text.ar.subject`, `address`, `smtp.port`).
    pub field: String,
    /// What is wrong, in words for the person who wrote the file.
    pub message: String,
}

/// Every problem found in one input file; the file is refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileProblems {
    /// The file as the user named it.
    pub file: String,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl FileProblems {
    /// Starts an empty report for `file`.
    pub fn new(file: impl Into<String>) -> Self {
        FileProblems {
            file: file.into(),
            problems: Vec::new(),
        }
    }

    /// Records one problem.
    pub fn push(
        &mut self,
        line: Option<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.problems.push(Problem {
            line,
            column: None,
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records one problem at a 1-based line and column (rendered `FILE:LINE:COLUMN:`).
    pub fn push_at(
        &mut self,
        line: usize,
        column: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.problems.push(Problem {
            line: Some(line),
            column: Some(column),
            field: field.into(),
            message: message.into(),
        });
    }

    /// `Ok(value)` when nothing was recorded, else the report.
    pub fn into_result<T>(mut self, value: T) -> Result<T, FileProblems> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            self.problems
                .sort_by_key(|p| (p.line.unwrap_or(0), p.column.unwrap_or(0)));
            Err(self)
        }
    }
}

impl fmt::Display for FileProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{} refused, nothing stored ({n} problem{}):",
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  {}:", self.file)?;
            if let Some(line) = p.line {
                write!(f, "{line}:")?;
                if let Some(column) = p.column {
                    write!(f, "{column}:")?;
                }
            }
            write!(f, " {}: {}", p.field, p.message)?;
        }
        Ok(())
    }
}

/// A file that could not be read: its name and the system's reason.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {file}: {source}")]
pub struct Unreadable {
    /// The file, as the user named it.
    pub file: String,
    /// The system's reason.
    pub source: std::io::Error,
}

impl Unreadable {
    /// For `map_err`: the error of reading `file`.
    pub fn of(file: &str) -> impl FnOnce(std::io::Error) -> Unreadable + '_ {
        move |source| Unreadable {
            file: file.to_owned(),
            source,
        }
    }
}

/// The 1-based line of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_file_line_field_and_problem() {
        let mut p = FileProblems::new("dir/a.csv");
        p.push(Some(7), "address", "'x' is not an e-mail address");
        p.push(None, "header", "missing column 'name'");
        let text = p.into_result(()).unwrap_err().to_string();
        assert!(text.starts_with("dir/a.csv refused, nothing stored (2 problems):"));
        assert!(text.contains("\n  dir/a.csv:7: address: 'x' is not an e-mail address"));
        assert!(text.contains("\n  dir/a.csv: header: missing column 'name'"));
    }

    #[test]
    fn a_column_is_rendered_after_the_line_and_orders_problems_within_it() {
        let mut p = FileProblems::new("d.csv");
        p.push_at(3, 5, "address", "'x' is not an e-mail address");
        p.push_at(3, 2, "addressee_name", "is empty");
        p.push(Some(2), "row", "has 4 fields, expected 10");
        let text = p.into_result(()).unwrap_err().to_string();
        let lines: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(
            lines,
            [
                "  d.csv:2: row: has 4 fields, expected 10",
                "  d.csv:3:2: addressee_name: is empty",
                "  d.csv:3:5: address: 'x' is not an e-mail address",
            ]
        );
    }

    #[test]
    fn lines_count_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
