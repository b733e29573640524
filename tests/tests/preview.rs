//! Staff preview a circular before issuing it: six complete messages, one per language, that
//! read like the originals. Golden files in `tests/golden/` hold the expected HTML, text and
//! headers; `UPDATE_GOLDEN=1 cargo test -p circulars-tests --test preview` rewrites them after a
//! deliberate change (review the diff before committing it).

use circulars_tests::{circulars_binary, on_both_databases, workspace, Db, Harness};
use mail_parser::{MessageParser, MimeHeaders};
use std::process::Command;

const HEADERS: [&str; 11] = [
    "From",
    "Reply-To",
    "To",
    "Subject",
    "Message-ID",
    "Content-Language",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
];

fn golden(name: &str, actual: &str) {
    let path = workspace().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or(expected.lines().count().min(actual.lines().count()), |i| i);
        panic!(
            "{name} differs from tests/golden/{name} at line {}:\n  expected: {:?}\n  actual:   {:?}",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// The headers that identify the message, in a stable form (the boundary and Date vary).
fn header_summary(raw: &[u8]) -> String {
    let message = MessageParser::default().parse(raw).unwrap();
    let mut out = String::new();
    for name in HEADERS {
        let value = message
            .header_raw(name)
            .unwrap_or_else(|| panic!("no {name} header"));
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        let value = match value.find("boundary=") {
            Some(at) => value[..at].trim_end_matches([' ', ';']).to_owned(),
            None => value,
        };
        out.push_str(&format!("{name}: {value}\n"));
    }
    out
}

#[test]
fn the_preview_writes_six_complete_messages_that_match_the_golden_files() {
    let out = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let run = Command::new(circulars_binary())
        .arg("preview")
        .arg(workspace().join("samples/circulars/tsb-36.toml"))
        .arg("--out")
        .arg(out.path())
        .current_dir(cwd.path())
        .env_remove("CIRCULARS_CONFIG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("public development key"),
        "says it uses the development key: {stderr}"
    );
    assert!(out.path().join("index.html").is_file());

    for language in ["ar", "zh", "en", "fr", "ru", "es"] {
        let read = |ext: &str| std::fs::read(out.path().join(format!("{language}.{ext}"))).unwrap();
        let html = String::from_utf8(read("html")).unwrap();
        let text = String::from_utf8(read("txt")).unwrap();
        golden(&format!("{language}.html"), &html);
        golden(&format!("{language}.txt"), &text);
        let eml = read("eml");
        golden(&format!("{language}.headers"), &header_summary(&eml));

        // The .eml parses back into the same two parts, with a Date.
        let message = MessageParser::default().parse(&eml).unwrap();
        assert!(message.date().is_some(), "{language}: Date");
        assert_eq!(
            message.content_type().map(|c| c.subtype()),
            Some(Some("alternative")),
            "{language}"
        );
        assert_eq!(
            message
                .body_text(0)
                .unwrap()
                .replace("\r\n", "\n")
                .trim_end(),
            text.trim_end(),
            "{language}: text part"
        );
        assert_eq!(
            message
                .body_html(0)
                .unwrap()
                .replace("\r\n", "\n")
                .trim_end(),
            html.trim_end(),
            "{language}: html part"
        );
        assert!(
            !message
                .subject()
                .unwrap()
                .contains(['\u{2068}', '\u{2069}']),
            "{language}: no isolation marks in the subject"
        );
    }
}

async fn a_test_copy_of_the_six_versions_goes_to_one_address_through_the_relay(db: Db) {
    let h = Harness::start(db).await;
    let file = workspace().join("samples/circulars/tsb-36.toml");
    let out = h.circulars_ok(&[
        "preview",
        file.to_str().unwrap(),
        "--send-to",
        "reviewer@itu.example",
    ]);
    assert_eq!(out.lines().count(), 6, "{out}");
    let mails = h.mails();
    assert_eq!(mails.len(), 6);
    let mut languages: Vec<&str> = mails.iter().map(|m| m.language.as_str()).collect();
    languages.sort();
    assert_eq!(languages, ["ar", "en", "es", "fr", "ru", "zh"]);
    for mail in &mails {
        assert_eq!(mail.recipient, "reviewer@itu.example");
        assert!(mail.subject.starts_with("[TEST COPY] "), "{}", mail.subject);
    }
}

on_both_databases!(a_test_copy_of_the_six_versions_goes_to_one_address_through_the_relay,);
