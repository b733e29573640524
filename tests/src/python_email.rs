//! Mails read by an independent, strict checker: Python's `email` package, run by `python3` on
//! `python_email.py`, which says what it reports. `deploy/install-deps` installs `python3`.

use serde::Deserialize;
use std::path::Path;
use std::process::Command;

/// The checker, passed to `python3 -c`.
const SCRIPT: &str = include_str!("python_email.py");

/// What Python's `email` package read in one mail.
#[derive(Debug, Deserialize)]
pub struct PythonReading {
    /// The file read.
    pub file: String,
    /// What the strict policy raised or recorded, 8-bit header values, undecodable text parts.
    pub defects: Vec<String>,
    /// What breaks the wire form: a bare CR or LF, a line over 998 characters.
    pub wire: Vec<String>,
    /// The content type of each part, in order, the message first.
    pub parts: Vec<String>,
    /// The From display name, as `email.policy.default` decodes it.
    #[serde(default)]
    pub from_name: String,
    /// The From address.
    #[serde(default)]
    pub from_address: String,
    /// The whole From field as `email.header.decode_header` decodes it (RFC 2047 §6.2).
    #[serde(default)]
    pub from_field: String,
    /// The Subject, as `email.policy.default` decodes it.
    #[serde(default)]
    pub subject: String,
    /// `List-Unsubscribe`.
    #[serde(default)]
    pub list_unsubscribe: Option<String>,
    /// `List-Unsubscribe-Post`.
    #[serde(default)]
    pub list_unsubscribe_post: Option<String>,
    /// Each encoded word of From, decoded on its own.
    #[serde(default)]
    pub from_words: Vec<String>,
    /// Each encoded word of Subject, decoded on its own.
    #[serde(default)]
    pub subject_words: Vec<String>,
    /// Each encoded word of From and Subject as written.
    #[serde(default)]
    pub encoded: Vec<String>,
}

impl PythonReading {
    /// Panics unless the strict checker found the mail valid: no defect in its MIME structure
    /// or header fields, 7-bit headers, CRLF line ends, lines of at most 998 characters,
    /// encoded words of at most 75 characters (RFC 2047 §2), and the RFC 8058 one-click fields.
    pub fn assert_valid(&self) {
        let file = &self.file;
        assert!(self.defects.is_empty(), "{file}: {:?}", self.defects);
        assert!(self.wire.is_empty(), "{file}: {:?}", self.wire);
        for word in &self.encoded {
            assert!(
                word.len() <= 75,
                "{file}: an encoded word of {}",
                word.len()
            );
        }
        assert_eq!(
            self.list_unsubscribe_post.as_deref(),
            Some("List-Unsubscribe=One-Click"),
            "{file}"
        );
        let unsubscribe = self.list_unsubscribe.as_deref().unwrap_or_default();
        assert!(
            unsubscribe.starts_with("<https://"),
            "{file}: {unsubscribe}"
        );
    }
}

/// Reads each of `files` with Python's `email` package, in order.
pub fn read_mails(files: &[&Path]) -> Vec<PythonReading> {
    let output = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .args(files)
        .output()
        .expect("python3 runs (deploy/install-deps installs it)");
    assert!(
        output.status.success(),
        "python_email.py: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("python_email.py writes UTF-8");
    let readings: Vec<PythonReading> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("python_email.py writes one JSON a line"))
        .collect();
    assert_eq!(readings.len(), files.len(), "one reading a mail: {stdout}");
    readings
}
