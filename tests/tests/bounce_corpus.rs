//! The bounce corpus: every returned mail in `tests/bounces/` is read by
//! `circulars_bounce_reports::parse` and must mean what `tests/bounces/expected.toml` says.
//!
//! The corpus holds delivery status notifications (single and multi-recipient, delayed,
//! relayed, an Original-Recipient that differs from the Final-Recipient, one naming nobody,
//! truncated ones, invalid UTF-8), feedback reports, the plain-text notices of Postfix, Exim,
//! Sendmail, qmail, Exchange and Outlook, Domino, Gmail, Yahoo and AOL, auto-replies and
//! ordinary mail. For each message the test checks the form recognised, what the message is,
//! the original Message-ID, and per address the recipient, the kind (permanent, temporary,
//! complaint, ...) and the status. It prints a score line and every miss with what was expected
//! and found, and fails on any miss, on a corpus file the manifest does not describe, and on a
//! description whose file is missing.
//!
//! Run it with `cargo test -p circulars-tests --test bounce_corpus -- --nocapture` to see the
//! score when everything passes.

use circulars_bounce_reports::{parse, Finding, Report};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bounces")
}

#[test]
fn every_returned_mail_in_the_corpus_is_classified_right() {
    let manifest_text = std::fs::read_to_string(corpus().join("expected.toml")).unwrap();
    let manifest: Table = manifest_text.parse().unwrap();
    let descriptions: Vec<&Table> = manifest["report"]
        .as_array()
        .expect("expected.toml has [[report]] entries")
        .iter()
        .map(|entry| entry.as_table().expect("each [[report]] is a table"))
        .collect();

    let described: Vec<String> = descriptions.iter().map(|d| text(d, "file")).collect();
    let described_once: BTreeSet<String> = described.iter().cloned().collect();
    assert_eq!(
        described.len(),
        described_once.len(),
        "expected.toml describes a file twice"
    );
    let on_disk: BTreeSet<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".eml"))
        .collect();

    let mut misses = Vec::new();
    for (file, description) in described.iter().zip(&descriptions) {
        let Ok(raw) = std::fs::read(corpus().join(file)) else {
            continue; // Reported below as a description without its file.
        };
        let report = parse(&raw);
        let differences = differences(description, &report);
        if !differences.is_empty() {
            misses.push(format!("{file}:\n    {}", differences.join("\n    ")));
        }
    }

    let total = descriptions.len();
    let right = total - misses.len() - described_once.difference(&on_disk).count();
    println!("bounce corpus: {right}/{total} classified right");
    for miss in &misses {
        println!("miss: {miss}");
    }
    let undescribed: Vec<_> = on_disk.difference(&described_once).collect();
    let missing: Vec<_> = described_once.difference(&on_disk).collect();
    assert!(
        undescribed.is_empty(),
        "corpus files not described in expected.toml: {undescribed:?}"
    );
    assert!(
        missing.is_empty(),
        "expected.toml describes files that are not in the corpus: {missing:?}"
    );
    assert!(
        misses.is_empty(),
        "bounce corpus: {right}/{total} classified right\n{}",
        misses.join("\n")
    );
}

/// Every way `report` differs from its description, as "what: expected X, found Y".
fn differences(description: &Table, report: &Report) -> Vec<String> {
    let mut found = Vec::new();
    let mut check = |what: &str, expected: Option<String>, actual: Option<String>| {
        if expected != actual {
            found.push(format!("{what}: expected {expected:?}, found {actual:?}"));
        }
    };
    check(
        "form",
        Some(text(description, "form")),
        Some(report.form.as_str().to_owned()),
    );
    check(
        "kind",
        Some(text(description, "kind")),
        Some(report.kind.as_str().to_owned()),
    );
    check(
        "original_message_id",
        optional(description, "original_message_id"),
        report.original_message_id.clone(),
    );
    if let Some(addressed_to) = description.get("addressed_to") {
        let expected: Vec<String> = addressed_to
            .as_array()
            .expect("addressed_to is an array")
            .iter()
            .map(|address| address.as_str().expect("addresses are strings").to_owned())
            .collect();
        check(
            "addressed_to",
            Some(format!("{expected:?}")),
            Some(format!("{:?}", report.addressed_to)),
        );
    }

    let expected_findings: Vec<&Table> = description
        .get("finding")
        .and_then(Value::as_array)
        .map(|findings| findings.iter().filter_map(Value::as_table).collect())
        .unwrap_or_default();
    if expected_findings.len() != report.findings.len() {
        found.push(format!(
            "findings: expected {} ({}), found {} ({})",
            expected_findings.len(),
            expected_findings
                .iter()
                .map(|f| text(f, "recipient"))
                .collect::<Vec<_>>()
                .join(", "),
            report.findings.len(),
            report
                .findings
                .iter()
                .map(summary)
                .collect::<Vec<_>>()
                .join(", "),
        ));
        return found;
    }
    for (expected, actual) in expected_findings.iter().zip(&report.findings) {
        let recipient = text(expected, "recipient");
        let mut check = |what: &str, expected: Option<String>, actual: Option<String>| {
            if expected != actual {
                found.push(format!(
                    "{recipient} {what}: expected {expected:?}, found {actual:?}"
                ));
            }
        };
        check(
            "recipient",
            Some(recipient.clone()),
            Some(actual.recipient.clone()),
        );
        check(
            "kind",
            Some(text(expected, "kind")),
            Some(actual.kind.as_str().to_owned()),
        );
        check(
            "status",
            optional(expected, "status"),
            actual.status.clone(),
        );
        // Checked only where the manifest gives them.
        let given = [
            ("final_recipient", &actual.final_recipient),
            ("action", &actual.action),
            ("diagnostic", &actual.diagnostic),
            ("remote_mta", &actual.remote_mta),
            ("feedback_type", &actual.feedback_type),
        ];
        for (what, actual) in given {
            if let Some(expected) = optional(expected, what) {
                check(what, Some(expected), actual.clone());
            }
        }
    }
    found
}

/// One finding in a line: `gone@example.org permanent 5.1.1`.
fn summary(finding: &Finding) -> String {
    format!(
        "{} {} {}",
        finding.recipient,
        finding.kind.as_str(),
        finding.status.as_deref().unwrap_or("-")
    )
}

fn text(table: &Table, key: &str) -> String {
    optional(table, key).unwrap_or_else(|| panic!("expected.toml: {key} missing in {table:?}"))
}

fn optional(table: &Table, key: &str) -> Option<String> {
    table.get(key).map(|value| {
        value
            .as_str()
            .unwrap_or_else(|| panic!("expected.toml: {key} is not a string"))
            .to_owned()
    })
}
